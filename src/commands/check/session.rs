//! One run resolved, before anything is checked: the release, the tag and commit it gates, the selection, what
//! the project declares, where the file-based checks run, and the custom checks. `relgate check` (and the
//! hooks) run it; `relgate checks` lists its plan.

use pep440_rs::Version;

use super::Request;
use crate::gates::custom::{self, CustomCheck};
use crate::gates::plan::Plan;
use crate::gates::{GateContext, Selection, registry};
use crate::project::Declared;
use crate::release::{Prepared, Release, Target};

pub struct Session {
    pub release: Release,
    pub target: Target,
    pub selection: Selection,
    /// What the released commit declares, or why it cannot be read: only the version checks, and the checks
    /// that need the version, depend on it.
    pub declared: anyhow::Result<Declared>,
    pub prepared: Prepared,
    /// The custom checks this run selects.
    pub custom: Vec<CustomCheck>,
}

impl Session {
    /// Resolve `request`. Errors are usage and configuration errors (exit 2): no repository, an unknown tag, a
    /// configuration key relgate would ignore.
    pub fn open(request: &Request) -> anyhow::Result<Session> {
        let release = Release::open(request.project.clone())?;
        registry::validate(&release.config)?;
        registry::validate_skip(&release.config, &request.skip)?;
        let target = release.target(request.tag.as_deref(), request.commit)?;
        let selection = Selection::new(&request.only, &request.skip, &release.config);
        let custom: Vec<CustomCheck> = custom::plan(&release.config)?
            .into_iter()
            .filter(|c| selection.check(&c.name, c.kind))
            .collect();
        let declared = release.declared(target.tag.as_ref().map(|t| (t.commit, t.name.as_str())));
        let prepared = if selection.needs_files() || !custom.is_empty() {
            release.workspace(&target)?
        } else {
            Prepared::none(Some(
                "no check that reads the project's files was selected".into(),
            ))
        };
        Ok(Session {
            release,
            target,
            selection,
            declared,
            prepared,
            custom,
        })
    }

    /// What every gate of this run reads; `version` is the version being released, when known.
    pub fn context<'s>(&'s self, version: Option<&'s Version>) -> GateContext<'s> {
        GateContext {
            config: &self.release.config,
            local_project_dir: &self.release.project_dir,
            git_common_dir: self.release.repo.common_dir(),
            workspace: self.prepared.workspace.as_ref(),
            name: self.declared.as_ref().ok().and_then(|d| d.name.as_deref()),
            version,
        }
    }

    /// The checks of this run, with their settings applied.
    pub fn plan<'s>(&'s self, ctx: &'s GateContext<'s>) -> anyhow::Result<Plan<'s>> {
        Plan::new(
            ctx,
            &self.selection,
            self.custom.clone(),
            self.target.tag.as_ref().map(|t| t.name.as_str()),
        )
    }
}

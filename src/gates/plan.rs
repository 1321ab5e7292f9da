//! The plan of one run: every check of the registry that the run selects and that is not switched off, with
//! its settings applied, decided before anything runs. `relgate checks` lists it ([`Plan::checks`]);
//! `relgate check` decides the version checks and asks the index itself, and gives the rest to the runner
//! ([`Plan::jobs`]).

use std::time::Duration;

use crate::config::Config;
use crate::gates::custom::{CustomCheck, ToolEnv};
use crate::gates::quality::{self, PlannedCheck};
use crate::gates::registry::{self, BuiltIn, Entry, REGISTRY, Settings, Work};
use crate::gates::{GateContext, Selection, build, metadata, publish};
use crate::outcome::{CheckResult, Kind, Status};
use crate::runner::Job;

/// The checks of one run, in report order.
pub struct Plan<'a> {
    ctx: &'a GateContext<'a>,
    /// relgate's own checks that are part of the run, in registry order.
    built_in: Vec<(&'static BuiltIn, Settings)>,
    /// The project's own tools (empty when no workspace is prepared).
    pub tools: Vec<PlannedCheck>,
    pub custom: Vec<CustomCheck>,
    /// Where custom checks find their commands.
    tool_env: Option<ToolEnv>,
    /// Whether any quality kind is selected (the release workflow's tools are compared with them).
    quality_selected: bool,
    /// The release tag's name, for the publish checks.
    tag: Option<&'a str>,
}

/// One planned check, as `relgate checks` lists it.
pub enum Planned<'p> {
    BuiltIn(&'static BuiltIn, Settings),
    Tool(&'p PlannedCheck),
    Custom(&'p CustomCheck),
}

impl<'a> Plan<'a> {
    /// Plan the run. `custom` are the custom checks this run selects (planned first: whether any is selected
    /// decides whether a workspace is prepared); the tools are detected in the context's workspace.
    pub fn new(
        ctx: &'a GateContext<'a>,
        selection: &Selection,
        custom: Vec<CustomCheck>,
        tag: Option<&'a str>,
    ) -> anyhow::Result<Plan<'a>> {
        let config = ctx.config;
        let mut built_in = Vec::new();
        let mut tools = Vec::new();
        for entry in REGISTRY {
            match entry {
                Entry::Check(check) => {
                    if registry::enabled(config, selection, check.name, check.kind) {
                        built_in.push((check, registry::settings(config, check.name)));
                    }
                }
                Entry::Tools => {
                    tools = quality::plan(ctx, selection)?;
                    for tool in &mut tools {
                        let settings = registry::settings(config, &tool.name);
                        tool.required = settings.required;
                        tool.timeout = settings.timeout;
                    }
                }
            }
        }
        let tool_env = (!custom.is_empty()).then(|| ToolEnv::find(ctx.local_project_dir));
        Ok(Plan {
            ctx,
            built_in,
            tools,
            custom,
            tool_env,
            quality_selected: Kind::QUALITY.into_iter().any(|k| selection.kind(k)),
            tag,
        })
    }

    /// Every planned check: relgate's own and the project's tools in report order, then the custom checks
    /// (`relgate checks` lists them last).
    pub fn checks(&self) -> Vec<Planned<'_>> {
        let mut out: Vec<Planned> = Vec::new();
        for entry in REGISTRY {
            match entry {
                Entry::Check(check) => out.extend(
                    self.built_in
                        .iter()
                        .filter(|(b, _)| b.name == check.name)
                        .map(|(b, s)| Planned::BuiltIn(b, *s)),
                ),
                Entry::Tools => out.extend(self.tools.iter().map(Planned::Tool)),
            }
        }
        out.extend(self.custom.iter().map(Planned::Custom));
        out
    }

    /// The settings of a built-in check of this run, `None` when it is not part of it.
    pub fn built_in(&self, name: &str) -> Option<Settings> {
        self.built_in
            .iter()
            .find(|(b, _)| b.name == name)
            .map(|(_, s)| *s)
    }

    /// The runner's jobs: the tools, the custom checks, the publish, metadata and build checks. Nothing when
    /// no workspace was prepared (none selected, or isolation refused).
    pub fn jobs(&self) -> Vec<Job<'_>> {
        let ctx = self.ctx;
        let Some(ws) = ctx.workspace else {
            return Vec::new();
        };
        let mut jobs: Vec<Job> = Vec::new();
        for check in &self.tools {
            let mut job = Job::new(check.name.clone(), check.kind, move || {
                quality::run_one(check, ws)
            })
            .required(check.required)
            .fingerprint(check.fingerprint.clone());
            if check.kind == Kind::Test {
                job = job.early();
            }
            jobs.push(job);
        }
        if let Some(tools) = &self.tool_env {
            for check in &self.custom {
                let fingerprint = check.fingerprint(tools);
                let mut job =
                    Job::new(check.name.clone(), check.kind, move || check.run(tools, ws))
                        .required(check.required);
                if let Some(fingerprint) = fingerprint {
                    job = job.fingerprint(fingerprint);
                }
                jobs.push(job);
            }
        }
        let mut publish: Vec<(String, Kind, bool)> = self
            .built_in
            .iter()
            .filter(|(b, _)| b.work == Work::Publish)
            .map(|(b, s)| (b.name.to_owned(), b.kind, s.required))
            .collect();
        for (check, settings) in &self.built_in {
            match check.work {
                // Decided before the runner starts, and asked in their own threads (`commands::check`).
                Work::Version | Work::Index | Work::Github => {}
                // One job reads the workflows for every publish check, in the place of the first one.
                Work::Publish if publish.is_empty() => {}
                Work::Publish => {
                    // The release workflow's tools are compared with the checks planned here, so this need not
                    // wait for them.
                    let local = self.local_quality();
                    let (quality_selected, tag) = (self.quality_selected, self.tag);
                    jobs.push(Job::several(std::mem::take(&mut publish), move || {
                        publish_gates(ctx, &local, quality_selected, tag)
                    }));
                }
                Work::Metadata => jobs.push(
                    Job::new(check.name, check.kind, || metadata::check_metadata(ctx))
                        .required(settings.required),
                ),
                Work::Build => jobs.push(build_job(ctx, *settings)),
            }
        }
        jobs
    }

    /// The quality checks of this run, by name and command, for `release-checks`.
    fn local_quality(&self) -> Vec<String> {
        self.tools
            .iter()
            .flat_map(|c| [c.name.clone(), c.argv.join(" ")])
            .chain(
                self.custom
                    .iter()
                    .filter(|c| Kind::QUALITY.contains(&c.kind))
                    .flat_map(|c| [c.name.clone(), c.command()]),
            )
            .collect()
    }
}

/// The publishing workflow's two checks. `local` names the quality checks of this run (names and commands): the
/// release workflow's tools are compared with them.
fn publish_gates(
    ctx: &GateContext,
    local: &[String],
    quality_selected: bool,
    tag: Option<&str>,
) -> Vec<CheckResult> {
    let mut results = publish::check_workflows_for_tag(ctx, local, tag);
    for r in &mut results {
        if r.name == publish::TOOLS_CHECK && !quality_selected && r.status != Status::Skipped {
            // Comparing with a run that excludes every quality check (`--only publish`) would flag them all.
            *r = CheckResult::skipped(
                publish::TOOLS_CHECK,
                Kind::Publish,
                "no quality check is part of this run: nothing to compare the release workflow's tools with",
            )
            .took(Duration::from_millis(r.duration_ms));
        }
    }
    results
}

fn build_job<'a>(ctx: &'a GateContext<'a>, settings: Settings) -> Job<'a> {
    let mut job = Job::several(
        vec![(build::CHECK.into(), Kind::Build, settings.required)],
        move || build_gate(ctx, settings.timeout).into_iter().collect(),
    )
    .early();
    if let Some(version) = ctx.version {
        job = job.fingerprint(format!(
            "build\nversion {version}\nbuild = {:?}\n{}",
            ctx.config.build,
            build::identity(ctx.local_project_dir)
        ));
    }
    job
}

/// The build check runs when the project declares a backend and a frontend is found; `build = true` makes a
/// missing backend or frontend an error (`build = false` leaves it out of the plan).
fn build_gate(ctx: &GateContext, timeout: Duration) -> Option<CheckResult> {
    let forced = forced_build(ctx.config);
    let workspace = ctx.workspace?;
    if build::build_system(&workspace.project_dir).is_none() {
        return forced.then(|| {
            CheckResult::error(
                build::CHECK,
                Kind::Build,
                "build = true, but the project declares no build backend ([build-system] build-backend)",
            )
        });
    }
    let frontend = build::find_frontend(ctx.local_project_dir);
    if frontend.is_none() && !forced {
        return Some(CheckResult::skipped(
            build::CHECK,
            Kind::Build,
            "no build frontend found (uv, or a Python with `build`); set [tool.relgate] build = true to require one",
        ));
    }
    let Some(version) = ctx.version else {
        return Some(CheckResult::skipped(
            build::CHECK,
            Kind::Build,
            "no release version to compare the built files with (see the version checks)",
        ));
    };
    Some(build::check_build_using(ctx, frontend, version, timeout))
}

fn forced_build(config: &Config) -> bool {
    config.build == Some(true)
}

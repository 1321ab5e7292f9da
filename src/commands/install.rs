//! `relgate install` and `relgate uninstall`: relgate's hooks in the hooks directory git really uses, beside the
//! hooks a repository already has.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{HookName, InstallArgs};
use crate::commands::Output;
use crate::error::hinted;
use crate::git::{self, HookSite};
use crate::hooks::{self, Hook, InstallAction, ShimTarget, UninstallAction};
use crate::outcome::Exit;
use crate::output::{self, Text};

pub fn install(args: &InstallArgs, _out: Output) -> anyhow::Result<Exit> {
    let start = start_dir(args)?;
    let site = git::hook_site(&start)?;
    refuse_shared_hooks_path(&site)?;
    let project = project_subdir(&start, site.repo.workdir());
    let bin = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot tell where the relgate binary is")?;
    let target = ShimTarget {
        bin: &bin,
        project: &project,
    };
    // Every hook is planned before any file changes: a refusal leaves the repository as it was.
    let plans = selected(args)
        .into_iter()
        .map(|hook| hooks::plan_install(&site, hook, &target))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for plan in &plans {
        hooks::install(plan)?;
    }
    let ours: Vec<&Path> = plans
        .iter()
        .flat_map(|p| {
            std::iter::once(p.path.as_path()).chain(p.chains.then_some(p.chained.as_path()))
        })
        .collect();
    let excluded = hooks::add_excludes(&site, &hooks::exclude_lines(&site, &ours))?;

    let dir = hooks::display(&site, &site.hooks_dir);
    let mut lines = Vec::new();
    if let Some(hooks_path) = &site.hooks_path {
        lines.push(format!(
            "git takes this repository's hooks from core.hooksPath = {} ({}): relgate's hooks are there",
            hooks_path.value,
            site.hooks_dir.display()
        ));
        if hooks::outside_repository(&site) {
            lines.push(
                "note: that directory is outside this repository: other repositories that take their hooks from it get relgate's hooks too"
                    .to_owned(),
            );
        }
    }
    for plan in &plans {
        let name = plan.hook.name();
        let chained = hooks::display(&site, &plan.chained);
        lines.push(match plan.action {
            InstallAction::Create if plan.chains => format!(
                "{name}: installed in {dir}; the hook moved aside earlier ({chained}) runs first"
            ),
            InstallAction::Create => format!("{name}: installed in {dir}"),
            InstallAction::Chain => format!(
                "{name}: installed in {dir}; the hook that was there runs first, with the same input (moved to {chained})"
            ),
            InstallAction::ReplaceCopy => format!(
                "{name}: installed in {dir} again, in place of a copy of the hook moved aside earlier ({chained}), which runs first"
            ),
            InstallAction::Update if plan.via_legacy() => format!(
                "{name}: updated in {dir} (pre-commit runs it as {})",
                hooks::display(&site, &plan.path)
            ),
            InstallAction::Update => format!("{name}: updated in {dir}"),
            InstallAction::UpToDate if plan.via_legacy() => format!(
                "{name}: already installed (pre-commit runs it first, as {})",
                hooks::display(&site, &plan.path)
            ),
            InstallAction::UpToDate => format!("{name}: already installed in {dir}"),
        });
    }
    if !excluded.is_empty() {
        lines.push(format!(
            "added {} to {} so that git status (and relgate's check of the working tree) ignore them",
            excluded.join(", "),
            hooks::display(&site, &site.common_dir.join("info").join("exclude"))
        ));
    }
    if is_husky(&site.hooks_dir) {
        lines.push(format!(
            "husky writes {dir} anew when it installs (npm install runs it): run relgate install again after that"
        ));
    }
    let project_note = if project.is_empty() {
        String::new()
    } else {
        format!(" for the project in {project}/")
    };
    lines.push(format!(
        "the hooks run {}{project_note}; `relgate uninstall` puts back what was there",
        bin.display()
    ));
    print_lines(&lines);
    Ok(Exit::Pass)
}

pub fn uninstall(args: &InstallArgs, _out: Output) -> anyhow::Result<Exit> {
    let start = start_dir(args)?;
    let site = git::hook_site(&start)?;
    let plans = selected(args)
        .into_iter()
        .map(|hook| hooks::plan_uninstall(&site, hook))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for plan in &plans {
        hooks::uninstall(plan)?;
    }
    let ours: Vec<&Path> = plans
        .iter()
        .flat_map(|p| [p.path.as_path(), p.chained.as_path()])
        .collect();
    let unexcluded = hooks::remove_excludes(&site, &ours)?;

    let dir = hooks::display(&site, &site.hooks_dir);
    let mut lines = Vec::new();
    for plan in &plans {
        let name = plan.hook.name();
        let path = hooks::display(&site, &plan.path);
        let chained = hooks::display(&site, &plan.chained);
        lines.push(match plan.action {
            UninstallAction::Remove => format!("{name}: removed from {dir}"),
            UninstallAction::Restore => format!(
                "{name}: removed; the hook that was there before is back at {path}"
            ),
            UninstallAction::RemoveCopy => format!(
                "{name}: {path} is no longer relgate's hook (a hook manager wrote it again); removed {chained}, the identical copy relgate had moved aside"
            ),
            UninstallAction::LeaveConflict => format!(
                "{name}: warning: {path} is no longer relgate's hook, and {chained} (the hook relgate moved aside) differs from it: both left as they are; keep the one you want"
            ),
            UninstallAction::Absent => format!("{name}: not installed in {dir}"),
        });
    }
    if !unexcluded.is_empty() {
        lines.push(format!(
            "removed {} from {}",
            unexcluded.join(", "),
            hooks::display(&site, &site.common_dir.join("info").join("exclude"))
        ));
    }
    print_lines(&lines);
    Ok(Exit::Pass)
}

fn selected(args: &InstallArgs) -> Vec<Hook> {
    if args.hooks.is_empty() {
        return Hook::ALL.to_vec();
    }
    Hook::ALL
        .into_iter()
        .filter(|hook| {
            args.hooks.iter().any(|h| match h {
                HookName::PrePush => *hook == Hook::PrePush,
                HookName::ReferenceTransaction => *hook == Hook::ReferenceTransaction,
            })
        })
        .collect()
}

fn start_dir(args: &InstallArgs) -> anyhow::Result<PathBuf> {
    let requested = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = requested.canonicalize().map_err(|_| {
        hinted(
            format!("{} does not exist", requested.display()),
            "pass --path the project's directory inside the repository",
        )
    })?;
    if !dir.is_dir() {
        return Err(hinted(
            format!("{} is not a directory", requested.display()),
            "pass --path the project's directory inside the repository",
        ));
    }
    Ok(dir)
}

/// A `core.hooksPath` from the user's or the machine's configuration serves every repository: relgate's hooks,
/// which gate one project, do not belong there.
fn refuse_shared_hooks_path(site: &HookSite) -> anyhow::Result<()> {
    let Some(hooks_path) = &site.hooks_path else {
        return Ok(());
    };
    if hooks_path.is_repository_level() {
        return Ok(());
    }
    Err(hinted(
        format!(
            "core.hooksPath is set to {} in your {} git configuration: every repository runs its hooks from there, and relgate's hooks gate one project",
            hooks_path.value, hooks_path.scope
        ),
        "give this repository its own hooks directory (`git config core.hooksPath .git/hooks`; copy there the shared hooks it still needs) and run relgate install again, or call `relgate hook pre-push \"$@\"` from the shared pre-push hook",
    ))
}

/// The project's directory relative to the top of the working tree: the nearest directory from `start` up that
/// holds a pyproject.toml, setup.cfg or setup.py; empty for the top (also when none does).
fn project_subdir(start: &Path, root: &Path) -> String {
    let mut dir = start;
    while dir.starts_with(root) && dir != root {
        if ["pyproject.toml", "setup.cfg", "setup.py"]
            .iter()
            .any(|f| dir.join(f).is_file())
        {
            return dir
                .strip_prefix(root)
                .map(|rel| rel.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        let Some(parent) = dir.parent() else { break };
        dir = parent;
    }
    String::new()
}

/// husky (v9: `.husky/_/h`, v4-v8: `husky.sh`) regenerates its hooks directory.
fn is_husky(dir: &Path) -> bool {
    dir.join("h").is_file() || dir.join("husky.sh").is_file()
}

/// What install or uninstall did, a line each (paths and commands may come from the repository: printed as words).
fn print_lines(lines: &[String]) {
    let mut text = Text::new();
    for line in lines {
        text.line(line.as_str());
    }
    output::out(&text);
}

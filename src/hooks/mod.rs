//! The hook files in git's hooks directory: relgate's shims, the hooks they replaced, and the info/exclude
//! lines for a hooks directory inside the working tree.
//!
//! Glossary: a *shim* is relgate's hook script (see `shim`); a *chained hook* is the hook that was there
//! before, moved aside to `<hook>.relgate-chained` and run first by the shim; the *site* is the repository and
//! the hooks directory git really uses (`core.hooksPath`, the common directory for linked worktrees).
//!
//! Installing plans every hook before touching any file, so that a refusal leaves everything as it was; files
//! are replaced by rename, so git never runs a half-written hook and a restored hook keeps its bytes and mode.

pub mod caller;
pub mod shim;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::hinted;
use crate::git::HookSite;

/// The hooks relgate installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    PrePush,
    ReferenceTransaction,
}

impl Hook {
    pub const ALL: [Hook; 2] = [Hook::PrePush, Hook::ReferenceTransaction];

    pub fn name(self) -> &'static str {
        match self {
            Hook::PrePush => "pre-push",
            Hook::ReferenceTransaction => "reference-transaction",
        }
    }
}

/// The suffix of a hook relgate moved aside.
pub const CHAINED_SUFFIX: &str = ".relgate-chained";
/// pre-commit moves a hook it finds to `<hook>.legacy` and runs it first: relgate's shim may live there.
const LEGACY_SUFFIX: &str = ".legacy";
/// The comment above the lines `install` adds to info/exclude.
const EXCLUDE_COMMENT: &str = "# relgate's hooks (relgate uninstall removes these lines)";

/// What `install` does to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallAction {
    /// No hook was there: the shim is written.
    Create,
    /// A hook was there: it moves to `<hook>.relgate-chained` and runs before relgate.
    Chain,
    /// A hook was there again, identical to the one already moved aside (a hook manager wrote its file anew):
    /// the shim takes its place and the copy moved aside keeps running first.
    ReplaceCopy,
    /// relgate's shim from another version or another relgate binary: rewritten in place.
    Update,
    /// Installed exactly as it would be written now: nothing changes.
    UpToDate,
}

/// One hook's installation, decided before any file changes.
pub struct InstallPlan {
    pub hook: Hook,
    /// Where the shim goes: `<hooks>/<hook>`, or `<hook>.legacy` when pre-commit moved relgate's shim there.
    pub path: PathBuf,
    pub chained: PathBuf,
    pub action: InstallAction,
    /// Whether a hook that was there before runs first.
    pub chains: bool,
    text: String,
}

impl InstallPlan {
    /// True when pre-commit runs relgate's shim as its `<hook>.legacy`.
    pub fn via_legacy(&self) -> bool {
        self.path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(LEGACY_SUFFIX))
    }
}

/// What a shim records, besides the hook that was there before.
pub struct ShimTarget<'a> {
    pub bin: &'a Path,
    /// The project's directory relative to the top of the working tree (empty at the top).
    pub project: &'a str,
}

/// Decide how to install `hook`; nothing is written. Refuses to replace a hook that is tracked in the
/// repository (a team's shared hooks directory): the working tree is never modified.
pub fn plan_install(
    site: &HookSite,
    hook: Hook,
    target: &ShimTarget,
) -> anyhow::Result<InstallPlan> {
    let path = site.hooks_dir.join(hook.name());
    let chained = sibling(&path, CHAINED_SUFFIX);
    let legacy = sibling(&path, LEGACY_SUFFIX);
    let current = read_hook(&path)?;
    let moved_aside = read_hook(&chained)?;

    let render = |chained_bytes: Option<&[u8]>| {
        let name = format!("{}{CHAINED_SUFFIX}", hook.name());
        shim::render(
            hook,
            &shim::Values {
                bin: target.bin,
                project: target.project,
                chained: chained_bytes.map(|bytes| shim::Chained {
                    name: name.clone(),
                    shell: shim::chain_shell(bytes),
                }),
            },
        )
    };
    let plan = |path: PathBuf, action, chains, text| InstallPlan {
        hook,
        path,
        chained: chained.clone(),
        action,
        chains,
        text,
    };

    let Some(current) = current else {
        // Nothing at <hook>; a hook relgate moved aside earlier (its shim since deleted) runs first again.
        let text = render(moved_aside.as_ref().map(|f| f.bytes.as_slice()))?;
        return Ok(plan(
            path,
            InstallAction::Create,
            moved_aside.is_some(),
            text,
        ));
    };
    if current.ours {
        return update(path, &current, moved_aside.as_ref(), &render, &plan);
    }
    if let Some(legacy_file) = read_hook(&legacy)?.filter(|f| f.ours) {
        return update(legacy, &legacy_file, moved_aside.as_ref(), &render, &plan);
    }
    if let Some(aside) = &moved_aside {
        if aside.bytes == current.bytes {
            let text = render(Some(&aside.bytes))?;
            return Ok(plan(path, InstallAction::ReplaceCopy, true, text));
        }
        return Err(hinted(
            format!(
                "{} is not relgate's hook, and {} (the hook relgate moved aside before) differs from it",
                display(site, &path),
                display(site, &chained)
            ),
            format!(
                "decide which one to keep: remove or rename the other, then run relgate install again (`diff {} {}` shows the difference)",
                path.display(),
                chained.display()
            ),
        ));
    }
    if let Some(rel) = inside_worktree(site, &path) {
        if site.repo.is_tracked(&rel) {
            return Err(hinted(
                format!(
                    "{} is tracked in this repository (core.hooksPath = {}, shared through git): relgate will not replace a file of the working tree",
                    rel.display(),
                    site.hooks_path.as_ref().map_or("?", |p| p.value.as_str())
                ),
                format!(
                    "call relgate from that hook: add `relgate hook {} --path {} \"$@\"` to it (it reads the same stdin git gives the hook), or install for this clone only with `git config core.hooksPath .git/hooks` and relgate install",
                    hook.name(),
                    if target.project.is_empty() {
                        "."
                    } else {
                        target.project
                    }
                ),
            ));
        }
    }
    let text = render(Some(&current.bytes))?;
    Ok(plan(path, InstallAction::Chain, true, text))
}

fn update(
    path: PathBuf,
    current: &HookFile,
    moved_aside: Option<&HookFile>,
    render: &dyn Fn(Option<&[u8]>) -> anyhow::Result<String>,
    plan: &dyn Fn(PathBuf, InstallAction, bool, String) -> InstallPlan,
) -> anyhow::Result<InstallPlan> {
    let text = render(moved_aside.map(|f| f.bytes.as_slice()))?;
    let action = if text.as_bytes() == current.bytes.as_slice() {
        InstallAction::UpToDate
    } else {
        InstallAction::Update
    };
    Ok(plan(path, action, moved_aside.is_some(), text))
}

/// Carry out a plan.
pub fn install(plan: &InstallPlan) -> anyhow::Result<()> {
    match plan.action {
        InstallAction::UpToDate => Ok(()),
        InstallAction::Create | InstallAction::Update | InstallAction::ReplaceCopy => {
            write_executable(&plan.path, &plan.text)
        }
        InstallAction::Chain => {
            let temp = write_temp(&plan.path, &plan.text)?;
            std::fs::rename(&plan.path, &plan.chained).with_context(|| {
                let _ = std::fs::remove_file(&temp);
                format!(
                    "cannot move {} aside to {}",
                    plan.path.display(),
                    plan.chained.display()
                )
            })?;
            if let Err(err) = std::fs::rename(&temp, &plan.path) {
                // Put the user's hook back where it was before reporting the failure.
                let _ = std::fs::rename(&plan.chained, &plan.path);
                let _ = std::fs::remove_file(&temp);
                return Err(err).with_context(|| format!("cannot write {}", plan.path.display()));
            }
            Ok(())
        }
    }
}

/// What `uninstall` does to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UninstallAction {
    /// relgate's shim is removed; there was no hook before.
    Remove,
    /// relgate's shim is replaced by the hook it had moved aside, byte for byte.
    Restore,
    /// Another tool has since written its own hook there, identical to the one relgate moved aside: that copy
    /// is removed.
    RemoveCopy,
    /// Another tool has since written a different hook there: nothing is touched (the hook moved aside stays).
    LeaveConflict,
    /// relgate's hook is not installed.
    Absent,
}

pub struct UninstallPlan {
    pub hook: Hook,
    /// relgate's shim (`<hook>`, or `<hook>.legacy` under pre-commit).
    pub path: PathBuf,
    pub chained: PathBuf,
    pub action: UninstallAction,
}

pub fn plan_uninstall(site: &HookSite, hook: Hook) -> anyhow::Result<UninstallPlan> {
    let path = site.hooks_dir.join(hook.name());
    let chained = sibling(&path, CHAINED_SUFFIX);
    let legacy = sibling(&path, LEGACY_SUFFIX);
    let current = read_hook(&path)?;
    let moved_aside = read_hook(&chained)?;
    let plan = |path: PathBuf, action| UninstallPlan {
        hook,
        path,
        chained: chained.clone(),
        action,
    };
    let ours_or_restore = |path: PathBuf| {
        if moved_aside.is_some() {
            plan(path, UninstallAction::Restore)
        } else {
            plan(path, UninstallAction::Remove)
        }
    };
    match &current {
        Some(f) if f.ours => Ok(ours_or_restore(path)),
        None if moved_aside.is_some() => Ok(plan(path, UninstallAction::Restore)),
        None => Ok(plan(path, UninstallAction::Absent)),
        Some(foreign) => {
            if read_hook(&legacy)?.is_some_and(|f| f.ours) {
                return Ok(ours_or_restore(legacy));
            }
            match &moved_aside {
                Some(aside) if aside.bytes == foreign.bytes => {
                    Ok(plan(path, UninstallAction::RemoveCopy))
                }
                Some(_) => Ok(plan(path, UninstallAction::LeaveConflict)),
                None => Ok(plan(path, UninstallAction::Absent)),
            }
        }
    }
}

pub fn uninstall(plan: &UninstallPlan) -> anyhow::Result<()> {
    match plan.action {
        UninstallAction::Remove => std::fs::remove_file(&plan.path)
            .with_context(|| format!("cannot remove {}", plan.path.display())),
        // rename(2) replaces the shim in one step and keeps the hook's bytes, mode and symlink-ness.
        UninstallAction::Restore => std::fs::rename(&plan.chained, &plan.path).with_context(|| {
            format!(
                "cannot move {} back to {}",
                plan.chained.display(),
                plan.path.display()
            )
        }),
        UninstallAction::RemoveCopy => std::fs::remove_file(&plan.chained)
            .with_context(|| format!("cannot remove {}", plan.chained.display())),
        UninstallAction::LeaveConflict | UninstallAction::Absent => Ok(()),
    }
}

/// The path relative to the top of the working tree when `path` is a file of the working tree (a hooks
/// directory such as `.husky/_` or `.githooks`), not of the git directory.
pub fn inside_worktree(site: &HookSite, path: &Path) -> Option<PathBuf> {
    let resolved = resolve_dir_of(path);
    let workdir = site.repo.workdir();
    if resolved.starts_with(&site.common_dir) {
        return None;
    }
    resolved.strip_prefix(workdir).ok().map(Path::to_path_buf)
}

/// Whether the hooks directory is neither in the working tree nor in the git directory: a directory other
/// repositories may share through their own core.hooksPath.
pub fn outside_repository(site: &HookSite) -> bool {
    let dir = resolve_existing(&site.hooks_dir);
    !dir.starts_with(&site.common_dir) && !dir.starts_with(site.repo.workdir())
}

/// The info/exclude lines that keep these working-tree files out of `git status` (and out of relgate's own
/// check that the working tree is the tagged content); only for files not ignored already.
pub fn exclude_lines(site: &HookSite, paths: &[&Path]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| inside_worktree(site, p))
        .filter(|rel| !site.repo.is_ignored(rel))
        .map(|rel| exclude_line(&rel))
        .collect()
}

/// Add lines to `<common dir>/info/exclude`, under relgate's comment; returns those that were not there yet.
pub fn add_excludes(site: &HookSite, lines: &[String]) -> anyhow::Result<Vec<String>> {
    let path = site.common_dir.join("info").join("exclude");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let mut all: Vec<String> = existing.lines().map(str::to_owned).collect();
    let new: Vec<String> = lines.iter().filter(|l| !all.contains(l)).cloned().collect();
    if new.is_empty() {
        return Ok(new);
    }
    let at = match all.iter().position(|l| l == EXCLUDE_COMMENT) {
        Some(comment) => {
            comment
                + 1
                + all[comment + 1..]
                    .iter()
                    .take_while(|l| l.starts_with('/'))
                    .count()
        }
        None => {
            all.push(EXCLUDE_COMMENT.to_owned());
            all.len()
        }
    };
    all.splice(at..at, new.iter().cloned());
    std::fs::create_dir_all(path.parent().unwrap_or(&site.common_dir))
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::fs::write(&path, all.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(new)
}

/// Remove the info/exclude lines of these hook files, and relgate's comment once no line of its block is left;
/// returns the lines removed.
pub fn remove_excludes(site: &HookSite, paths: &[&Path]) -> anyhow::Result<Vec<String>> {
    let path = site.common_dir.join("info").join("exclude");
    let Ok(existing) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let ours: Vec<String> = paths
        .iter()
        .filter_map(|p| inside_worktree(site, p))
        .map(|rel| exclude_line(&rel))
        .collect();
    let mut all: Vec<&str> = existing.lines().collect();
    if !all.contains(&EXCLUDE_COMMENT) {
        return Ok(Vec::new());
    }
    let removed: Vec<String> = all
        .iter()
        .filter(|l| ours.iter().any(|o| o == *l))
        .map(|l| (*l).to_owned())
        .collect();
    if removed.is_empty() {
        return Ok(removed);
    }
    all.retain(|l| !ours.iter().any(|o| o == l));
    if let Some(comment) = all.iter().position(|l| *l == EXCLUDE_COMMENT) {
        if !all.get(comment + 1).is_some_and(|l| l.starts_with('/')) {
            all.remove(comment);
        }
    }
    let text = if all.is_empty() {
        String::new()
    } else {
        all.join("\n") + "\n"
    };
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(removed)
}

fn exclude_line(rel: &Path) -> String {
    format!("/{}", rel.to_string_lossy().replace('\\', "/"))
}

/// A path for messages: relative to the top of the working tree when inside it.
pub fn display(site: &HookSite, path: &Path) -> String {
    let resolved = resolve_dir_of(path);
    resolved.strip_prefix(site.repo.workdir()).map_or_else(
        |_| path.display().to_string(),
        |rel| rel.display().to_string(),
    )
}

/// A hook file as found: its bytes (through a symlink) and whether it is relgate's shim.
struct HookFile {
    bytes: Vec<u8>,
    ours: bool,
}

fn read_hook(path: &Path) -> anyhow::Result<Option<HookFile>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if meta.is_dir() {
        return Err(hinted(
            format!(
                "{} is a directory, where git expects a hook script",
                path.display()
            ),
            "move it out of the hooks directory, then run relgate install again",
        ));
    }
    // A dangling symlink is a hook git cannot run; it is kept (moved aside and back) like any other.
    let bytes = if meta.file_type().is_symlink() && !path.exists() {
        Vec::new()
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    let ours = !meta.file_type().is_symlink() && shim::parse_marker(&bytes).is_some();
    Ok(Some(HookFile { bytes, ours }))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn write_executable(path: &Path, text: &str) -> anyhow::Result<()> {
    let temp = write_temp(path, text)?;
    std::fs::rename(&temp, path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}", path.display())
    })
}

/// Write the shim next to its final place (same file system, so the rename is atomic), mode 0755.
fn write_temp(path: &Path, text: &str) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temp = sibling(path, &format!(".relgate-tmp-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(&temp)
        .with_context(|| format!("cannot write {}", temp.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", temp.display()))?;
    // The mode given to open(2) is masked by the umask; hooks must be executable whatever it is.
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", temp.display()))?;
    Ok(temp)
}

/// The path with its directory resolved (symlinks, `..`) and its file name kept: a hook that is a symlink is
/// where the symlink is, not where it points.
fn resolve_dir_of(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => resolve_existing(dir).join(name),
        _ => resolve_existing(path),
    }
}

/// The canonical form of a path whose last components may not exist yet.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut current = path.to_path_buf();
    loop {
        if let Ok(resolved) = current.canonicalize() {
            return missing
                .iter()
                .rev()
                .fold(resolved, |acc, part| acc.join(part));
        }
        match (current.file_name(), current.parent()) {
            (Some(name), Some(parent)) => {
                missing.push(name.to_os_string());
                current = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

//! The only writes relgate makes to a repository, all for `relgate release`, which the user asks to commit, tag
//! and push.
//!
//! The release commit is built without touching the user's index or refs: its blobs and tree are written to the
//! object database from an in-memory index, and the commit object by `git commit-tree` (which applies the
//! user's identity and `commit.gpgSign`), so that the gate runs on exactly that commit while nothing refers to
//! it. Only once the gate passed do the working tree, the index and the branch move (`git add`, `git update-ref`
//! with the old value checked), then `git tag -a` and `git push --atomic`. Never a force push.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use git2::Oid;

use super::Repo;
use crate::error::hinted;
use crate::process::{self, Ended, Spec};

/// Plumbing commands finish in well under this; a hook of the user's (`git tag` runs reference-transaction
/// hooks, which may ask the package index) gets the longer one.
const PLUMBING_TIMEOUT: Duration = Duration::from_secs(60);
const HOOKED_TIMEOUT: Duration = Duration::from_secs(300);
/// A push runs the remote's hooks and the local pre-push hook (the release gate, mostly remembered).
const PUSH_TIMEOUT: Duration = Duration::from_secs(3600);

impl Repo {
    /// The tree of commit `base` with `changes` (paths relative to the top of the repository, new bytes) written
    /// in, each keeping its file mode. Blobs and trees go to the object database; no index or ref changes.
    pub fn tree_with(&self, base: Oid, changes: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<Oid> {
        let tree = self.inner.find_commit(base)?.tree()?;
        let mut index = git2::Index::new().context("cannot create an in-memory index")?;
        index
            .read_tree(&tree)
            .context("cannot read the commit's tree")?;
        for (path, bytes) in changes {
            let mut entry = index.get_path(path, 0).ok_or_else(|| {
                anyhow::anyhow!("{} is not in the commit being released", path.display())
            })?;
            entry.id = self
                .inner
                .blob(bytes)
                .with_context(|| format!("cannot write the new {} to git", path.display()))?;
            entry.file_size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            index
                .add(&entry)
                .with_context(|| format!("cannot stage the new {}", path.display()))?;
        }
        index
            .write_tree_to(&self.inner)
            .context("cannot write the release tree")
    }

    /// The blob the user's index holds for `path` (read afresh from disk).
    pub fn index_blob(&self, path: &Path) -> Option<Oid> {
        let mut index = self.inner.index().ok()?;
        index.read(true).ok()?;
        index.get_path(path, 0).map(|e| e.id)
    }

    /// The blob at `path` in a commit.
    pub fn blob_at(&self, commit: Oid, path: &Path) -> Option<Oid> {
        let tree = self.inner.find_commit(commit).ok()?.tree().ok()?;
        tree.get_path(path).ok().map(|e| e.id())
    }
}

/// `git commit-tree`: a commit of `tree` on `parent` with the user's identity and signing settings; nothing
/// refers to it yet.
pub fn commit_tree(workdir: &Path, tree: Oid, parent: Oid, message: &str) -> anyhow::Result<Oid> {
    let out = git(
        workdir,
        &[
            "commit-tree",
            &tree.to_string(),
            "-p",
            &parent.to_string(),
            "-m",
            message,
        ],
        PLUMBING_TIMEOUT,
    )
    .map_err(|e| {
        let identity = e.to_string().contains("user.email") || e.to_string().contains("identity");
        if identity {
            hinted(
                format!("git cannot create the release commit: {e}"),
                "tell git who you are: git config user.name \"Your Name\" && git config user.email you@example.com",
            )
        } else {
            e.context("cannot create the release commit")
        }
    })?;
    Oid::from_str(out.trim())
        .with_context(|| format!("git commit-tree printed no commit id: {}", out.trim()))
}

/// `git add -- PATHS`: the index takes the working tree's new content (with git's own filters, stat data).
pub fn add(workdir: &Path, paths: &[PathBuf]) -> anyhow::Result<()> {
    let mut args: Vec<OsString> = vec!["add".into(), "--".into()];
    args.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    git_os(workdir, args, PLUMBING_TIMEOUT).map(drop)
}

/// `git update-ref -m REASON HEAD NEW OLD`: the branch HEAD is on moves to `new`, only if it is still at `old`.
pub fn advance_head(workdir: &Path, new: Oid, old: Oid, reason: &str) -> anyhow::Result<()> {
    git(
        workdir,
        &[
            "update-ref",
            "-m",
            reason,
            "HEAD",
            &new.to_string(),
            &old.to_string(),
        ],
        PLUMBING_TIMEOUT,
    )
    .map(drop)
}

/// `git tag -a NAME -m MESSAGE COMMIT` (the user's `tag.gpgSign` applies; so do the repository's hooks). Returns
/// what git and the hooks printed.
pub fn create_tag(
    workdir: &Path,
    name: &str,
    commit: Oid,
    message: &str,
) -> anyhow::Result<String> {
    git(
        workdir,
        &["tag", "-a", name, "-m", message, &commit.to_string()],
        HOOKED_TIMEOUT,
    )
}

/// `git push --atomic REMOTE REFSPEC...`, attached to the terminal: the remote's messages, the pre-push hook's
/// line and any credential prompt reach the user as they happen. Returns how git ended.
pub fn push_atomic(workdir: &Path, remote: &str, refspecs: &[String]) -> anyhow::Result<Ended> {
    let mut argv: Vec<OsString> = vec!["git".into(), "push".into(), "--atomic".into()];
    argv.push(remote.into());
    argv.extend(refspecs.iter().map(OsString::from));
    let mut spec = Spec::new(argv, workdir);
    spec.timeout = PUSH_TIMEOUT;
    process::run_attached(&spec).map_err(|e| anyhow::anyhow!("cannot run git push: {e}"))
}

fn git(workdir: &Path, args: &[&str], timeout: Duration) -> anyhow::Result<String> {
    git_os(workdir, args.iter().map(OsString::from).collect(), timeout)
}

/// Run git with `args` in `workdir`; its output, or an error carrying it.
fn git_os(workdir: &Path, arguments: Vec<OsString>, timeout: Duration) -> anyhow::Result<String> {
    let mut argv: Vec<OsString> = vec!["git".into()];
    argv.extend(arguments);
    let shown = process::display(&argv);
    let mut spec = Spec::new(argv, workdir);
    spec.timeout = timeout;
    spec.max_output = 256 * 1024;
    let finished = process::run(&spec).map_err(|e| anyhow::anyhow!("cannot run {shown}: {e}"))?;
    let text = finished.output.text;
    match finished.ended {
        Ended::Exited(0) => Ok(text),
        Ended::Interrupted => Err(crate::error::Interrupted.into()),
        Ended::Exited(code) => Err(anyhow::anyhow!(
            "{shown} exited with {code}: {}",
            text.trim()
        )),
        Ended::TimedOut => Err(anyhow::anyhow!(
            "{shown} did not finish within {} s",
            timeout.as_secs()
        )),
        Ended::Signaled(signal) => Err(anyhow::anyhow!(
            "{shown} was killed by {}",
            process::signal_name(signal)
        )),
        Ended::Cancelled => Err(anyhow::anyhow!("{shown} was stopped")),
    }
}

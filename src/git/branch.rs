//! The branch a release is made on, its upstream, and refs by name: what `relgate release` checks before it
//! writes anything.

use std::path::Path;

use anyhow::Context;
use git2::{ObjectType, Oid};

use super::Repo;

/// Where a branch is pushed and tracked: `branch.<name>.remote` and the remote branch of `branch.<name>.merge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub remote: String,
    /// The branch's name on the remote (`main`).
    pub branch: String,
}

impl Repo {
    /// The branch HEAD is on (`main`); `None` when HEAD is detached or unborn.
    pub fn current_branch(&self) -> anyhow::Result<Option<String>> {
        if self.inner.head_detached().unwrap_or(false) {
            return Ok(None);
        }
        match self.inner.head() {
            Ok(head) if head.is_branch() => Ok(head
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/heads/"))
                .map(str::to_owned)),
            Ok(_) => Ok(None),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e).context("cannot read HEAD"),
        }
    }

    /// The configured upstream of `branch`, when it is a branch of a remote (not `.`, the local repository).
    pub fn upstream(&self, branch: &str) -> Option<Upstream> {
        let config = self.inner.config().ok()?;
        let remote = config.get_string(&format!("branch.{branch}.remote")).ok()?;
        let merge = config.get_string(&format!("branch.{branch}.merge")).ok()?;
        if remote == "." || remote.contains('/') || remote.contains(':') {
            return None;
        }
        Some(Upstream {
            remote,
            branch: merge.strip_prefix("refs/heads/")?.to_owned(),
        })
    }

    /// Whether a remote of this name is configured.
    pub fn has_remote(&self, name: &str) -> bool {
        self.inner.find_remote(name).is_ok()
    }

    /// The commit a full ref name designates (`refs/remotes/origin/main`), peeled; `None` when absent.
    pub fn ref_commit(&self, name: &str) -> Option<Oid> {
        let reference = self.inner.find_reference(name).ok()?;
        reference.peel_to_commit().ok().map(|c| c.id())
    }

    /// A file's mode in a commit (`0o100644`, `0o100755`, `0o120000` for a symlink...); `None` when absent.
    pub fn file_mode(&self, commit: Oid, path: &Path) -> anyhow::Result<Option<i32>> {
        let tree = self.inner.find_commit(commit)?.tree()?;
        match tree.get_path(path) {
            Ok(entry) if entry.kind() == Some(ObjectType::Blob) => Ok(Some(entry.filemode())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

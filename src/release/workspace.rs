//! Where the checks read the released content: in place when the working tree is exactly that content, else an
//! export of the released commit (or nowhere, when `isolation = "refuse"`). Either way the project's own code
//! runs in an isolated copy of its own (`gates::Workspace::isolated`), never in the working tree.

use crate::config::Isolation;
use crate::gates::Workspace;
use crate::git::{self, CommitId};
use crate::report::{WorkspaceInfo, WorkspaceMode};

use super::{Release, Target};

/// The workspace of a run, as decided.
#[derive(Debug)]
pub struct Prepared {
    /// `None` when the file-based checks must not run (isolation refused, or none selected).
    pub workspace: Option<Workspace>,
    /// What the report says about it.
    pub info: WorkspaceInfo,
    /// The tree the checks see, when it is a commit's content (the record of passes keys on it): the tag's (or
    /// the pinned commit's) tree, or HEAD's when no tag is checked and the working tree is clean.
    pub tree: Option<CommitId>,
}

impl Prepared {
    /// No check reads the project's files: nothing is prepared.
    pub fn none(note: Option<String>) -> Prepared {
        Prepared {
            workspace: None,
            info: WorkspaceInfo {
                mode: WorkspaceMode::None,
                note,
            },
            tree: None,
        }
    }
}

impl Release {
    /// Prepare where the file-based checks of `target` run. A pinned commit (a hook gating a branch push) is
    /// checked for its own content, not the working tree's.
    pub fn workspace(&self, target: &Target) -> anyhow::Result<Prepared> {
        // What an export names in its errors (a tree git would not check out): the tag, else the commit.
        let subject = match (&target.tag, target.pinned) {
            (Some(tag), _) => format!("tag {}", tag.name),
            (None, Some(commit)) => format!("commit {}", git::short(commit)),
            (None, None) => format!("commit {}", git::short(target.head)),
        };
        let in_place = |commit: Option<CommitId>| {
            Workspace::in_place(
                self.repo.workdir(),
                &self.project_dir,
                &self.subdir,
                commit,
                &subject,
            )
        };
        let (commit, label, what_is_exported) = match (&target.tag, target.pinned) {
            (Some(tag), _) => (
                tag.commit,
                format!("tag {} is at {}", tag.name, git::short(tag.commit)),
                "the tag",
            ),
            (None, Some(commit)) => (
                commit,
                format!("the commit gated is {}", git::short(commit)),
                "that commit",
            ),
            (None, None) => {
                let tree = if self.repo.difference_from(target.head)?.is_clean() {
                    Some(self.repo.tree_of(target.head)?)
                } else {
                    None
                };
                return Ok(Prepared {
                    workspace: Some(in_place(tree.map(|_| target.head))),
                    info: WorkspaceInfo {
                        mode: WorkspaceMode::InPlace,
                        note: Some(
                            "no release tag at HEAD: the working tree was checked as it is".into(),
                        ),
                    },
                    tree,
                });
            }
        };
        let tree = self.repo.tree_of(commit)?;
        let difference = self.repo.difference_from(commit)?;
        if difference.is_clean() {
            return Ok(Prepared {
                workspace: Some(in_place(Some(commit))),
                info: WorkspaceInfo {
                    mode: WorkspaceMode::InPlace,
                    note: None,
                },
                tree: Some(tree),
            });
        }
        let what = format!("{label}; {}", difference.describe());
        match self.config.isolation.unwrap_or_default() {
            Isolation::Refuse => Ok(Prepared {
                workspace: None,
                info: WorkspaceInfo {
                    mode: WorkspaceMode::Refused,
                    note: Some(what),
                },
                tree: None,
            }),
            Isolation::Export => {
                let workspace = Workspace::exported(&self.repo, commit, &self.subdir, &subject)?;
                Ok(Prepared {
                    workspace: Some(workspace),
                    info: WorkspaceInfo {
                        mode: WorkspaceMode::Export,
                        note: Some(format!(
                            "{what}: the checks ran on an isolated export of {what_is_exported}"
                        )),
                    },
                    tree: Some(tree),
                })
            }
        }
    }
}

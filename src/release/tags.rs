//! Which release a run gates: `--tag NAME`, the tag a hook pins to the commit git is pushing or tagging, or the
//! release tags pointing at HEAD.

use crate::error::hinted;
use crate::gates::version::ReleaseTag;
use crate::git::{CommitId, TagRef};

use super::Release;

/// The release a run gates.
#[derive(Debug)]
pub struct Target {
    /// The commit whose content is gated: the tag's, the commit a hook pins, else HEAD.
    pub commit: CommitId,
    /// HEAD, or the commit a hook pins (whose history counts when no tag is checked).
    pub head: CommitId,
    /// The commit a hook pins: its content is checked, not the working tree's.
    pub pinned: Option<CommitId>,
    /// The release tag gated, when there is one.
    pub tag: Option<ReleaseTag>,
    /// The other release tags at HEAD, when no tag was named (several tags on one commit must agree).
    pub others: Vec<ReleaseTag>,
    /// Every ref under refs/tags/, listed once.
    pub all_tags: Vec<TagRef>,
}

impl Release {
    /// The release to gate: `tag` (`--tag`), on `pinned` when a hook gives the commit, else the release tags at
    /// HEAD (the newest first). A named tag that does not exist is a usage error.
    pub fn target(&self, tag: Option<&str>, pinned: Option<CommitId>) -> anyhow::Result<Target> {
        let head = match pinned {
            Some(commit) => commit,
            None => self.require_head()?,
        };
        let all_tags = self.repo.tag_refs()?;
        let (tag, others) = match tag {
            Some(name) => {
                let tag = match pinned {
                    Some(commit) => self.pinned_tag(name, commit),
                    None => self.explicit_tag(name)?,
                };
                (Some(tag), Vec::new())
            }
            None => {
                let mut at_head = self.tags_at(&all_tags, head);
                let first = (!at_head.is_empty()).then(|| at_head.remove(0));
                (first, at_head)
            }
        };
        Ok(Target {
            commit: tag.as_ref().map_or(head, |t| t.commit),
            head,
            pinned,
            tag,
            others,
            all_tags,
        })
    }

    /// `--tag NAME`, resolved to its commit; a missing tag is a usage error.
    pub fn explicit_tag(&self, name: &str) -> anyhow::Result<ReleaseTag> {
        let Some(tag) = self.repo.find_tag(name)? else {
            return Err(hinted(
                format!("there is no tag named {name:?} in this repository"),
                "list the tags with `git tag --list`, or create it first",
            ));
        };
        let Some(commit) = self.repo.tag_commit(&tag)? else {
            return Err(hinted(
                format!("tag {name:?} does not point at a commit"),
                "release tags must point at the released commit",
            ));
        };
        Ok(ReleaseTag {
            version: self.format.version_of(name),
            name: name.to_owned(),
            commit,
            exists: true,
        })
    }

    /// The release tag `name` on `commit`, whether or not the ref exists (yet) in this repository: a tag being
    /// created (reference-transaction) or pushed from another local ref (`git push origin HEAD:refs/tags/v1`).
    fn pinned_tag(&self, name: &str, commit: CommitId) -> ReleaseTag {
        // While `git tag` runs the reference-transaction hook, the tag is not (or not yet here) in the repository.
        let exists = self
            .repo
            .find_tag(name)
            .ok()
            .flatten()
            .is_some_and(|t| self.repo.tag_commit(&t).ok().flatten() == Some(commit));
        ReleaseTag {
            version: self.format.version_of(name),
            name: name.to_owned(),
            commit,
            exists,
        }
    }

    /// The release tags pointing at `commit` (including names that look like release tags but carry an
    /// invalid version, so that the version gate can refuse them), sorted newest first.
    fn tags_at(&self, all: &[TagRef], commit: CommitId) -> Vec<ReleaseTag> {
        let candidates: Vec<&TagRef> = all
            .iter()
            .filter(|t| {
                self.format.version_of(&t.name).is_some() || self.format.looks_like_release(&t.name)
            })
            .collect();
        let mut tags: Vec<ReleaseTag> = self
            .repo
            .tags_pointing_at(&candidates, commit)
            .into_iter()
            .map(|t| ReleaseTag {
                name: t.name.clone(),
                commit,
                version: self.format.version_of(&t.name),
                exists: true,
            })
            .collect();
        tags.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        tags
    }
}

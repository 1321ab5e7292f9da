//! The only git2 call site: tags, commits, trees and the state of the working tree, read-only.
//!
//! relgate never writes to the user's repository: no index refresh, no ref update, no stash. Reading status
//! with libgit2 does not rewrite the index (unlike `git status`, which may refresh its stat cache). The one
//! exception is `relgate release`, which the user asks to commit, tag and push: its writes live in [`write`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use git2::{ObjectType, Oid, Repository, StatusOptions};

use crate::error::hinted;

mod branch;
mod entry_name;
mod export;
mod ignored;
mod tag_store;
pub mod write;

pub use git2::Oid as CommitId;

/// An opened, non-bare repository.
pub struct Repo {
    inner: Repository,
    workdir: PathBuf,
}

/// A release tag candidate as stored in `refs/tags/`, before its target is peeled.
#[derive(Debug, Clone)]
pub struct TagRef {
    /// The short name, e.g. `v1.4.0`.
    pub name: String,
    /// The object the ref points at (a tag object for annotated tags).
    pub target: Oid,
    /// The commit, when the ref store already knows it (packed annotated tags) without reading objects.
    pub peeled: Option<Oid>,
}

/// A path in a commit's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeEntry {
    Missing,
    Directory,
    /// A regular file (executable or not): its blob and size.
    File {
        id: Oid,
        size: u64,
    },
    /// A symbolic link, with its target as stored.
    Link(Vec<u8>),
    /// A submodule's commit.
    Submodule,
}

/// How the working tree differs from a commit; empty means it is exactly that commit's content.
#[derive(Debug, Clone, Default)]
pub struct TreeDifference {
    /// HEAD is not at the commit (its short id), or HEAD is unborn.
    pub head_elsewhere: Option<String>,
    pub modified: Vec<String>,
    pub untracked: Vec<String>,
}

impl TreeDifference {
    pub fn is_clean(&self) -> bool {
        self.head_elsewhere.is_none() && self.modified.is_empty() && self.untracked.is_empty()
    }

    /// One line for the report, e.g. "2 tracked files modified (src/a.py, README.md)". An untracked directory
    /// is listed once with its `/` (git does not look inside it) and called a directory, not a file.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(head) = &self.head_elsewhere {
            parts.push(head.clone());
        }
        let (directories, files): (Vec<&String>, Vec<&String>) =
            self.untracked.iter().partition(|p| p.ends_with('/'));
        let modified: Vec<&String> = self.modified.iter().collect();
        for (list, (one, many), suffix) in [
            (modified, ("tracked file", "tracked files"), " modified"),
            (files, ("untracked file", "untracked files"), ""),
            (
                directories,
                ("untracked directory", "untracked directories"),
                "",
            ),
        ] {
            if !list.is_empty() {
                let shown: Vec<&str> = list.iter().take(3).map(|s| s.as_str()).collect();
                let more = if list.len() > 3 { ", ..." } else { "" };
                let noun = if list.len() == 1 { one } else { many };
                parts.push(format!(
                    "{} {noun}{suffix} ({}{more})",
                    list.len(),
                    shown.join(", ")
                ));
            }
        }
        parts.join("; ")
    }
}

impl Repo {
    /// Open the repository containing `path`.
    pub fn discover(path: &Path) -> anyhow::Result<Repo> {
        let inner = discover(path)?;
        let Some(workdir) = inner.workdir().map(Path::to_path_buf) else {
            return Err(hinted(
                format!(
                    "{} is a bare repository: there is no working tree to check",
                    inner.path().display()
                ),
                "run relgate in a clone with a working tree",
            ));
        };
        Ok(Repo { inner, workdir })
    }

    /// The top of the working tree.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The common git directory (shared by linked worktrees): where hooks and the record of passes live.
    pub fn common_dir(&self) -> &Path {
        self.inner.commondir()
    }

    /// The commit HEAD points at; `None` in a repository without commits.
    pub fn head(&self) -> anyhow::Result<Option<Oid>> {
        match self.inner.head() {
            Ok(head) => Ok(Some(
                head.peel_to_commit()
                    .context("HEAD does not point at a commit")?
                    .id(),
            )),
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

    /// Every ref under `refs/tags/`, cheaply: no object is read.
    pub fn tag_refs(&self) -> anyhow::Result<Vec<TagRef>> {
        if let Some(tags) = tag_store::read(self.common_dir()) {
            return Ok(tags);
        }
        self.tag_refs_through_libgit2()
    }

    /// What [`tag_store`] leaves to libgit2: the same list, read by libgit2's ref database.
    fn tag_refs_through_libgit2(&self) -> anyhow::Result<Vec<TagRef>> {
        let mut tags = Vec::new();
        for reference in self
            .inner
            .references_glob("refs/tags/*")
            .context("cannot list tags")?
        {
            let Ok(reference) = reference else { continue };
            let Some(name) = reference
                .name()
                .ok()
                .and_then(|n| n.strip_prefix("refs/tags/"))
            else {
                continue;
            };
            let Some(target) = reference.target() else {
                continue;
            };
            tags.push(TagRef {
                name: name.to_owned(),
                target,
                peeled: reference.target_peel(),
            });
        }
        Ok(tags)
    }

    /// The tag named `name`, or `None`; a name git would refuse is a usage error.
    pub fn find_tag(&self, name: &str) -> anyhow::Result<Option<TagRef>> {
        let full = format!("refs/tags/{name}");
        if !git2::Reference::is_valid_name(&full) {
            return Err(hinted(
                format!("{name:?} is not a valid tag name"),
                "pass the tag's name as `git tag --list` shows it",
            ));
        }
        match self.inner.find_reference(&full) {
            Ok(reference) => Ok(reference.target().map(|target| TagRef {
                name: name.to_owned(),
                target,
                peeled: reference.target_peel(),
            })),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read tag {name}")),
        }
    }

    /// The commit a tag ref designates (peeling annotated tags), or `None` when it is not a commit.
    pub fn tag_commit(&self, tag: &TagRef) -> anyhow::Result<Option<Oid>> {
        if let Some(peeled) = tag.peeled {
            return Ok(Some(peeled));
        }
        self.peel_to_commit(tag.target)
    }

    /// Peel any object id to a commit (through annotated tags); `None` for trees and blobs.
    pub fn peel_to_commit(&self, id: Oid) -> anyhow::Result<Option<Oid>> {
        // The object's header is enough to recognise a commit (every lightweight tag) without inflating it.
        let header = self.inner.odb().and_then(|odb| odb.read_header(id));
        if matches!(header, Ok((_, ObjectType::Commit))) {
            return Ok(Some(id));
        }
        let object = self
            .inner
            .find_object(id, None)
            .with_context(|| format!("cannot read object {id}"))?;
        match object.kind() {
            Some(ObjectType::Commit) => Ok(Some(id)),
            Some(ObjectType::Tag) => Ok(object.peel(ObjectType::Commit).ok().map(|c| c.id())),
            _ => Ok(None),
        }
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: Oid, commit: Oid) -> bool {
        ancestor == commit
            || self
                .inner
                .graph_descendant_of(commit, ancestor)
                .unwrap_or(false)
    }

    /// Every commit in `commit`'s history, itself included: one walk, to answer many "is it an ancestor?"
    /// questions at once (each `is_ancestor` may walk the whole history).
    pub fn history(&self, commit: Oid) -> anyhow::Result<HashSet<Oid>> {
        let mut walk = self.inner.revwalk().context("cannot walk the history")?;
        walk.push(commit)
            .with_context(|| format!("cannot walk the history of {commit}"))?;
        walk.map(|id| id.context("cannot walk the history"))
            .collect()
    }

    /// Where `commit`'s history is cut off, in a shallow clone (`git clone --depth`, actions/checkout's default):
    /// the first boundary commit found that is `commit` or an ancestor of it; `None` when its history is whole.
    /// Beyond the boundary, commits and their release tags are missing, so "no older release tag in the history"
    /// proves nothing there.
    pub fn history_cut(&self, commit: Oid) -> Option<Oid> {
        if !self.inner.is_shallow() {
            return None;
        }
        // git's list of boundary commits (gitformat-shallow(5)); unreadable, the whole history is suspect.
        let listed = std::fs::read_to_string(self.common_dir().join("shallow")).unwrap_or_default();
        let boundaries: Vec<Oid> = listed
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect();
        if boundaries.is_empty() {
            return Some(commit);
        }
        boundaries
            .into_iter()
            .find(|&boundary| self.is_ancestor(boundary, commit))
    }

    /// The tree of a commit (its content's identity, used to key the record of passes).
    pub fn tree_of(&self, commit: Oid) -> anyhow::Result<Oid> {
        Ok(self.inner.find_commit(commit)?.tree_id())
    }

    /// What a path is in a commit's tree, without reading a blob's content: for bounded reads (`crate::files`).
    /// Every tree on the way is held to git's checkout rules ([`export::verify_entries`]): a crafted tree is an
    /// error.
    pub fn tree_entry(&self, commit: Oid, path: &Path) -> anyhow::Result<TreeEntry> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(TreeEntry::Missing);
        };
        let Some(tree) = self.verified_subtree(commit, dir)? else {
            return Ok(TreeEntry::Missing);
        };
        let Some(entry) = export::find(&tree, name.as_encoded_bytes()) else {
            return Ok(TreeEntry::Missing);
        };
        Ok(match entry.kind() {
            Some(ObjectType::Tree) => TreeEntry::Directory,
            Some(ObjectType::Blob) if entry.filemode() == 0o120_000 => {
                TreeEntry::Link(self.inner.find_blob(entry.id())?.content().to_vec())
            }
            Some(ObjectType::Blob) => {
                let (size, _) = self.inner.odb()?.read_header(entry.id())?;
                TreeEntry::File {
                    id: entry.id(),
                    size: u64::try_from(size).unwrap_or(u64::MAX),
                }
            }
            _ => TreeEntry::Submodule,
        })
    }

    /// A blob's content (its size known from [`Repo::tree_entry`]).
    pub fn blob(&self, id: Oid) -> anyhow::Result<Vec<u8>> {
        Ok(self.inner.find_blob(id)?.content().to_vec())
    }

    /// The entries of a directory in a commit (names, with `true` for directories); `None` when absent. The
    /// trees are held to git's checkout rules, as for [`Repo::tree_entry`].
    pub fn list_dir(&self, commit: Oid, dir: &Path) -> anyhow::Result<Option<Vec<(String, bool)>>> {
        let Some(tree) = self.verified_subtree(commit, dir)? else {
            return Ok(None);
        };
        Ok(Some(
            tree.iter()
                .filter_map(|e| {
                    let name = e.name().ok()?.to_owned();
                    Some((name, e.kind() == Some(ObjectType::Tree)))
                })
                .collect(),
        ))
    }

    fn verified_subtree(&self, commit: Oid, dir: &Path) -> anyhow::Result<Option<git2::Tree<'_>>> {
        let root = self.inner.find_commit(commit)?.tree()?;
        export::subtree(&self.inner, root, dir)
            .map_err(|e| refuse_tree(e, &format!("commit {}", short(commit)), "read"))
    }

    /// The files (and symlinks) of `commit`'s tree under `dir`, as `/`-separated paths relative to `dir`: what
    /// the commit releases, however deep and whatever the directory names. The whole tree is held to git's
    /// checkout rules first: a name holding `/` or `..` would make a path that is not the file's.
    pub fn files_at(&self, commit: Oid, dir: &Path) -> anyhow::Result<Vec<String>> {
        let root = self.inner.find_commit(commit)?.tree()?;
        export::verify_tree(&self.inner, &root)
            .map_err(|e| refuse_tree(e, &format!("commit {}", short(commit)), "read"))?;
        let prefix = slash_prefix(dir);
        let mut out = Vec::new();
        root.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                if let Ok(name) = entry.name() {
                    let path = format!("{parent}{name}");
                    if let Some(rel) = path.strip_prefix(&prefix) {
                        out.push(rel.to_owned());
                    }
                }
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// The working tree's files under `dir` as git sees them (tracked files that exist, and untracked files that
    /// are not ignored), relative to `dir`: for a working tree checked as it is, with no commit to list.
    pub fn working_files(&self, dir: &Path) -> anyhow::Result<Vec<String>> {
        let prefix = slash_prefix(dir);
        let mut out: Vec<String> = Vec::new();
        let index = self.inner.index().context("cannot read the index")?;
        for entry in index.iter() {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            if self.workdir.join(&path).symlink_metadata().is_ok() {
                out.extend(path.strip_prefix(&prefix).map(str::to_owned));
            }
        }
        let statuses = self.statuses(true)?;
        for entry in statuses.iter().filter(|e| e.status().is_wt_new()) {
            if let Ok(path) = entry.path() {
                out.extend(path.strip_prefix(&prefix).map(str::to_owned));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// How the working tree differs from `commit`: HEAD elsewhere, tracked changes (staged or not), untracked
    /// files that are not ignored.
    pub fn difference_from(&self, commit: Oid) -> anyhow::Result<TreeDifference> {
        let mut diff = TreeDifference::default();
        match self.head()? {
            Some(head) if head == commit => {}
            Some(head) => {
                diff.head_elsewhere = Some(format!("HEAD is at {}", short(head)));
            }
            None => diff.head_elsewhere = Some("HEAD has no commit".into()),
        }
        let statuses = self.statuses(false)?;
        for entry in statuses.iter() {
            let path = entry.path().unwrap_or("?").to_owned();
            if entry.status().is_wt_new() {
                diff.untracked.push(path);
            } else {
                diff.modified.push(path);
            }
        }
        Ok(diff)
    }

    /// The working tree's changes and untracked files (not ignored ones), without refreshing the index;
    /// `recurse`: list the files inside untracked directories rather than the directories.
    fn statuses(&self, recurse: bool) -> anyhow::Result<git2::Statuses<'_>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(recurse)
            .include_ignored(false)
            .exclude_submodules(true)
            .update_index(false);
        self.inner
            .statuses(Some(&mut opts))
            .context("cannot read the working tree's status")
    }

    /// Write the content of `commit` into `dest` (an empty directory): regular files, executables and symlinks.
    /// Submodules are left out (their content is not in this repository). A tree that git would refuse to check
    /// out (an entry `..`, a `.git`, a name twice...) is refused before anything is written, naming `subject`
    /// (`tag v1.4.0`); no symlink is ever followed (see [`export`]).
    pub fn export(&self, commit: Oid, dest: &Path, subject: &str) -> anyhow::Result<()> {
        let tree = self.inner.find_commit(commit)?.tree()?;
        export::export(&self.inner, &tree, dest).map_err(|e| refuse_tree(e, subject, "export"))
    }

    /// Make `dest` (a copy of `commit`'s files) a throwaway repository whose HEAD is `commit` and whose tags are
    /// this repository's, borrowing the objects through `objects/info/alternates`: tools that derive a version
    /// from git (setuptools-scm) read the history there, and nothing of this repository is written.
    ///
    /// `release` is the version being released: when no tag at `commit` names it yet (`relgate release` gates
    /// the commit before it creates the tag), the scratch repository gets a tag of that name at `commit`, so
    /// that the plugin derives the release's version, as it will once the tag exists.
    pub fn scratch_repo(
        &self,
        commit: Oid,
        dest: &Path,
        release: Option<&str>,
    ) -> anyhow::Result<()> {
        let scratch = Repository::init(dest)
            .with_context(|| format!("cannot create a repository in {}", dest.display()))?;
        let info = scratch.path().join("objects").join("info");
        std::fs::create_dir_all(&info)?;
        let objects = self.inner.commondir().join("objects");
        std::fs::write(info.join("alternates"), format!("{}\n", objects.display()))?;
        // The tags go into one packed-refs file: 100,000 of them written one ref at a time would cost seconds.
        // No `peeled` trait is declared, so git and libgit2 peel annotated tags themselves.
        let mut tags = self.tag_refs()?;
        if let Some(version) = release {
            let named = |t: &&TagRef| t.name.contains(version);
            let at_commit: Vec<&TagRef> = tags.iter().filter(named).collect();
            let tagged = !self.tags_pointing_at(&at_commit, commit).is_empty();
            if !tagged && !tags.iter().any(|t| t.name == version) {
                tags.push(TagRef {
                    name: version.to_owned(),
                    target: commit,
                    peeled: None,
                });
            }
        }
        tags.sort_by(|a, b| a.name.cmp(&b.name));
        let mut packed = String::from("# pack-refs with: sorted \n");
        for tag in &tags {
            packed.push_str(&tag.target.to_string());
            packed.push_str(" refs/tags/");
            packed.push_str(&tag.name);
            packed.push('\n');
        }
        std::fs::write(scratch.path().join("packed-refs"), packed)?;
        let scratch = Repository::open(dest)?;
        scratch.set_head_detached(commit)?;
        let tree = scratch.find_commit(commit)?.tree()?;
        let mut index = scratch.index()?;
        index.read_tree(&tree)?;
        index.write()?;
        Ok(())
    }

    /// The URL of a remote (`origin`), as configured; `None` when there is no such remote.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        self.inner
            .find_remote(name)
            .ok()?
            .url()
            .ok()
            .map(str::to_owned)
    }
}

/// The repository containing `path`, with the errors a user can act on spelled out.
fn discover(path: &Path) -> anyhow::Result<Repository> {
    Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => hinted(
            format!("{} is not inside a git repository", path.display()),
            "run relgate inside the project's git repository, or pass --path DIR",
        ),
        // git's own `safe.directory` rule (CVE-2022-24765), which libgit2 applies as git does.
        git2::ErrorCode::Owner => hinted(
            format!(
                "git refuses to open the repository at {}: it is owned by another user",
                path.display()
            ),
            "if you trust it, mark it safe as git says: git config --global --add safe.directory <repository path>",
        ),
        // Git 2.45's reftable ref store (`git init --ref-format=reftable`), which libgit2 cannot read yet.
        _ if e.message().contains("extensions.refstorage") => hinted(
            format!(
                "cannot open the git repository at {}: it stores its refs in the reftable format, which relgate \
                 cannot read yet",
                path.display()
            ),
            "convert it to git's files format (git 2.46 or later): git refs migrate --ref-format=files",
        ),
        _ => anyhow::Error::new(e).context(format!(
            "cannot open the git repository at {}",
            path.display()
        )),
    })
}

/// An export or read error for the user: a crafted tree says what it holds, where, and what to do.
fn refuse_tree(err: export::ExportError, subject: &str, doing: &str) -> anyhow::Error {
    match err {
        export::ExportError::Unsafe(unsafe_tree) => {
            let delete = subject
                .strip_prefix("tag ")
                .map_or_else(String::new, |tag| format!(": delete it (git tag -d {tag})"));
            hinted(
                format!("refusing {subject}: {unsafe_tree}"),
                format!(
                    "git itself refuses to check out such a tree (`git fsck` reports it), so it was crafted, not \
                     committed: do not release {subject}{delete}, and release a commit made by git"
                ),
            )
        }
        other => anyhow::Error::new(other).context(format!("cannot {doing} {subject}")),
    }
}

/// `dir/` for a prefix match on `/`-separated paths (empty for the root).
fn slash_prefix(dir: &Path) -> String {
    let dir = dir.to_string_lossy().replace('\\', "/");
    let dir = dir.trim_matches('/');
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// The 7-character abbreviation used in messages.
pub fn short(id: Oid) -> String {
    let mut s = id.to_string();
    s.truncate(7);
    s
}

/// A content hash in git's own form (the id `bytes` would have as a blob): the record of passes keys on it, so
/// relgate needs no other hash function.
pub fn hash_bytes(bytes: &[u8]) -> Option<String> {
    Oid::hash_object(ObjectType::Blob, bytes)
        .ok()
        .map(|id| id.to_string())
}

/// Parse a full hexadecimal object id from a hook's stdin (an abbreviation is no id there).
pub fn parse_id(hex: &str) -> Option<Oid> {
    tag_store::full_id(hex)
}

impl Repo {
    /// The tags among `tags` that designate `commit`. Loose annotated tags are read one object each: thousands
    /// of them (a fetched history not yet packed by `git gc`) are shared out among the cores, each with its own
    /// handle on the repository (a libgit2 repository is not shared between threads).
    pub fn tags_pointing_at<'t>(&self, tags: &[&'t TagRef], commit: Oid) -> Vec<&'t TagRef> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let unpeeled = tags.iter().filter(|t| t.peeled.is_none()).count();
        if threads == 1 || unpeeled < 4096 {
            return tags
                .iter()
                .copied()
                .filter(|t| points_at(&self.inner, t, commit))
                .collect();
        }
        let path = self.inner.path();
        let parts: Vec<&[&TagRef]> = tags.chunks(tags.len().div_ceil(threads)).collect();
        let answers: Vec<Option<Vec<&TagRef>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = parts
                .iter()
                .map(|part| {
                    scope.spawn(move || {
                        let repo = Repository::open(path).ok()?;
                        Some(
                            part.iter()
                                .copied()
                                .filter(|t| points_at(&repo, t, commit))
                                .collect::<Vec<_>>(),
                        )
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().ok().flatten())
                .collect()
        });
        // A part whose thread could not open the repository is answered here, on this handle.
        parts
            .iter()
            .zip(answers)
            .flat_map(|(part, answer)| {
                answer.unwrap_or_else(|| {
                    part.iter()
                        .copied()
                        .filter(|t| points_at(&self.inner, t, commit))
                        .collect()
                })
            })
            .collect()
    }
}

/// Whether a tag designates `commit`, reading an object only for loose annotated tags.
fn points_at(repo: &Repository, tag: &TagRef, commit: Oid) -> bool {
    if tag.target == commit || tag.peeled == Some(commit) {
        return true;
    }
    if tag.peeled.is_some() {
        return false;
    }
    // A loose ref: only an annotated tag object can still lead to the commit. Its header says so without
    // inflating it (most tags are lightweight), and its first lines name its target without reading that.
    let Ok(odb) = repo.odb() else {
        return false;
    };
    if !odb
        .read_header(tag.target)
        .is_ok_and(|(_, kind)| kind == ObjectType::Tag)
    {
        return false;
    }
    let Ok(object) = odb.read(tag.target) else {
        return false;
    };
    match tag_object_target(object.data()) {
        Some((target, "commit")) => target == commit,
        // A tag of a tag: rare enough to peel the slow way.
        Some(_) | None => repo
            .find_object(tag.target, None)
            .and_then(|o| o.peel(ObjectType::Commit))
            .is_ok_and(|c| c.id() == commit),
    }
}

/// The `object` and `type` header lines of an annotated tag object (`object <id>\ntype commit\n...`).
fn tag_object_target(data: &[u8]) -> Option<(Oid, &str)> {
    let mut lines = data.split(|&b| b == b'\n');
    let object = std::str::from_utf8(lines.next()?)
        .ok()?
        .strip_prefix("object ")?;
    let kind = std::str::from_utf8(lines.next()?)
        .ok()?
        .strip_prefix("type ")?;
    Some((Oid::from_str(object).ok()?, kind))
}

/// Where git runs a repository's hooks (githooks(5)): `core.hooksPath` when set, else `hooks/` in the common
/// git directory, which linked worktrees share.
pub struct HookSite {
    pub repo: Repo,
    /// The common git directory (`.git` of the main worktree), canonical.
    pub common_dir: PathBuf,
    /// The directory git takes hooks from, absolute.
    pub hooks_dir: PathBuf,
    /// `core.hooksPath`, when set.
    pub hooks_path: Option<HooksPath>,
}

/// `core.hooksPath` as configured.
pub struct HooksPath {
    /// The value as written in the configuration.
    pub value: String,
    /// Which configuration file sets it: `local`, `worktree`, `global`, `xdg`, `system`...
    pub scope: &'static str,
}

impl HooksPath {
    /// Set for this repository alone (its own `.git/config`), not for every repository of the user or machine.
    pub fn is_repository_level(&self) -> bool {
        matches!(self.scope, "local" | "worktree" | "command line")
    }
}

/// The hooks directory of the repository containing `path`. A bare repository is refused: nobody tags or pushes
/// a release from one.
pub fn hook_site(path: &Path) -> anyhow::Result<HookSite> {
    let inner = discover(path)?;
    let Some(workdir) = inner.workdir().map(Path::to_path_buf) else {
        return Err(hinted(
            format!(
                "{} is a bare repository: release tags are made and pushed from a clone with a working tree",
                inner.path().display()
            ),
            "run relgate install in the clone you release from",
        ));
    };
    let workdir = workdir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", workdir.display()))?;
    let common_dir = inner
        .commondir()
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", inner.commondir().display()))?;
    let config = inner
        .config()
        .context("cannot read the repository's git configuration")?;
    let hooks_path = match config.get_entry("core.hooksPath") {
        Ok(entry) => entry.value().ok().map(|value| HooksPath {
            value: value.to_owned(),
            scope: scope_name(entry.level()),
        }),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(e) => return Err(anyhow::Error::new(e).context("cannot read core.hooksPath")),
    };
    // A relative core.hooksPath is relative to where hooks run: the top of the working tree (githooks(5)).
    let hooks_dir = match &hooks_path {
        Some(p) if !p.value.is_empty() => {
            let expanded = match p.value.strip_prefix("~/") {
                Some(rest) => std::env::var_os("HOME").map_or_else(
                    || PathBuf::from(&p.value),
                    |home| Path::new(&home).join(rest),
                ),
                None => PathBuf::from(&p.value),
            };
            workdir.join(expanded)
        }
        _ => common_dir.join("hooks"),
    };
    Ok(HookSite {
        repo: Repo { inner, workdir },
        common_dir,
        hooks_dir,
        hooks_path,
    })
}

fn scope_name(level: git2::ConfigLevel) -> &'static str {
    match level {
        git2::ConfigLevel::ProgramData | git2::ConfigLevel::System => "system",
        git2::ConfigLevel::XDG => "xdg",
        git2::ConfigLevel::Global => "global",
        git2::ConfigLevel::Local => "local",
        git2::ConfigLevel::Worktree => "worktree",
        git2::ConfigLevel::App => "command line",
        git2::ConfigLevel::Highest => "highest",
    }
}

impl Repo {
    /// Whether a path (relative to the top of the working tree) is in the index.
    pub fn is_tracked(&self, rel: &Path) -> bool {
        self.inner
            .index()
            .is_ok_and(|index| index.get_path(rel, 0).is_some())
    }

    /// Whether a path (relative to the top of the working tree) is ignored by .gitignore or info/exclude.
    pub fn is_ignored(&self, rel: &Path) -> bool {
        self.inner.is_path_ignored(rel).unwrap_or(false)
    }

    /// A string from the repository's configuration (all levels), e.g. `alias.t`.
    pub fn config_string(&self, name: &str) -> Option<String> {
        self.inner.config().ok()?.get_string(name).ok()
    }
}

/// The git command line, for unit tests that build real repositories (an isolated identity and configuration).
#[cfg(test)]
pub fn test_git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.invalid"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::io::Write;
    use std::process::{Command, Stdio};

    use super::{Oid, Repo, TreeDifference, test_git as git};

    /// A scratch repository for a release whose tag does not exist yet gets a tag of the version at the commit
    /// (what `git describe` and setuptools-scm read); one whose tag exists gets nothing more.
    #[test]
    fn the_scratch_repository_carries_the_release_being_gated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"]);
        git(&path, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(&path, &["tag", "-a", "v0.1.0", "-m", "v0.1.0"]);
        git(&path, &["commit", "-q", "--allow-empty", "-m", "two"]);
        let head = Oid::from_str(&git(&path, &["rev-parse", "HEAD"])).unwrap();
        let repo = Repo::discover(&path).unwrap();
        let scratch = dir.path().join("scratch");
        repo.scratch_repo(head, &scratch, Some("0.2.0")).unwrap();
        assert_eq!(git(&scratch, &["describe", "--tags"]), "0.2.0");
        git(&path, &["tag", "v0.2.0"]);
        let again = dir.path().join("again");
        repo.scratch_repo(head, &again, Some("0.2.0")).unwrap();
        assert_eq!(git(&again, &["tag", "--list"]), "v0.1.0\nv0.2.0");
    }

    /// Thousands of loose annotated tags (shared out among threads): exactly the ones at the commit are found,
    /// as one thread finds them.
    #[test]
    fn an_untracked_directory_is_not_called_a_file() {
        let diff = TreeDifference {
            head_elsewhere: None,
            modified: vec!["README.md".into()],
            untracked: vec!["build/".into(), "notes.txt".into(), "dist/".into()],
        };
        assert_eq!(
            diff.describe(),
            "1 tracked file modified (README.md); 1 untracked file (notes.txt); 2 untracked directories (build/, dist/)"
        );
    }

    #[test]
    fn finds_the_loose_annotated_tags_at_a_commit_among_thousands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        git(path, &["commit", "-q", "--allow-empty", "-m", "old"]);
        let old = git(path, &["rev-parse", "HEAD"]);
        git(path, &["commit", "-q", "--allow-empty", "-m", "new"]);
        let head = git(path, &["rev-parse", "HEAD"]);
        let mut stream = String::new();
        for n in 0..5000 {
            // Two tags at HEAD, among the first and the last part of the list.
            let at = if n == 7 || n == 4990 { &head } else { &old };
            writeln!(
                stream,
                "tag v0.{n}.0\nfrom {at}\ntagger T <t@example.invalid> 0 +0000\ndata 3\nrel"
            )
            .unwrap();
        }
        let mut import = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(path)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        import
            .stdin
            .take()
            .unwrap()
            .write_all(stream.as_bytes())
            .unwrap();
        assert!(import.wait().unwrap().success());

        let repo = Repo::discover(path).unwrap();
        let tags = repo.tag_refs().unwrap();
        assert_eq!(tags.len(), 5000);
        assert!(
            tags.iter().all(|t| t.peeled.is_none()),
            "loose: nothing peeled"
        );
        let all: Vec<_> = tags.iter().collect();
        let head = Oid::from_str(&head).unwrap();
        let mut found: Vec<&str> = repo
            .tags_pointing_at(&all, head)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        found.sort_unstable();
        assert_eq!(found, ["v0.4990.0", "v0.7.0"]);
        let one_by_one = all
            .iter()
            .filter(|t| super::points_at(&repo.inner, t, head))
            .count();
        assert_eq!(one_by_one, 2);
    }
}

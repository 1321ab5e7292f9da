//! Writing a commit's tree into a directory (the isolated export), and reading trees by path, both under git's
//! checkout rules (see [`super::entry_name`]) so that a crafted tree cannot write outside the directory.
//!
//! The whole tree is verified before the first file is written. Entries are then created relative to an open
//! directory handle (`openat`, `mkdirat`, `symlinkat`), never by path from the root: a directory is opened
//! with `O_NOFOLLOW`, a file is created with `O_EXCL`, so no symlink of the tree is ever followed and nothing
//! that already exists is written through.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::{Component, Path};

use git2::{ObjectType, Oid, Repository, Tree, TreeEntry};
use rustix::fs::{CWD, Mode, OFlags};

use super::entry_name::{self, Refusal};

/// How far a tree may reach: bounds on what a crafted tree can make relgate write.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Nested directories; deeper than any real project, while a crafted tree may nest without end.
    depth: usize,
    /// Entries, each repetition of a subtree counted: a tree may list one subtree many times over (a "tree
    /// bomb" of a few kilobytes that expands to billions of files), while the largest real repositories hold a
    /// few hundred thousand files.
    entries: usize,
}

const LIMITS: Limits = Limits {
    depth: 2048,
    entries: 2_000_000,
};

/// A tree relgate will not check out: the path of the offending entry and why.
#[derive(Debug, thiserror::Error)]
#[error("its tree holds {why} at {path:?}")]
pub struct UnsafeTree {
    /// `/`-separated, from the top of the tree (lossy for names that are not UTF-8).
    pub path: String,
    pub why: &'static str,
}

impl UnsafeTree {
    fn at(dir: &[Vec<u8>], name: &[u8], why: &'static str) -> UnsafeTree {
        let mut parts: Vec<String> = dir
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        parts.push(String::from_utf8_lossy(name).into_owned());
        UnsafeTree {
            path: parts.join("/"),
            why,
        }
    }
}

/// Why writing failed: the tree is unsafe, or the file system said no.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Unsafe(#[from] UnsafeTree),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// Verify every entry of `tree`, then write it into `dest` (an existing, empty directory).
pub fn export(repo: &Repository, tree: &Tree, dest: &Path) -> Result<(), ExportError> {
    verify_tree(repo, tree)?;
    write_all(repo, tree, dest)
}

/// Every entry of `tree`, at every depth, against git's checkout rules.
pub fn verify_tree(repo: &Repository, tree: &Tree) -> Result<(), ExportError> {
    verify_all(repo, tree, LIMITS)
}

/// Every entry, at every depth, against git's checkout rules and within `limits`.
fn verify_all(repo: &Repository, tree: &Tree, limits: Limits) -> Result<(), ExportError> {
    let mut pending: Vec<(Oid, Vec<Vec<u8>>)> = vec![(tree.id(), Vec::new())];
    let mut seen_entries = 0usize;
    while let Some((id, dir)) = pending.pop() {
        let tree = repo.find_tree(id)?;
        verify_entries(&tree, &dir)?;
        seen_entries += tree.len();
        if seen_entries > limits.entries {
            return Err(UnsafeTree {
                path: String::from_utf8_lossy(&dir.join(&b'/')).into_owned(),
                why: "more entries than any real project holds (each repetition of a subtree counted)",
            }
            .into());
        }
        for entry in &tree {
            if entry.kind() == Some(ObjectType::Tree) {
                if dir.len() >= limits.depth {
                    return Err(UnsafeTree::at(
                        &dir,
                        entry.name_bytes(),
                        "directories nested deeper than any real project's",
                    )
                    .into());
                }
                let mut sub = dir.clone();
                sub.push(entry.name_bytes().to_vec());
                pending.push((entry.id(), sub));
            }
        }
    }
    Ok(())
}

/// The entries of one tree (not its subtrees): names git would check out, none twice.
pub fn verify_entries(tree: &Tree, dir: &[Vec<u8>]) -> Result<(), UnsafeTree> {
    let mut names: HashSet<Vec<u8>> = HashSet::with_capacity(tree.len());
    for entry in tree {
        let name = entry.name_bytes();
        let symlink = is_symlink(&entry);
        entry_name::verify(name, symlink)
            .map_err(|refusal| UnsafeTree::at(dir, name, refusal.describe()))?;
        if !names.insert(name.to_vec()) {
            return Err(UnsafeTree::at(dir, name, Refusal::Duplicate.describe()));
        }
    }
    Ok(())
}

/// The tree at `dir` (relative, `..`-free) inside `root`, verifying each tree on the way; `None` when a
/// component is missing or not a directory.
pub fn subtree<'r>(
    repo: &'r Repository,
    root: Tree<'r>,
    dir: &Path,
) -> Result<Option<Tree<'r>>, ExportError> {
    let mut tree = root;
    let mut walked: Vec<Vec<u8>> = Vec::new();
    verify_entries(&tree, &walked)?;
    for component in dir.components() {
        let Component::Normal(name) = component else {
            return Ok(None);
        };
        let name = name.as_encoded_bytes();
        let id = match find(&tree, name) {
            Some(entry) if entry.kind() == Some(ObjectType::Tree) => entry.id(),
            _ => return Ok(None),
        };
        let next = repo.find_tree(id)?;
        walked.push(name.to_vec());
        verify_entries(&next, &walked)?;
        tree = next;
    }
    Ok(Some(tree))
}

/// The entry named `name` (exact bytes) of a verified tree, in which names are unique.
pub fn find<'t>(tree: &'t Tree, name: &[u8]) -> Option<TreeEntry<'t>> {
    tree.iter().find(|e| e.name_bytes() == name)
}

fn is_symlink(entry: &TreeEntry) -> bool {
    entry.filemode() == 0o120_000
}

/// Write a verified tree. Directories are created and entered one handle at a time, without following links.
fn write_all(repo: &Repository, tree: &Tree, dest: &Path) -> Result<(), ExportError> {
    let io = |path: &str| {
        let path = path.to_owned();
        move |e: std::io::Error| ExportError::Io { path, source: e }
    };
    let root = rustix::fs::openat(CWD, dest, dir_flags(), Mode::empty())
        .map_err(|e| io(&dest.display().to_string())(e.into()))?;
    let mut pending: Vec<(Oid, Vec<Vec<u8>>)> = vec![(tree.id(), Vec::new())];
    while let Some((id, dir)) = pending.pop() {
        let shown_dir = String::from_utf8_lossy(&dir.join(&b'/')).into_owned();
        let handle = open_dir(&root, &dir).map_err(io(&shown_dir))?;
        let tree = repo.find_tree(id)?;
        for entry in &tree {
            let name = entry.name_bytes();
            let shown = if shown_dir.is_empty() {
                String::from_utf8_lossy(name).into_owned()
            } else {
                format!("{shown_dir}/{}", String::from_utf8_lossy(name))
            };
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    rustix::fs::mkdirat(&handle, name, Mode::from_raw_mode(0o777))
                        .map_err(|e| io(&shown)(e.into()))?;
                    let mut sub = dir.clone();
                    sub.push(name.to_vec());
                    pending.push((entry.id(), sub));
                }
                Some(ObjectType::Blob) => {
                    let blob = repo.find_blob(entry.id())?;
                    write_blob(&handle, name, entry.filemode(), blob.content())
                        .map_err(io(&shown))?;
                }
                // A submodule's content is not in this repository.
                _ => {}
            }
        }
    }
    Ok(())
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Open `dir` below `root` one component at a time, refusing symlinks at every step.
fn open_dir(root: &OwnedFd, dir: &[Vec<u8>]) -> std::io::Result<OwnedFd> {
    let mut handle = rustix::io::dup(root)?;
    for name in dir {
        handle = rustix::fs::openat(&handle, name.as_slice(), dir_flags(), Mode::empty())?;
    }
    Ok(handle)
}

/// A new file (never an existing one: `O_EXCL` fails on anything already there, a symlink included), or a
/// symlink, which is created and never opened.
fn write_blob(dir: &OwnedFd, name: &[u8], mode: i32, content: &[u8]) -> std::io::Result<()> {
    if mode == 0o120_000 {
        return Ok(rustix::fs::symlinkat(content, dir, name)?);
    }
    let permissions = if mode == 0o100_755 { 0o777 } else { 0o666 };
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(permissions),
    )?;
    let mut file = File::from(fd);
    file.write_all(content)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;
    use std::process::{Command, Stdio};

    use super::*;
    use crate::git::{Repo, test_git as git};

    /// git reading `input` on stdin; its trimmed stdout.
    fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn blob(dir: &Path, content: &str) -> String {
        git_stdin(dir, &["hash-object", "-w", "--stdin"], content.as_bytes())
    }

    /// A tree object with exactly these entries, whatever git would think of them (`--literally`).
    fn tree(dir: &Path, entries: &[(&str, &[u8], &str)]) -> String {
        // In git's order (a directory sorts as if its name ended in `/`), as an attacker would write it.
        let mut entries = entries.to_vec();
        entries.sort_by_key(|(mode, name, _)| {
            [*name, if *mode == "40000" { b"/" } else { b"" }].concat()
        });
        let mut raw = Vec::new();
        for (mode, name, id) in entries {
            raw.extend_from_slice(mode.as_bytes());
            raw.push(b' ');
            raw.extend_from_slice(name);
            raw.push(0);
            raw.extend_from_slice(Oid::from_str(id).unwrap().as_bytes());
        }
        git_stdin(
            dir,
            &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
            &raw,
        )
    }

    fn commit(dir: &Path, tree: &str) -> Oid {
        Oid::from_str(&git(dir, &["commit-tree", tree, "-m", "crafted"])).unwrap()
    }

    /// A repository, and beside it the directory an attack aims at (with one file to overwrite).
    struct Scene {
        repo: tempfile::TempDir,
        outside: tempfile::TempDir,
    }

    impl Scene {
        fn new() -> Scene {
            let repo = tempfile::tempdir().unwrap();
            git(repo.path(), &["init", "-q"]);
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("target"), "original").unwrap();
            Scene { repo, outside }
        }

        fn dir(&self) -> &Path {
            self.repo.path()
        }

        /// Export the commit of `tree` into a fresh directory inside `outside`; the export directory's entries.
        fn export(&self, tree: &str) -> (anyhow::Result<()>, Vec<String>) {
            let repo = Repo::discover(self.dir()).unwrap();
            let dest = self.outside.path().join("export");
            std::fs::create_dir(&dest).unwrap();
            let result = repo.export(commit(self.dir(), tree), &dest, "tag v6.6.6");
            let mut names: Vec<String> = std::fs::read_dir(&dest)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            (result, names)
        }

        /// Nothing was written beside the export, and the file there is untouched.
        #[track_caller]
        fn assert_untouched(&self) {
            let mut names: Vec<String> = std::fs::read_dir(self.outside.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(names, ["export", "target"]);
            assert_eq!(
                std::fs::read_to_string(self.outside.path().join("target")).unwrap(),
                "original"
            );
        }
    }

    #[track_caller]
    fn assert_refused(result: anyhow::Result<()>, message: &str) {
        let err = result.unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(
            crate::error::hint_of(&err),
            Some(
                "git itself refuses to check out such a tree (`git fsck` reports it), so it was crafted, not \
                 committed: do not release tag v6.6.6: delete it (git tag -d v6.6.6), and release a commit made \
                 by git"
            )
        );
    }

    #[test]
    fn crafted_trees_are_refused_before_anything_is_written() {
        let scene = Scene::new();
        let dir = scene.dir();
        let pwned = blob(dir, "pwned");
        let fine = blob(dir, "fine");
        let outside = scene.outside.path().to_str().unwrap().to_owned();
        let link_to_outside = blob(dir, &outside);
        let link_to_target = blob(dir, &format!("{outside}/target"));
        let holding_target = tree(dir, &[("100644", b"target", &pwned)]);
        let cases: Vec<(String, &str)> = vec![
            (
                // `..` holding `target`: export/../target is the file beside the export.
                tree(
                    dir,
                    &[
                        ("100644", b"a.txt", &fine),
                        ("40000", b"..", &holding_target),
                    ],
                ),
                "refusing tag v6.6.6: its tree holds an entry named `..`, which would write into the parent directory at \"..\"",
            ),
            (
                tree(
                    dir,
                    &[
                        ("100644", b"a.txt", &fine),
                        ("100644", b"../target", &pwned),
                    ],
                ),
                "refusing tag v6.6.6: its tree holds a `/` inside an entry's name at \"../target\"",
            ),
            (
                tree(
                    dir,
                    &[(
                        "40000",
                        b".GIT",
                        &tree(dir, &[("100644", b"config", &pwned)]),
                    )],
                ),
                "refusing tag v6.6.6: its tree holds a `.git` entry (in some spelling that a case-insensitive, HFS+ or NTFS file system takes for `.git`), which would plant a git directory at \".GIT\"",
            ),
            (
                // A symlink to the outside directory, then a directory of the same name holding `target`.
                tree(
                    dir,
                    &[
                        ("100644", b"a.txt", &fine),
                        ("120000", b"link", &link_to_outside),
                        ("40000", b"link", &holding_target),
                    ],
                ),
                "refusing tag v6.6.6: its tree holds two entries of the same name (e.g. a symbolic link beside a directory), so that one would be written through the other at \"link\"",
            ),
            (
                // An absolute symlink to the file outside, then a file of the same name.
                tree(
                    dir,
                    &[
                        ("120000", b"evil", &link_to_target),
                        ("100644", b"evil", &pwned),
                    ],
                ),
                "refusing tag v6.6.6: its tree holds two entries of the same name (e.g. a symbolic link beside a directory), so that one would be written through the other at \"evil\"",
            ),
            (
                // Deep down, after a good part of the tree would have been written.
                tree(
                    dir,
                    &[
                        ("100644", b"a.txt", &fine),
                        (
                            "40000",
                            b"pkg",
                            &tree(
                                dir,
                                &[("40000", b"sub", &tree(dir, &[("100644", b".git.", &pwned)]))],
                            ),
                        ),
                    ],
                ),
                "refusing tag v6.6.6: its tree holds a `.git` entry (in some spelling that a case-insensitive, HFS+ or NTFS file system takes for `.git`), which would plant a git directory at \"pkg/sub/.git.\"",
            ),
        ];
        for (tree, message) in cases {
            let scene = Scene {
                repo: tempfile::tempdir_in(dir).unwrap(),
                outside: tempfile::tempdir().unwrap(),
            };
            // The objects are in the first repository: borrow them.
            git(scene.dir(), &["init", "-q"]);
            std::fs::write(
                scene.dir().join(".git/objects/info/alternates"),
                format!("{}\n", dir.join(".git/objects").display()),
            )
            .unwrap();
            std::fs::write(scene.outside.path().join("target"), "original").unwrap();
            let (result, written) = scene.export(&tree);
            assert_refused(result, message);
            assert_eq!(written, Vec::<String>::new(), "{message}");
            scene.assert_untouched();
        }
    }

    #[test]
    fn a_real_tree_is_written_with_its_modes_and_links_never_followed() {
        let scene = Scene::new();
        let dir = scene.dir();
        let target = format!("{}/target", scene.outside.path().display());
        let root = tree(
            dir,
            &[
                ("100755", b"run.sh", &blob(dir, "#!/bin/sh\n")),
                ("120000", b"abs", &blob(dir, &target)),
                ("120000", b"rel", &blob(dir, "pkg/mod.py")),
                (
                    "40000",
                    b"pkg",
                    &tree(dir, &[("100644", b"mod.py", &blob(dir, "x = 1\n"))]),
                ),
                ("100644", "caf\u{e9}.txt".as_bytes(), &blob(dir, "ok")),
            ],
        );
        let (result, written) = scene.export(&root);
        result.unwrap();
        assert_eq!(written, ["abs", "caf\u{e9}.txt", "pkg", "rel", "run.sh"]);
        let dest = scene.outside.path().join("export");
        let mode = |p: &str| {
            std::fs::symlink_metadata(dest.join(p))
                .unwrap()
                .permissions()
                .mode()
        };
        assert_eq!(mode("run.sh") & 0o111, 0o111);
        assert_eq!(mode("pkg/mod.py") & 0o111, 0);
        assert_eq!(
            std::fs::read_link(dest.join("abs")).unwrap(),
            Path::new(&target)
        );
        assert_eq!(
            std::fs::read_to_string(dest.join("rel")).unwrap(),
            "x = 1\n"
        );
        scene.assert_untouched();
    }

    #[test]
    fn reading_by_path_applies_the_same_rule() {
        let scene = Scene::new();
        let dir = scene.dir();
        let pyproject = blob(dir, "[project]\n");
        let root = tree(
            dir,
            &[
                ("100644", b"pyproject.toml", &pyproject),
                (
                    "40000",
                    b"pkg",
                    &tree(dir, &[("100644", b"..", &pyproject)]),
                ),
            ],
        );
        let repo = Repo::discover(dir).unwrap();
        let commit = commit(dir, &root);
        // The top is fine; the directory holding `..` is refused wherever it is read.
        let crate::git::TreeEntry::File { id, .. } = repo
            .tree_entry(commit, Path::new("pyproject.toml"))
            .unwrap()
        else {
            panic!("pyproject.toml is a file");
        };
        assert_eq!(repo.blob(id).unwrap(), b"[project]\n");
        for err in [
            repo.tree_entry(commit, Path::new("pkg/x.py")).unwrap_err(),
            repo.list_dir(commit, Path::new("pkg")).unwrap_err(),
            repo.files_at(commit, Path::new("")).unwrap_err(),
        ] {
            assert_eq!(
                err.to_string(),
                format!(
                    "refusing commit {}: its tree holds an entry named `..`, which would write into the parent directory at \"pkg/..\"",
                    crate::git::short(commit)
                )
            );
        }
    }

    #[test]
    fn deep_and_repetitive_trees_are_bounded() {
        let scene = Scene::new();
        let repo = Repository::open(scene.dir()).unwrap();
        let file = repo.blob(b"x").unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert("f", file, 0o100_644).unwrap();
        let mut id = builder.write().unwrap();
        // Four levels, each listing the one below twice: 2^4 copies of `f`, in 1 + 2 + 4 + 8 + 16 trees.
        for _ in 0..4 {
            let mut builder = repo.treebuilder(None).unwrap();
            builder.insert("a", id, 0o040_000).unwrap();
            builder.insert("b", id, 0o040_000).unwrap();
            id = builder.write().unwrap();
        }
        let tree = repo.find_tree(id).unwrap();
        let verify = |depth, entries| verify_all(&repo, &tree, Limits { depth, entries });
        assert!(verify(4, 46).is_ok(), "2 + 4 + 8 + 16 + 16 entries");
        let err = verify(4, 45).unwrap_err().to_string();
        assert_eq!(
            err,
            "its tree holds more entries than any real project holds (each repetition of a subtree counted) at \"a/a/a/a\""
        );
        let err = verify(3, 100).unwrap_err().to_string();
        assert_eq!(
            err,
            "its tree holds directories nested deeper than any real project's at \"b/b/b/a\""
        );
    }
}

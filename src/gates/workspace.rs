//! Where the checks find the released content. Two kinds of place, so that nothing a check runs can write into
//! the user's working tree:
//!
//! - the *released tree* ([`Workspace::root`]): the working tree when it is exactly the released content (or
//!   when no release tag is checked and it is checked as it is), else an export of the released commit. relgate
//!   reads it (detection, metadata, workflows), and so do the tools that only read files (`gates::quality`
//!   says which);
//! - an *isolated copy* ([`Workspace::isolated`]) for each check that runs the project's code (tests, a type
//!   checker's plugins, custom checks, the build): made in a temporary directory when the check starts, removed
//!   when it ends. What that code writes reaches neither the working tree nor another check, and a check whose
//!   pass is remembered never pays for a copy.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use crate::git::{CommitId, Repo};
use crate::process::ScratchDir;

/// Files an install generated in the package directories that one copy carries at most (and bytes).
const MAX_CARRIED: usize = 2_000;
const MAX_CARRIED_BYTES: u64 = 256 << 20;

/// The released content, as the checks of one run see it.
#[derive(Debug)]
pub struct Workspace {
    /// The released tree: the working tree's top, or an export's.
    pub root: PathBuf,
    /// The Python project's directory inside `root` (differs from `root` in monorepos).
    pub project_dir: PathBuf,
    /// True when `root` is the user's own working tree.
    pub in_place: bool,
    /// The commit whose content `root` holds; `None` for a working tree checked as it is (no tag, changes).
    pub commit: Option<CommitId>,
    /// The top of the user's working tree, whose repository the isolated copies are made from.
    repo_root: PathBuf,
    /// The project's directory relative to the top.
    subdir: PathBuf,
    /// What an export's errors name: `tag v1.4.0`, `commit 3f2a1c0`.
    subject: String,
    /// Keeps an export alive until the checks are done; dropped, it deletes the directory.
    _export: Option<ScratchDir>,
}

/// What an isolated copy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Running the project's code: the copy also carries what an install generated in the package
    /// directories and git ignores (setuptools-scm's `_version.py`, compiled extensions), without which the
    /// code would not import as it does from the working tree (and in CI, which installs the project first).
    Run,
    /// Building the distributions: exactly the released content, as CI checks it out.
    Build,
}

/// A check's own copy of the released content; dropped, it is deleted.
#[derive(Debug)]
pub struct Isolated {
    dir: ScratchDir,
    /// The project's directory in the copy.
    pub project_dir: PathBuf,
    /// The generated files carried over, relative to the top of the repository.
    carried: Vec<String>,
}

impl Workspace {
    /// The working tree itself, whose content is `commit`'s (or, with `None`, checked as it is).
    pub fn in_place(
        repo_root: &Path,
        project_dir: &Path,
        subdir: &Path,
        commit: Option<CommitId>,
        subject: &str,
    ) -> Workspace {
        Workspace {
            root: repo_root.to_path_buf(),
            project_dir: project_dir.to_path_buf(),
            in_place: true,
            commit,
            repo_root: repo_root.to_path_buf(),
            subdir: subdir.to_path_buf(),
            subject: subject.to_owned(),
            _export: None,
        }
    }

    /// An export of `commit` (`subject`: the tag or commit, for its errors) for the checks to read: the
    /// working tree is not the released content.
    pub fn exported(
        repo: &Repo,
        commit: CommitId,
        subdir: &Path,
        subject: &str,
    ) -> anyhow::Result<Workspace> {
        let export = temp_dir("relgate-export-")?;
        repo.export(commit, export.path(), subject)?;
        Ok(Workspace {
            root: export.path().to_path_buf(),
            project_dir: export.path().join(subdir),
            in_place: false,
            commit: Some(commit),
            repo_root: repo.workdir().to_path_buf(),
            subdir: subdir.to_path_buf(),
            subject: subject.to_owned(),
            _export: Some(export),
        })
    }

    /// The user's repository.
    pub fn repo(&self) -> anyhow::Result<Repo> {
        Repo::discover(&self.repo_root)
    }

    /// A copy of the released content of its own, for one check that runs the project's code.
    pub fn isolated(&self, purpose: Purpose) -> anyhow::Result<Isolated> {
        let dir = temp_dir("relgate-run-")?;
        let repo = self.repo()?;
        match self.commit {
            Some(commit) => repo.export(commit, dir.path(), &self.subject)?,
            None => copy_working_files(&repo, dir.path())?,
        }
        let project_dir = dir.path().join(&self.subdir);
        let carried = match purpose {
            Purpose::Run => carry_generated(&repo, &self.subdir, dir.path()),
            Purpose::Build => Vec::new(),
        };
        Ok(Isolated {
            dir,
            project_dir,
            carried,
        })
    }
}

impl Isolated {
    /// The top of the copy (the repository's top).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// What a failed check says about the files the copy carried besides the released content, if any.
    pub fn carried_note(&self) -> Option<String> {
        if self.carried.is_empty() {
            return None;
        }
        let shown: Vec<&str> = self.carried.iter().take(5).map(String::as_str).collect();
        let more = if self.carried.len() > 5 { ", ..." } else { "" };
        Some(format!(
            "besides the released content, its isolated copy held {} file(s) an install generated in the working tree, which git ignores: {}{more}",
            self.carried.len(),
            shown.join(", ")
        ))
    }

    /// What a process running the project's code in the copy gets: the copy's import root first on
    /// `PYTHONPATH` (an editable install of the project would otherwise import the working tree's code), and
    /// git stopped at the copy (a test that runs git must not find a repository around the temporary directory).
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let mut python_path = import_root(&self.project_dir).into_os_string();
        if let Some(rest) = crate::env::python_path().filter(|p| !p.is_empty()) {
            python_path.push(":");
            python_path.push(rest);
        }
        let ceiling = self
            .root()
            .parent()
            .unwrap_or_else(|| self.root())
            .as_os_str()
            .to_owned();
        vec![
            ("PYTHONPATH".into(), python_path),
            ("GIT_CEILING_DIRECTORIES".into(), ceiling),
        ]
    }
}

/// Where the project's code is imported from: `src/` for a src layout, else the project directory.
fn import_root(project_dir: &Path) -> PathBuf {
    let src = project_dir.join("src");
    if src.is_dir() {
        src
    } else {
        project_dir.to_path_buf()
    }
}

fn temp_dir(prefix: &str) -> anyhow::Result<ScratchDir> {
    ScratchDir::new(prefix).context("cannot create a temporary directory for an isolated copy of the released content (is TMPDIR writable?)")
}

/// A working tree checked as it is: its files as git sees them (tracked files that exist, untracked files that
/// are not ignored), with their modes and symlinks.
fn copy_working_files(repo: &Repo, dest: &Path) -> anyhow::Result<()> {
    for rel in repo.working_files(Path::new(""))? {
        let from = repo.workdir().join(&rel);
        let Ok(meta) = from.symlink_metadata() else {
            continue;
        };
        let to = prepare(dest, Path::new(&rel))
            .with_context(|| format!("cannot copy {rel} to {}", dest.display()))?;
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&from)?, &to)
                .with_context(|| format!("cannot copy the link {rel}"))?;
        } else if meta.is_file() {
            std::fs::copy(&from, &to).with_context(|| format!("cannot copy {rel}"))?;
        }
    }
    Ok(())
}

/// Copy into `dest` the files git ignores in the project's package directories (`src/`, else the top-level
/// directories holding an `__init__.py`) that the released content lacks: what an install generated there.
/// Caches, bytecode and metadata directories are left out; nothing released is replaced. Best effort: a file
/// that cannot be copied is left out, and the code's import error then says which.
fn carry_generated(repo: &Repo, subdir: &Path, dest: &Path) -> Vec<String> {
    let project = dest.join(subdir);
    let packages: Vec<PathBuf> = if project.join("src").is_dir() {
        vec![subdir.join("src")]
    } else {
        std::fs::read_dir(&project)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().join("__init__.py").is_file())
                    .map(|e| subdir.join(e.file_name()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut carried = Vec::new();
    let mut bytes = 0;
    for package in packages {
        let Ok(ignored) = repo.ignored_files(&package, MAX_CARRIED) else {
            continue;
        };
        for rel in ignored.into_iter().filter(|r| generated(r)) {
            let from = repo.workdir().join(&rel);
            let size = from.metadata().map_or(0, |m| m.len());
            if carried.len() >= MAX_CARRIED || bytes + size > MAX_CARRIED_BYTES {
                return carried;
            }
            let exists = dest.join(&rel).symlink_metadata().is_ok();
            let copied = !exists
                && prepare(dest, Path::new(&rel)).is_ok_and(|to| std::fs::copy(&from, to).is_ok());
            if copied {
                bytes += size;
                carried.push(rel);
            }
        }
    }
    carried
}

/// Whether an ignored file is something an install generated for the code, not a cache or a leftover.
fn generated(rel: &str) -> bool {
    let mut parts = rel.split('/').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let cache = part == "__pycache__"
            || (part.starts_with('.') && !last)
            || part.ends_with(".egg-info")
            || part.ends_with(".dist-info");
        if cache {
            return false;
        }
        if last {
            let bytecode = Path::new(part)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pyc") || e.eq_ignore_ascii_case("pyo"));
            return !bytecode && !part.starts_with('.');
        }
    }
    false
}

/// The destination of `rel` in `dest`, its directories created: `rel` must be a plain relative path, and no
/// directory on the way may be a symlink (a link the copy itself holds must never be written through).
fn prepare(dest: &Path, rel: &Path) -> std::io::Result<PathBuf> {
    let mut at = dest.to_path_buf();
    let components: Vec<Component> = rel.components().collect();
    let Some((last, dirs)) = components.split_last() else {
        return Err(std::io::Error::other("an empty path"));
    };
    for component in dirs {
        let Component::Normal(name) = component else {
            return Err(std::io::Error::other("not a plain relative path"));
        };
        at.push(name);
        match at.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(std::io::Error::other("a directory on the way is not one")),
            Err(_) => std::fs::create_dir(&at)?,
        }
    }
    let Component::Normal(name) = last else {
        return Err(std::io::Error::other("not a plain relative path"));
    };
    Ok(at.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_git;

    #[test]
    fn generated_files_are_code_not_caches() {
        assert!(generated("src/pkg/_version.py"));
        assert!(generated(
            "src/pkg/_speedups.cpython-311-x86_64-linux-gnu.so"
        ));
        assert!(!generated("src/pkg/__pycache__/core.cpython-311.pyc"));
        assert!(!generated("src/pkg/core.pyc"));
        assert!(!generated("src/pkg.egg-info/PKG-INFO"));
        assert!(!generated("src/.mypy_cache/x.json"));
        assert!(!generated("src/pkg/.DS_Store"));
    }

    #[test]
    fn prepare_never_goes_through_a_link_or_out_of_the_copy() {
        let dest = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dest.path().join("link")).unwrap();
        assert!(prepare(dest.path(), Path::new("link/x.py")).is_err());
        assert!(prepare(dest.path(), Path::new("../x.py")).is_err());
        assert!(prepare(dest.path(), Path::new("/etc/x.py")).is_err());
        assert_eq!(
            prepare(dest.path(), Path::new("a/b/c.py")).unwrap(),
            dest.path().join("a/b/c.py")
        );
        assert!(dest.path().join("a/b").is_dir());
    }

    /// A copy of a working tree checked as it is holds its tracked and untracked files (with their modes),
    /// not its ignored ones, except what an install generated in the package directories.
    #[test]
    fn a_copy_holds_the_content_and_what_an_install_generated() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        test_git(root, &["init", "-q"]);
        std::fs::create_dir_all(root.join("src/pkg")).unwrap();
        std::fs::write(root.join(".gitignore"), "_version.py\n.venv/\nbuild/\n").unwrap();
        std::fs::write(root.join("src/pkg/__init__.py"), "").unwrap();
        std::fs::write(root.join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::os::unix::fs::symlink("src", root.join("link")).unwrap();
        test_git(root, &["add", "-A"]);
        test_git(root, &["commit", "-q", "-m", "x"]);
        std::fs::write(root.join("src/pkg/_version.py"), "version = '1'\n").unwrap();
        std::fs::write(root.join("notes.txt"), "untracked\n").unwrap();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::write(root.join("build/out.py"), "").unwrap();
        let repo = Repo::discover(root).unwrap();
        let ws = Workspace::in_place(root, root, Path::new(""), None, "the working tree");
        let copy = ws.isolated(Purpose::Run).unwrap();
        let top = copy.root();
        assert!(top.join("notes.txt").is_file());
        assert!(!top.join("build").exists());
        assert_eq!(
            std::fs::read_link(top.join("link")).unwrap(),
            Path::new("src")
        );
        let mode = std::fs::metadata(top.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
        assert_eq!(copy.carried, ["src/pkg/_version.py"]);
        assert!(top.join("src/pkg/_version.py").is_file());
        let build = ws.isolated(Purpose::Build).unwrap();
        assert!(!build.root().join("src/pkg/_version.py").exists());
        // Committed: the copy is the commit's export.
        let head = repo.head().unwrap().unwrap();
        let ws = Workspace::in_place(root, root, Path::new(""), Some(head), "HEAD");
        let copy = ws.isolated(Purpose::Run).unwrap();
        assert!(!copy.root().join("notes.txt").exists());
        assert!(copy.root().join("src/pkg/_version.py").is_file());
        let env = copy.env();
        assert_eq!(env[0].0, "PYTHONPATH");
        assert!(
            env[0]
                .1
                .to_string_lossy()
                .starts_with(&copy.root().join("src").display().to_string())
        );
    }
}

//! Reading the project's files: only regular files inside the repository (or the export of a tag), never more
//! than [`MAX_BYTES`], by the same rule in the working tree, in a tag's tree and in an isolated export.
//!
//! The files come from whoever wrote the commit. A committed symlink may lead to `/dev/zero` (read forever), a
//! FIFO (a read that never returns), a device, or a file outside the repository (`~/.pypirc`, whose token a
//! version message would then print); a file may be hundreds of megabytes. Each of those is an error naming
//! the file, never a skip: a check that could not read its input has no verdict. A link that stays inside the
//! repository is followed (a `README.md` linked from `docs/`), in a tree as on disk; a missing file, or a
//! directory where a file is looked for, is `None`. ripgrep and uv check a file's type before reading it too.

use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path, PathBuf};

use crate::git::{CommitId, Repo, TreeEntry};

/// The largest file relgate reads: real pyproject.toml, setup.cfg, workflow and requirements files are a few
/// kilobytes, pinned requirement files with hashes a few hundred.
pub const MAX_BYTES: u64 = 4 << 20;
/// Symbolic links followed one after another in a tree before giving up (git's own limit is 5 for refs).
const MAX_LINKS: usize = 8;

/// Why a file of the project cannot be read. `path` is relative to the repository root.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "{path} is a link to {target}, outside the repository: relgate reads only files inside it"
    )]
    Outside { path: String, target: String },
    #[error(
        "{path} leads into the repository's .git directory: relgate reads only the project's files"
    )]
    GitDir { path: String },
    #[error("{path} is {what}, not a regular file")]
    NotRegular { path: String, what: &'static str },
    #[error("{path} is larger than relgate's limit of {limit} bytes ({} MiB)", limit >> 20)]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: more than {MAX_LINKS} symbolic links in a row")]
    TooManyLinks { path: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The tree itself was refused (a crafted tree git would not check out), with git's module's hint.
    #[error("cannot read {path}: {message}")]
    Refused {
        path: String,
        message: String,
        hint: String,
    },
}

impl ReadError {
    /// The next action, for the `hint:` line or a check's details.
    pub fn hint(&self) -> String {
        match self {
            ReadError::Outside { path, .. } | ReadError::GitDir { path } => format!(
                "commit the file itself as {path} (or a link to a file inside the repository)"
            ),
            ReadError::NotRegular { path, .. } => format!("commit a regular file as {path}"),
            ReadError::TooLarge { path, .. } => {
                format!(
                    "{path} cannot be a project file of that size: check what was committed there"
                )
            }
            ReadError::TooManyLinks { path } => format!("point {path} at the file itself"),
            ReadError::Io { path, .. } => format!("check the permissions of {path}"),
            ReadError::Refused { hint, .. } => hint.clone(),
        }
    }

    /// As an error for `main` (exit 2), with its hint.
    pub fn into_anyhow(self) -> anyhow::Error {
        let hint = self.hint();
        crate::error::hinted(self.to_string(), hint)
    }
}

/// The bytes of `path` (absolute, or relative to `root`) when it is a regular file inside `root`; `None` when
/// it does not exist (a dangling link included) or is a directory.
pub fn read(root: &Path, path: &Path) -> Result<Option<Vec<u8>>, ReadError> {
    let full = root.join(path);
    let shown = shown(root, &full);
    let io = |source: std::io::Error| ReadError::Io {
        path: shown.clone(),
        source,
    };
    let absent = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
        )
    };
    let real = match full.canonicalize() {
        Ok(real) => real,
        Err(e) if absent(&e) => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let real_root = root.canonicalize().map_err(io)?;
    let Ok(inside) = real.strip_prefix(&real_root) else {
        return Err(ReadError::Outside {
            path: shown,
            target: real.display().to_string(),
        });
    };
    if inside.components().any(is_git_dir) {
        return Err(ReadError::GitDir { path: shown });
    }
    // O_NONBLOCK: opening a FIFO does not wait for a writer; O_NOFOLLOW: the resolved path is not swapped for a
    // link between the check above and the open.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&real)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Ok(None);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: shown,
            what: kind_of(meta.file_type()),
        });
    }
    let too_large = || ReadError::TooLarge {
        path: shown.clone(),
        limit: MAX_BYTES,
    };
    if meta.len() > MAX_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    Ok(Some(bytes))
}

/// [`read`] as text (invalid UTF-8 replaced: the readers look for ASCII keys and names).
pub fn read_text(root: &Path, path: &Path) -> Result<Option<String>, ReadError> {
    Ok(read(root, path)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// The bytes of `path` (relative to the repository root) in `commit`'s tree, by the same rule: links are
/// followed inside the tree, a link leaving it is an error, and so is a file over [`MAX_BYTES`].
pub fn read_in_tree(
    repo: &Repo,
    commit: CommitId,
    path: &Path,
) -> Result<Option<Vec<u8>>, ReadError> {
    let shown = path.display().to_string();
    let mut current = normalize(path).ok_or_else(|| ReadError::Outside {
        path: shown.clone(),
        target: shown.clone(),
    })?;
    for _ in 0..=MAX_LINKS {
        let entry =
            repo.tree_entry(commit, &current)
                .map_err(|e| match crate::error::hint_of(&e) {
                    Some(hint) => ReadError::Refused {
                        path: shown.clone(),
                        message: e.to_string(),
                        hint: hint.to_owned(),
                    },
                    None => ReadError::Io {
                        path: shown.clone(),
                        source: std::io::Error::other(e.to_string()),
                    },
                })?;
        match entry {
            TreeEntry::Missing | TreeEntry::Directory => return Ok(None),
            TreeEntry::Submodule => {
                return Err(ReadError::NotRegular {
                    path: shown,
                    what: "a submodule",
                });
            }
            TreeEntry::File { size, .. } if size > MAX_BYTES => {
                return Err(ReadError::TooLarge {
                    path: shown,
                    limit: MAX_BYTES,
                });
            }
            TreeEntry::File { id, .. } => {
                return repo.blob(id).map(Some).map_err(|e| ReadError::Io {
                    path: shown,
                    source: std::io::Error::other(e.to_string()),
                });
            }
            TreeEntry::Link(target) => {
                let target = String::from_utf8_lossy(&target).into_owned();
                let base = current.parent().unwrap_or(Path::new(""));
                let next = (!Path::new(&target).is_absolute())
                    .then(|| normalize(&base.join(&target)))
                    .flatten();
                match next {
                    Some(next) if next.components().any(is_git_dir) => {
                        return Err(ReadError::GitDir { path: shown });
                    }
                    Some(next) => current = next,
                    None => {
                        return Err(ReadError::Outside {
                            path: shown,
                            target,
                        });
                    }
                }
            }
        }
    }
    Err(ReadError::TooManyLinks { path: shown })
}

/// Resolve `.` and `..` without touching the file system; `None` when the path leaves its root.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn is_git_dir(component: Component) -> bool {
    matches!(component, Component::Normal(name) if name.eq_ignore_ascii_case(".git"))
}

/// `path` relative to `root` for messages (as given when it is not under it).
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn kind_of(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn regular_files_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("docs/README.md"), "hello").unwrap();
        std::fs::write(root.join(".git/config"), "[remote]").unwrap();
        std::fs::write(dir.path().join(".pypirc"), "password = pypi-secret").unwrap();
        symlink("docs/README.md", root.join("README.md")).unwrap();
        symlink("../.pypirc", root.join("VERSION")).unwrap();
        symlink("/dev/zero", root.join("zero")).unwrap();
        symlink(".git/config", root.join("config")).unwrap();
        symlink("missing", root.join("dangling")).unwrap();
        let read = |name: &str| read_text(&root, Path::new(name));

        assert_eq!(read("README.md").unwrap().as_deref(), Some("hello"));
        assert_eq!(read("nothing").unwrap(), None);
        assert_eq!(read("dangling").unwrap(), None);
        assert_eq!(read("docs").unwrap(), None);
        let err = read("VERSION").unwrap_err();
        assert!(
            err.to_string().starts_with("VERSION is a link to ")
                && err.to_string().ends_with(
                    ".pypirc, outside the repository: relgate reads only files inside it"
                ),
            "{err}"
        );
        assert!(!err.to_string().contains("pypi-secret"));
        assert_eq!(
            read("zero").unwrap_err().to_string(),
            "zero is a link to /dev/zero, outside the repository: relgate reads only files inside it"
        );
        assert!(matches!(read("config"), Err(ReadError::GitDir { .. })));
    }

    #[test]
    fn fifos_and_devices_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("tox.ini");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(
            read(dir.path(), Path::new("tox.ini"))
                .unwrap_err()
                .to_string(),
            "tox.ini is a FIFO (named pipe), not a regular file"
        );
    }

    #[test]
    fn files_over_the_limit_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("pyproject.toml")).unwrap();
        big.set_len(MAX_BYTES + 1).unwrap();
        assert_eq!(
            read(dir.path(), Path::new("pyproject.toml"))
                .unwrap_err()
                .to_string(),
            "pyproject.toml is larger than relgate's limit of 4194304 bytes (4 MiB)"
        );
        big.set_len(MAX_BYTES).unwrap();
        assert_eq!(
            read(dir.path(), Path::new("pyproject.toml"))
                .unwrap()
                .map(|b| b.len()),
            Some(4 << 20)
        );
    }

    #[test]
    fn normalizes_within_the_root() {
        assert_eq!(
            normalize(Path::new("pkg/../VERSION")),
            Some(PathBuf::from("VERSION"))
        );
        assert_eq!(normalize(Path::new("../x")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
        assert_eq!(normalize(Path::new("./a/b")), Some(PathBuf::from("a/b")));
    }
}

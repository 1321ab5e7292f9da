//! Reading the project's files from a commit or from the working tree, behind one interface.

use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use crate::git::{CommitId, Repo};

/// Files of the project, by paths relative to the project directory (`/`-separated, `..` allowed within the
/// repository).
pub trait Source {
    fn read(&self, rel: &str) -> anyhow::Result<Option<String>>;
    /// Directory entries (name, is-directory), or `None` when the directory does not exist.
    fn list(&self, rel: &str) -> anyhow::Result<Option<Vec<(String, bool)>>>;
    /// Where the files come from, for messages: "tag v1.4.0 (3f2a1c0)", "the working tree".
    fn label(&self) -> String;
}

/// The files of one commit, read through git2: exactly what a tag releases.
pub struct TreeSource<'r> {
    pub repo: &'r Repo,
    pub commit: CommitId,
    /// The project directory relative to the repository root.
    pub subdir: PathBuf,
    pub label: String,
}

impl TreeSource<'_> {
    fn resolve(&self, rel: &str) -> Option<PathBuf> {
        normalize(&self.subdir.join(rel))
    }
}

impl Source for TreeSource<'_> {
    fn read(&self, rel: &str) -> anyhow::Result<Option<String>> {
        let Some(path) = self.resolve(rel) else {
            return Ok(None);
        };
        let bytes = self
            .repo
            .read_file(self.commit, &path)
            .with_context(|| format!("cannot read {} from {}", path.display(), self.label))?;
        Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    fn list(&self, rel: &str) -> anyhow::Result<Option<Vec<(String, bool)>>> {
        let Some(path) = self.resolve(rel) else {
            return Ok(None);
        };
        self.repo.list_dir(self.commit, &path)
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// The files on disk in the project directory.
pub struct WorkTreeSource {
    pub dir: PathBuf,
}

impl Source for WorkTreeSource {
    fn read(&self, rel: &str) -> anyhow::Result<Option<String>> {
        let path = self.dir.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    fn list(&self, rel: &str) -> anyhow::Result<Option<Vec<(String, bool)>>> {
        let path = self.dir.join(rel);
        let Ok(entries) = std::fs::read_dir(&path) else {
            return Ok(None);
        };
        Ok(Some(
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    (e.file_name().to_string_lossy().into_owned(), is_dir)
                })
                .collect(),
        ))
    }

    fn label(&self) -> String {
        "the working tree".into()
    }
}

/// Resolve `.` and `..` without touching the file system; `None` when the path leaves the repository.
fn normalize(path: &Path) -> Option<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::{Path, PathBuf};

    #[test]
    fn normalizes_within_repository() {
        assert_eq!(
            normalize(Path::new("pkg/../VERSION")),
            Some(PathBuf::from("VERSION"))
        );
        assert_eq!(normalize(Path::new("../x")), None);
        assert_eq!(normalize(Path::new("./a/b")), Some(PathBuf::from("a/b")));
    }
}

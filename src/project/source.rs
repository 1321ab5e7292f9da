//! Reading the project's files from a commit or from the working tree, behind one interface, by one rule
//! (`crate::files`): regular files inside the repository, bounded in size, in both.

use std::path::PathBuf;

use crate::files;
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
        files::normalize(&self.subdir.join(rel))
    }
}

impl Source for TreeSource<'_> {
    fn read(&self, rel: &str) -> anyhow::Result<Option<String>> {
        // A path above the repository's root is not one of its files (a Cargo workspace is looked for upwards).
        let Some(path) = self.resolve(rel) else {
            return Ok(None);
        };
        let bytes = files::read_in_tree(self.repo, self.commit, &path)
            .map_err(files::ReadError::into_anyhow)?;
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

/// The files on disk in the project directory, inside the repository's working tree.
pub struct WorkTreeSource {
    /// The top of the working tree: no file outside it is read.
    pub root: PathBuf,
    /// The project directory inside it.
    pub dir: PathBuf,
}

impl WorkTreeSource {
    fn resolve(&self, rel: &str) -> Option<PathBuf> {
        let subdir = self.dir.strip_prefix(&self.root).ok()?;
        files::normalize(&subdir.join(rel))
    }
}

impl Source for WorkTreeSource {
    fn read(&self, rel: &str) -> anyhow::Result<Option<String>> {
        // A path above the repository's root is not one of its files (a Cargo workspace is looked for upwards).
        let Some(path) = self.resolve(rel) else {
            return Ok(None);
        };
        files::read_text(&self.root, &path).map_err(files::ReadError::into_anyhow)
    }

    fn list(&self, rel: &str) -> anyhow::Result<Option<Vec<(String, bool)>>> {
        let Some(path) = self.resolve(rel) else {
            return Ok(None);
        };
        let Ok(entries) = std::fs::read_dir(self.root.join(path)) else {
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

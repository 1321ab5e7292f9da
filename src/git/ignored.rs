//! The files git ignores in a directory of the working tree: what an install generated beside the sources
//! (setuptools-scm's `_version.py`, a compiled extension's `*.so`), which an isolated copy of the released
//! content needs to import the project the way the working tree does.

use std::path::Path;

use anyhow::Context;
use git2::StatusOptions;

use super::{Repo, slash_prefix};

impl Repo {
    /// The regular files git ignores under `dir` (relative to the top of the working tree), as `/`-separated
    /// paths relative to the top, sorted; at most `limit` of them. Nothing in the repository is written (the
    /// index is not refreshed).
    pub fn ignored_files(&self, dir: &Path, limit: usize) -> anyhow::Result<Vec<String>> {
        let prefix = slash_prefix(dir);
        let mut opts = StatusOptions::new();
        opts.include_untracked(false)
            .include_ignored(true)
            .recurse_ignored_dirs(true)
            .exclude_submodules(true)
            .update_index(false);
        if !prefix.is_empty() {
            opts.pathspec(&prefix);
        }
        let statuses = self
            .inner
            .statuses(Some(&mut opts))
            .context("cannot read the working tree's ignored files")?;
        let mut out = Vec::new();
        for entry in statuses.iter().filter(|e| e.status().is_ignored()) {
            let Ok(path) = entry.path() else { continue };
            if !path.starts_with(&prefix) || path.ends_with('/') {
                continue;
            }
            let is_file = self
                .workdir
                .join(path)
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_file());
            if is_file {
                out.push(path.to_owned());
                if out.len() >= limit {
                    break;
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_git;
    use super::*;

    #[test]
    fn lists_ignored_files_under_a_directory_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        test_git(root, &["init", "-q"]);
        std::fs::create_dir_all(root.join("src/pkg/__pycache__")).unwrap();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::write(
            root.join(".gitignore"),
            "_version.py\n*.so\nbuild/\n__pycache__/\n",
        )
        .unwrap();
        std::fs::write(root.join("src/pkg/__init__.py"), "").unwrap();
        std::fs::write(root.join("src/pkg/_version.py"), "version = '1'\n").unwrap();
        std::fs::write(root.join("src/pkg/_speedups.so"), "").unwrap();
        std::fs::write(root.join("src/pkg/__pycache__/x.pyc"), "").unwrap();
        std::fs::write(root.join("src/pkg/untracked.py"), "").unwrap();
        std::fs::write(root.join("build/lib.py"), "").unwrap();
        test_git(root, &["add", ".gitignore", "src/pkg/__init__.py"]);
        test_git(root, &["commit", "-q", "-m", "x"]);
        let repo = Repo::discover(root).unwrap();
        assert_eq!(
            repo.ignored_files(Path::new("src"), 100).unwrap(),
            [
                "src/pkg/__pycache__/x.pyc",
                "src/pkg/_speedups.so",
                "src/pkg/_version.py"
            ]
        );
        assert_eq!(repo.ignored_files(Path::new("src"), 1).unwrap().len(), 1);
        assert!(
            repo.ignored_files(Path::new(""), 100)
                .unwrap()
                .contains(&"build/lib.py".to_owned())
        );
    }
}

//! The scratch copy a build runs in, so that nothing the backend writes lands in the project tree.

use std::path::Path;

/// Directories that are caches or VCS data wherever they are, never inputs of a build.
const NEVER_COPIED: &[&str] = &[
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".tox",
    ".nox",
    "node_modules",
];

/// Directories that are outputs or environments at the top of the repository or project (a package may well
/// have a `build` subpackage).
const NOT_COPIED_AT_TOP: &[&str] = &[".venv", "venv", "dist", "build", "target"];

/// Copy a tree, keeping symlinks as links and leaving out caches, `*.egg-info`, and outputs and environments
/// directly under one of `tops`.
pub(super) fn copy_tree(from: &Path, to: &Path, tops: &[&Path]) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let at_top = tops.contains(&from);
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        let kind = entry.file_type()?;
        let dest = to.join(&name);
        let excluded = NEVER_COPIED.contains(&name_str.as_ref())
            || name_str.ends_with(".egg-info")
            || (at_top && NOT_COPIED_AT_TOP.contains(&name_str.as_ref()));
        if excluded && (kind.is_dir() || kind.is_symlink()) {
            continue;
        }
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, dest)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &dest, tops)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_leaves_out_outputs_and_environments() {
        let from = tempfile::tempdir().unwrap();
        for dir in [
            "src/pkg/build",
            "build/lib",
            "pkg.egg-info",
            ".git",
            "dist",
            "src/pkg/__pycache__",
        ] {
            std::fs::create_dir_all(from.path().join(dir)).unwrap();
        }
        std::fs::write(from.path().join("src/pkg/__init__.py"), "x = 1\n").unwrap();
        std::os::unix::fs::symlink("src", from.path().join("link")).unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), to.path(), &[from.path()]).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(to.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["link", "src"]);
        assert_eq!(
            std::fs::read_to_string(to.path().join("src/pkg/__init__.py")).unwrap(),
            "x = 1\n"
        );
        // A `build` subpackage is source; caches are not.
        assert!(to.path().join("src/pkg/build").is_dir());
        assert!(!to.path().join("src/pkg/__pycache__").exists());
    }
}

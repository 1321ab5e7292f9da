//! The one file `relgate release` changes: the declared version's file, rewritten from HEAD's blob, whose copy
//! in the working tree must hold the same bytes (both get the same new bytes).

use std::path::{Component, Path, PathBuf};

use pep440_rs::Version;

use crate::error::hinted;
use crate::git::CommitId;
use crate::project::Declared;
use crate::project::rewrite;
use crate::release::Release;

pub struct FileEdit {
    /// Relative to the top of the repository.
    pub path: PathBuf,
    /// As the project names it (relative to the project directory), for messages.
    pub shown: String,
    pub line: u32,
    pub before: String,
    pub after: String,
    pub old_bytes: Vec<u8>,
    pub new_bytes: Vec<u8>,
}

/// The new content of the declared version's file, from HEAD's blob; the working tree's copy must hold the same
/// bytes (no line-ending conversion), since both get the same new bytes.
pub fn file_edit(
    release: &Release,
    declared: &Declared,
    head: CommitId,
    version: &Version,
) -> anyhow::Result<FileEdit> {
    let shown = declared.file.clone().unwrap_or_default();
    let path = inside_repository(&release.subdir.join(&shown)).ok_or_else(|| {
        hinted(
            format!("{shown} is outside the repository: relgate release does not write there"),
            "set the version by hand, commit, then run relgate release with that version",
        )
    })?;
    match release.repo.file_mode(head, &path)? {
        Some(0o100_644 | 0o100_755) => {}
        Some(_) => {
            return Err(hinted(
                format!("{shown} is a symbolic link: relgate release does not write through links"),
                "point the project at the real file, or set the version by hand",
            ));
        }
        None => {
            return Err(hinted(
                format!("{shown} is not committed: the release commit cannot change it"),
                "commit it first",
            ));
        }
    }
    let old_bytes = crate::files::read_in_tree(&release.repo, head, &path)
        .map_err(crate::files::ReadError::into_anyhow)?
        .ok_or_else(|| anyhow::anyhow!("{shown} is missing from HEAD"))?;
    let text = String::from_utf8(old_bytes.clone()).map_err(|_| {
        hinted(
            format!("{shown} is not valid UTF-8"),
            "save it as UTF-8, commit, then run relgate release again",
        )
    })?;
    let written = rewrite::written_form(declared, version)?;
    let rewritten = rewrite::rewrite(declared, &text, &written)?;
    let on_disk = release.repo.workdir().join(&path);
    let regular = std::fs::symlink_metadata(&on_disk).is_ok_and(|m| m.file_type().is_file());
    if !regular || std::fs::read(&on_disk).ok().as_deref() != Some(old_bytes.as_slice()) {
        return Err(hinted(
            format!(
                "{shown} in the working tree is not byte for byte the committed file (git converts it: core.autocrlf, .gitattributes `eol`/filters)"
            ),
            "relgate release writes the same bytes into the commit and the working tree; set the version by hand, commit, then run relgate release with that version",
        ));
    }
    Ok(FileEdit {
        path,
        shown,
        line: rewritten.line,
        before: rewritten.before,
        after: rewritten.after,
        old_bytes,
        new_bytes: rewritten.text.into_bytes(),
    })
}

/// `path` with `.` and `..` resolved, when it stays inside the repository and names no `.git` directory.
fn inside_repository(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => {
                if c.eq_ignore_ascii_case(".git") {
                    return None;
                }
                out.push(c);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::inside_repository;
    use std::path::{Path, PathBuf};

    #[test]
    fn paths_stay_inside_the_repository() {
        assert_eq!(
            inside_repository(Path::new("pkg/../Cargo.toml")),
            Some(PathBuf::from("Cargo.toml"))
        );
        assert_eq!(inside_repository(Path::new("../Cargo.toml")), None);
        assert_eq!(inside_repository(Path::new("a/.GIT/config")), None);
        assert_eq!(inside_repository(Path::new("/etc/passwd")), None);
    }
}

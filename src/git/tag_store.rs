//! Every ref under `refs/tags/`, read straight from git's files ref store.
//!
//! libgit2 reads a loose ref with five system calls (two stats, open, read, close) and peels nothing: a repository
//! whose 100,000 tags were written by `git fetch`, `git update-ref --stdin` or `git fast-import` (which leave them
//! loose until the next `git gc`) cost it well over a second. Here each loose ref is one open, one read and one
//! close, spread over the cores, and `packed-refs` is parsed in one pass. Whatever this reader does not plainly
//! understand (a reftable store, a symbolic tag, an unreadable file) returns `None`, and the caller asks libgit2,
//! so that an odd repository is never read differently from git.

use std::io::ErrorKind;
use std::path::Path;

use git2::Oid;
use rustix::fs::{self, Mode, OFlags};
use rustix::io::Errno;

use super::TagRef;

/// The tags of the repository whose common git directory is `common_dir`, sorted by name; `None` when the ref
/// store holds something this reader leaves to libgit2.
pub fn read(common_dir: &Path) -> Option<Vec<TagRef>> {
    if common_dir.join("reftable").exists() {
        return None;
    }
    let mut tags = packed(&common_dir.join("packed-refs"))?;
    let mut loose_names = Vec::new();
    list_loose(&common_dir.join("refs").join("tags"), "", &mut loose_names)?;
    if !loose_names.is_empty() {
        let loose = read_loose(&common_dir.join("refs").join("tags"), &loose_names)?;
        // A loose ref overrides its packed copy (git writes the loose file on update and prunes the packed line
        // only on deletion or the next pack).
        let loose_set: std::collections::HashSet<&str> =
            loose.iter().map(|t| t.name.as_str()).collect();
        tags.retain(|t| !loose_set.contains(t.name.as_str()));
        tags.extend(loose);
    }
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    Some(tags)
}

/// The `refs/tags/` lines of `packed-refs` (none when the file does not exist), with the peeled commit of
/// annotated tags when git recorded it (`^<id>` after the tag's line).
fn packed(path: &Path) -> Option<Vec<TagRef>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).ok()?,
        Err(e) if e.kind() == ErrorKind::NotFound => return Some(Vec::new()),
        Err(_) => return None,
    };
    let mut tags: Vec<TagRef> = Vec::new();
    // Whether the last ref line was a tag, so that its `^` line belongs to it.
    let mut last_was_tag = false;
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(peeled) = line.strip_prefix('^') {
            let peeled = full_id(peeled.trim_end())?;
            if last_was_tag {
                tags.last_mut()?.peeled = Some(peeled);
            }
            continue;
        }
        let (id, name) = line.split_once(' ')?;
        let id = full_id(id)?;
        last_was_tag = false;
        if let Some(short) = name.strip_prefix("refs/tags/") {
            if !git2::Reference::is_valid_name(name) {
                return None;
            }
            tags.push(TagRef {
                name: short.to_owned(),
                target: id,
                peeled: None,
            });
            last_was_tag = true;
        }
    }
    Some(tags)
}

/// The names of the loose tag files under `dir` (relative to `refs/tags/`), skipping what git itself would not
/// take for a ref (`v1.lock` being written, editor leftovers with invalid names).
fn list_loose(dir: &Path, prefix: &str, names: &mut Vec<String>) -> Option<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Some(()),
        Err(_) => return None,
    };
    for entry in entries {
        let entry = entry.ok()?;
        let file_name = entry.file_name();
        let name = format!("{prefix}{}", file_name.to_str()?);
        let kind = entry.file_type().ok()?;
        if kind.is_dir() {
            list_loose(&entry.path(), &format!("{name}/"), names)?;
        } else if kind.is_file() {
            if git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
                names.push(name);
            }
        } else {
            // A symlink in the ref store: leave it to libgit2.
            return None;
        }
    }
    Some(())
}

/// Read the loose tags `names` under `dir`, on as many threads as there are cores (each file costs a few system
/// calls, which is all the work there is).
fn read_loose(dir: &Path, names: &[String]) -> Option<Vec<TagRef>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(8);
    let chunk = names.len().div_ceil(threads).max(2048);
    std::thread::scope(|scope| {
        let workers: Vec<_> = names
            .chunks(chunk)
            .map(|part| scope.spawn(move || read_some(dir, part)))
            .collect();
        let mut tags = Vec::with_capacity(names.len());
        for worker in workers {
            tags.extend(worker.join().ok()??);
        }
        Some(tags)
    })
}

fn read_some(dir: &Path, names: &[String]) -> Option<Vec<TagRef>> {
    let mut tags = Vec::with_capacity(names.len());
    let mut buffer = [0u8; 128];
    // Opened relative to `refs/tags/`, so that the kernel does not walk the whole path again for every tag.
    let dir = fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    for name in names {
        // One read: a loose ref is 41 bytes (or 65), far below what a regular file returns at once. A short or
        // partial read does not parse below, and libgit2 reads the store instead.
        let read = fs::openat(
            &dir,
            name.as_str(),
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .and_then(|file| rustix::io::read(&file, &mut buffer));
        let len = match read {
            Ok(len) => len,
            // Deleted since the directory was listed: it is gone, as if listed a moment later.
            Err(Errno::NOENT) => continue,
            Err(_) => return None,
        };
        // Exactly `<hex id>\n`; a symbolic ref (`ref: ...`) or anything else goes to libgit2.
        let text = std::str::from_utf8(&buffer[..len])
            .ok()?
            .strip_suffix('\n')?;
        tags.push(TagRef {
            name: name.clone(),
            target: full_id(text)?,
            peeled: None,
        });
    }
    Some(tags)
}

/// A whole object id: `Oid::from_str` also takes a prefix (padding it with zeros), which no ref store holds.
pub(super) fn full_id(hex: &str) -> Option<Oid> {
    (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| Oid::from_str(hex).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::git::{Repo, TagRef, test_git as git};

    fn listed(tags: &[TagRef]) -> Vec<(String, String, Option<String>)> {
        let mut rows: Vec<_> = tags
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.target.to_string(),
                    t.peeled.map(|p| p.to_string()),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    /// Packed, loose, a loose tag that moved after packing, nested names, annotated and lightweight tags, and a
    /// tag being written (`.lock`): the store reads the same list as libgit2 and `git for-each-ref`.
    #[test]
    fn reads_what_libgit2_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        git(path, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(path, &["tag", "v1.0.0"]);
        git(path, &["tag", "-a", "-m", "release", "v1.1.0"]);
        git(path, &["tag", "moved"]);
        git(path, &["pack-refs", "--all"]);
        git(path, &["commit", "-q", "--allow-empty", "-m", "two"]);
        git(path, &["tag", "-f", "moved"]);
        git(path, &["tag", "-a", "-m", "release", "v2.0.0"]);
        git(path, &["tag", "pkg/v2.0.0"]);
        std::fs::write(path.join(".git/refs/tags/v3.0.0.lock"), "0\n").unwrap();

        let repo = Repo::discover(path).unwrap();
        let fast = read(repo.common_dir()).expect("a plain files store is read here");
        let slow = repo.tag_refs_through_libgit2().unwrap();
        assert_eq!(listed(&fast), listed(&slow));

        let names: Vec<&str> = fast.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["moved", "pkg/v2.0.0", "v1.0.0", "v1.1.0", "v2.0.0"],
            "sorted by name, the .lock file left out"
        );
        let head = git(path, &["rev-parse", "HEAD"]);
        let moved = fast.iter().find(|t| t.name == "moved").unwrap();
        assert_eq!(
            moved.target.to_string(),
            head,
            "the loose ref wins over its packed copy"
        );
        let packed_annotated = fast.iter().find(|t| t.name == "v1.1.0").unwrap();
        assert_eq!(
            packed_annotated.peeled.map(|p| p.to_string()),
            Some(git(path, &["rev-parse", "v1.1.0^{commit}"])),
            "packed-refs gives the commit of an annotated tag"
        );
    }

    /// What this reader does not plainly understand goes to libgit2: a symbolic tag, a truncated ref file.
    #[test]
    fn leaves_odd_stores_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        git(path, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(path, &["tag", "v1.0.0"]);
        let common = path.join(".git");
        assert!(read(&common).is_some());

        git(
            path,
            &["symbolic-ref", "refs/tags/latest", "refs/tags/v1.0.0"],
        );
        assert!(read(&common).is_none(), "a symbolic tag");
        git(path, &["symbolic-ref", "--delete", "refs/tags/latest"]);
        assert!(read(&common).is_some());

        std::fs::write(common.join("refs/tags/short"), "abc123\n").unwrap();
        assert!(read(&common).is_none(), "an abbreviated id is no ref");
    }
}

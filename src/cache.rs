//! The record of passes: a check that passed on a tree is not run again on the same tree, under the same
//! relgate, configuration and tool.
//!
//! One file per passed check, `<git common dir>/relgate/passes/<key>.json` (linked worktrees share it). The key
//! is a git blob id of: the checked tree's id, relgate's version, the project's directory in the repository, the
//! parsed `[tool.relgate]` configuration, the check's name and kind, and the check's fingerprint (its executable,
//! version, arguments and environment, as the check that plans it describes them). The tree is the tagged
//! commit's tree, or HEAD's when no tag is checked; a working tree that is not a commit's content is never
//! recorded. The index and version checks are never recorded (they have no fingerprint).
//!
//! Writes go to a temporary file in the same directory, are flushed, then renamed over the record: a reader sees
//! the old record, the new one, or none, never half of one. A record that cannot be read or parsed is a miss.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::env;
use crate::git::{self, CommitId};
use crate::outcome::{CheckResult, Kind, Status};

/// The format of a record file; a record of another format is a miss.
const FORMAT: u32 = 1;
/// Temporary files older than this were left by a run that died mid-write.
const STALE_TEMP: Duration = Duration::from_secs(10 * 60);
/// Records not written for this long are removed (a release tree rarely comes back after three months).
const STALE_RECORD: Duration = Duration::from_secs(90 * 24 * 3600);
/// A record is a few kilobytes; anything larger is not one of ours.
const MAX_RECORD: u64 = 4 * 1024 * 1024;

/// The record of passes of one gate run: where it lives and what every key of this run shares.
#[derive(Debug)]
pub struct PassRecord {
    dir: PathBuf,
    base: String,
    pruned: AtomicBool,
}

#[derive(Serialize, Deserialize)]
struct Record {
    format: u32,
    key: String,
    stored_at: u64,
    result: CheckResult,
}

impl PassRecord {
    /// The record for checks run on exactly `tree` (a tree id), of the project at `subdir` of the repository.
    pub fn new(common_dir: &Path, tree: CommitId, subdir: &Path, config: &Config) -> PassRecord {
        // The settings, not where they sit in the file: moving a table does not change a verdict.
        let mut config = config.clone();
        config.check_lines.clear();
        let base = format!(
            "relgate pass record {FORMAT}\nrelgate {}\ntree {tree}\nproject {}\nconfig {config:?}\n",
            env!("CARGO_PKG_VERSION"),
            subdir.display(),
        );
        PassRecord {
            dir: common_dir.join("relgate").join("passes"),
            base,
            pruned: AtomicBool::new(false),
        }
    }

    /// The directory holding the records.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a check with this fingerprint in this run.
    pub fn key(&self, name: &str, kind: Kind, fingerprint: &str) -> Option<String> {
        let material = format!(
            "{}check {name}\nkind {}\nfingerprint {fingerprint}\n",
            self.base,
            kind.as_str()
        );
        git::hash_bytes(material.as_bytes())
    }

    /// The recorded pass under `key`, marked `cached`; `None` when there is none or it cannot be read.
    pub fn lookup(&self, key: &str) -> Option<CheckResult> {
        let file = std::fs::File::open(self.path(key)).ok()?;
        let mut text = String::new();
        file.take(MAX_RECORD).read_to_string(&mut text).ok()?;
        let record: Record = serde_json::from_str(&text).ok()?;
        if record.format != FORMAT || record.key != key || record.result.status != Status::Pass {
            return None;
        }
        let mut result = record.result;
        result.cached = true;
        Some(result)
    }

    /// Record a pass under `key`. Failing to write (a read-only repository, a full disk) only costs the next run
    /// its shortcut, so it is not an error.
    pub fn store(&self, key: &str, result: &CheckResult) -> std::io::Result<()> {
        if result.status != Status::Pass || result.cached {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        if !self.pruned.swap(true, Ordering::Relaxed) {
            prune(&self.dir);
        }
        let record = Record {
            format: FORMAT,
            key: key.to_owned(),
            stored_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            result: result.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temp = self
            .dir
            .join(format!(".{key}.{}.{nanos}.tmp", std::process::id()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            if let Some(marker) = env::test_hook_record_pause() {
                std::fs::write(marker, b"")?;
                std::thread::sleep(Duration::from_secs(60));
            }
            std::fs::rename(&temp, self.path(key))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }
}

/// What identifies an installed executable without running it: its resolved path, size and modification time,
/// and, inside a virtualenv, the modification times of its site-packages (installing or upgrading a package
/// there changes them). Part of a check's fingerprint.
pub fn executable_identity(path: &Path) -> String {
    let resolved = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut out = format!("{} {}", path.display(), file_identity(&resolved));
    if let Some(venv) = venv_of(path) {
        let _ = write!(out, " venv {}", venv.display());
        for site in site_packages(&venv) {
            let _ = write!(out, " {}", file_identity(&site));
        }
    }
    out
}

/// Size and modification time, or `missing`.
pub fn file_identity(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{}:{modified}", path.display(), meta.len())
        }
        Err(_) => format!("{}:missing", path.display()),
    }
}

/// The virtualenv an executable lives in (`<venv>/bin/<exe>` beside `<venv>/pyvenv.cfg`).
fn venv_of(path: &Path) -> Option<PathBuf> {
    let venv = path.parent()?.parent()?;
    venv.join("pyvenv.cfg")
        .is_file()
        .then(|| venv.to_path_buf())
}

fn site_packages(venv: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["lib", "lib64"]
        .iter()
        .filter_map(|lib| std::fs::read_dir(venv.join(lib)).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path().join("site-packages")))
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Remove temporary files a killed run left behind, and records nobody wrote for months.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let limit = if name.ends_with(".tmp") {
            STALE_TEMP
        } else if name.ends_with(".json") {
            STALE_RECORD
        } else {
            continue;
        };
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok());
        if age.is_some_and(|age| age > limit) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(dir: &Path, tree: &str) -> PassRecord {
        PassRecord::new(
            dir,
            git2::Oid::from_str(tree).unwrap(),
            Path::new(""),
            &Config::default(),
        )
    }

    const TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    #[test]
    fn a_pass_is_found_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let record = record(dir.path(), TREE);
        let key = record.key("docs", Kind::Build, "sphinx 1").unwrap();
        assert_eq!(record.lookup(&key).map(|r| r.name), None);
        let pass = CheckResult::pass("docs", Kind::Build, "built");
        record.store(&key, &pass).unwrap();
        let found = record.lookup(&key).unwrap();
        assert_eq!(
            (found.name.as_str(), found.message.as_str(), found.cached),
            ("docs", "built", true)
        );
        // Another fingerprint, check or tree is another key.
        assert_ne!(record.key("docs", Kind::Build, "sphinx 2").unwrap(), key);
        assert_ne!(record.key("doc", Kind::Build, "sphinx 1").unwrap(), key);
        let other = PassRecord::new(
            dir.path(),
            git2::Oid::from_str("0000000000000000000000000000000000000001").unwrap(),
            Path::new(""),
            &Config::default(),
        );
        assert_ne!(other.key("docs", Kind::Build, "sphinx 1").unwrap(), key);
        // Failures are never recorded.
        let key2 = record.key("lint", Kind::Lint, "x").unwrap();
        record
            .store(&key2, &CheckResult::fail("lint", Kind::Lint, "no"))
            .unwrap();
        assert!(record.lookup(&key2).is_none());
    }

    #[test]
    fn a_corrupt_record_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let record = record(dir.path(), TREE);
        let key = record.key("docs", Kind::Build, "f").unwrap();
        std::fs::create_dir_all(record.dir()).unwrap();
        for junk in ["", "{", "{\"format\": 1}", "\u{0}\u{1}"] {
            std::fs::write(record.dir().join(format!("{key}.json")), junk).unwrap();
            assert!(record.lookup(&key).is_none(), "{junk:?}");
        }
        // A record whose key does not match its file name (copied by hand) is not trusted either.
        let other = record.key("other", Kind::Build, "f").unwrap();
        record
            .store(&other, &CheckResult::pass("other", Kind::Build, "ok"))
            .unwrap();
        std::fs::copy(
            record.dir().join(format!("{other}.json")),
            record.dir().join(format!("{key}.json")),
        )
        .unwrap();
        assert!(record.lookup(&key).is_none());
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let record = record(dir.path(), TREE);
        std::fs::create_dir_all(record.dir()).unwrap();
        let stale = record.dir().join(".abc.1.2.tmp");
        let fresh = record.dir().join(".abc.1.3.tmp");
        std::fs::write(&stale, "half").unwrap();
        std::fs::write(&fresh, "half").unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let key = record.key("docs", Kind::Build, "f").unwrap();
        record
            .store(&key, &CheckResult::pass("docs", Kind::Build, "ok"))
            .unwrap();
        assert!(!stale.exists());
        assert!(
            fresh.exists(),
            "a concurrent run's temporary file is left alone"
        );
    }

    #[test]
    fn identity_follows_the_venv() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::create_dir_all(venv.join("lib/python3.12/site-packages")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::fs::write(venv.join("bin/tool"), "#!/bin/sh\n").unwrap();
        let before = executable_identity(&venv.join("bin/tool"));
        assert!(before.contains("site-packages"), "{before}");
        let site = venv.join("lib/python3.12/site-packages");
        let later = SystemTime::now() + Duration::from_secs(5);
        std::fs::File::open(&site)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_ne!(executable_identity(&venv.join("bin/tool")), before);
    }
}

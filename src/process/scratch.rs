//! relgate's temporary directories (an isolated export, a tool's scratch space, a build's copy).
//!
//! They are removed when dropped, as `tempfile` does; and when a signal makes relgate exit at once (see
//! `interrupt`), destructors do not run, so the directories still alive are registered here and removed by the
//! exit itself: an interrupted run leaves nothing behind in `TMPDIR`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The directories alive now.
static ALIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary directory, removed when dropped or when relgate exits at a signal.
#[derive(Debug)]
pub struct ScratchDir {
    dir: tempfile::TempDir,
}

impl ScratchDir {
    /// A new directory in `TMPDIR` whose name starts with `prefix` (`relgate-export-`).
    pub fn new(prefix: &str) -> std::io::Result<ScratchDir> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        if let Ok(mut alive) = ALIVE.lock() {
            alive.push(dir.path().to_path_buf());
        }
        Ok(ScratchDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Ok(mut alive) = ALIVE.lock() {
            alive.retain(|p| p != self.dir.path());
        }
    }
}

/// Remove every directory still alive (the signal thread, just before it exits). Never waits: when another
/// thread holds the list, nothing is removed rather than the exit hanging.
pub(super) fn remove_all() {
    if let Ok(alive) = ALIVE.try_lock() {
        for dir in alive.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_directory_is_gone_and_no_longer_listed() {
        let scratch = ScratchDir::new("relgate-test-").unwrap();
        let path = scratch.path().to_path_buf();
        assert!(ALIVE.lock().unwrap().contains(&path));
        drop(scratch);
        assert!(!path.exists());
        assert!(!ALIVE.lock().unwrap().contains(&path));
    }

    #[test]
    fn remove_all_removes_the_living_ones() {
        let scratch = ScratchDir::new("relgate-test-").unwrap();
        std::fs::write(scratch.path().join("f"), "x").unwrap();
        remove_all();
        assert!(!scratch.path().exists());
    }
}

//! Shared test helpers: a real git repository in a temporary directory, and the relgate binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A git repository in a temporary directory, with git configured as on a fresh machine: explicit default
/// branch, identity, no signing, and no user or system configuration leaking in.
pub struct TestRepo {
    pub dir: TempDir,
    pub home: TempDir,
}

impl TestRepo {
    #[track_caller]
    pub fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::Builder::new()
                .prefix("relgate-test-")
                .tempdir()
                .unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment every git and relgate command runs with.
    pub fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.home.path().to_path_buf()),
            ("XDG_CONFIG_HOME", self.home.path().join(".config")),
            ("GIT_CONFIG_NOSYSTEM", PathBuf::from("1")),
            ("GIT_AUTHOR_NAME", PathBuf::from("Test")),
            ("GIT_AUTHOR_EMAIL", PathBuf::from("test@example.invalid")),
            ("GIT_COMMITTER_NAME", PathBuf::from("Test")),
            ("GIT_COMMITTER_EMAIL", PathBuf::from("test@example.invalid")),
            // relgate run by an installed hook inherits git's environment: it must never ask the public index.
            (
                "RELGATE_INDEX_URL",
                PathBuf::from("http://127.0.0.1:9/simple"),
            ),
        ]
    }

    /// Run git in the repository; panics with git's output on failure.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run git and return its output whatever the status.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.git_command(args).output().unwrap()
    }

    /// A git command in the repository with the test environment, to add to before running it.
    pub fn git_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(self.path())
        .env_remove("RELGATE_SKIP")
        .env_remove("NO_COLOR")
        .envs(self.envs());
        cmd
    }

    /// Write a file (creating directories).
    #[track_caller]
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Stage everything and commit.
    #[track_caller]
    pub fn commit(&self, message: &str) -> &Self {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    #[track_caller]
    pub fn tag(&self, name: &str) -> &Self {
        self.git(&["tag", name]);
        self
    }

    #[track_caller]
    pub fn annotated_tag(&self, name: &str) -> &Self {
        self.git(&["tag", "-a", name, "-m", name]);
        self
    }

    /// A relgate command running in the repository with the test environment.
    pub fn relgate(&self) -> Command {
        let mut cmd = Command::cargo_bin("relgate").unwrap();
        cmd.current_dir(self.path())
            .env_remove("NO_COLOR")
            // The tests run relgate as a user would on their machine, even when the suite runs in GitHub Actions:
            // the GitHub form and its summary are chosen by the tests that test them.
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("RELGATE_FORMAT")
            // Tests never ask the public index: unless a test points elsewhere, the index is a closed port on
            // this machine (the index check then reports an error, never a pass).
            .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple");
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        cmd
    }

    /// Every file's bytes, mode and kind (directories and symlinks too, ignored files included, outside
    /// .git), git's own view of the working tree (`git status --porcelain --ignored`), and its index, refs and
    /// stash: equal snapshots mean relgate changed nothing.
    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        collect(self.path(), self.path(), &mut files);
        let git_dir = self.path().join(".git");
        let index = std::fs::read(git_dir.join("index")).unwrap_or_default();
        let refs = self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
        let stash = self.git_output(&["stash", "list"]).stdout;
        // `--no-optional-locks`: git status must not refresh the index it is asked about.
        let status = self.git(&["--no-optional-locks", "status", "--porcelain", "--ignored"]);
        Snapshot {
            files,
            index,
            refs,
            stash,
            status,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    files: BTreeMap<PathBuf, Entry>,
    index: Vec<u8>,
    refs: String,
    stash: Vec<u8>,
    status: String,
}

/// One path of the working tree: its kind, permission bits, and content (a symlink's target).
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    File { mode: u32, bytes: Vec<u8> },
    Dir { mode: u32 },
    Link(Vec<u8>),
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Entry>) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode();
        if meta.is_dir() {
            files.insert(rel, Entry::Dir { mode });
            collect(root, &path, files);
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            files.insert(
                rel,
                Entry::Link(target.into_os_string().into_encoded_bytes()),
            );
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.insert(rel, Entry::File { mode, bytes });
        }
    }
}

/// stdout of a finished command, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of a finished command, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The virtualenv with the pinned Python tools (created by scripts/test.sh).
#[track_caller]
pub fn test_venv() -> PathBuf {
    let venv = std::env::var_os("RELGATE_TEST_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test"),
        PathBuf::from,
    );
    assert!(
        venv.join("bin/python").exists(),
        "the test virtualenv is missing at {}: run the tests through scripts/test.sh, which installs the pinned tools",
        venv.display()
    );
    venv
}

/// The pyproject.toml of a minimal project declaring `version`.
pub fn pyproject(name: &str, version: &str) -> String {
    format!("[project]\nname = \"{name}\"\nversion = \"{version}\"\n")
}

/// Write a file that will be executed. The test process never holds the final file open for writing: a child
/// that another test thread forks meanwhile would inherit that descriptor until its exec, and executing the
/// file then fails with "Text file busy" (ETXTBSY). So the bytes go to a scratch file, and `cp` writes the
/// real one in its own process.
#[track_caller]
pub fn write_executable(path: &Path, content: &[u8], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let scratch = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(scratch.path(), content).unwrap();
    copy_executable(scratch.path(), path);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Copy an executable (see [`write_executable`] for why through `cp`).
#[track_caller]
pub fn copy_executable(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success(), "cp {} {}", from.display(), to.display());
}

//! `relgate release`, for real: a repository with relgate's hooks installed, a bare remote in the temp dir (with
//! its own hooks when a test needs the remote to refuse), the local index server, and the project's own ruff and
//! pytest from the test virtualenv.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{Snapshot, TestRepo, stderr, stdout, test_venv, write_executable};
use crate::index::server::{Reply, Server};

/// A project whose pyproject.toml has comments, single quotes and odd spacing that must survive the release.
const PYPROJECT: &str = "# Demo project.\n[project]\nname = \"mypkg\"   # the distribution\nversion = '1.0.0'    # bumped by relgate release\ndescription = \"demo\"\n\n[tool.ruff.lint]\nselect = [\"F\"]\n\n[tool.pytest.ini_options]\npythonpath = [\"src\"]\ntestpaths = [\"tests\"]\n\n[tool.relgate]\nskip = [\"publish\", \"build\"]\n";
const CODE: &str = "def add(a: int, b: int) -> int:\n    return a + b\n";
const TEST_PASSES: &str = "from mypkg import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n";
const TEST_FAILS: &str = "from mypkg import add\n\n\ndef test_add():\n    assert add(2, 2) == 5\n";

/// The repository (hooks installed, tagged v1.0.0 and pushed), its bare remote, and the index server.
struct Fixture {
    repo: TestRepo,
    remote: TempDir,
    index: Server,
}

impl Fixture {
    /// The project with `test` as its test suite, `extra` appended to pyproject.toml.
    fn new(test: &str, extra: &str) -> Fixture {
        Fixture::with(&format!("{PYPROJECT}{extra}"), test)
    }

    /// The same with this pyproject.toml.
    fn with(pyproject: &str, test: &str) -> Fixture {
        let repo = TestRepo::new();
        repo.write("pyproject.toml", pyproject)
            .write(".gitignore", ".venv\n")
            .write(
                "src/mypkg/__init__.py",
                "from mypkg.core import add\n\n__all__ = [\"add\"]\n",
            )
            .write("src/mypkg/core.py", CODE)
            .write("tests/test_core.py", test)
            .commit("initial")
            .annotated_tag("v1.0.0");
        std::os::unix::fs::symlink(test_venv(), repo.path().join(".venv")).unwrap();
        let remote = tempfile::Builder::new()
            .prefix("relgate-remote-")
            .tempdir()
            .unwrap();
        let init = std::process::Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(remote.path())
            .output()
            .unwrap();
        assert!(init.status.success());
        repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        repo.git(&["push", "-q", "-u", "origin", "main", "v1.0.0"]);
        let install = repo.relgate().arg("install").output().unwrap();
        assert_eq!(install.status.code(), Some(0), "{}", stderr(&install));
        // The index knows no such project: a first release as far as it is concerned.
        let index = Server::start(vec![Reply::status(404, "")]);
        Fixture {
            repo,
            remote,
            index,
        }
    }

    /// relgate with the project's tools from its `.venv` only, the index server, and the hooks' index too.
    fn relgate(&self, args: &[&str]) -> std::process::Output {
        self.repo
            .relgate()
            .env_remove("VIRTUAL_ENV")
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env("PATH", "/usr/bin:/bin")
            .env("RELGATE_INDEX_URL", self.index.url("/simple"))
            .arg("release")
            .args(args)
            .output()
            .unwrap()
    }

    /// The remote's refs (`refname objectname` lines).
    fn remote_refs(&self) -> String {
        git_in(
            self.remote.path(),
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    }

    /// Everything relgate may not change when it creates nothing: the working tree, index, refs and stash of
    /// the repository, and the remote's refs.
    fn state(&self) -> (Snapshot, String) {
        (self.repo.snapshot(), self.remote_refs())
    }

    fn rev(&self, name: &str) -> String {
        self.repo.git(&["rev-parse", name]).trim().to_owned()
    }

    /// Remote output with the temporary paths and object ids made stable.
    fn normalize(&self, text: &str) -> String {
        let text = text.replace(self.remote.path().to_str().unwrap(), "<remote>");
        let text = regex::Regex::new(r"\b[0-9a-f]{40}\b")
            .unwrap()
            .replace_all(&text, "<sha>")
            .into_owned();
        regex::Regex::new(r"\b[0-9a-f]{7}\b")
            .unwrap()
            .replace_all(&text, "<sha>")
            .into_owned()
    }
}

/// The status word of a check's line in the human report (`pass`, `FAIL`...).
#[track_caller]
fn status(report: &str, check: &str) -> String {
    report
        .lines()
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix(check)?.strip_prefix(" .")?;
            Some(
                rest.trim_start_matches('.')
                    .split_whitespace()
                    .next()?
                    .to_owned(),
            )
        })
        .unwrap_or_else(|| panic!("no {check} line in {report}"))
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_passing_release_is_one_commit_one_annotated_tag_pushed_atomically() {
    let f = Fixture::new(TEST_PASSES, "");
    let before = f.rev("HEAD");
    // The remote records each push's ref updates: one push brings both.
    write_executable(
        &f.remote.path().join("hooks/pre-receive"),
        b"#!/bin/sh\n{ echo push; cat; } >> \"$GIT_DIR/pushes.log\"\n",
        0o755,
    );
    let out = f.relgate(&["minor", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // Exactly one commit, on the old HEAD, with the configured message; one annotated tag on it.
    let head = f.rev("HEAD");
    assert_eq!(
        f.repo
            .git(&["rev-list", "--count", &format!("{before}..HEAD")])
            .trim(),
        "1"
    );
    assert_eq!(f.rev("HEAD~1"), before);
    assert_eq!(
        f.repo.git(&["log", "-1", "--format=%s"]).trim(),
        "Release 1.1.0"
    );
    assert_eq!(f.repo.git(&["cat-file", "-t", "v1.1.0"]).trim(), "tag");
    assert_eq!(f.rev("v1.1.0^{commit}"), head);
    assert_eq!(
        f.repo.git(&["tag", "--list"]).lines().collect::<Vec<_>>(),
        ["v1.0.0", "v1.1.0"]
    );
    assert_eq!(
        f.repo
            .git(&[
                "for-each-ref",
                "--format=%(contents:subject)",
                "refs/tags/v1.1.0"
            ])
            .trim(),
        "Release 1.1.0"
    );
    // pyproject.toml: byte for byte the same outside the version; the tree is clean.
    let written = std::fs::read_to_string(f.repo.path().join("pyproject.toml")).unwrap();
    assert_eq!(written, PYPROJECT.replace("'1.0.0'", "'1.1.0'"));
    assert_eq!(f.repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        f.repo
            .git(&["diff", "--stat", "HEAD~1", "HEAD"])
            .lines()
            .next()
            .unwrap()
            .trim(),
        "pyproject.toml | 2 +-"
    );

    // The remote got the branch and the tag in one push.
    let tag_object = f.rev("v1.1.0");
    assert_eq!(
        f.remote_refs(),
        format!(
            "refs/heads/main {head}\nrefs/tags/v1.0.0 {}\nrefs/tags/v1.1.0 {tag_object}\n",
            f.rev("v1.0.0")
        )
    );
    let zero = "0".repeat(40);
    assert_eq!(
        std::fs::read_to_string(f.remote.path().join("pushes.log")).unwrap(),
        format!("push\n{before} {head} refs/heads/main\n{zero} {tag_object} refs/tags/v1.1.0\n")
    );

    // The plan, then the gate's report, then the verdict on stdout.
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "relgate release: mypkg 1.0.0 -> 1.1.0 (minor)\n  \
             1. gate     the whole release gate on the release commit, as tag v1.1.0: nothing below happens unless it passes\n  \
             2. write    pyproject.toml:4\n                 \
             - version = '1.0.0'    # bumped by relgate release\n                 \
             + version = '1.1.0'    # bumped by relgate release\n"
        ),
        "{text}"
    );
    assert_eq!(status(&text, "pytest"), "pass", "{text}");
    assert_eq!(status(&text, "ruff"), "pass", "{text}");
    assert!(
        text.ends_with(&format!(
            "relgate: released mypkg 1.1.0: v1.1.0 on {}, pushed to origin with main\n",
            &head[..7]
        )),
        "{text}"
    );
    // The pre-push hook gated the tag again and found ruff's and pytest's passes in the record.
    let err = stderr(&out);
    assert!(
        err.contains(
            "relgate: v1.1.0 passed 6 checks (2 remembered from an earlier pass of the same tree)\n"
        ),
        "{err}"
    );
    // The gate asked the index, and so did both hooks.
    let asked: Vec<String> = f.index.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(asked, ["/simple/mypkg/"; 3]);
}

#[test]
fn a_failing_gate_leaves_the_repository_and_the_remote_byte_identical() {
    let f = Fixture::new(TEST_FAILS, "");
    f.repo.git(&["stash", "list"]);
    let before = f.state();
    let out = f.relgate(&["patch", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert_eq!(status(&text, "pytest"), "FAIL", "{text}");
    assert!(
        text.ends_with(
            "relgate: the gate refused mypkg 1.0.1: nothing was created (no commit, no tag, no file changed); fix what the report says, then run relgate release again\n"
        ),
        "{text}"
    );
    assert_eq!(f.state(), before, "the refused release changed something");
    assert!(!stderr(&out).contains("pushing"), "{}", stderr(&out));
}

#[test]
fn a_ruff_finding_refuses_the_release_too() {
    let f = Fixture::new(TEST_PASSES, "");
    f.repo
        .write("src/mypkg/core.py", &format!("import os\n\n\n{CODE}"))
        .commit("unused import");
    let before = f.state();
    let out = f.relgate(&["1.0.1", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(status(&stdout(&out), "ruff"), "FAIL", "{}", stdout(&out));
    assert_eq!(f.state(), before);
}

#[test]
fn a_rejected_push_leaves_the_commit_and_tag_here_and_says_how_to_retry_or_undo() {
    let f = Fixture::new(TEST_PASSES, "");
    write_executable(
        &f.remote.path().join("hooks/pre-receive"),
        b"#!/bin/sh\necho 'releases are frozen' >&2\nexit 1\n",
        0o755,
    );
    let before = f.rev("HEAD");
    let remote_before = f.remote_refs();
    let out = f.relgate(&["patch", "--yes", "--no-cache"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let head = f.rev("HEAD");
    assert_ne!(head, before);
    assert_eq!(f.rev("v1.0.1^{commit}"), head);
    assert_eq!(
        f.remote_refs(),
        remote_before,
        "the atomic push changed the remote"
    );
    let err = f.normalize(&stderr(&out));
    assert!(err.contains("remote: releases are frozen"), "{err}");
    assert!(
        err.ends_with(
            "error: the push to origin failed (git push exited with 1; git's messages are above): the release exists only in this repository\n  \
             now: commit <sha> \"Release 1.0.1\" on main, annotated tag v1.0.1 on <sha>; origin has neither (the push is atomic)\n  \
             retry: git push --atomic origin main v1.0.1\n  \
             undo:  git tag -d v1.0.1 && git reset --keep HEAD~1\n\
             hint: fix what the remote said, then retry the push; never force-push a release\n"
        ),
        "{err}"
    );
    // The undo commands given put the repository back as it was.
    f.repo.git(&["tag", "-d", "v1.0.1"]);
    f.repo.git(&["reset", "-q", "--keep", "HEAD~1"]);
    assert_eq!(f.rev("HEAD"), before);
    assert_eq!(f.repo.git(&["status", "--porcelain"]), "");
    assert!(
        std::fs::read_to_string(f.repo.path().join("pyproject.toml"))
            .unwrap()
            .contains("version = '1.0.0'")
    );
}

#[test]
fn a_dry_run_shows_every_step_and_changes_nothing() {
    let f = Fixture::new(TEST_PASSES, "");
    let notes = f.repo.home.path().join("notes.md");
    std::fs::write(&notes, "- faster\n").unwrap();
    let before = f.state();
    let out = f.relgate(&["rc", "--dry-run", "--notes-file", notes.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(f.state(), before);
    let text = f.normalize(&stdout(&out));
    assert!(
        text.starts_with(
            "relgate release: mypkg 1.0.0 -> 1.0.1rc1 (rc)\n  \
             1. gate     the whole release gate on the release commit, as tag v1.0.1rc1: nothing below happens unless it passes\n  \
             2. write    pyproject.toml:4\n                 \
             - version = '1.0.0'    # bumped by relgate release\n                 \
             + version = '1.0.1rc1'    # bumped by relgate release\n  \
             3. commit   \"Release 1.0.1rc1\" on main (parent <sha>)\n  \
             4. tag      v1.0.1rc1, annotated (\"Release 1.0.1rc1\")\n  \
             5. push     git push --atomic origin main v1.0.1rc1\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "relgate: dry run: the gate passed on the release commit <sha> as v1.0.1rc1; nothing was written, tagged or pushed\n"
        ),
        "{text}"
    );
}

#[test]
fn the_github_release_is_created_through_the_api() {
    let f = Fixture::new(TEST_PASSES, "");
    let api = Server::start(vec![Reply::ok(
        "application/json",
        r#"{"id": 1, "html_url": "https://github.com/owner/mypkg/releases/tag/v2.0.0"}"#,
    )]);
    let notes = f.repo.home.path().join("notes.md");
    std::fs::write(&notes, "Breaking: everything.\n").unwrap();
    let out = f
        .repo
        .relgate()
        .env_remove("VIRTUAL_ENV")
        .env_remove("GITHUB_TOKEN")
        .env("GH_TOKEN", "gho_secret_token_value")
        .env("PATH", "/usr/bin:/bin")
        .env("RELGATE_INDEX_URL", f.index.url("/simple"))
        .args([
            "release",
            "major",
            "--yes",
            "--github-release",
            "--repo",
            "owner/mypkg",
        ])
        .args([
            "--api-url",
            &api.url("/api/v3"),
            "--notes-file",
            notes.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let seen = api.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/api/v3/repos/owner/mypkg/releases");
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer gho_secret_token_value")
    );
    assert_eq!(seen[0].header("x-github-api-version"), Some("2022-11-28"));
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "tag_name": "v2.0.0",
            "name": "v2.0.0",
            "body": "Breaking: everything.\n",
            "draft": false,
            "prerelease": false,
            "generate_release_notes": false,
        })
    );
    // The tag message carries the notes too.
    assert_eq!(
        f.repo
            .git(&["for-each-ref", "--format=%(contents)", "refs/tags/v2.0.0"]),
        "Release 2.0.0\n\nBreaking: everything.\n\n"
    );
    let text = stdout(&out);
    assert!(
        text.trim_end()
            .ends_with("; GitHub release: https://github.com/owner/mypkg/releases/tag/v2.0.0"),
        "{text}"
    );
    assert!(!format!("{text}{}", stderr(&out)).contains("gho_secret_token_value"));
}

#[test]
fn a_refused_github_release_says_the_tag_is_pushed_and_how_to_create_the_release() {
    let f = Fixture::new(
        TEST_PASSES,
        "\n[tool.relgate.checks.pytest]\nenabled = false\n",
    );
    let api = Server::start(vec![Reply::status(
        422,
        r#"{"message": "Validation Failed", "errors": [{"resource": "Release", "code": "already_exists", "field": "tag_name"}]}"#,
    )]);
    let out = f
        .repo
        .relgate()
        .env("GH_TOKEN", "gho_secret_token_value")
        .env("PATH", "/usr/bin:/bin")
        .env("RELGATE_INDEX_URL", f.index.url("/simple"))
        .args([
            "release",
            "1.0.1",
            "--yes",
            "--github-release",
            "--generate-notes",
        ])
        .args(["--repo", "owner/mypkg", "--api-url", &api.url("")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = f.normalize(&stderr(&out));
    assert!(
        err.ends_with(
            "error: the GitHub release was not created: GitHub answered HTTP 422 for the release v1.0.1 of owner/mypkg: Validation Failed: tag_name: already_exists\n  \
             now: commit <sha> \"Release 1.0.1\" on main, annotated tag v1.0.1 on <sha>; both pushed to origin\n  \
             retry: gh release create v1.0.1 --verify-tag --generate-notes --repo owner/mypkg\n\
             hint: the tag is pushed: only the GitHub release is missing; create it with the command above (or on the repository's Releases page)\n"
        ),
        "{err}"
    );
    let body: Value = serde_json::from_slice(&api.requests()[0].body).unwrap();
    assert_eq!(body["generate_release_notes"], true);
    assert_eq!(body.get("body"), None);
    assert!(!err.contains("gho_secret_token_value"));
}

#[test]
fn preconditions_are_refused_before_anything_is_written() {
    let f = Fixture::new(
        TEST_PASSES,
        "\n[tool.relgate.checks.pytest]\nenabled = false\n",
    );
    let refused = |args: &[&str]| {
        let before = f.state();
        let out = f.relgate(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(f.state(), before, "{args:?} changed something");
        if args.contains(&"--yes") {
            assert_eq!(stdout(&out), "", "{args:?}");
        }
        f.normalize(&stderr(&out))
    };
    // Not a terminal, and no --yes: the plan is shown, then relgate stops.
    assert_eq!(
        refused(&["patch"]),
        "error: relgate release asks for confirmation, and there is no terminal to ask on\n\
         hint: pass --yes to release without asking (after checking the plan with --dry-run)\n"
    );
    // A version not greater than the last release, and an existing tag.
    assert_eq!(
        refused(&["0.9.0", "--yes"]),
        "error: 0.9.0 is not greater than the last release, 1.0.0 (tag v1.0.0)\n\
         hint: release a later version (relgate release 1.0.1)\n"
    );
    // A dirty tree.
    f.repo.write("src/mypkg/core.py", "x = 1\n");
    assert_eq!(
        refused(&["patch", "--yes"]),
        "error: the working tree has uncommitted changes (src/mypkg/core.py): the release commit would not hold them\n\
         hint: commit or stash them (git stash), then run relgate release again\n"
    );
    f.repo.git(&["checkout", "-q", "--", "src/mypkg/core.py"]);
    // A detached HEAD.
    f.repo.git(&["checkout", "-q", "--detach"]);
    assert_eq!(
        refused(&["patch", "--yes"]),
        "error: HEAD is detached (at <sha>): a release is committed on a branch and pushed with it\n\
         hint: switch to the branch to release from (git switch main), then run relgate release again\n"
    );
    f.repo.git(&["checkout", "-q", "main"]);
    // Behind the upstream, as the remote-tracking ref knows it.
    let clone = tempfile::tempdir().unwrap();
    git_in(
        clone.path(),
        &["clone", "-q", f.remote.path().to_str().unwrap(), "c"],
    );
    let c = clone.path().join("c");
    std::fs::write(c.join("NEWS"), "news\n").unwrap();
    git_in(&c, &["add", "NEWS"]);
    git_in(
        &c,
        &[
            "-c",
            "user.name=O",
            "-c",
            "user.email=o@example.invalid",
            "commit",
            "-q",
            "-m",
            "news",
        ],
    );
    git_in(&c, &["push", "-q", "--no-verify", "origin", "main"]);
    f.repo.git(&["fetch", "-q", "origin"]);
    assert_eq!(
        refused(&["patch", "--yes"]),
        "error: main is behind origin/main (as of the last fetch): origin/main has commits that main does not, so the push would be refused\n\
         hint: bring them in first (git pull --rebase origin main), then run relgate release again; relgate does not fetch: git fetch shows the remote's latest state\n"
    );
    // A tag of the new version that already exists elsewhere (here on another branch), in either form.
    f.repo.git(&["merge", "-q", "--ff-only", "origin/main"]);
    f.repo.git(&["checkout", "-q", "-b", "side"]);
    f.repo.write("side.txt", "side\n").commit("side");
    for tag in ["v1.0.1", "1.0.2"] {
        let made = f
            .repo
            .git_command(&["tag", tag])
            .env("RELGATE_SKIP", "1")
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", stderr(&made));
    }
    f.repo.git(&["checkout", "-q", "main"]);
    assert_eq!(
        refused(&["1.0.1", "--yes"]),
        "error: tag v1.0.1 already exists (at <sha>)\n\
         hint: release another version; if v1.0.1 was never pushed and is a mistake, delete it first: git tag -d v1.0.1\n"
    );
    assert_eq!(
        refused(&["1.0.2", "--yes"]),
        "error: 1.0.2 is already tagged, as 1.0.2\n\
         hint: release another version\n"
    );
}

#[test]
fn a_vcs_project_is_released_by_its_tag_alone() {
    let f = Fixture::with(
        "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools-scm>=8\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
         [project]\nname = \"mypkg\"\ndynamic = [\"version\"]\n\n[tool.setuptools_scm]\n\n\
         [tool.relgate]\nskip = [\"test\", \"build\"]\n",
        TEST_PASSES,
    );
    f.repo.write("NEWS", "news\n").commit("news");
    let head = f.rev("HEAD");
    let files = f.repo.snapshot();
    let out = f.relgate(&["minor", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "  2. write    nothing: the version comes from the tag (setuptools-scm)\n  \
             3. commit   none: the tag goes on HEAD ("
        ),
        "{text}"
    );
    assert_eq!(f.rev("HEAD"), head, "no commit");
    assert_eq!(f.rev("v1.1.0^{commit}"), head);
    assert_eq!(f.repo.git(&["cat-file", "-t", "v1.1.0"]).trim(), "tag");
    assert!(
        f.remote_refs()
            .contains(&format!("refs/heads/main {head}\n"))
    );
    assert!(f.remote_refs().contains("refs/tags/v1.1.0 "));
    let mut after = f.repo.snapshot();
    // Only the tag is new.
    assert_ne!(after, files);
    f.repo.git(&["tag", "-d", "v1.1.0"]);
    f.repo
        .git(&["update-ref", "-d", "refs/remotes/origin/main"]);
    f.repo
        .git(&["update-ref", "refs/remotes/origin/main", &f.rev("HEAD~1")]);
    after = f.repo.snapshot();
    assert_eq!(
        after, files,
        "anything but the tag (and origin/main) changed"
    );
}

#[test]
fn the_json_document_of_a_dry_run() {
    let f = Fixture::new(
        TEST_PASSES,
        "\n[tool.relgate.checks.pytest]\nenabled = false\n",
    );
    let out = f.relgate(&["2.0.0b1", "--dry-run", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "dry-run");
    assert_eq!(doc["previous_version"], "1.0.0");
    assert_eq!(doc["version"], "2.0.0b1");
    assert_eq!(doc["tag"], "v2.0.0b1");
    assert_eq!(doc["commit"], Value::Null);
    assert_eq!(doc["pushed"], false);
    assert_eq!(
        doc["files"],
        serde_json::json!([{"file": "pyproject.toml", "line": 4,
            "before": "version = '1.0.0'    # bumped by relgate release",
            "after": "version = '2.0.0b1'    # bumped by relgate release"}])
    );
    assert_eq!(doc["gate"]["status"], "pass");
    assert!(stderr(&out).starts_with("relgate release: mypkg 1.0.0 -> 2.0.0b1\n"));
}

#[test]
fn on_a_terminal_the_plan_is_confirmed_first() {
    let f = Fixture::new(
        TEST_PASSES,
        "\n[tool.relgate.checks.pytest]\nenabled = false\n",
    );
    // `script` gives relgate a terminal; the answer comes through it.
    let run = |answer: &str| {
        let relgate = assert_cmd::cargo::cargo_bin("relgate");
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} release patch", relgate.display()),
            "/dev/null",
        ])
        .current_dir(f.repo.path())
        .envs(f.repo.envs())
        .env_remove("VIRTUAL_ENV")
        .env("PATH", "/usr/bin:/bin")
        .env("RELGATE_INDEX_URL", f.index.url("/simple"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd
            .spawn()
            .expect("script (util-linux) runs relgate on a terminal");
        // stdin stays open until relgate is done: `script` hangs the terminal up when its input ends.
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, answer.as_bytes()).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut text).unwrap();
        drop(stdin);
        let status = child.wait().unwrap();
        assert!(status.code().is_some(), "{text}");
        text
    };
    let before = f.state();
    let text = run("n\n");
    assert_eq!(
        f.state(),
        before,
        "a release that was not confirmed changed something"
    );
    assert!(
        text.contains("Release mypkg 1.0.1 as v1.0.1 and push it to origin? [y/N] "),
        "{text}"
    );
    assert!(
        text.contains("the release was not confirmed: nothing was changed"),
        "{text}"
    );
    let text = run("y\n");
    assert!(
        text.contains("relgate: released mypkg 1.0.1: v1.0.1"),
        "{text}"
    );
    assert_eq!(f.rev("v1.0.1^{commit}"), f.rev("HEAD"));
}

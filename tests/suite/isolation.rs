//! The working tree is never written, by anyone: a project whose tests, custom check and build write into their
//! working directory (an `SSLKEYLOGFILE` named `test`, a `.nox/` cache under tests/resources, a `*.log` from a
//! conftest, a file in the package's directory, a stamp and a docs directory from a project script, the
//! build's `dist/` and `build/`), gated by `relgate check` and by the pre-push hook. The tree, ignored files
//! included (every file's bytes, mode and kind, and `git status --porcelain --ignored`), is byte-identical
//! afterwards, the checks still pass, and a second run of the same tree is remembered.

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout, test_venv, write_executable};

const PYPROJECT: &str = r#"[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "writer"
version = "1.0.0"
description = "A project whose checks write files where they run."
readme = "README.md"
license = "MIT"
requires-python = ">=3.9"

[tool.ruff]
# ruff reads the released tree in place: even a configured cache directory stays out of it.
cache-dir = ".cache/ruff"

[tool.ruff.format]

[tool.black]

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.relgate]
index = "advisory"

[tool.relgate.checks.stamp]
run = ["./scripts/stamp.sh"]
kind = "build"
"#;

/// The tests write where they run, as real test suites do.
const TESTS: &str = r#"import os
import pathlib
import ssl

import writer


def test_a_key_log_named_test():
    # urllib3's and httpx's suites point SSLKEYLOGFILE at a relative path.
    os.environ["SSLKEYLOGFILE"] = "test"
    ssl.create_default_context()
    assert pathlib.Path("test").is_file()


def test_a_nox_cache_under_the_resources():
    nox = pathlib.Path(__file__).parent / "resources" / ".nox" / "lint"
    nox.mkdir(parents=True)
    (nox / "marker").write_text("x")


def test_a_file_in_the_package():
    (pathlib.Path(writer.__file__).parent / "written.txt").write_text("x")
    assert writer.hello() == "hello"
    assert writer.__version__ == "1.0.0"
"#;

const CONFTEST: &str = "import pathlib\n\n\ndef pytest_sessionstart(session):\n    pathlib.Path(\"session.log\").write_text(\"started\\n\")\n";

const STAMP: &str = "#!/bin/sh\nset -e\ncd \"$(dirname \"$0\")/..\"\necho stamped > stamp.txt\nmkdir -p build/docs\necho '<html></html>' > build/docs/index.html\n";

/// The project, committed and tagged v1.0.0, with its own virtualenv (gitignored): the test virtualenv's
/// interpreter and packages, entry points for pytest, black and twine, ruff, and an editable install of the
/// working tree (what `pip install -e .` leaves), which the isolated copies must shadow; and the version file
/// that install generated in the package, which git ignores and the isolated copies carry.
fn writer_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", PYPROJECT)
        .write("README.md", "# writer\n")
        .write(".gitignore", ".venv/\n*.log\n/test\n.nox/\nsrc/writer/_version.py\n")
        .write(
            "src/writer/__init__.py",
            "from writer._version import version as __version__\n\n__all__ = [\"__version__\", \"hello\"]\n\n\ndef hello() -> str:\n    return \"hello\"\n",
        )
        .write("tests/conftest.py", CONFTEST)
        .write("tests/test_writes.py", TESTS)
        .write("tests/resources/data.txt", "data\n");
    write_executable(
        &repo.path().join("scripts/stamp.sh"),
        STAMP.as_bytes(),
        0o755,
    );
    repo.commit("release").tag("v1.0.0");
    make_venv(&repo);
    // What an install generates and git ignores (setuptools-scm's version file): the code imports it.
    repo.write("src/writer/_version.py", "version = \"1.0.0\"\n");
    repo
}

fn make_venv(repo: &TestRepo) {
    let out = std::process::Command::new(test_venv().join("bin/python"))
        .args(["-m", "venv", "--without-pip", ".venv"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let venv = repo.path().join(".venv");
    let site = venv.join("lib/python3.11/site-packages");
    let test_site = test_venv().join("lib/python3.11/site-packages");
    std::fs::write(
        site.join("_relgate_test_tools.pth"),
        format!("{}\n", test_site.display()),
    )
    .unwrap();
    std::fs::write(
        site.join("__editable__.writer-1.0.0.pth"),
        format!("{}\n", repo.path().join("src").display()),
    )
    .unwrap();
    for (name, module, function) in [
        ("pytest", "pytest", "console_main"),
        ("black", "black", "patched_main"),
        ("twine", "twine.__main__", "main"),
    ] {
        let text = format!(
            "#!{}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n",
            venv.join("bin/python").display()
        );
        write_executable(&venv.join("bin").join(name), text.as_bytes(), 0o755);
    }
    std::os::unix::fs::symlink(test_venv().join("bin/ruff"), venv.join("bin/ruff")).unwrap();
}

/// relgate with no activated virtualenv and no Python tools on PATH: everything comes from the project's
/// `.venv`.
fn relgate(repo: &TestRepo) -> assert_cmd::Command {
    let mut cmd = repo.relgate();
    cmd.env_remove("VIRTUAL_ENV")
        .env_remove("PYTHONPATH")
        .env("PATH", "/usr/bin:/bin");
    cmd
}

/// A check of the report: name, status, cached, message.
type Row = (String, String, bool, String);

/// `relgate check --offline --format json`: the exit code, each check's row, and the document.
#[track_caller]
fn check(repo: &TestRepo, extra: &[&str]) -> (i32, Vec<Row>, Value) {
    let out = relgate(repo)
        .args(["check", "--offline", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let checks = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["cached"].as_bool().unwrap_or(false),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.status.code().unwrap(), checks, doc)
}

/// The checks that run the project's code, or read its files, with their status and whether they were
/// remembered; the messages of pytest and the build.
fn verdicts(checks: &[Row]) -> Vec<(String, String, bool)> {
    checks
        .iter()
        .filter(|(name, ..)| {
            ["ruff", "ruff-format", "black", "pytest", "stamp", "build"].contains(&name.as_str())
        })
        .map(|(name, status, cached, _)| (name.clone(), status.clone(), *cached))
        .collect()
}

fn message<'a>(checks: &'a [Row], name: &str) -> &'a str {
    &checks.iter().find(|c| c.0 == name).unwrap().3
}

fn all(status: &str, cached: bool) -> Vec<(String, String, bool)> {
    ["ruff", "ruff-format", "black", "pytest", "stamp", "build"]
        .iter()
        .map(|n| ((*n).to_owned(), status.to_owned(), cached))
        .collect()
}

#[test]
fn relgate_check_leaves_the_tree_byte_identical_and_remembers_the_pass() {
    let repo = writer_project();
    let before = repo.snapshot();
    let (code, checks, doc) = check(&repo, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["workspace"]["mode"], "in-place");
    assert_eq!(verdicts(&checks), all("pass", false), "{doc:#}");
    assert_eq!(
        message(&checks, "pytest"),
        "3 tests passed (pytest 9.2.0, .venv/bin/pytest)"
    );
    assert_eq!(
        message(&checks, "build"),
        "built writer-1.0.0.tar.gz and writer-1.0.0-py3-none-any.whl with python -m build without isolation; twine check passed"
    );
    assert_eq!(
        message(&checks, "stamp"),
        "`./scripts/stamp.sh` exited with 0"
    );
    assert_eq!(repo.snapshot(), before, "relgate check changed the tree");
    // ruff and black read the working tree in place, their caches kept warm under the git directory.
    for cache in ["ruff", "black"] {
        assert!(
            repo.path().join(".git/relgate").join(cache).is_dir(),
            "{cache}"
        );
    }

    // The same tree again: every check is remembered, nothing runs.
    let (code, checks, doc) = check(&repo, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(verdicts(&checks), all("pass", true), "{doc:#}");
    assert_eq!(repo.snapshot(), before);

    // A working tree that is not the tag's content: the checks read an export, and still write nothing here.
    repo.write("notes.txt", "not committed\n");
    let before = repo.snapshot();
    let (code, checks, doc) = check(&repo, &["--no-cache"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["workspace"]["mode"], "export");
    assert_eq!(verdicts(&checks), all("pass", false), "{doc:#}");
    assert_eq!(repo.snapshot(), before, "relgate check changed the tree");
}

/// A failing test still leaves nothing behind, and what it wrote is in its own copy, not in the working tree
/// the next run reads: the verdict comes from the released content alone.
#[test]
fn a_test_that_fails_after_writing_leaves_nothing_behind() {
    let repo = writer_project();
    repo.write(
        "tests/test_writes.py",
        &format!("{TESTS}\n\ndef test_no_leftover():\n    assert not os.path.exists('left')\n    open('left', 'w').write('x')\n    assert False\n"),
    )
    .commit("a failing test");
    repo.git(&["tag", "-f", "v1.0.0"]);
    let before = repo.snapshot();
    for _ in 0..2 {
        let (code, checks, doc) = check(&repo, &["--only", "test"]);
        assert_eq!(code, 1, "{doc:#}");
        assert_eq!(
            message(&checks, "pytest"),
            "1 of 4 tests failed (pytest 9.2.0, .venv/bin/pytest)",
            "{doc:#}"
        );
    }
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn the_pre_push_hook_leaves_the_tree_byte_identical() {
    let repo = writer_project();
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
    let out = relgate(&repo).arg("install").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let before = repo.snapshot();
    let out = repo
        .git_command(&["push", "origin", "v1.0.0"])
        .env_remove("VIRTUAL_ENV")
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.starts_with("relgate: v1.0.0 passed "),
        "the hook did not gate the tag: {err}"
    );
    assert!(
        err.contains(" * [new tag]         v1.0.0 -> v1.0.0"),
        "{err}"
    );
    assert_eq!(
        repo.snapshot(),
        before,
        "the pre-push hook changed the tree"
    );
}

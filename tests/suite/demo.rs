//! The README's first command, `scripts/demo.sh`, for real in this checkout: it installs the demo's pinned tools
//! into examples/demo/.venv (from the package index, the first time), shows a release that passes every kind of check and one
//! that relgate refuses, and leaves the clone as it was.

use std::path::Path;
use std::process::Command;

use crate::common::{stderr, stdout};

/// `git status --porcelain --ignored` of this checkout, without the demo's virtualenv.
fn status(root: &Path) -> String {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--ignored"])
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter(|l| *l != "!! examples/demo/.venv/")
        .fold(String::new(), |text, line| text + line + "\n")
}

/// The report's line for `check` (`  ruff ....... pass ...`).
fn line_of<'a>(report: &'a str, check: &str) -> &'a str {
    let prefix = format!("  {check} ..");
    report
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line for {check}:\n{report}"))
}

#[test]
fn the_first_command_shows_a_pass_and_a_refusal_and_leaves_the_clone_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let before = status(root);
    let run = || {
        let out = Command::new(root.join("scripts/demo.sh"))
            .current_dir(root)
            .env("RELGATE", assert_cmd::cargo::cargo_bin("relgate"))
            .env_remove("VIRTUAL_ENV")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "scripts/demo.sh failed (the first run needs PyPI for the demo's tools):\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    };
    let first = run();
    let (good, bad) = first
        .split_once("== 2. Releasing demo-v0.2.0, broken three ways ==\n")
        .unwrap_or_else(|| panic!("no second release:\n{first}"));
    let good = good
        .split_once("== 1. Releasing demo-v0.1.0: the tag, the declared version, the code and its tests agree ==\n")
        .unwrap_or_else(|| panic!("no first release:\n{first}"))
        .1;
    // Every kind of check ran and passed: version, lint, format, type, test, publish, build.
    for check in [
        "version",
        "version-order",
        "ruff",
        "ruff-format",
        "mypy",
        "pytest",
        "publish-workflow",
        "release-checks",
        "metadata",
        "build",
    ] {
        let line = line_of(good, check);
        assert!(line.contains(" pass "), "{line}\n{good}");
    }
    assert!(
        good.contains("\nPASS 11 checks passed: ready to release\n"),
        "{good}"
    );
    // The refusal names each problem, where it is, and what to do.
    assert!(
        line_of(bad, "version").ends_with(
            "FAIL     0 ms  tag demo-v0.2.0 says 0.2.0, but pyproject.toml:7 declares 0.1.0"
        ),
        "{bad}"
    );
    assert!(line_of(bad, "ruff").contains(" FAIL "), "{bad}");
    assert!(
        bad.contains("\n      src/relgate_demo/__init__.py:3:8 F401 `os` imported but unused\n"),
        "{bad}"
    );
    assert!(line_of(bad, "pytest").contains(" FAIL "), "{bad}");
    assert!(
        bad.contains("      rerun them: pytest tests/test_greet.py::test_greet\n"),
        "{bad}"
    );
    assert!(line_of(bad, "mypy").contains(" pass "), "{bad}");
    assert!(
        bad.contains("\nFAIL 4 of 11 checks did not pass: do not release\n"),
        "{bad}"
    );
    assert!(
        bad.ends_with(
            "relgate refused demo-v0.2.0 (exit 1): with its hooks installed, `git tag` and `git push --tags` stop there.\n\
             In your project: relgate install (the hooks), relgate check (the gate by hand), relgate github workflow (CI).\n"
        ),
        "{bad}"
    );
    assert_eq!(status(root), before, "scripts/demo.sh changed the clone");

    // Again: nothing to install, the same verdicts, the clone still as it was.
    let second = run();
    assert!(!second.contains("installing"), "{second}");
    assert!(second.contains("\nPASS 11 checks passed: ready to release\n"));
    assert!(second.contains("\nFAIL 4 of 11 checks did not pass: do not release\n"));
    assert_eq!(status(root), before, "scripts/demo.sh changed the clone");
}

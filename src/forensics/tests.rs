//! Recognisers over short logs in the tools' real output formats: one step each, explained end to end.

use std::fmt::Write as _;

use super::input::read_bytes;
use super::{Category, Explanation, FailureReport, explain};

/// A job log running `script` (first line in the `Run` title), printing `output`, ending with `end` (the
/// runner's error line, without `##[error]`).
fn job(script: &[&str], output: &[&str], end: &str) -> String {
    let mut log = String::from("\u{feff}2025-01-01T00:00:00.0000000Z Complete job name: job\n");
    let _ = writeln!(
        log,
        "2025-01-01T00:00:01.0000000Z ##[group]Run {}",
        script[0]
    );
    for line in script {
        let _ = writeln!(
            log,
            "2025-01-01T00:00:01.0000001Z \u{1b}[36;1m{line}\u{1b}[0m"
        );
    }
    log.push_str("2025-01-01T00:00:01.0000002Z shell: /usr/bin/bash -e {0}\n");
    log.push_str("2025-01-01T00:00:01.0000003Z ##[endgroup]\n");
    for line in output {
        let _ = writeln!(log, "2025-01-01T00:00:02.0000000Z {line}");
    }
    let _ = writeln!(log, "2025-01-01T00:00:03.0000000Z ##[error]{end}");
    log.push_str("2025-01-01T00:00:04.0000000Z Cleaning up orphan processes\n");
    log
}

fn explained(text: &str) -> Explanation {
    explain(&read_bytes(text.as_bytes().to_vec(), "test.log").unwrap())
}

#[track_caller]
fn one(text: &str) -> FailureReport {
    let mut explanation = explained(text);
    assert_eq!(explanation.failures.len(), 1, "{explanation:#?}");
    explanation.failures.remove(0)
}

/// (category, message, reproduce)
fn summary(r: &FailureReport) -> (Category, &str, &str) {
    (r.category, r.error_message.as_str(), r.reproduce.as_str())
}

const EXIT_1: &str = "Process completed with exit code 1.";

#[test]
fn basedpyright_paths_relative_to_the_workspace() {
    let r = one(&job(
        &["basedpyright src"],
        &[
            "/home/runner/work/demo/demo/src/demo/__init__.py",
            "  /home/runner/work/demo/demo/src/demo/__init__.py:3:8 - warning: Import \"os\" is not accessed (reportUnusedImport)",
            "  /home/runner/work/demo/demo/src/demo/__init__.py:20:12 - error: Type \"int\" is not assignable to return type \"str\"",
            "    \"int\" is not assignable to \"str\" (reportReturnType)",
            "2 errors, 4 warnings, 0 notes",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Type,
            "2 errors, 4 warnings, 0 notes. First: src/demo/__init__.py:20:12 - error: Type \"int\" is not assignable to return type \"str\"",
            "basedpyright src"
        )
    );
}

#[test]
fn unittest_failures() {
    let r = one(&job(
        &["python -m unittest discover -s tests"],
        &[
            "F.",
            "======================================================================",
            "FAIL: test_a (test_u.T.test_a)",
            "----------------------------------------------------------------------",
            "Traceback (most recent call last):",
            "  File \"/home/runner/work/demo/demo/tests/test_u.py\", line 4, in test_a",
            "    self.assertEqual(1, 2)",
            "AssertionError: 1 != 2",
            "",
            "----------------------------------------------------------------------",
            "Ran 2 tests in 0.000s",
            "",
            "FAILED (failures=1)",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Test,
            "FAIL: test_a (test_u.T.test_a) FAILED (failures=1)",
            "python -m unittest discover -s tests"
        )
    );
}

#[test]
fn pytest_collection_error_names_the_exception() {
    let r = one(&job(
        &["uv run pytest"],
        &[
            "collected 0 items / 1 error",
            "==================================== ERRORS ====================================",
            "_____________________ ERROR collecting tests/test_bad.py ______________________",
            "tests/test_bad.py:1: in <module>",
            "    import nonexistent_mod",
            "E   ModuleNotFoundError: No module named 'nonexistent_mod'",
            "=========================== short test summary info ============================",
            "ERROR tests/test_bad.py",
            "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
            "=============================== 1 error in 0.09s ===============================",
        ],
        "Process completed with exit code 2.",
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Test,
            "ERROR tests/test_bad.py - ModuleNotFoundError: No module named 'nonexistent_mod' (1 error)",
            "uv run pytest"
        )
    );
    assert_eq!(r.exit_code, Some(2));
}

#[test]
fn formatters() {
    let black = one(&job(
        &["black --check ."],
        &[
            "would reformat /home/runner/work/demo/demo/src/demo/notes.py",
            "",
            "Oh no! 💥 💔 💥",
            "1 file would be reformatted, 2 files would be left unchanged.",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&black),
        (
            Category::Format,
            "Would reformat: src/demo/notes.py (1 file would be reformatted, 2 files would be left unchanged.)",
            "black --check ."
        )
    );
    assert_eq!(
        black.recommended_action,
        "run `black src/demo/notes.py` and commit the result; `relgate check --only format` checks it before the tag"
    );
    let isort = one(&job(
        &["isort --check-only --diff src"],
        &[
            "ERROR: /home/runner/work/demo/demo/src/demo/cli.py Imports are incorrectly sorted and/or formatted.",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&isort),
        (
            Category::Format,
            "ERROR: src/demo/cli.py Imports are incorrectly sorted and/or formatted.",
            "isort --check-only --diff src"
        )
    );
    let ruff = one(&job(
        &["ruff format --check"],
        &[
            "unformatted: File would be reformatted",
            " --> src/demo/notes.py:1:5",
            "  |",
            "1 file would be reformatted, 2 files already formatted",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&ruff),
        (
            Category::Format,
            "Would reformat: src/demo/notes.py (1 file would be reformatted, 2 files already formatted)",
            "ruff format --check"
        )
    );
    assert!(
        ruff.recommended_action
            .starts_with("run `ruff format src/demo/notes.py` and commit"),
        "{}",
        ruff.recommended_action
    );
}

#[test]
fn flake8_through_make() {
    let r = one(&job(
        &["make lint"],
        &[
            "flake8 src tests",
            "src/demo/__init__.py:3:1: F401 'os' imported but unused",
            "src/demo/__init__.py:4:1: F401 'sys' imported but unused",
            "src/demo/__init__.py:5:1: F401 'typing.List' imported but unused",
            "make: *** [Makefile:7: lint] Error 1",
        ],
        "Process completed with exit code 2.",
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Lint,
            "src/demo/__init__.py:3:1: F401 'os' imported but unused (and 2 more findings)",
            "make lint"
        )
    );
    assert_eq!(
        r.recommended_action,
        "fix the findings, then run `relgate check --only lint` before tagging again"
    );
}

#[test]
fn pylint_run_directly_and_as_a_pre_commit_hook() {
    let pylint = [
        "************* Module demo",
        "src/demo/__init__.py:14:0: C0103: Function name \"Mul\" doesn't conform to snake_case naming style (invalid-name)",
        "src/demo/__init__.py:17:11: W0613: Unused argument 'b' (unused-argument)",
        "",
        "-----------------------------------",
        "Your code has been rated at 7.50/10",
    ];
    let r = one(&job(
        &["uv run pylint src"],
        &pylint,
        "Process completed with exit code 20.",
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Lint,
            "src/demo/__init__.py:14:0: C0103 Function name \"Mul\" doesn't conform to snake_case naming style (invalid-name) (and 1 more finding)",
            "uv run pylint src"
        )
    );
    let mut hook = vec![
        "pylint...................................................................Failed",
        "- hook id: pylint",
        "- exit code: 20",
        "",
    ];
    hook.extend(pylint);
    let r = one(&job(&["pre-commit run --all-files"], &hook, EXIT_1));
    assert_eq!(
        (r.category, r.reproduce.as_str()),
        (Category::Lint, "pre-commit run pylint --all-files")
    );
    assert_eq!(
        r.recommended_action,
        "fix the findings, then run `relgate check --only lint` before tagging again"
    );
}

#[test]
fn nox_session() {
    let r = one(&job(
        &["nox -s lint tests"],
        &[
            "nox > Running session tests-3.12",
            "nox > Creating virtual environment (virtualenv) using python3.12 in .nox/tests-3-12",
            "nox > python -m pip install -e .[test]",
            "nox > pytest",
            "FAILED tests/test_bump.py::test_parse_empty - ValueError: invalid literal for int() with base 10: ''",
            "1 failed, 4 passed in 0.06s",
            "nox > Command pytest failed with exit code 1",
            "nox > Session tests-3.12 failed.",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Test,
            "FAILED tests/test_bump.py::test_parse_empty - ValueError: invalid literal for int() with base 10: '' (1 failed, 4 passed)",
            "nox -s tests-3.12"
        )
    );
}

#[test]
fn uv_publish_refusals() {
    let exists = one(&job(
        &["uv publish"],
        &[
            "Publishing 2 files https://upload.pypi.org/legacy/",
            "Uploading demo-1.4.0-py3-none-any.whl (6.0KiB)",
            "error: Failed to publish `dist/demo-1.4.0-py3-none-any.whl` to https://upload.pypi.org/legacy/",
            "  Caused by: Upload failed with status code 400 Bad Request. Server says: 400 File already exists ('demo-1.4.0-py3-none-any.whl', with blake2_256 hash '9db7'). See https://pypi.org/help/#file-name-reuse for more information.",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&exists),
        (
            Category::VersionConflict,
            "Failed to publish `dist/demo-1.4.0-py3-none-any.whl` to https://upload.pypi.org/legacy/ Caused by: Upload failed with status code 400 Bad Request. Server says: 400 File already exists ('demo-1.4.0-py3-none-any.whl', with blake2_256 hash '9db7'). See https://pypi.org/help/#file-name-reuse for more information.",
            "relgate check --only version,index"
        )
    );
    assert!(
        exists
            .recommended_action
            .starts_with("version 1.4.0 is already on the index (demo-1.4.0-py3-none-any.whl)"),
        "{}",
        exists.recommended_action
    );
    let publisher = one(&job(
        &["uv publish --trusted-publishing always"],
        &[
            "Publishing 2 files https://upload.pypi.org/legacy/",
            "error: Failed to obtain token for trusted publishing",
            "  Caused by: PyPI returned error code 422 Unprocessable Entity, is trusted publishing correctly configured?",
            "Response: {\"errors\":[{\"code\":\"invalid-publisher\",\"description\":\"valid token, but no corresponding publisher (Publisher with matching claims was not found)\"}],\"message\":\"Token request failed\"}",
            "",
            "Token claims, which must match the PyPI configuration: OidcTokenClaims {",
            "    sub: \"repo:acme/demo:environment:release\",",
            "    repository: \"acme/demo\",",
            "    repository_owner: \"acme\",",
            "    repository_owner_id: \"187305435\",",
            "    job_workflow_ref: \"acme/demo/.github/workflows/pypi_release.yml@refs/tags/v0.9.1\",",
            "    ref: \"refs/tags/v0.9.1\",",
            "}",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&publisher),
        (
            Category::Auth,
            "Failed to obtain token for trusted publishing: invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)",
            "relgate check --only publish"
        )
    );
    assert!(
        publisher.recommended_action.contains(
            "owner = acme, repository = demo, workflow = pypi_release.yml, environment = release"
        ),
        "{}",
        publisher.recommended_action
    );
}

#[test]
fn poetry_publish_bad_token() {
    let r = one(&job(
        &["poetry publish --build"],
        &[
            "Publishing demo (1.4.0) to PyPI",
            " - Uploading demo-1.4.0-py3-none-any.whl FAILED",
            "",
            "HTTP Error 403: Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information. | b'<html>403</html>'",
        ],
        EXIT_1,
    ));
    assert_eq!(
        (r.category, r.reproduce.as_str()),
        (Category::Auth, "relgate check --only publish")
    );
    assert!(
        r.error_message
            .starts_with("HTTP Error 403: Invalid or non-existent authentication information."),
        "{}",
        r.error_message
    );
}

/// An action's own error (setup-python): no tool, the annotation is the message.
#[test]
fn action_errors_are_the_message() {
    let log = "\
2025-01-01T00:00:00.0000000Z Complete job name: test (3.14)
2025-01-01T00:00:01.0000000Z ##[group]Run actions/setup-python@v5
2025-01-01T00:00:01.0000001Z with:
2025-01-01T00:00:01.0000002Z   python-version: 3.14
2025-01-01T00:00:01.0000003Z ##[endgroup]
2025-01-01T00:00:02.0000000Z ##[group]Installed versions
2025-01-01T00:00:02.1000000Z Version 3.14 was not found in the local cache
2025-01-01T00:00:02.2000000Z ##[error]The version '3.14' with architecture 'x64' was not found for Ubuntu 24.04.
The list of all available versions can be found here: https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json
2025-01-01T00:00:03.0000000Z Post job cleanup.
2025-01-01T00:00:04.0000000Z Cleaning up orphan processes
";
    let r = one(log);
    assert_eq!(
        (
            r.job.as_deref(),
            r.failed_step.as_deref(),
            r.category,
            r.error_message.as_str(),
            r.exit_code,
            r.reproduce.as_str()
        ),
        (
            Some("test (3.14)"),
            Some("Run actions/setup-python@v5"),
            Category::Other,
            "The version '3.14' with architecture 'x64' was not found for Ubuntu 24.04. The list of all available versions can be found here: https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json",
            None,
            "relgate check"
        )
    );
}

/// A run cancelled by hand: the cancellation is what there is to explain.
#[test]
fn only_a_cancelled_job() {
    let log = job(
        &["pytest"],
        &["collected 12 items", "tests/test_slow.py ....."],
        "The operation was canceled.",
    );
    let explanation = explained(&log);
    assert!(explanation.cancelled_jobs.is_empty());
    let r = &explanation.failures[0];
    assert_eq!(
        (
            r.category,
            r.error_message.as_str(),
            r.failed_step.as_deref(),
            r.reproduce.as_str()
        ),
        (
            Category::Other,
            "The operation was canceled.",
            Some("Run pytest"),
            "relgate check"
        )
    );
    assert!(
        r.recommended_action.starts_with("job was cancelled: by hand, by a newer run in the same concurrency group, or because another job of a matrix failed (fail-fast)"),
        "{}",
        r.recommended_action
    );
}

/// A post step's error counts only when nothing else failed.
#[test]
fn post_step_failure() {
    let log = "\
2025-01-01T00:00:00.0000000Z Complete job name: cache
2025-01-01T00:00:01.0000000Z ##[group]Run pytest -q
2025-01-01T00:00:01.0000001Z shell: /usr/bin/bash -e {0}
2025-01-01T00:00:01.0000002Z ##[endgroup]
2025-01-01T00:00:02.0000000Z 5 passed in 0.03s
2025-01-01T00:00:03.0000000Z Post job cleanup.
2025-01-01T00:00:03.1000000Z ##[error]Failed to save: Unable to reserve cache with key pip-Linux, another job may be creating this cache.
2025-01-01T00:00:04.0000000Z Cleaning up orphan processes
";
    let r = one(log);
    assert_eq!(
        (
            r.failed_step.as_deref(),
            r.category,
            r.error_message.as_str()
        ),
        (
            Some("Post job cleanup"),
            Category::Other,
            "Failed to save: Unable to reserve cache with key pip-Linux, another job may be creating this cache."
        )
    );
}

/// A Windows runner: backslashes, a drive, `pwsh`.
#[test]
fn windows_paths() {
    let r = one(&job(
        &["python -m mypy src"],
        &[
            "D:\\a\\demo\\demo\\src\\demo\\cli.py:6: error: Incompatible return value type (got \"str\", expected \"int\")  [return-value]",
            "Found 1 error in 1 file (checked 2 source files)",
        ],
        EXIT_1,
    ));
    assert_eq!(
        summary(&r),
        (
            Category::Type,
            "Found 1 error in 1 file (checked 2 source files). First: src\\demo\\cli.py:6: error: Incompatible return value type (got \"str\", expected \"int\")  [return-value]",
            "python -m mypy src"
        )
    );
}

/// No tool explains it: the last line that says what went wrong, not pip's closing note.
#[test]
fn the_telling_line_of_an_unknown_failure() {
    let r = one(&job(
        &["./scripts/release-notes.sh v1.4.0"],
        &[
            "Collecting changelog entries for v1.4.0",
            "fatal: ambiguous argument 'v1.3.0..v1.4.0': unknown revision or path not in the working tree.",
            "Use '--' to separate paths from revisions, like this:",
            "'git <command> [<revision>...] -- [<file>...]'",
        ],
        "Process completed with exit code 128.",
    ));
    assert_eq!(
        (
            r.category,
            r.error_message.as_str(),
            r.exit_code,
            r.reproduce.as_str()
        ),
        (
            Category::Other,
            "fatal: ambiguous argument 'v1.3.0..v1.4.0': unknown revision or path not in the working tree.",
            Some(128),
            "./scripts/release-notes.sh v1.4.0"
        )
    );
}

/// The runner went away in the middle of the tests.
#[test]
fn runner_shutdown() {
    let r = one(&job(
        &["pytest -n auto"],
        &[
            "collected 2400 items",
            "........................................ [  1%]",
        ],
        "The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
    ));
    assert_eq!(
        (r.category, r.error_message.as_str(), r.exit_code),
        (
            Category::Other,
            "The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
            None
        )
    );
    assert_eq!(
        r.recommended_action,
        "the runner went away (shut down, out of memory, or its connection lost), not the project: re-run the failed jobs (`gh run rerun <run id> --failed`)"
    );
}

#[test]
fn disk_full() {
    let r = one(&job(
        &["python -m build"],
        &[
            "* Building wheel...",
            "error: [Errno 28] No space left on device: '/tmp/build-via-sdist-x/demo-1.4.0/build'",
        ],
        EXIT_1,
    ));
    assert_eq!(
        (r.category, r.error_message.as_str()),
        (
            Category::Other,
            "error: [Errno 28] No space left on device: '/tmp/build-via-sdist-x/demo-1.4.0/build'"
        )
    );
    assert!(
        r.recommended_action
            .starts_with("the runner's disk is full"),
        "{}",
        r.recommended_action
    );
}

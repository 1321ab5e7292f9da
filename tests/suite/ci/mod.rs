//! `relgate ci explain` and `relgate ci runs`: failure reports from realistic logs in every form users have
//! (tests/fixtures/ci/: job logs, an unpacked logs archive zipped here in GitHub's layout, `gh run view
//! --log-failed` output, a copy of the web page) and hostile input; the GitHub API in [`api`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::common::{stderr, stdout};

mod api;
mod compare;
mod fallback;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ci")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `relgate ARGS` in `dir`, without a GitHub token or proxies from the environment.
fn relgate_in(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<Vec<u8>>) -> Run {
    let mut cmd = Command::cargo_bin("relgate").unwrap();
    cmd.current_dir(dir).args(args).env_remove("NO_COLOR");
    for var in [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "RELGATE_FORMAT",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: stdout(&out),
        stderr: stderr(&out),
    }
}

/// `relgate ci explain ARGS` run in tests/fixtures/ci/.
fn explain(args: &[&str]) -> Run {
    let mut all = vec!["ci", "explain"];
    all.extend_from_slice(args);
    relgate_in(&fixtures(), &all, &[], None)
}

/// The JSON document of `relgate ci explain --format json ARGS`, which must exit 0.
#[track_caller]
fn explained(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = explain(&all);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    serde_json::from_str(&run.stdout).unwrap()
}

/// A report without its excerpt (compared apart), and the excerpt's last line.
fn without_excerpt(report: &Value) -> (Value, String) {
    let mut report = report.clone();
    let excerpt = report
        .as_object_mut()
        .unwrap()
        .remove("logs_excerpt")
        .unwrap();
    let last = excerpt
        .as_str()
        .unwrap()
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    (report, last)
}

/// Zip `dir` (an unpacked logs archive) into `<tmp>/<name>`, entries in GitHub's layout.
fn zip_dir(dir: &Path, tmp: &Path, name: &str, keep: impl Fn(&str) -> bool) -> PathBuf {
    let path = tmp.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut entries = Vec::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if keep(&rel) {
            entries.push((rel, entry));
        }
    }
    entries.sort();
    for (rel, entry) in entries {
        zip.start_file(rel, options).unwrap();
        zip.write_all(&std::fs::read(entry).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn job_log_ruff_check_full_report() {
    let doc = explained(&["lint-ruff.log"]);
    assert_eq!(
        doc,
        json!({
            "relgate_version": env!("CARGO_PKG_VERSION"),
            "status": "explained",
            "form": "job-log",
            "source": "lint-ruff.log",
            "workflow": null,
            "failures": [{
                "workflow_run_id": null,
                "trigger_event": null,
                "job": "lint",
                "failed_step": "Run ruff check .",
                "error_message": "Found 4 errors. First: src/demo/__init__.py:3:8: F401 `os` imported but unused",
                "exit_code": 1,
                "timestamp": "2025-03-14T09:21:15.1192448Z",
                "logs_excerpt": "F401 `os` imported but unused\n --> src/demo/__init__.py:3:8\n  |\n1 | \"\"\"Demo package.\"\"\"\n2 |\n3 | import os\n  |        ^^\n4 | import sys\n5 | from typing import List\n  |\nhelp: Remove unused import: `os`\n\nF401 `sys` imported but unused\n[... 27 lines ...]\n6 |\n7 | __version__ = \"1.4.0\"\n  |\nhelp: Remove unused import: `typing.List`\n\nFound 4 errors.\nError: Process completed with exit code 1.",
                "category": "lint",
                "recommended_action": "fix the findings (`ruff check --fix` applies the safe fixes), then run `relgate check --only lint` before tagging again",
                "reproduce": "ruff check ."
            }],
            "cancelled_jobs": [],
            "notes": []
        })
    );
}

#[test]
fn job_log_human_report() {
    let run = explain(&["tox-lint.log"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "\
relgate ci explain · tox-lint.log (job log)

FAIL tox › Run tox -e lint,py312 · exit code 255 · lint
  error:     Found 4 errors. First: src/demo/__init__.py:3:8: F401 [*] `os` imported but unused
  at:        2025-02-03T11:12:57.2042588Z
  excerpt:
    | lint: install_deps> python -I -m pip install ruff==0.9.10
    | lint: commands[0]> ruff check --output-format concise src tests
    | src/demo/__init__.py:3:8: F401 [*] `os` imported but unused
    | src/demo/__init__.py:4:8: F401 [*] `sys` imported but unused
    | src/demo/__init__.py:5:1: UP035 `typing.List` is deprecated, use `list` instead
    | src/demo/__init__.py:5:20: F401 [*] `typing.List` imported but unused
    | Found 4 errors.
    | [*] 3 fixable with the `--fix` option.
    | lint: exit 1 (0.02 seconds) /home/runner/work/demo/demo> ruff check --output-format concise src tests pid=2391
    | lint: FAIL ✖ in 5.01 seconds
    | py312: install_deps> python -I -m pip install pytest
    | py312: install_package_deps> python -I -m pip install hatchling
    | py312: install_package> python -I -m pip install --force-reinstall --no-deps /home/runner/work/demo/demo/.tox/.tmp/package/1/demo-1.4.0.tar.gz
    | [... 1 line ...]
    | .....                                                                    [100%]
    | 5 passed in 0.03s
    | py312: OK ✔ in 6.12 seconds
    |   lint: FAIL code 1 (5.01=setup[4.99]+cmd[0.02] seconds)
    |   py312: OK (6.12=setup[5.88]+cmd[0.24] seconds)
    |   evaluation failed :( (11.15 seconds)
    | Error: Process completed with exit code 255.
  action:    fix the findings (`ruff check --fix` applies the safe fixes), then run `relgate check --only lint` before tagging again
  reproduce: tox -e lint

1 failed job explained
"
    );
    assert_eq!(run.stderr, "");
    let quiet = explain(&["-q", "tox-lint.log"]);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str()),
        (
            0,
            "\
FAIL tox › Run tox -e lint,py312 · exit code 255 · lint
  error:     Found 4 errors. First: src/demo/__init__.py:3:8: F401 [*] `os` imported but unused
  reproduce: tox -e lint

1 failed job explained
"
        )
    );
}

/// The run's logs archive: per-step files for the failed job, only the whole-job log for the cancelled one.
#[test]
fn logs_zip_matrix_with_a_cancelled_job() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = zip_dir(
        &fixtures().join("logs_13412764598"),
        tmp.path(),
        "logs_13412764598.zip",
        |_| true,
    );
    let run = relgate_in(
        tmp.path(),
        &["ci", "explain", "--format", "json", "logs_13412764598.zip"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            &doc["form"],
            &doc["source"],
            &doc["cancelled_jobs"],
            &doc["notes"]
        ),
        (
            &json!("logs-zip"),
            &json!("logs_13412764598.zip"),
            &json!(["test (3.11, ubuntu-latest)"]),
            &json!([])
        )
    );
    let failures = doc["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    let (report, last) = without_excerpt(&failures[0]);
    assert_eq!(
        report,
        json!({
            "workflow_run_id": 13_412_764_598_u64,
            "trigger_event": null,
            "job": "test (3.12, ubuntu-latest)",
            "failed_step": "Test",
            "error_message": "FAILED tests/test_bump.py::test_bump_prerelease - ValueError: invalid literal for int() with base 10: '0rc1' (2 failed, 3 passed)",
            "exit_code": 1,
            "timestamp": "2025-03-14T09:21:14.5739452Z",
            "category": "test",
            "recommended_action": "run the failing test locally: `python -m pytest tests/test_bump.py::test_bump_prerelease`; `relgate check --only test` runs the suite before the tag",
            "reproduce": "python -m pytest --color=yes -p no:cacheprovider"
        })
    );
    assert_eq!(last, "Error: Process completed with exit code 1.");
    assert!(archive.exists());

    // Per-step files missing (as GitHub sometimes serves it): the whole-job logs are cut into steps; the step is
    // named as the log names it, the first line of its script.
    let whole_only = zip_dir(
        &fixtures().join("logs_13412764598"),
        tmp.path(),
        "logs_13412764599.zip",
        |rel| !rel.contains('/'),
    );
    let run = relgate_in(
        tmp.path(),
        &["ci", "explain", "--format", "json", "logs_13412764599.zip"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let (mut report_b, _) = without_excerpt(&doc["failures"][0]);
    assert_eq!(
        (&report_b["failed_step"], &report_b["workflow_run_id"]),
        (
            &json!("Run python -m pytest \\"),
            &json!(13_412_764_599_u64)
        )
    );
    report_b["failed_step"] = json!("Test");
    report_b["workflow_run_id"] = json!(13_412_764_598_u64);
    assert_eq!(report_b, report);
    assert!(whole_only.exists());

    // The same archive unpacked.
    let run = explain(&["--format", "json", "logs_13412764598"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(without_excerpt(&doc["failures"][0]).0, report);
}

#[test]
fn gh_log_failed_two_jobs_first_failure_first() {
    let doc = explained(&["gh-log-failed.txt"]);
    assert_eq!(doc["form"], json!("gh-log"));
    let reports: Vec<(Value, String)> = doc["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(without_excerpt)
        .collect();
    assert_eq!(
        reports,
        vec![
            (
                json!({
                    "workflow_run_id": null,
                    "trigger_event": null,
                    "job": "typecheck",
                    "failed_step": "Type check",
                    "error_message": "Found 2 errors in 2 files (checked 2 source files). First: src/demo/__init__.py:20: error: Incompatible return value type (got \"int\", expected \"str\")  [return-value]",
                    "exit_code": 1,
                    "timestamp": "2025-05-02T14:03:14.7847485Z",
                    "category": "type",
                    "recommended_action": "fix the type errors, then run `relgate check --only type` before tagging again",
                    "reproduce": "uv run mypy src"
                }),
                "Error: Process completed with exit code 1.".to_string()
            ),
            (
                json!({
                    "workflow_run_id": null,
                    "trigger_event": null,
                    "job": "release / publish",
                    "failed_step": "Run pypa/gh-action-pypi-publish@release/v1",
                    "error_message": "HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/ File already exists ('demo-1.4.0-py3-none-any.whl', with blake2_256 hash '5a7bbaef507494a1537153ff244041fb127f06217b6aa6e316b1c7b0f27c45c0'). See https://pypi.org/help/#file-name-reuse for more information.",
                    "exit_code": 1,
                    "timestamp": "2025-05-02T14:05:49.5716839Z",
                    "category": "version-conflict",
                    "recommended_action": "version 1.4.0 is already on the index (demo-1.4.0-py3-none-any.whl), and a published file can never be replaced: bump the version, commit and tag again; `relgate check --only version,index` confirms the new version is free before the push",
                    "reproduce": "relgate check --only version,index"
                }),
                "Error: Docker run failed with exit code 1".to_string()
            ),
        ]
    );
    // The progress bar's redraws collapse to what a terminal shows.
    let excerpt = doc["failures"][1]["logs_excerpt"].as_str().unwrap();
    assert_eq!(
        excerpt.lines().take(2).collect::<Vec<_>>(),
        [
            "Uploading demo-1.4.0-py3-none-any.whl",
            "100% ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 6.1/6.1 kB • 00:00 • ?"
        ]
    );
}

/// The same `gh` output on stdin, and saved by PowerShell's `>` (UTF-16 with a byte-order mark).
#[test]
fn gh_log_from_stdin_and_utf16() {
    let text = std::fs::read_to_string(fixtures().join("gh-log-failed.txt")).unwrap();
    let from_file = explained(&["gh-log-failed.txt"]);
    let run = relgate_in(
        &fixtures(),
        &["ci", "explain", "--format", "json", "-"],
        &[],
        Some(text.clone().into_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut from_stdin: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(from_stdin["source"], json!("stdin"));
    from_stdin["source"] = json!("gh-log-failed.txt");
    assert_eq!(from_stdin, from_file);

    let tmp = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    for unit in text.replace('\n', "\r\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(tmp.path().join("gh-log-failed.txt"), utf16).unwrap();
    let run = relgate_in(
        tmp.path(),
        &["ci", "explain", "--format", "json", "gh-log-failed.txt"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_utf16: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(from_utf16, from_file);
}

/// Each realistic failure: the failed step, exit code, category, telling message, action and local command.
#[test]
fn categories_from_real_message_formats() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "trusted-publishing.log",
            json!({
                "job": "Publish to PyPI",
                "failed_step": "Run pypa/gh-action-pypi-publish@release/v1",
                "exit_code": 1,
                "category": "auth",
                "error_message": "Trusted publishing exchange failure: invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)",
                "recommended_action": "register this trusted publisher on the index (PyPI: the project's Settings > Publishing, or a pending publisher for a new project): owner = acme, repository = demo, workflow = release.yml, environment = pypi; these are the claims of the run's token, and any difference (a renamed workflow file, another environment) fails the exchange; `relgate check --only publish` shows the fields the workflow needs",
                "reproduce": "relgate check --only publish",
            }),
        ),
        (
            "id-token-web-copy.txt",
            json!({
                "job": null,
                "failed_step": "Run pypa/gh-action-pypi-publish@release/v1",
                "exit_code": 1,
                "category": "auth",
                "error_message": "Trusted publishing exchange failure: OpenID Connect token retrieval failed: GitHub: missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset",
                "recommended_action": "give the publishing job `permissions: id-token: write` (a job's own `permissions:` block replaces the workflow's); `relgate check --only publish` checks it before the tag",
                "reproduce": "relgate check --only publish",
            }),
        ),
        (
            "token-403.log",
            json!({
                "job": "upload",
                "failed_step": "Run python -m pip install build twine",
                "exit_code": 1,
                "category": "auth",
                "error_message": "HTTPError: 403 Forbidden from https://upload.pypi.org/legacy/ Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.",
                "recommended_action": "the index refused the credentials: create a new API token scoped to the project, store it in the secret the workflow passes (user `__token__`), or switch to trusted publishing; `relgate check --only publish` checks the workflow's authentication",
                "reproduce": "relgate check --only publish",
            }),
        ),
        (
            "twine-check-crlf.log",
            json!({
                "job": "build",
                "failed_step": "Run python -m pip install build twine",
                "exit_code": 1,
                "category": "metadata",
                "error_message": "Checking dist/demo_pkg-1.2.0-py3-none-any.whl: FAILED: `long_description` has syntax errors in markup and would not be rendered on PyPI. line 6: Warning: \"raw\" directive disabled.",
                "recommended_action": "the README does not render on the index: fix the markup at the line named above (`twine check dist/*` shows it); `relgate check --only publish,build` runs twine check before the tag",
                "reproduce": "relgate check --only publish,build",
            }),
        ),
        (
            "metadata-version.log",
            json!({
                "job": "pypi-publish",
                "failed_step": "Run pypa/gh-action-pypi-publish@v1.14.0",
                "exit_code": 1,
                "category": "metadata",
                "error_message": "Checking dist/demo-2.0.0-py3-none-any.whl: InvalidDistribution: Invalid distribution metadata: '2.5' is not a valid metadata version",
                "recommended_action": "the twine that uploads is older than the metadata your build backend writes: upgrade twine, or `pypa/gh-action-pypi-publish` to its latest release",
                "reproduce": "relgate check --only publish,build",
            }),
        ),
        (
            "pre-commit.log",
            json!({
                "job": "pre-commit",
                "failed_step": "Run pre-commit run --show-diff-on-failure --color=always --all-files",
                "exit_code": 1,
                "category": "format",
                "error_message": "pre-commit hook ruff-format modified files: 1 file reformatted, 2 files left unchanged",
                "recommended_action": "run `pre-commit run ruff-format --all-files` and commit the result; `relgate check --only format` checks it before the tag",
                "reproduce": "pre-commit run ruff-format --all-files",
            }),
        ),
        (
            "uv-build-scm.log",
            json!({
                "job": "build",
                "failed_step": "Run uv build",
                "exit_code": 2,
                "category": "build",
                "error_message": "LookupError: setuptools-scm was unable to detect version for /home/runner/work/demo/demo.",
                "recommended_action": "the checkout has no git history or tags for setuptools-scm: give `actions/checkout` `fetch-depth: 0`; `relgate check --only build` builds with the tag's version",
                "reproduce": "uv build",
            }),
        ),
        (
            "network.log",
            json!({
                "job": "test",
                "failed_step": "Run pip install -e .[test]",
                "exit_code": 1,
                "category": "network",
                "error_message": "ERROR: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: /simple/hatchling/ (Caused by ReadTimeoutError(\"HTTPSConnectionPool(host='pypi.org', port=443): Read timed out. (read timeout=15)\"))",
                "recommended_action": "a network failure, not the project: re-run the failed jobs (`gh run rerun <run id> --failed`)",
                "reproduce": "relgate check",
            }),
        ),
        (
            "timeout.log",
            json!({
                "job": "integration",
                "failed_step": "Run pytest -v tests/integration",
                "exit_code": null,
                "category": "test",
                "error_message": "The job running on runner GitHub Actions 1000000412 has exceeded the maximum execution time of 15 minutes.",
                "recommended_action": "the runner stopped the step at its time limit: look for a hang (a test waiting for input or the network), and set `timeout-minutes:` on the step; `relgate check --only test` runs the check with a timeout before the tag",
                "reproduce": "pytest -v tests/integration",
            }),
        ),
    ];
    for (fixture, want) in cases {
        let doc = explained(&[fixture]);
        let failures = doc["failures"].as_array().unwrap();
        assert_eq!(failures.len(), 1, "{fixture}");
        let got = &failures[0];
        let picked: serde_json::Map<String, Value> = want
            .as_object()
            .unwrap()
            .keys()
            .map(|k| (k.clone(), got[k].clone()))
            .collect();
        assert_eq!(Value::Object(picked), want, "{fixture}");
        assert!(
            got["logs_excerpt"]
                .as_str()
                .is_some_and(|e| e.lines().count() >= 3),
            "{fixture}: {got}"
        );
    }
}

/// A lint step that may fail (continue-on-error) fails before the tests do: the first failure is the report,
/// the later one a note.
#[test]
fn later_failed_steps_are_noted() {
    let doc = explained(&["continue-on-error.log"]);
    let (report, last) = without_excerpt(&doc["failures"][0]);
    assert_eq!(
        (
            &report["failed_step"],
            &report["category"],
            &report["error_message"]
        ),
        (
            &json!("Run ruff check --output-format=github ."),
            &json!("lint"),
            &json!("src/demo/__init__.py:3:8: F401 `os` imported but unused (and 1 more finding)")
        )
    );
    assert_eq!(last, "Error: Process completed with exit code 1.");
    assert_eq!(
        doc["notes"],
        json!([
            "checks: step \"Run pytest -q\" failed too, after \"Run ruff check --output-format=github .\" (a step with continue-on-error, or one that runs after a failure)"
        ])
    );
}

#[test]
fn a_log_without_failure_exits_1() {
    let run = explain(&["passing.log"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "\
relgate ci explain · passing.log (job log)

NONE no failed step found in passing.log: the run may have passed, or the log is incomplete (for a failed run, `gh run view RUN_ID --log-failed` holds the failed steps)
",
            ""
        )
    );
    let run = explain(&["--format", "json", "passing.log"]);
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (&doc["status"], &doc["failures"]),
        (&json!("no-failure"), &json!([]))
    );
}

const GET_A_LOG: &str = "hint: save the failed run's log with `gh run view RUN_ID --log-failed > log.txt` (or download the logs archive from the run's page) and pass that file\n";

#[test]
fn unreadable_input_exits_2_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("empty.log"), "").unwrap();
    std::fs::write(dir.join("blank.log"), "\n \n\r\n").unwrap();
    std::fs::write(dir.join("binary.log"), [0x7f, b'E', b'L', b'F', 0, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("log.txt.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]).unwrap();
    std::fs::write(dir.join("notes.md"), "# Release notes\n\nNothing to see.\n").unwrap();
    let zip = zip_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/forensics"),
        dir,
        "source.zip",
        |rel| rel == "mod.rs" || rel == "job.rs",
    );
    assert!(zip.exists());
    std::fs::write(dir.join("broken.zip"), b"PK\x03\x04 not really a zip").unwrap();
    let cases = [
        (
            "missing.log",
            format!("error: cannot read missing.log: no such file\n{GET_A_LOG}"),
        ),
        (
            "empty.log",
            format!("error: empty.log is empty: there is no log to explain\n{GET_A_LOG}"),
        ),
        (
            "blank.log",
            format!("error: blank.log is empty: there is no log to explain\n{GET_A_LOG}"),
        ),
        (
            "binary.log",
            format!(
                "error: binary.log is not a text log or a zip archive: it holds binary data\n{GET_A_LOG}"
            ),
        ),
        (
            "log.txt.gz",
            "error: log.txt.gz is gzip-compressed\nhint: decompress it first (`gunzip -k FILE`), then pass the log\n".to_string(),
        ),
        (
            "notes.md",
            // `##[` is printed `##\[`: in a step's log GitHub would read it as a workflow command.
            format!(
                "error: notes.md does not look like a GitHub Actions log: no timestamped lines, no ##\\[group]/##\\[error] markers, no `gh run view` columns\n{GET_A_LOG}"
            ),
        ),
        (
            "source.zip",
            "error: source.zip is a zip archive, but not in GitHub's logs archive layout: no `<N>_<job>.txt` or `<job>/<N>_<step>.txt` (it holds job.rs, mod.rs)\nhint: pass the run's logs archive as GitHub serves it (the run page's \"Download log archive\", or `gh api repos/OWNER/NAME/actions/runs/RUN_ID/logs > logs.zip`), or a job's log\n".to_string(),
        ),
    ];
    for (file, want) in cases {
        let run = relgate_in(dir, &["ci", "explain", file], &[], None);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (2, "", want.as_str()),
            "{file}"
        );
    }
    let run = relgate_in(dir, &["ci", "explain", "broken.zip"], &[], None);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr
            .starts_with("error: broken.zip is not a readable zip archive: "),
        "{}",
        run.stderr
    );
    let run = relgate_in(dir, &["ci", "explain"], &[], None);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: nothing to explain: give a log file, `-` for stdin, --run RUN_ID, or --tag TAG\nhint: e.g. `relgate ci explain logs_123.zip`, `gh run view 123 --log-failed | relgate ci explain -`, `relgate ci explain --run 123`, or, without GitHub, `relgate ci explain --tag v1.2.0`\n"
        )
    );
    // Under --format json, the error is a JSON document too.
    let run = relgate_in(
        dir,
        &["ci", "explain", "--format", "json", "empty.log"],
        &[],
        None,
    );
    assert_eq!(run.code, 2);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["error"]["message"],
        json!("empty.log is empty: there is no log to explain")
    );
}

/// A log far larger than what relgate keeps, with invalid UTF-8 and an endless line: bounded memory, the
/// failure at the end still found.
#[test]
fn huge_log_with_invalid_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    log.extend_from_slice(b"2025-01-01T00:00:00.0000000Z Complete job name: soak\n");
    log.extend_from_slice(b"2025-01-01T00:00:01.0000000Z ##[group]Run pytest -x\n");
    log.extend_from_slice(b"2025-01-01T00:00:01.0000001Z shell: /usr/bin/bash -e {0}\n");
    log.extend_from_slice(b"2025-01-01T00:00:01.0000002Z ##[endgroup]\n");
    for i in 0..200_000 {
        log.extend_from_slice(
            format!("2025-01-01T00:00:02.0000000Z tests/test_soak.py::test_{i} PASSED ").as_bytes(),
        );
        log.extend_from_slice(b"\xff\xfe\n");
    }
    log.extend_from_slice(b"2025-01-01T00:00:03.0000000Z ");
    log.extend(std::iter::repeat_n(b'x', 3 << 20));
    log.push(b'\n');
    log.extend_from_slice(b"2025-01-01T00:00:04.0000000Z =========================== short test summary info ============================\n");
    log.extend_from_slice(
        b"2025-01-01T00:00:04.0000001Z FAILED tests/test_soak.py::test_last - assert 0 == 1\n",
    );
    log.extend_from_slice(b"2025-01-01T00:00:04.0000002Z ========================= 1 failed, 199999 passed in 61.02s =========================\n");
    log.extend_from_slice(
        b"2025-01-01T00:00:04.0000003Z ##[error]Process completed with exit code 1.\n",
    );
    std::fs::write(tmp.path().join("soak.log"), &log).unwrap();
    let run = relgate_in(
        tmp.path(),
        &["ci", "explain", "--format", "json", "soak.log"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let (report, last) = without_excerpt(&doc["failures"][0]);
    assert_eq!(
        (
            &report["job"],
            &report["failed_step"],
            &report["error_message"],
            &report["reproduce"]
        ),
        (
            &json!("soak"),
            &json!("Run pytest -x"),
            &json!(
                "FAILED tests/test_soak.py::test_last - assert 0 == 1 (1 failed, 199999 passed)"
            ),
            &json!("pytest -x")
        )
    );
    assert_eq!(last, "Error: Process completed with exit code 1.");
}

/// A logs archive whose one step log is 513 MiB (a sparse file: the bytes cost no disk and are never read):
/// relgate reads at most 512 MiB of an entry, and says so with exit 2 rather than answer from part of it.
#[test]
fn an_entry_over_512_mib_is_exit_2_never_a_partial_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("logs_42.zip");
    let name = b"build/1_Run pytest.txt";
    let size: u32 = 513 << 20;
    // A stored entry in the zip format (APPNOTE 4.3): local header, data, central directory, end record.
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut local = Vec::new();
    for part in [
        &le32(0x0403_4b50)[..],
        &le16(20),
        &le16(0),
        &le16(0),
        &le16(0),
        &le16(0x21),
        &le32(0),
        &le32(size),
        &le32(size),
        &le16(name_len),
        &le16(0),
        name,
    ] {
        local.extend_from_slice(part);
    }
    let mut central = Vec::new();
    for part in [
        &le32(0x0201_4b50)[..],
        &le16(20),
        &le16(20),
        &le16(0),
        &le16(0),
        &le16(0),
        &le16(0x21),
        &le32(0),
        &le32(size),
        &le32(size),
        &le16(name_len),
        &le16(0),
        &le16(0),
        &le16(0),
        &le16(0),
        &le32(0),
        &le32(0),
        name,
    ] {
        central.extend_from_slice(part);
    }
    let central_at = u32::try_from(local.len()).unwrap() + size;
    let mut end = Vec::new();
    for part in [
        &le32(0x0605_4b50)[..],
        &le16(0),
        &le16(0),
        &le16(1),
        &le16(1),
        &le32(u32::try_from(central.len()).unwrap()),
        &le32(central_at),
        &le16(0),
    ] {
        end.extend_from_slice(part);
    }
    {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(&local).unwrap();
        file.seek(SeekFrom::Start(u64::from(central_at))).unwrap();
        file.write_all(&central).unwrap();
        file.write_all(&end).unwrap();
    }
    let run = relgate_in(tmp.path(), &["ci", "explain", "logs_42.zip"], &[], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: build/1_Run pytest.txt in logs_42.zip is larger than 512 MiB, more than relgate reads: a log cut there \
         could hide the failure, so there is no answer rather than a wrong one\n\
         hint: pass the failed steps' log alone: `gh run view RUN_ID --log-failed > log.txt`, then `relgate ci explain log.txt`\n"
    );
}

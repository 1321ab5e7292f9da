//! `relgate ci compare GOOD BAD`: pairs of realistic runs (tests/fixtures/ci/compare/, written from the real
//! message formats of actions/checkout, setup-python, pip, ruff, mypy, pytest, build and
//! pypa/gh-action-pypi-publish): a manual run that passes and a release run that fails on a type check the
//! manual run skipped, two runs that differ only by ruff's version, and a release run that fails on trusted
//! publishing because its environment claim differs. The workflow file is read from a real repository at each
//! run's commit, as `actions/checkout`'s own lines name it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Run, fixtures, relgate_in};
use crate::common::TestRepo;

/// The commits the fixtures' `actions/checkout` lines name; the tests put a real repository's in their place.
pub const FIXTURE_GOOD: &str = "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
pub const FIXTURE_BAD: &str = "9f2c4e1b7a3d5c8e0f6a2b4d1c3e5f7a9b0d2e4f";

pub const RELEASE_WORKFLOW: &str = "\
name: Release
on:
  push:
    tags: ['v*']
  workflow_dispatch:
jobs:
  build:
    name: Build and check
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - name: Install tools
        run: python -m pip install build ruff mypy pytest
      - name: Lint
        run: ruff check .
      - name: Type check
        if: github.event_name == 'push'
        run: mypy src
      - name: Test
        run: pytest -q
      - name: Build
        run: python -m build
";

const PUBLISH_WORKFLOW: &str = "\
name: Publish
on:
  push:
    tags: ['v*']
  workflow_dispatch:
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - run: python -m pip install build
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
";

pub fn compare_fixture(name: &str) -> PathBuf {
    fixtures().join("compare").join(name)
}

/// A repository whose `main` holds the release workflow (the manual run's commit), then the release commit,
/// tagged v1.4.0: `(repo, good commit, bad commit)`.
pub fn release_repo(workflow_path: &str, good: &str, bad: &str) -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.write(workflow_path, good)
        .write(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"1.4.0.dev3\"\n",
        )
        .commit("release workflow");
    let good_sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write(workflow_path, bad)
        .write(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"1.4.0\"\n",
        )
        .commit("Release 1.4.0")
        .tag("v1.4.0");
    let bad_sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    (repo, good_sha, bad_sha)
}

/// The fixture with the commit its checkout names replaced by `sha`, written into `dir`.
pub fn at_commit(dir: &Path, fixture: &str, fixture_sha: &str, sha: &str) -> PathBuf {
    let text = std::fs::read_to_string(compare_fixture(fixture)).unwrap();
    let text = text
        .replace(fixture_sha, sha)
        .replace(&fixture_sha[..7], &sha[..7]);
    let path = dir.join(fixture);
    std::fs::write(&path, text).unwrap();
    path
}

/// Real commits in the output made stable.
fn stable(text: &str, good: &str, bad: &str) -> String {
    text.replace(good, "<good>")
        .replace(bad, "<bad>")
        .replace(&good[..7], "<good>")
        .replace(&bad[..7], "<bad>")
}

fn compare(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["ci", "compare"];
    all.extend_from_slice(args);
    relgate_in(dir, &all, &[], None)
}

#[track_caller]
fn compared(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = compare(dir, &all);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    serde_json::from_str(&run.stdout).unwrap()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The manual run passes, the release run fails on mypy, which the manual run never ran: its step's `if:`
/// tests `github.event_name`, which the workflow file at the manual run's commit names.
#[test]
fn a_release_run_fails_on_a_type_check_the_manual_run_skipped() {
    let (repo, good, bad) = release_repo(
        ".github/workflows/release.yml",
        RELEASE_WORKFLOW,
        RELEASE_WORKFLOW,
    );
    let logs = tempfile::tempdir().unwrap();
    let good_log = at_commit(logs.path(), "manual-run.log", FIXTURE_GOOD, &good);
    let bad_log = at_commit(logs.path(), "release-run.log", FIXTURE_BAD, &bad);
    let before = repo.snapshot();
    let run = compare(repo.path(), &[path_str(&good_log), path_str(&bad_log)]);
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let shown =
        stable(&run.stdout, &good, &bad).replace(&format!("{}/", logs.path().display()), "");
    assert_eq!(
        shown,
        "\
relgate ci compare · good: manual-run.log (job log) · bad: release-run.log (job log)

              good                                       bad
  outcome     passed                                     failed
  workflow    .github/workflows/release.yml              .github/workflows/release.yml
  checkout    refs/heads/main @ <good>                  refs/tags/v1.4.0 @ <bad>
  runner      ubuntu-24.04 20250309.1.0, runner 2.322.0  ubuntu-24.04 20250309.1.0, runner 2.322.0

jobs and steps (good, bad):
  Build and check
    passed    passed    Run actions/checkout@v4
    passed    passed    Run actions/setup-python@v5
    passed    passed    Install tools
    passed    passed    Lint
    absent    failed    Type check  (good: skipped by `if: github.event_name == 'push'`)
    passed    absent    Test  (bad: an earlier step failed)
    passed    absent    Build  (bad: an earlier step failed)

first difference: Build and check › Type check: absent (skipped by `if: github.event_name == 'push'`) in the good run, failed in the bad run

FAIL Build and check › Run mypy src · exit code 1 · type
  error:     Found 1 error in 1 file (checked 3 source files). First: src/demo/core.py:9: error: Incompatible return value type (got \"int\", expected \"str\")  [return-value]
  at:        2025-03-14T09:21:08.4910701Z
  excerpt:
    | src/demo/core.py:9: error: Incompatible return value type (got \"int\", expected \"str\")  [return-value]
    | Found 1 error in 1 file (checked 3 source files)
    | Error: Process completed with exit code 1.
  action:    fix the type errors, then run `relgate check --only type` before tagging again
  reproduce: mypy src

conclusion: step \"Type check\" (type) failed in the bad run and did not run in the good run (skipped by `if: github.event_name == 'push'`): the good run's success says nothing about it
check:      relgate check --only type
"
    );

    let doc = compared(repo.path(), &[path_str(&good_log), path_str(&bad_log)]);
    assert_eq!(
        (&doc["status"], &doc["conclusion"]),
        (
            &json!("explained"),
            &json!({
                "cause": "step \"Type check\" (type) failed in the bad run and did not run in the good run (skipped by `if: github.event_name == 'push'`): the good run's success says nothing about it",
                "check": "relgate check --only type",
                "category": "type"
            })
        )
    );
    assert_eq!(
        doc["first_difference"],
        json!({
            "job": "Build and check",
            "step": "Type check",
            "good": "absent",
            "bad": "failed",
            "good_reason": "skipped by `if: github.event_name == 'push'`",
            "bad_reason": null
        })
    );
    assert_eq!(
        (
            &doc["good"]["checkout_ref"],
            &doc["good"]["checkout_commit"],
            &doc["bad"]["checkout_ref"],
            &doc["bad"]["checkout_commit"]
        ),
        (
            &json!("refs/heads/main"),
            &json!(good),
            &json!("refs/tags/v1.4.0"),
            &json!(bad)
        )
    );
    // The failure is the one `ci explain` reports for the bad log, in the same schema.
    let explained = relgate_in(
        repo.path(),
        &["ci", "explain", "--format", "json", path_str(&bad_log)],
        &[],
        None,
    );
    let explained: Value = serde_json::from_str(&explained.stdout).unwrap();
    assert_eq!(doc["failures"], explained["failures"]);
    assert_eq!(doc["environment"], json!([]));
}

/// Without the repository, the logs alone: the step is absent from the good run, and nothing names why.
#[test]
fn without_the_repository_the_logs_alone_still_conclude() {
    let dir = tempfile::tempdir().unwrap();
    let doc = compared(
        dir.path(),
        &[
            path_str(&compare_fixture("manual-run.log")),
            path_str(&compare_fixture("release-run.log")),
        ],
    );
    assert_eq!(
        doc["conclusion"]["cause"],
        json!(
            "step \"Run mypy src\" (type) failed in the bad run and did not run in the good run: the good run's success says nothing about it"
        )
    );
    assert_eq!(
        doc["notes"],
        json!([
            "not in a git repository: the runs' workflow files cannot be read to name the conditions that skipped steps"
        ])
    );
    let steps: Vec<String> = doc["jobs"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s["good"].as_str().unwrap(),
                s["bad"].as_str().unwrap(),
                s["step"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "passed passed Run actions/checkout@v4",
            "passed passed Run actions/setup-python@v5",
            "passed passed Run python -m pip install build ruff mypy pytest",
            "passed passed Run ruff check .",
            "absent failed Run mypy src",
            "passed absent Run pytest -q",
            "passed absent Run python -m build",
        ]
    );
}

/// The same commit, the same runner, the same steps: only ruff's version differs, and that is the conclusion.
#[test]
fn two_runs_that_differ_only_by_a_tool_version() {
    let dir = tempfile::tempdir().unwrap();
    let doc = compared(
        dir.path(),
        &[
            path_str(&compare_fixture("lint-ruff-0.5.7.log")),
            path_str(&compare_fixture("lint-ruff-0.6.0.log")),
        ],
    );
    assert_eq!(
        doc["environment"],
        json!([{
            "job": "lint",
            "step": null,
            "kind": "package",
            "name": "ruff",
            "good": "0.5.7",
            "bad": "0.6.0"
        }])
    );
    assert_eq!(
        doc["conclusion"],
        json!({
            "cause": "step \"Run ruff check --output-format concise .\" (lint) ran in both runs with a different ruff: 0.5.7 in the good run, 0.6.0 in the bad run; pin ruff to the version you check with, or fix what ruff 0.6.0 reports",
            "check": "relgate check --only lint",
            "category": "lint"
        })
    );
    assert_eq!(
        (
            &doc["good"]["checkout_commit"],
            &doc["bad"]["checkout_commit"]
        ),
        (&json!(FIXTURE_BAD), &json!(FIXTURE_BAD))
    );
    assert_eq!(
        doc["first_difference"]["step"],
        json!("Run ruff check --output-format concise .")
    );
}

/// The release run's trusted-publishing exchange fails: its token claims environment `release`; the manual
/// run published from the workflow at its own commit, whose job had no environment.
#[test]
fn a_release_run_fails_on_trusted_publishing_because_the_environment_claim_differs() {
    let with_environment = PUBLISH_WORKFLOW.replace(
        "    runs-on: ubuntu-latest\n",
        "    runs-on: ubuntu-latest\n    environment: release\n",
    );
    let (repo, good, bad) = release_repo(
        ".github/workflows/publish.yml",
        PUBLISH_WORKFLOW,
        &with_environment,
    );
    let logs = tempfile::tempdir().unwrap();
    let good_log = at_commit(logs.path(), "publish-manual.log", FIXTURE_GOOD, &good);
    let bad_log = at_commit(logs.path(), "publish-release.log", FIXTURE_BAD, &bad);
    let doc = compared(repo.path(), &[path_str(&good_log), path_str(&bad_log)]);
    assert_eq!(
        doc["environment"],
        json!([{
            "job": "publish",
            "step": "Run pypa/gh-action-pypi-publish@release/v1",
            "kind": "claim",
            "name": "environment",
            "good": "(none)",
            "bad": "release"
        }])
    );
    assert_eq!(
        doc["conclusion"],
        json!({
            "cause": "the index refused the bad run's trusted-publishing token: its environment claim is `release`, the good run's `(none)`; a trusted publisher matches every claim exactly (register one for the bad run's claims, or publish from the job the good run used)",
            "check": "relgate publish auth",
            "category": "auth"
        })
    );
    assert_eq!(doc["failures"][0]["category"], json!("auth"));
    assert_eq!(
        doc["bad"]["workflow_file"],
        json!(".github/workflows/publish.yml")
    );

    // The logs alone do not hold the good run's claims (a successful exchange prints none): said so.
    let elsewhere = tempfile::tempdir().unwrap();
    let doc = compared(
        elsewhere.path(),
        &[
            path_str(&compare_fixture("publish-manual.log")),
            path_str(&compare_fixture("publish-release.log")),
        ],
    );
    assert_eq!(doc["environment"], json!([]));
    assert_eq!(
        doc["conclusion"]["cause"],
        json!(
            "the index refused the bad run's credentials (Trusted publishing exchange failure: invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)); the good run's token claims are not in its log (a successful exchange prints none): compare the bad run's claims with the trusted publisher registered on the index"
        )
    );
}

/// The good run from stdin, and the ways the command line can be wrong.
#[test]
fn stdin_once_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(compare_fixture("lint-ruff-0.5.7.log")).unwrap();
    let bad = compare_fixture("lint-ruff-0.6.0.log");
    let run = relgate_in(
        dir.path(),
        &["ci", "compare", "-q", "-", path_str(&bad)],
        &[],
        Some(good),
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "conclusion: step \"Run ruff check --output-format concise .\" (lint) ran in both runs with a different ruff: 0.5.7 in the good run, 0.6.0 in the bad run; pin ruff to the version you check with, or fix what ruff 0.6.0 reports\ncheck:      relgate check --only lint\n",
            ""
        )
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![path_str(&bad)],
            "error: ci compare needs two runs, the good one first; got 1 log(s)\nhint: e.g. `relgate ci compare manual-run.log release-run.log`, or `relgate ci compare --good-run 123 --bad-run 456`\n",
        ),
        (
            vec!["-", "-"],
            "error: only one of the two logs can come from stdin (`-`)\nhint: save one of them to a file first, e.g. `gh run view 123 --log > good.log`\n",
        ),
        (
            vec!["--good-run", "1", path_str(&bad), path_str(&bad)],
            "error: ci compare needs two runs, the good one first; got 2 log(s) and --good-run\nhint: e.g. `relgate ci compare manual-run.log release-run.log`, or `relgate ci compare --good-run 123 --bad-run 456`\n",
        ),
        (
            vec!["missing.log", path_str(&bad)],
            "error: cannot read missing.log: no such file\nhint: save the failed run's log with `gh run view RUN_ID --log-failed > log.txt` (or download the logs archive from the run's page) and pass that file\n",
        ),
    ];
    for (args, want) in cases {
        let run = compare(dir.path(), &args);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (2, "", want),
            "{args:?}"
        );
    }
    // A bad "run" that holds no failure: nothing to explain, exit 1.
    let run = compare(
        dir.path(),
        &[
            path_str(&compare_fixture("lint-ruff-0.5.7.log")),
            path_str(&compare_fixture("lint-ruff-0.5.7.log")),
        ],
    );
    let passing = compare_fixture("lint-ruff-0.5.7.log");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.ends_with(&format!(
            "\n\nNONE no failed step in the bad run ({}): nothing to explain\n",
            passing.display()
        )),
        "{}",
        run.stdout
    );
}

/// A hostile log: thousands of steps and installs, long lines, control characters. Memory and time stay
/// bounded; the comparison says what it left out.
#[test]
fn a_hostile_log_is_compared_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("2025-01-01T00:00:00.0000000Z Complete job name: lint\n");
    for i in 0..1500 {
        let _ = write!(
            text,
            "2025-01-01T00:00:00.0000000Z ##[group]Run step {i}\n2025-01-01T00:00:00.0000000Z shell: /usr/bin/bash -e {{0}}\n2025-01-01T00:00:00.0000000Z ##[endgroup]\n2025-01-01T00:00:00.0000000Z  + pkg{i}==1.{i}\n"
        );
    }
    let _ = writeln!(
        text,
        "2025-01-01T00:00:00.0000000Z Successfully installed {}",
        "x".repeat(200_000)
    );
    text.push_str("2025-01-01T00:00:00.0000000Z \u{1b}]0;title\u{7}\u{1b}[2Jboom\n2025-01-01T00:00:00.0000000Z ##[error]Process completed with exit code 1.\n");
    let bad = dir.path().join("bad.log");
    std::fs::write(&bad, &text).unwrap();
    let good = dir.path().join("good.log");
    std::fs::write(
        &good,
        text.replace("##[error]Process completed with exit code 1.", "done"),
    )
    .unwrap();
    let doc = compared(dir.path(), &[path_str(&good), path_str(&bad)]);
    assert_eq!(doc["jobs"][0]["steps"].as_array().map(Vec::len), Some(1000));
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("job \"lint\" of ")
                && n.as_str()
                    .unwrap()
                    .ends_with("has 1500 steps: only the first 1000 are compared")),
        "{notes:?}"
    );
    assert_eq!(doc["failures"][0]["failed_step"], json!("Run step 1499"));
}

/// A run through the API: the run (event, workflow path, head commit), its jobs with their steps (a skipped
/// step is listed as skipped), and each job's log.
fn api_run_json(id: u64, event: &str, sha: &str, conclusion: &str) -> String {
    json!({
        "id": id,
        "name": "Release",
        "display_title": "Release",
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "head_branch": if event == "push" { "v1.4.0" } else { "main" },
        "head_sha": sha,
        "run_number": id - 100,
        "path": ".github/workflows/release.yml"
    })
    .to_string()
}

fn api_jobs_json(job_id: u64, conclusions: &[(&str, &str)], conclusion: &str) -> String {
    let steps: Vec<Value> = conclusions
        .iter()
        .enumerate()
        .map(|(i, (name, c))| json!({"name": name, "number": i + 1, "conclusion": c}))
        .collect();
    json!({
        "total_count": 1,
        "jobs": [{"id": job_id, "name": "Build and check", "conclusion": conclusion, "steps": steps}]
    })
    .to_string()
}

#[test]
fn two_runs_through_the_api() {
    use crate::index::server::{Reply, Server};
    let (repo, good, bad) = release_repo(
        ".github/workflows/release.yml",
        RELEASE_WORKFLOW,
        RELEASE_WORKFLOW,
    );
    let logs = tempfile::tempdir().unwrap();
    let good_log = std::fs::read(at_commit(
        logs.path(),
        "manual-run.log",
        FIXTURE_GOOD,
        &good,
    ))
    .unwrap();
    let bad_log =
        std::fs::read(at_commit(logs.path(), "release-run.log", FIXTURE_BAD, &bad)).unwrap();
    let step = |name: &'static str, c: &'static str| (name, c);
    let good_steps = [
        step("Set up job", "success"),
        step("Run actions/checkout@v4", "success"),
        step("Run actions/setup-python@v5", "success"),
        step("Install tools", "success"),
        step("Lint", "success"),
        step("Type check", "skipped"),
        step("Test", "success"),
        step("Build", "success"),
        step("Post Run actions/setup-python@v5", "success"),
        step("Post Run actions/checkout@v4", "success"),
        step("Complete job", "success"),
    ];
    let mut bad_steps = good_steps;
    bad_steps[5].1 = "failure";
    bad_steps[6].1 = "skipped";
    bad_steps[7].1 = "skipped";
    let api = Server::routes(vec![
        (
            "/repos/acme/demo/actions/runs/201/jobs",
            Reply::ok(
                "application/json",
                api_jobs_json(2001, &good_steps, "success"),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/201",
            Reply::ok(
                "application/json",
                api_run_json(201, "workflow_dispatch", &good, "success"),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/202/jobs",
            Reply::ok(
                "application/json",
                api_jobs_json(2002, &bad_steps, "failure"),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/202",
            Reply::ok(
                "application/json",
                api_run_json(202, "push", &bad, "failure"),
            ),
        ),
        (
            "/repos/acme/demo/actions/jobs/2001/logs",
            Reply::ok("text/plain", good_log),
        ),
        (
            "/repos/acme/demo/actions/jobs/2002/logs",
            Reply::ok("text/plain", bad_log),
        ),
    ]);
    let token = "ghp_test0000000000000000000000000000000000";
    let run = relgate_in(
        repo.path(),
        &[
            "ci",
            "compare",
            "--good-run",
            "201",
            "--bad-run",
            "202",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        &[("GH_TOKEN", token)],
        None,
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    assert!(!run.stdout.contains(token));
    let shown = stable(&run.stdout, &good, &bad);
    let head: String = shown.lines().take(20).fold(String::new(), |mut out, l| {
        out.push_str(l);
        out.push('\n');
        out
    });
    assert_eq!(
        head,
        "\
relgate ci compare · good: run 201 of acme/demo (GitHub API) · bad: run 202 of acme/demo (GitHub API)

              good                                       bad
  outcome     passed                                     failed
  event       workflow_dispatch                          push
  workflow    Release (.github/workflows/release.yml)    Release (.github/workflows/release.yml)
  commit      <good>                                    <bad>
  checkout    refs/heads/main @ <good>                  refs/tags/v1.4.0 @ <bad>
  runner      ubuntu-24.04 20250309.1.0, runner 2.322.0  ubuntu-24.04 20250309.1.0, runner 2.322.0

jobs and steps (good, bad):
  Build and check
    passed    passed    Run actions/checkout@v4
    passed    passed    Run actions/setup-python@v5
    passed    passed    Install tools
    passed    passed    Lint
    skipped   failed    Type check  (good: skipped by `if: github.event_name == 'push'`)
    passed    skipped   Test  (bad: an earlier step failed)
    passed    skipped   Build  (bad: an earlier step failed)

"
    );
    assert!(
        shown.ends_with("\nconclusion: step \"Type check\" (type) failed in the bad run and did not run in the good run (skipped by `if: github.event_name == 'push'`): the good run's success says nothing about it\ncheck:      relgate check --only type\n"),
        "{shown}"
    );
    let paths: Vec<String> = api.requests().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/demo/actions/runs/201",
            "/repos/acme/demo/actions/runs/201/jobs?per_page=100&page=1",
            "/repos/acme/demo/actions/jobs/2001/logs",
            "/repos/acme/demo/actions/runs/202",
            "/repos/acme/demo/actions/runs/202/jobs?per_page=100&page=1",
            "/repos/acme/demo/actions/jobs/2002/logs",
        ]
    );
    // No token: the error says how to get the logs another way, and points at the fallback.
    let run = relgate_in(
        repo.path(),
        &[
            "ci",
            "compare",
            "--good-run",
            "201",
            "--bad-run",
            "202",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        &[],
        None,
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: no GitHub token: neither GH_TOKEN nor GITHUB_TOKEN is set\nhint: set GH_TOKEN to a token that may read the repository's Actions (`export GH_TOKEN=$(gh auth token)`), or get the log another way: `gh run view 201 --log > run-201.log`, then pass that file; without GitHub, `relgate ci explain --tag TAG` explains a release from the repository alone\n"
        )
    );
}

/// The bad run's log has expired (410): its steps come from the API's list alone, and the note points at the
/// fallback that needs no GitHub.
#[test]
fn an_expired_log_through_the_api() {
    use crate::index::server::{Reply, Server};
    let dir = tempfile::tempdir().unwrap();
    let steps = [
        ("Set up job", "success"),
        ("Lint", "success"),
        ("Type check", "failure"),
        ("Complete job", "success"),
    ];
    let api = Server::routes(vec![
        (
            "/repos/acme/demo/actions/runs/301/jobs",
            Reply::ok(
                "application/json",
                api_jobs_json(3001, &steps[..2], "success"),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/301",
            Reply::ok(
                "application/json",
                api_run_json(301, "workflow_dispatch", FIXTURE_GOOD, "success"),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/302/jobs",
            Reply::ok("application/json", api_jobs_json(3002, &steps, "failure")),
        ),
        (
            "/repos/acme/demo/actions/runs/302",
            Reply::ok(
                "application/json",
                api_run_json(302, "push", FIXTURE_BAD, "failure"),
            ),
        ),
        (
            "/repos/acme/demo/actions/jobs/",
            Reply::status(410, r#"{"message": "Gone"}"#),
        ),
    ]);
    let run = relgate_in(
        dir.path(),
        &[
            "ci",
            "compare",
            "--format",
            "json",
            "--good-run",
            "301",
            "--bad-run",
            "302",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        &[("GH_TOKEN", "ghp_test0000000000000000000000000000000000")],
        None,
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["first_difference"],
        json!({"job": "Build and check", "step": "Type check", "good": "absent", "bad": "failed", "good_reason": null, "bad_reason": null})
    );
    assert_eq!(
        doc["failures"][0]["error_message"],
        json!(
            "GitHub reports the job as failure in step \"Type check\", but its log holds no error line"
        )
    );
    assert_eq!(
        doc["notes"][1],
        json!(
            "the bad run's job \"Build and check\" has no readable log (the log of job \"Build and check\" (3002) is no longer kept by GitHub (HTTP 410); without GitHub, `relgate ci explain --tag TAG` explains a release from the repository alone): its steps are compared from the API's list only"
        )
    );
}

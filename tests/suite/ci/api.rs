//! `relgate ci explain --run` and `relgate ci runs` against the GitHub API served by a real HTTP server on
//! 127.0.0.1: the requests and headers sent, the log's redirect to another server that must not receive the
//! token, `--repo` from the `origin` remote, and each way the API can fail.

use std::path::Path;

use serde_json::{Value, json};

use super::{Run, fixtures, relgate_in, without_excerpt};
use crate::common::TestRepo;
use crate::index::server::{Reply, Server, refused_url};

const TOKEN: &str = "ghp_test0000000000000000000000000000000000";

fn run_json(id: u64, event: &str) -> String {
    json!({
        "id": id,
        "name": "Release",
        "display_title": "Release 1.4.0",
        "event": event,
        "status": "completed",
        "conclusion": "failure",
        "head_branch": "v1.4.0",
        "head_sha": "9f2c4e1b7a3d5c8e0f6a2b4d1c3e5f7a9b0d2e4f",
        "run_number": 87,
        "html_url": format!("https://github.com/acme/demo/actions/runs/{id}"),
        "created_at": "2025-03-14T09:20:58Z",
        "path": ".github/workflows/release.yml"
    })
    .to_string()
}

fn jobs_json() -> String {
    json!({
        "total_count": 2,
        "jobs": [
            {"id": 501, "name": "build", "conclusion": "success", "steps": [
                {"name": "Set up job", "number": 1, "conclusion": "success"}]},
            {"id": 502, "name": "lint", "conclusion": "failure", "steps": [
                {"name": "Set up job", "number": 1, "conclusion": "success"},
                {"name": "Run actions/checkout@v4", "number": 2, "conclusion": "success"},
                {"name": "Lint with ruff", "number": 5, "conclusion": "failure"},
                {"name": "Complete job", "number": 9, "conclusion": "success"}]}
        ]
    })
    .to_string()
}

/// The API of a run whose job 502 failed: the run, its jobs, and that job's log (`log`: its reply).
fn run_api(id: u64, event: &str, log: Reply) -> Server {
    let run = format!("/repos/acme/demo/actions/runs/{id}");
    let jobs = format!("{run}/jobs");
    Server::routes(vec![
        (jobs.as_str(), Reply::ok("application/json", jobs_json())),
        (
            run.as_str(),
            Reply::ok("application/json", run_json(id, event)),
        ),
        ("/repos/acme/demo/actions/jobs/502/logs", log),
    ])
}

fn api_run(dir: &Path, args: &[&str], token: Option<&str>) -> Run {
    let env: Vec<(&str, &str)> = token.map(|t| ("GH_TOKEN", t)).into_iter().collect();
    relgate_in(dir, args, &env, None)
}

/// `--run`: the run, its jobs and the failed job's log, which redirects to another server that must not receive
/// the token.
#[test]
fn explain_run_through_the_api() {
    let log = std::fs::read(fixtures().join("lint-ruff.log")).unwrap();
    let storage = Server::routes(vec![(
        "/logs/502",
        Reply::ok("text/plain; charset=utf-8", log),
    )]);
    // `localhost`, not 127.0.0.1: another host name, as GitHub's log storage is.
    let signed = format!(
        "http://localhost:{}/logs/502?sig=c2lnbmVk&se=2025-03-14T10%3A00%3A00Z",
        storage.port()
    );
    let api = run_api(13_412_764_598, "push", Reply::Redirect(signed));
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "explain",
            "--format",
            "json",
            "--run",
            "13412764598",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (&doc["form"], &doc["source"], &doc["workflow"]),
        (
            &json!("api"),
            &json!("run 13412764598 of acme/demo"),
            &json!("Release")
        )
    );
    let (report, last) = without_excerpt(&doc["failures"][0]);
    assert_eq!(
        report,
        json!({
            "workflow_run_id": 13_412_764_598_u64,
            "trigger_event": "push",
            "job": "lint",
            "failed_step": "Lint with ruff",
            "error_message": "Found 4 errors. First: src/demo/__init__.py:3:8: F401 `os` imported but unused",
            "exit_code": 1,
            "timestamp": "2025-03-14T09:21:15.1192448Z",
            "category": "lint",
            "recommended_action": "fix the findings (`ruff check --fix` applies the safe fixes), then run `relgate check --only lint` before tagging again",
            "reproduce": "ruff check ."
        })
    );
    assert_eq!(last, "Error: Process completed with exit code 1.");

    let seen = api.requests();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/demo/actions/runs/13412764598",
            "/repos/acme/demo/actions/runs/13412764598/jobs?per_page=100&page=1",
            "/repos/acme/demo/actions/jobs/502/logs"
        ]
    );
    for request in &seen {
        let headers = (
            request.header("authorization"),
            request.header("accept"),
            request.header("x-github-api-version"),
            request.header("user-agent"),
        );
        let bearer = format!("Bearer {TOKEN}");
        let agent = format!("relgate/{}", env!("CARGO_PKG_VERSION"));
        assert_eq!(
            headers,
            (
                Some(bearer.as_str()),
                Some("application/vnd.github+json"),
                Some("2022-11-28"),
                Some(agent.as_str())
            )
        );
    }
    let downloads = storage.requests();
    assert_eq!(downloads.len(), 1);
    assert_eq!(
        downloads[0].path,
        "/logs/502?sig=c2lnbmVk&se=2025-03-14T10%3A00%3A00Z"
    );
    assert_eq!(downloads[0].header("authorization"), None);
}

/// A redirect to the same host name on another port still goes without the token: redirects are never followed
/// with it.
#[test]
fn the_token_never_follows_a_redirect() {
    let storage = Server::routes(vec![(
        "/blob",
        Reply::ok(
            "text/plain",
            std::fs::read(fixtures().join("tox-lint.log")).unwrap(),
        ),
    )]);
    let api = run_api(7, "release", Reply::Redirect(storage.url("/blob")));
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "explain",
            "--run",
            "7",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(storage.requests().len(), 1);
    assert_eq!(storage.requests()[0].header("authorization"), None);
    assert!(
        run.stdout.starts_with(
            "relgate ci explain · run 7 of acme/demo (GitHub API) · workflow \"Release\" · on release\n\nFAIL lint › Lint with ruff · exit code 255 · lint\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn runs_lists_failed_runs() {
    let page = json!({"total_count": 2, "workflow_runs": [
        serde_json::from_str::<Value>(&run_json(13_412_764_598, "push")).unwrap(),
        serde_json::from_str::<Value>(&run_json(13_400_000_001, "workflow_dispatch")).unwrap(),
    ]})
    .to_string();
    let api = Server::routes(vec![
        (
            "/repos/acme/demo/actions/runs?status=failure",
            Reply::ok("application/json", page.clone()),
        ),
        (
            "/repos/acme/demo/actions/workflows/release.yml/runs?status=failure",
            Reply::ok("application/json", page),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "runs",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "\
failed runs of acme/demo, newest first:
  ID           WORKFLOW  EVENT                CREATED               TITLE
  13412764598  Release   push                 2025-03-14T09:20:58Z  Release 1.4.0
  13400000001  Release   workflow_dispatch    2025-03-14T09:20:58Z  Release 1.4.0
explain one: relgate ci explain --run 13412764598 --repo acme/demo
",
            ""
        )
    );
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "runs",
            "--format",
            "json",
            "--repo",
            "acme/demo",
            "--workflow",
            "release.yml",
            "--limit",
            "5",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            &doc["repository"],
            &doc["workflow"],
            doc["runs"].as_array().map(Vec::len)
        ),
        (&json!("acme/demo"), &json!("release.yml"), Some(2))
    );
    assert_eq!(doc["runs"][0]["id"], json!(13_412_764_598_u64));
    let paths: Vec<String> = api.requests().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/repos/acme/demo/actions/runs?status=failure&per_page=20",
            "/repos/acme/demo/actions/workflows/release.yml/runs?status=failure&per_page=5"
        ]
    );
}

/// `--repo` defaults to the `origin` remote, on the API's host.
#[test]
fn repository_from_the_origin_remote() {
    let api = Server::routes(vec![(
        "/repos/",
        Reply::ok(
            "application/json",
            r#"{"total_count": 0, "workflow_runs": []}"#,
        ),
    )]);
    let repo = TestRepo::new();
    repo.git(&["remote", "add", "origin", "git@127.0.0.1:acme/demo.git"]);
    let run = api_run(
        repo.path(),
        &["ci", "runs", "--api-url", &api.url("")],
        Some(TOKEN),
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "no failed runs of acme/demo\n", "")
    );
    assert_eq!(
        api.requests()[0].path,
        "/repos/acme/demo/actions/runs?status=failure&per_page=20"
    );

    let other = TestRepo::new();
    other.git(&[
        "remote",
        "add",
        "origin",
        "https://gitlab.com/acme/demo.git",
    ]);
    let run = api_run(other.path(), &["ci", "runs"], Some(TOKEN));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: the `origin` remote (https://gitlab.com/acme/demo.git) is not a repository on github.com\nhint: pass --repo OWNER/NAME (and --api-url for GitHub Enterprise)\n"
        )
    );
    let bare = tempfile::tempdir().unwrap();
    let run = api_run(bare.path(), &["ci", "runs"], Some(TOKEN));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: cannot tell which repository: no --repo, and no `origin` remote here\nhint: pass --repo OWNER/NAME\n"
        )
    );
    let run = api_run(bare.path(), &["ci", "runs", "--repo", "acme"], Some(TOKEN));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: --repo takes OWNER/NAME; got \"acme\"\nhint: e.g. --repo pypa/twine\n"
        )
    );
}

const ANOTHER_WAY: &str = "get the log another way: `gh run view 42 --log-failed > log.txt`, then `relgate ci explain log.txt`";
/// Every API error ends with the fallback that needs no GitHub at all.
const WITHOUT_GITHUB: &str =
    "without GitHub, `relgate ci explain --tag TAG` explains a release from the repository alone";

/// No token, no GitHub, and each refusal: its own message, the way to get the log anyway, no token printed.
#[test]
fn api_failures_say_how_to_get_the_log_another_way() {
    let tmp = tempfile::tempdir().unwrap();
    let explain_42 = |api: &str, token: Option<&str>| {
        api_run(
            tmp.path(),
            &[
                "ci",
                "explain",
                "--run",
                "42",
                "--repo",
                "acme/demo",
                "--api-url",
                api,
            ],
            token,
        )
    };
    let unused = Server::routes(vec![]);
    let run = explain_42(&unused.url(""), None);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr),
        (
            2,
            "",
            format!(
                "error: no GitHub token: neither GH_TOKEN nor GITHUB_TOKEN is set\nhint: set GH_TOKEN to a token that may read the repository's Actions (`export GH_TOKEN=$(gh auth token)`), or {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            )
        )
    );
    assert!(unused.requests().is_empty());

    let refused = refused_url("");
    let host = refused.trim_start_matches("http://");
    let run = explain_42(&refused, Some(TOKEN));
    assert_eq!(
        (run.code, run.stderr),
        (
            2,
            format!(
                "error: cannot reach the GitHub API at {refused}: cannot connect: connection refused by {host}\nhint: {ANOTHER_WAY}; for GitHub Enterprise, pass --api-url https://HOST/api/v3; {WITHOUT_GITHUB}\n"
            )
        )
    );

    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let reset = reset.to_string();
    let cases: Vec<(Reply, String)> = vec![
        (
            Reply::with_headers(
                401,
                &[("content-type", "application/json")],
                r#"{"message": "Bad credentials", "status": "401"}"#,
            ),
            format!(
                "error: GitHub refused the token (HTTP 401: Bad credentials)\nhint: the token in GH_TOKEN/GITHUB_TOKEN is invalid or expired: set a valid one, or {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            ),
        ),
        (
            Reply::with_headers(
                403,
                &[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", &reset),
                ],
                r#"{"message": "API rate limit exceeded for user ID 1."}"#,
            ),
            format!(
                "error: GitHub's API rate limit for this token is used up (it resets in 10 minutes)\nhint: wait for the reset, or {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            ),
        ),
        (
            Reply::with_headers(
                403,
                &[("x-ratelimit-remaining", "4999")],
                r#"{"message": "Resource not accessible by integration"}"#,
            ),
            format!(
                "error: GitHub denied access to run 42 of acme/demo (HTTP 403: Resource not accessible by integration)\nhint: the token may not read this repository's Actions (a fine-grained token needs \"Actions: read\"; a classic token needs `repo` for a private repository), or {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            ),
        ),
        (
            Reply::status(404, r#"{"message": "Not Found"}"#),
            format!(
                "error: run 42 of acme/demo not found (HTTP 404)\nhint: check --repo and the run id (`relgate ci runs` lists failed runs); a private repository answers 404 to a token that cannot see it; or {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            ),
        ),
        (
            Reply::ok("text/html", "<html>maintenance</html>"),
            format!(
                "error: GitHub's answer for run 42 of acme/demo is not the JSON expected: expected value at line 1 column 1\nhint: {ANOTHER_WAY}; {WITHOUT_GITHUB}\n"
            ),
        ),
    ];
    for (reply, want) in cases {
        let api = Server::routes(vec![("/repos/acme/demo/actions/runs/42", reply)]);
        let run = explain_42(&api.url(""), Some(TOKEN));
        assert_eq!((run.code, run.stdout.as_str(), run.stderr), (2, "", want));
    }
}

/// A run whose failed job's log has expired: a note, and nothing explained (exit 1).
#[test]
fn expired_job_log() {
    let api = run_api(42, "push", Reply::status(410, r#"{"message": "Gone"}"#));
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "explain",
            "--run",
            "42",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "\
relgate ci explain · run 42 of acme/demo (GitHub API) · workflow \"Release\"
note: lint: no log (the log of job \"lint\" (502) is no longer kept by GitHub (HTTP 410)); without GitHub, `relgate ci explain --tag TAG` explains a release from the repository alone

NONE no failed step found in run 42 of acme/demo: the run may have passed, or the log is incomplete (for a failed run, `gh run view RUN_ID --log-failed` holds the failed steps)
",
            ""
        )
    );
}

/// A renamed repository answers 301 to its new API path: followed, with the token, on the API's own origin.
#[test]
fn renamed_repository_redirect_within_the_api() {
    let api = Server::routes(vec![
        (
            "/repos/old/demo/actions/runs",
            Reply::Redirect("/repositories/99/actions/runs?status=failure&per_page=20".into()),
        ),
        (
            "/repositories/99/actions/runs",
            Reply::ok(
                "application/json",
                json!({"total_count": 1, "workflow_runs": [
                    serde_json::from_str::<Value>(&run_json(5, "push")).unwrap()
                ]})
                .to_string(),
            ),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "runs",
            "--format",
            "json",
            "--repo",
            "old/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["runs"][0]["id"], json!(5));
    let seen = api.requests();
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        seen.iter()
            .map(|s| (s.path.as_str(), s.header("authorization")))
            .collect::<Vec<_>>(),
        [
            (
                "/repos/old/demo/actions/runs?status=failure&per_page=20",
                Some(bearer.as_str())
            ),
            (
                "/repositories/99/actions/runs?status=failure&per_page=20",
                Some(bearer.as_str())
            ),
        ]
    );
}

/// The API says the job failed, its log says nothing: what is known is reported.
#[test]
fn a_failed_job_whose_log_holds_no_error() {
    let api = run_api(
        43,
        "push",
        Reply::ok(
            "text/plain",
            std::fs::read(fixtures().join("passing.log")).unwrap(),
        ),
    );
    let tmp = tempfile::tempdir().unwrap();
    let run = api_run(
        tmp.path(),
        &[
            "ci",
            "explain",
            "--format",
            "json",
            "--run",
            "43",
            "--repo",
            "acme/demo",
            "--api-url",
            &api.url(""),
        ],
        Some(TOKEN),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["failures"],
        json!([{
            "workflow_run_id": 43,
            "trigger_event": "push",
            "job": "lint",
            "failed_step": "Lint with ruff",
            "error_message": "GitHub reports the job as failure in step \"Lint with ruff\", but its log holds no error line",
            "exit_code": null,
            "timestamp": "2025-03-02T10:20:13.9888604Z",
            "logs_excerpt": "",
            "category": "other",
            "recommended_action": "open the run's page for the job's annotations (a runner that died, a log cut short), or re-run it; `gh run view 43 --log-failed > log.txt`, then `relgate ci explain log.txt`",
            "reproduce": "relgate check"
        }])
    );
}

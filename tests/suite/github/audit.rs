//! `relgate github audit`: the verdicts, the requests it reads with, each way GitHub answers no, and the
//! advisory check of `relgate check`.

use serde_json::{Value, json};

use super::fake::{FakeGitHub, REPO, State, TOKEN};
use super::{PYPROJECT, expect_statuses, project, protected_state, relgate};
use crate::index::server::Reply;

#[test]
fn an_unprotected_repository_fails_with_the_fix_for_each_setting() {
    let api = FakeGitHub::start(State::default());
    let repo = project(&api);
    let run = relgate(&repo, &api, &["audit", "--color", "never"], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "relgate github audit · {REPO} · default branch main
  default-branch ....... FAIL   no status check must pass before a merge into main
      fix: `relgate github protect` (rule set \"relgate: default branch\": the checks of the quality jobs required, force pushes and deletion blocked)
      force pushes to main are allowed
      main may be deleted
  release-tags ......... FAIL   no active tag rule set covers the release tags (refs/tags/v*): anyone who may push can create, move or delete them
      fix: `relgate github protect` (rule set \"relgate: release tags\": refs/tags/v* restricted to creation, update and deletion by repository admins); a bot that tags releases needs its app in the bypass list
  publish-environment .. FAIL   environment `pypi` (job `publish` of .github/workflows/release.yml) does not exist on GitHub: the first run creates it without any protection
      fix: `relgate github protect` (environment `pypi`: deployments from tags v* only)
      the trusted publisher on PyPI must name environment `pypi` (and workflow release.yml)
  environment-review ... skip   no publishing environment exists on GitHub yet
  actions-token ........ FAIL   every workflow's GITHUB_TOKEN may write (push commits and tags, publish releases) unless it asks for less
      fix: `relgate github protect` (default workflow permissions: read); a workflow that pushes or publishes then asks for `contents: write` or `id-token: write` in `permissions:`
FAIL 4 of 4 checks did not pass: `relgate github protect` sets what it can (--dry-run shows how)
"
        )
    );
    // Only reads, each with the API's headers.
    assert!(api.seen().iter().all(|s| s.method == "GET"
        && s.header("accept") == Some("application/vnd.github+json")
        && s.header("x-github-api-version") == Some("2022-11-28")));
    assert_eq!(
        api.requests(),
        [
            "GET /repos/acme/demo",
            "GET /repos/acme/demo/rules/branches/main?per_page=100&page=1",
            "GET /repos/acme/demo/branches/main/protection",
            "GET /repos/acme/demo/rulesets?includes_parents=true&per_page=100&page=1",
            "GET /repos/acme/demo/environments/pypi",
            "GET /repos/acme/demo/actions/permissions/workflow",
        ]
    );
}

/// Without admin rights the protection and the token defaults cannot be read: those checks are errors (never a
/// pass) naming the permission; what the branch rules show still counts.
#[test]
fn settings_a_token_cannot_read_are_errors_naming_the_permission() {
    let mut state = protected_state();
    state.admin = false;
    state.classic =
        Some(json!({"url": "https://api.github.com/repos/acme/demo/branches/main/protection"}));
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let run = relgate(&repo, &api, &["audit", "--format", "json"], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], "error");
    expect_statuses(
        &doc,
        &[
            ("default-branch", "pass", true),
            ("release-tags", "pass", true),
            ("publish-environment", "pass", true),
            ("environment-review", "pass", false),
            ("actions-token", "error", true),
        ],
    );
    let token = &doc["checks"][4];
    assert_eq!(
        token["message"],
        "cannot read the default permissions of the Actions token: GitHub denied access to the Actions token permissions of acme/demo (HTTP 403: Must have admin rights to Repository.)"
    );
    assert_eq!(
        token["details"][0],
        "fix: use a token that may read the default permissions of the Actions token: fine-grained \"Administration: read\", classic `repo`; or run the audit as a repository admin"
    );
    // The bypass list is hidden from a token that may not edit the rule set: said, not guessed.
    assert_eq!(
        doc["checks"][1]["details"][0],
        "who may bypass rule set \"relgate: release tags\" is shown only to a token that may edit it"
    );

    let protect = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(protect.code, 1, "{}{}", protect.stdout, protect.stderr);
}

#[test]
fn a_bad_token_an_unknown_repository_no_token_and_a_rate_limit_each_say_so() {
    let api = FakeGitHub::start(State::default());
    let repo = project(&api);

    let run = relgate(&repo, &api, &["audit"], Some("ghp_wrong"));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: GitHub refused the token (HTTP 401: Bad credentials)\nhint: the token in GH_TOKEN/GITHUB_TOKEN is invalid or expired: set a valid one\n"
        )
    );

    let run = relgate(&repo, &api, &["audit", "--repo", "acme/gone"], Some(TOKEN));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: repository acme/gone not found (HTTP 404)\nhint: check --repo (OWNER/NAME); a private repository answers 404 to a token that cannot see it\n"
        )
    );

    let run = relgate(&repo, &api, &["audit"], None);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: no GitHub token: neither GH_TOKEN nor GITHUB_TOKEN is set\nhint: set GH_TOKEN to a token that may read the repository (`export GH_TOKEN=$(gh auth token)`)\n"
        )
    );
    assert_eq!(api.requests().len(), 2, "no request without a token");

    // Spent half-way: the settings after it are not asked, and each is an error, never a pass.
    api.state.lock().unwrap().faults.push((
        "GET /repos/acme/demo/rulesets".into(),
        Reply::with_headers(
            403,
            &[("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "4102444800")],
            r#"{"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
        ),
    ));
    let asked = api.requests().len();
    let run = relgate(&repo, &api, &["audit", "--format", "json"], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    expect_statuses(
        &doc,
        &[
            ("default-branch", "fail", true),
            ("release-tags", "error", true),
            ("publish-environment", "error", true),
            ("environment-review", "skipped", false),
            ("actions-token", "error", true),
        ],
    );
    assert!(
        doc["checks"][4]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read the default permissions of the Actions token: GitHub's API rate limit for this token is used up (it resets in "),
        "{doc:#}"
    );
    assert_eq!(
        doc["checks"][4]["details"][0],
        "fix: wait for the reset, or use another token"
    );
    assert_eq!(
        api.requests()[asked..],
        [
            "GET /repos/acme/demo",
            "GET /repos/acme/demo/rules/branches/main?per_page=100&page=1",
            "GET /repos/acme/demo/branches/main/protection",
            "GET /repos/acme/demo/rulesets?includes_parents=true&per_page=100&page=1",
        ]
    );
}

/// `relgate check` asks GitHub only when `[tool.relgate] github-audit = true` and a token is there, and its
/// verdict only warns.
#[test]
fn the_check_gate_audits_only_when_asked_and_only_warns() {
    let api = FakeGitHub::start(State::default());
    let repo = project(&api);
    let check = |token: Option<&str>| {
        let mut cmd = repo.relgate();
        cmd.args(["check", "--only", "publish", "--format", "json"])
            .env("GITHUB_API_URL", api.url())
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN");
        if let Some(token) = token {
            cmd.env("GH_TOKEN", token);
        }
        let out = cmd.output().unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), doc)
    };
    let github = |doc: &Value| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "github")
            .cloned()
    };

    let (_, doc) = check(Some(TOKEN));
    assert_eq!(github(&doc), None, "not asked for: no github check");
    assert!(api.requests().is_empty(), "the default gate asked GitHub");

    repo.write(
        "pyproject.toml",
        &format!("{PYPROJECT}github-audit = true\n"),
    )
    .commit("audit GitHub too");
    let (code, doc) = check(None);
    let skipped = github(&doc).unwrap();
    assert_eq!(
        (code, &skipped["status"], &skipped["message"]),
        (
            0,
            &json!("skipped"),
            &json!(
                "no GitHub token (GH_TOKEN or GITHUB_TOKEN): the repository's settings were not audited"
            )
        ),
        "{doc:#}"
    );
    assert!(api.requests().is_empty());

    let (code, doc) = check(Some(TOKEN));
    let warned = github(&doc).unwrap();
    assert_eq!(code, 0, "an advisory check never fails the gate: {doc:#}");
    assert_eq!(
        (
            &warned["status"],
            &warned["required"],
            &warned["kind"],
            &warned["message"]
        ),
        (
            &json!("fail"),
            &json!(false),
            &json!("publish"),
            &json!(
                "acme/demo on GitHub: default-branch, release-tags, publish-environment, actions-token do not pass (`relgate github audit` for the details)"
            )
        )
    );
    assert!(!serde_json::to_string(&doc).unwrap().contains(TOKEN));

    api.state.lock().unwrap().clone_from(&protected_state());
    let (code, doc) = check(Some(TOKEN));
    let passed = github(&doc).unwrap();
    assert_eq!((code, &passed["status"]), (0, &json!("pass")), "{doc:#}");
}

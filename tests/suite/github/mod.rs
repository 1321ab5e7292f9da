//! `relgate github audit` and `relgate github protect` against a GitHub stand-in on 127.0.0.1 ([`fake`]) that
//! keeps the repository's settings, on a real git repository with real workflow files: the verdicts, the exact
//! requests `protect` sends, that a second run sends none, and each way GitHub refuses. Also the advisory
//! `github` check of `relgate check`.

mod fake;

use serde_json::{Value, json};

use crate::common::TestRepo;
use crate::index::server::Reply;
use fake::{FakeGitHub, REPO, State, TOKEN};

const PYPROJECT: &str = "[project]\nname = \"demo\"\nversion = \"1.4.0\"\n\n[tool.relgate]\ntag-format = \"v{version}\"\n";

/// Pull requests run ruff and mypy in `lint` and pytest in each run of the `test` matrix; `docs` runs no
/// quality tool.
const CI: &str = r#"name: CI
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/ruff-action@v3
      - run: |
          pip install mypy
          mypy src
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
        os: [ubuntu-latest]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - run: python -m pip install -e . pytest
      - run: python -m pytest -q
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: make html
"#;

/// Tag pushes build, then publish to `PyPI` by trusted publishing from environment `pypi`.
const RELEASE: &str = r#"name: Release
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run build
      - uses: actions/upload-artifact@v4
        with: {name: dist, path: dist/}
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://pypi.org/p/demo
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with: {name: dist, path: dist/}
      - uses: pypa/gh-action-pypi-publish@release/v1
"#;

/// The project's repository, its `origin` on the stand-in's host.
fn project(api: &FakeGitHub) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", PYPROJECT)
        .write(".github/workflows/ci.yml", CI)
        .write(".github/workflows/release.yml", RELEASE)
        .commit("demo");
    repo.git(&[
        "remote",
        "add",
        "origin",
        &format!("{}/{REPO}.git", api.url()),
    ]);
    repo
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", self.stdout, self.stderr))
    }
}

/// `relgate github ARGS --api-url <stand-in>` in the project, with `token` as `GH_TOKEN`; the token never
/// appears in the output.
#[track_caller]
fn relgate(repo: &TestRepo, api: &FakeGitHub, args: &[&str], token: Option<&str>) -> Run {
    let mut cmd = repo.relgate();
    cmd.arg("github").args(args).args(["--api-url", &api.url()]);
    for var in [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    if let Some(token) = token {
        cmd.env("GH_TOKEN", token);
    }
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed: {}{}",
        run.stdout,
        run.stderr
    );
    run
}

fn statuses(doc: &Value) -> Vec<(String, String, bool)> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["required"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn expect_statuses(doc: &Value, expected: &[(&str, &str, bool)]) {
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(n, s, r)| ((*n).to_owned(), (*s).to_owned(), *r))
        .collect();
    assert_eq!(statuses(doc), expected, "{doc:#}");
}

/// The four settings as `relgate github protect` leaves them, plus a reviewer on `pypi`.
fn protected_state() -> State {
    let mut state = State::default();
    state.add_ruleset(
        "Repository",
        REPO,
        json!({
            "name": "relgate: default branch", "target": "branch", "enforcement": "active",
            "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
            "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
            "rules": [
                {"type": "deletion"}, {"type": "non_fast_forward"},
                {"type": "required_status_checks", "parameters": {
                    "required_status_checks": [
                        {"context": "lint"},
                        {"context": "test (3.11, ubuntu-latest)"},
                        {"context": "test (3.12, ubuntu-latest)"}],
                    "strict_required_status_checks_policy": false}}
            ]
        }),
    );
    state.add_ruleset(
        "Repository",
        REPO,
        json!({
            "name": "relgate: release tags", "target": "tag", "enforcement": "active",
            "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
            "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}},
            "rules": [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}]
        }),
    );
    state.add_environment(
        "pypi",
        &json!({"protected_branches": false, "custom_branch_policies": true}),
        &json!([
            {"id": 3736, "node_id": "MDQ6R2F0ZTM3MzY=", "type": "required_reviewers", "prevent_self_review": false,
             "reviewers": [{"type": "User", "reviewer": {"login": "octocat", "id": 1}}]},
            {"id": 3755, "node_id": "MDQ6R2F0ZTM3NTU=", "type": "branch_policy"}
        ]),
    );
    state.policies.insert(
        "pypi".into(),
        vec![json!({"id": 361_471, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", "name": "v*", "type": "tag"})],
    );
    state.workflow =
        json!({"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false});
    state
}

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

#[test]
fn protect_sets_what_the_audit_asks_and_a_second_run_changes_nothing() {
    let api = FakeGitHub::start(State::default());
    let repo = project(&api);
    let before = repo.snapshot();
    let run = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let admins = json!([{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}]);
    assert_eq!(
        api.writes(),
        [
            (
                "POST /repos/acme/demo/rulesets".to_owned(),
                json!({
                    "name": "relgate: default branch", "target": "branch", "enforcement": "active",
                    "bypass_actors": admins,
                    "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
                    "rules": [
                        {"type": "deletion"}, {"type": "non_fast_forward"},
                        {"type": "required_status_checks", "parameters": {
                            "required_status_checks": [
                                {"context": "lint"},
                                {"context": "test (3.11, ubuntu-latest)"},
                                {"context": "test (3.12, ubuntu-latest)"}],
                            "strict_required_status_checks_policy": false}}
                    ]
                })
            ),
            (
                "POST /repos/acme/demo/rulesets".to_owned(),
                json!({
                    "name": "relgate: release tags", "target": "tag", "enforcement": "active",
                    "bypass_actors": admins,
                    "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}},
                    "rules": [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}]
                })
            ),
            (
                "PUT /repos/acme/demo/environments/pypi".to_owned(),
                json!({"deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}})
            ),
            (
                "POST /repos/acme/demo/environments/pypi/deployment-branch-policies".to_owned(),
                json!({"name": "v*", "type": "tag"})
            ),
            (
                "PUT /repos/acme/demo/actions/permissions/workflow".to_owned(),
                json!({"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false})
            ),
        ]
    );
    assert!(
        api.seen()
            .iter()
            .filter(|s| s.method != "GET")
            .all(|s| s.header("content-type") == Some("application/json")
                && s.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    assert_eq!(
        run.stdout,
        "done: create rule set \"relgate: default branch\": main requires lint, test (3.11, ubuntu-latest), test (3.12, ubuntu-latest), no force pushes, no deletion
done: create rule set \"relgate: release tags\": only repository admins may create, move or delete refs/tags/v*
done: create environment `pypi`: only the branches and tags of its deployment policies may deploy
done: let release tags `v*` deploy to environment `pypi`
done: make the workflows' GITHUB_TOKEN read-only by default
to do by hand (relgate does not change these):
  - advisory: Settings > Environments > pypi > Required reviewers (or a wait timer); not set by `relgate github protect`, which cannot choose your reviewers
check: relgate github audit
"
    );

    let audit = relgate(&repo, &api, &["audit", "--format", "json"], Some(TOKEN));
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
    let doc = audit.json();
    assert_eq!(
        (&doc["status"], &doc["repository"]),
        (&json!("pass"), &json!(REPO))
    );
    expect_statuses(
        &doc,
        &[
            ("default-branch", "pass", true),
            ("release-tags", "pass", true),
            ("publish-environment", "pass", true),
            ("environment-review", "fail", false),
            ("actions-token", "pass", true),
        ],
    );
    assert_eq!(
        doc["checks"][1]["message"],
        "creating, moving and deleting release tags is restricted: refs/tags/v* (\"relgate: release tags\"); bypass: repository admins"
    );

    let writes = api.writes().len();
    let again = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(api.writes().len(), writes, "the second run sent a change");
    assert!(
        again.stdout.starts_with("nothing to change on acme/demo\n"),
        "{}",
        again.stdout
    );
    assert_eq!(repo.snapshot(), before, "protect touched the working tree");
}

#[test]
fn dry_run_prints_each_request_and_sends_none() {
    let api = FakeGitHub::start(State::default());
    let repo = project(&api);
    let run = relgate(&repo, &api, &["protect", "--dry-run"], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(api.seen().iter().all(|s| s.method == "GET"));
    assert!(
        run.stdout.contains(
            "# make the workflows' GITHUB_TOKEN read-only by default
PUT /repos/acme/demo/actions/permissions/workflow
{
  \"can_approve_pull_request_reviews\": false,
  \"default_workflow_permissions\": \"read\"
}
"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("POST /repos/acme/demo/environments/pypi/deployment-branch-policies\n{\n  \"name\": \"v*\",\n  \"type\": \"tag\"\n}\n"));

    let json = relgate(
        &repo,
        &api,
        &["protect", "--dry-run", "--format", "json"],
        Some(TOKEN),
    );
    let doc = json.json();
    assert_eq!(doc["dry_run"], true);
    let requests: Vec<String> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["method"].as_str().unwrap(),
                c["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            "POST /repos/acme/demo/rulesets",
            "POST /repos/acme/demo/rulesets",
            "PUT /repos/acme/demo/environments/pypi",
            "POST /repos/acme/demo/environments/pypi/deployment-branch-policies",
            "PUT /repos/acme/demo/actions/permissions/workflow",
        ]
    );
    assert!(api.seen().iter().all(|s| s.method == "GET"));
}

/// An organisation rule set and a team's tag rule set are someone else's: protect adds to its own rule set
/// only, and says what only their owners can change.
#[test]
fn protect_updates_its_own_rule_set_and_leaves_others_alone() {
    let mut state = protected_state();
    // relgate's branch rule set lost a rule and a check by hand; a hand-added rule stays.
    state.rulesets[0]["rules"] = json!([
        {"type": "deletion"},
        {"type": "required_linear_history"},
        {"type": "required_status_checks", "parameters": {
            "required_status_checks": [{"context": "lint"}, {"context": "docs"}],
            "strict_required_status_checks_policy": true}}
    ]);
    state.add_ruleset(
        "Organization",
        "acme",
        json!({
            "name": "org: no force pushes", "target": "branch", "enforcement": "active",
            "conditions": {"ref_name": {"include": ["~ALL"], "exclude": []}},
            "rules": [{"type": "non_fast_forward"}]
        }),
    );
    state.add_ruleset(
        "Repository",
        REPO,
        json!({
            "name": "release managers", "target": "tag", "enforcement": "active",
            "bypass_actors": [{"actor_id": 4, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
            "conditions": {"ref_name": {"include": ["~ALL"], "exclude": []}},
            "rules": [{"type": "deletion"}]
        }),
    );
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let audit = relgate(&repo, &api, &["audit", "--format", "json"], Some(TOKEN));
    assert_eq!(audit.code, 1);
    let doc = audit.json();
    assert_eq!(
        doc["checks"][0]["message"],
        "the checks required before a merge into main leave out `test (...)` (pytest, .github/workflows/ci.yml)"
    );
    assert_eq!(
        doc["checks"][1]["message"],
        "rule set \"release managers\" lets everyone with write access bypass it: then it restricts nobody who can push"
    );

    let run = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(
        run.code, 1,
        "a manual step remains: {}{}",
        run.stdout, run.stderr
    );
    assert_eq!(
        api.writes(),
        [(
            "PUT /repos/acme/demo/rulesets/100".to_owned(),
            json!({
                "name": "relgate: default branch", "target": "branch", "enforcement": "active",
                "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
                "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
                "rules": [
                    {"type": "deletion"},
                    {"type": "required_linear_history"},
                    {"type": "required_status_checks", "parameters": {
                        "required_status_checks": [
                            {"context": "lint"}, {"context": "docs"},
                            {"context": "test (3.11, ubuntu-latest)"},
                            {"context": "test (3.12, ubuntu-latest)"}],
                        "strict_required_status_checks_policy": true}},
                    {"type": "non_fast_forward"}
                ]
            })
        )]
    );
    assert!(
        run.stdout.contains(
            "  - remove everyone with write access from the bypass list of rule set \"release managers\" (Settings > Rules > Rulesets)\n"
        ),
        "{}",
        run.stdout
    );
    let again = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(api.writes().len(), 1, "{}", again.stdout);
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
fn protect_without_admin_rights_names_the_permission_and_changes_nothing() {
    let state = State {
        admin: false,
        ..State::default()
    };
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let run = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: the token's account is not an admin of acme/demo: it may not change the repository's rule sets, environments or Actions settings
hint: use a fine-grained token with the repository permission \"Administration: write\", or a classic token with the `repo` scope, whose account is an admin of the repository; `relgate github protect --dry-run` shows the requests
"
    );
    assert!(api.writes().is_empty());
}

/// The account is an admin but the fine-grained token lacks the permission: GitHub's 403 names it.
#[test]
fn a_refused_write_stops_protect_and_says_what_was_done() {
    let mut state = State::default();
    state.faults.push((
        "PUT /repos/acme/demo/environments/".into(),
        Reply::with_headers(
            403,
            &[
                ("Content-Type", "application/json"),
                ("X-Accepted-GitHub-Permissions", "administration=write"),
            ],
            r#"{"message": "Resource not accessible by personal access token", "documentation_url": "https://docs.github.com/rest/deployments/environments#create-or-update-an-environment", "status": "403"}"#,
        ),
    ));
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let run = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr,
        "error: GitHub refused to create environment `pypi`: only the branches and tags of its deployment policies may deploy: GitHub denied access to PUT /repos/acme/demo/environments/pypi (HTTP 403: Resource not accessible by personal access token); done before it: create rule set \"relgate: default branch\": main requires lint, test (3.11, ubuntu-latest), test (3.12, ubuntu-latest), no force pushes, no deletion; create rule set \"relgate: release tags\": only repository admins may create, move or delete refs/tags/v*
hint: the token may not change acme/demo's settings: use a fine-grained token with the repository permission \"Administration: write\", or a classic token with the `repo` scope, whose account is an admin of the repository (GitHub asks for administration=write)
"
    );
    assert_eq!(api.writes().len(), 3, "nothing is sent after the refusal");
}

#[test]
fn an_invalid_rule_is_refused_with_githubs_reasons() {
    let mut state = State::default();
    // A rule set of that name exists, but relgate cannot see it as its own (an organisation's of the same name).
    state.faults.push((
        "POST /repos/acme/demo/rulesets".into(),
        Reply::with_headers(
            422,
            &[("Content-Type", "application/json")],
            r#"{"message": "Validation Failed", "errors": ["Invalid rule 'required_status_checks': Status check 'lint' is not a valid check"], "documentation_url": "https://docs.github.com/rest/repos/rules#create-a-repository-ruleset", "status": "422"}"#,
        ),
    ));
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let run = relgate(&repo, &api, &["protect", "--format", "json"], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["status"], "error");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains(
            "GitHub answered HTTP 422 for POST /repos/acme/demo/rulesets: Validation Failed (Invalid rule 'required_status_checks': Status check 'lint' is not a valid check); nothing was changed"
        ),
        "{doc:#}"
    );
    assert_eq!(
        doc["error"]["hint"],
        "GitHub does not accept this POST as it is: see its reasons above; `relgate github protect --dry-run` prints the request"
    );
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

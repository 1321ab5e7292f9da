//! `relgate github protect`: the requests it sends and their bodies, that a second run sends none, that it
//! leaves others' settings alone, and each refusal.

use serde_json::json;

use super::fake::{FakeGitHub, REPO, State, TOKEN};
use super::{expect_statuses, project, protected_state, relgate};
use crate::index::server::Reply;

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

/// A spent rate limit on a write, a token GitHub stops accepting, an unknown repository: each stops protect with
/// its own message, and nothing is sent after it.
#[test]
fn protect_stops_at_a_rate_limit_a_bad_token_and_an_unknown_repository() {
    let mut state = State::default();
    state.faults.push((
        "POST /repos/acme/demo/rulesets".into(),
        Reply::with_headers(
            429,
            &[("Retry-After", "120"), ("Content-Type", "application/json")],
            r#"{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
        ),
    ));
    let api = FakeGitHub::start(state);
    let repo = project(&api);
    let run = relgate(&repo, &api, &["protect"], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "GitHub's API rate limit for this token is used up (it resets in 2 minutes); nothing was changed\nhint: wait for the reset, or use another token\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(api.writes().len(), 1);

    let run = relgate(&repo, &api, &["protect"], Some("ghp_revoked"));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: GitHub refused the token (HTTP 401: Bad credentials)\nhint: the token in GH_TOKEN/GITHUB_TOKEN is invalid or expired: set a valid one\n"
        )
    );
    let run = relgate(
        &repo,
        &api,
        &["protect", "--repo", "acme/gone"],
        Some(TOKEN),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: repository acme/gone not found (HTTP 404)\n"),
        "{}",
        run.stderr
    );
    assert_eq!(
        api.writes().len(),
        1,
        "nothing sent to a refused token or an unknown repository"
    );
}

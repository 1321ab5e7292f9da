//! `relgate github audit` and `relgate github protect` against a GitHub stand-in on 127.0.0.1 ([`fake`]) that
//! keeps the repository's settings, on a real git repository with real workflow files: the verdicts, the exact
//! requests `protect` sends, that a second run sends none, and each way GitHub refuses. Also the advisory
//! `github` check of `relgate check`. And `relgate github workflow`, which needs no GitHub at all.

mod audit;
mod fake;
mod protect;
mod workflow;

use serde_json::{Value, json};

use crate::common::TestRepo;
use fake::{FakeGitHub, REPO, State, TOKEN};

pub const PYPROJECT: &str = "[project]\nname = \"demo\"\nversion = \"1.4.0\"\n\n[tool.relgate]\ntag-format = \"v{version}\"\n";

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
pub fn project(api: &FakeGitHub) -> TestRepo {
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

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", self.stdout, self.stderr))
    }
}

/// `relgate github ARGS --api-url <stand-in>` in the project, with `token` as `GH_TOKEN`; the token never
/// appears in the output.
#[track_caller]
pub fn relgate(repo: &TestRepo, api: &FakeGitHub, args: &[&str], token: Option<&str>) -> Run {
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

pub fn expect_statuses(doc: &Value, expected: &[(&str, &str, bool)]) {
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(n, s, r)| ((*n).to_owned(), (*s).to_owned(), *r))
        .collect();
    assert_eq!(statuses(doc), expected, "{doc:#}");
}

/// The four settings as `relgate github protect` leaves them, plus a reviewer on `pypi`.
pub fn protected_state() -> State {
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

//! The publish checks through `relgate check`: the uploading workflow, the release run's tools, the metadata,
//! with their exit codes.

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout};

const PYPROJECT: &str = "[project]\nname = \"widget\"\nversion = \"1.0.0\"\nreadme = \"README.md\"\nlicense = \"MIT\"\nrequires-python = \">=3.9\"\n\n[tool.mypy]\nstrict = true\n";

const PUBLISH: &str = r"name: Publish
on:
  release:
    types: [published]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: uv run mypy src
  pypi:
    needs: test
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";

fn project(workflow: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", PYPROJECT)
        .write("README.md", "# widget\n")
        .write(".github/workflows/publish.yml", workflow)
        .commit("release")
        .tag("v1.0.0");
    repo.git(&["remote", "add", "origin", "git@github.com:acme/widget.git"]);
    repo
}

/// `relgate check --only publish --format json`: the exit code and each check's (name, status, message).
#[track_caller]
fn publish_checks(repo: &TestRepo) -> (i32, Vec<(String, String, String)>, Value) {
    let out = repo
        .relgate()
        .args(["check", "--only", "publish", "--format", "json"])
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
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.status.code().unwrap(), checks, doc)
}

fn v(name: &str, status: &str, message: &str) -> (String, String, String) {
    (name.to_owned(), status.to_owned(), message.to_owned())
}

#[test]
fn trusted_publishing_with_id_token_passes_and_prints_the_publisher() {
    let repo = project(PUBLISH);
    let (code, checks, doc) = publish_checks(&repo);
    assert_eq!(
        checks,
        [
            v(
                "publish-workflow",
                "pass",
                "publishes from .github/workflows/publish.yml (job `pypi`, PyPI)"
            ),
            v(
                "release-checks",
                "skipped",
                "no quality check is part of this run: nothing to compare the release workflow's tools with"
            ),
            v(
                "metadata",
                "pass",
                "name widget, version 1.0.0, readme README.md (text/markdown), license MIT, requires-python >=3.9"
            ),
        ]
    );
    assert_eq!(code, 0);
    assert_eq!(
        doc["checks"][0]["details"][1],
        "  trusted publisher to register on PyPI (https://pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = publish.yml, environment = pypi"
    );
}

#[test]
fn missing_id_token_fails_with_exit_1() {
    let repo = project(&PUBLISH.replace("    permissions:\n      id-token: write\n", ""));
    let out = repo
        .relgate()
        .args(["check", "--only", "publish", "--skip", "release-checks"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(".github/workflows/publish.yml:10: job `pypi` uses trusted publishing but cannot request an OIDC token: no `permissions:` block grants `id-token: write` (no default does)"),
        "{text}"
    );
}

#[test]
fn skipping_the_tools_check_and_a_clean_workflow_pass_with_exit_0() {
    let repo = project(PUBLISH);
    let out = repo
        .relgate()
        .args([
            "check",
            "--only",
            "publish",
            "--skip",
            "release-checks",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn missing_readme_fails_the_metadata_check() {
    let repo = project(PUBLISH);
    repo.git(&["rm", "-q", "README.md"]);
    repo.commit("drop readme");
    repo.git(&["tag", "-f", "v1.0.0"]);
    let (code, checks, _) = publish_checks(&repo);
    assert_eq!(code, 1);
    assert_eq!(
        checks[2],
        v(
            "metadata",
            "fail",
            "pyproject.toml:4: readme \"README.md\" does not exist in the released tree"
        )
    );
}

#[test]
fn no_workflow_is_skipped() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", PYPROJECT)
        .write("README.md", "# widget\n")
        .commit("release")
        .tag("v1.0.0");
    let (code, checks, _) = publish_checks(&repo);
    assert_eq!(code, 0);
    let note = "no GitHub Actions workflow (.github/workflows/*.yml): nothing publishes from CI";
    assert_eq!(checks[0], v("publish-workflow", "skipped", note));
    assert_eq!(checks[1], v("release-checks", "skipped", note));
}

/// The seed's failure: the release run fails on a check the local run skipped.
#[test]
fn a_configured_tool_skipped_locally_but_run_by_the_release_fails() {
    let repo = project(PUBLISH);
    let out = repo
        .relgate()
        .args([
            "check",
            "--only",
            "publish,type",
            "--skip",
            "mypy",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let tools = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "release-checks")
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tools["status"], "fail");
    assert_eq!(
        tools["message"],
        "the release run runs mypy (publish.yml job `test`, step `Run uv run mypy src`) before publishing, but the local gate skips it: the release would fail where relgate passed"
    );
}

/// The tag being released must start the publishing workflow.
#[test]
fn a_tag_the_workflow_does_not_trigger_on_fails() {
    let repo = project(&PUBLISH.replace(
        "on:\n  release:\n    types: [published]\n",
        "on:\n  push:\n    tags: ['release-*']\n",
    ));
    let (code, checks, _) = publish_checks(&repo);
    assert_eq!(code, 1);
    assert_eq!(
        checks[0],
        v(
            "publish-workflow",
            "fail",
            ".github/workflows/publish.yml: pushing v1.0.0 does not start this workflow (tags: release-*): nothing would be published"
        )
    );
}

/// A tag filter that is not valid filter syntax is reported as such, never taken for a filter that leaves the
/// tag out (a false "nothing would be published").
#[test]
fn an_invalid_tag_filter_is_named_not_taken_for_a_refusal() {
    let repo = project(&PUBLISH.replace(
        "on:\n  release:\n    types: [published]\n",
        "on:\n  push:\n    tags: ['v[0-9']\n",
    ));
    let (code, checks, doc) = publish_checks(&repo);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(checks[0].0, "publish-workflow");
    assert_eq!(checks[0].1, "pass");
    let details = doc["checks"][0]["details"].as_array().unwrap();
    assert!(
        details.iter().any(|d| d
            == "  warning: .github/workflows/publish.yml: the tag filter \"v[0-9\" is not a valid GitHub filter pattern (the `[` at position 2 is never closed), so relgate cannot tell whether pushing v1.0.0 starts this workflow: fix the pattern (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet)"),
        "{details:#?}"
    );
}

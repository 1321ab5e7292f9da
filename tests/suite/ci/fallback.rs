//! `relgate ci explain --tag TAG` without GitHub: a real repository with a publishing workflow and two release
//! tags; the checks the release run runs are run for real on the tag's content (ruff, mypy and pytest from
//! the test virtualenv, the build with hatchling), and what changed since the previous tag is read from git.

use serde_json::{Value, json};

use crate::common::{TestRepo, stderr, stdout, test_venv};

const WORKFLOW: &str = "\
name: Release
on:
  push:
    tags: ['v*']
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - name: Install tools
        run: python -m pip install -r requirements-dev.txt
      - name: Lint
        run: ruff check .
      - name: Type check
        run: mypy src
      - name: Test
        run: pytest -q
      - name: Style (manual runs)
        if: github.event_name == 'workflow_dispatch'
        run: flake8 src
  publish:
    needs: check
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - name: Build
        run: python -m pip install build && python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
";

fn pyproject(version: &str, strict: bool) -> String {
    format!(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"demo\"\nversion = \"{version}\"\nrequires-python = \">=3.9\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.mypy]\nstrict = {strict}\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\npythonpath = [\"src\"]\n"
    )
}

/// v1.3.0 passes what its release run runs; v1.4.0 bumps the version, turns mypy's strict mode on, moves mypy's pin and
/// returns an `int` where a `str` is declared.
fn two_releases() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".github/workflows/release.yml", WORKFLOW)
        .write("pyproject.toml", &pyproject("1.3.0", false))
        .write("requirements-dev.txt", "ruff==0.17.6\nmypy==2.4.0\npytest==9.2.0\n")
        .write(".gitignore", ".venv\n")
        // flake8 is configured, and would fail, but a tag push does not run it: neither does the fallback.
        .write("setup.cfg", "[flake8]\nmax-line-length = 10\n")
        .write("src/demo/__init__.py", "from demo.core import add, name\n\n__all__ = [\"add\", \"name\"]\n")
        .write("src/demo/core.py", "def add(a: int, b: int) -> int:\n    return a + b\n\n\ndef name() -> str:\n    return \"demo\"\n")
        .write("tests/test_core.py", "from demo import add\n\n\ndef test_add() -> None:\n    assert add(2, 2) == 4\n")
        .commit("Release 1.3.0")
        .tag("v1.3.0");
    repo.write("pyproject.toml", &pyproject("1.4.0", true))
        .write("requirements-dev.txt", "ruff==0.17.6\nmypy==2.4.1\npytest==9.2.0\n")
        .write("src/demo/core.py", "def add(a: int, b: int) -> int:\n    return a + b\n\n\ndef name() -> str:\n    return 1\n")
        .commit("Release 1.4.0")
        .tag("v1.4.0");
    std::os::unix::fs::symlink(test_venv(), repo.path().join(".venv")).unwrap();
    repo
}

fn explain_tag(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .args(["ci", "explain"])
        .args(args)
        .env_remove("VIRTUAL_ENV")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

#[test]
fn a_release_explained_from_the_repository_alone() {
    let repo = two_releases();
    let sha = repo.git(&["rev-parse", "v1.4.0"]).trim().to_string();
    let (code, out, err) = explain_tag(&repo, &["--tag", "v1.4.0"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        out.replace(&sha[..7], "<sha>"),
        "\
relgate ci explain · tag v1.4.0 (<sha>) · from the repository, GitHub not asked

workflow: .github/workflows/release.yml \"Release\" runs on tag push (v*): jobs check, publish
  job `publish` uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing

release steps, checked on the tag's content:
  check › Lint                                          ruff pass
  check › Type check                                    mypy FAIL
  check › Test                                          pytest pass
  publish › Build                                       build pass
  publish › Run pypa/gh-action-pypi-publish@release/v1  publish-workflow pass, metadata pass

changed since v1.3.0:
  version declaration  pyproject.toml: 1.3.0 → 1.4.0
  tool configuration   pyproject.toml: [tool.mypy] strict: false → true
  dependency pins      requirements-dev.txt: mypy==2.4.0 → mypy==2.4.1

FAIL check › Type check · exit code 1 · type
  error:     1 error: return-value (mypy 2.4.1, .venv/bin/mypy)
  excerpt:
    | src/demo/core.py:6:12: return-value Incompatible return value type (got \"int\", expected \"str\")
  action:    fix the type errors; `relgate check --tag v1.4.0 --only type` confirms the fix before the tag is pushed again
  reproduce: relgate check --tag v1.4.0 --only type
note: .github/workflows/release.yml job `check`: step \"Style (manual runs)\" does not run on a push of v1.4.0 (`if: github.event_name == 'workflow_dispatch'`): not checked
note: the package index was not asked (GitHub and the network may be out of reach): `relgate check --only index` confirms the version is free

1 failed release check explained
"
    );

    // In a GitHub Actions step: the same text, then the failure as an annotation.
    let (code, github, _) = explain_tag(&repo, &["--tag", "v1.4.0", "--format", "github"]);
    assert_eq!(code, 0);
    assert_eq!(
        github,
        format!(
            "{out}::error title=check › Type check · exit code 1 · type::1 error: return-value (mypy 2.4.1, .venv/bin/mypy)%0Afix the type errors; `relgate check --tag v1.4.0 --only type` confirms the fix before the tag is pushed again%0Areproduce: relgate check --tag v1.4.0 --only type\n"
        )
    );

    let (code, out, _) = explain_tag(&repo, &["--tag", "v1.4.0", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    // `ci explain`'s document, with the release's facts.
    assert_eq!(
        (
            &doc["status"],
            &doc["form"],
            &doc["workflow"],
            doc["failures"].as_array().map(Vec::len)
        ),
        (
            &json!("explained"),
            &json!("repository"),
            &json!("Release"),
            Some(1)
        )
    );
    let mut failure = doc["failures"][0].clone();
    assert_eq!(
        failure.as_object_mut().unwrap().remove("logs_excerpt"),
        Some(json!(
            "src/demo/core.py:6:12: return-value Incompatible return value type (got \"int\", expected \"str\")"
        ))
    );
    assert_eq!(
        failure,
        json!({
            "workflow_run_id": null,
            "trigger_event": "push",
            "job": "check",
            "failed_step": "Type check",
            "error_message": "1 error: return-value (mypy 2.4.1, .venv/bin/mypy)",
            "exit_code": 1,
            "timestamp": null,
            "category": "type",
            "recommended_action": "fix the type errors; `relgate check --tag v1.4.0 --only type` confirms the fix before the tag is pushed again",
            "reproduce": "relgate check --tag v1.4.0 --only type"
        })
    );
    let previous = repo.git(&["rev-parse", "v1.3.0"]).trim().to_string();
    assert_eq!(
        (
            &doc["release"]["tag"],
            &doc["release"]["commit"],
            &doc["release"]["previous_tag"],
            &doc["release"]["previous_commit"]
        ),
        (
            &json!("v1.4.0"),
            &json!(sha),
            &json!("v1.3.0"),
            &json!(previous)
        )
    );
    assert_eq!(
        doc["release"]["changes"],
        json!([
            {"area": "version-declaration", "file": "pyproject.toml", "detail": "1.3.0 → 1.4.0"},
            {"area": "tool-configuration", "file": "pyproject.toml", "detail": "[tool.mypy] strict: false → true"},
            {"area": "dependency-pins", "file": "requirements-dev.txt", "detail": "mypy==2.4.0 → mypy==2.4.1"}
        ])
    );

    // The previous release passes what its release run runs: nothing explains a failure there (exit 1).
    let (code, out, err) = explain_tag(&repo, &["--tag", "v1.3.0", "-q"]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_eq!(
        out,
        "note: .github/workflows/release.yml job `check`: step \"Style (manual runs)\" does not run on a push of v1.3.0 (`if: github.event_name == 'workflow_dispatch'`): not checked\nnote: the package index was not asked (GitHub and the network may be out of reach): `relgate check --only index` confirms the version is free\nnote: no earlier release tag in the history of v1.3.0: nothing to compare with\n\nPASS tag v1.3.0 passes the checks its release run runs: the failure is elsewhere (the index, credentials, the runner); with GitHub, `relgate ci explain --run RUN_ID` reads the run's log\n"
    );
}

/// No workflow publishes the tag, or no such tag: a usage error that says what to do.
#[test]
fn nothing_publishes_the_tag() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"1.0.0\"\n",
    )
    .write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
    )
    .commit("1.0.0")
    .tag("v1.0.0");
    let sha = repo.git(&["rev-parse", "v1.0.0"]).trim().to_string();
    let (code, out, err) = explain_tag(&repo, &["--tag", "v1.0.0"]);
    assert_eq!(
        (code, out.as_str(), err.replace(&sha[..7], "<sha>").as_str()),
        (
            2,
            "",
            "error: no workflow in .github/workflows at v1.0.0 (<sha>) uploads to a package index: nothing publishes this tag from CI\nhint: `relgate check --tag v1.0.0` checks the tag anyway; `relgate ci explain --run RUN_ID` reads a run's log\n"
        )
    );
    let (code, _, err) = explain_tag(&repo, &["--tag", "v9.9.9"]);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "error: there is no tag named \"v9.9.9\" in this repository\nhint: list the tags with `git tag --list`, or create it first\n"
        )
    );
    let (code, _, err) = explain_tag(&repo, &["--tag", "v1.0.0", "some.log"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

//! The publish gate over realistic workflows (trimmed from pallets/flask, python-attrs/attrs, urllib3 and
//! encode/httpx, plus the variants that break trusted publishing).

use super::*;
use crate::outcome::Status;

const REMOTE: &str = "git@github.com:acme/widget.git";

/// No remote, no project name, no tag.
const NOTHING: Release = Release {
    remote: None,
    project: None,
    tags: &[],
};

fn run(files: &[(&str, &str)], local: &[&str], configured: &[&str]) -> (CheckResult, CheckResult) {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect();
    let local: Vec<String> = local.iter().map(|s| (*s).to_owned()).collect();
    let configured: BTreeSet<String> = configured.iter().map(|s| (*s).to_owned()).collect();
    let tags = ["v1.0.0".to_owned()];
    let release = Release {
        remote: Some(REMOTE),
        project: Some("widget"),
        tags: &tags,
    };
    let mut results = analyze(&files, &release, &local, &configured);
    assert_eq!(results.len(), 2);
    let tools = results.pop().unwrap();
    let workflow = results.pop().unwrap();
    assert_eq!(
        (workflow.name.as_str(), tools.name.as_str()),
        (WORKFLOW_CHECK, TOOLS_CHECK)
    );
    (workflow, tools)
}

/// pallets/flask's publish.yaml, trimmed: job-level id-token, an environment, the test index then the real one.
const FLASK: &str = r"name: Publish
on:
  push:
    tags:
      - '*'
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m build
  publish-pypi:
    needs: [build]
    environment: publish
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
          packages-dir: artifact/
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          packages-dir: artifact/
";

#[test]
fn job_level_id_token_with_environment_passes_and_names_the_publisher() {
    let (w, _) = run(&[(".github/workflows/publish.yaml", FLASK)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(
        w.message,
        "publishes from .github/workflows/publish.yaml (job `publish-pypi`, TestPyPI), .github/workflows/publish.yaml (job `publish-pypi`, PyPI)"
    );
    assert_eq!(
        w.details,
        [
            ".github/workflows/publish.yaml:12: job `publish-pypi` uploads to TestPyPI with pypa/gh-action-pypi-publish, using trusted publishing; runs on tag push (*)",
            "  trusted publisher to register on TestPyPI (https://test.pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = publish.yaml, environment = publish",
            ".github/workflows/publish.yaml:12: job `publish-pypi` uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing; runs on tag push (*)",
            "  trusted publisher to register on PyPI (https://pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = publish.yaml, environment = publish",
        ]
    );
    assert!(w.issues.is_empty());
}

#[test]
fn trusted_publishing_without_id_token_fails_with_the_fix() {
    let text = FLASK.replace("    permissions:\n      id-token: write\n", "");
    let (w, _) = run(&[(".github/workflows/publish.yaml", &text)], &[], &[]);
    assert_eq!(w.status, Status::Fail);
    assert_eq!(
        w.message,
        ".github/workflows/publish.yaml:12: job `publish-pypi` uses trusted publishing but cannot request an OIDC token: no `permissions:` block grants `id-token: write` (no default does)"
    );
    assert_eq!(
        w.details[0],
        "fix: add `id-token: write` under `permissions:` of job `publish-pypi`"
    );
    assert_eq!(w.issues.len(), 1);
    assert_eq!(
        w.issues[0].file.as_deref(),
        Some(".github/workflows/publish.yaml")
    );
    assert_eq!(w.issues[0].line, Some(12));
    assert_eq!(
        w.issues[0].message,
        "job `publish-pypi` uses trusted publishing but cannot request an OIDC token: no `permissions:` block grants `id-token: write` (no default does)"
    );
}

/// python-attrs/attrs' pypi-package.yml, trimmed: workflow-level id-token, a release trigger, environments.
const ATTRS: &str = r#"---
name: Build & maybe upload PyPI package
on:
  push:
    branches: [main]
    tags: ["*"]
  release:
    types:
      - published
  workflow_dispatch:
permissions:
  contents: read
  id-token: write
jobs:
  build-package:
    runs-on: ubuntu-latest
    steps:
      - uses: hynek/build-and-inspect-python-package@v1
  release-pypi:
    name: Publish released package to pypi.org
    environment: release-pypi
    if: github.event.action == 'published'
    runs-on: ubuntu-latest
    needs: build-package
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"#;

#[test]
fn workflow_level_id_token_passes() {
    let (w, _) = run(&[(".github/workflows/pypi-package.yml", ATTRS)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(
        w.details,
        [
            ".github/workflows/pypi-package.yml:19: job `release-pypi` uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing; runs on tag push (*); release published; manual (workflow_dispatch)",
            "  only when: github.event.action == 'published'",
            "  trusted publisher to register on PyPI (https://pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = pypi-package.yml, environment = release-pypi",
        ]
    );
}

#[test]
fn job_permissions_block_overrides_workflow_id_token() {
    let text = ATTRS.replace(
        "    needs: build-package\n",
        "    needs: build-package\n    permissions:\n      contents: write\n",
    );
    let (w, _) = run(&[(".github/workflows/pypi-package.yml", &text)], &[], &[]);
    assert_eq!(w.status, Status::Fail);
    assert_eq!(
        w.message,
        ".github/workflows/pypi-package.yml:19: job `release-pypi` uses trusted publishing but cannot request an OIDC token: its own `permissions:` block replaces the workflow's `id-token: write`"
    );
}

#[test]
fn write_all_grants_id_token_and_environment_as_table() {
    let text = "on:\n  release:\n    types: [published]\npermissions: write-all\njobs:\n  up:\n    environment:\n      name: pypi\n      url: https://pypi.org/p/widget\n    steps:\n      - run: uv publish\n";
    let (w, _) = run(&[(".github/workflows/release.yml", text)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(
        w.details[1],
        "  trusted publisher to register on PyPI (https://pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = release.yml, environment = pypi"
    );
}

/// encode/httpx-style: `twine upload` with a token from secrets; no id-token needed, no publisher fields.
#[test]
fn twine_upload_with_token_passes_without_id_token() {
    let text = "on:\n  push:\n    tags: ['*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python -m build\n      - run: twine upload dist/*\n        env:\n          TWINE_USERNAME: __token__\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n";
    let (w, _) = run(&[(".github/workflows/publish.yml", text)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(
        w.details,
        [
            ".github/workflows/publish.yml:5: job `publish` uploads to PyPI with twine upload, using a token (env TWINE_PASSWORD = ${{ secrets.PYPI_TOKEN }}); runs on tag push (*)"
        ]
    );
}

#[test]
fn a_token_written_into_the_file_fails() {
    let text = "on: workflow_dispatch\njobs:\n  publish:\n    steps:\n      - uses: pypa/gh-action-pypi-publish@v1.12.4\n        with:\n          password: pypi-AgEIcHlwaS5vcmcCJGFiY2Rl\n";
    let (w, _) = run(&[(".github/workflows/publish.yml", text)], &[], &[]);
    assert_eq!(w.status, Status::Fail);
    assert_eq!(
        w.message,
        ".github/workflows/publish.yml:3: an upload credential is written into the workflow file (with: password): anyone who can read the repository can upload"
    );
}

const GATED: &str = r"on:
  release:
    types: [published]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: |
          uv run ruff check .
          uv run ruff format --check .
  types:
    runs-on: ubuntu-latest
    steps:
      - run: uv run mypy src
  test:
    needs: [lint, types]
    steps:
      - run: uv run pytest -q
      - run: tox -e docs
  unrelated:
    steps:
      - run: pylint src
  publish:
    needs: test
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";

#[test]
fn a_configured_tool_the_release_runs_but_local_skips_fails() {
    let (_, t) = run(
        &[(".github/workflows/release.yml", GATED)],
        &["ruff", "ruff-format", "pytest"],
        &["ruff", "ruff-format", "mypy", "pytest", "pylint"],
    );
    assert_eq!(t.status, Status::Fail, "{t:#?}");
    assert_eq!(
        t.message,
        "the release run runs mypy (release.yml job `types`, step `Run uv run mypy src`) before publishing, but the local gate skips it: the release would fail where relgate passed"
    );
    assert_eq!(
        t.details,
        [
            "fix: enable the check locally (remove it from `skip`, or set `enabled = true` in [tool.relgate.checks.NAME])",
            "warning: the release run runs tox (release.yml job `test`, step `Run tox -e docs`); relgate cannot see what it runs: run it before tagging",
        ]
    );
}

#[test]
fn every_gating_tool_run_locally_passes_and_jobs_outside_needs_do_not_count() {
    let (_, t) = run(
        &[(".github/workflows/release.yml", GATED)],
        &["ruff check .", "ruff format --check .", "mypy", "pytest"],
        &["ruff", "mypy", "pytest", "pylint"],
    );
    assert_eq!(t.status, Status::Pass, "{t:#?}");
    // tox does not run locally: the message says so, as the warning does, rather than contradict it.
    assert_eq!(
        t.message,
        "the release run's quality tools (mypy, pytest, ruff, ruff-format) run locally too; tox runs only in the release run (see the warning)"
    );
    assert_eq!(
        t.details,
        [
            "warning: the release run runs tox (release.yml job `test`, step `Run tox -e docs`); relgate cannot see what it runs: run it before tagging"
        ]
    );
}

#[test]
fn an_unconfigured_tool_is_a_warning_only() {
    let (_, t) = run(
        &[(".github/workflows/release.yml", GATED)],
        &["ruff", "ruff-format", "pytest"],
        &["ruff"],
    );
    assert_eq!(t.status, Status::Pass);
    assert_eq!(
        t.details[0],
        "warning: the release run runs mypy (release.yml job `types`, step `Run uv run mypy src`), which the local gate does not run"
    );
}

#[test]
fn reusable_workflow_in_the_needs_chain_is_followed() {
    let ci = "on: [push, workflow_call]\njobs:\n  checks:\n    steps:\n      - run: python -m mypy src\n";
    let release = "on:\n  push:\n    tags: ['v*']\njobs:\n  ci:\n    uses: ./.github/workflows/ci.yml\n  publish:\n    needs: ci\n    permissions:\n      id-token: write\n    steps:\n      - run: uv publish\n";
    let (w, t) = run(
        &[
            (".github/workflows/ci.yml", ci),
            (".github/workflows/release.yml", release),
        ],
        &["pytest"],
        &["mypy"],
    );
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(t.status, Status::Fail);
    assert!(
        t.message
            .starts_with("the release run runs mypy (ci.yml job `checks`"),
        "{}",
        t.message
    );
}

#[test]
fn no_workflow_or_no_upload_is_skipped_and_broken_yaml_fails() {
    let files: Vec<(String, String)> = Vec::new();
    let r = analyze(&files, &NOTHING, &[], &BTreeSet::new());
    assert_eq!(r[0].status, Status::Skipped);
    assert_eq!(
        r[0].message,
        "no GitHub Actions workflow (.github/workflows/*.yml): nothing publishes from CI"
    );
    let (w, t) = run(
        &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n",
        )],
        &[],
        &[],
    );
    assert_eq!((w.status, t.status), (Status::Skipped, Status::Skipped));
    let (w, _) = run(
        &[(".github/workflows/ci.yml", "on: [push\njobs: {}\n")],
        &[],
        &[],
    );
    assert_eq!(w.status, Status::Fail);
    assert!(
        w.message.starts_with(".github/workflows/ci.yml: "),
        "{}",
        w.message
    );
    assert!(
        w.message
            .ends_with("is not a valid workflow: GitHub will not run it"),
        "{}",
        w.message
    );
}

#[test]
fn missing_remote_says_what_to_use() {
    let files = vec![(
        ".github/workflows/publish.yaml".to_owned(),
        FLASK.to_owned(),
    )];
    let r = analyze(&files, &NOTHING, &[], &BTreeSet::new());
    assert_eq!(
        r[0].details[3],
        "  trusted publisher to register on PyPI (https://pypi.org/manage/account/publishing/): owner = (no `origin` remote: use the GitHub owner and repository name), repository = (no `origin` remote: use the GitHub owner and repository name), workflow = publish.yaml, environment = publish"
    );
}

#[test]
fn github_remote_forms() {
    for url in [
        "git@github.com:acme/widget.git",
        "https://github.com/acme/widget",
        "https://github.com/acme/widget.git/",
        "ssh://git@github.com/acme/widget.git",
        "https://x-access-token:abc@github.com/acme/widget.git",
    ] {
        assert_eq!(
            github_owner_repo(url),
            Some(("acme".into(), "widget".into())),
            "{url}"
        );
    }
    assert_eq!(
        github_owner_repo("https://gitlab.com/acme/widget.git"),
        None
    );
    assert_eq!(github_owner_repo("/srv/git/widget.git"), None);
}

#[test]
fn reusable_publishing_workflow_gets_id_token_from_its_caller() {
    let publish = "on: workflow_call\njobs:\n  upload:\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";
    let release = "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    permissions:\n      id-token: write\n    uses: ./.github/workflows/publish.yml\n";
    let (w, _) = run(
        &[
            (".github/workflows/publish.yml", publish),
            (".github/workflows/release.yml", release),
        ],
        &[],
        &[],
    );
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert!(
        w.details.iter().any(|d| d.starts_with(
            "  warning: .github/workflows/publish.yml is a reusable workflow; PyPI does not accept"
        )),
        "{:?}",
        w.details
    );
    let release = release.replace("    permissions:\n      id-token: write\n", "");
    let (w, _) = run(
        &[
            (".github/workflows/publish.yml", publish),
            (".github/workflows/release.yml", &release),
        ],
        &[],
        &[],
    );
    assert_eq!(w.status, Status::Fail);
}

/// psf/requests' publish.yml, trimmed: workflow-level `contents: read`, job-level id-token, the environment on
/// the build job only (so the publisher has none), a quoted action reference pinned by commit.
const REQUESTS: &str = r#"name: Publish to PyPI
on:
  push:
    tags:
      - "v*"
permissions:
  contents: read
jobs:
  build:
    name: "Build dists"
    runs-on: "ubuntu-latest"
    environment:
      name: "publish"
    steps:
      - name: "Build dists"
        run: |
          SOURCE_DATE_EPOCH=$(git log -1 --pretty=%ct) \
          python -m build
  publish:
    name: "Publish"
    if: startsWith(github.ref, 'refs/tags/')
    needs: ["build"]
    permissions:
      contents: write
      id-token: write
    runs-on: "ubuntu-latest"
    steps:
    - name: "Publish dists to PyPI"
      uses: "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc"
"#;

#[test]
fn requests_publish_workflow() {
    let (w, t) = run(&[(".github/workflows/publish.yml", REQUESTS)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(
        w.details,
        [
            ".github/workflows/publish.yml:19: job `publish` uploads to PyPI with pypa/gh-action-pypi-publish, using trusted publishing; runs on tag push (v*)",
            "  only when: startsWith(github.ref, 'refs/tags/')",
            "  trusted publisher to register on PyPI (https://pypi.org/manage/project/widget/settings/publishing/): owner = acme, repository = widget, workflow = publish.yml, environment = (none: leave it empty)",
        ]
    );
    assert_eq!(t.status, Status::Pass);
    assert_eq!(
        t.message,
        "the publishing jobs run no quality tool before uploading"
    );
}

#[test]
fn a_release_tag_the_push_filter_leaves_out_fails() {
    let text = "on:\n  push:\n    tags: ['release-*']\npermissions:\n  id-token: write\njobs:\n  up:\n    steps:\n      - run: uv publish\n";
    let (w, _) = run(&[(".github/workflows/release.yml", text)], &[], &[]);
    assert_eq!(w.status, Status::Fail);
    assert_eq!(
        w.message,
        ".github/workflows/release.yml: pushing v1.0.0 does not start this workflow (tags: release-*): nothing would be published"
    );
    assert_eq!(
        w.details[0],
        "fix: add a pattern matching v1.0.0 under `on: push: tags:`, or name the tag as the workflow expects (tag-format)"
    );
    // A branch-only push filter publishes from branch pushes (pypa/sampleproject): not a forgotten tag, and
    // not a publisher of a release tag either.
    let branches = text.replace("    tags: ['release-*']", "    branches: [main]");
    let (w, t) = run(&[(".github/workflows/release.yml", &branches)], &[], &[]);
    assert_eq!(
        (w.status, t.status),
        (Status::Skipped, Status::Skipped),
        "{w:#?}"
    );
    assert_eq!(
        w.message,
        "no workflow uploads to a package index on a release"
    );
    assert_eq!(
        w.details,
        [
            ".github/workflows/release.yml:7: job `up` uploads to PyPI with uv publish, but never on a release: .github/workflows/release.yml runs only on branch pushes (main)"
        ]
    );
    let manual = text.replace("on:\n", "on:\n  workflow_dispatch:\n");
    let (w, _) = run(&[(".github/workflows/release.yml", &manual)], &[], &[]);
    assert_eq!(w.status, Status::Pass, "{w:#?}");
}

/// A release run that gates with `relgate check` runs the local gate itself: nothing to compare tool by tool,
/// but a tool it runs besides, which the local run skips, still fails.
#[test]
fn a_release_run_gated_by_relgate_check_passes() {
    let text = "on:\n  push:\n    tags: ['v*']\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv sync --locked\n      - run: relgate check --tag \"$GITHUB_REF_NAME\"\n  publish:\n    needs: gate\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";
    let (_, t) = run(
        &[(".github/workflows/release.yml", text)],
        &["ruff", "pytest"],
        &["ruff", "pytest"],
    );
    assert_eq!(t.status, Status::Pass, "{t:#?}");
    assert_eq!(
        t.message,
        "the release run gates with relgate check (release.yml job `gate`, step `Run relgate check --tag \"$GITHUB_REF_NAME\"`), as this run does"
    );
    assert!(t.details.is_empty(), "{:?}", t.details);
    let with_mypy = text.replace(
        "      - run: uv sync --locked\n",
        "      - run: uv run mypy src\n",
    );
    let (_, t) = run(
        &[(".github/workflows/release.yml", &with_mypy)],
        &["ruff", "pytest"],
        &["ruff", "pytest", "mypy"],
    );
    assert_eq!(t.status, Status::Fail, "{t:#?}");
}

/// A workflow that publishes on release tags.
const RELEASE_ON_TAGS: &str = "on:\n  push:\n    tags: ['v*']\npermissions:\n  id-token: write\njobs:\n  publish:\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";

/// Jobs that upload only from pull requests or branches (to `TestPyPI` here, without `id-token: write`) do not
/// publish the release: alone, nothing publishes it; beside the release workflow, they refuse nothing and their
/// tools gate nothing.
#[test]
fn a_job_that_never_runs_on_a_release_is_not_a_publisher() {
    let pr_only = "on:\n  pull_request:\njobs:\n  preview:\n    steps:\n      - run: uv run mypy src\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/\n";
    let on_pr = "on: [push, pull_request]\njobs:\n  preview:\n    if: github.event_name == 'pull_request'\n    steps:\n      - run: uv run mypy src\n      - run: uv publish --index testpypi\n";
    let on_branches = "on: [push, pull_request]\njobs:\n  nightly:\n    if: ${{ startsWith(github.ref, 'refs/heads/') && github.repository == 'acme/widget' }}\n    steps:\n      - run: uv run mypy src\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";
    for (file, text, why) in [
        (
            ".github/workflows/preview.yml",
            pr_only,
            ".github/workflows/preview.yml:4: job `preview` uploads to TestPyPI with pypa/gh-action-pypi-publish, but never on a release: .github/workflows/preview.yml runs only on pull_request",
        ),
        (
            ".github/workflows/preview.yml",
            on_pr,
            ".github/workflows/preview.yml:3: job `preview` uploads to TestPyPI with uv publish, but never on a release: `if: github.event_name == 'pull_request'` is false on every release",
        ),
        (
            ".github/workflows/nightly.yml",
            on_branches,
            ".github/workflows/nightly.yml:3: job `nightly` uploads to PyPI with pypa/gh-action-pypi-publish, but never on a release: `if: ${{ startsWith(github.ref, 'refs/heads/') && github.repository == 'acme/widget' }}` is false on every release",
        ),
    ] {
        // Alone: nothing publishes a release.
        let (w, t) = run(&[(file, text)], &[], &["mypy"]);
        assert_eq!(
            (w.status, t.status),
            (Status::Skipped, Status::Skipped),
            "{w:#?}"
        );
        assert_eq!(w.details, [why]);
        // Beside the real release workflow: the only publisher; mypy in the other job gates nothing.
        let (w, t) = run(
            &[
                (file, text),
                (".github/workflows/release.yml", RELEASE_ON_TAGS),
            ],
            &[],
            &["mypy"],
        );
        assert_eq!(w.status, Status::Pass, "{w:#?}");
        assert_eq!(
            w.message,
            "publishes from .github/workflows/release.yml (job `publish`, PyPI)"
        );
        assert_eq!(
            w.details.last().unwrap(),
            &format!("  not a publisher of this release: {why}")
        );
        assert_eq!(t.status, Status::Pass, "{t:#?}");
        assert_eq!(
            t.message,
            "the publishing jobs run no quality tool before uploading"
        );
    }
}

/// A step the release never runs (its `if:` is false on a tag) counts for nothing in `release-checks`: mypy,
/// configured but not run locally, runs there only on pull requests.
#[test]
fn steps_that_never_run_on_a_release_run_no_tool_before_the_upload() {
    let text = "on:\n  push:\n    tags: ['v*']\n  pull_request:\njobs:\n  checks:\n    steps:\n      - run: uv run pytest\n      - if: github.event_name == 'pull_request'\n        run: uv run mypy src\n      - if: \"!startsWith(github.ref, 'refs/tags/')\"\n        run: uv run flake8\n  publish:\n    needs: checks\n    if: github.event_name == 'push'\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";
    let (w, t) = run(
        &[(".github/workflows/release.yml", text)],
        &["pytest"],
        &["pytest", "mypy", "flake8"],
    );
    assert_eq!(w.status, Status::Pass, "{w:#?}");
    assert_eq!(t.status, Status::Pass, "{t:#?}");
    assert_eq!(
        t.message,
        "the release run's quality tools (pytest) run locally too"
    );
    assert!(t.details.is_empty(), "{:?}", t.details);
    // Without the conditions, both would gate the release, and the local gate skips them.
    let unconditional = text
        .replace(
            "      - if: github.event_name == 'pull_request'\n        run",
            "      - run",
        )
        .replace(
            "      - if: \"!startsWith(github.ref, 'refs/tags/')\"\n        run",
            "      - run",
        );
    let (_, t) = run(
        &[(".github/workflows/release.yml", &unconditional)],
        &["pytest"],
        &["pytest", "mypy", "flake8"],
    );
    assert_eq!(t.status, Status::Fail, "{t:#?}");
}

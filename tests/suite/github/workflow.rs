//! `relgate github workflow` on real projects (setuptools with pip, uv, Poetry, Hatch, a monorepo package): the
//! workflow it prints, that GitHub's workflow schema (from `SchemaStore`, vendored in tests/fixtures/schemas) accepts
//! it, and that relgate's own publish gate passes on it once written, committed and tagged.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::common::{TestRepo, stderr, stdout, test_venv};

const README: &str = "# widget\n\nA widget.\n";
const INIT: &str = "\"\"\"A widget.\"\"\"\n\n__version__ = \"1.0.0\"\n";

const SETUPTOOLS: &str = r#"[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "Widget"
version = "1.0.0"
description = "A widget"
readme = "README.md"
license = "MIT"
requires-python = ">=3.9,<3.13"

[project.optional-dependencies]
socks = ["pysocks"]
dev = ["ruff", "pytest"]

[tool.ruff]
"#;

const UV: &str = r#"[project]
name = "widget"
version = "1.0.0"
description = "A widget"
readme = "README.md"
license = "MIT"
requires-python = ">=3.9"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.uv]
package = true

[tool.ruff]
"#;

const POETRY: &str = r#"[tool.poetry]
name = "widget"
version = "1.0.0"
description = "A widget"
authors = ["A Maintainer <maintainer@example.invalid>"]
readme = "README.md"
license = "MIT"

[tool.poetry.dependencies]
python = "^3.10"

[tool.poetry.group.dev.dependencies]
ruff = "^0.17"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"

[tool.ruff]
"#;

const HATCH: &str = r#"[project]
name = "widget"
dynamic = ["version"]
description = "A widget"
readme = "README.md"
license = "MIT"
requires-python = ">=3.10"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.version]
path = "src/widget/__init__.py"

[tool.hatch.envs.default]
dependencies = ["ruff", "pytest"]

[tool.ruff]
"#;

/// A project's repository with `pyproject` (and `extra` files), committed, with a github.com `origin`.
fn project(pyproject: &str, extra: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", pyproject)
        .write("README.md", README)
        .write("src/widget/__init__.py", INIT);
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.commit("widget 1.0.0");
    repo.git(&["remote", "add", "origin", "git@github.com:acme/widget.git"]);
    repo
}

/// `relgate github workflow ARGS`: exit code, stdout, stderr.
#[track_caller]
fn workflow(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let out = repo
        .relgate()
        .args(["github", "workflow"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

/// The printed workflow, which must be valid under GitHub's workflow schema.
#[track_caller]
fn printed(repo: &TestRepo, args: &[&str]) -> String {
    let (code, text, err) = workflow(repo, args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    assert_schema_valid(&text);
    text
}

/// The lines of one job (`  gate:` up to the next job).
fn job<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("\n  {name}:\n"))
        .unwrap_or_else(|| panic!("no job {name}:\n{text}"))
        + 1;
    let end = text[start + 3..]
        .find("\n\n")
        .map_or(text.len(), |e| start + 3 + e + 1);
    &text[start..end]
}

/// Write the workflow (`relgate github workflow --write ARGS`), commit it, tag `tag`, and run `relgate check
/// --only publish,lint CHECK_ARGS` (ruff from the test virtualenv), which must pass: each check's (name,
/// status, message).
#[track_caller]
fn gate_after_writing(
    repo: &TestRepo,
    args: &[&str],
    tag: &str,
    check_args: &[&str],
) -> Vec<(String, String, String)> {
    let (code, out, err) = workflow(repo, &[&["--write"], args].concat());
    assert_eq!(code, 0, "{out}{err}");
    repo.commit("release workflow").tag(tag);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let path = format!("{}:/usr/bin:/bin", test_venv().join("bin").display());
    let out = repo
        .relgate()
        .env_remove("VIRTUAL_ENV")
        .env("PATH", path)
        .args([
            "check",
            "--only",
            "publish,lint",
            "--offline",
            "--format",
            "json",
        ])
        .args(check_args)
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
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    checks
}

fn v(name: &str, status: &str, message: &str) -> (String, String, String) {
    (name.to_owned(), status.to_owned(), message.to_owned())
}

/// What the publish gate says of the workflow written as `file` (a root project named widget).
fn publish_passes(file: &str) -> Vec<(String, String, String)> {
    vec![
        v(
            "publish-workflow",
            "pass",
            &format!("publishes from .github/workflows/{file} (job `publish`, PyPI)"),
        ),
        v(
            "release-checks",
            "pass",
            &format!(
                "the release run gates with relgate check ({file} job `gate`, step `Gate the release`), as this run does"
            ),
        ),
    ]
}

#[test]
fn setuptools_project_gets_a_pip_environment_and_passes_the_publish_gate() {
    let repo = project(SETUPTOOLS, &[("requirements-dev.txt", "mypy\n")]);
    let text = printed(&repo, &[]);
    assert_eq!(text, *SETUPTOOLS_WORKFLOW);
    let checks = gate_after_writing(&repo, &[], "v1.0.0", &[]);
    assert_eq!(
        (checks[0].0.as_str(), checks[0].1.as_str()),
        ("ruff", "pass")
    );
    let mut want = publish_passes("release.yml");
    want.push(v(
        "metadata",
        "pass",
        "name Widget, version 1.0.0, readme README.md (text/markdown), license MIT, requires-python >=3.9,<3.13",
    ));
    assert_eq!(checks[1..], want);
}

#[test]
fn uv_project_syncs_with_uv() {
    let repo = project(UV, &[]);
    // A real lock file, written by uv itself (the project has no dependencies: nothing to download).
    let uv = test_venv().join("bin/uv");
    let out = std::process::Command::new(&uv)
        .args(["lock", "--offline", "--no-progress"])
        .current_dir(repo.path())
        .env("UV_CACHE_DIR", repo.home.path().join("uv-cache"))
        .env("UV_PYTHON", test_venv().join("bin/python"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    repo.commit("lock");
    let text = printed(&repo, &[]);
    assert_eq!(
        job(&text, "gate"),
        format!(
            "  gate:
    runs-on: ubuntu-latest
    steps:
      # The whole history and every tag: relgate compares the release with the earlier release tags, and a
      # version read from git (setuptools-scm, hatch-vcs) needs them; a shallow clone has neither.
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {SETUP_UV}
        with:
          enable-cache: false # a release restores no cache that another run could have written
      - name: Create the project's environment
        run: uv sync --locked --all-groups
      - name: Install relgate, and twine for its build check
        run: |
          uv tool install relgate=={VERSION}
          uv tool install twine
      - name: Gate the release
        run: relgate check --tag \"$GITHUB_REF_NAME\" --format github
"
        )
    );
    assert_eq!(
        job(&text, "build"),
        format!(
            "  build:
    needs: gate
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {SETUP_UV}
        with:
          enable-cache: false # a release restores no cache that another run could have written
      - name: Build the sdist and the wheel
        run: uv build --out-dir dist
      - uses: {UPLOAD}
        with:
          name: dist
          path: \"dist/\"
          if-no-files-found: error
"
        )
    );
    let checks = gate_after_writing(&repo, &[], "v1.0.0", &[]);
    assert_eq!(checks[1..3], publish_passes("release.yml"));
}

#[test]
fn poetry_project_installs_with_poetry_into_dot_venv() {
    let repo = project(POETRY, &[(".python-version", "3.12\n")]);
    let text = printed(&repo, &["--name", "publish"]);
    let gate = job(&text, "gate");
    assert!(
        gate.starts_with(
            "  gate:
    runs-on: ubuntu-latest
    env:
      # The environment in .venv, where relgate looks first (poetry env info --path finds it too).
      POETRY_VIRTUALENVS_IN_PROJECT: \"true\"
    steps:
"
        ),
        "{gate}"
    );
    assert!(
        gate.contains(&format!(
            "      - uses: {SETUP_PYTHON}
        with:
          python-version-file: \".python-version\"
      - name: Create the project's environment
        run: |
          pipx install poetry
          poetry install
      - name: Install relgate, and the build frontend its build check uses
        run: |
          pipx install relgate=={VERSION}
          python -m pip install build twine
"
        )),
        "{gate}"
    );
    let checks = gate_after_writing(&repo, &["--name", "publish"], "v1.0.0", &[]);
    assert_eq!(checks[1..3], publish_passes("publish.yml"));
}

#[test]
fn hatch_project_creates_its_hatch_environment() {
    let repo = project(HATCH, &[]);
    let text = printed(&repo, &["--on", "release"]);
    assert!(
        text.contains("\non:\n  release:\n    types: [published]\n\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "      - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0
        with:
          python-version: \"3.14\"
      - name: Create the project's environment
        run: |
          pipx install hatch
          hatch env create
"
        ),
        "{text}"
    );
    let checks = gate_after_writing(&repo, &["--on", "release"], "v1.0.0", &[]);
    assert_eq!(checks[1..3], publish_passes("release.yml"));
}

/// A package in a subdirectory with its own tag format, given on the command line: the jobs run there, the
/// artifact is its dist/, the gate gets the tag format, and only its tags start the workflow.
#[test]
fn monorepo_package_with_a_tag_format_from_the_command_line() {
    let repo = TestRepo::new();
    repo.write("packages/widget/pyproject.toml", SETUPTOOLS)
        .write("packages/widget/README.md", README)
        .write("packages/widget/src/widget/__init__.py", INIT)
        .commit("monorepo");
    let args = [
        "--path",
        "packages/widget",
        "--tag-format",
        "widget-v{version}",
    ];
    let text = printed(&repo, &args);
    assert!(
        text.contains("on:\n  push:\n    tags:\n      - \"widget-v[0-9]*\"\n"),
        "{text}"
    );
    let gate = job(&text, "gate");
    assert!(
        gate.contains(
            "    defaults:\n      run:\n        working-directory: \"packages/widget\"\n"
        ),
        "{gate}"
    );
    assert!(
        gate.ends_with(
            "      - name: Gate the release
        env:
          TAG_FORMAT: \"widget-v{version}\"
        run: relgate check --tag \"$GITHUB_REF_NAME\" --tag-format \"$TAG_FORMAT\" --format github
"
        ),
        "{gate}"
    );
    assert!(
        job(&text, "build").contains("          path: \"packages/widget/dist/\"\n"),
        "{text}"
    );
    // No origin remote: the trusted publisher's owner and repository are left to fill in.
    assert!(
        text.contains("# - register this workflow as a trusted publisher on PyPI: owner OWNER, repository REPOSITORY,\n"),
        "{text}"
    );
    let checks = gate_after_writing(&repo, &args, "widget-v1.0.0", &args);
    assert_eq!(checks[1].1, "pass", "{checks:?}");
    assert_eq!(checks[2].1, "pass", "{checks:?}");
}

#[test]
fn write_never_overwrites_and_never_follows_a_link() {
    let repo = project(SETUPTOOLS, &[]);
    repo.write(".github/workflows/release.yml", "name: mine\n");
    let (code, out, err) = workflow(&repo, &["--write"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: .github/workflows/release.yml already exists: relgate does not overwrite a workflow\n\
         hint: compare it with `relgate github workflow` (which prints the new one), or write it under another name: --name publish\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".github/workflows/release.yml")).unwrap(),
        "name: mine\n"
    );
    // A dangling link where the file would go is not followed either.
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("planted.yml");
    std::os::unix::fs::symlink(&target, repo.path().join(".github/workflows/publish.yml")).unwrap();
    let (code, _, err) = workflow(&repo, &["--write", "--name", "publish"]);
    assert_eq!(code, 2, "{err}");
    assert!(!target.exists());
    // Nor a workflows directory that is a link.
    let linked = project(SETUPTOOLS, &[]);
    std::fs::create_dir(linked.path().join(".github")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), linked.path().join(".github/workflows")).unwrap();
    let (code, _, err) = workflow(&linked, &["--write"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: ") && err.contains(".github/workflows is not a directory (a symbolic link or a file): relgate does not write through it\n"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn bad_names_and_unfilterable_tag_formats_are_usage_errors() {
    let repo = project(SETUPTOOLS, &[]);
    let (code, _, err) = workflow(&repo, &["--name", "../escape"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: --name \"../escape\" is not a plain file name\nhint: use letters, digits, `.`, `_` and `-`, e.g. --name publish\n"
    );
    let (code, _, err) = workflow(&repo, &["--tag-format", "rel+{version}"]);
    assert_eq!(code, 2);
    assert!(
        err.ends_with("hint: start the workflow on published releases instead: relgate github workflow --on release\n"),
        "{err}"
    );
    // Started by a published release, the tag's name needs no filter.
    printed(&repo, &["--tag-format", "rel+{version}", "--on", "release"]);
}

/// The schema check can fail: a job without `runs-on` or `uses`, and an unknown permission, are refused.
#[test]
fn the_schema_refuses_broken_workflows() {
    let repo = project(SETUPTOOLS, &[]);
    let text = printed(&repo, &[]);
    let no_runner = text.replacen("    runs-on: ubuntu-latest\n", "", 1);
    assert!(!schema_errors(&no_runner).is_empty());
    let bad_permission = text.replace("id-token: write", "id-token: maybe");
    assert!(!schema_errors(&bad_permission).is_empty());
}

const VERSION: &str = env!("CARGO_PKG_VERSION");
const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const SETUP_PYTHON: &str = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0";
const SETUP_UV: &str = "astral-sh/setup-uv@20cfd1bf945f4377ade1205e4dbc17946fc9a30d # v10.0.1";
const UPLOAD: &str = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";

/// The whole workflow for the setuptools project.
static SETUPTOOLS_WORKFLOW: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"# Gate, build and publish each release of widget to PyPI.
#
# Pushing a release tag (v[0-9]*, [0-9]*) starts it:
#   gate     `relgate check` on the tagged commit, in the project's own environment
#   build    the sdist and the wheel, once the gate passed
#   publish  uploads them to PyPI by trusted publishing: no upload token is stored anywhere
#
# Before the first release:
# - register this workflow as a trusted publisher on PyPI: owner acme, repository widget,
#   workflow release.yml, environment pypi
#   at https://pypi.org/manage/project/widget/settings/publishing/
#   (a new project: as a pending publisher at https://pypi.org/manage/account/publishing/)
# - let only release tags deploy to environment pypi: relgate github protect
#
# Written by `relgate github workflow` (relgate {VERSION}). The actions are pinned to commits; Dependabot
# (package-ecosystem: github-actions) keeps the pins current.

name: Release

on:
  push:
    tags:
      - "v[0-9]*"
      - "[0-9]*"

# Every job's token may read the repository and nothing else, unless the job asks for more.
permissions:
  contents: read

jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      # The whole history and every tag: relgate compares the release with the earlier release tags, and a
      # version read from git (setuptools-scm, hatch-vcs) needs them; a shallow clone has neither.
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.12"
      - name: Create the project's environment
        run: |
          python -m venv .venv
          .venv/bin/python -m pip install --upgrade pip
          .venv/bin/python -m pip install -e ".[dev]" -r requirements-dev.txt
      - name: Install relgate, and the build frontend its build check uses
        run: |
          pipx install relgate=={VERSION}
          python -m pip install build twine
      - name: Gate the release
        run: relgate check --tag "$GITHUB_REF_NAME" --format github

  build:
    needs: gate
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.12"
      - name: Build the sdist and the wheel
        run: |
          python -m pip install build
          python -m build --outdir dist
      - uses: {UPLOAD}
        with:
          name: dist
          path: "dist/"
          if-no-files-found: error

  publish:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://pypi.org/p/widget
    permissions:
      # The OIDC token that PyPI exchanges for a short-lived upload token; nothing else.
      id-token: write
    steps:
      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1
        with:
          name: dist
          path: dist/
      - uses: pypa/gh-action-pypi-publish@dc37677b2e1c63e2034f94d8a5b11f265b73ba33 # v1.14.2
"#
    )
});

/// GitHub's workflow schema, from `SchemaStore` (see tests/fixtures/schemas/README.md).
static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas/github-workflow.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
});

#[track_caller]
fn assert_schema_valid(text: &str) {
    let errors = schema_errors(text);
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
}

/// The schema's objections to a workflow's text (the YAML must parse as exactly one document).
fn schema_errors(text: &str) -> Vec<String> {
    let docs = YamlLoader::load_from_str(text).unwrap();
    assert_eq!(docs.len(), 1);
    let instance = to_json(&docs[0]);
    SCHEMA
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// A YAML value as JSON (what GitHub's parser makes of it: keys are strings).
fn to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(s.clone()), Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Null => Value::Null,
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        other => panic!("unexpected key {other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML node {other:?}"),
    }
}

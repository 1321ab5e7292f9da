//! The build check, for real: the pinned build frontend and backends from the test virtualenv build fixture
//! projects, and the working tree must come out byte-identical (no dist/, build/ or *.egg-info).

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout, test_venv};

const HATCH_PYPROJECT: &str = r#"[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "widget"
dynamic = ["version"]
readme = "README.md"
requires-python = ">=3.9"
license = "MIT"

[tool.hatch.version]
path = "src/widget/__init__.py"
"#;

/// A hatchling project whose version file says `file_version`, tagged `v1.0.0`.
fn hatch_project(file_version: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", HATCH_PYPROJECT)
        .write("README.md", "# widget\n\nA widget.\n")
        .write(
            "src/widget/__init__.py",
            &format!("__version__ = \"{file_version}\"\n"),
        )
        .commit("release")
        .tag("v1.0.0");
    repo
}

/// `relgate check --only build --format json` with the test virtualenv active; the exit code and the build
/// check's (status, message, details).
#[track_caller]
fn build_check(repo: &TestRepo) -> (i32, Option<(String, String, Vec<String>)>) {
    let out = repo
        .relgate()
        .env("VIRTUAL_ENV", test_venv())
        .args(["check", "--only", "build", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let build = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "build")
        .map(|c| {
            let details = c["details"]
                .as_array()
                .map(|d| d.iter().map(|l| l.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            (
                c["status"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
                details,
            )
        });
    (out.status.code().unwrap(), build)
}

/// The details with the test virtualenv's path shown as `<venv>`.
fn venv_shown(details: &[String]) -> Vec<String> {
    let venv = test_venv().display().to_string();
    details.iter().map(|d| d.replace(&venv, "<venv>")).collect()
}

#[test]
fn dynamic_version_disagreeing_with_the_tag_fails_and_leaves_the_tree_alone() {
    let repo = hatch_project("1.0.1");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            1,
            "fail",
            "the built version is not the release's 1.0.0: widget-1.0.1.tar.gz is version 1.0.1; widget-1.0.1-py3-none-any.whl is version 1.0.1"
        )
    );
    assert_eq!(
        details,
        [
            "the backend computes the version at build time: check its version source (e.g. [tool.hatch.version] path, setuptools-scm configuration) against the tag"
        ]
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn matching_dynamic_version_passes_with_twine_check() {
    let repo = hatch_project("1.0.0");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            0,
            "pass",
            "built widget-1.0.0.tar.gz and widget-1.0.0-py3-none-any.whl with python -m build without isolation; twine check passed"
        ),
        "{details:?}"
    );
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.path().join("dist").exists());
}

/// setuptools writes build/ and *.egg-info beside the sources: the build's own copy keeps them out of the tree.
/// setuptools before 70.1 asks for `wheel` (its `get_requires_for_build_wheel`), which the test virtualenv's
/// setuptools 65 lacks: the build runs in an isolated environment from the start (its requirements from the
/// package index), and says why.
#[test]
fn setuptools_build_leaves_no_egg_info_or_build_dir() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"gadget\"\nversion = \"1.0.0\"\n\n[tool.setuptools]\npackages = [\"gadget\"]\n",
    )
    .write("gadget/__init__.py", "")
    .commit("release")
    .tag("v1.0.0");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            0,
            "pass",
            "built gadget-1.0.0.tar.gz and gadget-1.0.0-py3-none-any.whl with python -m build; twine check passed"
        ),
        "{details:?}"
    );
    assert_eq!(
        venv_shown(&details),
        [
            "built in an isolated environment, as CI does: <venv>/bin/python lacks wheel (asked for by setuptools.build_meta's get_requires_for_build_wheel)"
        ]
    );
    assert_eq!(repo.snapshot(), before);
    for leftover in ["dist", "build", "gadget.egg-info"] {
        assert!(
            !repo.path().join(leftover).exists(),
            "{leftover} was left behind"
        );
    }
}

#[test]
fn build_false_switches_the_check_off() {
    let repo = hatch_project("1.0.1");
    repo.write(
        "pyproject.toml",
        &format!("{HATCH_PYPROJECT}\n[tool.relgate]\nbuild = false\n"),
    )
    .commit("config");
    repo.git(&["tag", "-f", "v1.0.0"]);
    assert_eq!(build_check(&repo), (0, None));
}

/// Without `uv` on PATH and without a virtualenv, no frontend exists: skipped by default, an error (exit 1)
/// when `build = true` requires the check.
#[test]
fn missing_frontend_is_skipped_unless_required() {
    let repo = hatch_project("1.0.0");
    let empty = tempfile::tempdir().unwrap();
    let run = |repo: &TestRepo| {
        let out = repo
            .relgate()
            .env("PATH", empty.path())
            .env_remove("VIRTUAL_ENV")
            .args(["check", "--only", "build", "--format", "json"])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
        let check = &doc["checks"][0];
        (
            out.status.code().unwrap(),
            check["status"].as_str().unwrap().to_owned(),
            check["message"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        run(&repo),
        (
            0,
            "skipped".to_owned(),
            "no build frontend found (uv, or a Python with `build`); set [tool.relgate] build = true to require one".to_owned()
        )
    );
    repo.write(
        "pyproject.toml",
        &format!("{HATCH_PYPROJECT}\n[tool.relgate]\nbuild = true\n"),
    )
    .commit("require the build");
    repo.git(&["tag", "-f", "v1.0.0"]);
    assert_eq!(
        run(&repo),
        (
            1,
            "error".to_owned(),
            "no build frontend found: neither `uv` nor a Python with the `build` package"
                .to_owned()
        )
    );
}

const SCM_PYPROJECT: &str = r#"[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "scmpkg"
dynamic = ["version"]

[tool.setuptools]
packages = ["scmpkg"]

[tool.setuptools_scm]
"#;

/// A setuptools-scm project tagged `v1.0.0`, with `extra` appended to its `[tool.setuptools_scm]` table.
fn scm_project(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &format!("{SCM_PYPROJECT}{extra}"))
        .write("scmpkg/__init__.py", "")
        .commit("release")
        .tag("v1.0.0");
    repo
}

/// A version from git: the build in the scratch copy reads the real history (without touching the index), and
/// a setuptools-scm configuration that cannot parse the tags fails where no static read could tell.
#[test]
fn vcs_version_is_read_from_the_real_history() {
    let repo = scm_project("");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            0,
            "pass",
            "built scmpkg-1.0.0.tar.gz and scmpkg-1.0.0-py3-none-any.whl with python -m build; twine check passed"
        ),
        "{details:?}"
    );
    assert_eq!(repo.snapshot(), before);

    let repo = scm_project("tag_regex = \"^release-(?P<version>.+)$\"\n");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            1,
            "fail",
            "the build failed (python -m build without isolation exited with 1): ValueError: Can't parse version from tag 'v1.0.0' (tag_regex='^release-(?P<version>.+)$', tag_prefix='')"
        )
    );
    // The backend's own error: built without isolation (nothing to download to see it), and the fix
    // repeats that very build.
    assert_eq!(
        details[0],
        "fix: run the same build in the project to see the whole output: python -m build --no-isolation"
    );
    assert_eq!(repo.snapshot(), before);
}

/// When the working tree is not the tag's content, the build still reads the tag's history: its copy is a
/// throwaway repository borrowing the real objects, at the tag's commit.
#[test]
fn vcs_version_in_an_export_comes_from_the_tags_history() {
    let repo = scm_project("");
    repo.write("notes.txt", "not committed\n");
    let before = repo.snapshot();
    let (code, build) = build_check(&repo);
    let (status, message, details) = build.expect("a build check");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            0,
            "pass",
            "built scmpkg-1.0.0.tar.gz and scmpkg-1.0.0-py3-none-any.whl with python -m build; twine check passed"
        ),
        "{details:?}"
    );
    assert_eq!(
        venv_shown(&details),
        [
            "built in an isolated environment, as CI does: <venv>/bin/python lacks wheel (asked for by setuptools.build_meta's get_requires_for_build_wheel)"
        ]
    );
    assert_eq!(repo.snapshot(), before);
}

/// Without a virtualenv, `uv build` on PATH builds in an isolated environment (hatchling from the package
/// index; Python downloads are off so that nothing but the index is contacted).
#[test]
fn uv_on_path_builds_in_isolation() {
    let repo = hatch_project("1.0.0");
    let bin = tempfile::tempdir().unwrap();
    let venv = test_venv();
    std::os::unix::fs::symlink(venv.join("bin/uv"), bin.path().join("uv")).unwrap();
    std::os::unix::fs::symlink(venv.join("bin/python3"), bin.path().join("python3")).unwrap();
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .env("PATH", bin.path())
        .env_remove("VIRTUAL_ENV")
        .env("UV_PYTHON_DOWNLOADS", "never")
        .env("UV_CACHE_DIR", repo.home.path().join("uv-cache"))
        .args(["check", "--only", "build", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let build = &doc["checks"][0];
    assert_eq!(out.status.code(), Some(0), "{build:#}");
    assert_eq!(build["status"], "pass");
    // twine is not on this PATH: the pass says the metadata was not checked with it.
    assert_eq!(
        build["message"],
        "built widget-1.0.0.tar.gz and widget-1.0.0-py3-none-any.whl with uv build"
    );
    assert_eq!(
        build["details"][0],
        "twine not found: the metadata was not checked with `twine check`"
    );
    assert_eq!(build["command"][1], "build");
    assert_eq!(repo.snapshot(), before);
}

/// `relgate check --only build` with the test virtualenv active and `envs` set: the build check's (status,
/// message, details), the test virtualenv's path shown as `<venv>`; the tree must be unchanged.
#[track_caller]
fn build_with(repo: &TestRepo, envs: &[(&str, &str)]) -> (i32, String, String, Vec<String>) {
    let before = repo.snapshot();
    let mut cmd = repo.relgate();
    cmd.env("VIRTUAL_ENV", test_venv());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["check", "--only", "build", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    assert_eq!(repo.snapshot(), before);
    let build = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "build")
        .unwrap_or_else(|| panic!("no build check: {doc:#}"));
    let details: Vec<String> = build["details"]
        .as_array()
        .map(|d| d.iter().map(|l| l.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    (
        out.status.code().unwrap(),
        build["status"].as_str().unwrap().to_owned(),
        build["message"].as_str().unwrap().to_owned(),
        venv_shown(&details),
    )
}

/// A project of `backend` (`[build-system]` lines) with a package `pkg`, tagged v1.0.0.
fn backend_project(build_system: &str, extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("[build-system]\n{build_system}\n[project]\nname = \"pkg\"\nversion = \"1.0.0\"\ndescription = \"A package.\"\nrequires-python = \">=3.9\"\n{extra}"),
    )
    .write("pkg/__init__.py", "\"\"\"A package.\"\"\"\n")
    .commit("release")
    .tag("v1.0.0");
    repo
}

/// A hatchling project with a build hook (`hatch_build.py`) whose dependency is `dependency`, tagged v1.0.0.
fn hatch_with_hook(dependency: &str) -> TestRepo {
    let repo = backend_project(
        "requires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"",
        &format!(
            "[tool.hatch.build.targets.wheel]\npackages = [\"pkg\"]\n\n[tool.hatch.build.targets.wheel.hooks.custom]\ndependencies = [\"{dependency}\"]\n"
        ),
    );
    repo.write(
        "hatch_build.py",
        "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n\n\nclass CustomHook(BuildHookInterface):\n    pass\n",
    )
    .commit("a build hook");
    repo.git(&["tag", "-f", "v1.0.0"]);
    repo
}

const BUILT: &str = "built pkg-1.0.0.tar.gz and pkg-1.0.0-py3-none-any.whl with";

/// What the real backends ask for is installed: poetry-core from `build-system.requires`, and hatchling with a
/// build hook whose dependency (asked by `get_requires_for_build_wheel`) is installed too: no isolation.
#[test]
fn installed_requirements_build_without_isolation() {
    let poetry = backend_project(
        "requires = [\"poetry-core>=2.0\"]\nbuild-backend = \"poetry.core.masonry.api\"",
        "",
    );
    for repo in [poetry, hatch_with_hook("iniconfig>=2")] {
        assert_eq!(
            build_with(&repo, &[]),
            (
                0,
                "pass".to_owned(),
                format!("{BUILT} python -m build without isolation; twine check passed"),
                vec![]
            )
        );
    }
}

/// A hook's dependency that is missing, a version the virtualenv does not have, a backend it lacks: the build
/// runs in an isolated environment from the start, and says why.
#[test]
fn missing_requirements_build_in_isolation_and_say_why() {
    let cases = [
        (
            hatch_with_hook("tomli-w"),
            "<venv>/bin/python lacks tomli-w (asked for by hatchling.build's get_requires_for_build_wheel)",
        ),
        (
            backend_project(
                "requires = [\"hatchling<1.33\"]\nbuild-backend = \"hatchling.build\"",
                "[tool.hatch.build.targets.wheel]\npackages = [\"pkg\"]\n",
            ),
            "<venv>/bin/python lacks hatchling<1.33 (asked for by build-system.requires)",
        ),
        (
            backend_project(
                "requires = [\"flit_core>=3.2,<5\"]\nbuild-backend = \"flit_core.buildapi\"",
                "",
            ),
            "<venv>/bin/python cannot import what flit_core.buildapi needs: ModuleNotFoundError: No module named 'flit_core'",
        ),
    ];
    for (repo, why) in cases {
        assert_eq!(
            build_with(&repo, &[]),
            (
                0,
                "pass".to_owned(),
                format!("{BUILT} python -m build; twine check passed"),
                vec![format!(
                    "built in an isolated environment, as CI does: {why}"
                )]
            )
        );
    }
}

/// An isolated build whose requirements the package index cannot give (here: no index at all) is relgate's
/// machine failing, not the project: an error, whose fix is the one that makes the build work offline.
#[test]
fn an_isolated_build_without_an_index_is_an_error_naming_what_to_install() {
    let repo = backend_project(
        "requires = [\"flit_core>=3.2,<5\"]\nbuild-backend = \"flit_core.buildapi\"",
        "",
    );
    let closed = [
        ("PIP_INDEX_URL", "http://127.0.0.1:9/simple"),
        ("PIP_RETRIES", "0"),
        ("PIP_TIMEOUT", "2"),
    ];
    let (code, status, message, details) = build_with(&repo, &closed);
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            1,
            "error",
            "the build could not install its requirements into an isolated environment (python -m build exited with 1): the package index did not give them"
        ),
        "{details:#?}"
    );
    assert_eq!(
        details[0],
        "fix: install them into the project's environment, and relgate builds without isolation (offline too): <venv>/bin/python -m pip install 'flit_core>=3.2,<5'"
    );
    assert_eq!(
        details.last().unwrap(),
        "built in an isolated environment, as CI does: <venv>/bin/python cannot import what flit_core.buildapi needs: ModuleNotFoundError: No module named 'flit_core'"
    );
}

/// setuptools before 70.1 builds a wheel only with `wheel` beside it. With `uv build`, which checks nothing
/// itself without isolation, building without it failed (`invalid command 'bdist_wheel'`) and told the user to
/// run `uv build`, which passes. In a virtualenv with setuptools 69.5.1 and no `wheel`, the build is isolated
/// from the start; once `wheel` is installed, it runs without isolation.
#[test]
fn setuptools_before_70_1_builds_without_isolation_only_beside_wheel() {
    let repo = backend_project(
        "requires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"",
        "\n[tool.setuptools]\npackages = [\"pkg\"]\n",
    );
    let home = repo.home.path();
    let venv = home.join("venv");
    let uv = test_venv().join("bin/uv");
    let cache = home.join("uv-cache");
    let run_uv = |args: &[&str]| {
        let out = std::process::Command::new(&uv)
            .args(args)
            .env("UV_CACHE_DIR", &cache)
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env_remove("VIRTUAL_ENV")
            .output()
            .unwrap();
        assert!(out.status.success(), "uv {args:?}: {}", stderr(&out));
    };
    let python = test_venv().join("bin/python");
    run_uv(&[
        "venv",
        "-q",
        "--python",
        python.to_str().unwrap(),
        venv.to_str().unwrap(),
    ]);
    let venv_python = venv.join("bin/python");
    let install = |what: &str| {
        run_uv(&[
            "pip",
            "install",
            "-q",
            "--python",
            venv_python.to_str().unwrap(),
            what,
        ]);
    };
    install("setuptools==69.5.1");
    // `uv` on PATH, no `build` in the virtualenv: the frontend is `uv build` with the virtualenv's Python.
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&uv, bin.path().join("uv")).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let envs = [
        ("VIRTUAL_ENV", venv.to_str().unwrap()),
        ("PATH", path.as_str()),
        ("UV_CACHE_DIR", cache.to_str().unwrap()),
        ("UV_PYTHON_DOWNLOADS", "never"),
    ];
    let shown = |details: Vec<String>| -> Vec<String> {
        details
            .into_iter()
            .map(|d| d.replace(venv.to_str().unwrap(), "<env>"))
            .collect()
    };
    let built = BUILT;
    let (code, status, message, details) = build_with(&repo, &envs);
    assert_eq!(
        (code, status.as_str(), message.as_str(), shown(details)),
        (
            0,
            "pass",
            format!("{built} uv build").as_str(),
            vec![
                "twine not found: the metadata was not checked with `twine check`".to_owned(),
                "built in an isolated environment, as CI does: <env>/bin/python lacks wheel (asked for by setuptools.build_meta's get_requires_for_build_wheel)".to_owned()
            ]
        )
    );
    install("wheel");
    let (code, status, message, details) = build_with(&repo, &envs);
    assert_eq!(
        (code, status.as_str(), message.as_str(), shown(details)),
        (
            0,
            "pass",
            format!("{built} uv build without isolation").as_str(),
            vec!["twine not found: the metadata was not checked with `twine check`".to_owned()]
        )
    );
}

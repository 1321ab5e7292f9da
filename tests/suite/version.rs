//! `relgate version`: every version source, read statically from the project's files.

use serde_json::{Value, json};

use crate::common::{TestRepo, stderr, stdout};

/// `relgate version --format json` in a repository holding `files`.
#[track_caller]
fn version_json(files: &[(&str, &str)]) -> Value {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("init");
    let out = repo
        .relgate()
        .args(["version", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[track_caller]
fn version_error(files: &[(&str, &str)]) -> String {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("init");
    let out = repo.relgate().arg("version").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    stderr(&out)
}

#[test]
fn pep621_static() {
    let doc = version_json(&[(
        "pyproject.toml",
        "[project]\nname = \"mypkg\"\nversion = \"1.4.0\"\n",
    )]);
    assert_eq!(
        doc,
        json!({"name": "mypkg", "version": "1.4.0", "version_source": "static", "file": "pyproject.toml", "line": 3, "expected_tag": "v1.4.0"})
    );
}

#[test]
fn human_form() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"mypkg\"\nversion = \"2024.1\"\n",
    )
    .commit("init");
    let out = repo.relgate().arg("version").output().unwrap();
    assert_eq!(
        stdout(&out),
        "mypkg 2024.1\n  source:       static (pyproject.toml:3)\n  expected tag: v2024.1\n"
    );
}

#[test]
fn poetry() {
    let doc = version_json(&[(
        "pyproject.toml",
        "[tool.poetry]\nname = \"poetic\"\nversion = \"0.3.1\"\ndescription = \"\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    )]);
    assert_eq!(doc["version"], "0.3.1");
    assert_eq!(doc["version_source"], "poetry");
    assert_eq!(doc["line"], 3);
    assert_eq!(doc["name"], "poetic");
}

#[test]
fn hatch_path_default_pattern() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[project]\nname = \"hatched\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\npath = \"src/hatched/__about__.py\"\n",
        ),
        (
            "src/hatched/__about__.py",
            "# SPDX\n__version__ = \"1.2.0rc1\"\n",
        ),
    ]);
    assert_eq!(
        doc,
        json!({"name": "hatched", "version": "1.2.0rc1", "version_source": "hatch-file", "file": "src/hatched/__about__.py", "line": 2, "expected_tag": "v1.2.0rc1"})
    );
}

#[test]
fn hatch_path_custom_pattern() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[project]\nname = \"h\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"h.py\"\npattern = \"RELEASE = '(?P<version>[^']+)'\"\n",
        ),
        ("h.py", "RELEASE = '3.0.post1'\n"),
    ]);
    assert_eq!(doc["version"], "3.0.post1");
    assert_eq!(doc["version_source"], "hatch-file");
}

#[test]
fn setuptools_attr_src_layout_with_reexport() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"attrpkg\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = {attr = \"attrpkg.__version__\"}\n",
        ),
        (
            "src/attrpkg/__init__.py",
            "from ._version import __version__\n",
        ),
        ("src/attrpkg/_version.py", "__version__: str = '0.9.0'\n"),
    ]);
    assert_eq!(doc["version"], "0.9.0");
    assert_eq!(doc["version_source"], "setuptools-attr");
    assert_eq!(doc["file"], "src/attrpkg/_version.py");
    assert_eq!(doc["line"], 1);
}

#[test]
fn setuptools_file() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[project]\nname = \"filepkg\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n",
        ),
        ("VERSION", "4.5.6\n"),
    ]);
    assert_eq!(doc["version"], "4.5.6");
    assert_eq!(doc["version_source"], "setuptools-file");
    assert_eq!(doc["file"], "VERSION");
}

#[test]
fn flit_module() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"flit_core>=3.4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"flitty-pkg\"\ndynamic = [\"version\", \"description\"]\n",
        ),
        (
            "flitty_pkg/__init__.py",
            "\"\"\"A flit package.\"\"\"\n\n__version__ = \"0.1.0\"\n",
        ),
    ]);
    assert_eq!(doc["version"], "0.1.0");
    assert_eq!(doc["version_source"], "flit");
    assert_eq!(doc["file"], "flitty_pkg/__init__.py");
    assert_eq!(doc["line"], 3);
}

#[test]
fn pdm_file() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[project]\nname = \"pdmpkg\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"file\"\npath = \"src/pdmpkg/__init__.py\"\n",
        ),
        ("src/pdmpkg/__init__.py", "__version__ = \"2.0.0\"\n"),
    ]);
    assert_eq!(doc["version"], "2.0.0");
    assert_eq!(doc["version_source"], "pdm-file");
}

#[test]
fn setup_cfg_literal_and_attr() {
    let literal = version_json(&[
        ("setup.cfg", "[metadata]\nname = cfgpkg\nversion = 1.0.1\n"),
        ("setup.py", "from setuptools import setup\nsetup()\n"),
    ]);
    assert_eq!(literal["version"], "1.0.1");
    assert_eq!(literal["version_source"], "setup-cfg");
    assert_eq!(literal["file"], "setup.cfg");
    assert_eq!(literal["line"], 3);
    assert_eq!(literal["name"], "cfgpkg");

    let attr = version_json(&[
        (
            "setup.cfg",
            "[metadata]\nname = cfgpkg\nversion = attr: cfgpkg.__version__\n\n[options]\npackage_dir =\n    =src\npackages = find:\n",
        ),
        ("src/cfgpkg/__init__.py", "__version__ = '1.1.0'\n"),
    ]);
    assert_eq!(attr["version"], "1.1.0");
    assert_eq!(attr["version_source"], "setup-cfg");
    assert_eq!(attr["file"], "src/cfgpkg/__init__.py");
}

#[test]
fn vcs_plugins() {
    for (pyproject, tool) in [
        (
            "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools-scm>=8\"]\nbuild-backend = \"setuptools.build_meta\"\n[project]\nname = \"scm\"\ndynamic = [\"version\"]\n[tool.setuptools_scm]\n",
            "setuptools-scm",
        ),
        (
            "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"hv\"\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
            "hatch-vcs",
        ),
        (
            "[tool.poetry]\nname = \"pdv\"\nversion = \"0.0.0\"\n[tool.poetry-dynamic-versioning]\nenable = true\n",
            "poetry-dynamic-versioning",
        ),
        (
            "[project]\nname = \"pdmscm\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"scm\"\n",
            "pdm-backend (scm)",
        ),
        (
            "[build-system]\nrequires = [\"setuptools\", \"versioningit\"]\n[project]\nname = \"vit\"\ndynamic = [\"version\"]\n[tool.versioningit]\n",
            "versioningit",
        ),
    ] {
        let repo = TestRepo::new();
        repo.write("pyproject.toml", pyproject).commit("init");
        let out = repo
            .relgate()
            .args(["version", "--format", "json"])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["version_source"], "vcs", "{tool}");
        assert_eq!(doc["version"], Value::Null, "{tool}");
        let human = repo.relgate().arg("version").output().unwrap();
        assert!(
            stdout(&human).contains(&format!("the version comes from git tags ({tool})")),
            "{}",
            stdout(&human)
        );
    }
}

#[test]
fn legacy_setup_py_forms() {
    let literal = version_json(&[(
        "setup.py",
        "from setuptools import setup\n\nsetup(\n    name=\"oldpkg\",\n    version=\"0.7.2\",\n    packages=[\"oldpkg\"],\n)\n",
    )]);
    assert_eq!(literal["version"], "0.7.2");
    assert_eq!(literal["version_source"], "setup-py");
    assert_eq!(literal["line"], 5);
    assert_eq!(literal["name"], "oldpkg");

    let module = version_json(&[
        (
            "setup.py",
            "import re\nfrom setuptools import setup\nabout = {}\nexec(open('oldpkg/__version__.py').read(), about)\nsetup(name='oldpkg', version=about['__version__'])\n",
        ),
        (
            "oldpkg/__version__.py",
            "__title__ = 'oldpkg'\n__version__ = '2.31.0'\n",
        ),
    ]);
    assert_eq!(module["version"], "2.31.0");
    assert_eq!(module["version_source"], "setup-py");
    assert_eq!(module["file"], "oldpkg/__version__.py");
    assert_eq!(module["line"], 2);

    let file = version_json(&[
        (
            "setup.py",
            "from setuptools import setup\nwith open('VERSION') as f:\n    v = f.read().strip()\nsetup(name='vf', version=v)\n",
        ),
        ("VERSION", "5.0.0\n"),
    ]);
    assert_eq!(file["version"], "5.0.0");
    assert_eq!(file["file"], "VERSION");
}

#[test]
fn configured_version_file() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[project]\nname = \"cfg\"\ndynamic = [\"version\"]\n\n[tool.relgate]\nversion-file = \"cfg/meta.py\"\nversion-pattern = 'VERSION_STRING = \"(?P<version>[^\"]+)\"'\n",
        ),
        ("cfg/meta.py", "import os\nVERSION_STRING = \"8.1\"\n"),
    ]);
    assert_eq!(doc["version"], "8.1");
    assert_eq!(doc["version_source"], "config");
    assert_eq!(doc["line"], 2);
}

#[test]
fn computed_version_cannot_be_determined() {
    let err = version_error(&[
        (
            "pyproject.toml",
            "[project]\nname = \"comp\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"comp.__version__\"}\n",
        ),
        (
            "comp/__init__.py",
            "import importlib.metadata\n__version__ = importlib.metadata.version('comp')\n",
        ),
    ]);
    assert_eq!(
        err,
        "error: cannot determine the version statically: [tool.setuptools.dynamic] version points at comp.__version__, and comp/__init__.py does not assign __version__ a string literal (it is computed)\n\
         hint: tell relgate where the version is: [tool.relgate] version-file = \"src/pkg/__init__.py\" (and version-pattern = '__version__ = \"(?P<version>[^\"]+)\"' if it is not a `__version__` assignment)\n"
    );
}

#[test]
fn setup_py_computed_version() {
    let err = version_error(&[(
        "setup.py",
        "from setuptools import setup\nsetup(name='x', version=compute())\n",
    )]);
    assert!(
        err.starts_with("error: cannot determine the version statically (the build backend is setuptools): setup.py computes the version (relgate reads a literal, a constant, a VERSION file or a module's __version__)\n"),
        "{err}"
    );
}

#[test]
fn no_project() {
    let err = version_error(&[("README.md", "hello\n")]);
    assert_eq!(
        err,
        "error: no Python project found in the working tree: no pyproject.toml, setup.cfg or setup.py\n\
         hint: run relgate in the project's directory, or pass --path DIR for a project in a subdirectory\n"
    );
}

#[test]
fn setup_py_reading_a_module_it_names() {
    // SQLAlchemy's historical setup.py: the version is parsed out of lib/sqlalchemy/__init__.py.
    let doc = version_json(&[
        (
            "setup.py",
            "import os, re\nv_file = open(os.path.join(os.path.dirname(__file__),\n                        'lib', 'sqlalchemy', '__init__.py'))\nVERSION = re.compile(r\".*__version__ = '(.*?)'\", re.S).match(v_file.read()).group(1)\nsetup(name=\"SQLAlchemy\", version=VERSION, package_dir={'': 'lib'})\n",
        ),
        (
            "lib/sqlalchemy/__init__.py",
            "from .sql import select\n\n__version__ = '0.7.0'\n",
        ),
    ]);
    assert_eq!(doc["version"], "0.7.0");
    assert_eq!(doc["version_source"], "setup-py");
    assert_eq!(doc["file"], "lib/sqlalchemy/__init__.py");
    assert_eq!(doc["line"], 3);
    assert_eq!(doc["name"], "SQLAlchemy");
}

#[test]
fn django_style_computed_version_is_explained() {
    let err = version_error(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=77.0.3\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"Django\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = {attr = \"django.__version__\"}\n",
        ),
        (
            "django/__init__.py",
            "from django.utils.version import get_version\n\nVERSION = (6, 0, 0, \"alpha\", 0)\n\n__version__ = get_version(VERSION)\n",
        ),
    ]);
    assert!(
        err.starts_with("error: cannot determine the version statically: [tool.setuptools.dynamic] version points at django.__version__, and django/__init__.py does not assign __version__ a string literal (it is computed)\n"),
        "{err}"
    );
}

#[test]
fn maturin_crate_version_and_workspace_inheritance() {
    let backend = "[build-system]\nrequires = [\"maturin>=1.5,<2\"]\nbuild-backend = \"maturin\"\n";
    let doc = version_json(&[
        (
            "pyproject.toml",
            &format!("{backend}\n[project]\nname = \"fastthing\"\ndynamic = [\"version\"]\n"),
        ),
        (
            "Cargo.toml",
            "[package]\nname = \"fastthing\"\nversion = \"0.4.2\"\nedition = \"2021\"\n",
        ),
    ]);
    assert_eq!(
        doc,
        json!({"name": "fastthing", "version": "0.4.2", "version_source": "cargo", "file": "Cargo.toml", "line": 3, "expected_tag": "v0.4.2"})
    );
    // pydantic-core style: the Python package in a subdirectory of a Cargo workspace.
    let doc = version_json(&[
        (
            "pyproject.toml",
            &format!(
                "{backend}\n[project]\nname = \"fastthing\"\ndynamic = [\"version\"]\n\n[tool.maturin]\nmanifest-path = \"crates/fastthing-py/Cargo.toml\"\n"
            ),
        ),
        (
            "crates/fastthing-py/Cargo.toml",
            "[package]\nname = \"fastthing-py\"\nversion = { workspace = true }\n",
        ),
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"1.0.0-beta.2\"\n",
        ),
    ]);
    assert_eq!(doc["version"], "1.0.0-beta.2");
    assert_eq!(doc["file"], "Cargo.toml");
    assert_eq!(doc["line"], 5);
}

#[test]
fn maturin_semver_prerelease_matches_its_pep440_tag() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = [\"maturin\"]\nbuild-backend = \"maturin\"\n[project]\nname = \"fastthing\"\ndynamic = [\"version\"]\n",
    )
    .write(
        "Cargo.toml",
        "[package]\nname = \"fastthing\"\nversion = \"2.0.0-rc.1\"\n",
    )
    .commit("release")
    .tag("v2.0.0rc1");
    let out = repo
        .relgate()
        .args(["check", "--only", "version", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_eq!(doc["checks"][0]["status"], "pass");
    assert_eq!(doc["project"]["version_source"], "cargo");
}

#[test]
fn scikit_build_core_regex_provider() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"scikit-build-core\"]\nbuild-backend = \"scikit_build_core.build\"\n\n[project]\nname = \"cmaked\"\ndynamic = [\"version\"]\n\n[tool.scikit-build]\nmetadata.version.provider = \"scikit_build_core.metadata.regex\"\nmetadata.version.input = \"src/cmaked/__init__.py\"\n",
        ),
        ("src/cmaked/__init__.py", "__version__ = \"0.9.1\"\n"),
    ]);
    assert_eq!(
        doc,
        json!({"name": "cmaked", "version": "0.9.1", "version_source": "scikit-build", "file": "src/cmaked/__init__.py", "line": 1, "expected_tag": "v0.9.1"})
    );
}

#[test]
fn meson_python_project_version() {
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"meson-python\"]\nbuild-backend = \"mesonpy\"\n\n[project]\nname = \"mesoned\"\ndynamic = [\"version\"]\n",
        ),
        (
            "meson.build",
            "project(\n  'mesoned',\n  'c',\n  version: '1.26.4',\n  meson_version: '>= 1.1.0',\n)\n",
        ),
    ]);
    assert_eq!(
        doc,
        json!({"name": "mesoned", "version": "1.26.4", "version_source": "meson", "file": "meson.build", "line": 4, "expected_tag": "v1.26.4"})
    );
    let err = version_error(&[
        (
            "pyproject.toml",
            "[build-system]\nbuild-backend = \"mesonpy\"\n[project]\nname = \"numpyish\"\ndynamic = [\"version\"]\n",
        ),
        (
            "meson.build",
            "project(\n  'numpyish',\n  'c',\n  version: run_command(['tools/version.py'], check: true).stdout().strip(),\n)\n",
        ),
    ]);
    assert!(
        err.starts_with("error: cannot determine the version statically: meson.build's project() does not give `version:` as a string literal"),
        "{err}"
    );
}

#[test]
fn poetry_2_dynamic_version_in_tool_poetry() {
    let doc = version_json(&[(
        "pyproject.toml",
        "[project]\nname = \"poetic\"\ndynamic = [\"version\"]\n\n[tool.poetry]\nversion = \"1.1.0\"\n\n[build-system]\nrequires = [\"poetry-core>=2.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    )]);
    assert_eq!(doc["version"], "1.1.0");
    assert_eq!(doc["version_source"], "poetry");
    assert_eq!(doc["line"], 6);
}

#[test]
fn setuptools_attr_in_a_package_discovery_root() {
    // SQLAlchemy's layout: packages under lib/, found by [tool.setuptools.packages.find] where.
    let doc = version_json(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools>=77\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"SQLAlchemy\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = {attr = \"sqlalchemy.__version__\"}\n\n[tool.setuptools.packages.find]\nwhere = [\"lib\"]\n",
        ),
        (
            "lib/sqlalchemy/__init__.py",
            "from .engine import create_engine\n\n__version__ = \"2.1.9\"\n",
        ),
    ]);
    assert_eq!(
        doc,
        json!({"name": "SQLAlchemy", "version": "2.1.9", "version_source": "setuptools-attr", "file": "lib/sqlalchemy/__init__.py", "line": 3, "expected_tag": "v2.1.9"})
    );
}

#[test]
fn a_repository_owned_by_another_user_says_how_git_allows_it() {
    // Only root can give a directory away; elsewhere this refusal cannot be arranged.
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: needs root to hand the repository to another user");
        return;
    }
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = \"1.0\"\n",
    )
    .commit("init");
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let out = repo.relgate().arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: git refuses to open the repository at {}: it is owned by another user\nhint: if you trust it, mark it safe as git says: git config --global --add safe.directory <repository path>\n",
            repo.path().canonicalize().unwrap().display()
        )
    );
    assert_eq!(stdout(&out), "");
}

/// `relgate version --tag NAME` reads what the tagged commit declares, from git, whatever the working tree
/// holds; the expected tag follows the repository's own convention (tags `8.5.0` expect `8.5.1`, not `v8.5.1`).
#[test]
fn version_of_a_tag_and_the_repositorys_tag_convention() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"conv\"\nversion = \"8.4.0\"\n",
    )
    .commit("8.4.0")
    .tag("8.4.0");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"conv\"\nversion = \"8.5.0\"\n",
    )
    .commit("8.5.0")
    .tag("8.5.0");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"conv\"\n\nversion = \"8.5.1\"\n",
    )
    .commit("next");
    // The working tree holds another version again: --tag never reads it.
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"conv\"\nversion = \"9.9.9\"\n",
    );
    let json = |args: &[&str]| -> Value {
        let out = repo
            .relgate()
            .args(["version", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(
        json(&["--tag", "8.4.0"]),
        json!({"name": "conv", "version": "8.4.0", "version_source": "static", "file": "pyproject.toml", "line": 3, "expected_tag": "8.4.0"})
    );
    repo.git(&["checkout", "-q", "--", "pyproject.toml"]);
    assert_eq!(json(&[])["expected_tag"], "8.5.1");
    let out = repo
        .relgate()
        .args(["version", "--tag", "v8.4.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: there is no tag named \"v8.4.0\" in this repository\nhint: list the tags with `git tag --list`, or create it first\n"
    );
}

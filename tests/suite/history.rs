//! Release histories as real projects write them: how the version is declared over a project's life (setup.py,
//! setup.cfg, setuptools-scm, flit's legacy metadata, pdm-pep517...) and the order of releases with
//! pre-releases. Each test builds a repository with real commits and real tags, then gates the tags with
//! `relgate check --only version --tag T` and asserts the exact verdicts and exit codes.

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout};

/// A check's (name, status, message, details).
type Verdict = (String, String, String, Vec<String>);
/// What a case writes: (path, content).
type Files<'a> = &'a [(&'a str, &'a str)];

/// A repository built one release at a time: write the files, commit, tag.
struct History {
    repo: TestRepo,
}

impl History {
    fn new() -> History {
        History {
            repo: TestRepo::new(),
        }
    }

    /// Write `files` (an empty content deletes the file), commit, and tag the commit `tag`.
    #[track_caller]
    fn release(&self, tag: &str, files: &[(&str, &str)]) -> &Self {
        for (path, content) in files {
            if content.is_empty() {
                let _ = std::fs::remove_file(self.repo.path().join(path));
            } else {
                self.repo.write(path, content);
            }
        }
        self.repo.commit(&format!("release {tag}"));
        self.repo.tag(tag);
        self
    }

    /// `relgate check --only version --format json --tag TAG`: the exit code and each check's (name, status,
    /// message, details).
    #[track_caller]
    fn check(&self, tag: &str) -> (i32, Vec<Verdict>) {
        let out = self
            .repo
            .relgate()
            .args([
                "check", "--only", "version", "--format", "json", "--tag", tag,
            ])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
        let checks = doc["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("no checks: {doc:#}"))
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["status"].as_str().unwrap().to_owned(),
                    c["message"].as_str().unwrap().to_owned(),
                    c["details"]
                        .as_array()
                        .map(|d| d.iter().map(|l| l.as_str().unwrap().to_owned()).collect())
                        .unwrap_or_default(),
                )
            })
            .collect();
        (out.status.code().unwrap(), checks)
    }

    /// The exit code and the `version` check's (status, message) for `tag`.
    #[track_caller]
    fn agreement(&self, tag: &str) -> (i32, String, String) {
        let (code, checks) = self.check(tag);
        let (_, status, message, _) = checks.into_iter().next().unwrap();
        (code, status, message)
    }

    /// The exit code and the `version-order` check's (status, message, details) for `tag`.
    #[track_caller]
    fn order(&self, tag: &str) -> (i32, String, String, Vec<String>) {
        let (code, checks) = self.check(tag);
        let (name, status, message, details) = checks.into_iter().nth(1).unwrap();
        assert_eq!(name, "version-order");
        (code, status, message, details)
    }

    /// `relgate version --format json --tag TAG`.
    #[track_caller]
    fn version(&self, tag: &str) -> Value {
        let out = self
            .repo
            .relgate()
            .args(["version", "--format", "json", "--tag", tag])
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

    /// A version that cannot be read: `relgate version --tag TAG` exits 2 with the error and its hint (its
    /// stderr is returned), and `relgate check --only version --tag TAG` fails with the same message as the
    /// version check's error.
    #[track_caller]
    fn refused(&self, tag: &str) -> String {
        let out = self
            .repo
            .relgate()
            .args(["version", "--tag", tag])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        let (code, checks) = self.check(tag);
        let (name, status, message, _) = &checks[0];
        assert_eq!(
            (code, name.as_str(), status.as_str()),
            (1, "version", "error")
        );
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("error: {message}\n")),
            "{err} / {message}"
        );
        err
    }
}

fn pass(message: &str) -> (i32, String, String) {
    (0, "pass".to_owned(), message.to_owned())
}

const SCM_PYPROJECT: &str = "[build-system]\nrequires = [\"setuptools>=45\", \"setuptools_scm[toml]>=6.2\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[tool.setuptools_scm]\nwrite_to = \"src/pkg/_version.py\"\n";

/// A project's life with setuptools-scm and no `[project]` table: the metadata in setup.cfg or setup.py, the
/// version from the tag.
#[test]
fn setuptools_scm_without_a_project_table_takes_the_version_from_the_tag() {
    let h = History::new();
    h.release(
        "1.0.0",
        &[
            ("setup.cfg", "[metadata]\nname = pkg\nversion = 1.0.0\n"),
            ("setup.py", "from setuptools import setup\nsetup()\n"),
        ],
    );
    // setup.py's keyword, with setup_requires: no pyproject.toml yet.
    h.release(
        "1.1.0",
        &[
            ("setup.cfg", "[metadata]\nname = pkg\n"),
            (
                "setup.py",
                "from setuptools import setup\nsetup(\n    use_scm_version={\"write_to\": \"src/pkg/_version.py\"},\n    setup_requires=[\"setuptools_scm\"],\n)\n",
            ),
        ],
    );
    // The [tool.setuptools_scm] table, metadata still in setup.cfg.
    h.release(
        "1.2.0",
        &[
            ("pyproject.toml", SCM_PYPROJECT),
            ("setup.py", "from setuptools import setup\nsetup()\n"),
        ],
    );
    assert_eq!(
        h.agreement("1.0.0"),
        pass("tag 1.0.0 matches the declared version 1.0.0 (setup.cfg:3, setup-cfg)")
    );
    for tag in ["1.1.0", "1.2.0"] {
        assert_eq!(
            h.agreement(tag),
            pass(&format!(
                "tag {tag} is the version (setuptools-scm derives it from git tags)"
            ))
        );
        let doc = h.version(tag);
        assert_eq!(
            (
                &doc["version_source"],
                &doc["version"],
                &doc["expected_tag"]
            ),
            (&Value::from("vcs"), &Value::from(tag), &Value::from(tag))
        );
    }
    let (code, status, message, _) = h.order("1.2.0");
    assert_eq!(
        (code, status.as_str(), message.as_str()),
        (
            0,
            "pass",
            "1.2.0 is newer than 1.1.0, the latest release tag in its history"
        )
    );
}

/// The package re-exports the `__version__` that setuptools-scm writes (`write_to`), so setup.cfg's `attr:`
/// cannot be read from the tree: where the plugin is on, the tag is the version.
#[test]
fn a_version_module_that_setuptools_scm_writes_is_the_tags_version() {
    let h = History::new();
    h.release(
        "20.0.0",
        &[
            ("pyproject.toml", SCM_PYPROJECT),
            (
                "setup.cfg",
                "[metadata]\nname = pkg\nversion = attr: pkg.__version__\n\n[options]\npackage_dir =\n    =src\n",
            ),
            ("setup.py", "from setuptools import setup\nsetup()\n"),
            ("src/pkg/__init__.py", "from ._version import __version__\n"),
        ],
    );
    assert_eq!(
        h.agreement("20.0.0"),
        pass("tag 20.0.0 is the version (setuptools-scm derives it from git tags)")
    );
}

/// A version setuptools already has wins over the `[tool.setuptools_scm]` table (setuptools-scm 8 and later
/// leave it as it is): a tag that disagrees with it is caught.
#[test]
fn a_static_version_wins_over_the_setuptools_scm_table() {
    let h = History::new();
    h.release(
        "v2.0.0",
        &[
            ("pyproject.toml", SCM_PYPROJECT),
            ("setup.cfg", "[metadata]\nname = pkg\nversion = 1.9.0\n"),
        ],
    );
    assert_eq!(
        h.agreement("v2.0.0"),
        (
            1,
            "fail".to_owned(),
            "tag v2.0.0 says 2.0.0, but setup.cfg:3, setup-cfg declares 1.9.0".to_owned()
        )
    );
}

/// Listing setuptools-scm as a build requirement installs it; nothing turns it on, and setuptools would build
/// 0.0.0: that is said, with what the files hold.
#[test]
fn setuptools_scm_listed_but_never_turned_on_is_explained() {
    let h = History::new();
    h.release(
        "1.0.0",
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"setuptools\", \"setuptools-scm\"]\nbuild-backend = \"setuptools.build_meta\"\n",
            ),
            ("setup.cfg", "[metadata]\nname = pkg\n"),
        ],
    );
    assert_eq!(
        h.refused("1.0.0"),
        "error: cannot determine the version statically (the build backend is setuptools): pyproject.toml has no [project] table (it holds [build-system]); setup.cfg has no [metadata] version; setuptools-scm is installed for the build, but nothing turns it on: it sets the version only with a [tool.setuptools_scm] table in pyproject.toml (or use_scm_version=... in setup.py), so setuptools would build version 0.0.0\n\
         hint: tell relgate where the version is: [tool.relgate] version-file = \"src/pkg/__init__.py\" (and version-pattern = '__version__ = \"(?P<version>[^\"]+)\"' if it is not a `__version__` assignment)\n"
    );
}

/// flit before `flit_core` 3 kept its metadata in `[tool.flit.metadata]`: the version is the module's
/// `__version__`. Then the project moves to PEP 621 metadata with a dynamic version.
#[test]
fn flit_legacy_metadata_then_pep621() {
    let h = History::new();
    h.release(
        "0.1.0",
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"flit_core >=2,<4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[tool.flit.metadata]\nmodule = \"flitpkg\"\ndist-name = \"flit-pkg\"\nauthor = \"A\"\n",
            ),
            (
                "flitpkg/__init__.py",
                "\"\"\"A package.\"\"\"\n\n__version__ = \"0.1.0\"\n",
            ),
        ],
    );
    h.release(
        "0.2.0",
        &[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"flit_core >=3.2,<4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"flit-pkg\"\ndynamic = [\"version\", \"description\"]\n\n[tool.flit.module]\nname = \"flitpkg\"\n",
            ),
            (
                "flitpkg/__init__.py",
                "\"\"\"A package.\"\"\"\n\n__version__ = \"0.2.0\"\n",
            ),
        ],
    );
    assert_eq!(
        h.agreement("0.1.0"),
        pass("tag 0.1.0 matches the declared version 0.1.0 (flitpkg/__init__.py:3, flit)")
    );
    assert_eq!(h.version("0.1.0")["name"], "flit-pkg");
    assert_eq!(
        h.agreement("0.2.0"),
        pass("tag 0.2.0 matches the declared version 0.2.0 (flitpkg/__init__.py:3, flit)")
    );
    // A computed __version__ is explained from [tool.flit.metadata], never as a missing pyproject.toml.
    h.release(
        "0.3.0",
        &[
            (
                "pyproject.toml",
                "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n\n[tool.flit.metadata]\nmodule = \"flitpkg\"\n",
            ),
            (
                "flitpkg/__init__.py",
                "from importlib.metadata import version\n__version__ = version(\"flit-pkg\")\n",
            ),
        ],
    );
    assert!(
        h.refused("0.3.0").starts_with(
            "error: cannot determine the version statically: [tool.flit.metadata] module points at flitpkg.__version__, and flitpkg/__init__.py does not assign __version__ a string literal (it is computed)\n"
        )
    );
}

/// An error never claims a file is missing when it is there: it says what was found and what was not
/// understood.
#[test]
fn an_unreadable_version_says_what_the_files_hold() {
    let h = History::new();
    h.release(
        "1.0.0",
        &[("pyproject.toml", "[tool.black]\nline-length = 100\n")],
    );
    assert_eq!(
        h.refused("1.0.0"),
        "error: cannot determine the version statically (pyproject.toml names no build backend, so pip builds with setuptools): pyproject.toml has no [project] table (it holds [tool.black]); there is no setup.cfg or setup.py\n\
         hint: tell relgate where the version is: [tool.relgate] version-file = \"src/pkg/__init__.py\" (and version-pattern = '__version__ = \"(?P<version>[^\"]+)\"' if it is not a `__version__` assignment)\n"
    );
    let h = History::new();
    h.release(
        "1.0.0",
        &[(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"h\"\ndynamic = [\"version\"]\n",
        )],
    );
    assert!(h.refused("1.0.0").starts_with(
        "error: cannot determine the version statically: the build backend is hatchling, pyproject.toml lists the version in [project] dynamic, and there is no [tool.hatch.version] (path, or source = \"vcs\")\n"
    ));
}

/// Every dynamic-version detector asks what the build backend really does with the files: each backend reads
/// its own configuration only, and a plugin counts when it is turned on.
#[test]
fn each_backend_reads_only_its_own_configuration() {
    let setuptools =
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n";
    let cases: &[(&str, Files, Value)] = &[
        (
            "hatch-vcs under hatchling",
            &[(
                "pyproject.toml",
                "[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
            )],
            serde_json::json!(["vcs", null]),
        ),
        (
            "a leftover [tool.hatch.version] under setuptools",
            &[
                (
                    "pyproject.toml",
                    &format!("{setuptools}[tool.hatch.version]\nsource = \"vcs\"\n"),
                ),
                ("setup.cfg", "[metadata]\nname = p\nversion = 3.1.0\n"),
            ],
            serde_json::json!(["setup-cfg", "3.1.0"]),
        ),
        (
            "hatch.toml's [version]",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n",
                ),
                ("hatch.toml", "[version]\npath = \"p/__about__.py\"\n"),
                ("p/__about__.py", "__version__ = \"0.5.0\"\n"),
            ],
            serde_json::json!(["hatch-file", "0.5.0"]),
        ),
        (
            "pdm-backend's scm source",
            &[(
                "pyproject.toml",
                "[build-system]\nbuild-backend = \"pdm.backend\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"scm\"\n",
            )],
            serde_json::json!(["vcs", null]),
        ),
        (
            "pdm-pep517's [project] version = {use_scm = true}",
            &[(
                "pyproject.toml",
                "[build-system]\nbuild-backend = \"pdm.pep517.api\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\nversion = {use_scm = true}\n",
            )],
            serde_json::json!(["vcs", null]),
        ),
        (
            "pdm-pep517's [tool.pdm] version = {from = ...}",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nbuild-backend = \"pdm.pep517.api\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.pdm]\nversion = {from = \"p/__init__.py\"}\n",
                ),
                ("p/__init__.py", "__version__ = \"1.4.0\"\n"),
            ],
            serde_json::json!(["pdm-file", "1.4.0"]),
        ),
        (
            "PDM before PEP 621",
            &[(
                "pyproject.toml",
                "[tool.pdm]\nname = \"p\"\nversion = \"0.1.0\"\n\n[build-system]\nrequires = [\"intreehooks\"]\nbuild-backend = \"intreehooks:loader\"\n",
            )],
            serde_json::json!(["pdm", "0.1.0"]),
        ),
        (
            "poetry-dynamic-versioning turned off",
            &[(
                "pyproject.toml",
                "[build-system]\nbuild-backend = \"poetry_dynamic_versioning.backend\"\n[tool.poetry]\nname = \"p\"\nversion = \"0.9.0\"\n[tool.poetry-dynamic-versioning]\nenable = false\n",
            )],
            serde_json::json!(["poetry", "0.9.0"]),
        ),
        (
            "versioningit's table under setuptools",
            &[(
                "pyproject.toml",
                &format!(
                    "{setuptools}[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.versioningit]\n"
                ),
            )],
            serde_json::json!(["vcs", null]),
        ),
        (
            "setuptools-scm[simple] with a dynamic version",
            &[(
                "pyproject.toml",
                "[build-system]\nrequires = [\"setuptools\", \"setuptools-scm[simple]>=9\"]\nbuild-backend = \"setuptools.build_meta\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n",
            )],
            serde_json::json!(["vcs", null]),
        ),
        (
            "an in-tree backend wrapping setuptools, its attr computed by setuptools-scm",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nbuild-backend = \"_own_helper\"\nbackend-path = [\".\"]\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"_own_helper.version\"}\n[tool.setuptools_scm]\n",
                ),
                (
                    "_own_helper.py",
                    "from setuptools.build_meta import *\nversion: str\n\ndef __getattr__(name):\n    return scm_version()\n",
                ),
            ],
            serde_json::json!(["vcs", null]),
        ),
        (
            "setuptools-scm installed, the version from [tool.setuptools.dynamic]",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nrequires = [\"setuptools\", \"setuptools-scm\"]\nbuild-backend = \"setuptools.build_meta\"\n[project]\nname = \"p\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"p.__version__\"}\n",
                ),
                ("p/__init__.py", "__version__ = \"2.2.0\"\n"),
            ],
            serde_json::json!(["setuptools-attr", "2.2.0"]),
        ),
        (
            "flit with a static [project] version",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n[project]\nname = \"p\"\nversion = \"1.0.0\"\n",
                ),
                ("p/__init__.py", "__version__ = \"0.0.0\"\n"),
            ],
            serde_json::json!(["static", "1.0.0"]),
        ),
        (
            "a pyo3 crate that maturin builds from Cargo.toml alone",
            &[(
                "Cargo.toml",
                "[package]\nname = \"fastext\"\nversion = \"1.2.0\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\npyo3 = \"0.8\"\n",
            )],
            serde_json::json!(["cargo", "1.2.0"]),
        ),
        (
            "flit.ini, before pyproject.toml",
            &[
                ("flit.ini", "[metadata]\nmodule=oldflit\nauthor=A\n"),
                ("oldflit.py", "\"\"\"Old.\"\"\"\n__version__ = '0.10'\n"),
            ],
            serde_json::json!(["flit", "0.10"]),
        ),
        (
            "pyo3-pack, maturin's first name",
            &[
                (
                    "pyproject.toml",
                    "[build-system]\nrequires = [\"pyo3-pack\"]\nbuild-backend = \"pyo3_pack\"\n",
                ),
                (
                    "Cargo.toml",
                    "[package]\nname = \"fastext\"\nversion = \"2.0.7\"\n",
                ),
            ],
            serde_json::json!(["cargo", "2.0.7"]),
        ),
        (
            "setup.py joining the path with os.path's join",
            &[
                (
                    "setup.py",
                    "from os.path import dirname, join\nBASE_DIR = dirname(__file__)\nINFO = {}\nwith open(join(BASE_DIR, \"src\", \"api\", \"version.py\")) as f:\n    exec(f.read(), INFO)\nsetup(name=\"api\", version=INFO[\"__version__\"])\n",
                ),
                ("src/api/version.py", "__version__ = \"0.5b0\"\n"),
            ],
            serde_json::json!(["setup-py", "0.5b0"]),
        ),
        (
            "setup.py filling an empty placeholder from a module it names",
            &[
                (
                    "setup.py",
                    "import re\nversion = ''\nwith open('req/__init__.py', 'r') as fd:\n    version = re.search(r'__version__ = \"(.*)\"', fd.read()).group(1)\nsetup(name='req', version=version)\n",
                ),
                ("req/__init__.py", "__version__ = \"2.6.0\"\n"),
            ],
            serde_json::json!(["setup-py", "2.6.0"]),
        ),
        (
            "setup.py reading the variable its regular expression names",
            &[
                (
                    "setup.py",
                    "import os, re\nhere = os.path.dirname(__file__)\nversion_re = re.compile(\n    r'venvtool_version = \"(.*?)\"')\nfp = open(os.path.join(here, 'venvtool.py'))\nversion = None\nfor line in fp:\n    match = version_re.search(line)\nsetup(name='venvtool', version=version)\n",
                ),
                ("venvtool.py", "import sys\nvenvtool_version = \"1.4.2\"\n"),
            ],
            serde_json::json!(["setup-py", "1.4.2"]),
        ),
        (
            "a Python 2 package re-exporting its version by an implicit relative import",
            &[
                (
                    "setup.py",
                    "import req\nsetup(name='req', version=req.__version__, packages=['req'])\n",
                ),
                (
                    "req/__init__.py",
                    "import packages\nfrom core import *\n\nfrom core import __version__\n",
                ),
                ("req/core.py", "__title__ = 'req'\n__version__ = '0.2.4'\n"),
            ],
            serde_json::json!(["setup-py", "0.2.4"]),
        ),
        (
            "setup.py passing a module-level constant",
            &[(
                "setup.py",
                "from setuptools import setup\n\n#: the release script parses this line\nVERSION = '2.0'\n\nsetup(name='j', version=VERSION)\n",
            )],
            serde_json::json!(["setup-py", "2.0"]),
        ),
        (
            "setup.py reading a version class out of a module it names",
            &[
                (
                    "setup.py",
                    "from importlib.machinery import SourceFileLoader\nversion = SourceFileLoader('version', 'pd/version.py').load_module()\nsetup(name='pd', version=str(version.VERSION))\n",
                ),
                (
                    "pd/version.py",
                    "from distutils.version import StrictVersion\nVERSION = StrictVersion('0.20')\n",
                ),
            ],
            serde_json::json!(["setup-py", "0.20"]),
        ),
    ];
    for (what, files, expected) in cases {
        let h = History::new();
        h.release("any", files);
        let doc = h.version("any");
        assert_eq!(
            serde_json::json!([doc["version_source"], doc["version"]]),
            *expected,
            "{what}: {doc:#}"
        );
    }
}

/// A final release is never "backwards" because of a pre-release of a higher line in its history: a beta of
/// the next major beside maintenance of the current one.
#[test]
fn a_final_release_after_a_pre_release_of_a_higher_line_passes() {
    let h = History::new();
    h.release(
        "0.28.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "0.28.0"))],
    );
    h.release(
        "1.0.0b0",
        &[("pyproject.toml", &crate::common::pyproject("p", "1.0.0b0"))],
    );
    h.release(
        "0.28.1",
        &[("pyproject.toml", &crate::common::pyproject("p", "0.28.1"))],
    );
    assert_eq!(
        h.order("0.28.1"),
        (
            0,
            "pass".to_owned(),
            "0.28.1 is newer than 0.28.0, the latest release tag in its history (1.0.0b0, a pre-release of a newer line, is in its history)".to_owned(),
            vec![]
        )
    );
}

/// A pre-release tagged after its own final release is odd but harmless to users: a warning, not a failure.
#[test]
fn a_pre_release_after_its_own_final_release_warns() {
    let h = History::new();
    h.release(
        "v2.58.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.58.0"))],
    );
    h.release(
        "v2.59.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.59.0"))],
    );
    h.release(
        "v2.59.0a2",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.59.0a2"))],
    );
    assert_eq!(
        h.order("v2.59.0a2"),
        (
            0,
            "pass".to_owned(),
            "2.59.0a2 is newer than v2.58.0, the latest release tag in its history".to_owned(),
            vec!["warning: 2.59.0a2 is a pre-release of 2.59.0, which is already released (tag v2.59.0, in this commit's history): harmless, but installers choose 2.59.0 over it".to_owned()]
        )
    );
}

/// A final release not greater than an earlier final release in its history fails, whatever pre-releases
/// come between; so does a pre-release below a later pre-release of the same version.
#[test]
fn going_backwards_among_finals_or_within_a_versions_pre_releases_fails() {
    let h = History::new();
    h.release(
        "v1.0.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "1.0.0"))],
    );
    h.release(
        "v2.0.0rc1",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.0.0rc1"))],
    );
    h.release(
        "v2.0.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.0.0"))],
    );
    h.release(
        "v1.9.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "1.9.0"))],
    );
    let commit = h.repo.git(&["rev-parse", "--short=7", "v2.0.0"]);
    assert_eq!(
        h.order("v1.9.0"),
        (
            1,
            "fail".to_owned(),
            format!("1.9.0 goes backwards: v2.0.0 (2.0.0, at {}) is a final release already in this commit's history", commit.trim()),
            vec!["a final release must be greater than every final release before it: release a version greater than 2.0.0 (a maintenance release goes on a branch that does not contain v2.0.0), or set [tool.relgate] monotonic = false".to_owned()]
        )
    );

    let h = History::new();
    h.release(
        "v3.0.0b2",
        &[("pyproject.toml", &crate::common::pyproject("p", "3.0.0b2"))],
    );
    h.release(
        "v3.0.0b1",
        &[("pyproject.toml", &crate::common::pyproject("p", "3.0.0b1"))],
    );
    let commit = h.repo.git(&["rev-parse", "--short=7", "v3.0.0b2"]);
    assert_eq!(
        h.order("v3.0.0b1"),
        (
            1,
            "fail".to_owned(),
            format!("3.0.0b1 goes backwards: v3.0.0b2 (3.0.0b2, at {}), a later pre-release of the same version, is already in this commit's history", commit.trim()),
            vec!["release a pre-release greater than 3.0.0b2 (or the final release), or set [tool.relgate] monotonic = false".to_owned()]
        )
    );
}

/// The index check applies the same rule: a newer pre-release on the index does not block a final release of
/// a lower line.
#[test]
fn a_newer_pre_release_on_the_index_does_not_block_a_final_release() {
    use crate::index::server::{Reply, Server};
    let page = "<!DOCTYPE html><html><body>\
        <a href=\"/f/p-1.8.0.tar.gz\">p-1.8.0.tar.gz</a>\
        <a href=\"/f/p-2.0.0rc1.tar.gz\">p-2.0.0rc1.tar.gz</a>\
        </body></html>";
    let server = Server::start(vec![
        Reply::ok("text/html", page),
        Reply::ok("text/html", page),
    ]);
    let root = server.url("/simple");
    let h = History::new();
    h.release(
        "v1.9.0",
        &[("pyproject.toml", &crate::common::pyproject("p", "1.9.0"))],
    );
    let out = h
        .repo
        .relgate()
        .args([
            "check",
            "--only",
            "index",
            "--format",
            "json",
            "--tag",
            "v1.9.0",
            "--index-url",
            &root,
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_eq!(
        doc["checks"][0]["message"],
        format!("1.9.0 is new: {root}/p/ has no final release above it (its newest, 2.0.0rc1, is a pre-release of a newer line)").as_str()
    );
    // A pre-release below the published 2.0.0rc1 of the same version goes backwards.
    h.release(
        "v2.0.0b1",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.0.0b1"))],
    );
    let out = h
        .repo
        .relgate()
        .args([
            "check",
            "--only",
            "index",
            "--format",
            "json",
            "--tag",
            "v2.0.0b1",
            "--index-url",
            &root,
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(doc["version_validation"]["pypi_conflict"], true);
}

/// Two versions tagged on one commit: the other tag is not an earlier release that this one goes backwards
/// from; the tag that does not name the declared version is the wrong one, and its own check says so.
#[test]
fn another_version_tagged_on_the_same_commit_is_not_an_earlier_release() {
    let h = History::new();
    h.release(
        "v2.2.1",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.2.1"))],
    );
    h.release(
        "v2.2.2",
        &[("pyproject.toml", &crate::common::pyproject("p", "2.2.2"))],
    );
    h.repo.tag("v2.2.3");
    assert_eq!(
        h.order("v2.2.2"),
        (
            0,
            "pass".to_owned(),
            "2.2.2 is newer than v2.2.1, the latest release tag in its history".to_owned(),
            vec!["warning: v2.2.3 (2.2.3) is on the same commit: a commit is released as one version; delete the tag that does not name it (git tag -d NAME)".to_owned()]
        )
    );
    assert_eq!(
        h.agreement("v2.2.3"),
        (
            1,
            "fail".to_owned(),
            "tag v2.2.3 says 2.2.3, but pyproject.toml:3 declares 2.2.2".to_owned()
        )
    );
}

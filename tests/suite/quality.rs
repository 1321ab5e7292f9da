//! The project's own linters, formatters, type checkers and tests: detection, environment, commands and
//! findings, run for real with the pinned tools of the test virtualenv on small fixture projects.
//!
//! The test virtualenv plays the project's environment the way real projects have one: a gitignored `.venv`
//! in the project (a symlink to it), or one created by uv or Poetry whose tools import from it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout, test_venv};

const PYPROJECT: &str = r#"[project]
name = "demo"
version = "1.0.0"

[tool.ruff]
fix = true

[tool.ruff.lint]
select = ["F", "E"]

[tool.ruff.format]

[tool.black]

[tool.isort]
profile = "black"

[tool.mypy]
files = ["src"]

[tool.basedpyright]
include = ["src"]
typeCheckingMode = "standard"

[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]
"#;

/// One violation for each tool: an unused import (ruff, flake8), `a+b` (ruff format, black), unsorted
/// imports (isort), a wrong return type (mypy, basedpyright) and a failing test (pytest).
const CORE_BAD: &str = "import os\n\n\ndef add(a: int, b: int) -> int:\n    return a+b\n\n\ndef name() -> str:\n    return 1\n";
const CORE_GOOD: &str = "def add(a: int, b: int) -> int:\n    return a + b\n\n\ndef name() -> str:\n    return \"demo\"\n";
const ORDER_BAD: &str = "import sys\nimport json\n\nprint(sys.argv, json.dumps)\n";
const ORDER_GOOD: &str = "import json\nimport sys\n\nprint(sys.argv, json.dumps)\n";
const TESTS: &str = "from demo import add, name\n\n\ndef test_add():\n    assert add(2, 2) == 4\n\n\ndef test_name():\n    assert name() == \"demo\"\n";

/// The demo project, committed and tagged v1.0.0, with the test virtualenv as its gitignored `.venv`.
fn demo(core: &str, order: &str) -> TestRepo {
    demo_with(core, order, &[])
}

/// [`demo`] with more files in the release (relgate.toml...).
fn demo_with(core: &str, order: &str, extra: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    for (name, content) in extra {
        repo.write(name, content);
    }
    repo.write("pyproject.toml", PYPROJECT)
        .write("setup.cfg", "[flake8]\nmax-line-length = 100\n")
        .write(".gitignore", ".venv\n")
        .write(
            "src/demo/__init__.py",
            "from demo.core import add, name\n\n__all__ = [\"add\", \"name\"]\n",
        )
        .write("src/demo/core.py", core)
        .write("src/demo/order.py", order)
        .write("tests/test_core.py", TESTS)
        .commit("release")
        .tag("v1.0.0");
    link_venv(&repo);
    repo
}

pub fn link_venv(repo: &TestRepo) {
    std::os::unix::fs::symlink(test_venv(), repo.path().join(".venv")).unwrap();
}

/// relgate with no activated virtualenv and a PATH without Python tools: what it runs comes from the
/// project's environment, or from `extra_path` when given.
pub fn relgate(repo: &TestRepo, extra_path: Option<&Path>) -> Command {
    let mut cmd = repo.relgate();
    let path = match extra_path {
        Some(dir) => format!("{}:/usr/bin:/bin", dir.display()),
        None => "/usr/bin:/bin".to_owned(),
    };
    cmd.env_remove("VIRTUAL_ENV")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("PRE_COMMIT_HOME")
        .env("PATH", path);
    cmd
}

/// `relgate check --format json ARGS`: the exit code and the document; the repository must be unchanged.
#[track_caller]
pub fn check_json(repo: &TestRepo, cmd: &mut Command, args: &[&str]) -> (i32, Value) {
    let before = repo.snapshot();
    let out = cmd
        .args(["check", "--offline", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    (out.status.code().unwrap(), doc)
}

#[track_caller]
pub fn check<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {doc:#}"))
}

pub fn names(doc: &Value) -> Vec<String> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// `file:line:column code` of each finding (`-` for what the tool does not give).
pub fn findings(check: &Value) -> Vec<String> {
    check["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let part = |v: &Value| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| v.as_u64().map(|n| n.to_string()))
                    .unwrap_or_else(|| "-".into())
            };
            format!(
                "{}:{}:{} {}",
                part(&f["file"]),
                part(&f["line"]),
                part(&f["column"]),
                part(&f["code"])
            )
        })
        .collect()
}

/// Human output with durations, the repository and the test virtualenv made stable.
fn normalize(text: &str, repo: &TestRepo) -> String {
    let venv = test_venv();
    let text = text
        .replace(&repo.path().display().to_string(), "<repo>")
        .replace(&venv.display().to_string(), "<venv>");
    let text = regex::Regex::new(r" +\d+(\.\d)? (ms|s)  ")
        .unwrap()
        .replace_all(&text, " N ms  ")
        .into_owned();
    let mut text = text;
    for sha in repo.git(&["log", "--all", "--format=%H"]).lines() {
        text = text.replace(&sha[..7], "<sha>");
    }
    text
}

#[test]
fn known_violations_give_exact_findings_and_exit_1() {
    let repo = demo(CORE_BAD, ORDER_BAD);
    let (code, doc) = check_json(
        &repo,
        &mut relgate(&repo, None),
        &["--only", "lint,format,type,test"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "fail");
    assert_eq!(
        names(&doc),
        [
            "ruff",
            "ruff-format",
            "black",
            "isort",
            "flake8",
            "mypy",
            "basedpyright",
            "pytest"
        ]
    );
    let expected: [(&str, &str, &[&str]); 8] = [
        ("ruff", "1 error: F401", &["src/demo/core.py:1:8 F401"]),
        (
            "ruff-format",
            "1 file would be reformatted",
            &["src/demo/core.py:5:13 -"],
        ),
        (
            "black",
            "1 file would be reformatted",
            &["src/demo/core.py:-:- -"],
        ),
        (
            "isort",
            "1 file with unsorted imports",
            &["src/demo/order.py:-:- -"],
        ),
        ("flake8", "1 error: F401", &["src/demo/core.py:1:1 F401"]),
        (
            "mypy",
            "1 error: return-value",
            &["src/demo/core.py:9:12 return-value"],
        ),
        (
            "basedpyright",
            "1 error: reportReturnType",
            &["src/demo/core.py:9:12 reportReturnType"],
        ),
        (
            "pytest",
            "1 of 2 tests failed",
            &["tests/test_core.py:9:- tests/test_core.py::test_name"],
        ),
    ];
    for (name, message, issues) in expected {
        let c = check(&doc, name);
        assert_eq!(c["status"], "fail", "{name}: {c:#}");
        assert_eq!(c["exit_code"], 1, "{name}");
        assert_eq!(c["required"], true, "{name}");
        let program = if name == "ruff-format" { "ruff" } else { name };
        let message_start = format!("{message} ({program} ");
        assert!(
            c["message"].as_str().unwrap().starts_with(&message_start),
            "{name}: {}",
            c["message"]
        );
        assert_eq!(findings(c), issues, "{name}");
        assert_eq!(
            c["command"][0],
            format!("{}/.venv/bin/{program}", repo.path().display()),
            "{name}"
        );
    }
    let ruff = &check(&doc, "ruff")["issues"][0];
    assert_eq!(ruff["message"], "`os` imported but unused");
    assert_eq!(ruff["fix_suggestion"], "ruff check --fix src/demo/core.py");
    assert_eq!(ruff["kind"], "lint");
    assert_eq!(ruff["severity"], "error");
    assert_eq!(
        check(&doc, "black")["issues"][0]["fix_suggestion"],
        "black src/demo/core.py"
    );
    assert_eq!(
        check(&doc, "isort")["issues"][0]["fix_suggestion"],
        "isort src/demo/order.py"
    );
    assert_eq!(
        check(&doc, "mypy")["issues"][0]["message"],
        "Incompatible return value type (got \"int\", expected \"str\")"
    );
    let test = &check(&doc, "pytest")["issues"][0];
    assert_eq!(
        test["message"],
        "AssertionError: assert 1 == 'demo'; +  where 1 = name()"
    );
    assert_eq!(test["kind"], "test");
    assert_eq!(
        check(&doc, "pytest")["details"][0],
        "rerun them: pytest tests/test_core.py::test_name"
    );
    assert_eq!(
        check(&doc, "ruff")["reason"],
        "[tool.ruff] in pyproject.toml"
    );
    assert_eq!(
        check(&doc, "pytest")["reason"],
        "[tool.pytest.ini_options] in pyproject.toml, a tests/ directory"
    );
    // Caches live in relgate's own directory inside .git, never in the tree.
    assert!(repo.path().join(".git/relgate/mypy").is_dir());
}

#[test]
fn a_clean_project_passes_with_an_exact_report() {
    // A basedpyright baseline listing an error that is gone: basedpyright would rewrite it, relgate hands it
    // a copy.
    let repo = demo_with(
        CORE_GOOD,
        ORDER_GOOD,
        &[(
            ".basedpyright/baseline.json",
            "{\n    \"files\": {\n        \"./src/demo/core.py\": [\n            {\n                \"code\": \"reportReturnType\",\n                \"range\": {\n                    \"startColumn\": 11,\n                    \"endColumn\": 12,\n                    \"lineCount\": 1\n                }\n            }\n        ]\n    }\n}\n",
        )],
    );
    let before = repo.snapshot();
    let out = relgate(&repo, None)
        .args(["check", "--offline"])
        .output()
        .unwrap();
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         version ............. pass N ms  tag v1.0.0 matches the declared version 1.0.0 (pyproject.toml:3)\n  \
         version-order ....... pass N ms  1.0.0 is the first release tag in its history\n  \
         version-uploadable .. pass N ms  1.0.0 is a final release\n  \
         index ............... skip N ms  --offline: the package index was not asked whether 1.0.0 is already published\n  \
         ruff ................ pass N ms  no issues (ruff 0.17.6, .venv/bin/ruff)\n  \
         ruff-format ......... pass N ms  every file is formatted (ruff 0.17.6, .venv/bin/ruff)\n  \
         black ............... pass N ms  every file is formatted (black 26.10.1, .venv/bin/black)\n  \
         isort ............... pass N ms  every file is formatted (isort 9.0.2, .venv/bin/isort)\n  \
         flake8 .............. pass N ms  no issues (flake8 7.5.0, .venv/bin/flake8)\n  \
         mypy ................ pass N ms  no issues (mypy 2.4.1, .venv/bin/mypy)\n  \
         basedpyright ........ pass N ms  no issues (basedpyright 1.40.2, .venv/bin/basedpyright)\n  \
         pytest .............. pass N ms  2 tests passed (pytest 9.2.0, .venv/bin/pytest)\n  \
         publish-workflow .... skip N ms  no GitHub Actions workflow (.github/workflows/*.yml): nothing publishes from CI\n  \
         release-checks ...... skip N ms  no GitHub Actions workflow (.github/workflows/*.yml): nothing publishes from CI\n  \
         metadata ............ pass N ms  name demo, version 1.0.0\n\
         PASS 12 checks passed: ready to release\n"
    );
}

#[test]
fn failures_in_the_human_report_show_findings_and_the_next_action() {
    let repo = demo(CORE_BAD, ORDER_BAD);
    let out = relgate(&repo, None)
        .args(["check", "--offline", "--only", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         ruff ............ FAIL N ms  1 error: F401 (ruff 0.17.6, .venv/bin/ruff)\n      \
         src/demo/core.py:1:8 F401 `os` imported but unused  (fix: ruff check --fix src/demo/core.py)\n      \
         `ruff check --fix` fixes 1 of them\n  \
         flake8 .......... FAIL N ms  1 error: F401 (flake8 7.5.0, .venv/bin/flake8)\n      \
         src/demo/core.py:1:1 F401 'os' imported but unused\n\
         FAIL 2 of 2 checks did not pass: do not release\n  \
         next: `ruff check --fix` fixes 1 of them\n"
    );
}

/// A bin/ directory holding only the named tools of the test virtualenv (as pipx links them).
fn tools_on_path(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        std::os::unix::fs::symlink(test_venv().join("bin").join(name), dir.path().join(name))
            .unwrap();
    }
    dir
}

#[test]
fn a_missing_tool_is_an_error_naming_what_to_install_and_the_others_still_run() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &(crate::common::pyproject("demo", "1.0.0") + "[tool.ruff]\n[tool.mypy]\n"),
    )
    .write("demo.py", "X = 1\n")
    .commit("release")
    .tag("v1.0.0");
    // No virtualenv; ruff is on PATH (a pipx-style link), mypy is nowhere.
    let bin = tools_on_path(&["ruff"]);
    let (code, doc) = check_json(&repo, &mut relgate(&repo, Some(bin.path())), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "error");
    let ruff = check(&doc, "ruff");
    assert_eq!(ruff["status"], "pass");
    assert_eq!(
        ruff["message"],
        format!("no issues (ruff 0.17.6, {}/ruff)", bin.path().display())
    );
    let mypy = check(&doc, "mypy");
    assert_eq!(mypy["status"], "error");
    assert_eq!(
        mypy["message"],
        "mypy not found: no virtualenv (.venv, venv, VIRTUAL_ENV) and not on PATH"
    );
    assert_eq!(
        mypy["details"],
        serde_json::json!([
            "create the project's virtualenv with it: python3 -m venv .venv && .venv/bin/python -m pip install -e . mypy, or switch the check off: [tool.relgate.checks.mypy] enabled = false"
        ])
    );
    assert_eq!(
        mypy["command"],
        serde_json::json!([
            "mypy",
            "-O",
            "json",
            format!("--cache-dir={}/.git/relgate/mypy", repo.path().display()),
            "demo.py"
        ])
    );
    // The other checks are reported as usual.
    assert_eq!(check(&doc, "version")["status"], "pass");
    assert_eq!(check(&doc, "metadata")["status"], "pass");
}

#[test]
fn a_configured_run_replaces_the_command_and_its_text_output_is_parsed() {
    let repo = demo_with(
        CORE_BAD,
        ORDER_BAD,
        &[(
            "relgate.toml",
            "[checks.mypy]\nrun = [\"mypy\", \"--no-incremental\", \"src/demo/core.py\"]\n",
        )],
    );
    let (code, doc) = check_json(
        &repo,
        &mut relgate(&repo, None),
        &["--only", "type", "--skip", "basedpyright"],
    );
    assert_eq!(code, 1);
    assert_eq!(names(&doc), ["mypy"]);
    let mypy = check(&doc, "mypy");
    assert_eq!(
        mypy["command"],
        serde_json::json!([
            format!("{}/.venv/bin/mypy", repo.path().display()),
            "--no-incremental",
            "src/demo/core.py"
        ])
    );
    assert_eq!(
        mypy["reason"],
        "[tool.mypy] in pyproject.toml; command from [checks.mypy] run"
    );
    // mypy's default text has no column.
    assert_eq!(findings(mypy), ["src/demo/core.py:9:- return-value"]);
    assert_eq!(mypy["status"], "fail");
}

#[test]
fn enabled_false_and_skip_leave_checks_out_and_an_optional_failure_only_warns() {
    let repo = demo_with(
        CORE_BAD,
        ORDER_BAD,
        &[(
            "relgate.toml",
            "[checks.ruff]\nenabled = false\n\n[checks.pytest]\nrequired = false\n",
        )],
    );
    let out = relgate(&repo, None)
        .args([
            "check",
            "--offline",
            "--only",
            "lint,test",
            "--skip",
            "flake8",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         pytest .......... warn N ms  1 of 2 tests failed (pytest 9.2.0, .venv/bin/pytest)\n      \
         tests/test_core.py:9 tests/test_core.py::test_name AssertionError: assert 1 == 'demo'; +  where 1 = name()\n      \
         rerun them: pytest tests/test_core.py::test_name\n\
         PASS 1 checks passed, 1 optional with warnings: ready to release\n"
    );
}

#[test]
fn a_kind_that_contradicts_the_tool_is_a_configuration_error() {
    let repo = demo_with(
        CORE_GOOD,
        ORDER_GOOD,
        &[("relgate.toml", "[checks.mypy]\nkind = \"test\"\n")],
    );
    let out = relgate(&repo, None)
        .args(["check", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: relgate.toml:1: [checks.mypy] kind = \"test\" contradicts mypy, which relgate runs as a type check\n\
         hint: remove the key (the kind of mypy is type), or give your check another name to make it a custom check\n"
    );
}

#[test]
fn a_check_that_runs_too_long_is_stopped_naming_the_key_that_sets_the_limit() {
    let repo = demo_with(
        CORE_GOOD,
        ORDER_GOOD,
        &[
            (
                "tests/test_slow.py",
                "import time\n\n\ndef test_slow():\n    time.sleep(60)\n",
            ),
            ("relgate.toml", "[checks.pytest]\ntimeout = 1\n"),
        ],
    );
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "test"]);
    assert_eq!(code, 1);
    let pytest = check(&doc, "pytest");
    assert_eq!(pytest["status"], "error");
    assert_eq!(
        pytest["message"],
        "pytest did not finish within 1 s and was stopped"
    );
    assert_eq!(
        pytest["details"],
        serde_json::json!([
            "raise the limit: [checks.pytest] timeout = 60 (seconds), or `timeout` for every check"
        ])
    );
}

/// A uv- or Poetry-style environment at `root` made offline from the test virtualenv's interpreter: its
/// site-packages imports the test virtualenv's, and its bin/ has entry points for the named tools.
fn tool_scripts(root: &Path, tools: &[(&str, &str)]) {
    let site = root.join("lib/python3.11/site-packages");
    assert!(site.is_dir(), "no {}", site.display());
    let test_site = test_venv().join("lib/python3.11/site-packages");
    std::fs::write(
        site.join("_relgate_test_tools.pth"),
        format!("{}\n", test_site.display()),
    )
    .unwrap();
    for (name, entry) in tools {
        let (module, function) = entry.split_once(':').unwrap();
        let script = root.join("bin").join(name);
        let text = format!(
            "#!{}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n",
            root.join("bin/python").display()
        );
        crate::common::write_executable(&script, text.as_bytes(), 0o755);
    }
}

const UV_PROJECT: &str = "[project]\nname = \"demo\"\nversion = \"1.0.0\"\nrequires-python = \">=3.9\"\n\n[tool.uv]\n\n[tool.mypy]\nfiles = [\"src\"]\n\n[tool.pytest.ini_options]\npythonpath = [\"src\"]\n";

fn uv_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", UV_PROJECT)
        .write("uv.lock", "version = 1\nrequires-python = \">=3.9\"\n")
        .write(".gitignore", ".venv\n")
        .write("src/demo/__init__.py", CORE_GOOD)
        .write("tests/test_core.py", TESTS)
        .commit("release")
        .tag("v1.0.0");
    repo
}

#[test]
fn a_uv_project_without_its_environment_says_how_to_create_it_and_creates_nothing() {
    let repo = uv_repo();
    let bin = tools_on_path(&["uv"]);
    let (code, doc) = check_json(
        &repo,
        &mut relgate(&repo, Some(bin.path())),
        &["--only", "type,test"],
    );
    assert_eq!(code, 1);
    for name in ["mypy", "pytest"] {
        let c = check(&doc, name);
        assert_eq!(c["status"], "error");
        assert_eq!(
            c["message"],
            format!("the project's uv environment does not exist, so {name} cannot run in it")
        );
        assert_eq!(
            c["details"][0],
            format!(
                "create it: uv sync, or switch the check off: [tool.relgate.checks.{name}] enabled = false"
            )
        );
    }
    assert!(!repo.path().join(".venv").exists());
}

#[test]
fn a_uv_project_runs_its_tools_from_the_environment_uv_created() {
    let repo = uv_repo();
    let uv = test_venv().join("bin/uv");
    let out = std::process::Command::new(&uv)
        .args(["venv", "--offline", "--no-config", "--python"])
        .arg(test_venv().join("bin/python"))
        .arg(".venv")
        .current_dir(repo.path())
        .envs(repo.envs())
        .env("UV_CACHE_DIR", repo.home.path().join("uv-cache"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    tool_scripts(
        &repo.path().join(".venv"),
        &[
            ("pytest", "pytest:console_main"),
            ("mypy", "mypy.__main__:console_entry"),
        ],
    );
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "type,test"]);
    assert_eq!(code, 0, "{doc:#}");
    // The entry points are not distributions of this environment: the versions come from `--version`.
    assert_eq!(
        check(&doc, "pytest")["message"],
        "2 tests passed (pytest 9.2.0, .venv/bin/pytest)"
    );
    assert_eq!(
        check(&doc, "mypy")["message"],
        "no issues (mypy 2.4.1, .venv/bin/mypy)"
    );
    let list = relgate(&repo, None)
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap();
    let pytest = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pytest")
        .unwrap();
    assert_eq!(pytest["environment"], ".venv, a uv project");
    assert_eq!(pytest["executable"], ".venv/bin/pytest");

    // The same tree and environment: the passes are remembered. A package installed into the environment
    // makes them stale.
    let cached = |doc: &Value| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c["cached"] == true))
            .collect::<Vec<_>>()
    };
    let both = |flag: bool| vec![("mypy".to_owned(), flag), ("pytest".to_owned(), flag)];
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "type,test"]);
    assert_eq!((code, cached(&doc)), (0, both(true)));
    std::fs::create_dir(
        repo.path()
            .join(".venv/lib/python3.11/site-packages/attrs-25.1.0.dist-info"),
    )
    .unwrap();
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "type,test"]);
    assert_eq!((code, cached(&doc)), (0, both(false)));
}

#[test]
fn a_poetry_project_runs_its_tools_from_the_environment_poetry_reports() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[tool.poetry]\nname = \"demo\"\nversion = \"1.0.0\"\ndescription = \"\"\nauthors = []\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n\n[tool.poetry.group.dev.dependencies]\npytest = \"*\"\n\n[tool.pytest.ini_options]\npythonpath = [\"src\"]\n",
    )
    .write("src/demo/__init__.py", CORE_GOOD)
    .write("tests/test_core.py", TESTS)
    .commit("release")
    .tag("v1.0.0");
    let venvs = tempfile::tempdir().unwrap();
    let bin = tools_on_path(&["poetry"]);
    let poetry = |args: &[&str]| {
        let out = std::process::Command::new(bin.path().join("poetry"))
            .args(args)
            .current_dir(repo.path())
            .envs(repo.envs())
            .env("POETRY_VIRTUALENVS_PATH", venvs.path())
            .env_remove("VIRTUAL_ENV")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "poetry {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    };
    poetry(&[
        "env",
        "use",
        test_venv().join("bin/python").to_str().unwrap(),
    ]);
    let env_path = PathBuf::from(poetry(&["env", "info", "--path"]).trim());
    assert!(env_path.starts_with(venvs.path()));
    tool_scripts(&env_path, &[("pytest", "pytest:console_main")]);

    let mut cmd = relgate(&repo, Some(bin.path()));
    cmd.env("POETRY_VIRTUALENVS_PATH", venvs.path());
    let (code, doc) = check_json(&repo, &mut cmd, &["--only", "test"]);
    assert_eq!(code, 0, "{doc:#}");
    let pytest = check(&doc, "pytest");
    assert_eq!(
        pytest["message"],
        format!(
            "2 tests passed (pytest 9.2.0, {}/bin/pytest)",
            env_path.display()
        )
    );
    assert_eq!(
        pytest["reason"],
        "[tool.pytest.ini_options] in pyproject.toml, a tests/ directory, pytest in [tool.poetry.group.dev.dependencies]"
    );
}

/// An isolated export runs the tag's code, even when the project's environment has an editable install
/// that imports the working tree.
#[test]
fn an_export_tests_the_tagged_code_not_the_working_tree() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"1.0.0\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
    )
    .write(".gitignore", ".venv\n")
    .write("src/demo/__init__.py", CORE_GOOD)
    .write("tests/test_core.py", TESTS)
    .commit("release")
    .tag("v1.0.0");
    // The project's own environment: an interpreter, the tools, and an editable install of the working tree.
    let out = std::process::Command::new(test_venv().join("bin/python"))
        .args(["-m", "venv", "--without-pip", ".venv"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let venv = repo.path().join(".venv");
    tool_scripts(&venv, &[("pytest", "pytest:console_main")]);
    std::fs::write(
        venv.join("lib/python3.11/site-packages/__editable__.demo.pth"),
        format!("{}\n", repo.path().join("src").display()),
    )
    .unwrap();

    // The tag is right, the working tree is broken: the export passes.
    repo.write(
        "src/demo/__init__.py",
        &CORE_GOOD.replace("return a + b", "return a - b"),
    );
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "test"]);
    assert_eq!(doc["workspace"]["mode"], "export");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        check(&doc, "pytest")["message"],
        "2 tests passed (pytest 9.2.0, .venv/bin/pytest)"
    );

    // The tag is broken, the working tree is right: the export fails on the tag's code.
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"1.0.1\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
    )
    .commit("broken release")
    .tag("v1.0.1");
    repo.write("src/demo/__init__.py", CORE_GOOD);
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "test"]);
    assert_eq!(doc["workspace"]["mode"], "export");
    assert_eq!(code, 1);
    assert_eq!(
        findings(check(&doc, "pytest")),
        ["tests/test_core.py:5:- tests/test_core.py::test_add"]
    );
}

#[test]
fn relgate_checks_lists_what_would_run_without_running_it() {
    let repo = demo(CORE_BAD, ORDER_BAD);
    repo.write(
        "tox.ini",
        "[testenv:type]\ncommands = mypy --strict {posargs:src}\n",
    )
    .write(
        "relgate.toml",
        "[checks.black]\nenabled = false\n\n[checks.pytest]\nrequired = false\ntimeout = 120\n",
    )
    .commit("tox")
    .git(&["tag", "-f", "v1.0.0"]);
    let before = repo.snapshot();
    let out = relgate(&repo, None).args(["checks"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(repo.snapshot(), before);
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "version              version  the tag names the declared version
version-order        version  newer than every release tag in its history
version-uploadable   version  no local or .dev version
index                index    the version is new on the package index
ruff                 lint     .venv/bin/ruff check --no-fix --output-format=json-lines
                              ruff 0.17.6 · from .venv
                              why: [tool.ruff] in pyproject.toml
ruff-format          format   .venv/bin/ruff format --check --output-format=json-lines
                              ruff 0.17.6 · from .venv
                              why: [tool.ruff.format] in pyproject.toml
isort                format   .venv/bin/isort --check-only .
                              isort 9.0.2 · from .venv
                              why: [tool.isort] in pyproject.toml
flake8               lint     .venv/bin/flake8 --format=default --extend-exclude=.venv
                              flake8 7.5.0 · from .venv
                              why: [flake8] in setup.cfg
mypy                 type     .venv/bin/mypy -O json --cache-dir=<repo>/.git/relgate/mypy --strict src
                              mypy 2.4.1 · from .venv
                              why: [tool.mypy] in pyproject.toml, tox.ini [testenv:type]: mypy --strict src
basedpyright         type     .venv/bin/basedpyright --outputjson --pythonpath <repo>/.venv/bin/python
                              basedpyright 1.40.2 · from .venv
                              why: [tool.basedpyright] in pyproject.toml
pytest               test     .venv/bin/pytest -o cache_dir=<repo>/.git/relgate/pytest -o junit_family=xunit1 --junitxml=<temp file>
                              pytest 9.2.0 · from .venv · optional
                              why: [tool.pytest.ini_options] in pyproject.toml, a tests/ directory
publish-workflow     publish  the workflow that uploads to the index can authenticate
release-checks       publish  the release workflow runs no quality tool the local gate skips
metadata             publish  name, version, readme, license and requires-python are uploadable
build                build    the built sdist and wheel carry the release's version
"
    );
    let out = relgate(&repo, None)
        .args(["check", "--list", "--only", "type", "--format", "json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        listed,
        serde_json::json!([
            {
                "name": "mypy",
                "kind": "type",
                "command": [
                    format!("{}/.venv/bin/mypy", repo.path().display()),
                    "-O", "json",
                    format!("--cache-dir={}/.git/relgate/mypy", repo.path().display()),
                    "--strict", "src"
                ],
                "reason": "[tool.mypy] in pyproject.toml, tox.ini [testenv:type]: mypy --strict src",
                "version": "2.4.1",
                "executable": ".venv/bin/mypy",
                "environment": ".venv",
                "required": true,
                "timeout_s": 600.0
            },
            {
                "name": "basedpyright",
                "kind": "type",
                "command": [
                    format!("{}/.venv/bin/basedpyright", repo.path().display()),
                    "--outputjson",
                    "--pythonpath",
                    format!("{}/.venv/bin/python", repo.path().display())
                ],
                "reason": "[tool.basedpyright] in pyproject.toml",
                "version": "1.40.2",
                "executable": ".venv/bin/basedpyright",
                "environment": ".venv",
                "required": true,
                "timeout_s": 600.0
            }
        ])
    );
}

/// A tool only a pre-commit hook runs comes from the environment pre-commit installed for that hook, at the
/// hook's pinned version; a pin no installed environment matches says how to get one.
#[test]
fn a_pre_commit_hook_tool_runs_from_the_hook_environment_at_its_pinned_version() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &crate::common::pyproject("demo", "1.0.0"))
        .write(
            ".pre-commit-config.yaml",
            "repos:\n  - repo: https://github.com/psf/black-pre-commit-mirror\n    rev: 26.10.1\n    hooks:\n      - id: black\n  - repo: https://github.com/PyCQA/flake8\n    rev: 6.1.0\n    hooks:\n      - id: flake8\n",
        )
        .write("demo.py", "X = 1\n")
        .commit("release")
        .tag("v1.0.0");
    let hooks = repo.home.path().join(".cache/pre-commit/repo5x2k_q1a");
    std::fs::create_dir_all(&hooks).unwrap();
    std::os::unix::fs::symlink(test_venv(), hooks.join("py_env-python3.11")).unwrap();
    let (code, doc) = check_json(&repo, &mut relgate(&repo, None), &["--only", "lint,format"]);
    assert_eq!(code, 1);
    let black = check(&doc, "black");
    assert_eq!(black["status"], "pass");
    assert_eq!(
        black["message"],
        format!(
            "every file is formatted (black 26.10.1, {}/py_env-python3.11/bin/black)",
            hooks.display()
        )
    );
    assert_eq!(black["reason"], "hook black in .pre-commit-config.yaml");
    let flake8 = check(&doc, "flake8");
    assert_eq!(flake8["status"], "error");
    assert_eq!(
        flake8["message"],
        "flake8 not found: no virtualenv (.venv, venv, VIRTUAL_ENV), no pre-commit environment with flake8 6.1.0, and not on PATH"
    );
    assert_eq!(
        flake8["details"][0],
        "let pre-commit install its hooks (pre-commit install-hooks), or install it: pipx install flake8, or switch the check off: [tool.relgate.checks.flake8] enabled = false"
    );
}

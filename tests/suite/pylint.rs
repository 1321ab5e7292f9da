//! pylint, the tool added to the catalogue as one file and one line: detected from its configuration, run from
//! the project's environment on the project's packages, its findings read with their file, line and column,
//! and its exit status taken as the project's verdict (its `fail-under`), except a usage error.

use crate::common::TestRepo;
use crate::quality::{check, check_json, findings, link_venv, names, relgate};

const CLEAN: &str = "\"\"\"Demo: small arithmetic.\"\"\"\n\n\ndef add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n\n\ndef sub(a, b):\n    \"\"\"Subtract b from a.\"\"\"\n    return a - b\n";
/// `undefined_name` on line 7, column 12.
const UNDEFINED: &str = "\"\"\"Demo: small arithmetic.\"\"\"\n\n\ndef add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    total = a + b\n    return undefined_name + total\n";
/// Only a convention: `Mul` is not `snake_case` (line 14); pylint scores it 8.75.
const CONVENTION: &str = "\"\"\"Demo: small arithmetic.\"\"\"\n\n\ndef add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n\n\ndef sub(a, b):\n    \"\"\"Subtract b from a.\"\"\"\n    return a - b\n\n\ndef Mul(a, b):\n    \"\"\"Multiply.\"\"\"\n    return a * b\n\n\ndef div(a, b):\n    \"\"\"Divide a by b.\"\"\"\n    return a / b\n";

/// A src-layout project whose pyproject.toml ends with `pylint` (its `[tool.pylint...]` tables), committed
/// and tagged v1.0.0, with the test virtualenv as its `.venv`.
fn project(code: &str, pylint: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{pylint}", crate::common::pyproject("demo", "1.0.0")),
    )
    .write(".gitignore", ".venv\n")
    .write("src/demo/__init__.py", code)
    .commit("release")
    .tag("v1.0.0");
    link_venv(&repo);
    repo
}

#[track_caller]
fn pylint(repo: &TestRepo) -> (i32, serde_json::Value) {
    let (code, doc) = check_json(repo, &mut relgate(repo, None), &["--only", "lint"]);
    assert_eq!(names(&doc), ["pylint"]);
    (code, check(&doc, "pylint").clone())
}

#[test]
fn a_clean_project_passes_and_pylint_runs_on_its_packages() {
    let repo = project(CLEAN, "[tool.pylint.main]\njobs = 1\n");
    let (code, c) = pylint(&repo);
    assert_eq!(code, 0, "{c:#}");
    assert_eq!(c["status"], "pass");
    assert_eq!(c["message"], "no issues (pylint 4.1.5, .venv/bin/pylint)");
    assert_eq!(
        c["command"],
        serde_json::json!([
            format!("{}/.venv/bin/pylint", repo.path().display()),
            "--output-format=json2",
            "--persistent=n",
            "src"
        ])
    );
    assert_eq!(
        c["reason"],
        "[tool.pylint] in pyproject.toml; pylint is given no modules: checking the src layout's src (name them in [tool.relgate.checks.pylint] run)"
    );
}

#[test]
fn an_error_fails_at_its_file_line_and_column() {
    let repo = project(UNDEFINED, "[tool.pylint.main]\njobs = 1\n");
    let (code, c) = pylint(&repo);
    assert_eq!(code, 1);
    assert_eq!(c["status"], "fail");
    assert_eq!(c["exit_code"], 2);
    assert_eq!(
        c["message"],
        "1 error: E0602 (pylint 4.1.5, .venv/bin/pylint)"
    );
    assert_eq!(findings(&c), ["src/demo/__init__.py:7:12 E0602"]);
    assert_eq!(
        c["issues"][0]["message"],
        "Undefined variable 'undefined_name' (undefined-variable)"
    );
    assert_eq!(c["issues"][0]["severity"], "error");
}

#[test]
fn conventions_fail_or_pass_as_the_projects_fail_under_says() {
    // pylint's default `fail-under` is 10: any convention makes it exit 16, and the project's CI fails.
    let strict = project(CONVENTION, "[tool.pylint.main]\njobs = 1\n");
    let (code, c) = pylint(&strict);
    assert_eq!(code, 1);
    assert_eq!(
        (&c["status"], &c["exit_code"]),
        (&"fail".into(), &16.into())
    );
    assert_eq!(
        c["message"],
        "1 finding: C0103 (pylint 4.1.5, .venv/bin/pylint)"
    );
    assert_eq!(findings(&c), ["src/demo/__init__.py:14:1 C0103"]);
    assert_eq!(c["issues"][0]["severity"], "warning");
    // A project that accepts a score of 8 passes with its convention kept as a warning.
    let lenient = project(CONVENTION, "[tool.pylint.main]\njobs = 1\nfail-under = 8\n");
    let (code, c) = pylint(&lenient);
    assert_eq!(code, 0, "{c:#}");
    assert_eq!(c["status"], "pass");
    assert_eq!(
        c["message"],
        "no issues (1 warning) (pylint 4.1.5, .venv/bin/pylint)"
    );
    assert_eq!(findings(&c), ["src/demo/__init__.py:14:1 C0103"]);
}

#[test]
fn a_usage_error_is_an_error_with_pylints_words() {
    let repo = project(CLEAN, "[tool.pylint.main]\nfail-under = \"ten\"\n");
    let (code, c) = pylint(&repo);
    assert_eq!(code, 1);
    assert_eq!(c["status"], "error");
    assert_eq!(c["exit_code"], 32);
    assert_eq!(
        c["message"],
        "pylint could not understand its command line or configuration (exit 32: usage error) (pylint 4.1.5, .venv/bin/pylint)"
    );
    assert_eq!(
        c["details"][0],
        "run `pylint` yourself to see the whole output; the last lines are below"
    );
    assert!(
        c["details"][1]
            .as_str()
            .unwrap()
            .ends_with("pylint: error: argument --fail-under: invalid float value: 'ten'"),
        "{c:#}"
    );
}

//! How relgate reads the files of a project it does not trust: committed symlinks to `/dev/zero`, to a FIFO or to
//! a file outside the repository, an 87 MB pyproject.toml, YAML alias bombs and thousands of nested blocks. Each
//! is an error naming the file (and the limit), in the working tree, in a tag's tree and in an isolated export;
//! never a hang, an abort, a skip, or a secret printed.
//!
//! relgate runs here under a 512 MiB address-space limit (`ulimit -v`): a reader that expanded a bomb or read
//! `/dev/zero` would run out of it and abort (the old readers did), so the exit codes below also prove that
//! memory stays bounded.

use std::fmt::Write as _;
use std::os::unix::fs::symlink;
use std::time::Duration;

use crate::common::{TestRepo, pyproject, stderr, stdout};

/// A fake upload token, in a file outside the repository.
const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcSECRETfaketoken";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// `relgate ARGS` in the repository, under `ulimit -v 524288` (512 MiB), stopped after a minute if it hangs.
#[track_caller]
fn bounded(repo: &TestRepo, args: &[&str]) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("relgate");
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 524288 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(args)
        .current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("VIRTUAL_ENV")
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .timeout(Duration::from_secs(60));
    for (k, v) in repo.envs() {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout(&out),
        stderr: stderr(&out),
    }
}

/// A project releasing 1.0.0, with `files` committed and tagged `v1.0.0`.
fn released(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("demo", "1.0.0"));
    for (path, content) in files {
        repo.write(path, content);
    }
    repo
}

/// The check called `name` in a JSON report.
#[track_caller]
fn check_named(report: &str, name: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(report).unwrap();
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))
        .clone()
}

/// `name` committed as a symbolic link to `target`.
fn link(repo: &TestRepo, name: &str, target: &str) {
    let path = repo.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    symlink(target, path).unwrap();
}

/// An 800-byte alias bomb: nine levels of ten references each, 10^9 nodes once expanded.
fn alias_bomb(prefix: &str) -> String {
    let mut text = format!("{prefix}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (previous, name) in ('a'..='h').zip('b'..='i') {
        let refs = vec![format!("*{previous}"); 10].join(", ");
        let _ = writeln!(text, "{name}: &{name} [{refs}]");
    }
    assert!(text.len() < 900, "{}", text.len());
    text
}

#[test]
fn an_alias_bomb_in_a_workflow_is_the_publish_checks_error_not_an_abort() {
    let bomb = alias_bomb("on: push\njobs: {}\n");
    let repo = released(&[(".github/workflows/release.yml", &bomb)]);
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "publish", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let message = ".github/workflows/release.yml: more than 100000 nodes once its aliases are expanded: relgate reads no more (line 7)";
    let check = check_named(&run.stdout, "publish-workflow");
    assert_eq!(check["status"], "error", "{check}");
    assert_eq!(check["message"], message, "{check}");
    // The quality checks read the workflows too (what CI runs): the bomb is theirs to refuse as well.
    let run = bounded(&repo, &["check", "--only", "lint"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.starts_with(&format!("error: {message}\n")),
        "{}",
        run.stderr
    );
}

#[test]
fn an_alias_bomb_in_the_pre_commit_configuration_is_an_error_naming_it() {
    let bomb = alias_bomb("repos: []\n");
    let repo = released(&[(".pre-commit-config.yaml", &bomb)]);
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "lint,format"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(
        run.stderr,
        "error: .pre-commit-config.yaml: more than 100000 nodes once its aliases are expanded: relgate reads no more (line 6)\n\
         hint: .pre-commit-config.yaml is not a file GitHub or pre-commit would read either: check what was committed there\n"
    );
}

#[test]
fn thousands_of_nested_blocks_are_an_error_not_a_stack_overflow() {
    let nested = format!("on: push\njobs:\n  deep:\n    {}x\n", "- ".repeat(3000));
    let repo = released(&[(".github/workflows/ci.yml", &nested)]);
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "publish"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains(".github/workflows/ci.yml: nested more than 100 levels deep: relgate reads no deeper (line 4)"),
        "{}",
        run.stdout
    );
    let nested_hooks = format!("repos:\n{}x\n", "- ".repeat(3000));
    let repo = released(&[(".pre-commit-config.yaml", &nested_hooks)]);
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "lint"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr
            .starts_with("error: .pre-commit-config.yaml: nested more than 100 levels deep"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_87_mb_pyproject_toml_is_exit_2_with_the_limit() {
    let repo = TestRepo::new();
    let mut text = pyproject("demo", "1.0.0");
    let padding = format!("# {}\n", "x".repeat(1000));
    while text.len() < 87_000_000 {
        text.push_str(&padding);
    }
    repo.write("pyproject.toml", &text);
    let run = bounded(&repo, &["version"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(
        run.stderr,
        "error: pyproject.toml is larger than relgate's limit of 4194304 bytes (4 MiB)\nhint: pyproject.toml cannot be a project file of that size: check what was committed there\n"
    );
}

#[test]
fn toml_nested_thousands_deep_is_a_syntax_error() {
    let repo = TestRepo::new();
    let deep = format!(
        "{}x = {}1{}\n",
        pyproject("demo", "1.0.0"),
        "[".repeat(3000),
        "]".repeat(3000)
    );
    repo.write("pyproject.toml", &deep);
    let run = bounded(&repo, &["version"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.starts_with("error: pyproject.toml:4:")
            && run.stderr.contains("invalid TOML")
            && run.stderr.contains("max recursion depth met"),
        "{}",
        run.stderr
    );
}

#[test]
fn links_to_dev_zero_are_errors_naming_the_file_in_every_mode() {
    for (name, args) in [
        ("tox.ini", &["--only", "lint"][..]),
        ("noxfile.py", &["--only", "lint"]),
        ("setup.cfg", &["--only", "lint"]),
        ("requirements-dev.txt", &["--only", "lint"]),
        (".github/workflows/ci.yml", &["--only", "lint"]),
    ] {
        let repo = released(&[("tests/test_x.py", "def test_x():\n    pass\n")]);
        link(&repo, name, "/dev/zero");
        repo.commit("release").tag("v1.0.0");
        let expected = format!(
            "error: {name} is a link to /dev/zero, outside the repository: relgate reads only files inside it\n"
        );
        // In place: the working tree is the tag.
        let run = bounded(&repo, &[&["check"][..], args].concat());
        assert_eq!(run.code, 2, "{name}: {}", run.all());
        assert!(run.stderr.starts_with(&expected), "{name}: {}", run.stderr);
        // An isolated export of the tag (HEAD has moved on): the same rule.
        repo.write("later.txt", "x\n").commit("later");
        let run = bounded(&repo, &[&["check", "--tag", "v1.0.0"][..], args].concat());
        assert_eq!(run.code, 2, "{name}: {}", run.all());
        assert!(run.stderr.starts_with(&expected), "{name}: {}", run.stderr);
    }

    // The publish checks read the workflows themselves: an unreadable one is their error, never "skipped".
    let repo = released(&[]);
    link(&repo, ".github/workflows/release.yml", "/dev/zero");
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "publish"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("publish-workflow .. ERROR")
            && run.stdout.contains(
                ".github/workflows/release.yml is a link to /dev/zero, outside the repository"
            ),
        "{}",
        run.stdout
    );

    // pyproject.toml itself, read for the configuration before anything else.
    let repo = TestRepo::new();
    link(&repo, "pyproject.toml", "/dev/zero");
    for args in [&["version"][..], &["check"]] {
        let run = bounded(&repo, args);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(
            run.stderr.starts_with(
                "error: pyproject.toml is a link to /dev/zero, outside the repository"
            ),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_fifo_is_refused_at_once_not_waited_on() {
    let repo = released(&[]);
    repo.commit("release");
    let made = std::process::Command::new("mkfifo")
        .arg(repo.path().join("tox.ini"))
        .status()
        .unwrap();
    assert!(made.success());
    // No tag: the working tree is checked as it is, FIFO included.
    let run = bounded(&repo, &["check", "--only", "lint"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.starts_with("error: tox.ini is a FIFO (named pipe), not a regular file\nhint: commit a regular file as tox.ini\n"),
        "{}",
        run.stderr
    );

    let repo = TestRepo::new();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.path().join("pyproject.toml"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = bounded(&repo, &["version"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr
            .starts_with("error: pyproject.toml is a FIFO (named pipe), not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_version_file_linked_out_of_the_repository_is_never_read() {
    let outside = tempfile::tempdir().unwrap();
    let pypirc = outside.path().join(".pypirc");
    std::fs::write(&pypirc, format!("{TOKEN}\n")).unwrap();
    let pypirc = pypirc.display().to_string();
    for (table, file) in [
        ("[tool.relgate]\nversion-file = \"VERSION\"\n", "VERSION"),
        (
            "[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n",
            "VERSION",
        ),
        (
            "[tool.hatch.version]\npath = \"pkg/about.py\"\n",
            "pkg/about.py",
        ),
    ] {
        let repo = TestRepo::new();
        let project = if table.starts_with("[tool.relgate]") {
            pyproject("demo", "1.0.0") + table
        } else {
            format!("[project]\nname = \"demo\"\ndynamic = [\"version\"]\n{table}")
        };
        repo.write("pyproject.toml", &project);
        link(&repo, file, &pypirc);
        repo.commit("release").tag("v1.0.0");
        let expected = format!(
            "{file} is a link to {pypirc}, outside the repository: relgate reads only files inside it"
        );
        for args in [
            &["version"][..],
            &["version", "--format", "json"],
            &["check", "--only", "version"],
            &[
                "check", "--only", "version", "--tag", "v1.0.0", "--format", "json",
            ],
        ] {
            let run = bounded(&repo, args);
            // `relgate version` cannot answer (2); `relgate check` reports the version checks' error (1).
            let code = if args[0] == "version" { 2 } else { 1 };
            assert_eq!(run.code, code, "{table} {args:?}: {}", run.all());
            assert!(
                !run.all().contains("SECRET"),
                "{table} {args:?}: {}",
                run.all()
            );
            assert!(
                run.all().contains(&expected),
                "{table} {args:?}: {}",
                run.all()
            );
        }
    }

    // A path that climbs out of the repository is not one of its files, in the working tree as in a tag.
    let repo = TestRepo::new();
    let beside = tempfile::tempdir_in(repo.path().parent().unwrap()).unwrap();
    std::fs::write(beside.path().join(".pypirc"), format!("{TOKEN}\n")).unwrap();
    let escape = format!(
        "../{}/.pypirc",
        beside.path().file_name().unwrap().to_string_lossy()
    );
    repo.write(
        "pyproject.toml",
        &format!(
            "{}[tool.relgate]\nversion-file = \"{escape}\"\n",
            pyproject("demo", "1.0.0")
        ),
    );
    repo.commit("release").tag("v1.0.0");
    for args in [
        &["version"][..],
        &["check", "--only", "version", "--tag", "v1.0.0"],
    ] {
        let run = bounded(&repo, args);
        let code = if args[0] == "version" { 2 } else { 1 };
        assert_eq!(run.code, code, "{args:?}: {}", run.all());
        assert!(!run.all().contains("SECRET"), "{args:?}: {}", run.all());
    }
}

#[test]
fn license_files_match_the_released_tree_at_any_depth_and_under_build() {
    let project = format!(
        "{}readme = \"README.md\"\nlicense = \"MIT\"\nlicense-files = [\"a/**/LICEN[CS]E*\", \"build/LICENSES/*.txt\", \"COPYING\"]\nrequires-python = \">=3.9\"\n",
        pyproject("demo", "1.0.0")
    );
    let repo = released(&[
        ("README.md", "# demo\n"),
        ("a/b/c/d/e/LICENSE.txt", "MIT\n"),
        ("build/LICENSES/vendored.txt", "BSD\n"),
        ("COPYING", "MIT\n"),
    ]);
    repo.write("pyproject.toml", &project);
    repo.commit("release").tag("v1.0.0");
    let run = bounded(&repo, &["check", "--only", "publish", "--format", "json"]);
    let metadata = check_named(&run.stdout, "metadata");
    assert_eq!(metadata["status"], "pass", "{metadata}");

    // A license file that is only in the working tree (ignored, never committed) is not released.
    let repo = released(&[("README.md", "# demo\n"), (".gitignore", "LICENSE\n")]);
    repo.write(
        "pyproject.toml",
        &format!(
            "{}readme = \"README.md\"\nlicense = \"MIT\"\nlicense-files = [\"LICEN[CS]E\"]\nrequires-python = \">=3.9\"\n",
            pyproject("demo", "1.0.0")
        ),
    );
    repo.commit("release").tag("v1.0.0");
    repo.write("LICENSE", "MIT\n");
    let run = bounded(&repo, &["check", "--only", "publish", "--format", "json"]);
    let issues = check_named(&run.stdout, "metadata")["issues"].clone();
    assert_eq!(
        issues[0]["message"],
        "license-files pattern \"LICEN[CS]E\" matches no file in the released tree"
    );
}

#[test]
fn a_uv_workspace_root_venv_serves_every_check() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
    );
    repo.write(
        "packages/a/pyproject.toml",
        &format!(
            "{}\n[tool.relgate.checks.docs]\nrun = [\"make-docs\"]\nkind = \"build\"\n",
            pyproject("a", "1.0.0")
        ),
    );
    repo.write(".gitignore", ".venv/\n");
    repo.commit("release").tag("v1.0.0");
    let venv = repo.path().join(".venv");
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    crate::common::write_executable(&venv.join("bin/python"), b"#!/bin/sh\nexit 1\n", 0o755);
    crate::common::write_executable(
        &venv.join("bin/make-docs"),
        b"#!/bin/sh\necho \"docs built in $VIRTUAL_ENV\"\n",
        0o755,
    );
    let run = bounded(
        &repo,
        &[
            "check",
            "--path",
            "packages/a",
            "--only",
            "build",
            "--format",
            "json",
        ],
    );
    let docs = check_named(&run.stdout, "docs");
    assert_eq!(docs["status"], "pass", "{docs}");
}

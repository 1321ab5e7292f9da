//! `--format github`: real runs of `relgate check` and `relgate ci explain` as a GitHub Actions step sees them.
//! Annotations with paths from the repository's root (the project is in `pkg/`), a group per check, the step
//! summary appended to an existing file, the automatic choice inside GitHub Actions, and hostile tool output,
//! file names, check names and test messages that must not write a workflow command.
//!
//! [`runner_reads`] reads a line the way GitHub's runner does (`ActionCommand.TryParseV2`, then the legacy
//! `TryParse`, <https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs>), stricter:
//! every command name counts as one the runner knows.

use std::path::Path;

use assert_cmd::Command;

use crate::common::{TestRepo, stderr, stdout, test_venv};

const PYPROJECT: &str = r#"[project]
name = "demo"
version = "1.0.0"

[tool.ruff.lint]
select = ["F"]

[tool.mypy]
files = ["src"]

[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]
"#;

/// An unused import (ruff F401), a wrong return type (mypy), and the failing test that calls it.
const CORE: &str = "import os\n\n\ndef name() -> str:\n    return 1\n";
const TESTS: &str =
    "from demo.core import name\n\n\ndef test_name():\n    assert name() == \"demo\"\n";

/// The project in `pkg/` of the repository, with `extra` files, committed and tagged `tag`; the test
/// virtualenv is its gitignored `.venv`.
fn project(tag: &str, pyproject_extra: &str, extra: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pkg/pyproject.toml",
        &format!("{PYPROJECT}{pyproject_extra}"),
    )
    .write(".gitignore", ".venv\n")
    .write("pkg/src/demo/__init__.py", "")
    .write("pkg/src/demo/core.py", CORE)
    .write("pkg/tests/test_core.py", TESTS);
    for (name, content) in extra {
        repo.write(name, content);
    }
    repo.commit("release").tag(tag);
    std::os::unix::fs::symlink(test_venv(), repo.path().join("pkg/.venv")).unwrap();
    repo
}

/// relgate with the project's tools only, as in GitHub Actions when `actions` is true.
fn relgate(repo: &TestRepo, actions: bool) -> Command {
    let mut cmd = repo.relgate();
    cmd.env_remove("VIRTUAL_ENV")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("PRE_COMMIT_HOME")
        .env("PATH", "/usr/bin:/bin");
    if actions {
        cmd.env("GITHUB_ACTIONS", "true");
    }
    cmd
}

/// Durations, the commit and the temporary directory made stable.
fn normalize(text: &str, repo: &TestRepo) -> String {
    let mut text = text.replace(&repo.path().display().to_string(), "<repo>");
    for sha in repo.git(&["log", "--all", "--format=%H"]).lines() {
        text = text.replace(&sha[..7], "<sha>");
    }
    let text = regex::Regex::new(r" +\d+(\.\d)? (ms|s)  ")
        .unwrap()
        .replace_all(&text, " N  ");
    regex::Regex::new(r"\| \d+(\\\.\d)? (ms|s) \|")
        .unwrap()
        .replace_all(&text, "| N |")
        .into_owned()
}

/// What the runner reads from one line: the command's name, its properties and its data, unescaped.
#[derive(Debug, PartialEq, Eq)]
struct Read {
    name: String,
    properties: Vec<(String, String)>,
    data: String,
}

fn runner_reads(line: &str) -> Option<Read> {
    let unescape = |text: &str, property: bool| {
        let mut out = text.replace("%0D", "\r").replace("%0A", "\n");
        if property {
            out = out.replace("%3A", ":").replace("%2C", ",");
        }
        out.replace("%25", "%")
    };
    if let Some(rest) = line.trim_start().strip_prefix("::") {
        if let Some(end) = rest.find("::") {
            let (name, props) = rest[..end].split_once(' ').unwrap_or((&rest[..end], ""));
            return Some(Read {
                name: name.to_owned(),
                properties: props
                    .trim()
                    .split(',')
                    .filter_map(|p| p.split_once('='))
                    .map(|(k, v)| (k.to_owned(), unescape(v, true)))
                    .collect(),
                data: unescape(&rest[end + 2..], false),
            });
        }
    }
    let start = line.find("##[")?;
    let end = line[start..].find(']')? + start;
    Some(Read {
        name: line[start + 3..end].split(' ').next().unwrap().to_owned(),
        properties: Vec::new(),
        data: line[end + 1..].to_owned(),
    })
}

/// Every workflow command the runner would read from `output` (cut into lines at LF and CR, as it does):
/// they must all be relgate's own (annotations and groups), and no line may hold a legacy `##[`.
#[track_caller]
fn commands(what: &str, output: &str) -> Vec<Read> {
    let mut read = Vec::new();
    for line in output.split(['\n', '\r']) {
        assert!(
            !line.contains("##["),
            "{what}: a legacy command in {line:?}"
        );
        if let Some(command) = runner_reads(line) {
            assert!(
                ["error", "warning", "notice", "group", "endgroup"]
                    .contains(&command.name.as_str()),
                "{what}: {line:?} is read as `{}`",
                command.name
            );
            read.push(command);
        }
    }
    read
}

#[test]
fn a_failing_release_is_annotated_grouped_and_summarised() {
    let repo = project("v1.0.1", "", &[]);
    let summary = repo.home.path().join("summary.md");
    std::fs::write(&summary, "## Earlier step\n\nkept as it was\n").unwrap();
    let before = repo.snapshot();
    let out = relgate(&repo, false)
        .args(["check", "--offline", "--format", "github", "--path", "pkg"])
        .args(["--only", "version,lint,type,test"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.1 at <sha>\n\
         ::group::version ............. FAIL N  tag v1.0.1 says 1.0.1, but pyproject.toml:3 declares 1.0.0\n  \
         either set the version to 1.0.1 in pyproject.toml, commit and move the tag (git tag -f v1.0.1), or delete the tag (git tag -d v1.0.1) and tag the declared version (git tag v1.0.0)\n\
         ::endgroup::\n\
         version-order ....... pass N  1.0.1 is the first release tag in its history\n\
         version-uploadable .. pass N  1.0.1 is a final release\n\
         ::group::ruff ................ FAIL N  1 error: F401 (ruff 0.17.6, .venv/bin/ruff)\n  \
         src/demo/core.py:1:8 F401 `os` imported but unused  (fix: ruff check --fix src/demo/core.py)\n  \
         `ruff check --fix` fixes 1 of them\n\
         ::endgroup::\n\
         ::group::mypy ................ FAIL N  1 error: return-value (mypy 2.4.1, .venv/bin/mypy)\n  \
         src/demo/core.py:5:12 return-value Incompatible return value type (got \"int\", expected \"str\")\n\
         ::endgroup::\n\
         ::group::pytest .............. FAIL N  1 of 1 test failed (pytest 9.2.0, .venv/bin/pytest)\n  \
         tests/test_core.py:5 tests/test_core.py::test_name AssertionError: assert 1 == 'demo'; +  where 1 = name()\n  \
         rerun them: pytest tests/test_core.py::test_name\n\
         ::endgroup::\n\
         ::error file=pkg/pyproject.toml,line=3,title=relgate version::tag v1.0.1 says 1.0.1, but pyproject.toml:3 declares 1.0.0%0Aeither set the version to 1.0.1 in pyproject.toml, commit and move the tag (git tag -f v1.0.1), or delete the tag (git tag -d v1.0.1) and tag the declared version (git tag v1.0.0)\n\
         ::error file=pkg/src/demo/core.py,line=1,col=8,title=ruff F401::`os` imported but unused%0Afix: ruff check --fix src/demo/core.py\n\
         ::error file=pkg/src/demo/core.py,line=5,col=12,title=mypy return-value::Incompatible return value type (got \"int\", expected \"str\")\n\
         ::error file=pkg/tests/test_core.py,line=5,title=pytest tests/test_core.py%3A%3Atest_name::AssertionError: assert 1 == 'demo'; +  where 1 = name()\n\
         FAIL 4 of 6 checks did not pass: do not release\n  \
         next: either set the version to 1.0.1 in pyproject.toml, commit and move the tag (git tag -f v1.0.1), or delete the tag (git tag -d v1.0.1) and tag the declared version (git tag v1.0.0)\n"
    );
    let read = commands("stdout", &stdout(&out));
    assert_eq!(read.iter().filter(|c| c.name == "error").count(), 4);
    commands("stderr", &stderr(&out));
    assert_eq!(
        normalize(&std::fs::read_to_string(&summary).unwrap(), &repo),
        "## Earlier step\n\nkept as it was\n\n\
         ### relgate check\\: FAIL 4 of 6 checks did not pass\\: do not release\n\
         \n\
         relgate 0\\.1\\.0 · demo 1\\.0\\.0 \\(pyproject\\.toml\\:3\\, static\\) · tag v1\\.0\\.1 at <sha>\n\
         \n\
         | Check | Kind | Status | Duration | Message |\n\
         |---|---|---|---|---|\n\
         | version | version | ❌ FAIL | N | tag v1\\.0\\.1 says 1\\.0\\.1\\, but pyproject\\.toml\\:3 declares 1\\.0\\.0 |\n\
         | version\\-order | version | ✅ pass | N | 1\\.0\\.1 is the first release tag in its history |\n\
         | version\\-uploadable | version | ✅ pass | N | 1\\.0\\.1 is a final release |\n\
         | ruff | lint | ❌ FAIL | N | 1 error\\: F401 \\(ruff 0\\.17\\.6\\, \\.venv\\/bin\\/ruff\\) |\n\
         | mypy | type | ❌ FAIL | N | 1 error\\: return\\-value \\(mypy 2\\.4\\.1\\, \\.venv\\/bin\\/mypy\\) |\n\
         | pytest | test | ❌ FAIL | N | 1 of 1 test failed \\(pytest 9\\.2\\.0\\, \\.venv\\/bin\\/pytest\\) |\n\
         \n\
         next\\: either set the version to 1\\.0\\.1 in pyproject\\.toml\\, commit and move the tag \\(git tag \\-f v1\\.0\\.1\\)\\, or delete the tag \\(git tag \\-d v1\\.0\\.1\\) and tag the declared version \\(git tag v1\\.0\\.0\\)\n"
    );

    // The same run in JSON and in the human form: the same verdict and exit code, no summary written.
    let before_summary = std::fs::read(&summary).unwrap();
    for format in ["json", "human"] {
        let other = relgate(&repo, false)
            .args(["check", "--offline", "--format", format, "--path", "pkg"])
            .args(["--only", "version,lint,type,test"])
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        assert_eq!(other.status.code(), Some(1), "{format}");
    }
    assert_eq!(std::fs::read(&summary).unwrap(), before_summary);
}

/// A custom check whose output tries every workflow command, with a CR, an escape sequence and a bell.
const EVIL_OUTPUT: &str = r"printf '::set-output name=x::y\n::add-mask::secret\n  ::stop-commands::token\n##[error]forged\nok ##[set-output name=z]w\r::warning::after a CR\n\033]8;;https://evil\007link\n'; exit 1";

#[test]
fn nothing_from_outside_writes_a_workflow_command() {
    let pyproject_extra = format!(
        "\n[tool.relgate.checks.evil]\nrun = [\"sh\", \"-c\", {EVIL_OUTPUT:?}]\nkind = \"lint\"\n\
         \n[tool.relgate.checks.\"::set-output name=n::v,##[add-mask]m\"]\nrun = [\"false\"]\nkind = \"lint\"\nrequired = false\n"
    );
    let hostile_test = "def test_evil():\n    assert False, \"one\\r\\n::set-output name=t::v\\n##[error]forged\\n::stop-commands::tok\"\n";
    let repo = project(
        "v1.0.0",
        &pyproject_extra,
        &[
            ("pkg/src/demo/a,b:c%d\ne.py", "import sys\n"),
            ("pkg/tests/test_evil.py", hostile_test),
        ],
    );
    let summary = repo.home.path().join("summary.md");
    std::fs::write(&summary, "before\n").unwrap();
    let out = relgate(&repo, true)
        .args(["check", "--offline", "--path", "pkg", "--only", "lint,test"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let stdout = stdout(&out);
    let read = commands("stdout", &stdout);
    commands("stderr", &stderr(&out));
    let annotations: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        annotations,
        [
            "::error file=pkg/src/demo/a%2Cb%3Ac%25d%0Ae.py,line=1,col=8,title=ruff F401::`sys` imported but unused%0Afix: ruff check --fix 'src/demo/a,b:c%25d%0Ae.py'",
            "::error file=pkg/src/demo/core.py,line=1,col=8,title=ruff F401::`os` imported but unused%0Afix: ruff check --fix src/demo/core.py",
            "::error file=pkg/tests/test_core.py,line=5,title=pytest tests/test_core.py%3A%3Atest_name::AssertionError: assert 1 == 'demo'; +  where 1 = name()",
            "::error file=pkg/tests/test_evil.py,line=2,title=pytest tests/test_evil.py%3A%3Atest_evil::AssertionError: one; ::set-output name=t::v; ##\\[error]forged; ::stop-commands::tok; assert False",
            "::error title=relgate evil::`sh -c 'printf '\\''::set-output name=x::y\\n::add-mask::secret\\n  ::stop-commands::token\\n##\\[error]forged\\nok ##\\[set-output name=z]w\\r::warning::after a CR\\n\\033]8;;https://evil\\007link\\n'\\''; exit 1'` exited with 1%0Arun it yourself to see the whole output: sh -c 'printf '\\''::set-output name=x::y\\n::add-mask::secret\\n  ::stop-commands::token\\n##\\[error]forged\\nok ##\\[set-output name=z]w\\r::warning::after a CR\\n\\033]8;;https://evil\\007link\\n'\\''; exit 1'%0Aoutput:%0A  ::set-output name=x::y%0A  ::add-mask::secret%0A    ::stop-commands::token%0A  ##\\[error]forged%0A  ::warning::after a CR%0A  link",
            "::warning title=relgate %3A%3Aset-output name=n%3A%3Av%2C##\\[add-mask]m::`false` exited with 1%0Arun it yourself to see the whole output: false%0A(no output)",
        ]
    );
    // What the runner reads from them is what relgate meant: the file with its comma, colon, percent sign and
    // newline, the hostile check name as the title.
    let evil_file = read.iter().find(|c| c.name == "error").unwrap();
    assert_eq!(
        evil_file.properties[0],
        ("file".to_owned(), "pkg/src/demo/a,b:c%d\ne.py".to_owned())
    );
    assert_eq!(
        read.last().unwrap().properties,
        [(
            "title".to_owned(),
            "relgate ::set-output name=n::v,##\\[add-mask]m".to_owned()
        )]
    );
    // Inside the groups, untrusted lines that would start a command start with `\:`.
    for line in [
        "    \\::set-output name=x::y",
        "    \\::add-mask::secret",
        "      \\::stop-commands::token",
        "    ##\\[error]forged",
        "    \\::warning::after a CR",
        "::group::\\::set-output name=n::v,##\\[add-mask]m .. warn N  `false` exited with 1",
    ] {
        assert!(
            normalize(&stdout, &repo).lines().any(|l| l == line),
            "{line:?} not in {stdout}"
        );
    }
    // The summary: appended, the hostile names and messages escaped, the table whole.
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("before\n\n### relgate check\\: FAIL 3 of 4 checks"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "\n| \\:\\:set\\-output name\\=n\\:\\:v\\,\\#\\#\\[add\\-mask\\]m | lint | ⚠️ warn | "
        ),
        "{summary}"
    );
    for line in summary.lines().filter(|l| l.starts_with('|')) {
        let cells = line.replace("\\\\", "").replace("\\|", "");
        assert_eq!(cells.matches('|').count(), 6, "{line}");
        for (at, _) in line.match_indices(['[', ']', '<', '`']) {
            assert!(line[..at].ends_with('\\'), "{line}: unescaped at {at}");
        }
    }

    // JSON in GitHub Actions: the same strings, no line the runner reads as a command.
    let json = relgate(&repo, true)
        .args(["check", "--offline", "--path", "pkg", "--only", "lint,test"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(1));
    assert!(commands("json", &crate::common::stdout(&json)).is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"::set-output name=n::v,##[add-mask]m"),
        "{names:?}"
    );
}

#[test]
fn inside_github_actions_check_and_ci_explain_default_to_the_github_form() {
    let repo = project("v1.0.0", "", &[]);
    let run = |actions: bool, args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = relgate(&repo, actions);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (out.status.code().unwrap(), stdout(&out), stderr(&out))
    };
    let check = ["check", "--offline", "--path", "pkg", "--only", "version"];
    let pass = "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n";
    let lines = "version ............. pass N  tag v1.0.0 matches the declared version 1.0.0 (pyproject.toml:3)\n\
                 version-order ....... pass N  1.0.0 is the first release tag in its history\n\
                 version-uploadable .. pass N  1.0.0 is a final release\n\
                 PASS 3 checks passed: ready to release\n";
    let github = format!("{pass}{lines}");
    let human = format!(
        "{pass}{}",
        lines
            .lines()
            .map(|l| if l.starts_with("PASS") {
                format!("{l}\n")
            } else {
                format!("  {l}\n")
            })
            .collect::<String>()
    );
    let (code, out, _) = run(true, &check, &[]);
    assert_eq!((code, normalize(&out, &repo)), (0, github.clone()));
    let (code, out, _) = run(false, &check, &[]);
    assert_eq!((code, normalize(&out, &repo)), (0, human.clone()));
    // Opting out: the flag, or RELGATE_FORMAT; json is never changed.
    let mut explicit = check.to_vec();
    explicit.extend(["--format", "human"]);
    assert_eq!(normalize(&run(true, &explicit, &[]).1, &repo), human);
    assert_eq!(
        normalize(&run(true, &check, &[("RELGATE_FORMAT", "human")]).1, &repo),
        human
    );
    assert_eq!(
        normalize(
            &run(false, &check, &[("RELGATE_FORMAT", "github")]).1,
            &repo
        ),
        github
    );
    let mut json = check.to_vec();
    json.extend(["--format", "json"]);
    let (code, out, _) = run(true, &json, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["status"],
        "pass"
    );
    // Other commands keep their human form.
    let (code, out, _) = run(true, &["version", "--path", "pkg"], &[]);
    assert_eq!(code, 0);
    assert!(!out.contains("::"), "{out}");
    let (code, out, _) = run(
        true,
        &["checks", "--offline", "--path", "pkg", "--only", "version"],
        &[],
    );
    assert_eq!(code, 0);
    assert!(commands("checks", &out).is_empty(), "{out}");
    assert!(out.contains("version-order"), "{out}");
    // An unknown RELGATE_FORMAT is a usage error naming it.
    let (code, out, err) = run(true, &check, &[("RELGATE_FORMAT", "xml")]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "error: RELGATE_FORMAT=\"xml\" is not an output format\nhint: set RELGATE_FORMAT to human, json or github, or unset it\n"
        )
    );
    // An error in the GitHub form is an annotation too.
    let (code, out, err) = run(true, &["check", "--path", "pkg", "--tag", "v9"], &[]);
    assert_eq!(code, 2, "{err}");
    let read = commands("stdout", &out);
    assert_eq!(read.len(), 1, "{out}");
    assert_eq!(read[0].name, "error");
    assert_eq!(
        read[0].properties,
        [("title".to_owned(), "relgate could not run".to_owned())]
    );
    assert_eq!(format!("{}\n", read[0].data), err);
}

#[test]
fn a_summary_that_cannot_be_written_is_a_warning_and_never_changes_the_verdict() {
    let repo = project("v1.0.0", "", &[]);
    let check = ["check", "--offline", "--path", "pkg", "--only", "version"];
    // A directory, and a summary GitHub would refuse whole with relgate's table added: both are left as they
    // are, with a warning.
    let dir = repo.home.path().join("summary-dir");
    std::fs::create_dir(&dir).unwrap();
    let full = repo.home.path().join("full.md");
    let big = "x".repeat((1 << 20) - 100);
    std::fs::write(&full, &big).unwrap();
    for (path, warning) in [
        (&dir, "is not a regular file: the summary was not written"),
        (&full, "relgate's table was left out"),
    ] {
        let out = relgate(&repo, true)
            .args(check)
            .env("GITHUB_STEP_SUMMARY", path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains(warning), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&full).unwrap(), big);
    // A summary file that does not exist yet is created, as `>>` would.
    let fresh = repo.home.path().join("fresh.md");
    let out = relgate(&repo, true)
        .args(check)
        .env("GITHUB_STEP_SUMMARY", &fresh)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .starts_with("\n### relgate check\\: PASS 3 checks passed\\: ready to release\n")
    );
}

fn ci_fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ci"))
}

#[test]
fn ci_explain_annotates_each_failed_job_and_groups_its_block() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier\n").unwrap();
    let mut cmd = Command::cargo_bin("relgate").unwrap();
    let out = cmd
        .current_dir(ci_fixtures())
        .args(["ci", "explain", "lint-ruff.log"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("RELGATE_FORMAT")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "relgate ci explain · lint-ruff.log (job log)\n\
         ::group::FAIL lint › Run ruff check . · exit code 1 · lint\n  \
         error:     Found 4 errors. First: src/demo/__init__.py:3:8: F401 `os` imported but unused\n  \
         at:        2025-03-14T09:21:15.1192448Z\n  \
         excerpt:\n    \
         | F401 `os` imported but unused\n    \
         |  --> src/demo/__init__.py:3:8\n    \
         |   |\n    \
         | 1 | \"\"\"Demo package.\"\"\"\n    \
         | 2 |\n    \
         | 3 | import os\n    \
         |   |        ^^\n    \
         | 4 | import sys\n    \
         | 5 | from typing import List\n    \
         |   |\n    \
         | help: Remove unused import: `os`\n    \
         | \n    \
         | F401 `sys` imported but unused\n    \
         | [... 27 lines ...]\n    \
         | 6 |\n    \
         | 7 | __version__ = \"1.4.0\"\n    \
         |   |\n    \
         | help: Remove unused import: `typing.List`\n    \
         | \n    \
         | Found 4 errors.\n    \
         | Error: Process completed with exit code 1.\n  \
         action:    fix the findings (`ruff check --fix` applies the safe fixes), then run `relgate check --only lint` before tagging again\n  \
         reproduce: ruff check .\n\
         ::endgroup::\n\
         ::error title=lint › Run ruff check . · exit code 1 · lint::Found 4 errors. First: src/demo/__init__.py:3:8: F401 `os` imported but unused%0Afix the findings (`ruff check --fix` applies the safe fixes), then run `relgate check --only lint` before tagging again%0Areproduce: ruff check .\n\
         1 failed job explained\n"
    );
    commands("stdout", &stdout(&out));
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        "earlier\n\n\
         ### relgate ci explain\\: 1 failed job explained\n\
         \n\
         relgate ci explain · lint\\-ruff\\.log \\(job log\\)\n\
         \n\
         | Job | Failed step | Category | Exit code | Error | Reproduce |\n\
         |---|---|---|---|---|---|\n\
         | lint | Run ruff check \\. | lint | 1 | Found 4 errors\\. First\\: src\\/demo\\/\\_\\_init\\_\\_\\.py\\:3\\:8\\: F401 \\`os\\` imported but unused | ruff check \\. |\n"
    );
}

#[test]
fn ci_explain_of_a_hostile_log_writes_no_command_of_its_own() {
    let t = "2025-01-01T00:00:0";
    let log = format!(
        "{t}0.0000000Z Complete job name: ::set-output name=j::k\n\
         {t}1.0000000Z ##[group]Run ::add-mask::step\n\
         {t}1.0000001Z pytest\n\
         {t}1.0000003Z ##[endgroup]\n\
         {t}2.0000000Z ::stop-commands::tok\n\
         {t}2.0000001Z FAILED tests/test_x.py::test_y - AssertionError: ##[set-output name=a]b\n\
         {t}3.0000000Z ##[error]Process completed with exit code 1.\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("job.log"), log).unwrap();
    let out = Command::cargo_bin("relgate")
        .unwrap()
        .current_dir(dir.path())
        .args(["ci", "explain", "--format", "github", "job.log"])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = commands("stdout", &stdout(&out));
    let names: Vec<&str> = read.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["group", "endgroup", "error"], "{}", stdout(&out));
    // The job's name and the failing line reach GitHub only as a group's title and an annotation's data.
    assert!(
        read[0].data.starts_with("FAIL ::set-output name=j::k › "),
        "{read:#?}"
    );
    assert!(
        read[2].data.starts_with(
            "FAILED tests/test_x.py::test_y - AssertionError: ##\\[set-output name=a]b\n"
        ),
        "{read:#?}"
    );
}

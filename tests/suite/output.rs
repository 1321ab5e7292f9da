//! What relgate writes: a closed stdout ends the output and the command still exits with its verdict; stdout
//! that cannot be written is exit 2 with a message on stderr; under `--color always`, nothing that comes from
//! outside (a check's output, a tool's message, a file or project name, the index's yank reason, a CI log's or
//! the GitHub API's names and titles) puts an escape sequence or control character on the terminal.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::common::{TestRepo, pyproject, stderr, stdout, test_venv};
use crate::index::server::{Reply, Server};
use crate::runner::check;

/// An OSC 52 clipboard write, a screen clear, an OSC 8 link, BEL, a C1 CSI and a bidi override: what a hostile
/// string would put on the terminal.
const HOSTILE: &str = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{1b}]8;;https://evil.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{7}\u{9b}31m\u{202e}hostile";
/// The same without a `/`, for a file name.
const HOSTILE_NAME: &str = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}31m\u{202e}hostile";
/// How they are shown: relgate's own colour removed, every other control character as text.
const SHOWN: &str = r"\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{1b}]8;;https://evil.example/\u{1b}\link\u{1b}]8;;\u{1b}\\u{7}\u{9b}31m\u{202e}hostile";
const SHOWN_NAME: &str = r"\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}31m\u{202e}hostile";

/// Everything on the terminal but relgate's own colour codes (`ESC [ digits m`) and line breaks is shown as
/// text. Returns the text without the colour codes.
#[track_caller]
fn assert_terminal_safe(what: &str, bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let plain = regex::Regex::new("\u{1b}\\[[0-9;]*m")
        .unwrap()
        .replace_all(&text, "")
        .into_owned();
    for c in plain.chars() {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(bidi || c.is_control() && c != '\n' && c != '\t'),
            "{what}: {c:?} reached the terminal in {text:?}"
        );
    }
    plain
}

/// relgate in `repo` with no Python tools on PATH but the project's `.venv`.
fn relgate(repo: &TestRepo) -> assert_cmd::Command {
    let mut cmd = repo.relgate();
    cmd.env_remove("VIRTUAL_ENV")
        .env_remove("XDG_CACHE_HOME")
        .env("PATH", "/usr/bin:/bin");
    cmd
}

/// [`relgate`] as a plain `std::process::Command`, for its standard streams.
fn relgate_std(repo: &TestRepo) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("relgate"));
    cmd.current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("VIRTUAL_ENV")
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .envs(repo.envs())
        .env("PATH", "/usr/bin:/bin");
    cmd
}

/// A passing project with many custom checks of long commands: `relgate checks` prints several times what a
/// pipe holds.
fn long_listing() -> TestRepo {
    let argument = "x".repeat(250);
    let tables: String = (0..1000)
        .map(|i| {
            check(
                &format!("check-{i:04}"),
                "lint",
                &format!(r#""true", "{argument}""#),
                "",
            )
        })
        .collect();
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{tables}", pyproject("mypkg", "1.0.0")),
    )
    .commit("release")
    .tag("v1.0.0");
    repo
}

/// Run `relgate ARGS` with its stdout's read end closed before it writes.
fn with_closed_stdout(repo: &TestRepo, args: &[&str]) -> Output {
    let mut child = relgate_std(repo)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_the_output_and_the_verdict_stands() {
    let repo = long_listing();
    // The shell's own pipe: `head` reads one line and exits while relgate still writes.
    let out = Command::new("bash")
        .arg("-c")
        .arg("\"$0\" checks | head -1; exit \"${PIPESTATUS[0]}\"")
        .arg(assert_cmd::cargo::cargo_bin("relgate"))
        .current_dir(repo.path())
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .envs(repo.envs())
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            stdout(&out).as_str(),
            stderr(&out).as_str()
        ),
        (
            Some(0),
            "version              version  the tag names the declared version\n",
            ""
        )
    );
    // Closed before relgate writes anything, for every command that prints.
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("mypkg", "1.0.0"))
        .commit("release")
        .tag("v1.0.0");
    for (args, code) in [
        (&["checks"][..], 0),
        (&["checks", "--format", "json"], 0),
        (&["check", "--only", "version", "-q"], 0),
        (&["check", "--only", "version", "--format", "json"], 0),
        (&["check", "--tag", "v1.0.0", "--only", "index"], 1),
        (&["version"], 0),
    ] {
        let out = with_closed_stdout(&repo, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn stdout_that_cannot_be_written_is_an_error() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("mypkg", "1.0.0"))
        .commit("release")
        .tag("v1.0.0");
    for args in [
        &["check", "--only", "version", "--format", "json"][..],
        &["check", "--only", "version"],
        &["checks"],
        &["version"],
        // A usage error under --format json: its JSON document cannot be written either.
        &["check", "--tag", "v9", "--format", "json"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = relgate_std(&repo).args(args).stdout(full).output().unwrap();
        let expected = "error: cannot write the output to stdout: No space left on device (os error 28)\n\
             hint: check where stdout goes (a full disk, a file that cannot grow), or redirect it elsewhere\n";
        assert_eq!(
            (out.status.code(), stderr(&out).ends_with(expected)),
            (Some(2), true),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// A project whose name, file names, custom check (its name and its output), and test failure message carry
/// escape sequences; its tools come from the test virtualenv.
fn hostile_project() -> TestRepo {
    let repo = TestRepo::new();
    let toml_hostile = HOSTILE
        .chars()
        .map(|c| {
            if c.is_control() || !c.is_ascii() {
                format!("\\u{:04X}", u32::from(c))
            } else if c == '\\' {
                "\\\\".to_owned()
            } else {
                c.to_string()
            }
        })
        .collect::<String>();
    repo.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"evil{toml_hostile}\"\nversion = \"1.0.0\"\n\n[tool.ruff]\n\n\
             [tool.relgate.checks.pytest]\nrun = [\"pytest\", \"-p\", \"no:cacheprovider\", \"-vv\", \"tests\"]\n\n\
             [tool.relgate.checks.\"shout{toml_hostile}\"]\nrun = [\"sh\", \"-c\", \"printf '%s\\\\n' \\\"$0\\\"; exit 1\", \"{toml_hostile}\"]\nkind = \"lint\"\n"
        ),
    )
    .write(".gitignore", ".venv\n")
    .write(&format!("src/evil{HOSTILE_NAME}\nPASS forged.py"), "import os\n")
    // A publishing job whose key (YAML's `\e` is ESC, `\a` BEL) the publish check names.
    .write(
        ".github/workflows/release.yml",
        "on:\n  push:\n    tags: [\"v*\"]\njobs:\n  \"pub\\e]52;c;ZXZpbA==\\a\\e[2J\":\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .write(
        "tests/test_evil.py",
        "def test_evil():\n    assert False, '\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x9b31m\\u202ehostile'\n",
    )
    .commit("release")
    .tag("v1.0.0");
    std::os::unix::fs::symlink(test_venv(), repo.path().join(".venv")).unwrap();
    repo
}

#[test]
fn nothing_from_the_project_acts_on_the_terminal() {
    let repo = hostile_project();
    let out = relgate(&repo)
        .args(["check", "--offline", "--color", "always", "-v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = assert_terminal_safe("stdout", &out.stdout);
    assert_terminal_safe("stderr", &out.stderr);
    assert!(
        stdout(&out).contains("\u{1b}[31m"),
        "relgate's own colour is on: {}",
        stdout(&out)
    );
    // Each hostile field arrived, shown as text: the project name, the custom check's name and output, ruff's
    // file name, pytest's message.
    for needle in [
        format!("relgate 0.1.0 · evil{SHOWN} 1.0.0"),
        format!("  shout{SHOWN} "),
        // The custom check's output: its escape sequences (colour, `ESC[2J`, OSC 52 and 8) removed as output
        // excerpts' are; what is left over shown as text.
        r"        link\u{9b}31m\u{202e}hostile".to_owned(),
        format!("src/evil{SHOWN_NAME}\\nPASS forged.py:1:8 F401"),
        format!("AssertionError: {SHOWN_NAME}"),
        r"pub\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J".to_owned(),
    ] {
        assert!(shown.contains(&needle), "{needle:?} not in {shown}");
    }
    assert!(
        !shown.lines().any(|l| l.starts_with("PASS forged")),
        "a file name forged a line: {shown}"
    );

    // `relgate checks` lists the same names.
    let out = relgate(&repo)
        .args(["checks", "--color", "always"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = assert_terminal_safe("checks", &out.stdout);
    assert!(listed.contains(&format!("shout{SHOWN}")), "{listed}");

    // The JSON report keeps the data, escaped.
    let out = relgate(&repo)
        .args(["check", "--offline", "--format", "json"])
        .output()
        .unwrap();
    assert_terminal_safe("JSON", &out.stdout);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["project"]["name"], format!("evil{HOSTILE}"));
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == format!("shout{HOSTILE}")),
        "{doc:#}"
    );
}

#[test]
fn the_index_yank_reason_is_shown_as_text() {
    let page = json!({
        "meta": {"api-version": "1.1"},
        "name": "mypkg",
        "versions": ["1.0.0"],
        "files": [{
            "filename": "mypkg-1.0.0.tar.gz",
            "url": "mypkg-1.0.0.tar.gz",
            "hashes": {},
            "yanked": format!("broken {HOSTILE}"),
        }],
    });
    let server = Server::start(vec![Reply::ok(
        "application/vnd.pypi.simple.v1+json",
        page.to_string(),
    )]);
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("mypkg", "1.0.0"))
        .commit("release")
        .tag("v1.0.0");
    let out = relgate(&repo)
        .args(["check", "--only", "index", "--color", "always"])
        .args(["--index-url", &server.url("/simple")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = assert_terminal_safe("stdout", &out.stdout);
    assert!(
        shown.contains(&format!("(yanked: broken {SHOWN})")),
        "{shown}"
    );
}

/// A job log whose job name, step and error line carry escape sequences.
fn hostile_log() -> String {
    let t = "2025-01-01T00:00:0";
    format!(
        "\u{feff}{t}0.0000000Z Complete job name: job {HOSTILE}\n\
         {t}1.0000000Z ##[group]Run pytest {HOSTILE}\n\
         {t}1.0000001Z pytest {HOSTILE}\n\
         {t}1.0000002Z shell: /usr/bin/bash -e {{0}}\n\
         {t}1.0000003Z ##[endgroup]\n\
         {t}2.0000000Z FAILED tests/test_x.py::test_y - AssertionError: {HOSTILE}\n\
         {t}3.0000000Z ##[error]Process completed with exit code 1.\n"
    )
}

#[test]
fn ci_logs_and_api_fields_are_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("job.log");
    std::fs::write(&log, hostile_log()).unwrap();
    let out = ci(
        dir.path(),
        &["ci", "explain", "--color", "always"],
        &log,
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = assert_terminal_safe("ci explain", &out.stdout);
    // The log reader removes escape sequences itself; what it keeps (the override) is shown as text.
    assert!(
        shown.contains("FAIL job ") && shown.contains(r"\u{202e}hostile › Run pytest "),
        "{shown}"
    );

    // The API: the run's title and workflow name, the job's and steps' names.
    let run = json!({
        "id": 7, "name": format!("Release {HOSTILE}"), "display_title": format!("Title {HOSTILE}"),
        "event": "push", "status": "completed", "conclusion": "failure", "head_branch": "main",
        "head_sha": "9f2c4e1b7a3d5c8e0f6a2b4d1c3e5f7a9b0d2e4f", "run_number": 1,
        "html_url": "https://github.com/acme/demo/actions/runs/7",
        "created_at": "2025-03-14T09:20:58Z", "path": ".github/workflows/release.yml"
    });
    let jobs = json!({"total_count": 1, "jobs": [
        {"id": 9, "name": format!("lint {HOSTILE}"), "conclusion": "failure", "steps": [
            {"name": format!("Lint {HOSTILE}"), "number": 1, "conclusion": "failure"}]}
    ]});
    let api = Server::routes(vec![
        (
            "/repos/acme/demo/actions/runs?status=failure",
            Reply::ok(
                "application/json",
                json!({"total_count": 1, "workflow_runs": [run.clone()]}).to_string(),
            ),
        ),
        (
            "/repos/acme/demo/actions/runs/7/jobs",
            Reply::ok("application/json", jobs.to_string()),
        ),
        (
            "/repos/acme/demo/actions/runs/7",
            Reply::ok("application/json", run.to_string()),
        ),
        (
            "/repos/acme/demo/actions/jobs/9/logs",
            Reply::ok("text/plain", hostile_log()),
        ),
    ]);
    let api_url = api.url("");
    let common = [
        "--repo",
        "acme/demo",
        "--api-url",
        &api_url,
        "--color",
        "always",
    ];
    let out = ci(dir.path(), &["ci", "runs"], Path::new(""), &common);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = assert_terminal_safe("ci runs", &out.stdout);
    assert!(shown.contains(&format!("Title {SHOWN}")), "{shown}");
    let out = ci(
        dir.path(),
        &["ci", "explain", "--run", "7"],
        Path::new(""),
        &common,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = assert_terminal_safe("ci explain --run", &out.stdout);
    assert!(shown.contains(&format!("lint {SHOWN}")), "{shown}");
}

/// `relgate ARGS [LOG] EXTRA` in `dir`, with a GitHub token for the test server and no proxies.
fn ci(dir: &Path, args: &[&str], log: &Path, extra: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("relgate").unwrap();
    cmd.current_dir(dir).args(args);
    if !log.as_os_str().is_empty() {
        cmd.arg(log);
    }
    cmd.args(extra)
        .env("GH_TOKEN", "ghp_test")
        .env_remove("NO_COLOR");
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "RELGATE_FORMAT",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().unwrap()
}

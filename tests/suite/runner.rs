//! The runner and custom checks: parallelism (proved by two checks that can only pass together), plan order,
//! `-j`, `--fail-fast`, optional checks, missing tools, output excerpts, configuration errors, and the record of
//! passes (what reuses a pass, and everything that must not).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};

/// A project `mypkg` 1.0.0, committed and tagged `v1.0.0`, whose pyproject.toml ends with `tables` (check tables
/// and `[tool.relgate]` settings).
pub fn project(tables: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{tables}", pyproject("mypkg", "1.0.0")),
    )
    .commit("release")
    .tag("v1.0.0");
    repo
}

/// A `[tool.relgate.checks.NAME]` table running `run` (a TOML array body).
pub fn check(name: &str, kind: &str, run: &str, extra: &str) -> String {
    format!("\n[tool.relgate.checks.{name}]\nrun = [{run}]\nkind = \"{kind}\"\n{extra}")
}

/// Write an executable shell script into `$HOME/bin` of the test, which is first on relgate's PATH.
pub fn script(repo: &TestRepo, name: &str, body: &str) -> PathBuf {
    let path = repo.home.path().join("bin").join(name);
    crate::common::write_executable(&path, format!("#!/bin/sh\n{body}").as_bytes(), 0o755);
    path
}

/// PATH with the test's `$HOME/bin` first.
pub fn path_with_bin(repo: &TestRepo) -> String {
    format!(
        "{}:{}",
        repo.home.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `relgate check ARGS` with `$HOME/bin` on PATH; asserts that the repository is unchanged.
#[track_caller]
pub fn run(repo: &TestRepo, args: &[&str]) -> Run {
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .env("PATH", path_with_bin(repo))
        .env_remove("VIRTUAL_ENV")
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout(&out),
        stderr: stderr(&out),
    }
}

/// The JSON report of `relgate check --format json ARGS`.
#[track_caller]
pub fn run_json(repo: &TestRepo, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(repo, &all);
    let doc = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", out.stdout, out.stderr));
    (out.code, doc)
}

/// `(name, status, message)` of each check, in report order.
pub fn verdicts(doc: &Value) -> Vec<(String, String, String)> {
    doc["checks"]
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
        .collect()
}

pub fn v(name: &str, status: &str, message: &str) -> (String, String, String) {
    (name.to_owned(), status.to_owned(), message.to_owned())
}

/// Human output with commit ids and durations made stable.
pub fn normalize(text: &str, repo: &TestRepo) -> String {
    let mut text = text.to_owned();
    for sha in repo.git(&["log", "--all", "--format=%H"]).lines() {
        text = text.replace(&sha[..7], "<sha>");
    }
    let text = regex::Regex::new(r" +\d+(\.\d)? (ms|s)  ")
        .unwrap()
        .replace_all(&text, " N ms  ")
        .into_owned();
    regex::Regex::new(r"\((\d+(\.\d)? (ms|s)|cached)\)")
        .unwrap()
        .replace_all(&text, |c: &regex::Captures| {
            if &c[1] == "cached" {
                "(cached)".to_owned()
            } else {
                "(N ms)".to_owned()
            }
        })
        .into_owned()
}

/// How many times the counting check ran (it appends a line to `$HOME/count` each time).
pub fn count(repo: &TestRepo) -> usize {
    std::fs::read_to_string(repo.home.path().join("count")).map_or(0, |t| t.lines().count())
}

/// Two checks that each wait for the other's file: they pass only when they run at the same time.
const RENDEZVOUS: &str =
    "touch \"$HOME/$1\"\nwhile [ ! -e \"$HOME/$2\" ]; do sleep 0.05; done\necho \"$1 met $2\"\n";

fn rendezvous_project() -> TestRepo {
    let repo = project(&format!(
        "{}{}",
        check("a", "test", r#""rendezvous", "a", "b""#, "timeout = 3\n"),
        check("b", "test", r#""rendezvous", "b", "a""#, "timeout = 3\n"),
    ));
    script(&repo, "rendezvous", RENDEZVOUS);
    repo
}

#[test]
fn checks_run_at_the_same_time() {
    let repo = rendezvous_project();
    let out = run(&repo, &["--only", "test", "-j", "2"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         a ............... pass N ms  `rendezvous a b` exited with 0\n  \
         b ............... pass N ms  `rendezvous b a` exited with 0\n\
         PASS 2 checks passed: ready to release\n"
    );
}

#[test]
fn one_job_at_a_time_with_j_1() {
    let repo = rendezvous_project();
    let (code, doc) = run_json(&repo, &["--only", "test", "-j", "1", "--no-cache"]);
    assert_eq!(code, 1);
    // `a` starts alone and waits for `b` until its timeout; then `b` finds `a`'s file and passes.
    assert_eq!(
        verdicts(&doc),
        [
            v(
                "a",
                "error",
                "`rendezvous a b` did not finish within 3 s (tool.relgate.checks.a.timeout = 3) and was stopped"
            ),
            v("b", "pass", "`rendezvous b a` exited with 0"),
        ]
    );
    assert_eq!(
        doc["checks"][0]["details"][0],
        "if it needs longer, raise tool.relgate.checks.a.timeout in pyproject.toml; otherwise find out why it hangs: rendezvous a b"
    );
    // The same with `jobs = 1` in the configuration; `-j` wins over it.
    let repo = project(&format!(
        "\n[tool.relgate]\njobs = 1\n{}{}",
        check("a", "test", r#""rendezvous", "a", "b""#, "timeout = 3\n"),
        check("b", "test", r#""rendezvous", "b", "a""#, "timeout = 3\n"),
    ));
    script(&repo, "rendezvous", RENDEZVOUS);
    let (code, doc) = run_json(&repo, &["--only", "test", "--no-cache"]);
    assert_eq!(
        (code, doc["checks"][0]["status"].as_str()),
        (1, Some("error"))
    );
    std::fs::remove_file(repo.home.path().join("a")).unwrap();
    std::fs::remove_file(repo.home.path().join("b")).unwrap();
    let (code, _) = run_json(&repo, &["--only", "test", "-j", "2", "--no-cache"]);
    assert_eq!(code, 0);
}

#[test]
fn results_come_in_plan_order_not_completion_order() {
    // `a-slow` cannot finish before `z-quick` has: the report still lists `a-slow` first, while the progress
    // lines on stderr (not a terminal here: one line per finished check) follow completion.
    let repo = project(&format!(
        "{}{}",
        check(
            "a-slow",
            "lint",
            r#""wait-for", "z-done""#,
            "timeout = 20\n"
        ),
        check("z-quick", "lint", r#""mark", "z-done""#, ""),
    ));
    // The pause after the file appears leaves relgate ample time to see `z-quick` finish first.
    script(
        &repo,
        "wait-for",
        "while [ ! -e \"$HOME/$1\" ]; do sleep 0.05; done\nsleep 0.5\n",
    );
    script(&repo, "mark", "touch \"$HOME/$1\"\n");
    let out = run(&repo, &["--only", "lint", "-j", "2"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         a-slow .......... pass N ms  `wait-for z-done` exited with 0\n  \
         z-quick ......... pass N ms  `mark z-done` exited with 0\n\
         PASS 2 checks passed: ready to release\n"
    );
    assert_eq!(
        normalize(&out.stderr, &repo),
        "relgate: z-quick: pass (N ms)\nrelgate: a-slow: pass (N ms)\n"
    );
    // Nothing on stderr under -q or --format json.
    std::fs::remove_file(repo.home.path().join("z-done")).unwrap();
    let out = run(&repo, &["--only", "lint", "-q", "--no-cache"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(out.stdout, "PASS 2 checks passed: ready to release\n");
}

#[test]
fn fail_fast_skips_what_has_not_started_and_stops_what_runs() {
    // -j 1: the first failure leaves the rest unstarted; their side effect never happens.
    let repo = project(&format!(
        "{}{}{}",
        check("a-fails", "lint", r#""sh", "-c", "exit 3""#, ""),
        check("b-counts", "test", r#""counter""#, ""),
        check("c-counts", "test", r#""counter""#, ""),
    ));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    let out = run(&repo, &["--only", "lint,test", "-j", "1", "--fail-fast"]);
    assert_eq!(out.code, 1);
    assert_eq!(count(&repo), 0);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         a-fails ......... FAIL N ms  `sh -c 'exit 3'` exited with 3\n      \
         run it yourself to see the whole output: sh -c 'exit 3'\n      \
         (no output)\n  \
         b-counts ........ skip N ms  not started: --fail-fast stopped the run after a-fails failed\n  \
         c-counts ........ skip N ms  not started: --fail-fast stopped the run after a-fails failed\n\
         FAIL 1 of 1 checks did not pass: do not release\n  \
         next: run it yourself to see the whole output: sh -c 'exit 3'\n"
    );
    // Without --fail-fast every check runs.
    let out = run(&repo, &["--only", "lint,test", "-j", "1"]);
    assert_eq!((out.code, count(&repo)), (1, 2));

    // -j 2: a check already running is stopped, with its whole process group.
    let repo = project(&format!(
        "{}{}",
        check(
            "a-fails",
            "lint",
            r#""fail-when-started""#,
            "timeout = 20\n"
        ),
        check("b-runs", "test", r#""run-long""#, "timeout = 20\n"),
    ));
    script(
        &repo,
        "fail-when-started",
        "while [ ! -e \"$HOME/b.pid\" ]; do sleep 0.05; done\nexit 1\n",
    );
    script(
        &repo,
        "run-long",
        "sleep 30 &\necho $! > \"$HOME/sleep.pid\"\necho $$ > \"$HOME/b.pid\"\nwait\n",
    );
    let (code, doc) = run_json(&repo, &["--only", "lint,test", "-j", "2", "--fail-fast"]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc),
        [
            v("a-fails", "fail", "`fail-when-started` exited with 1"),
            v(
                "b-runs",
                "skipped",
                "not finished: --fail-fast stopped it after a-fails failed"
            ),
        ]
    );
    for pid in ["b.pid", "sleep.pid"] {
        assert_gone(&repo, pid);
    }
}

/// The process whose PID a check wrote to `$HOME/<file>` is gone (a zombie waiting for an init that never
/// reaps counts as gone: it is dead).
#[track_caller]
pub fn assert_gone(repo: &TestRepo, file: &str) {
    let text = std::fs::read_to_string(repo.home.path().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let pid = text.trim();
    assert!(!pid.is_empty(), "{file} is empty");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("");
    assert!(
        stat.is_empty() || state == "Z",
        "process {pid} ({file}) is still running: {stat}"
    );
}

#[test]
fn a_failed_optional_check_warns_and_the_gate_passes() {
    let repo = project(&check(
        "docs",
        "build",
        r#""sh", "-c", "echo missing reference; exit 2""#,
        "required = false\n",
    ));
    let out = run(&repo, &["--only", "build"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         docs ............ warn N ms  `sh -c 'echo missing reference; exit 2'` exited with 2\n      \
         run it yourself to see the whole output: sh -c 'echo missing reference; exit 2'\n      \
         output:\n        \
         missing reference\n\
         PASS 1 checks passed, 1 optional with warnings: ready to release\n"
    );
    assert_eq!(
        normalize(&out.stderr, &repo),
        "relgate: docs: warn (N ms)\n"
    );
    let (code, doc) = run_json(&repo, &["--only", "build"]);
    assert_eq!((code, doc["status"].as_str()), (0, Some("pass")));
    assert_eq!(doc["checks"][0]["required"], false);
    assert_eq!(doc["checks"][0]["status"], "fail");
}

#[test]
fn a_missing_executable_is_an_error_and_the_other_checks_still_run() {
    let repo = project(&format!(
        "{}{}{}",
        check(
            "docs",
            "build",
            r#""sphinx-build-relgate-missing", "docs", "out""#,
            ""
        ),
        check("script", "lint", r#""./scripts/missing.sh""#, ""),
        check("z-counts", "test", r#""counter""#, ""),
    ));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    let out = run(&repo, &["--only", "build,lint,test", "-j", "1"]);
    assert_eq!(out.code, 1);
    assert_eq!(count(&repo), 1);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         docs ............ ERROR N ms  `sphinx-build-relgate-missing` was not found on PATH, and the project has no virtualenv (VIRTUAL_ENV, .venv/ or venv/)\n      \
         install sphinx-build-relgate-missing (e.g. into the project's virtualenv), or fix tool.relgate.checks.docs.run in pyproject.toml:5\n  \
         script .......... ERROR N ms  `./scripts/missing.sh` was not found in the project\n      \
         commit the script, or fix tool.relgate.checks.script.run in pyproject.toml:9\n  \
         z-counts ........ pass N ms  `counter` exited with 0\n\
         ERROR 2 of 3 checks did not pass: do not release\n  \
         next: install sphinx-build-relgate-missing (e.g. into the project's virtualenv), or fix tool.relgate.checks.docs.run in pyproject.toml:5\n"
    );
    let (code, doc) = run_json(&repo, &["--only", "build,lint,test"]);
    assert_eq!((code, doc["status"].as_str()), (1, Some("error")));
}

#[test]
fn a_failing_check_shows_its_exit_code_and_the_tail_of_its_output() {
    let repo = project(&check("lic", "lint", r#""licence-scan", "--strict""#, ""));
    script(
        &repo,
        "licence-scan",
        "i=1\nwhile [ $i -le 45 ]; do echo \"scanned file $i\"; i=$((i+1)); done\necho 'src/x.py: no licence header' >&2\nexit 4\n",
    );
    let out = run(&repo, &["--only", "lint"]);
    assert_eq!(out.code, 1);
    let mut expected = String::from(
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         lic ............. FAIL N ms  `licence-scan --strict` exited with 4\n      \
         run it yourself to see the whole output: licence-scan --strict\n      \
         output (last 30 of 46 lines):\n",
    );
    for i in 17..=45 {
        writeln!(expected, "        scanned file {i}").unwrap();
    }
    expected.push_str(
        "        src/x.py: no licence header\n\
         FAIL 1 of 1 checks did not pass: do not release\n  \
         next: run it yourself to see the whole output: licence-scan --strict\n",
    );
    assert_eq!(normalize(&out.stdout, &repo), expected);

    let (code, doc) = run_json(&repo, &["--only", "lint"]);
    assert_eq!(code, 1);
    let c = &doc["checks"][0];
    assert_eq!(
        (
            &c["name"],
            &c["kind"],
            &c["status"],
            &c["exit_code"],
            &c["required"]
        ),
        (
            &"lic".into(),
            &"lint".into(),
            &"fail".into(),
            &4.into(),
            &true.into()
        )
    );
    assert_eq!(
        c["command"],
        serde_json::json!(["licence-scan", "--strict"])
    );
    assert_eq!(c["reason"], "configured in pyproject.toml:5");
    let details: Vec<&str> = c["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 32);
    assert_eq!(details[1], "output (last 30 of 46 lines):");
    assert_eq!(details[31], "  src/x.py: no licence header");
}

#[test]
fn a_custom_check_without_kind_is_a_configuration_error() {
    let repo = project(
        "\n[tool.relgate]\ntimeout = 60\n\n[tool.relgate.checks.docs]\nrun = [\"make\", \"docs\"]\n",
    );
    let out = run(&repo, &["--only", "lint"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: pyproject.toml:8: tool.relgate.checks.docs.kind is missing: a custom check needs a kind\n\
         hint: add kind = \"lint\" (or format, type, test, build, publish...) under [tool.relgate.checks.docs]: --only and --skip select checks by kind\n"
    );
    // relgate.toml: keys without the prefix.
    let repo = project("");
    repo.write(
        "relgate.toml",
        "[checks.docs]\nrun = [\"make\", \"docs\"]\n",
    );
    let out = run(&repo, &["--only", "lint"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "error: relgate.toml:1: checks.docs.kind is missing: a custom check needs a kind"
    );
    // A misspelt table of a check relgate knows is not silently ignored.
    let repo = project("\n[tool.relgate.checks.mpyy]\nrequired = false\n");
    let (code, doc) = run_json(&repo, &["--only", "lint"]);
    assert_eq!(code, 2);
    assert_eq!(
        doc["error"]["message"],
        "pyproject.toml:5: [tool.relgate.checks.mpyy] is not a check relgate runs, and it has no `run` command"
    );
}

/// A project whose only custom check, `suite`, counts its runs in `$HOME/count`.
fn counting_project(extra: &str) -> TestRepo {
    let repo = project(&format!(
        "{}{extra}",
        check("suite", "test", r#""counter""#, "")
    ));
    script(
        &repo,
        "counter",
        "echo run >> \"$HOME/count\"\necho counted\n",
    );
    repo
}

/// The records under the repository's common git directory, each parsed (a record that does not parse fails
/// the test).
pub fn records(repo: &TestRepo) -> Vec<Value> {
    let dir = repo.path().join(".git/relgate/passes");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if Path::new(&name).extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            out.push(
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("record {name} does not parse ({e}): {text}")),
            );
        }
    }
    out
}

#[test]
fn a_second_run_reuses_the_pass_and_runs_nothing() {
    let repo = counting_project("");
    let (code, first) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 1));
    assert_eq!(first["checks"][0]["cached"], Value::Null);

    let out = run(&repo, &["--only", "test"]);
    assert_eq!(out.code, 0);
    assert_eq!(count(&repo), 1, "the check ran again");
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         suite ........... pass N ms  `counter` exited with 0 (cached)\n\
         PASS 1 checks passed: ready to release\n"
    );
    assert_eq!(out.stderr, "relgate: suite: pass (cached)\n");
    let (code, second) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 1));
    let (a, b) = (&first["checks"][0], &second["checks"][0]);
    assert_eq!(b["cached"], true);
    assert_eq!(
        (&b["message"], &b["duration_ms"], &b["command"]),
        (&a["message"], &a["duration_ms"], &a["command"])
    );
    let records = records(&repo);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["result"]["name"], "suite");
}

#[test]
fn a_new_tree_configuration_or_tool_runs_the_check_again() {
    let repo = counting_project("");
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 1);

    // A new commit, tagged: another tree.
    repo.write("src/mypkg/__init__.py", "")
        .commit("code")
        .tag("v1.0.1");
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 2);
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 2);

    // Another configuration (read from the working tree; the checks run on an export of the tag).
    let original = std::fs::read_to_string(repo.path().join("pyproject.toml")).unwrap();
    repo.write(
        "pyproject.toml",
        &format!("{original}\n[tool.relgate]\ntimeout = 100\n"),
    );
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 3));
    assert_eq!(doc["workspace"]["mode"], "export");
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 3);
    // Back to the committed configuration: the pass earned in place is reused by the export, and vice versa.
    repo.write("pyproject.toml", &original);
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 3);

    // Another tool: the executable changed (an upgrade).
    script(
        &repo,
        "counter",
        "echo run >> \"$HOME/count\"\necho counted, version 2\n",
    );
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 4);
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 4);

    // --no-cache neither reads nor writes the record.
    assert_eq!(run(&repo, &["--only", "test", "--no-cache"]).code, 0);
    assert_eq!(count(&repo), 5);
    script(
        &repo,
        "counter",
        "echo run >> \"$HOME/count\"\necho counted, version 3\n",
    );
    assert_eq!(run(&repo, &["--only", "test", "--no-cache"]).code, 0);
    assert_eq!(count(&repo), 6);
    let recorded = records(&repo).len();
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 7, "--no-cache wrote a record");
    assert_eq!(records(&repo).len(), recorded + 1);
}

#[test]
fn cache_false_in_the_configuration_never_records() {
    let repo = counting_project("\n[tool.relgate]\ncache = false\n");
    for n in 1..=2 {
        let (code, doc) = run_json(&repo, &["--only", "test"]);
        assert_eq!((code, count(&repo)), (0, n));
        assert_eq!(doc["checks"][0]["cached"], Value::Null);
    }
    assert!(!repo.path().join(".git/relgate").exists());
}

#[test]
fn a_pass_before_tagging_is_reused_for_the_tag() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!(
            "{}{}",
            pyproject("mypkg", "1.0.0"),
            check("suite", "test", r#""counter""#, "")
        ),
    )
    .commit("release");
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    // No tag yet: the clean working tree is HEAD's tree.
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 1));
    assert_eq!(doc["tag"], Value::Null);
    repo.tag("v1.0.0");
    // What the pre-push hook runs for the tag.
    let (code, doc) = run_json(&repo, &["--only", "test", "--tag", "v1.0.0"]);
    assert_eq!((code, count(&repo)), (0, 1));
    assert_eq!(doc["checks"][0]["cached"], true);

    // A working tree that is not a commit's content is never recorded.
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!(
            "{}{}",
            pyproject("mypkg", "1.0.0"),
            check("suite", "test", r#""counter""#, "")
        ),
    )
    .commit("release")
    .write("notes.txt", "untracked");
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    for n in 1..=2 {
        assert_eq!(run(&repo, &["--only", "test"]).code, 0);
        assert_eq!(count(&repo), n);
    }
    assert!(records(&repo).is_empty());
}

#[test]
fn linked_worktrees_share_the_record() {
    let repo = counting_project("");
    let worktree = repo.home.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "--detach",
        "-q",
        worktree.to_str().unwrap(),
        "v1.0.0",
    ]);
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    assert_eq!(count(&repo), 1);
    let (code, doc) = run_json(
        &repo,
        &["--only", "test", "--path", worktree.to_str().unwrap()],
    );
    assert_eq!((code, count(&repo)), (0, 1));
    assert_eq!(doc["checks"][0]["cached"], true);
    assert_eq!(doc["tag"]["name"], "v1.0.0");
}

use crate::index::server;

#[test]
fn the_index_is_asked_every_time() {
    let server = server::Server::start(vec![server::Reply::fixture("pluggy")]);
    let root = server.url("/simple");
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!(
            "{}{}",
            pyproject("pluggy", "1.8.0"),
            check("suite", "test", r#""counter""#, "")
        ),
    )
    .commit("release")
    .tag("v1.8.0");
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    for run_number in 1..=2 {
        let (code, doc) = run_json(&repo, &["--only", "index,test", "--index-url", &root]);
        assert_eq!(code, 0);
        assert_eq!(
            verdicts(&doc),
            [
                v(
                    "index",
                    "pass",
                    &format!("1.8.0 is new: the newest release on {root}/pluggy/ is 1.7.0")
                ),
                v("suite", "pass", "`counter` exited with 0"),
            ]
        );
        assert_eq!(doc["checks"][0]["cached"], Value::Null);
        assert_eq!(server.requests().len(), run_number);
    }
    assert_eq!(count(&repo), 1);
}

#[test]
fn custom_checks_are_listed_and_run_without_the_hooks_git_variables() {
    let repo = project(&format!(
        "{}{}",
        check(
            "clean-env",
            "test",
            r#""sh", "-c", "echo \"GIT_DIR=$GIT_DIR GIT_INDEX_FILE=$GIT_INDEX_FILE\"; test -z \"$GIT_DIR$GIT_INDEX_FILE\"""#,
            ""
        ),
        check("docs", "build", r#""make", "docs""#, "enabled = false\n"),
    ));
    let out = repo.relgate().args(["checks"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).ends_with(
            "clean-env            test     sh -c 'echo \"GIT_DIR=$GIT_DIR GIT_INDEX_FILE=$GIT_INDEX_FILE\"; test -z \"$GIT_DIR$GIT_INDEX_FILE\"'\n"
        ),
        "{}",
        stdout(&out)
    );
    // What git sets for a hook.
    let git_dir = repo.path().join(".git");
    let out = repo
        .relgate()
        .env("GIT_DIR", &git_dir)
        .env("GIT_INDEX_FILE", git_dir.join("index"))
        .args(["check", "--only", "test,build", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        verdicts(&doc),
        [v(
            "clean-env",
            "pass",
            "`sh -c 'echo \"GIT_DIR=$GIT_DIR GIT_INDEX_FILE=$GIT_INDEX_FILE\"; test -z \"$GIT_DIR$GIT_INDEX_FILE\"'` exited with 0"
        )]
    );
}

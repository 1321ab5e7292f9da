//! Fault injection: checks that hang, fork grandchildren that ignore SIGTERM, print 100 MB or die by a signal;
//! relgate interrupted, killed while writing its record, run twice at once; the index failing while checks run.
//!
//! After each: no process left behind (the checks write their PIDs to files outside the tree), the repository
//! byte-identical (`run` compares snapshots), every pass record readable, and the verdict asserted.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{TestRepo, stderr, stdout, test_venv};
use crate::runner::{
    assert_gone, check, count, normalize, path_with_bin, project, records, run, run_json, script,
    v, verdicts,
};

use crate::index::server;

/// `relgate check ARGS` started in the background, with the environment of `run`.
fn spawn(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Background {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_relgate"));
    cmd.current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("VIRTUAL_ENV")
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .env("PATH", path_with_bin(repo))
        .arg("check")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, val) in repo.envs() {
        cmd.env(k, val);
    }
    for (k, val) in env {
        cmd.env(k, val);
    }
    Background(Some(cmd.spawn().unwrap()))
}

/// A relgate started in the background; should the test fail before it ends, it is interrupted (so that it stops
/// its checks), then killed.
struct Background(Option<Child>);

impl Background {
    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }

    fn wait_with_output(mut self) -> Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }

    fn into_child(mut self) -> Child {
        self.0.take().unwrap()
    }

    fn kill_and_wait(mut self) {
        let mut child = self.0.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            signal(child.id(), "INT");
            let until = Instant::now() + Duration::from_secs(10);
            while Instant::now() < until && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Wait, with a bound, until a check has created `file` (it is running).
#[track_caller]
fn wait_for(file: &Path) {
    let until = Instant::now() + Duration::from_secs(60);
    while !file.exists() {
        assert!(Instant::now() < until, "{} never appeared", file.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    // The PID is written by `echo`, which may not have finished writing.
    std::thread::sleep(Duration::from_millis(50));
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Writes its PID, forks a grandchild that ignores SIGTERM (and writes its PID), and waits forever.
const STUBBORN: &str = "sh -c 'trap \"\" TERM; echo $$ > \"$HOME/$1-grandchild.pid\"; while :; do sleep 0.1; done' stub \"$1\" &\n\
echo $$ > \"$HOME/$1-child.pid\"\nwait\n";

#[test]
fn a_hanging_check_is_killed_at_its_timeout() {
    let repo = project(&check("hang", "test", r#""hang""#, "timeout = 1\n"));
    script(
        &repo,
        "hang",
        "echo $$ > \"$HOME/hang.pid\"\necho started\nexec sleep 60\n",
    );
    let out = run(&repo, &["--only", "test"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         hang ............ ERROR N ms  `hang` did not finish within 1 s (tool.relgate.checks.hang.timeout = 1) and was stopped\n      \
         if it needs longer, raise tool.relgate.checks.hang.timeout in pyproject.toml; otherwise find out why it hangs: hang\n      \
         output:\n        \
         started\n\
         ERROR 1 of 1 checks did not pass: do not release\n  \
         next: if it needs longer, raise tool.relgate.checks.hang.timeout in pyproject.toml; otherwise find out why it hangs: hang\n"
    );
    assert_gone(&repo, "hang.pid");
    assert!(records(&repo).is_empty());

    // The timeout of every check, `[tool.relgate] timeout`, is named when it applies.
    let repo = project(&format!(
        "\n[tool.relgate]\ntimeout = 0.5\n{}",
        check("hang", "test", r#""hang""#, "")
    ));
    script(
        &repo,
        "hang",
        "echo $$ > \"$HOME/hang.pid\"\nexec sleep 60\n",
    );
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc),
        [v(
            "hang",
            "error",
            "`hang` did not finish within 0.5 s (tool.relgate.timeout = 0.5) and was stopped"
        )]
    );
    assert_gone(&repo, "hang.pid");
}

#[test]
fn a_grandchild_that_ignores_sigterm_is_killed_too() {
    let repo = project(&check(
        "stubborn",
        "test",
        r#""stubborn", "s""#,
        "timeout = 1\n",
    ));
    script(&repo, "stubborn", STUBBORN);
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc),
        [v(
            "stubborn",
            "error",
            "`stubborn s` did not finish within 1 s (tool.relgate.checks.stubborn.timeout = 1) and was stopped"
        )]
    );
    assert_gone(&repo, "s-child.pid");
    assert_gone(&repo, "s-grandchild.pid");
}

#[test]
fn what_a_check_leaves_behind_is_stopped_without_hanging_relgate() {
    // One leaves a process holding the output pipe open, the other a daemon with its output elsewhere: each
    // exits 0 at once. relgate does not wait for the pipe (bounded), and stops both leftovers.
    let repo = project(&format!(
        "{}{}",
        check("holds-pipe", "test", r#""leave", "pipe""#, "timeout = 60\n"),
        check("daemon", "test", r#""leave", "daemon""#, "timeout = 60\n"),
    ));
    script(
        &repo,
        "leave",
        "if [ \"$1\" = pipe ]; then sleep 60 & else sleep 60 >/dev/null 2>&1 & fi\necho $! > \"$HOME/$1.pid\"\necho left\n",
    );
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!(code, 0);
    assert_eq!(
        verdicts(&doc),
        [
            v("daemon", "pass", "`leave daemon` exited with 0"),
            v("holds-pipe", "pass", "`leave pipe` exited with 0"),
        ]
    );
    assert_gone(&repo, "pipe.pid");
    assert_gone(&repo, "daemon.pid");
    assert_eq!(records(&repo).len(), 2);
}

#[test]
fn a_check_killed_by_a_signal_is_named() {
    let repo = project(&format!(
        "{}{}",
        check("crash", "test", r#""die", "SEGV""#, ""),
        check("killed", "test", r#""die", "KILL""#, ""),
    ));
    script(&repo, "die", "echo about to die\nkill -$1 $$\n");
    let out = run(&repo, &["--only", "test"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         crash ........... ERROR N ms  `die SEGV` was killed by SIGSEGV (signal 11)\n      \
         the command crashed or was killed from outside; run it yourself to see why: die SEGV\n      \
         output:\n        \
         about to die\n  \
         killed .......... ERROR N ms  `die KILL` was killed by SIGKILL (signal 9)\n      \
         the command crashed or was killed from outside; run it yourself to see why: die KILL\n      \
         output:\n        \
         about to die\n\
         ERROR 2 of 2 checks did not pass: do not release\n  \
         next: the command crashed or was killed from outside; run it yourself to see why: die SEGV\n"
    );
}

/// Run relgate under a Python parent whose `RUSAGE_CHILDREN` then holds relgate's peak resident memory (the
/// largest of its waited-for descendants: relgate itself here; `yes` and `head` are tiny).
fn run_measured(repo: &TestRepo, args: &[&str]) -> (Output, u64) {
    let python = test_venv().join("bin/python");
    let measure = "import resource, subprocess, sys\n\
        p = subprocess.run(sys.argv[1:], capture_output=True)\n\
        sys.stderr.buffer.write(p.stderr)\n\
        sys.stdout.buffer.write(p.stdout)\n\
        sys.stderr.write('\\nmaxrss_kib=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
        sys.exit(p.returncode)\n";
    let mut cmd = Command::new(python);
    cmd.current_dir(repo.path())
        .env_remove("NO_COLOR")
        .env_remove("VIRTUAL_ENV")
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .env("PATH", path_with_bin(repo))
        .args(["-c", measure, env!("CARGO_BIN_EXE_relgate"), "check"])
        .args(args);
    for (k, val) in repo.envs() {
        cmd.env(k, val);
    }
    let out = cmd.output().unwrap();
    let err = stderr(&out);
    let kib = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no measurement: {err}"));
    (out, kib)
}

#[test]
fn a_check_printing_100_mb_leaves_relgate_memory_bounded() {
    let repo = project(&check("loud", "test", r#""loud""#, ""));
    script(&repo, "loud", "yes relgate | head -c 100000000\nexit 1\n");
    let before = repo.snapshot();
    let (out, kib) = run_measured(&repo, &["--only", "test", "--format", "json"]);
    assert_eq!(repo.snapshot(), before);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Capturing the whole output would take more than 100 MB; the bound keeps 256 KiB.
    assert!(kib > 1000, "implausible measurement: {kib} KiB");
    assert!(
        kib < 50 * 1024,
        "relgate's peak memory was {kib} KiB for a check printing 100 MB"
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(verdicts(&doc), [v("loud", "fail", "`loud` exited with 1")]);
    let details = doc["checks"][0]["details"].as_array().unwrap();
    assert_eq!(details.len(), 32);
    assert_eq!(details[1], "output (last 30 lines of 100000000 bytes):");
    assert!(details[2..].iter().all(|d| d == "  relgate"), "{details:?}");
}

/// Start relgate on checks that run until stopped, send it `sig` once they run, and check that it exits 130
/// with nothing left behind; a check that passed before the signal keeps its record.
fn interrupt_with(sig: &str) {
    let repo = project(&format!(
        "{}{}{}",
        check("a-quick", "lint", r#""counter""#, ""),
        check(
            "b-stubborn",
            "test",
            r#""stubborn", "s""#,
            "timeout = 120\n"
        ),
        check("c-sleeps", "test", r#""sleeper""#, "timeout = 120\n"),
    ));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    script(&repo, "stubborn", STUBBORN);
    script(
        &repo,
        "sleeper",
        "echo $$ > \"$HOME/sleeper.pid\"\nexec sleep 120\n",
    );
    let before = repo.snapshot();
    let child = spawn(&repo, &["--only", "lint,test", "-j", "3"], &[]);
    for file in ["s-child.pid", "s-grandchild.pid", "sleeper.pid", "count"] {
        wait_for(&repo.home.path().join(file));
    }
    // `a-quick` has passed once its record is written.
    let until = Instant::now() + Duration::from_secs(60);
    while records(&repo).is_empty() {
        assert!(Instant::now() < until, "a-quick was never recorded");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(child.id(), sig);
    let out = child.wait_with_output();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        normalize(&stderr(&out), &repo),
        "relgate: a-quick: pass (N ms)\nrelgate: interrupted; every check it started was stopped\n"
    );
    for pid in ["s-child.pid", "s-grandchild.pid", "sleeper.pid"] {
        assert_gone(&repo, pid);
    }
    assert_eq!(repo.snapshot(), before);
    let records = records(&repo);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["result"]["name"], "a-quick");
    assert_eq!(count(&repo), 1);
}

#[test]
fn ctrl_c_stops_every_check_and_exits_130() {
    interrupt_with("INT");
}

#[test]
fn sigterm_stops_every_check_and_exits_130() {
    interrupt_with("TERM");
}

#[test]
fn the_index_failing_while_a_check_runs() {
    // Refused at once; the check is still running and its verdict is kept.
    let refused = server::refused_url("/simple");
    let repo = project(&check("suite", "test", r#""slow-pass""#, ""));
    script(
        &repo,
        "slow-pass",
        "sleep 0.3\necho $$ > \"$HOME/slow.pid\"\n",
    );
    let (code, doc) = run_json(&repo, &["--only", "index,test", "--index-url", &refused]);
    assert_eq!((code, doc["status"].as_str()), (1, Some("error")));
    let got = verdicts(&doc);
    assert_eq!(got[0].0, "index");
    assert_eq!(got[0].1, "error");
    assert!(
        got[0].2.starts_with(&format!(
            "cannot ask the package index at {refused}/mypkg/: cannot connect: connection refused"
        )),
        "{}",
        got[0].2
    );
    assert_eq!(got[1], v("suite", "pass", "`slow-pass` exited with 0"));
    assert_gone(&repo, "slow.pid");

    // A server that never answers: the index times out while the check runs; both are reported.
    let silent = server::Server::start(vec![server::Reply::Silent]);
    let root = silent.url("/simple");
    let repo = project(&format!(
        "\n[tool.relgate]\nindex-timeout = 1\n{}",
        check("suite", "test", r#""slow-pass""#, "")
    ));
    script(
        &repo,
        "slow-pass",
        "sleep 0.3\necho $$ > \"$HOME/slow.pid\"\n",
    );
    let (code, doc) = run_json(&repo, &["--only", "index,test", "--index-url", &root]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc),
        [
            v(
                "index",
                "error",
                &format!(
                    "cannot ask the package index at {root}/mypkg/: timed out after 1s; to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]"
                )
            ),
            v("suite", "pass", "`slow-pass` exited with 0"),
        ]
    );
    assert_gone(&repo, "slow.pid");
    assert_eq!(records(&repo).len(), 1);
}

#[test]
fn two_runs_at_once_on_one_repository() {
    let repo = project(&format!(
        "{}{}",
        check("fails", "lint", r#""sh", "-c", "sleep 0.2; exit 1""#, ""),
        check("passes", "test", r#""counter""#, ""),
    ));
    script(&repo, "counter", "sleep 0.2\necho run >> \"$HOME/count\"\n");
    let before = repo.snapshot();
    let args = ["--only", "lint,test", "--format", "json"];
    let (first, second) = (spawn(&repo, &args, &[]), spawn(&repo, &args, &[]));
    for child in [first, second] {
        let out = child.wait_with_output();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            verdicts(&doc),
            [
                v("fails", "fail", "`sh -c 'sleep 0.2; exit 1'` exited with 1"),
                v("passes", "pass", "`counter` exited with 0"),
            ]
        );
    }
    assert_eq!(repo.snapshot(), before);
    assert_eq!(records(&repo).len(), 1);
    let ran = count(&repo);
    let (code, doc) = run_json(&repo, &["--only", "lint,test"]);
    assert_eq!(code, 1);
    assert_eq!(doc["checks"][0]["cached"], Value::Null);
    assert_eq!(doc["checks"][1]["cached"], true);
    assert_eq!(count(&repo), ran);
}

#[test]
fn killed_while_writing_the_record() {
    let repo = project(&check("suite", "test", r#""counter""#, ""));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    let marker = repo.home.path().join("paused");
    let before = repo.snapshot();
    let child = spawn(
        &repo,
        &["--only", "test"],
        &[("RELGATE_TEST_HOOK_RECORD_PAUSE", marker.to_str().unwrap())],
    );
    wait_for(&marker);
    child.kill_and_wait();
    assert_eq!(repo.snapshot(), before);
    // What the kill left: a temporary file, no record.
    let dir = repo.path().join(".git/relgate/passes");
    let names = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let left = names();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        Path::new(&left[0]).extension().is_some_and(|e| e == "tmp"),
        "{left:?}"
    );
    assert!(records(&repo).is_empty());
    // Make the temporary file old, as if the kill happened long ago: the next write removes it.
    let stale = dir.join(&left[0]);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();

    // The next run is correct: it runs the check (no pass was recorded) and records it.
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 2));
    assert_eq!(doc["checks"][0]["cached"], Value::Null);
    assert!(!stale.exists());
    assert_eq!(records(&repo).len(), 1);
    assert!(
        names()
            .iter()
            .all(|n| Path::new(n).extension().is_some_and(|e| e == "json"))
    );
    let (code, doc) = run_json(&repo, &["--only", "test"]);
    assert_eq!((code, count(&repo)), (0, 2));
    assert_eq!(doc["checks"][0]["cached"], true);
}

#[test]
fn a_corrupt_record_is_a_miss() {
    let repo = project(&check("suite", "test", r#""counter""#, ""));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    assert_eq!(run(&repo, &["--only", "test"]).code, 0);
    let dir = repo.path().join(".git/relgate/passes");
    let record = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&record, "{\"format\": 1, \"key\": ").unwrap();
    let out = run(&repo, &["--only", "test"]);
    assert_eq!((out.code, count(&repo)), (0, 2));
    assert_eq!(
        normalize(&out.stderr, &repo),
        "relgate: suite: pass (N ms)\n"
    );
    assert_eq!(records(&repo).len(), 1);
    assert_eq!(
        run_json(&repo, &["--only", "test"]).1["checks"][0]["cached"],
        true
    );
}

/// Wait, with a bound, until relgate catches SIGINT and SIGTERM (its signal thread is in place), as the kernel
/// reports it in `/proc/PID/status`.
#[track_caller]
fn wait_for_handlers(pid: u32) {
    let wanted = (1u64 << (libc::SIGINT - 1)) | (1u64 << (libc::SIGTERM - 1));
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .unwrap_or(0);
        if caught & wanted == wanted {
            return;
        }
        assert!(
            Instant::now() < until,
            "relgate never caught SIGINT and SIGTERM: {status}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Wait, with a bound, until the process whose PID `file` holds is gone (a zombie counts as gone).
#[track_caller]
fn wait_gone(repo: &TestRepo, file: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if std::panic::catch_unwind(|| assert_gone(repo, file)).is_ok() {
            return;
        }
        assert!(Instant::now() < until, "{file}: still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A relgate command blocked on stdin that the test holds open: no child runs, so a signal ends it at once.
fn blocked_on_stdin(repo: &TestRepo, args: &[&str], sig: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relgate"))
        .args(args)
        .current_dir(repo.path())
        .envs(repo.envs())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let held_open = child.stdin.take();
    wait_for_handlers(child.id());
    signal(child.id(), sig);
    let out = ended(child);
    drop(held_open);
    out
}

/// The output of a child that must end by itself soon (its output is small); killed, and the test failed, if it
/// does not end within a minute.
#[track_caller]
fn ended(mut child: Child) -> Output {
    let until = Instant::now() + Duration::from_secs(60);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("relgate did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_signal_while_no_check_runs_exits_130_at_once() {
    let repo = project("");
    // Reading a log from stdin that never ends, and git's input to the pre-push hook that never comes.
    for (args, sig) in [
        (&["ci", "explain", "-"][..], "INT"),
        (&["hook", "pre-push", "origin", "url"][..], "TERM"),
    ] {
        let out = blocked_on_stdin(&repo, args, sig);
        assert_eq!(out.status.code(), Some(130), "{args:?}: {}", stderr(&out));
        assert_eq!(
            (stdout(&out), stderr(&out)),
            (String::new(), "relgate: interrupted\n".into())
        );
    }
    // Waiting for an index that never answers (its own timeout is a minute away).
    let silent = server::Server::start(vec![server::Reply::Silent]);
    let child = spawn(
        &repo,
        &["--only", "index", "--index-url", &silent.url("/simple")],
        &[],
    );
    let until = Instant::now() + Duration::from_secs(60);
    while silent.requests().is_empty() {
        assert!(Instant::now() < until, "the index was never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(child.id(), "INT");
    let out = ended(child.into_child());
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(stderr(&out), "relgate: interrupted\n");
}

#[test]
fn an_interrupted_run_leaves_no_export_behind() {
    // The working tree differs from the tag, so the files are checked in an isolated export; the publish
    // checks end at once, and relgate then waits for an index that never answers: nothing runs, and the signal
    // exits at once, past the export's destructor.
    let repo = project("");
    repo.write("README.md", "changed after the tag\n");
    repo.git(&["add", "README.md"]);
    let tmp = tempfile::tempdir().unwrap();
    let silent = server::Server::start(vec![server::Reply::Silent]);
    let child = spawn(
        &repo,
        &[
            "--only",
            "index,publish",
            "--index-url",
            &silent.url("/simple"),
        ],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    let until = Instant::now() + Duration::from_secs(60);
    while silent.requests().is_empty() {
        assert!(Instant::now() < until, "the index was never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    let exported = || -> Vec<String> {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    // The export exists while the index is awaited (the publish checks may still be reading it).
    assert!(
        exported().iter().any(|n| n.starts_with("relgate-export-")),
        "{:?}",
        exported()
    );
    signal(child.id(), "INT");
    let out = ended(child.into_child());
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(exported(), Vec::<String>::new());
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_kills_what_still_runs() {
    let repo = project(&check(
        "stubborn",
        "test",
        r#""stubborn""#,
        "timeout = 120\n",
    ));
    // Notes SIGTERM and goes on (its `sleep` dies of it; the loop starts another).
    script(
        &repo,
        "stubborn",
        "trap 'echo term >> \"$HOME/got-term\"' TERM\necho $$ > \"$HOME/stubborn.pid\"\nwhile :; do sleep 0.1; done\n",
    );
    // The group gets two minutes between SIGTERM and SIGKILL: the first Ctrl-C alone would wait that long.
    let child = spawn(
        &repo,
        &["--only", "test"],
        &[("RELGATE_TEST_HOOK_TERM_GRACE", "120")],
    );
    wait_for(&repo.home.path().join("stubborn.pid"));
    signal(child.id(), "INT");
    wait_for(&repo.home.path().join("got-term"));
    signal(child.id(), "INT");
    let out = ended(child.into_child());
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "relgate: interrupted again: stopped at once, the checks still running were killed\n"
    );
    wait_gone(&repo, "stubborn.pid");
}

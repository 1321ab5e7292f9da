//! The only duct call site: child processes in their own process group, with bounded output capture and a
//! timeout, interrupt and cancellation that stop the whole group.
//!
//! Glossary:
//! - *group*: the process group a child leads (`setpgid(0, 0)` before exec). Everything it forks stays in it
//!   unless it asks otherwise (`setsid`), so signalling `-pgid` reaches grandchildren too.
//! - *stop*: SIGTERM to the group, a grace period, then SIGKILL to what is left.
//! - *interrupted*: relgate itself received SIGINT (Ctrl-C) or SIGTERM; every group is stopped and the command
//!   exits 130 ([`crate::error::Interrupted`]).
//! - *cancelled*: `--fail-fast` stopped the remaining checks after one failed ([`Cancel`]).
//!
//! `run` returns only when no process of the child's group is left (zombies count as gone: some container
//! inits never reap orphans).

mod attached;
mod capture;
mod interrupt;
mod scratch;

pub use attached::run_attached;

use std::cell::RefCell;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use self::capture::Capture;
pub use self::interrupt::{hold_interrupts, interrupted, watch_interrupts};
pub use self::scratch::ScratchDir;

/// What to run: an argument vector, never a shell string.
pub struct Spec {
    pub argv: Vec<OsString>,
    pub cwd: PathBuf,
    /// Variables set for the child, on top of relgate's environment.
    pub env: Vec<(OsString, OsString)>,
    /// Variables removed from the child's environment (besides git's repository variables, always removed).
    pub env_remove: Vec<OsString>,
    pub timeout: Duration,
    /// Bytes of output kept: the head and the tail, half each; the middle is counted, not kept.
    pub max_output: usize,
}

impl Spec {
    /// A spec with no extra environment, a 600 s timeout and 1 MiB of output kept.
    pub fn new(argv: Vec<OsString>, cwd: impl Into<PathBuf>) -> Spec {
        Spec {
            argv,
            cwd: cwd.into(),
            env: Vec::new(),
            env_remove: Vec::new(),
            timeout: Duration::from_secs(600),
            max_output: 1024 * 1024,
        }
    }
}

/// How a child ended. `Interrupted` is relgate's own Ctrl-C/SIGTERM; `Cancelled` is `--fail-fast` stopping the
/// remaining checks after another one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    Signaled(i32),
    TimedOut,
    Interrupted,
    Cancelled,
}

/// Output with stderr merged into stdout, cut to a head and a tail when larger than the bound.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub text: String,
    /// Bytes printed but not kept (the middle of a long output).
    pub dropped: u64,
    /// Bytes printed in all.
    pub total: u64,
}

#[derive(Debug)]
pub struct Finished {
    pub ended: Ended,
    pub output: Captured,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{0}: command not found")]
    NotFound(String),
    #[error("cannot start {program}: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
}

/// Variables that would point a child's git at the hook's repository instead of its own working directory.
const GIT_LOCAL_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
];

/// Between SIGTERM and SIGKILL: long enough for a test runner to clean up its temporary files.
const TERM_GRACE: Duration = Duration::from_secs(2);
/// How long to wait for the output pipe to close after the child exited, when something it left behind still
/// holds it open.
const PIPE_GRACE: Duration = Duration::from_secs(1);
/// How long to wait for the last processes of a group to disappear after SIGKILL (uninterruptible sleep).
const KILL_WAIT: Duration = Duration::from_secs(2);
/// How often flags (interrupt, cancellation, deadline) are looked at while a child runs.
const TICK: Duration = Duration::from_millis(20);

/// Run `spec` to its end in its own process group. Returns once no process of the group is left.
pub fn run(spec: &Spec) -> Result<Finished, SpawnError> {
    watch_interrupts();
    let Some((first, args)) = spec.argv.split_first() else {
        return Err(SpawnError::NotFound(String::new()));
    };
    let program = first.to_string_lossy().into_owned();
    let started = Instant::now();
    // From here until the group is registered, a signal must not exit under a child being started.
    let starting = hold_interrupts();
    if let Some(ended) = stop_reason(None) {
        return Ok(Finished {
            ended,
            output: Captured::default(),
            elapsed: Duration::ZERO,
        });
    }
    if !spec.cwd.is_dir() {
        return Err(SpawnError::Io {
            program,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "the working directory {} does not exist",
                    spec.cwd.display()
                ),
            ),
        });
    }
    if VERBOSE.load(Ordering::Relaxed) {
        crate::output::errln!(
            "relgate: run: {}  (in {})",
            display(&spec.argv),
            spec.cwd.display()
        );
    }
    let io_error = |source: std::io::Error| SpawnError::Io {
        program: program.clone(),
        source,
    };
    let (reader, writer) = os_pipe::pipe().map_err(io_error)?;
    let mut expr = duct::cmd(first, args)
        .dir(&spec.cwd)
        .stdin_null()
        // Inner redirections apply last: stderr joins stdout after stdout became the pipe.
        .stderr_to_stdout()
        .stdout_file(writer)
        .unchecked()
        .before_spawn(|cmd| {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            Ok(())
        });
    for name in GIT_LOCAL_ENV {
        expr = expr.env_remove(name);
    }
    for name in &spec.env_remove {
        expr = expr.env_remove(name);
    }
    for (name, value) in &spec.env {
        expr = expr.env(name, value);
    }
    let started_child = expr.start();
    // The expression holds the pipe's write end: drop it, or the read end never sees the end of the output.
    drop(expr);
    let handle = started_child.map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SpawnError::NotFound(program.clone())
        } else {
            io_error(source)
        }
    })?;
    let pgid = handle
        .pids()
        .first()
        .and_then(|&p| i32::try_from(p).ok())
        .unwrap_or(0);
    let _registered = Registered::new(pgid);
    drop(starting);
    let capture = Capture::start(reader, spec.max_output);

    let deadline = started.checked_add(spec.timeout);
    let mut stopped: Option<Ended> = None;
    let status = loop {
        match handle.wait_timeout(TICK) {
            Ok(Some(output)) => break Some(output.status),
            Ok(None) => {}
            Err(source) => {
                stop_group(pgid, &handle);
                return Err(SpawnError::Io { program, source });
            }
        }
        if stopped.is_none() {
            let reason = stop_reason(deadline);
            if let Some(reason) = reason {
                stopped = Some(reason);
                stop_group(pgid, &handle);
                // The leader is gone or unkillable; either way stop waiting for it.
                match handle.try_wait() {
                    Ok(Some(output)) => break Some(output.status),
                    _ => break None,
                }
            }
        }
    };
    // The leader is gone. Whatever it left in its group (a daemon, a grandchild holding the pipe) is stopped
    // too: nothing relgate started outlives `run`.
    if !capture.wait_end(PIPE_GRACE) || group_alive(pgid) {
        stop_group(pgid, &handle);
        capture.wait_end(PIPE_GRACE);
    }
    let ended = stopped.unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        match status {
            Some(status) => match (status.code(), status.signal()) {
                (Some(code), _) => Ended::Exited(code),
                (None, Some(signal)) => Ended::Signaled(signal),
                (None, None) => Ended::Exited(-1),
            },
            None => Ended::Exited(-1),
        }
    });
    let finished = Finished {
        ended,
        output: capture.finish(),
        elapsed: started.elapsed(),
    };
    if VERBOSE.load(Ordering::Relaxed) {
        crate::output::errln!(
            "relgate: {program}: {} after {:.1} s ({} bytes of output)",
            describe(ended),
            finished.elapsed.as_secs_f64(),
            finished.output.total
        );
    }
    Ok(finished)
}

/// Log every command line and working directory on stderr (`-v`).
pub fn set_verbose(verbose: bool) {
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// A `--fail-fast` cancellation shared by the runner and the children started on its worker threads.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    because: Mutex<Option<String>>,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stop the running children of this token (they end [`Ended::Cancelled`]) and refuse new ones; `because`
    /// names the check that failed (the first reason is kept).
    pub fn cancel(&self, because: &str) {
        if let Ok(mut reason) = self.0.because.lock() {
            reason.get_or_insert_with(|| because.to_owned());
        }
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// The name of the check whose failure cancelled the run.
    pub fn because(&self) -> Option<String> {
        self.0.because.lock().ok().and_then(|r| r.clone())
    }

    /// Run `f` with this token governing every [`run`] it makes on this thread.
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let previous = CANCEL.with(|c| c.replace(Some(self.clone())));
        let result = f();
        CANCEL.with(|c| c.replace(previous));
        result
    }
}

/// The message for a check that `--fail-fast` stopped: it names the failed check when this thread's
/// cancellation knows it.
pub fn cancelled_message() -> String {
    let because = CANCEL.with(|c| c.borrow().as_ref().and_then(Cancel::because));
    match because {
        Some(name) => format!("not finished: --fail-fast stopped it after {name} failed"),
        None => "not finished: --fail-fast stopped it after another check failed".to_owned(),
    }
}

/// A command line for messages and logs, quoted so that it can be pasted into a POSIX shell.
pub fn display<S: AsRef<OsStr>>(argv: &[S]) -> String {
    crate::shell::join(argv)
}

/// A signal's name (`SIGSEGV`), or its number.
pub fn signal_name(signal: i32) -> String {
    signal_hook::low_level::signal_name(signal)
        .map_or_else(|| format!("signal {signal}"), str::to_owned)
}

static VERBOSE: AtomicBool = AtomicBool::new(false);
static GROUPS: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

thread_local! {
    static CANCEL: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// Why a child must stop now, if it must: interrupt first, then cancellation, then its deadline.
fn stop_reason(deadline: Option<Instant>) -> Option<Ended> {
    if interrupted() {
        return Some(Ended::Interrupted);
    }
    if CANCEL.with(|c| c.borrow().as_ref().is_some_and(Cancel::is_cancelled)) {
        return Some(Ended::Cancelled);
    }
    match deadline {
        Some(deadline) if Instant::now() >= deadline => Some(Ended::TimedOut),
        _ => None,
    }
}

fn describe(ended: Ended) -> String {
    match ended {
        Ended::Exited(code) => format!("exited with {code}"),
        Ended::Signaled(signal) => format!("killed by {}", signal_name(signal)),
        Ended::TimedOut => "timed out".into(),
        Ended::Interrupted => "stopped (interrupted)".into(),
        Ended::Cancelled => "stopped (--fail-fast)".into(),
    }
}

fn live_groups() -> HashSet<i32> {
    GROUPS
        .lock()
        .map(|g| g.clone().unwrap_or_default())
        .unwrap_or_default()
}

/// A process group in the global registry for as long as this value lives.
struct Registered(i32);

impl Registered {
    fn new(pgid: i32) -> Registered {
        if let Ok(mut groups) = GROUPS.lock() {
            groups.get_or_insert_with(HashSet::new).insert(pgid);
        }
        // A signal that arrived between the check before spawning and the registration above.
        if interrupted() {
            signal_group(pgid, libc::SIGTERM);
        }
        Registered(pgid)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut groups) = GROUPS.lock() {
            if let Some(groups) = groups.as_mut() {
                groups.remove(&self.0);
            }
        }
    }
}

/// SIGTERM to the group, up to [`TERM_GRACE`] for it to go, then SIGKILL and up to [`KILL_WAIT`]. The leader is
/// reaped along the way (an unreaped leader would count as alive).
fn stop_group(pgid: i32, handle: &duct::Handle) {
    if pgid <= 0 {
        let _ = handle.kill();
        return;
    }
    let grace = crate::env::test_hook_term_grace().unwrap_or(TERM_GRACE);
    for (signal, wait) in [(libc::SIGTERM, grace), (libc::SIGKILL, KILL_WAIT)] {
        signal_group(pgid, signal);
        let until = Instant::now() + wait;
        loop {
            let _ = handle.try_wait();
            if !group_alive(pgid) {
                return;
            }
            if Instant::now() >= until {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Send `signal` (0: only ask whether the group exists) to a process group relgate created.
fn signal_group(pgid: i32, signal: i32) -> bool {
    if pgid <= 0 {
        return false;
    }
    let Some(group) = rustix::process::Pid::from_raw(pgid) else {
        return false;
    };
    if signal == 0 {
        return rustix::process::test_kill_process_group(group).is_ok();
    }
    rustix::process::Signal::from_named_raw(signal)
        .is_some_and(|signal| rustix::process::kill_process_group(group, signal).is_ok())
}

/// Whether a process of the group is still running. Zombies do not count: they are dead, and an init that never
/// reaps orphans (some containers) would otherwise keep a group "alive" forever.
fn group_alive(pgid: i32) -> bool {
    if !signal_group(pgid, 0) {
        return false;
    }
    match live_members(pgid) {
        Some(members) => members > 0,
        None => true,
    }
}

/// Non-zombie members of a group, from /proc; `None` where /proc is not available.
fn live_members(pgid: i32) -> Option<usize> {
    let entries = std::fs::read_dir("/proc").ok()?;
    let mut count = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let group = fields.nth(1).and_then(|g| g.parse::<i32>().ok());
        if group == Some(pgid) && !matches!(state, Some("Z" | "X")) {
            count += 1;
        }
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(args: &[&str]) -> Spec {
        let mut spec = Spec::new(
            args.iter().map(OsString::from).collect(),
            std::env::temp_dir(),
        );
        spec.timeout = Duration::from_secs(20);
        spec
    }

    #[test]
    fn exit_code_and_merged_output() {
        let f = run(&spec(&["sh", "-c", "echo out; echo err >&2; exit 3"])).unwrap();
        assert_eq!(f.ended, Ended::Exited(3));
        assert_eq!(f.output.text, "out\nerr\n");
    }

    #[test]
    fn missing_program_is_not_found() {
        let err = run(&spec(&["relgate-no-such-tool"])).unwrap_err();
        assert!(matches!(err, SpawnError::NotFound(ref p) if p == "relgate-no-such-tool"));
    }

    #[test]
    fn timeout_stops_the_group() {
        let mut s = spec(&["sh", "-c", "sleep 30 & sleep 30"]);
        s.timeout = Duration::from_millis(200);
        let f = run(&s).unwrap();
        assert_eq!(f.ended, Ended::TimedOut);
    }

    #[test]
    fn cancelled_before_start() {
        let cancel = Cancel::new();
        cancel.cancel("mypy");
        let (f, message) =
            cancel.scope(|| (run(&spec(&["sh", "-c", "exit 0"])), cancelled_message()));
        assert_eq!(f.unwrap().ended, Ended::Cancelled);
        assert_eq!(
            message,
            "not finished: --fail-fast stopped it after mypy failed"
        );
    }

    #[test]
    fn display_quotes_for_the_shell() {
        assert_eq!(
            display(&["pytest", "-k", "not slow", "it's"]),
            r"pytest -k 'not slow' 'it'\''s'"
        );
        assert_eq!(signal_name(libc::SIGSEGV), "SIGSEGV");
    }
}

//! Runs the file-based checks in parallel and reports them in plan order, with progress on stderr, `--fail-fast`,
//! and the record of passes.
//!
//! A [`Job`] is a name, a kind and a closure returning the check's result; it knows nothing of threads. The
//! closure's children run under the runner's [`Cancel`] token, so `--fail-fast` stops them where they are.

use std::collections::VecDeque;
use std::io::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::cache::PassRecord;
use crate::error::Interrupted;
use crate::outcome::{CheckResult, Kind, Status};
use crate::process::{self, Cancel};
use crate::term;

type Work<'a> = Box<dyn FnOnce() -> Vec<CheckResult> + Send + 'a>;

/// One unit of work: usually one check, whose closure returns its result.
pub struct Job<'a> {
    name: String,
    kind: Kind,
    /// Every check the job reports, itself first: a job that never starts is reported skipped under each.
    reports: Vec<(String, Kind)>,
    fingerprint: Option<String>,
    early: bool,
    work: Work<'a>,
}

impl<'a> Job<'a> {
    /// A check whose result `work` computes.
    pub fn new(
        name: impl Into<String>,
        kind: Kind,
        work: impl FnOnce() -> CheckResult + Send + 'a,
    ) -> Job<'a> {
        let name = name.into();
        Job {
            reports: vec![(name.clone(), kind)],
            name,
            kind,
            fingerprint: None,
            early: false,
            work: Box::new(move || vec![work()]),
        }
    }

    /// A job reporting several checks at once (they share their input), e.g. the publish gate's two.
    pub fn several(
        reports: Vec<(String, Kind)>,
        work: impl FnOnce() -> Vec<CheckResult> + Send + 'a,
    ) -> Job<'a> {
        let (name, kind) = reports
            .first()
            .cloned()
            .unwrap_or_else(|| (String::new(), Kind::Publish));
        Job {
            name,
            kind,
            reports,
            fingerprint: None,
            early: false,
            work: Box::new(work),
        }
    }

    /// What, besides the checked tree, the verdict depends on (executable, version, arguments, environment).
    /// Only a job with a fingerprint is looked up in, and written to, the record of passes.
    #[must_use]
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Job<'a> {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// Start this job before the others (it is long: a build, a test suite); its place in the report is kept.
    #[must_use]
    pub fn early(mut self) -> Job<'a> {
        self.early = true;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// How a run proceeds and shows itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many jobs run at once (at least 1).
    pub jobs: usize,
    pub fail_fast: bool,
    pub progress: Progress,
    /// A check decided before the runner started that already fails the gate: under `--fail-fast`, no job
    /// starts.
    pub failed_before: Option<String>,
}

/// Progress on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A terminal: the running checks and their elapsed time, redrawn in place, cleared at the end.
    Live,
    /// Not a terminal: one line per finished check.
    Lines,
    /// `-q`, `--format json`.
    Silent,
}

/// The jobs' results in plan order. `Err` when relgate was interrupted (every child is gone by then).
pub fn run(
    jobs: Vec<Job<'_>>,
    settings: &Settings,
    record: Option<&PassRecord>,
) -> Result<Vec<CheckResult>, Interrupted> {
    let total = jobs.len();
    let mut done: Vec<Option<Vec<CheckResult>>> = (0..total).map(|_| None).collect();
    let mut board = Board::new(settings.progress, total);
    let mut queue: Vec<(usize, Option<String>, Job<'_>)> = Vec::new();
    for (i, job) in jobs.into_iter().enumerate() {
        let key = record
            .zip(job.fingerprint.as_deref())
            .and_then(|(record, fingerprint)| record.key(&job.name, job.kind, fingerprint));
        if let Some(hit) = key.as_deref().and_then(|k| record?.lookup(k)) {
            board.finished(std::slice::from_ref(&hit));
            done[i] = Some(vec![hit]);
        } else {
            queue.push((i, key, job));
        }
    }
    // Long jobs first, then plan order: the slowest check bounds the wall time.
    queue.sort_by_key(|(i, _, job)| (!job.early, *i));
    let mut not_started: Vec<(usize, Job<'_>)> = Vec::new();
    let cancel = Cancel::new();
    if settings.fail_fast {
        if let Some(name) = &settings.failed_before {
            cancel.cancel(name);
        }
    }
    if cancel.is_cancelled() {
        not_started.extend(queue.drain(..).map(|(i, _, job)| (i, job)));
    }
    let mut keys: Vec<Option<String>> = (0..total).map(|_| None).collect();
    let pending: VecDeque<(usize, Job<'_>)> = queue
        .into_iter()
        .map(|(i, key, job)| {
            keys[i] = key;
            (i, job)
        })
        .collect();
    let workers = settings.jobs.max(1).min(pending.len());
    let pending = Mutex::new(pending);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Event>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (pending, cancel, fail_fast) = (&pending, &cancel, settings.fail_fast);
            scope.spawn(move || work(pending, cancel, fail_fast, &tx));
        }
        drop(tx);
        loop {
            match rx.recv_timeout(board.tick()) {
                Ok(Event::Started(i, name)) => board.started(i, name),
                Ok(Event::Done(i, results)) => {
                    board.ended(i);
                    // Checks stopped by Ctrl-C have no verdict to show; main says what happened.
                    if !process::interrupted() {
                        board.finished(&results);
                    }
                    if let (Some(record), Some(key), [result]) =
                        (record, keys[i].as_deref(), results.as_slice())
                    {
                        if let Err(e) = record.store(key, result) {
                            board.note(&format!(
                                "cannot record the pass of {} in {}: {e}",
                                result.name,
                                record.dir().display()
                            ));
                        }
                    }
                    done[i] = Some(results);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            board.draw();
        }
    });
    board.clear();
    if process::interrupted() {
        return Err(Interrupted);
    }
    if let Ok(pending) = pending.into_inner() {
        not_started.extend(pending);
    }
    let because = cancel.because().unwrap_or_else(|| "a check".into());
    for (i, job) in not_started {
        let skipped: Vec<CheckResult> = job
            .reports
            .iter()
            .map(|(name, kind)| {
                CheckResult::skipped(
                    name.clone(),
                    *kind,
                    format!("not started: --fail-fast stopped the run after {because} failed"),
                )
            })
            .collect();
        board.finished(&skipped);
        done[i] = Some(skipped);
    }
    Ok(done.into_iter().flatten().flatten().collect())
}

/// The number of jobs to run at once: `-j N`, else `[tool.relgate] jobs`, else the number of cores.
pub fn concurrency(flag: Option<usize>, config: Option<usize>) -> usize {
    flag.or(config)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
        .max(1)
}

enum Event {
    Started(usize, String),
    Done(usize, Vec<CheckResult>),
}

/// A worker: takes jobs until none is left, the run is cancelled, or relgate is interrupted. Under
/// `--fail-fast` it cancels the run itself, before taking another job.
fn work(
    pending: &Mutex<VecDeque<(usize, Job<'_>)>>,
    cancel: &Cancel,
    fail_fast: bool,
    tx: &mpsc::Sender<Event>,
) {
    loop {
        if cancel.is_cancelled() || process::interrupted() {
            return;
        }
        let next = pending.lock().ok().and_then(|mut q| q.pop_front());
        let Some((i, job)) = next else { return };
        let _ = tx.send(Event::Started(i, job.name.clone()));
        let Job {
            name, kind, work, ..
        } = job;
        let results = cancel
            .scope(|| std::panic::catch_unwind(AssertUnwindSafe(work)))
            .unwrap_or_else(|_| {
                vec![CheckResult::error(
                    name,
                    kind,
                    "the check stopped unexpectedly (a bug in relgate; please report it)",
                )]
            });
        if fail_fast {
            if let Some(failed) = results.iter().find(|r| r.blocks()) {
                cancel.cancel(&failed.name);
            }
        }
        let _ = tx.send(Event::Done(i, results));
    }
}

/// The progress display on stderr.
struct Board {
    mode: Progress,
    total: usize,
    finished: usize,
    running: Vec<(usize, String, Instant)>,
    drawn: bool,
}

impl Board {
    fn new(mode: Progress, total: usize) -> Board {
        Board {
            mode,
            total,
            finished: 0,
            running: Vec::new(),
            drawn: false,
        }
    }

    fn tick(&self) -> Duration {
        if self.mode == Progress::Live {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(250)
        }
    }

    fn started(&mut self, i: usize, name: String) {
        self.running.push((i, name, Instant::now()));
    }

    fn ended(&mut self, i: usize) {
        self.running.retain(|(j, _, _)| *j != i);
        self.finished += 1;
    }

    fn finished(&mut self, results: &[CheckResult]) {
        if self.mode != Progress::Lines {
            return;
        }
        let mut err = std::io::stderr().lock();
        for r in results {
            let _ = writeln!(err, "{}", finished_line(r));
        }
    }

    fn note(&mut self, text: &str) {
        if self.mode == Progress::Silent {
            return;
        }
        self.clear();
        eprintln!("relgate: warning: {text}");
    }

    fn draw(&mut self) {
        if self.mode != Progress::Live || self.running.is_empty() {
            return;
        }
        let line = live_line(
            self.finished,
            self.total,
            &self.running,
            Instant::now(),
            term::stderr_columns(),
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// `relgate: mypy: pass (1.2 s)`, `relgate: ruff: pass (cached)`.
fn finished_line(r: &CheckResult) -> String {
    let status = match r.status {
        Status::Fail | Status::Error if !r.required => "warn",
        status => status.as_str(),
    };
    let when = if r.cached {
        "cached".to_owned()
    } else {
        crate::duration::elapsed(Duration::from_millis(r.duration_ms))
    };
    format!("relgate: {}: {status} ({when})", r.name)
}

/// `relgate: 3/7 done · running mypy 2.1 s, pytest 0.4 s`, cut to the terminal's width.
fn live_line(
    finished: usize,
    total: usize,
    running: &[(usize, String, Instant)],
    now: Instant,
    columns: usize,
) -> String {
    let names: Vec<String> = running
        .iter()
        .map(|(_, name, since)| {
            format!(
                "{name} {}",
                crate::duration::elapsed(now.duration_since(*since))
            )
        })
        .collect();
    let line = format!(
        "relgate: {finished}/{total} done · running {}",
        names.join(", ")
    );
    let width = columns.saturating_sub(1).max(20);
    if line.chars().count() <= width {
        line
    } else {
        let cut: String = line.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn settings(jobs: usize, fail_fast: bool) -> Settings {
        Settings {
            jobs,
            fail_fast,
            progress: Progress::Silent,
            failed_before: None,
        }
    }

    #[test]
    fn results_come_in_plan_order() {
        let jobs: Vec<Job> = (0..6)
            .map(|i| {
                Job::new(format!("c{i}"), Kind::Lint, move || {
                    std::thread::sleep(Duration::from_millis(60 - 10 * i));
                    CheckResult::pass(format!("c{i}"), Kind::Lint, "ok")
                })
            })
            .collect();
        let results = run(jobs, &settings(3, false), None).unwrap();
        let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c0", "c1", "c2", "c3", "c4", "c5"]);
    }

    #[test]
    fn fail_fast_skips_what_did_not_start() {
        let ran = AtomicUsize::new(0);
        let mut jobs = vec![Job::new("bad", Kind::Lint, || {
            CheckResult::fail("bad", Kind::Lint, "no")
        })];
        for i in 0..3 {
            let ran = &ran;
            jobs.push(Job::new(format!("later{i}"), Kind::Test, move || {
                ran.fetch_add(1, Ordering::SeqCst);
                CheckResult::pass(format!("later{i}"), Kind::Test, "ok")
            }));
        }
        let results = run(jobs, &settings(1, true), None).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        let got: Vec<(&str, Status, &str)> = results
            .iter()
            .map(|r| (r.name.as_str(), r.status, r.message.as_str()))
            .collect();
        let stopped = "not started: --fail-fast stopped the run after bad failed";
        assert_eq!(
            got,
            [
                ("bad", Status::Fail, "no"),
                ("later0", Status::Skipped, stopped),
                ("later1", Status::Skipped, stopped),
                ("later2", Status::Skipped, stopped),
            ]
        );
    }

    #[test]
    fn a_failure_before_the_run_starts_nothing_under_fail_fast() {
        let mut s = settings(2, true);
        s.failed_before = Some("version".into());
        let jobs = vec![Job::several(
            vec![("a".into(), Kind::Publish), ("b".into(), Kind::Publish)],
            || unreachable!("must not run"),
        )];
        let results = run(jobs, &s, None).unwrap();
        assert_eq!(results.len(), 2);
        assert!(
            results
                .iter()
                .all(|r| r.message
                    == "not started: --fail-fast stopped the run after version failed")
        );
    }

    #[test]
    fn a_panicking_job_is_an_error_not_a_crash() {
        let jobs = vec![Job::new("boom", Kind::Test, || panic!("bug"))];
        let results = run(jobs, &settings(1, false), None).unwrap();
        assert_eq!(results[0].status, Status::Error);
    }

    #[test]
    fn progress_lines() {
        let mut r = CheckResult::pass("mypy", Kind::Type, "ok");
        r.duration_ms = 1234;
        assert_eq!(finished_line(&r), "relgate: mypy: pass (1.2 s)");
        r.cached = true;
        assert_eq!(finished_line(&r), "relgate: mypy: pass (cached)");
        let mut r = CheckResult::fail("docs", Kind::Build, "no");
        r.required = false;
        assert_eq!(finished_line(&r), "relgate: docs: warn (0 ms)");

        let now = Instant::now();
        let running = vec![
            (
                0,
                "mypy".to_owned(),
                now.checked_sub(Duration::from_millis(2100)).unwrap(),
            ),
            (
                1,
                "pytest".to_owned(),
                now.checked_sub(Duration::from_millis(400)).unwrap(),
            ),
        ];
        assert_eq!(
            live_line(3, 7, &running, now, 80),
            "relgate: 3/7 done · running mypy 2.1 s, pytest 400 ms"
        );
        assert_eq!(
            live_line(3, 7, &running, now, 30),
            "relgate: 3/7 done · running …"
        );
    }
}

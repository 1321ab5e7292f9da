//! Runs the file-based checks in parallel and reports them in plan order, with progress on stderr, `--fail-fast`,
//! and the record of passes.
//!
//! A [`Job`] is a name, a kind and a closure returning the check's result; it knows nothing of threads. The
//! closure's children run under the runner's [`Cancel`] token, so `--fail-fast` stops them where they are.

mod board;

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError};

use crate::cache::PassRecord;
use crate::error::Interrupted;
use crate::outcome::{CheckResult, Kind};
use crate::process::{self, Cancel};

use self::board::Board;

type Work<'a> = Box<dyn FnOnce() -> Vec<CheckResult> + Send + 'a>;

/// One unit of work: usually one check, whose closure returns its result.
pub struct Job<'a> {
    name: String,
    kind: Kind,
    /// Every check the job reports, itself first, and whether each is required: a job that never starts is
    /// reported skipped under each, and a result the job returns for another check is not reported.
    reports: Vec<Reported>,
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
            reports: vec![Reported {
                name: name.clone(),
                kind,
                required: true,
            }],
            name,
            kind,
            fingerprint: None,
            early: false,
            work: Box::new(move || vec![work()]),
        }
    }

    /// A job reporting several checks at once (they share their input), e.g. the publish gate's two: each
    /// `(name, kind, required)`.
    pub fn several(
        reports: Vec<(String, Kind, bool)>,
        work: impl FnOnce() -> Vec<CheckResult> + Send + 'a,
    ) -> Job<'a> {
        let reports: Vec<Reported> = reports
            .into_iter()
            .map(|(name, kind, required)| Reported {
                name,
                kind,
                required,
            })
            .collect();
        let (name, kind) = reports.first().map_or_else(
            || (String::new(), Kind::Publish),
            |r| (r.name.clone(), r.kind),
        );
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

    /// Whether the check's failure fails the gate (default true), as the configuration decides: applied to its
    /// result, a result taken from the record of passes, and the skip `--fail-fast` reports.
    #[must_use]
    pub fn required(mut self, required: bool) -> Job<'a> {
        for report in &mut self.reports {
            report.required = required;
        }
        self
    }
}

/// A check a job reports.
#[derive(Debug, Clone)]
struct Reported {
    name: String,
    kind: Kind,
    required: bool,
}

/// The job's results as the plan decided them: only the checks it reports, each with its `required`.
fn settle(reports: &[Reported], results: Vec<CheckResult>) -> Vec<CheckResult> {
    results
        .into_iter()
        .filter_map(|mut result| {
            let report = reports.iter().find(|r| r.name == result.name)?;
            result.required = report.required;
            Some(result)
        })
        .collect()
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
            let hit = settle(&job.reports, vec![hit]);
            board.finished(&hit);
            done[i] = Some(hit);
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
            .map(|r| {
                let mut skipped = CheckResult::skipped(
                    r.name.clone(),
                    r.kind,
                    format!("not started: --fail-fast stopped the run after {because} failed"),
                );
                skipped.required = r.required;
                skipped
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
            name,
            kind,
            work,
            reports,
            ..
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
        // Settled before `--fail-fast` looks: an optional check's failure stops nothing.
        let results = settle(&reports, results);
        if fail_fast {
            if let Some(failed) = results.iter().find(|r| r.blocks()) {
                cancel.cancel(&failed.name);
            }
        }
        let _ = tx.send(Event::Done(i, results));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::outcome::Status;

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
    fn an_optional_failure_stops_nothing_under_fail_fast() {
        let ran = AtomicUsize::new(0);
        let mut jobs = vec![
            Job::new("optional", Kind::Lint, || {
                CheckResult::fail("optional", Kind::Lint, "no")
            })
            .required(false),
        ];
        for i in 0..2 {
            let ran = &ran;
            jobs.push(Job::new(format!("later{i}"), Kind::Test, move || {
                ran.fetch_add(1, Ordering::SeqCst);
                CheckResult::pass(format!("later{i}"), Kind::Test, "ok")
            }));
        }
        let results = run(jobs, &settings(1, true), None).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 2);
        assert!(!results[0].required && results[0].status == Status::Fail);
    }

    #[test]
    fn a_job_reports_only_its_checks() {
        let jobs = vec![Job::several(
            vec![("kept".into(), Kind::Publish, false)],
            || {
                vec![
                    CheckResult::fail("kept", Kind::Publish, "no"),
                    CheckResult::fail("switched-off", Kind::Publish, "no"),
                ]
            },
        )];
        let results = run(jobs, &settings(1, false), None).unwrap();
        let got: Vec<(&str, bool)> = results
            .iter()
            .map(|r| (r.name.as_str(), r.required))
            .collect();
        assert_eq!(got, [("kept", false)]);
    }

    #[test]
    fn a_failure_before_the_run_starts_nothing_under_fail_fast() {
        let mut s = settings(2, true);
        s.failed_before = Some("version".into());
        let jobs = vec![Job::several(
            vec![
                ("a".into(), Kind::Publish, true),
                ("b".into(), Kind::Publish, true),
            ],
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
}

//! Jobs and steps of two runs, side by side: each run's jobs as rows of steps (from the log, the API's step
//! list, and the workflow file at the run's commit), then the two runs' jobs paired by name and their rows
//! aligned in order (a longest common subsequence, bounded).

use super::{JobComparison, Side, StepComparison, StepOutcome};
use crate::forensics::job::{Job, Step, StepKind};
use crate::forensics::{FailureReport, Form, RunLog, job_label, only_cancelled};
use crate::gates::publish::{DeclaredJob, DeclaredStep};

/// Rows of one job compared at most: the alignment costs their product.
const MAX_ROWS: usize = 1000;

/// One step of one job, as one run shows it.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The step's name: the API's, the archive's or `gh`'s, else the log's `Run ...` title.
    pub name: String,
    /// `Run <first line>`, from the step's header in the log or from the workflow file.
    pub title: Option<String>,
    pub outcome: StepOutcome,
    /// Why it did not run, when known.
    pub reason: Option<String>,
    pub step: Option<&'a Step>,
    pub declared: Option<&'a DeclaredStep>,
}

impl Row<'_> {
    /// The name to show: the workflow's or the API's name over a log's `Run ...` title.
    fn shown(&self) -> &str {
        match self.declared {
            Some(d) => d.label(),
            None => &self.name,
        }
    }
}

/// One job of one run.
#[derive(Debug)]
pub struct JobView<'a> {
    pub name: String,
    /// `None` for a job of the workflow that is not in the log.
    pub job: Option<&'a Job>,
    pub declared: Option<&'a DeclaredJob>,
    /// The short commit the workflow file was read at.
    pub workflow_at: Option<String>,
    pub rows: Vec<Row<'a>>,
}

/// A job of the good run and the same job of the bad run, their rows aligned.
#[derive(Debug)]
pub struct Pair<'v, 'a> {
    pub name: String,
    pub good: Option<&'v JobView<'a>>,
    pub bad: Option<&'v JobView<'a>>,
    /// Indices into `good.rows` and `bad.rows`, in order.
    pub rows: Vec<(Option<usize>, Option<usize>)>,
}

impl Pair<'_, '_> {
    pub fn good_row(&self, at: usize) -> Option<&Row<'_>> {
        let (g, _) = self.rows.get(at)?;
        self.good.and_then(|v| v.rows.get((*g)?))
    }

    pub fn bad_row(&self, at: usize) -> Option<&Row<'_>> {
        let (_, b) = self.rows.get(at)?;
        self.bad.and_then(|v| v.rows.get((*b)?))
    }

    pub fn comparison(&self) -> JobComparison {
        let steps = (0..self.rows.len()).map(|i| self.step(i)).collect();
        JobComparison {
            job: self.name.clone(),
            good: self.good.is_some_and(|v| v.job.is_some()),
            bad: self.bad.is_some_and(|v| v.job.is_some()),
            steps,
        }
    }

    /// Row `at` of both runs.
    pub fn step(&self, at: usize) -> StepComparison {
        let (good, bad) = (self.good_row(at), self.bad_row(at));
        let shown = bad
            .filter(|r| r.declared.is_some() || !r.name.starts_with("Run "))
            .or(good)
            .or(bad)
            .map_or_else(String::new, |r| r.shown().to_string());
        let other_title = good.or(bad).and_then(|r| r.title.clone());
        let side = |row: Option<&Row>, view: Option<&JobView>| match row {
            Some(r) => (r.outcome, r.reason.clone()),
            None => (
                StepOutcome::Absent,
                missing_reason(view, &shown, other_title.as_deref()),
            ),
        };
        let (good_outcome, good_reason) = side(good, self.good);
        let (bad_outcome, bad_reason) = side(bad, self.bad);
        StepComparison {
            job: self.name.clone(),
            step: shown,
            good: good_outcome,
            bad: bad_outcome,
            good_reason,
            bad_reason,
        }
    }
}

/// Why a run has no row for a step the other run has: its workflow file at its commit has no such step, or a
/// whole job is missing.
fn missing_reason(view: Option<&JobView>, name: &str, title: Option<&str>) -> Option<String> {
    let view = view?;
    let declared = view.declared?;
    let in_file = declared
        .steps
        .iter()
        .any(|d| d.is(name) || title.is_some_and(|t| d.is(t)));
    (!in_file).then(|| match &view.workflow_at {
        Some(at) => format!("not in the workflow file at {at}"),
        None => "not in the workflow file".to_string(),
    })
}

/// Whether the log holds only failed steps: `gh run view --log-failed` prints nothing else.
pub fn partial(log: &RunLog) -> bool {
    log.form == Form::GhLog
        && log.jobs.iter().all(|j| {
            j.steps
                .iter()
                .filter(|s| s.kind != StepKind::Setup || s.total > 0)
                .all(|s| s.has_error)
        })
}

/// Every job of a run, as rows.
pub fn views<'a>(side: &'a Side, notes: &mut Vec<String>) -> Vec<JobView<'a>> {
    let workflow_at = side
        .workflow_read_at
        .as_deref()
        .map(|c| c.chars().take(7).collect::<String>());
    let mut out: Vec<JobView> = Vec::new();
    for job in &side.log.jobs {
        let name = job_label(job);
        let declared = side
            .workflow
            .as_ref()
            .and_then(|w| w.jobs.iter().find(|d| d.is(&name)));
        let mut rows = rows(job);
        if rows.len() > MAX_ROWS {
            notes.push(format!(
                "job \"{name}\" of {} has {} steps: only the first {MAX_ROWS} are compared",
                side.log.source,
                rows.len()
            ));
            rows.truncate(MAX_ROWS);
        }
        if let Some(d) = declared {
            rows = attach(rows, d);
        }
        out.push(JobView {
            name,
            job: Some(job),
            declared,
            workflow_at: workflow_at.clone(),
            rows,
        });
    }
    // A whole run's log (the archive, the API) lacks the jobs that did not run: the file names them.
    if matches!(side.log.form, Form::LogsZip | Form::Api) {
        if let Some(w) = &side.workflow {
            for d in &w.jobs {
                if out.iter().any(|v| v.declared.is_some_and(|x| x.id == d.id)) {
                    continue;
                }
                out.push(JobView {
                    name: d.label().to_string(),
                    job: None,
                    declared: Some(d),
                    workflow_at: workflow_at.clone(),
                    rows: Vec::new(),
                });
            }
        }
    }
    out
}

/// The job's steps that ran (and, with the API, those it skipped), in order; the runner's own steps (`Set up
/// job`, post steps, `Complete job`) only when they failed.
fn rows(job: &Job) -> Vec<Row<'_>> {
    let logged: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Main || outcome(job, s) == StepOutcome::Failed)
        .collect();
    if job.api_steps.is_empty() {
        return logged
            .into_iter()
            .map(|s| Row {
                name: s.name.clone(),
                title: s.header().map(|h| format!("Run {}", h.run)),
                outcome: outcome(job, s),
                reason: None,
                step: Some(s),
                declared: None,
            })
            .collect();
    }
    let runner_step =
        |name: &str| name == "Set up job" || name == "Complete job" || name.starts_with("Post ");
    let api: Vec<&crate::forensics::job::ApiStep> = job
        .api_steps
        .iter()
        .filter(|s| !runner_step(&s.name))
        .collect();
    let ran = |s: &&&crate::forensics::job::ApiStep| s.conclusion.as_deref() != Some("skipped");
    let main: Vec<&Step> = logged
        .iter()
        .copied()
        .filter(|s| s.kind == StepKind::Main)
        .collect();
    // The log's steps are the API's steps that ran, in order; when the counts disagree, match by name.
    let by_order = api.iter().filter(ran).count() == main.len();
    let mut next = main.iter();
    api.iter()
        .map(|a| {
            let step = if !ran(&a) {
                None
            } else if by_order {
                next.next().copied()
            } else {
                main.iter().copied().find(|s| s.name == a.name)
            };
            let outcome = match a.conclusion.as_deref() {
                Some("failure") => StepOutcome::Failed,
                Some("skipped") => StepOutcome::Skipped,
                Some("cancelled") => StepOutcome::Cancelled,
                Some("success") => StepOutcome::Passed,
                _ => step.map_or(StepOutcome::Absent, |s| outcome(job, s)),
            };
            Row {
                name: a.name.clone(),
                title: step
                    .and_then(|s| s.header())
                    .map(|h| format!("Run {}", h.run)),
                outcome,
                reason: None,
                step,
                declared: None,
            }
        })
        .collect()
}

fn outcome(job: &Job, step: &Step) -> StepOutcome {
    if job.failed_steps.contains(&step.name) || (step.has_error && !only_cancelled(step)) {
        StepOutcome::Failed
    } else if step.has_error {
        StepOutcome::Cancelled
    } else {
        StepOutcome::Passed
    }
}

/// The rows matched to the workflow's steps, in the file's order, with a row for each step of the file the
/// log has no trace of (and why it did not run, when the file says).
fn attach<'a>(rows: Vec<Row<'a>>, declared: &'a DeclaredJob) -> Vec<Row<'a>> {
    let mut used = vec![false; declared.steps.len()];
    let mut keyed: Vec<((i64, usize), Row<'a>)> = Vec::new();
    let mut last: i64 = -1;
    for (seq, mut row) in rows.into_iter().enumerate() {
        let found = declared.steps.iter().enumerate().position(|(i, d)| {
            !used[i]
                && i64::try_from(i).unwrap_or(i64::MAX) > last
                && (d.is(&row.name) || row.title.as_deref().is_some_and(|t| d.is(t)))
        });
        match found {
            Some(i) => {
                used[i] = true;
                last = i64::try_from(i).unwrap_or(i64::MAX);
                let d = &declared.steps[i];
                row.declared = Some(d);
                row.title.get_or_insert_with(|| d.title.clone());
                keyed.push(((last, 0), row));
            }
            None => keyed.push(((last, seq + 1), row)),
        }
    }
    for (i, d) in declared.steps.iter().enumerate() {
        if !used[i] {
            let at = i64::try_from(i).unwrap_or(i64::MAX);
            keyed.push((
                (at, 0),
                Row {
                    name: d.label().to_string(),
                    title: Some(d.title.clone()),
                    outcome: StepOutcome::Absent,
                    reason: None,
                    step: None,
                    declared: Some(d),
                },
            ));
        }
    }
    keyed.sort_by_key(|(key, _)| *key);
    let mut out: Vec<Row<'a>> = keyed.into_iter().map(|(_, r)| r).collect();
    let mut failed_before = false;
    for row in &mut out {
        if !row.outcome.ran() && row.reason.is_none() {
            row.reason = row.declared.and_then(|d| match &d.condition {
                Some(condition) => Some(format!("skipped by `if: {condition}`")),
                None if failed_before => Some("an earlier step failed".to_string()),
                None => None,
            });
        }
        failed_before |= row.outcome == StepOutcome::Failed;
    }
    out
}

/// The good run's jobs paired with the bad run's, in the bad run's order (the good run's others after).
pub fn pair_jobs<'v, 'a>(good: &'v [JobView<'a>], bad: &'v [JobView<'a>]) -> Vec<Pair<'v, 'a>> {
    let same = |g: &JobView, b: &JobView| {
        g.name == b.name
            || matches!((g.declared, b.declared), (Some(x), Some(y)) if x.id == y.id)
            || g.declared.is_some_and(|d| d.is(&b.name))
            || b.declared.is_some_and(|d| d.is(&g.name))
    };
    let mut taken = vec![false; good.len()];
    let mut out = Vec::new();
    for b in bad {
        let g = (0..good.len()).find(|&i| !taken[i] && same(&good[i], b));
        if let Some(i) = g {
            taken[i] = true;
        }
        let g = g.map(|i| &good[i]);
        out.push(Pair {
            name: b.name.clone(),
            good: g,
            bad: Some(b),
            rows: align(g.map_or(&[][..], |v| &v.rows), &b.rows),
        });
    }
    for (i, g) in good.iter().enumerate() {
        if !taken[i] {
            out.push(Pair {
                name: g.name.clone(),
                good: Some(g),
                bad: None,
                rows: align(&g.rows, &[]),
            });
        }
    }
    out
}

/// Whether two rows are the same step.
fn same_step(a: &Row, b: &Row) -> bool {
    if let (Some(x), Some(y)) = (a.declared, b.declared) {
        if x.label() == y.label() || x.title == y.title {
            return true;
        }
    }
    a.name == b.name
        || (a.title.is_some() && a.title == b.title)
        || b.title.as_deref() == Some(a.name.as_str())
        || a.title.as_deref() == Some(b.name.as_str())
}

/// The longest common subsequence of the two rows' lists, the others kept in order between.
fn align(good: &[Row], bad: &[Row]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (good.len(), bad.len());
    // lengths[i][j]: the LCS of good[i..] and bad[j..].
    let mut lengths = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i][j] = if same_step(&good[i], &bad[j]) {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && same_step(&good[i], &bad[j]) {
            out.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lengths[i][j + 1] >= lengths[i + 1][j]) {
            out.push((None, Some(j)));
            j += 1;
        } else {
            out.push((Some(i), None));
            i += 1;
        }
    }
    out
}

/// The pair and row of a failure: its job, and its step by name.
pub fn pair_of<'p, 'v, 'a>(
    pairs: &'p [Pair<'v, 'a>],
    failure: &FailureReport,
) -> Option<(&'p Pair<'v, 'a>, usize)> {
    let job = failure.job.as_deref().unwrap_or("the job");
    let step = failure.failed_step.as_deref()?;
    let pair = pairs
        .iter()
        .find(|p| p.bad.is_some_and(|v| v.name == job))?;
    let at = (0..pair.rows.len()).find(|&i| {
        pair.bad_row(i)
            .is_some_and(|r| r.name == step || r.step.is_some_and(|s| s.name == step))
    })?;
    Some((pair, at))
}

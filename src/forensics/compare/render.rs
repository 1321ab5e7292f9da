//! The human form of a [`Comparison`] (the JSON form is the same structs serialised): what started each run,
//! the steps side by side, the first difference, the environment, the bad run's failure as `ci explain`
//! shows it, and the conclusion last.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Comparison, EnvDifference, RunSummary, StepComparison, StepOutcome};
use crate::forensics::render::block;
use crate::term;

/// Widest value of the good run's column.
const COLUMN: usize = 44;

/// The `relgate ci compare --format json` document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub relgate_version: &'static str,
    /// `explained` when the bad run's failure was found, `no-failure` otherwise.
    pub status: &'static str,
    #[serde(flatten)]
    pub comparison: &'a Comparison,
}

pub fn document(comparison: &Comparison) -> Document<'_> {
    Document {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: if comparison.failures.is_empty() {
            "no-failure"
        } else {
            "explained"
        },
        comparison,
    }
}

pub fn human(c: &Comparison, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        let _ = writeln!(
            out,
            "relgate ci compare · good: {} ({}) · bad: {} ({})",
            c.good.source,
            c.good.form.describe(),
            c.bad.source,
            c.bad.form.describe()
        );
        out.push('\n');
        runs(&mut out, &c.good, &c.bad);
        steps(&mut out, c);
        if let Some(first) = &c.first_difference {
            let _ = writeln!(
                out,
                "\n{} {} › {}: {} in the good run, {} in the bad run",
                term::paint_dim("first difference:"),
                first.job,
                first.step,
                outcome_with_reason(first.good, first.good_reason.as_deref()),
                outcome_with_reason(first.bad, first.bad_reason.as_deref()),
            );
        }
        environment(&mut out, &c.environment);
        for report in &c.failures {
            out.push('\n');
            block(&mut out, report, false);
        }
        for note in &c.notes {
            let _ = writeln!(out, "{} {note}", term::paint_dim("note:"));
        }
        out.push('\n');
    }
    match &c.conclusion {
        Some(conclusion) => {
            let _ = writeln!(
                out,
                "{} {}",
                term::paint_dim("conclusion:"),
                conclusion.cause
            );
            let _ = writeln!(
                out,
                "{} {}",
                term::paint_dim("check:     "),
                conclusion.check
            );
        }
        None => {
            let _ = writeln!(
                out,
                "{} no failed step in the bad run ({}): nothing to explain",
                term::paint_warn("NONE"),
                c.bad.source
            );
        }
    }
    out
}

/// What started each run and on what, the two runs in columns; lines neither log shows are left out.
fn runs(out: &mut String, good: &RunSummary, bad: &RunSummary) {
    let checkout = |r: &RunSummary| match (&r.checkout_ref, &r.checkout_commit) {
        (Some(reference), Some(commit)) => Some(format!("{reference} @ {}", short(commit))),
        (Some(reference), None) => Some(reference.clone()),
        (None, Some(commit)) => Some(short(commit)),
        (None, None) => None,
    };
    let workflow = |r: &RunSummary| match (&r.workflow, &r.workflow_file) {
        (Some(name), Some(file)) => Some(format!("{name} ({file})")),
        (Some(name), None) => Some(name.clone()),
        (None, Some(file)) => Some(file.clone()),
        (None, None) => None,
    };
    let runner = |r: &RunSummary| {
        let image = match (&r.runner_image, &r.runner_image_version) {
            (Some(image), Some(version)) => Some(format!("{image} {version}")),
            (Some(image), None) => Some(image.clone()),
            _ => None,
        };
        match (image, &r.runner_version) {
            (Some(image), Some(v)) => Some(format!("{image}, runner {v}")),
            (Some(image), None) => Some(image),
            (None, Some(v)) => Some(format!("runner {v}")),
            (None, None) => None,
        }
    };
    let rows: Vec<(&str, Option<String>, Option<String>)> = vec![
        (
            "outcome",
            Some(good.outcome.to_string()),
            Some(bad.outcome.to_string()),
        ),
        ("event", good.event.clone(), bad.event.clone()),
        ("workflow", workflow(good), workflow(bad)),
        (
            "commit",
            good.workflow_commit.as_deref().map(short),
            bad.workflow_commit.as_deref().map(short),
        ),
        ("checkout", checkout(good), checkout(bad)),
        ("runner", runner(good), runner(bad)),
    ];
    let shown: Vec<(&str, String, String)> = rows
        .into_iter()
        .filter(|(_, g, b)| g.is_some() || b.is_some())
        .map(|(label, g, b)| {
            let unknown = || "?".to_string();
            (label, g.unwrap_or_else(unknown), b.unwrap_or_else(unknown))
        })
        .collect();
    let width = shown
        .iter()
        .map(|(_, g, _)| g.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, COLUMN);
    let _ = writeln!(out, "  {:<10}  {:<width$}  bad", "", "good");
    for (label, g, b) in shown {
        let _ = writeln!(
            out,
            "  {}  {:<width$}  {b}",
            term::paint_dim(&format!("{label:<10}")),
            g
        );
    }
}

fn steps(out: &mut String, c: &Comparison) {
    if c.jobs.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", term::paint_dim("jobs and steps (good, bad):"));
    for job in &c.jobs {
        let presence = match (job.good, job.bad) {
            (true, false) => " (not in the bad run's log)",
            (false, true) => " (not in the good run's log)",
            (false, false) => " (in neither log)",
            (true, true) => "",
        };
        let _ = writeln!(out, "  {}{presence}", job.job);
        for step in &job.steps {
            step_line(out, step);
        }
    }
}

fn step_line(out: &mut String, s: &StepComparison) {
    let cell = |o: StepOutcome| {
        let text = format!("{:<9}", o.as_str());
        match o {
            StepOutcome::Failed => term::paint_fail(&text),
            StepOutcome::Passed => text,
            _ => term::paint_dim(&text),
        }
    };
    let mut reasons = Vec::new();
    if let Some(r) = &s.good_reason {
        reasons.push(format!("good: {r}"));
    }
    if let Some(r) = &s.bad_reason {
        reasons.push(format!("bad: {r}"));
    }
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!(
            "  {}",
            term::paint_dim(&format!("({})", reasons.join("; ")))
        )
    };
    let _ = writeln!(out, "    {} {} {}{why}", cell(s.good), cell(s.bad), s.step);
}

fn outcome_with_reason(outcome: StepOutcome, reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("{} ({r})", outcome.as_str()),
        None => outcome.as_str().to_string(),
    }
}

fn environment(out: &mut String, differences: &[EnvDifference]) {
    if differences.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        term::paint_dim("what differs before the failed step (good → bad):")
    );
    for d in differences {
        let place = match (&d.job, &d.step) {
            (Some(job), Some(step)) => format!("{job} › {step}: "),
            (Some(job), None) => format!("{job}: "),
            (None, _) => String::new(),
        };
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "  {place}{} {} {} → {}",
            d.kind.as_str(),
            d.name,
            value(&d.good),
            value(&d.bad)
        );
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

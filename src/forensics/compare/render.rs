//! The human form of a [`Comparison`] (the JSON form is the same structs serialised): what started each run,
//! the steps side by side, the first difference, the environment, the bad run's failure as `ci explain`
//! shows it, and the conclusion last.

use serde::Serialize;

use super::{Comparison, EnvDifference, RunSummary, StepComparison, StepOutcome};
use crate::forensics::render::{Explained, block};
use crate::output::{Style, Text};

/// Widest value of the good run's column.
const COLUMN: usize = 44;

/// The `relgate ci compare --format json` document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub relgate_version: &'static str,
    /// `explained` when the bad run's failure was found, `no-failure` otherwise.
    pub status: Explained,
    #[serde(flatten)]
    pub comparison: &'a Comparison,
}

pub fn document(comparison: &Comparison) -> Document<'_> {
    Document {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: if comparison.failures.is_empty() {
            Explained::NoFailure
        } else {
            Explained::Explained
        },
        comparison,
    }
}

pub fn human(c: &Comparison, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(format!(
            "relgate ci compare · good: {} ({}) · bad: {} ({})",
            c.good.source,
            c.good.form.describe(),
            c.bad.source,
            c.bad.form.describe()
        ))
        .end();
        runs(&mut out, &c.good, &c.bad);
        steps(&mut out, c);
        if let Some(first) = &c.first_difference {
            out.end()
                .paint(Style::Dim, "first difference:")
                .line(format!(
                    " {} › {}: {} in the good run, {} in the bad run",
                    first.job,
                    first.step,
                    outcome_with_reason(first.good, first.good_reason.as_deref()),
                    outcome_with_reason(first.bad, first.bad_reason.as_deref()),
                ));
        }
        environment(&mut out, &c.environment);
        for report in &c.failures {
            out.end();
            block(&mut out, report, false);
        }
        for note in &c.notes {
            out.paint(Style::Dim, "note:").line(format!(" {note}"));
        }
        out.end();
    }
    match &c.conclusion {
        Some(conclusion) => {
            out.paint(Style::Dim, "conclusion:")
                .line(format!(" {}", conclusion.cause));
            out.paint(Style::Dim, "check:     ")
                .line(format!(" {}", conclusion.check));
        }
        None => {
            out.paint(Style::Warn, "NONE").line(format!(
                " no failed step in the bad run ({}): nothing to explain",
                c.bad.source
            ));
        }
    }
    out
}

/// What started each run and on what, the two runs in columns; lines neither log shows are left out.
fn runs(out: &mut Text, good: &RunSummary, bad: &RunSummary) {
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
    out.line(format!("  {:<10}  {:<width$}  bad", "", "good"));
    for (label, g, b) in shown {
        out.add("  ")
            .paint(Style::Dim, format!("{label:<10}"))
            .line(format!("  {g:<width$}  {b}"));
    }
}

fn steps(out: &mut Text, c: &Comparison) {
    if c.jobs.is_empty() {
        return;
    }
    out.end()
        .paint(Style::Dim, "jobs and steps (good, bad):")
        .end();
    for job in &c.jobs {
        let presence = match (job.good, job.bad) {
            (true, false) => " (not in the bad run's log)",
            (false, true) => " (not in the good run's log)",
            (false, false) => " (in neither log)",
            (true, true) => "",
        };
        out.line(format!("  {}{presence}", job.job));
        for step in &job.steps {
            step_line(out, step);
        }
    }
}

fn step_line(out: &mut Text, s: &StepComparison) {
    let cell = |out: &mut Text, o: StepOutcome| {
        let text = format!("{:<9}", o.as_str());
        match o {
            StepOutcome::Failed => out.paint(Style::Fail, text),
            StepOutcome::Passed => out.add(text),
            _ => out.paint(Style::Dim, text),
        };
    };
    let mut reasons = Vec::new();
    if let Some(r) = &s.good_reason {
        reasons.push(format!("good: {r}"));
    }
    if let Some(r) = &s.bad_reason {
        reasons.push(format!("bad: {r}"));
    }
    out.add("    ");
    cell(out, s.good);
    out.add(" ");
    cell(out, s.bad);
    out.add(format!(" {}", s.step));
    if !reasons.is_empty() {
        out.add("  ")
            .paint(Style::Dim, format!("({})", reasons.join("; ")));
    }
    out.end();
}

fn outcome_with_reason(outcome: StepOutcome, reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("{} ({r})", outcome.as_str()),
        None => outcome.as_str().to_string(),
    }
}

fn environment(out: &mut Text, differences: &[EnvDifference]) {
    if differences.is_empty() {
        return;
    }
    out.end()
        .paint(
            Style::Dim,
            "what differs before the failed step (good → bad):",
        )
        .end();
    for d in differences {
        let place = match (&d.job, &d.step) {
            (Some(job), Some(step)) => format!("{job} › {step}: "),
            (Some(job), None) => format!("{job}: "),
            (None, _) => String::new(),
        };
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        out.line(format!(
            "  {place}{} {} {} → {}",
            d.kind.as_str(),
            d.name,
            value(&d.good),
            value(&d.bad)
        ));
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

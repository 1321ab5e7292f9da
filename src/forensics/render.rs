//! The human form of an [`Explanation`]: one block per failed job, the first failure first; the JSON form is
//! the same structs serialised; [`github`] is the form for a GitHub Actions step.

pub mod github;

use serde::Serialize;

use super::{Explanation, FailureReport};
use crate::output::{Style, Text};

/// The `relgate ci explain --format json` document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub relgate_version: &'static str,
    pub status: Explained,
    #[serde(flatten)]
    pub explanation: &'a Explanation,
}

/// Whether `ci explain` found a failure to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Explained {
    Explained,
    NoFailure,
}

pub fn document(explanation: &Explanation) -> Document<'_> {
    Document {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: if explanation.failures.is_empty() {
            Explained::NoFailure
        } else {
            Explained::Explained
        },
        explanation,
    }
}

pub fn human(explanation: &Explanation, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(heading(explanation));
    }
    for (i, report) in explanation.failures.iter().enumerate() {
        if !quiet || i > 0 {
            out.end();
        }
        block(&mut out, report, quiet);
    }
    if !explanation.cancelled_jobs.is_empty() {
        out.end().paint(Style::Dim, "also cancelled:").line(format!(
            " {} (cancelled while another job failed; not failures of their own)",
            explanation.cancelled_jobs.join(", ")
        ));
    }
    for note in &explanation.notes {
        out.paint(Style::Dim, "note:").line(format!(" {note}"));
    }
    out.end();
    verdict(&mut out, explanation);
    out
}

fn heading(explanation: &Explanation) -> String {
    let mut parts = vec![format!(
        "{} ({})",
        explanation.source,
        explanation.form.describe()
    )];
    let first = explanation.failures.first();
    if let Some(id) = first.and_then(|r| r.workflow_run_id) {
        if !explanation.source.contains(&id.to_string()) {
            parts.push(format!("run {id}"));
        }
    }
    if let Some(workflow) = &explanation.workflow {
        parts.push(format!("workflow \"{workflow}\""));
    }
    if let Some(event) = first.and_then(|r| r.trigger_event.as_deref()) {
        parts.push(format!("on {event}"));
    }
    format!("relgate ci explain · {}", parts.join(" · "))
}

pub(crate) fn block(out: &mut Text, r: &FailureReport, quiet: bool) {
    out.paint(Style::Fail, "FAIL")
        .line(format!(" {}", title(r)));
    fields(out, r, quiet);
}

/// `job › step · exit code 1 · lint`.
fn title(r: &FailureReport) -> String {
    let job = r.job.as_deref().unwrap_or("(job name not in the log)");
    let step = r.failed_step.as_deref().unwrap_or("?");
    let exit = r
        .exit_code
        .map_or_else(String::new, |c| format!(" · exit code {c}"));
    format!("{job} › {step}{exit} · {}", r.category.as_str())
}

/// The lines of a failure's block under its title.
fn fields(out: &mut Text, r: &FailureReport, quiet: bool) {
    field(out, "error", &r.error_message);
    if !quiet {
        if let Some(ts) = &r.timestamp {
            field(out, "at", ts);
        }
        if !r.logs_excerpt.is_empty() {
            out.add("  ").paint(Style::Dim, "excerpt:").end();
            for line in r.logs_excerpt.lines() {
                out.add("    ")
                    .paint(Style::Dim, "|")
                    .line(format!(" {line}"));
            }
        }
        field(out, "action", &r.recommended_action);
    }
    field(out, "reproduce", &r.reproduce);
}

pub(crate) fn field(out: &mut Text, label: &str, value: &str) {
    let label = format!("{label}:");
    out.add("  ")
        .paint(Style::Dim, format!("{label:<10}"))
        .line(format!(" {value}"));
}

fn verdict(out: &mut Text, explanation: &Explanation) {
    match explanation.failures.len() {
        0 => {
            out.paint(Style::Warn, "NONE").line(format!(
                " no failed step found in {}: the run may have passed, or the log is incomplete (for a failed run, `gh run view RUN_ID --log-failed` holds the failed steps)",
                explanation.source
            ));
        }
        1 => {
            out.line("1 failed job explained");
        }
        n => {
            out.line(format!(
                "{n} failed jobs explained, the first failure first"
            ));
        }
    }
}

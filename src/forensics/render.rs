//! The human form of an [`Explanation`]: one block per failed job, the first failure first; the JSON form is
//! the same structs serialised.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Explanation, FailureReport};
use crate::term;

/// The `relgate ci explain --format json` document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub relgate_version: &'static str,
    /// `explained` when a failure was found, `no-failure` otherwise.
    pub status: &'static str,
    #[serde(flatten)]
    pub explanation: &'a Explanation,
}

pub fn document(explanation: &Explanation) -> Document<'_> {
    Document {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status: if explanation.failures.is_empty() {
            "no-failure"
        } else {
            "explained"
        },
        explanation,
    }
}

pub fn human(explanation: &Explanation, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        out.push_str(&heading(explanation));
        out.push('\n');
    }
    for (i, report) in explanation.failures.iter().enumerate() {
        if !quiet || i > 0 {
            out.push('\n');
        }
        block(&mut out, report, quiet);
    }
    if !explanation.cancelled_jobs.is_empty() {
        let _ = writeln!(
            out,
            "\n{} {} (cancelled while another job failed; not failures of their own)",
            term::paint_dim("also cancelled:"),
            explanation.cancelled_jobs.join(", ")
        );
    }
    for note in &explanation.notes {
        let _ = writeln!(out, "{} {note}", term::paint_dim("note:"));
    }
    out.push('\n');
    out.push_str(&verdict(explanation));
    out.push('\n');
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

pub(crate) fn block(out: &mut String, r: &FailureReport, quiet: bool) {
    let job = r.job.as_deref().unwrap_or("(job name not in the log)");
    let step = r.failed_step.as_deref().unwrap_or("?");
    let exit = r
        .exit_code
        .map_or_else(String::new, |c| format!(" · exit code {c}"));
    let _ = writeln!(
        out,
        "{} {job} › {step}{exit} · {}",
        term::paint_fail("FAIL"),
        r.category.as_str()
    );
    field(out, "error", &r.error_message);
    if !quiet {
        if let Some(ts) = &r.timestamp {
            field(out, "at", ts);
        }
        if !r.logs_excerpt.is_empty() {
            let _ = writeln!(out, "  {}", term::paint_dim("excerpt:"));
            for line in r.logs_excerpt.lines() {
                let _ = writeln!(out, "    {} {line}", term::paint_dim("|"));
            }
        }
        field(out, "action", &r.recommended_action);
    }
    field(out, "reproduce", &r.reproduce);
}

pub(crate) fn field(out: &mut String, label: &str, value: &str) {
    let label = format!("{label}:");
    let _ = writeln!(
        out,
        "  {} {value}",
        term::paint_dim(&format!("{label:<10}"))
    );
}

fn verdict(explanation: &Explanation) -> String {
    match explanation.failures.len() {
        0 => format!(
            "{} no failed step found in {}: the run may have passed, or the log is incomplete (for a failed run, `gh run view RUN_ID --log-failed` holds the failed steps)",
            term::paint_warn("NONE"),
            explanation.source
        ),
        1 => "1 failed job explained".to_string(),
        n => format!("{n} failed jobs explained, the first failure first"),
    }
}

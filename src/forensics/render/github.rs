//! `relgate ci explain --format github`: the explanation as a GitHub Actions step shows it. Each failure's
//! block in a collapsible group under its `FAIL job › step` line, one error annotation per failed job (at most
//! GitHub's ten), and a table of the failures for the job summary. What the log said (job and step names, the
//! error line, the excerpt) is untrusted: it goes through the printer, which keeps it from acting as a
//! workflow command (see `output::workflow`).

use super::{Explanation, FailureReport, fields, heading, title, verdict};
use crate::output::summary::Summary;
use crate::output::workflow::ANNOTATIONS_PER_LEVEL;
use crate::output::{Annotation, Command, Style, Text};

/// The explanation for a step's log: the heading, a group per failure, the annotations, the verdict.
pub fn render(explanation: &Explanation, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(heading(explanation));
    }
    for report in &explanation.failures {
        out.command(Command::group(&format!("FAIL {}", title(report))));
        fields(&mut out, report, quiet);
        out.command(Command::endgroup());
    }
    if !explanation.cancelled_jobs.is_empty() {
        out.paint(Style::Dim, "also cancelled:").line(format!(
            " {} (cancelled while another job failed; not failures of their own)",
            explanation.cancelled_jobs.join(", ")
        ));
    }
    for note in &explanation.notes {
        out.paint(Style::Dim, "note:").line(format!(" {note}"));
    }
    annotate(&mut out, explanation);
    verdict(&mut out, explanation);
    out
}

/// One error annotation per failed job, the first failure first, at most as many as GitHub keeps.
pub fn annotate(out: &mut Text, explanation: &Explanation) {
    for report in explanation.failures.iter().take(ANNOTATIONS_PER_LEVEL) {
        let message = format!(
            "{}\n{}\nreproduce: {}",
            report.error_message, report.recommended_action, report.reproduce
        );
        out.command(Command::annotation(&Annotation {
            title: Some(&title(report)),
            message: &message,
            ..Annotation::default()
        }));
    }
}

/// The job summary: what was explained, and a table of the failures.
pub fn summary(explanation: &Explanation) -> Summary {
    let mut summary = Summary::new();
    let verdict = match explanation.failures.len() {
        0 => "no failed step found".to_owned(),
        1 => "1 failed job explained".to_owned(),
        n => format!("{n} failed jobs explained, the first failure first"),
    };
    summary
        .heading(&format!("relgate ci explain: {verdict}"))
        .paragraph(&heading(explanation));
    if !explanation.failures.is_empty() {
        let rows: Vec<Vec<String>> = explanation.failures.iter().map(row).collect();
        summary.table(
            &[
                "Job",
                "Failed step",
                "Category",
                "Exit code",
                "Error",
                "Reproduce",
            ],
            &rows,
        );
    }
    summary
}

fn row(r: &FailureReport) -> Vec<String> {
    vec![
        r.job.clone().unwrap_or_default(),
        r.failed_step.clone().unwrap_or_default(),
        r.category.as_str().to_owned(),
        r.exit_code.map(|c| c.to_string()).unwrap_or_default(),
        r.error_message.clone(),
        r.reproduce.clone(),
    ]
}

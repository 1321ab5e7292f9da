//! `relgate check --format github`: the report as GitHub Actions shows it. The human report's lines, each
//! check's findings and output in a collapsible group under its line, the findings of the checks that did not
//! pass as annotations (on the run's page and beside the file's line), and a Markdown table of the checks for
//! the job summary. Everything untrusted goes through the printer (see `output::workflow`): no tool's output,
//! file or check name can write a workflow command.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::{Report, body, check_line, heading, name_width, status_label, verdict};
use crate::outcome::{CheckResult, Kind, Severity, Status};
use crate::output::summary::Summary;
use crate::output::workflow::ANNOTATIONS_PER_LEVEL;
use crate::output::{Annotation, Command, Level, Style, Text};

/// The report for a step's log: groups, annotations, and the verdict last.
pub fn render(report: &Report, verbose: bool, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(heading(report));
        if let Some(note) = &report.workspace.note {
            if report.workspace.mode != super::WorkspaceMode::None {
                out.paint(Style::Dim, format!("workspace: {note}")).end();
            }
        }
    }
    let width = name_width(report);
    for check in &report.checks {
        if quiet && check.status == Status::Pass {
            continue;
        }
        let mut inside = Text::new();
        body(&mut inside, check, verbose, "  ");
        if inside.is_empty() {
            check_line(&mut out, check, width, "");
            continue;
        }
        let mut title = Text::new();
        check_line(&mut title, check, width, "");
        out.command(Command::group(title.to_string().trim_end()));
        out.append(inside);
        out.command(Command::endgroup());
    }
    let (annotations, left_out) = annotations(report);
    for annotation in annotations {
        out.command(annotation);
    }
    if left_out > 0 {
        out.line(format!(
            "relgate: {left_out} more {} not annotated: GitHub keeps {ANNOTATIONS_PER_LEVEL} annotations of each level per step (the groups above list them; --format json lists all)",
            if left_out == 1 { "finding is" } else { "findings are" }
        ));
    }
    verdict(&mut out, report);
    out
}

/// The job summary: the verdict, the heading, and a table of the checks.
pub fn summary(report: &Report) -> Summary {
    let mut verdict_text = Text::new();
    verdict(&mut verdict_text, report);
    let verdict_text = verdict_text.to_string();
    let mut lines = verdict_text.lines();
    let mut summary = Summary::new();
    summary
        .heading(&format!(
            "relgate check: {}",
            lines.next().unwrap_or_default()
        ))
        .paragraph(&heading(report));
    let rows: Vec<Vec<String>> = report
        .checks
        .iter()
        .map(|check| {
            let (_, label) = status_label(check);
            let mark = match check.status {
                Status::Pass => "✅",
                Status::Fail | Status::Error if !check.required => "⚠️",
                Status::Fail | Status::Error => "❌",
                Status::Skipped => "⏭️",
            };
            let cached = if check.cached { " (cached)" } else { "" };
            vec![
                check.name.clone(),
                check.kind.as_str().to_owned(),
                format!("{mark} {}{cached}", label.trim_end()),
                crate::duration::elapsed(std::time::Duration::from_millis(check.duration_ms)),
                check.message.clone(),
            ]
        })
        .collect();
    summary.table(&["Check", "Kind", "Status", "Duration", "Message"], &rows);
    for line in lines {
        summary.paragraph(line.trim());
    }
    summary
}

/// One annotation, before it is chosen.
struct Note {
    level: Level,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    title: String,
    message: String,
}

/// The annotations of the checks that did not pass, and how many were left out. GitHub keeps the first
/// [`ANNOTATIONS_PER_LEVEL`] of each level of a step and drops the rest, so they are chosen in rounds (each
/// check's first, then each one's second...), the checks that block the release first, and printed in the
/// report's order.
fn annotations(report: &Report) -> (Vec<Command>, usize) {
    let mut notes: Vec<Vec<Note>> = Vec::new();
    let blocking = report.checks.iter().filter(|c| c.blocks());
    let advisory = report
        .checks
        .iter()
        .filter(|c| !c.required && matches!(c.status, Status::Fail | Status::Error));
    for check in blocking.chain(advisory) {
        notes.push(check_notes(report, check));
    }
    let rounds = notes.iter().map(Vec::len).max().unwrap_or(0);
    let mut used: HashMap<Level, usize> = HashMap::new();
    let mut chosen = vec![Vec::new(); notes.len()];
    let mut left_out = 0;
    for round in 0..rounds {
        for (check, its) in notes.iter().enumerate() {
            let Some(note) = its.get(round) else {
                continue;
            };
            let count = used.entry(note.level).or_default();
            if *count < ANNOTATIONS_PER_LEVEL {
                *count += 1;
                chosen[check].push(round);
            } else {
                left_out += 1;
            }
        }
    }
    let mut commands = Vec::new();
    for (its, rounds) in notes.iter().zip(chosen) {
        for round in rounds {
            let note = &its[round];
            commands.push(Command::annotation(&Annotation {
                level: note.level,
                file: note.file.as_deref(),
                line: note.line,
                column: note.column,
                title: Some(&note.title),
                message: &note.message,
            }));
        }
    }
    (commands, left_out)
}

/// A check's annotations: one per finding, and one for the check itself when it has no finding, or blocks the
/// release with none of error level. A check that does not block (`required = false`) warns, never errs.
fn check_notes(report: &Report, check: &CheckResult) -> Vec<Note> {
    let advisory = !check.required;
    let level_of = |severity: Severity| match severity {
        Severity::Error if advisory => Level::Warning,
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Notice,
    };
    let mut notes: Vec<Note> = check
        .issues
        .iter()
        .map(|f| {
            let file = f.file.as_deref().and_then(|p| repo_path(&report.subdir, p));
            let mut message = String::new();
            if let (None, Some(raw)) = (&file, &f.file) {
                // A path GitHub cannot place (outside the repository): the message says where.
                message.push_str(raw);
                if let Some(line) = f.line {
                    let _ = write!(message, ":{line}");
                }
                message.push_str(": ");
            }
            message.push_str(&f.message);
            if let Some(fix) = &f.fix_suggestion {
                let _ = write!(message, "\nfix: {fix}");
            }
            Note {
                level: level_of(f.severity),
                line: file.as_ref().and(f.line),
                column: file.as_ref().and(f.line).and(f.column),
                file,
                title: match &f.code {
                    Some(code) => format!("{} {code}", check.name),
                    None => check.name.clone(),
                },
                message,
            }
        })
        .collect();
    let errs = notes.iter().any(|n| n.level == Level::Error);
    if notes.is_empty() || (check.blocks() && !errs) {
        let mut message = check.message.clone();
        for line in check.details.iter().flat_map(|d| d.lines()).take(20) {
            message.push('\n');
            message.push_str(line);
        }
        let (file, line) = if check.kind == Kind::Version {
            let file = report
                .project
                .file
                .as_deref()
                .and_then(|p| repo_path(&report.subdir, p));
            let line = file.as_ref().and(report.project.line);
            (file, line)
        } else {
            (None, None)
        };
        notes.insert(
            0,
            Note {
                level: if check.blocks() {
                    Level::Error
                } else {
                    Level::Warning
                },
                file,
                line,
                column: None,
                title: format!("relgate {}", check.name),
                message,
            },
        );
    }
    notes
}

/// `file` (relative to the project, as findings give it) relative to the repository's root, `/`-separated;
/// `None` for a path outside the repository (absolute, or above its root).
fn repo_path(subdir: &Path, file: &str) -> Option<String> {
    let path = Path::new(file);
    if path.is_absolute() {
        return None;
    }
    let joined = crate::files::normalize(&subdir.join(path))?;
    let joined = joined.to_str()?;
    (!joined.is_empty()).then(|| joined.replace('\\', "/"))
}

#[cfg(test)]
mod tests;

//! The report of a gate run: the JSON document and its human rendering, and the exit status they imply.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

use crate::Exit;
use crate::cli::Format;
use crate::outcome::{CheckResult, Status};
use crate::term;

/// The `relgate check` JSON document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Report {
    pub relgate_version: &'static str,
    pub status: &'static str,
    pub project: ProjectInfo,
    pub tag: Option<TagInfo>,
    pub workspace: WorkspaceInfo,
    pub checks: Vec<CheckResult>,
    pub version_validation: VersionValidation,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ProjectInfo {
    pub name: Option<String>,
    pub version: Option<String>,
    pub version_source: Option<&'static str>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagInfo {
    pub name: String,
    pub version: Option<String>,
    pub commit: String,
}

/// Where the file-based checks ran: `in-place`, `export` (an isolated export of the tag) or `refused`.
#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceInfo {
    pub mode: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VersionValidation {
    pub is_synchronized: bool,
    pub git_version: Option<String>,
    pub package_version: Option<String>,
    pub error_message: Option<String>,
    pub pypi_conflict: bool,
    pub recommended_action: Option<String>,
}

impl Report {
    /// The overall verdict: `error` only when nothing failed but something could not give a verdict.
    pub fn finish(mut self) -> Self {
        let blocking: Vec<&CheckResult> = self.checks.iter().filter(|c| c.blocks()).collect();
        self.status = if blocking.is_empty() {
            "pass"
        } else if blocking.iter().any(|c| c.status == Status::Fail) {
            "fail"
        } else {
            "error"
        };
        self
    }

    pub fn exit(&self) -> Exit {
        if self.status == "pass" {
            Exit::Pass
        } else {
            Exit::Fail
        }
    }
}

/// Print the report to stdout: one JSON document, or the human form.
pub fn print(report: &Report, format: Format, verbose: bool, quiet: bool) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout().lock();
    if format == Format::Json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(report)?)?;
    } else {
        write!(stdout, "{}", render_human(report, verbose, quiet))?;
    }
    Ok(())
}

/// The human report: a heading, one line per check (name, dot leader, status, duration, reason), findings
/// and hints under the lines that need them, and the verdict last.
pub fn render_human(report: &Report, verbose: bool, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        out.push_str(&heading(report));
        out.push('\n');
        if let Some(note) = &report.workspace.note {
            if report.workspace.mode != "none" {
                let _ = writeln!(out, "  {}", term::paint_dim(&format!("workspace: {note}")));
            }
        }
    }
    let width = report
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(14)
        + 2;
    for check in &report.checks {
        let show = !quiet || check.status != Status::Pass;
        if !show {
            continue;
        }
        let leader = ".".repeat(width.saturating_sub(check.name.len()));
        let status = status_label(check);
        let cached = if check.cached { " (cached)" } else { "" };
        let _ = writeln!(
            out,
            "  {} {} {status} {:>7}  {}{cached}",
            check.name,
            term::paint_dim(&leader),
            crate::duration::elapsed(std::time::Duration::from_millis(check.duration_ms)),
            check.message
        );
        let failed = matches!(check.status, Status::Fail | Status::Error);
        if failed || verbose {
            for finding in check
                .issues
                .iter()
                .take(if verbose { usize::MAX } else { 20 })
            {
                let _ = writeln!(out, "      {}", finding_line(finding));
            }
            if !verbose && check.issues.len() > 20 {
                let _ = writeln!(
                    out,
                    "      ... and {} more (--format json lists all)",
                    check.issues.len() - 20
                );
            }
            for detail in &check.details {
                for line in detail.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
    }
    out.push_str(&verdict(report));
    out.push('\n');
    out
}

fn heading(report: &Report) -> String {
    let p = &report.project;
    let name = p.name.as_deref().unwrap_or("(unnamed project)");
    let version = p.version.as_deref().unwrap_or("?");
    let at = match (&p.file, p.line) {
        (Some(file), Some(line)) => format!("{file}:{line}, "),
        (Some(file), None) => format!("{file}, "),
        _ => String::new(),
    };
    let source = p.version_source.unwrap_or("?");
    let tag = match &report.tag {
        Some(t) => format!("tag {} at {}", t.name, &t.commit[..t.commit.len().min(7)]),
        None => "no release tag at HEAD".into(),
    };
    format!(
        "relgate {} · {name} {version} ({at}{source}) · {tag}",
        report.relgate_version
    )
}

fn status_label(check: &CheckResult) -> String {
    let text = match check.status {
        Status::Pass => "pass ",
        Status::Fail | Status::Error if !check.required => "warn ",
        Status::Fail => "FAIL ",
        Status::Error => "ERROR",
        Status::Skipped => "skip ",
    };
    match check.status {
        Status::Pass => term::paint_pass(text),
        Status::Fail | Status::Error if !check.required => term::paint_warn(text),
        Status::Fail | Status::Error => term::paint_fail(text),
        Status::Skipped => term::paint_dim(text),
    }
}

fn finding_line(f: &crate::outcome::Finding) -> String {
    let mut at = f.file.clone().unwrap_or_default();
    if let Some(line) = f.line {
        let _ = write!(at, ":{line}");
        if let Some(col) = f.column {
            let _ = write!(at, ":{col}");
        }
    }
    let code = f
        .code
        .as_deref()
        .map_or_else(String::new, |c| format!("{c} "));
    let fix = f
        .fix_suggestion
        .as_deref()
        .map_or_else(String::new, |s| format!("  (fix: {s})"));
    if at.is_empty() {
        format!("{code}{}{fix}", f.message)
    } else {
        format!("{at} {code}{}{fix}", f.message)
    }
}

fn verdict(report: &Report) -> String {
    let total = report
        .checks
        .iter()
        .filter(|c| c.status != Status::Skipped)
        .count();
    let failed = report.checks.iter().filter(|c| c.blocks()).count();
    let warned = report
        .checks
        .iter()
        .filter(|c| !c.required && matches!(c.status, Status::Fail | Status::Error))
        .count();
    let warn_note = if warned > 0 {
        format!(", {warned} optional with warnings")
    } else {
        String::new()
    };
    match report.status {
        "pass" => format!(
            "{} {total} checks passed{warn_note}: ready to release",
            term::paint_pass("PASS")
        ),
        status => {
            let label = if status == "error" { "ERROR" } else { "FAIL" };
            let action = report
                .checks
                .iter()
                .find(|c| c.blocks())
                .and_then(|c| c.details.first())
                .map_or_else(String::new, |a| format!("\n  next: {a}"));
            format!(
                "{} {failed} of {total} checks did not pass{warn_note}: do not release{action}",
                term::paint_fail(label)
            )
        }
    }
}

/// "a, b, c and 7 more": long lists of names stay one readable line.
pub fn name_list(names: &[&str], at_most: usize) -> String {
    if names.len() <= at_most {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..at_most].join(", "),
        names.len() - at_most
    )
}

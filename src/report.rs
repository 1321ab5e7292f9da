//! The report of a gate run: the JSON document and its human rendering (and, in [`github`], its GitHub Actions
//! form), and the exit status they imply.

pub mod github;

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

pub use crate::outcome::VersionValidation;
use crate::outcome::{CheckResult, Exit, Status, Verdict};
use crate::output::{Style, Text};

/// The `relgate check` JSON document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Report {
    pub relgate_version: &'static str,
    pub status: Verdict,
    pub project: ProjectInfo,
    pub tag: Option<TagInfo>,
    pub workspace: WorkspaceInfo,
    pub checks: Vec<CheckResult>,
    pub version_validation: VersionValidation,
    /// The project's directory relative to the repository's root (empty at the root): findings' paths are
    /// relative to the project, GitHub's annotations need them relative to the root.
    #[serde(skip)]
    pub subdir: PathBuf,
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

/// Where the file-based checks ran.
#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceInfo {
    pub mode: WorkspaceMode,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkspaceMode {
    /// The working tree is exactly the released content.
    InPlace,
    /// An isolated export of the released commit.
    Export,
    /// The working tree differs and `isolation = "refuse"`: the file-based checks did not run.
    Refused,
    /// No check that reads the project's files was selected.
    None,
}

impl Report {
    /// The overall verdict, from the checks.
    pub fn finish(mut self) -> Self {
        self.status = Verdict::of(&self.checks);
        self
    }

    pub fn exit(&self) -> Exit {
        if self.status == Verdict::Pass {
            Exit::Pass
        } else {
            Exit::Fail
        }
    }
}

/// The human report: a heading, one line per check (name, dot leader, status, duration, reason), findings
/// and hints under the lines that need them, and the verdict last.
pub fn render(report: &Report, verbose: bool, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(heading(report));
        if let Some(note) = &report.workspace.note {
            if report.workspace.mode != WorkspaceMode::None {
                out.add("  ")
                    .paint(Style::Dim, format!("workspace: {note}"))
                    .end();
            }
        }
    }
    let width = name_width(report);
    for check in &report.checks {
        let show = !quiet || check.status != Status::Pass;
        if !show {
            continue;
        }
        check_line(&mut out, check, width, "  ");
        body(&mut out, check, verbose, "      ");
    }
    verdict(&mut out, report);
    out
}

/// The width of the name column, dot leader included.
fn name_width(report: &Report) -> usize {
    report
        .checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(14)
        + 2
}

/// `ruff ....... FAIL  0.4 s  1 error: F401 (...)`, after `indent`.
fn check_line(out: &mut Text, check: &CheckResult, width: usize, indent: &str) {
    let leader = ".".repeat(width.saturating_sub(check.name.chars().count()));
    let (style, label) = status_label(check);
    let cached = if check.cached { " (cached)" } else { "" };
    out.add(format!("{indent}{} ", check.name))
        .paint(Style::Dim, leader)
        .add(" ")
        .paint(style, label)
        .line(format!(
            " {:>7}  {}{cached}",
            crate::duration::elapsed(std::time::Duration::from_millis(check.duration_ms)),
            check.message
        ));
}

/// What is shown under a check's line: its findings and details, when it did not pass or with `-v`.
fn body(out: &mut Text, check: &CheckResult, verbose: bool, indent: &str) {
    let failed = matches!(check.status, Status::Fail | Status::Error);
    if !(failed || verbose) {
        return;
    }
    for finding in check
        .issues
        .iter()
        .take(if verbose { usize::MAX } else { 20 })
    {
        out.add(indent).line(finding_line(finding));
    }
    if !verbose && check.issues.len() > 20 {
        out.line(format!(
            "{indent}... and {} more (--format json lists all)",
            check.issues.len() - 20
        ));
    }
    for detail in &check.details {
        out.lines(indent, detail);
    }
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
    let tag = match &report.tag {
        Some(t) => format!("tag {} at {}", t.name, &t.commit[..t.commit.len().min(7)]),
        None => "no release tag at HEAD".into(),
    };
    let Some(source) = p.version_source else {
        // What the project declares could not be read: the version checks say why.
        return format!(
            "relgate {} · the project's name and version could not be read · {tag}",
            report.relgate_version
        );
    };
    format!(
        "relgate {} · {name} {version} ({at}{source}) · {tag}",
        report.relgate_version
    )
}

fn status_label(check: &CheckResult) -> (Style, &'static str) {
    match check.status {
        Status::Pass => (Style::Pass, "pass "),
        Status::Fail | Status::Error if !check.required => (Style::Warn, "warn "),
        Status::Fail => (Style::Fail, "FAIL "),
        Status::Error => (Style::Fail, "ERROR"),
        Status::Skipped => (Style::Dim, "skip "),
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

fn verdict(out: &mut Text, report: &Report) {
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
    let label = match report.status {
        Verdict::Pass => {
            out.paint(Style::Pass, "PASS").line(format!(
                " {total} checks passed{warn_note}: ready to release"
            ));
            return;
        }
        Verdict::Error => "ERROR",
        Verdict::Fail => "FAIL",
    };
    out.paint(Style::Fail, label).line(format!(
        " {failed} of {total} checks did not pass{warn_note}: do not release"
    ));
    if let Some(action) = report
        .checks
        .iter()
        .find(|c| c.blocks())
        .and_then(|c| c.details.first())
    {
        // The first line of the failed check's first hint: a hint is one line, an output excerpt is not one.
        out.line(format!(
            "  next: {}",
            action.lines().next().unwrap_or_default()
        ));
    }
}

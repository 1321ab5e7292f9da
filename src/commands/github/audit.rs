//! `relgate github audit`: pass, fail or warn for each GitHub setting that stops a bad release, with the
//! exact fix; exit 0 when every required check passes, 1 otherwise, 2 when GitHub could not be asked.

use serde::Serialize;

use super::{Target, api_error};
use crate::Exit;
use crate::cli::{Format, GithubArgs};
use crate::commands::Output;
use crate::gates::github::{self as gate, printable};
use crate::outcome::{CheckResult, Status, Verdict};
use crate::output::{self, Style, Text};

/// The `relgate github audit --format json` document: the same checks as `relgate check`'s report.
#[derive(Serialize)]
struct AuditDoc<'a> {
    relgate_version: &'static str,
    /// `pass`, `fail` (a required check failed) or `error` (nothing failed, something could not be read).
    status: Verdict,
    repository: String,
    default_branch: &'a str,
    checks: &'a [CheckResult],
}

pub fn run(args: &GithubArgs, out: Output) -> anyhow::Result<Exit> {
    let target = Target::open(args)?;
    let observed =
        gate::observe(&target.client, &target.repo, &target.expect).map_err(|e| api_error(&e))?;
    let checks = gate::audit(&target.expect, &observed);
    let status = Verdict::of(&checks);
    let doc = AuditDoc {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status,
        repository: target.repo.to_string(),
        default_branch: &observed.repository.default_branch,
        checks: &checks,
    };
    if out.format == Format::Json {
        output::json(&doc)?;
    } else {
        output::out(&render(&doc, out.verbose, out.quiet));
    }
    Ok(if status == Verdict::Pass {
        Exit::Pass
    } else {
        Exit::Fail
    })
}

/// A heading, one line per check (name, dot leader, status, message), the fix and details under the lines
/// that need them, and the verdict last.
fn render(doc: &AuditDoc, verbose: bool, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(format!(
            "relgate github audit · {} · default branch {}",
            doc.repository,
            printable(doc.default_branch)
        ));
    }
    let width = doc.checks.iter().map(|c| c.name.len()).max().unwrap_or(0) + 2;
    for check in doc.checks {
        if quiet && check.status == Status::Pass {
            continue;
        }
        let leader = ".".repeat(width.saturating_sub(check.name.len()));
        let (style, label) = label(check);
        out.add(format!("  {} ", check.name))
            .paint(Style::Dim, leader)
            .add(" ")
            .paint(style, label)
            .line(format!("  {}", check.message));
        if verbose || matches!(check.status, Status::Fail | Status::Error) {
            for detail in &check.details {
                out.lines("      ", detail);
            }
        }
    }
    let total = doc
        .checks
        .iter()
        .filter(|c| c.status != Status::Skipped)
        .count();
    let blocking = doc.checks.iter().filter(|c| c.blocks()).count();
    let warned = doc
        .checks
        .iter()
        .filter(|c| !c.required && matches!(c.status, Status::Fail | Status::Error))
        .count();
    let warn_note = if warned > 0 {
        format!(", {warned} advisory with warnings")
    } else {
        String::new()
    };
    match doc.status {
        Verdict::Pass => out.paint(Style::Pass, "PASS").line(format!(
            " {total} checks passed{warn_note}: GitHub's settings stop a bad release"
        )),
        status => out
            .paint(
                Style::Fail,
                if status == Verdict::Error { "ERROR" } else { "FAIL" },
            )
            .line(format!(
                " {blocking} of {total} checks did not pass{warn_note}: `relgate github protect` sets what it can (--dry-run shows how)"
            )),
    };
    out
}

fn label(check: &CheckResult) -> (Style, &'static str) {
    match check.status {
        Status::Pass => (Style::Pass, "pass "),
        Status::Fail | Status::Error if !check.required => (Style::Warn, "warn "),
        Status::Fail => (Style::Fail, "FAIL "),
        Status::Error => (Style::Fail, "ERROR"),
        Status::Skipped => (Style::Dim, "skip "),
    }
}

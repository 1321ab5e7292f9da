//! `relgate github audit`: pass, fail or warn for each GitHub setting that stops a bad release, with the
//! exact fix; exit 0 when every required check passes, 1 otherwise, 2 when GitHub could not be asked.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Target, api_error, emit};
use crate::Exit;
use crate::cli::{Format, GithubArgs};
use crate::commands::Output;
use crate::gates::github::{self as gate, printable};
use crate::outcome::{CheckResult, Status};
use crate::term;

/// The `relgate github audit --format json` document: the same checks as `relgate check`'s report.
#[derive(Serialize)]
struct AuditDoc<'a> {
    relgate_version: &'static str,
    /// `pass`, `fail` (a required check failed) or `error` (nothing failed, something could not be read).
    status: &'static str,
    repository: String,
    default_branch: &'a str,
    checks: &'a [CheckResult],
}

pub fn run(args: &GithubArgs, out: Output) -> anyhow::Result<Exit> {
    let target = Target::open(args)?;
    let observed =
        gate::observe(&target.client, &target.repo, &target.expect).map_err(|e| api_error(&e))?;
    let checks = gate::audit(&target.expect, &observed);
    let status = status(&checks);
    let doc = AuditDoc {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status,
        repository: target.repo.to_string(),
        default_branch: &observed.repository.default_branch,
        checks: &checks,
    };
    if out.format == Format::Json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
    } else {
        emit(&render(&doc, out.verbose, out.quiet))?;
    }
    Ok(if status == "pass" {
        Exit::Pass
    } else {
        Exit::Fail
    })
}

/// As `relgate check` decides: `error` only when nothing failed but something could not give a verdict.
fn status(checks: &[CheckResult]) -> &'static str {
    let blocking: Vec<&CheckResult> = checks.iter().filter(|c| c.blocks()).collect();
    if blocking.is_empty() {
        "pass"
    } else if blocking.iter().any(|c| c.status == Status::Fail) {
        "fail"
    } else {
        "error"
    }
}

/// A heading, one line per check (name, dot leader, status, message), the fix and details under the lines
/// that need them, and the verdict last.
fn render(doc: &AuditDoc, verbose: bool, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        let _ = writeln!(
            out,
            "relgate github audit · {} · default branch {}",
            doc.repository,
            printable(doc.default_branch)
        );
    }
    let width = doc.checks.iter().map(|c| c.name.len()).max().unwrap_or(0) + 2;
    for check in doc.checks {
        if quiet && check.status == Status::Pass {
            continue;
        }
        let leader = ".".repeat(width.saturating_sub(check.name.len()));
        let _ = writeln!(
            out,
            "  {} {} {}  {}",
            check.name,
            term::paint_dim(&leader),
            label(check),
            check.message
        );
        if verbose || matches!(check.status, Status::Fail | Status::Error) {
            for line in check.details.iter().flat_map(|d| d.lines()) {
                let _ = writeln!(out, "      {line}");
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
    let _ = match doc.status {
        "pass" => writeln!(
            out,
            "{} {total} checks passed{warn_note}: GitHub's settings stop a bad release",
            term::paint_pass("PASS")
        ),
        status => writeln!(
            out,
            "{} {blocking} of {total} checks did not pass{warn_note}: `relgate github protect` sets what it can (--dry-run shows how)",
            term::paint_fail(if status == "error" { "ERROR" } else { "FAIL" })
        ),
    };
    out
}

fn label(check: &CheckResult) -> String {
    match check.status {
        Status::Pass => term::paint_pass("pass "),
        Status::Fail | Status::Error if !check.required => term::paint_warn("warn "),
        Status::Fail => term::paint_fail("FAIL "),
        Status::Error => term::paint_fail("ERROR"),
        Status::Skipped => term::paint_dim("skip "),
    }
}

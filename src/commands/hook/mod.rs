//! `relgate hook pre-push` and `relgate hook reference-transaction`: what the installed shims run.
//!
//! Everything goes to stderr, which git shows the user: one line for a pass, the whole report for a refusal,
//! and the deliberate way around it.

#[cfg(test)]
mod fuzz;
mod input;
mod pre_push;
mod reference_transaction;

use crate::cli::HookCommand;
use crate::commands::Output;
use crate::outcome::{Exit, Status};
use crate::output::{self, errln};
use crate::report::{self, Report};

pub fn run(command: HookCommand, out: Output) -> anyhow::Result<Exit> {
    match command {
        HookCommand::PrePush { path, remote, url } => {
            pre_push::run(path.as_deref(), &remote, &url, out)
        }
        HookCommand::ReferenceTransaction { path, state } => {
            reference_transaction::run(path, &state, out)
        }
    }
}

/// The output settings for `check::gate` in a hook: on a terminal, the progress of a long gate is drawn (and
/// cleared at the end); elsewhere (a GUI client, a script) the hook prints nothing but its result.
fn gate_output(out: Output) -> Output {
    Output {
        quiet: out.quiet || !crate::term::stderr_is_terminal(),
        ..out
    }
}

/// The human report, on stderr.
fn print_report(report: &Report, out: Output) {
    output::err(&report::render(report, out.verbose, out.quiet));
}

/// One line on stderr.
fn say(line: &str) {
    errln!("{line}");
}

/// `relgate: v1.4.0 passed 8 checks`, then a line per optional check that warned.
fn passed(what: &str, report: &Report) {
    let ran = report
        .checks
        .iter()
        .filter(|c| c.status != Status::Skipped)
        .count();
    let cached = report.checks.iter().filter(|c| c.cached).count();
    let noun = if ran == 1 { "check" } else { "checks" };
    let cached_note = if cached > 0 {
        format!(" ({cached} remembered from an earlier pass of the same tree)")
    } else {
        String::new()
    };
    say(&format!("relgate: {what} passed {ran} {noun}{cached_note}"));
    for check in &report.checks {
        if !check.required && matches!(check.status, Status::Fail | Status::Error) {
            say(&format!(
                "relgate: warning: {}: {}",
                check.name, check.message
            ));
        }
    }
}

/// "a, b and c".
fn names(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

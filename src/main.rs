//! relgate: parse the command line, set up colour, dispatch, and map the outcome to an exit status.
//! This is the only place that exits.

// Removed once every gate is wired into `check`.
#![allow(dead_code)]

mod cache;
mod cli;
mod commands;
mod config;
mod env;
mod error;
mod findings;
mod forensics;
#[cfg(test)]
mod fuzz;
mod gates;
mod git;
mod github;
mod hooks;
mod http;
mod outcome;
mod process;
mod project;
mod release;
mod report;
mod runner;
mod shell;
mod tag_format;
mod term;
mod toml_file;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Format};

/// What a command concluded; errors (exit 2) travel separately as `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Pass,
    Fail,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with success, usage errors to stderr; usage errors are 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    term::init(cli.color);
    let format = cli.format;
    match commands::dispatch(cli) {
        Ok(Exit::Pass) => ExitCode::SUCCESS,
        Ok(Exit::Fail) => ExitCode::from(1),
        Err(err) if err.downcast_ref::<error::Interrupted>().is_some() => {
            eprintln!("relgate: interrupted; every check it started was stopped");
            ExitCode::from(130)
        }
        Err(err) => {
            print_error(&err, format);
            ExitCode::from(2)
        }
    }
}

fn print_error(err: &anyhow::Error, format: Format) {
    let hint = error::hint_of(err);
    if format == Format::Json {
        let causes: Vec<String> = err.chain().skip(1).map(ToString::to_string).collect();
        let doc = serde_json::json!({
            "relgate_version": env!("CARGO_PKG_VERSION"),
            "status": "error",
            "error": { "message": err.to_string(), "causes": causes, "hint": hint },
        });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{doc:#}");
        return;
    }
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{} {err}", term::paint_error("error:"));
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "{} {hint}", term::paint_hint("hint:"));
    }
}

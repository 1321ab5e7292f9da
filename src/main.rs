//! relgate: parse the command line, set up colour, dispatch, and map the outcome to an exit status.
//! This is the only place that exits.

mod cache;
mod cli;
mod commands;
mod config;
mod env;
mod error;
mod findings;
mod forensics;
mod gates;
mod git;
mod github;
mod hooks;
mod http;
mod outcome;
mod output;
mod process;
mod project;
mod release;
mod report;
mod runner;
mod shell;
mod tag_format;
mod term;
mod toml_file;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, ColorChoice, Format};
pub use crate::outcome::Exit;
use crate::output::{Style, Text};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with success, usage errors to stderr; usage errors are 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    output::init(match cli.color {
        ColorChoice::Auto => output::Colour::Auto,
        ColorChoice::Always => output::Colour::Always,
        ColorChoice::Never => output::Colour::Never,
    });
    let format = cli.format;
    let outcome = commands::dispatch(cli);
    // Output that could not be written (a full disk) is an error, whatever the verdict; a closed pipe is not.
    if let Some(failure) = output::failure() {
        print_error(&failure, Format::Human);
        return ExitCode::from(2);
    }
    match outcome {
        Ok(Exit::Pass) => ExitCode::SUCCESS,
        Ok(Exit::Fail) => ExitCode::from(1),
        Err(err) if err.downcast_ref::<error::Interrupted>().is_some() => {
            output::errln!("relgate: interrupted; every check it started was stopped");
            ExitCode::from(130)
        }
        Err(err) => {
            print_error(&err, format);
            // The JSON error document itself may not reach stdout: then it is said on stderr.
            if let Some(failure) = output::failure() {
                print_error(&failure, Format::Human);
            }
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
        if output::json(&doc).is_ok() {
            return;
        }
    }
    let mut text = Text::new();
    text.paint(Style::Fail, "error:").line(format!(" {err}"));
    for cause in err.chain().skip(1) {
        text.line(format!("  caused by: {cause}"));
    }
    if let Some(hint) = hint {
        text.paint(Style::Hint, "hint:").line(format!(" {hint}"));
    }
    output::err(&text);
}

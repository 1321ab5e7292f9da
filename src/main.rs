//! relgate: parse the command line, set up colour, dispatch, and map the outcome to an exit status.
//! This is the only place that exits.

mod bump;
mod cache;
mod cli;
mod commands;
mod config;
mod credentials;
mod duration;
mod env;
mod error;
mod files;
mod forensics;
#[cfg(test)]
mod fuzz;
mod gates;
mod git;
mod github;
mod hooks;
mod http;
mod outcome;
mod output;
mod pipeline;
mod process;
mod project;
mod python;
mod release;
mod report;
mod runner;
mod shell;
mod tag_format;
mod term;
mod toml_file;
mod tools;
mod trusted_publishing;
mod urls;
mod yaml;

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
    let format = match commands::format_of(&cli) {
        Ok(format) => format,
        Err(err) => {
            print_error(&err, Format::Human);
            return ExitCode::from(2);
        }
    };
    let outcome = commands::dispatch(cli, format);
    // Output that could not be written (a full disk) is an error, whatever the verdict; a closed pipe is not.
    if let Some(failure) = output::failure() {
        print_error(&failure, Format::Human);
        return ExitCode::from(2);
    }
    match outcome {
        Ok(Exit::Pass) => ExitCode::SUCCESS,
        Ok(Exit::Fail) => ExitCode::from(1),
        Ok(Exit::Unknown) => ExitCode::from(2),
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
    labelled(&mut text, Some((Style::Fail, "error:")), &err.to_string());
    for cause in err.chain().skip(1) {
        labelled(&mut text, None, &format!("  caused by: {cause}"));
    }
    if let Some(hint) = hint {
        labelled(&mut text, Some((Style::Hint, "hint:")), hint);
    }
    output::err(&text);
    if format == Format::Github {
        // The run's page shows why relgate could not run, not only that the step failed.
        let mut annotation = Text::new();
        annotation.command(output::Command::annotation(&output::Annotation {
            title: Some("relgate could not run"),
            message: text.to_string().trim_end(),
            ..output::Annotation::default()
        }));
        output::out(&annotation);
    }
}

/// A message after its label; a message of several lines (`now:`, `retry:`...) keeps them, each shown as words.
fn labelled(text: &mut Text, label: Option<(Style, &str)>, message: &str) {
    let mut lines = message.lines();
    if let Some((style, label)) = label {
        text.paint(style, label).add(" ");
    }
    text.line(lines.next().unwrap_or_default());
    for line in lines {
        text.line(line);
    }
}

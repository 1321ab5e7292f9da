//! Colour on the terminal: decided once from `--color`, `NO_COLOR` and whether the stream is a terminal.
//!
//! Output goes through `anstream`, which strips ANSI codes when colour is off, so renderers can always paint.

use owo_colors::OwoColorize;

use crate::cli::ColorChoice;
use crate::env;

/// Set the process-wide colour choice for `anstream` writers.
pub fn init(choice: ColorChoice) {
    let choice = match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto if env::no_color() => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
}

/// Whether stderr is an interactive terminal (live progress is drawn only there).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Text from outside (an index's or an API's error, a token's claims) made safe for a terminal: control
/// characters, escape sequences and line breaks become `?`, so that the text can neither move the cursor nor
/// forge a line of relgate's output. At most 500 characters.
pub fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(500)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(500).is_some() {
        out.push_str("...");
    }
    out
}

pub fn paint_error(text: &str) -> String {
    text.red().bold().to_string()
}

pub fn paint_hint(text: &str) -> String {
    text.cyan().bold().to_string()
}

pub fn paint_pass(text: &str) -> String {
    text.green().to_string()
}

pub fn paint_fail(text: &str) -> String {
    text.red().bold().to_string()
}

pub fn paint_warn(text: &str) -> String {
    text.yellow().to_string()
}

pub fn paint_dim(text: &str) -> String {
    text.dimmed().to_string()
}

/// The width of the terminal on stderr, for progress lines that must fit on one line (80 when unknown).
pub fn stderr_columns() -> usize {
    match rustix::termios::tcgetwinsize(std::io::stderr()) {
        Ok(size) if size.ws_col > 0 => usize::from(size.ws_col),
        _ => 80,
    }
}

//! The printer: the one way relgate writes to stdout and stderr.
//!
//! Renderers build [`Text`] (or hand over a JSON document); the printer sanitises every word (see `sanitize`),
//! adds relgate's colour when the stream takes it (`--color`, `NO_COLOR`, a terminal), and writes. A closed
//! stdout (`relgate checks | head -1`) is the end of the output, not an error: the command still finishes and
//! exits with its verdict. Any other write error (a full disk, `> /dev/full`) is kept, nothing more is written
//! to stdout, and `main` turns it into exit 2 with a message on stderr. Writing to stderr never fails a run.

mod sanitize;
pub mod summary;
mod text;
pub mod workflow;

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub use self::text::{Style, Text};
pub use self::workflow::{Annotation, Command, Level};

/// When to colour: `--color`, with `NO_COLOR` deciding `auto` (see `main`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Auto,
    Always,
    Never,
}

/// Set once, before anything is printed.
pub fn init(colour: Colour) {
    let choice = match colour {
        Colour::Always => anstream::ColorChoice::Always,
        Colour::Never => anstream::ColorChoice::Never,
        Colour::Auto if crate::env::no_color() => anstream::ColorChoice::Never,
        Colour::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
}

/// Stdout was closed or failed: nothing more is written there.
static STDOUT_DONE: AtomicBool = AtomicBool::new(false);
/// The first error writing to stdout other than a closed pipe.
static STDOUT_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Write `text` to stdout (the report, a listing, a document).
pub fn out(text: &Text) {
    let colour = anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never;
    write_out(&text.render(colour));
}

/// Write `text` to stderr (progress, warnings, errors, the hooks' messages).
pub fn err(text: &Text) {
    let colour = anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never;
    write_err(&text.render(colour));
}

/// Draw `text` over the current line of stderr (the live progress line, on a terminal).
pub fn redraw(text: &Text) {
    let colour = anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never;
    write_err(&format!("{CLEAR_LINE}{}", text.render(colour)));
}

/// Clear the line [`redraw`] drew.
pub fn clear_line() {
    write_err(CLEAR_LINE);
}

/// Back to the start of the line, and erase it.
const CLEAR_LINE: &str = "\r\x1b[2K";

/// Write a JSON document to stdout, pretty-printed. serde escapes the C0 controls inside strings; DEL, the C1
/// controls and bidirectional overrides are escaped here too, so no string in it can act on a terminal. The
/// `[` of a `##[` is written `\u005b` (the same string): GitHub's runner reads a legacy workflow command
/// anywhere in a line of a step's output (see `workflow`), and pretty-printed lines start with whitespace and
/// `"`, never with the `::` of the other form.
pub fn json(document: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(document)?;
    let mut safe = String::with_capacity(text.len() + 1);
    let mut hashes = 0;
    for c in text.chars() {
        if u32::from(c) >= 0x7f && sanitize::needs_care(c) {
            // Outside strings JSON is ASCII: these are always inside a string, where `\uXXXX` is the character.
            let _ = write!(safe, "\\u{:04x}", u32::from(c));
        } else if c == '[' && hashes >= 2 {
            // JSON's own syntax holds no `#`: this `[` is inside a string.
            safe.push_str("\\u005b");
        } else {
            safe.push(c);
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
    }
    safe.push('\n');
    write_out(&safe);
    Ok(())
}

/// One line to stdout: `outln!("{name} {version}")`. The whole line is words (sanitised as one line).
macro_rules! outln {
    ($($arg:tt)*) => {{
        let mut text = $crate::output::Text::new();
        text.line(format!($($arg)*));
        $crate::output::out(&text);
    }};
}

/// One line to stderr, like [`outln!`].
macro_rules! errln {
    ($($arg:tt)*) => {{
        let mut text = $crate::output::Text::new();
        text.line(format!($($arg)*));
        $crate::output::err(&text);
    }};
}

pub(crate) use {errln, outln};

/// The error writing to stdout, if there was one (a closed pipe is none): `main` reports it and exits 2.
pub fn failure() -> Option<anyhow::Error> {
    let error = STDOUT_ERROR.lock().ok().and_then(|e| e.clone())?;
    Some(crate::error::hinted(
        format!("cannot write the output to stdout: {error}"),
        "check where stdout goes (a full disk, a file that cannot grow), or redirect it elsewhere",
    ))
}

fn write_err(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

fn write_out(text: &str) {
    if STDOUT_DONE.load(Ordering::SeqCst) {
        return;
    }
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        STDOUT_DONE.store(true, Ordering::SeqCst);
        if e.kind() != io::ErrorKind::BrokenPipe {
            if let Ok(mut first) = STDOUT_ERROR.lock() {
                first.get_or_insert(e.to_string());
            }
        }
    }
}

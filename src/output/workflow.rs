//! GitHub Actions workflow commands: relgate's own (`::error file=...::message`, `::group::title`), escaped as
//! the actions toolkit escapes them, and the [`Guard`] that keeps every other line relgate prints from being
//! read as one.
//!
//! The runner reads both stdout and stderr of a step, line by line (a CR ends a line too), and takes as a
//! command any line that starts with `::` once leading whitespace is trimmed, and any line holding the legacy
//! `##[name ...]` anywhere (`ActionCommand.TryParseV2` and `TryParse` in
//! <https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs>). A tool's output, a file
//! name or a check name that reached a line as it is could set a step output (`::set-output`), hide text from
//! the log (`::add-mask::`), stop relgate's own annotations (`::stop-commands::`) or forge an error. So every
//! word relgate prints passes the guard after `sanitize`: a `:` that would start a line after whitespace is
//! written `\:`, and a `[` after `##` is written `\[`; only the [`Command`]s built here are written as they are.
//!
//! Glossary: an *annotation* is an `::error`, `::warning` or `::notice` command; GitHub shows it on the run's
//! page and beside the line of the file it names. Its *properties* (`file=`, `line=`, `col=`, `title=`) and its
//! *data* (the message) are percent-escaped: the runner undoes exactly that.

use std::fmt;

use super::sanitize;

/// Escape an annotation's message or a group's title as the toolkit's `escapeData` does
/// (<https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts>): the runner unescapes
/// `%25`, `%0D` and `%0A`, so a message can hold several lines and cannot end its own command line.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property's value as the toolkit's `escapeProperty` does: [`escape_data`], and `:` and `,`, which
/// would end the property list or the property.
pub fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// How many annotations of one level GitHub keeps from a step; it drops the rest without a word
/// (<https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md#limitations>).
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// A message longer than this is cut (GitHub shows an annotation in a box of a few lines anyway).
const MAX_MESSAGE: usize = 4000;
/// A title longer than this is cut; a file path longer than this is left out (it names no file).
const MAX_PROPERTY: usize = 500;

/// The level of an annotation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    #[default]
    Error,
    Warning,
    Notice,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation, from untrusted parts: every part is sanitised for the terminal (colour codes removed, other
/// control characters shown), then escaped.
#[derive(Debug, Clone, Default)]
pub struct Annotation<'a> {
    pub level: Level,
    /// A path relative to the repository's root, `/`-separated, as GitHub needs it to find the file.
    pub file: Option<&'a str>,
    /// Only with `file`.
    pub line: Option<u32>,
    /// Only with `line`.
    pub column: Option<u32>,
    pub title: Option<&'a str>,
    /// Several lines are kept as lines.
    pub message: &'a str,
}

/// One of relgate's own workflow command lines, escaped: only this module builds them, and the printer writes
/// them as they are (see `Text::command`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command(String);

impl Command {
    pub fn annotation(a: &Annotation) -> Command {
        let mut properties = Vec::new();
        let file = a
            .file
            .map(|f| defuse(&sanitize::keep_lines(f)))
            .filter(|f| !f.is_empty() && f.chars().count() <= MAX_PROPERTY);
        if let Some(file) = &file {
            properties.push(format!("file={}", escape_property(file)));
            if let Some(line) = a.line {
                properties.push(format!("line={line}"));
                if let Some(column) = a.column {
                    properties.push(format!("col={column}"));
                }
            }
        }
        if let Some(title) = a
            .title
            .map(|t| defuse(&sanitize::one_line(t)))
            .filter(|t| !t.is_empty())
        {
            let title = clip(&title, MAX_PROPERTY);
            properties.push(format!("title={}", escape_property(&title)));
        }
        let message = clip(&defuse(&sanitize::keep_lines(a.message)), MAX_MESSAGE);
        let mut line = format!("::{}", a.level.as_str());
        if !properties.is_empty() {
            line.push(' ');
            line.push_str(&properties.join(","));
        }
        line.push_str("::");
        line.push_str(&escape_data(&message));
        Command(line)
    }

    /// Start a collapsible group of log lines, shown closed under `title`.
    pub fn group(title: &str) -> Command {
        Command(format!(
            "::group::{}",
            escape_data(&clip(&defuse(&sanitize::one_line(title)), MAX_MESSAGE))
        ))
    }

    /// End the group.
    pub fn endgroup() -> Command {
        Command("::endgroup::".into())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps sanitised words from being read as workflow commands, across the words of a line: relgate's colour
/// codes between two words do not hide a `##[` or a leading `::` the words make together.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Nothing but whitespace on the line yet.
    line_start: bool,
    /// How many `#` were written last, in a row.
    hashes: usize,
}

impl Default for Guard {
    fn default() -> Guard {
        Guard {
            line_start: true,
            hashes: 0,
        }
    }
}

impl Guard {
    /// Append `words` (already sanitised: no control character but a tab) to `out`, neutralised.
    pub fn push(&mut self, out: &mut String, words: &str) {
        for c in words.chars() {
            if self.line_start {
                if c.is_whitespace() {
                    out.push(c);
                    continue;
                }
                self.line_start = false;
                if c == ':' {
                    out.push('\\');
                }
            }
            if c == '[' && self.hashes >= 2 {
                out.push('\\');
            }
            self.hashes = if c == '#' { self.hashes + 1 } else { 0 };
            out.push(c);
        }
    }

    /// One of relgate's own commands was written on this line: nothing after it starts the line.
    pub fn command(&mut self) {
        self.line_start = false;
        self.hashes = 0;
    }

    /// A new line starts.
    pub fn end_line(&mut self) {
        *self = Guard::default();
    }
}

/// `text` with every legacy `##[` written `##\[`. The runner reads a line that starts with `::` as that
/// command and never looks further, so the `##[` in a message would not act; none is written anyway, so that
/// no line relgate prints holds one, whatever a future runner tries first.
fn defuse(text: &str) -> String {
    text.replace("##[", "##\\[")
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

//! One line of a GitHub Actions log: its timestamp, its text without colour codes, and the workflow-command
//! marker the runner gave it (`##[group]`, `##[error]`...).
//!
//! Glossary: a *marker* is the runner's rendering of a workflow command in the log
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>): `::error::x` printed
//! by a tool becomes `##[error]x`, a step's header is `##[group]Run <first line of the script>`.

/// Longest text kept of one line; the rest is cut (a minified file or a progress bar without newlines must not
/// cost unbounded memory).
pub const MAX_LINE: usize = 4096;

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `2024-01-15T10:00:00.1234567Z`, as the runner wrote it.
    pub ts: Option<String>,
    /// The text after the timestamp and the marker, without ANSI codes, BOM or trailing CR.
    pub text: String,
    pub marker: Marker,
    /// A line without a timestamp inside a timestamped log: the next line of a multi-line message (an
    /// `##[error]` annotation whose message holds newlines).
    pub continuation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    None,
    Group,
    EndGroup,
    Error,
    Warning,
    Notice,
    Debug,
    /// `##[command]...`: a command an action ran.
    Command,
}

/// Parse one physical line. `timestamped`: whether the log carries timestamps (then a line without one is a
/// continuation); `plain`: a log copied from the web page, where the runner's markers read `Error: ...`.
pub fn parse(raw: &str, timestamped: bool, plain: bool) -> Line {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let raw = raw.trim_start_matches('\u{feff}');
    let (ts, rest) = match split_timestamp(raw) {
        Some((ts, rest)) => (Some(ts.to_string()), rest),
        None => (None, raw),
    };
    let continuation = timestamped && ts.is_none();
    let clean = clean_text(rest);
    let (marker, text) = if continuation {
        (Marker::None, clean)
    } else {
        split_marker(clean, plain)
    };
    Line {
        ts,
        text,
        marker,
        continuation,
    }
}

/// Whether a line starts with a runner timestamp (after an optional BOM).
pub fn has_timestamp(raw: &str) -> bool {
    split_timestamp(raw.trim_start_matches('\u{feff}')).is_some()
}

/// `2024-01-15T10:00:00.1234567Z rest` -> (`2024-01-15T10:00:00.1234567Z`, `rest`). The fraction is optional
/// (7 digits from the runner; other tools trim it).
pub fn split_timestamp(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut end = 19;
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    if b.get(end) != Some(&b'Z') {
        return None;
    }
    end += 1;
    let rest = &line[end..];
    Some((&line[..end], rest.strip_prefix(' ').unwrap_or(rest)))
}

/// The text as a terminal would show it: ANSI escape sequences removed, only what follows the last carriage
/// return (progress bars redraw the line), cut at [`MAX_LINE`] bytes.
pub fn clean_text(text: &str) -> String {
    // `ESC [2K` erases the line before a progress bar redraws it: as good as a carriage return.
    let mut text = strip_ansi(&text.replace("\u{1b}[2K", "\r"));
    if text.contains("^[[") {
        // Escape codes in caret notation (`cat -v`, some copy-pastes): `^[[36;1m`.
        text = strip_caret_codes(&text);
    }
    let text = match text.rsplit_once('\r') {
        Some((_, last)) if !last.trim().is_empty() => last.to_string(),
        _ => text.replace('\r', ""),
    };
    // Other control characters (a bell, a backspace) would act on the reader's terminal: dropped.
    let text: String = text
        .chars()
        .filter(|c| *c == '\t' || !c.is_control())
        .collect();
    truncate(text, MAX_LINE)
}

/// Remove ANSI escape sequences (CSI, OSC, character set designations), by `anstream`'s VTE parser.
pub fn strip_ansi(text: &str) -> String {
    if !text.contains('\u{1b}') {
        return text.to_string();
    }
    anstream::adapter::strip_str(text).to_string()
}

/// `^[[` + parameters + a final letter, removed.
fn strip_caret_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("^[[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';' || c == '?'))
            .unwrap_or(after.len());
        match after[params..].chars().next() {
            Some(c) if c.is_ascii_alphabetic() => rest = &after[params + 1..],
            _ => {
                out.push_str("^[[");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(" [...]");
    }
    text
}

fn split_marker(text: String, plain: bool) -> (Marker, String) {
    const MARKERS: [(&str, Marker); 8] = [
        ("##[group]", Marker::Group),
        ("##[endgroup]", Marker::EndGroup),
        ("##[error]", Marker::Error),
        ("##[warning]", Marker::Warning),
        ("##[notice]", Marker::Notice),
        ("##[debug]", Marker::Debug),
        ("##[command]", Marker::Command),
        // Old runners' name for a step header.
        ("##[section]", Marker::Group),
    ];
    for (prefix, marker) in MARKERS {
        if let Some(rest) = text.strip_prefix(prefix) {
            return (marker, rest.to_string());
        }
    }
    // A workflow command the runner did not turn into a marker (logs of `act`, commands printed while
    // `::stop-commands::` was on): `::error file=x,line=1::message`.
    for (name, marker) in [
        ("error", Marker::Error),
        ("warning", Marker::Warning),
        ("notice", Marker::Notice),
        ("group", Marker::Group),
        ("endgroup", Marker::EndGroup),
    ] {
        let Some(rest) = text.strip_prefix("::").and_then(|r| r.strip_prefix(name)) else {
            continue;
        };
        if let Some(message) = rest.strip_prefix("::") {
            return (marker, message.to_string());
        }
        if rest.starts_with(' ') {
            if let Some((_, message)) = rest.split_once("::") {
                return (marker, message.to_string());
            }
        }
    }
    if plain {
        // The web page renders `##[error]x` as `Error: x`; only the runner's own wording is trusted, so that a
        // tool printing "Error: ..." is not taken for the runner.
        for (prefix, marker) in [("Error: ", Marker::Error), ("Warning: ", Marker::Warning)] {
            if let Some(rest) = text.strip_prefix(prefix) {
                if is_runner_error(rest) {
                    return (marker, rest.to_string());
                }
            }
        }
    }
    (Marker::None, text)
}

/// The runner's own messages that end a step or a job.
pub fn is_runner_error(text: &str) -> bool {
    exit_code(text).is_some()
        || text.starts_with("The operation was canceled")
        || text.contains("has exceeded the maximum execution time")
        || (text.starts_with("The action '") && text.contains("has timed out after"))
        || text.starts_with("The runner has received a shutdown signal")
        || text.contains("lost communication with the server")
}

/// The exit code in the runner's failure line: `Process completed with exit code 1.`, `Docker run failed with
/// exit code 1`, `The process '/usr/bin/git' failed with exit code 128`.
pub fn exit_code(text: &str) -> Option<i32> {
    let (head, tail) = text.split_once("exit code ")?;
    if !(head.ends_with("Process completed with ")
        || head.ends_with("failed with ")
        || head.ends_with("Docker run failed with "))
    {
        return None;
    }
    let digits: String = tail
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_markers_and_colour() {
        let line = parse(
            "\u{feff}2024-01-15T10:00:00.1234567Z ##[group]Run ruff check .\r",
            true,
            false,
        );
        assert_eq!(line.ts.as_deref(), Some("2024-01-15T10:00:00.1234567Z"));
        assert_eq!(
            (line.marker, line.text.as_str()),
            (Marker::Group, "Run ruff check .")
        );
        let line = parse(
            "2024-01-15T10:00:00Z \u{1b}[36;1mruff check .\u{1b}[0m",
            true,
            false,
        );
        assert_eq!(
            (line.marker, line.text.as_str()),
            (Marker::None, "ruff check .")
        );
        let line = parse("Expected: \"blocked\"", true, false);
        assert!(line.continuation);
        assert_eq!(line.text, "Expected: \"blocked\"");
        let line = parse("Expected: \"blocked\"", false, false);
        assert!(!line.continuation);
    }

    #[test]
    fn ansi_and_carriage_returns() {
        assert_eq!(
            strip_ansi("\u{1b}[31mFAILED\u{1b}[0m tests/x.py::\u{1b}[1mt\u{1b}[0m"),
            "FAILED tests/x.py::t"
        );
        assert_eq!(
            strip_ansi("\u{1b}[?25l\u{1b}[2Kx\u{1b}]0;title\u{7}y"),
            "xy"
        );
        assert_eq!(
            strip_ansi("\u{1b}[1m\u{1b}[31merror:\u{1b}(B\u{1b}[m Incompatible"),
            "error: Incompatible"
        );
        assert_eq!(clean_text("  0% ---\r100% ---"), "100% ---");
        assert_eq!(
            clean_text("\u{1b}[?25l\u{1b}[2K  0% ---\u{1b}[2K\u{1b}[35m100%\u{1b}[0m ---"),
            "100% ---"
        );
        assert_eq!(clean_text("ding\u{7}\u{8}\tdong"), "ding\tdong");
        assert_eq!(
            clean_text("^[[36;1mnpm test^[[0m and ^[[ alone"),
            "npm test and ^[[ alone"
        );
        let long = "x".repeat(MAX_LINE + 10);
        assert!(clean_text(&long).ends_with(" [...]"));
    }

    #[test]
    fn runner_exit_codes() {
        assert_eq!(exit_code("Process completed with exit code 2."), Some(2));
        assert_eq!(exit_code("Docker run failed with exit code 1"), Some(1));
        assert_eq!(
            exit_code("The process '/usr/bin/git' failed with exit code 128"),
            Some(128)
        );
        assert_eq!(exit_code("pytest exited with exit code 3"), None);
    }

    #[test]
    fn plain_web_page_form() {
        let line = parse("Error: Process completed with exit code 1.", false, true);
        assert_eq!(line.marker, Marker::Error);
        let line = parse("Error: no such option --frobnicate", false, true);
        assert_eq!(line.marker, Marker::None);
    }

    #[test]
    fn raw_workflow_commands() {
        let line = parse(
            "::error title=ruff (F401),file=a.py,line=1::a.py:1:8: F401 x",
            false,
            false,
        );
        assert_eq!(
            (line.marker, line.text.as_str()),
            (Marker::Error, "a.py:1:8: F401 x")
        );
        assert_eq!(parse("::error::boom", false, false).marker, Marker::Error);
        assert_eq!(parse("::just text", false, false).marker, Marker::None);
    }
}

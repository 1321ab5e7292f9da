//! `black --check`: `would reformat PATH` per file, and `error: cannot format PATH: ...` or
//! `error: cannot parse: PATH:LINE:COL` (followed by the parser's message) for files black could not read.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, relative};
use crate::outcome::Finding;
use crate::shell;

static WOULD_REFORMAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^would reformat (?P<file>.+)$").expect("valid regex"));
static CANNOT_PARSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^error: cannot parse: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+)$")
        .expect("valid regex")
});
static CANNOT_FORMAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^error: cannot format (?P<file>.+?): (?P<msg>.*?)(?::\s*(?P<line>\d+):(?P<col>\d+):.*)?$",
    )
    .expect("valid regex")
});

pub fn parse(input: &Input) -> Vec<Finding> {
    let lines: Vec<&str> = input.output.lines().collect();
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        if let Some(caps) = WOULD_REFORMAT.captures(line) {
            let file = relative(&caps["file"], input.project_dir);
            out.push(Finding {
                fix_suggestion: Some(format!("black {}", shell::quote(&file))),
                file: Some(file),
                ..finding(input.kind, "error", "would be reformatted")
            });
        } else if let Some(caps) = CANNOT_PARSE.captures(line) {
            // The parser's message is the first unindented line after the source excerpt.
            let message = lines[i + 1..]
                .iter()
                .take(6)
                .find(|l| !l.starts_with(' ') && !l.trim().is_empty())
                .map_or("cannot parse", |l| l.trim());
            out.push(Finding {
                file: Some(relative(&caps["file"], input.project_dir)),
                line: caps["line"].parse().ok(),
                column: caps["col"].parse().ok(),
                code: Some("parse-error".into()),
                ..finding(
                    input.kind,
                    "error",
                    format!("black cannot parse the file: {message}"),
                )
            });
        } else if let Some(caps) = CANNOT_FORMAT.captures(line) {
            out.push(Finding {
                file: Some(relative(&caps["file"], input.project_dir)),
                line: caps.name("line").and_then(|m| m.as_str().parse().ok()),
                column: caps.name("col").and_then(|m| m.as_str().parse().ok()),
                code: Some("parse-error".into()),
                ..finding(
                    input.kind,
                    "error",
                    format!("black cannot format the file: {}", caps["msg"].trim()),
                )
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::input;
    use super::*;

    #[test]
    fn would_reformat_and_cannot_parse_from_black() {
        let output = include_str!("../../tests/fixtures/findings/black.txt");
        let findings = parse(&input(output, "format"));
        assert_eq!(
            findings,
            [
                Finding {
                    file: Some("src/pkg/broken.py".into()),
                    line: Some(1),
                    column: Some(6),
                    kind: "format".into(),
                    severity: "error".into(),
                    code: Some("parse-error".into()),
                    message: "black cannot parse the file: ParseError: bad input".into(),
                    fix_suggestion: None,
                },
                Finding {
                    file: Some("src/pkg/__init__.py".into()),
                    line: None,
                    column: None,
                    kind: "format".into(),
                    severity: "error".into(),
                    code: None,
                    message: "would be reformatted".into(),
                    fix_suggestion: Some("black src/pkg/__init__.py".into()),
                },
            ]
        );
    }

    #[test]
    fn older_cannot_format_message() {
        let output = "error: cannot format src/x.py: Cannot parse for target version Python 3.12: 3:7: def f(:\n";
        let findings = parse(&input(output, "format"));
        assert_eq!(findings[0].file.as_deref(), Some("src/x.py"));
        assert_eq!((findings[0].line, findings[0].column), (Some(3), Some(7)));
        assert_eq!(
            findings[0].message,
            "black cannot format the file: Cannot parse for target version Python 3.12"
        );
    }
}

//! black, `black --check`: `would reformat PATH` per file, and `error: cannot format PATH: ...` or
//! `error: cannot parse: PATH:LINE:COL` (followed by the parser's message) for files it could not read.

use std::sync::LazyLock;

use regex::Regex;

use super::command::{Action, Arguments, Inputs, CacheEnv, Context};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, relative};
use super::verdict::Fix;
use super::Tool;
use crate::outcome::{Finding, Kind};
use crate::shell;

pub static TOOL: Tool = Tool {
    name: "black",
    kind: Kind::Format,
    program: "black",
    distribution: "black",
    configuration: Configuration {
        tables: &[&["tool", "black"]],
        ..Configuration::NONE
    },
    hook_ids: &["black", "black-jupyter"],
    hook_repos: &[
        "https://github.com/psf/black",
        "https://github.com/psf/black-pre-commit-mirror",
    ],
    actions: &[Action {
        uses: "psf/black",
        command: action,
    }],
    arguments,
    drops: &[
        ("--check", false),
        ("--diff", false),
        ("--color", false),
        ("-q", false),
        ("--quiet", false),
    ],
    // `--check` cannot be undone by a later option; the cache is `BLACK_CACHE_DIR`.
    reads_only: Some(&[]),
    cache_env: Some(CacheEnv {
        var: "BLACK_CACHE_DIR",
        by_path: true,
    }),
    parse,
    fix: Fix::Rewrite {
        command: "black",
        verb: "format them",
        changed: "would be reformatted",
    },
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(_: &Context) -> Arguments {
    Arguments {
        targets: vec![".".into()],
        ..Arguments::own(&["--check"])
    }
}

/// black's action runs `black OPTIONS SRC` (`--check --diff` and `.` by default).
fn action(input: Inputs) -> String {
    let options = input("options").filter(|o| !o.is_empty());
    let src = input("src").filter(|s| !s.is_empty());
    format!(
        "black {} {}",
        options.as_deref().unwrap_or("--check --diff"),
        src.as_deref().unwrap_or(".")
    )
}

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

fn parse(input: &Input) -> Vec<Finding> {
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

static LOG_WOULD_REFORMAT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^would reformat (.+)$").ok());
/// `1 file would be reformatted, 2 files would be left unchanged.` (ruff format's count has no full stop).
static LOG_COUNT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\d+ files? would be reformatted\b.*\.$").ok());

/// The files it would reformat and its count.
fn log(lines: &dyn Log) -> Option<Sighting> {
    let mut files = Vec::new();
    let mut first = None;
    let mut count = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if let Some(c) = log::caps(&LOG_WOULD_REFORMAT, text) {
            files.push(c[1].trim().to_string());
            first.get_or_insert(i);
        } else if log::matches(&LOG_COUNT, text) {
            count.get_or_insert(i);
        }
    }
    log::reformat(lines, files, first, count)
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::input;
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

    #[test]
    fn the_action_stands_for_its_command() {
        assert_eq!(action(&|_| None), "black --check --diff .");
    }
}

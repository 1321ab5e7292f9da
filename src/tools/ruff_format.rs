//! ruff's formatter, `ruff format --check`: detected only with evidence of its own (`[tool.ruff.format]`, a
//! hook, a command), since a project that lints with ruff may well format with black; JSON lines since ruff
//! 0.15, its text before.

use std::sync::LazyLock;

use regex::Regex;

use super::command::{Arguments, Context, at_least};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, json_lines, number, relative};
use super::ruff::{LOG_ARROW, join_file, text};
use super::verdict::Fix;
use super::Tool;
use crate::outcome::{Finding, Kind};

pub static TOOL: Tool = Tool {
    name: "ruff-format",
    kind: Kind::Format,
    program: "ruff",
    subcommand: Some("format"),
    distribution: "ruff",
    configuration: Configuration {
        tables: &[&["tool", "ruff", "format"]],
        file_tables: &[("ruff.toml", &["format"]), (".ruff.toml", &["format"])],
        ..Configuration::NONE
    },
    hook_ids: &["ruff-format"],
    hook_repos: &["https://github.com/astral-sh/ruff-pre-commit"],
    arguments,
    drops: &[
        ("--check", false),
        ("--diff", false),
        ("--output-format", true),
    ],
    // `--check` leaves the files alone; a cache directory of the project's own would be written.
    reads_only: Some(&["--cache-dir"]),
    parse,
    fix: Fix::Rewrite {
        command: "ruff format",
        verb: "format them",
        changed: "would be reformatted",
    },
    by_hand: Some("ruff format --check"),
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(ctx: &Context) -> Arguments {
    let mut args = Arguments::own(&["--check"]);
    // `ruff format --check` writes JSON since 0.15 (its text is read before that).
    if ctx.version.is_some_and(|v| at_least(v, (0, 15))) {
        args.own.push("--output-format=json-lines".into());
    }
    args
}

/// ruff format's older text: `Would reformat: path`.
static WOULD_REFORMAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Would reformat: (?P<file>.+)$").expect("valid regex"));

/// One finding per file that would be reformatted, at its first difference, with the command that formats it;
/// a file ruff cannot parse is reported with the parser's message.
fn parse(input: &Input) -> Vec<Finding> {
    let from_json: Vec<Finding> = json_lines(input.output)
        .filter(|v| v.get("filename").is_some())
        .map(|v| {
            let file = v["filename"]
                .as_str()
                .map(|f| relative(f, input.project_dir));
            let code = v["code"].as_str().unwrap_or("unformatted");
            let unformatted = code == "unformatted";
            Finding {
                line: number(&v["location"]["row"]),
                column: number(&v["location"]["column"]),
                code: (!unformatted).then(|| code.to_owned()),
                fix_suggestion: unformatted.then(|| join_file("ruff format", file.as_deref())),
                file,
                ..finding(
                    input.kind,
                    "error",
                    if unformatted {
                        "would be reformatted"
                    } else {
                        v["message"].as_str().unwrap_or("")
                    },
                )
            }
        })
        .collect();
    if !from_json.is_empty() {
        return from_json;
    }
    let mut findings = text(input, |_, _, _| None);
    for f in &mut findings {
        if f.code.as_deref() == Some("unformatted") {
            f.code = None;
            f.message = "would be reformatted".into();
            f.fix_suggestion = Some(join_file("ruff format", f.file.as_deref()));
        }
    }
    findings.extend(input.output.lines().filter_map(|l| {
        let caps = WOULD_REFORMAT.captures(l.trim())?;
        let file = relative(&caps["file"], input.project_dir);
        Some(Finding {
            fix_suggestion: Some(join_file("ruff format", Some(&file))),
            file: Some(file),
            ..finding(input.kind, "error", "would be reformatted")
        })
    }));
    findings
}

static LOG_WOULD_REFORMAT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^Would reformat: (.+)$").ok());
/// `1 file would be reformatted, 3 files already formatted` (black's count ends with a full stop).
static LOG_COUNT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\d+ files? would be reformatted\b[^.]*$").ok());

/// The files it would reformat (`Would reformat: x`, or since 0.15 `unformatted: File would be reformatted`
/// over ` --> x:3:1`) and its count.
fn log(lines: &dyn Log) -> Option<Sighting> {
    let mut files = Vec::new();
    let mut first = None;
    let mut count = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if let Some(c) = log::caps(&LOG_WOULD_REFORMAT, text) {
            files.push(c[1].trim().to_string());
            first.get_or_insert(i);
        } else if text == "unformatted: File would be reformatted" {
            if let Some(c) = log::caps(&LOG_ARROW, lines.text(i + 1)) {
                let file = c[1].rsplitn(3, ':').last().unwrap_or(&c[1]).to_string();
                files.push(file);
            }
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

    fn lines(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {} {} | {}",
                    f.file.as_deref().unwrap_or("-"),
                    f.line.unwrap_or(0),
                    f.column.unwrap_or(0),
                    f.code.as_deref().unwrap_or("-"),
                    f.message,
                    f.fix_suggestion.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn format_json_lines_and_text_from_ruff() {
        let expected = [
            "src/pkg/__init__.py:6:13 - would be reformatted | ruff format src/pkg/__init__.py",
            "src/pkg/broken.py:1:7 invalid-syntax Expected a parameter or the end of the parameter list | -",
        ];
        let json = include_str!("../../tests/fixtures/findings/ruff-format.jsonl");
        assert_eq!(lines(&parse(&input(json, "format"))), expected);
        let text = include_str!("../../tests/fixtures/findings/ruff-format.txt");
        assert_eq!(lines(&parse(&input(text, "format"))), expected);
    }
}

//! ruff's linter, `ruff check`: its configuration, its command (`--no-fix`: `fix = true` in ruff's
//! configuration would rewrite the files), its JSON lines or text output (the default `full` format and
//! `concise`), its fixes, its action and its failure in a CI log. `ruff format` is [`super::ruff_format`].

use std::sync::LazyLock;

use regex::Regex;

use super::command::{Action, Arguments, Inputs, CacheEnv, Context};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, json_lines, number, relative};
use super::verdict::Fix;
use super::Tool;
use crate::outcome::{Finding, Kind};
use crate::shell;

pub static TOOL: Tool = Tool {
    name: "ruff",
    kind: Kind::Lint,
    program: "ruff",
    subcommand: Some("check"),
    bare: true,
    distribution: "ruff",
    configuration: Configuration {
        tables: &[&["tool", "ruff"]],
        files: &["ruff.toml", ".ruff.toml"],
        ..Configuration::NONE
    },
    hook_ids: &["ruff", "ruff-check"],
    hook_repos: &["https://github.com/astral-sh/ruff-pre-commit"],
    actions: &[
        Action {
            uses: "astral-sh/ruff-action",
            command: action,
        },
        Action {
            uses: "chartboost/ruff-action",
            command: action,
        },
    ],
    arguments,
    drops: &[
        ("--fix", false),
        ("--unsafe-fixes", false),
        ("--fix-only", false),
        ("--show-fixes", false),
        ("--watch", false),
        ("-w", false),
        ("--output-format", true),
        ("--format", true),
        ("--output-file", true),
        ("-o", true),
        ("--statistics", false),
        ("--diff", false),
    ],
    safety: &["--no-fix"],
    // With `--no-fix` and its cache under relgate's directory, ruff only reads; these would write anyway.
    reads_only: Some(&[
        "--fix",
        "--fix-only",
        "--add-noqa",
        "--cache-dir",
        "--output-file",
        "-o",
    ]),
    cache_env: Some(CacheEnv {
        var: "RUFF_CACHE_DIR",
        by_path: true,
    }),
    parse,
    fix: Fix::Some {
        command: "ruff check --fix",
        marker: "[*]",
    },
    by_hand: Some("ruff check"),
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(_: &Context) -> Arguments {
    Arguments::own(&["--no-fix", "--output-format=json-lines"])
}

/// ruff's action runs `ruff ARGS SRC` (`args` defaults to `check`): `format --check` makes it ruff format's.
fn action(input: Inputs) -> String {
    let args = input("args").filter(|a| !a.is_empty());
    let src = input("src").unwrap_or_default();
    format!("ruff {} {src}", args.as_deref().unwrap_or("check"))
        .trim()
        .to_string()
}

/// `path:line:col: CODE [*] message` (concise), also ruff format's `path:line:col: unformatted: ...`.
static CONCISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Za-z]+[0-9]*|[a-z-]+):? (?P<fix>\[\*\] )?(?P<msg>.*)$")
        .expect("valid regex")
});
/// The heading of a diagnostic in the full format: `CODE [*] message` or `code: message`.
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<code>[A-Z]+[0-9]+|[a-z][a-z-]*)(?::)? (?P<fix>\[\*\] )?(?P<msg>\S.*)$")
        .expect("valid regex")
});
/// The location line under a heading: ` --> path:line:col`.
static ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*-->\s+(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)\s*$").expect("valid regex")
});

/// `ruff check` findings. Fixable ones carry the command that fixes them.
fn parse(input: &Input) -> Vec<Finding> {
    let from_json: Vec<Finding> = json_lines(input.output)
        .filter(|v| v.get("code").is_some() && v.get("location").is_some())
        .map(|v| {
            let file = v["filename"]
                .as_str()
                .map(|f| relative(f, input.project_dir));
            let fix = match v["fix"]["applicability"].as_str() {
                Some("safe") => Some("ruff check --fix"),
                Some("unsafe") => Some("ruff check --fix --unsafe-fixes"),
                _ => None,
            };
            Finding {
                line: number(&v["location"]["row"]),
                column: number(&v["location"]["column"]),
                code: v["code"].as_str().map(str::to_owned),
                severity: v["severity"].as_str().unwrap_or("error").into(),
                fix_suggestion: fix.map(|f| join_file(f, file.as_deref())),
                file,
                ..finding(input.kind, "error", v["message"].as_str().unwrap_or(""))
            }
        })
        .collect();
    if !from_json.is_empty() {
        return from_json;
    }
    text(input, |code, fixable, file| {
        if code.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && fixable {
            Some(join_file("ruff check --fix", file))
        } else {
            None
        }
    })
}

/// ruff's full and concise text formats, `ruff check`'s and `ruff format`'s alike. `fix_for(code, fixable,
/// file)` gives the fix suggestion.
pub(super) fn text(
    input: &Input,
    fix_for: impl Fn(&str, bool, Option<&str>) -> Option<String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut heading: Option<(String, bool, String)> = None;
    for line in input.output.lines() {
        if let Some(caps) = CONCISE.captures(line) {
            let file = relative(&caps["file"], input.project_dir);
            let code = caps["code"].to_owned();
            let fixable = caps.name("fix").is_some();
            out.push(Finding {
                line: caps["line"].parse().ok(),
                column: caps["col"].parse().ok(),
                fix_suggestion: fix_for(&code, fixable, Some(&file)),
                code: Some(code),
                file: Some(file),
                ..finding(input.kind, "error", caps["msg"].trim())
            });
            heading = None;
            continue;
        }
        if let Some(caps) = ARROW.captures(line) {
            if let Some((code, fixable, message)) = heading.take() {
                let file = relative(&caps["file"], input.project_dir);
                out.push(Finding {
                    line: caps["line"].parse().ok(),
                    column: caps["col"].parse().ok(),
                    fix_suggestion: fix_for(&code, fixable, Some(&file)),
                    code: Some(code),
                    file: Some(file),
                    ..finding(input.kind, "error", message)
                });
            }
            continue;
        }
        heading = HEADING.captures(line).map(|caps| {
            (
                caps["code"].to_owned(),
                caps.name("fix").is_some(),
                caps["msg"].trim().to_owned(),
            )
        });
    }
    out
}

/// `command FILE`, the file quoted for a shell.
pub(super) fn join_file(command: &str, file: Option<&str>) -> String {
    match file {
        Some(file) => format!("{command} {}", shell::quote(file)),
        None => command.to_owned(),
    }
}

/// ruff's full format in a log: `F401 [*] `os` imported but unused`, then ` --> src/x.py:1:8`.
static LOG_HEADING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([A-Z]{1,4}\d{1,4}) (?:\[\*\] )?(.+)$").ok());
/// The location line under a heading (ruff format's too).
pub(super) static LOG_ARROW: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*--> (.+:\d+:\d+)\s*$").ok());
static LOG_SUMMARY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^Found (\d+) errors?(?: \(.*\))?\.$").ok());

/// `Found 3 errors.` and the first finding, in the concise format (and GitHub annotations) or the full one.
fn log(lines: &dyn Log) -> Option<Sighting> {
    log::findings(
        lines,
        |lines, i| {
            let text = lines.text(i).trim_end();
            if let Some(found) = log::code_line(text) {
                return Some(found);
            }
            let heading = log::caps(&LOG_HEADING, text)?;
            let arrow = log::caps(&LOG_ARROW, lines.text(i + 1))?;
            let message = heading[2].trim_start_matches("[*] ");
            Some(format!("{}: {} {message}", &arrow[1], &heading[1]))
        },
        |text| log::matches(&LOG_SUMMARY, text),
    )
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::input;
    use super::*;
    use crate::outcome::Severity;

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

    const CHECK_EXPECTED: [&str; 4] = [
        "src/pkg/__init__.py:1:8 F401 `os` imported but unused | -",
        "src/pkg/__init__.py:2:1 UP035 `typing.List` is deprecated, use `list` instead | -",
        "src/pkg/__init__.py:9:15 UP006 Use `list` instead of `List` for type annotation | ruff check --fix src/pkg/__init__.py",
        "tests/test_import.py:1:8 F401 `missing_module` imported but unused | ruff check --fix tests/test_import.py",
    ];

    #[test]
    fn check_json_lines_from_ruff() {
        let out = include_str!("../../tests/fixtures/findings/ruff-check.jsonl");
        let findings = parse(&input(out, "lint"));
        assert_eq!(lines(&findings), CHECK_EXPECTED);
        assert!(
            findings
                .iter()
                .all(|f| f.severity == Severity::Error && f.kind == "lint")
        );
    }

    #[test]
    fn check_full_and_concise_text_from_ruff() {
        let full = include_str!("../../tests/fixtures/findings/ruff-check.txt");
        assert_eq!(lines(&parse(&input(full, "lint"))), CHECK_EXPECTED);
        let concise = include_str!("../../tests/fixtures/findings/ruff-check-concise.txt");
        assert_eq!(lines(&parse(&input(concise, "lint"))), CHECK_EXPECTED);
    }

    #[test]
    fn noise_and_cut_lines_are_ignored() {
        let out = "warning: The top-level linter settings are deprecated\n{\"code\":\"F401\",\"filename\":\"a.py\",\"location\":{\"row\":1,\"column\":8},\"message\":\"m\",\"fix\":null}\n{\"code\":\"F4[... 100 bytes dropped ...]\n";
        assert_eq!(lines(&parse(&input(out, "lint"))), ["a.py:1:8 F401 m | -"]);
    }

    #[test]
    fn paths_with_spaces_are_quoted_in_fixes() {
        assert_eq!(
            join_file("ruff check --fix", Some("src/my file.py")),
            "ruff check --fix 'src/my file.py'"
        );
        assert_eq!(join_file("ruff format", Some("src/x.py")), "ruff format src/x.py");
    }

    #[test]
    fn the_action_stands_for_its_command() {
        let with = |args: &'static str| move |key: &str| (key == "args").then(|| args.to_owned());
        assert_eq!(action(&with("")), "ruff check");
        assert_eq!(action(&with("format --check")), "ruff format --check");
    }
}

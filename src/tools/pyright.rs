//! pyright: `--outputjson` (0-based positions) or its text `  path:line:col - severity: message (rule)`, whose
//! message continues on lines indented with no-break spaces; the environment's interpreter given with
//! `--pythonpath`. basedpyright, its fork, reads and writes the same (see [`super::basedpyright`]).

use std::sync::LazyLock;

use regex::Regex;

use super::command::{Action, Arguments, Context};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, json_document, number, one_line, relative};
use super::Tool;
use crate::outcome::{Finding, Kind};

pub static TOOL: Tool = Tool {
    name: "pyright",
    kind: Kind::Type,
    program: "pyright",
    distribution: "pyright",
    configuration: Configuration {
        tables: &[&["tool", "pyright"]],
        files: &["pyrightconfig.json"],
        ..Configuration::NONE
    },
    hook_ids: &["pyright"],
    hook_repos: &["https://github.com/RobertCraigie/pyright-python"],
    actions: &[Action {
        uses: "jakebailey/pyright-action",
        command: |_| "pyright".into(),
    }],
    arguments,
    drops: DROPS,
    reads_only: Some(&["--createstub", "--writebaseline"]),
    parse,
    log: Some(log),
    ..Tool::DEFAULT
};

/// What pyright and basedpyright leave out of the project's arguments.
pub(super) const DROPS: &[(&str, bool)] = &[
    ("--outputjson", false),
    ("--watch", false),
    ("-w", false),
    ("--writebaseline", false),
    ("--pythonpath", true),
];

pub(super) fn arguments(ctx: &Context) -> Arguments {
    let mut args = Arguments::own(&["--outputjson"]);
    if let Some(python) = ctx.python {
        args.own.push("--pythonpath".into());
        args.own.push(python.display().to_string());
    }
    args
}

static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+) - (?P<sev>error|warning|information): (?P<msg>.*)$")
        .expect("valid regex")
});
static RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<msg>.*) \((?P<rule>report[A-Za-z]+)\)$").expect("valid regex")
});

pub(super) fn parse(input: &Input) -> Vec<Finding> {
    if let Some(doc) = json_document(input.output) {
        if let Some(diagnostics) = doc["generalDiagnostics"].as_array() {
            return diagnostics
                .iter()
                .map(|d| {
                    let start = &d["range"]["start"];
                    Finding {
                        file: d["file"].as_str().map(|f| relative(f, input.project_dir)),
                        line: number(&start["line"]).map(|l| l + 1),
                        column: number(&start["character"]).map(|c| c + 1),
                        code: d["rule"].as_str().map(str::to_owned),
                        ..finding(
                            input.kind,
                            severity(d["severity"].as_str().unwrap_or("error")),
                            one_line(d["message"].as_str().unwrap_or("")),
                        )
                    }
                })
                .collect();
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    let mut open = false;
    for line in input.output.lines() {
        if let Some(caps) = TEXT.captures(line) {
            out.push(Finding {
                file: Some(relative(&caps["file"], input.project_dir)),
                line: caps["line"].parse().ok(),
                column: caps["col"].parse().ok(),
                ..finding(input.kind, severity(&caps["sev"]), caps["msg"].trim())
            });
            open = true;
        } else if open && line.starts_with(char::is_whitespace) {
            if let Some(last) = out.last_mut() {
                last.message = format!("{}; {}", last.message, line.trim());
            }
        } else {
            open = false;
        }
    }
    for f in &mut out {
        if let Some(caps) = RULE.captures(&f.message) {
            f.code = Some(caps["rule"].to_owned());
            f.message = caps["msg"].to_owned();
        }
    }
    out
}

fn severity(pyright: &str) -> &str {
    match pyright {
        "information" => "note",
        other => other,
    }
}

static LOG_FINDING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(.+?\.pyi?):(\d+):(\d+) - error: (.+)$").ok());
static LOG_SUMMARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(\d+) errors?, \d+ warnings?, \d+ (?:informations?|notes?)\s*$").ok()
});

/// `/path/x.py:3:12 - error: ...` and `2 errors, 0 warnings, 0 informations`.
pub(super) fn log(lines: &dyn Log) -> Option<Sighting> {
    let first = (0..lines.len()).find(|&i| log::matches(&LOG_FINDING, lines.text(i)));
    let summary = (0..lines.len()).find(|&i| {
        log::caps(&LOG_SUMMARY, lines.text(i).trim()).is_some_and(|c| &c[1] != "0")
    });
    log::first_error(lines, first, summary)
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::{input, located};
    use super::*;

    fn at(output: &str) -> Vec<String> {
        located(&parse(&input(output, "type")))
    }

    const EXPECTED: [&str; 11] = [
        "src/pkg/__init__.py:1:8 warning reportUnusedImport Import \"os\" is not accessed",
        "src/pkg/__init__.py:2:20 warning reportDeprecated This type is deprecated as of Python 3.9; use \"list\" instead",
        "src/pkg/__init__.py:9:15 warning reportDeprecated This type is deprecated as of Python 3.9; use \"list\" instead",
        "src/pkg/__init__.py:10:12 error reportReturnType Type \"int\" is not assignable to return type \"str\"; \"int\" is not assignable to \"str\"",
        "src/pkg/broken.py:1:6 error - \"(\" was not closed",
        "src/pkg/broken.py:1:7 error - Expected parameter name",
        "src/pkg/broken.py:1:7 error - Position-only parameter separator not allowed as first parameter",
        "src/pkg/broken.py:2:5 error - Expected expression",
        "src/pkg/broken.py:3:1 error - Expected \":\"",
        "src/pkg/broken.py:3:1 error - Expected expression",
        "src/pkg/broken.py:3:1 error - Statements must be separated by newlines or semicolons",
    ];

    /// basedpyright's output: pyright's own is the same.
    #[test]
    fn json_and_text_from_the_pyright_family() {
        assert_eq!(
            at(include_str!(
                "../../tests/fixtures/findings/basedpyright.json"
            )),
            EXPECTED
        );
        assert_eq!(
            at(include_str!(
                "../../tests/fixtures/findings/basedpyright.txt"
            )),
            EXPECTED
        );
    }
}

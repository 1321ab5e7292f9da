//! pyright and basedpyright: `--outputjson` (0-based positions), or their text
//! `  path:line:col - severity: message (rule)`, whose message continues on lines indented with no-break
//! spaces.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, json_document, number, one_line, relative};
use crate::outcome::Finding;

static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+) - (?P<sev>error|warning|information): (?P<msg>.*)$")
        .expect("valid regex")
});
static RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<msg>.*) \((?P<rule>report[A-Za-z]+)\)$").expect("valid regex")
});

pub fn parse(input: &Input) -> Vec<Finding> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{input, located};
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

    #[test]
    fn json_from_basedpyright() {
        assert_eq!(
            at(include_str!(
                "../../tests/fixtures/findings/basedpyright.json"
            )),
            EXPECTED
        );
    }

    #[test]
    fn text_from_basedpyright() {
        assert_eq!(
            at(include_str!(
                "../../tests/fixtures/findings/basedpyright.txt"
            )),
            EXPECTED
        );
    }
}

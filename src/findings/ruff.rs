//! `ruff check` and `ruff format --check`: JSON lines (`--output-format json-lines`, what relgate asks for), or
//! ruff's text formats for a configured command (the default `full` one and `concise`).

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, json_lines, number, relative};
use crate::outcome::Finding;
use crate::shell;

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
/// ruff format's older text: `Would reformat: path`.
static WOULD_REFORMAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Would reformat: (?P<file>.+)$").expect("valid regex"));

/// `ruff check` findings. Fixable ones carry the command that fixes them.
pub fn check(input: &Input) -> Vec<Finding> {
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

/// `ruff format --check` findings: one per file that would be reformatted, at its first difference, with the
/// command that formats it; a file ruff cannot parse is reported with the parser's message.
pub fn format(input: &Input) -> Vec<Finding> {
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

/// The full and concise text formats. `fix_for(code, fixable, file)` gives the fix suggestion.
fn text(
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

fn join_file(command: &str, file: Option<&str>) -> String {
    match file {
        Some(file) => format!("{command} {}", shell::quote(file)),
        None => command.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::input;
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
        let findings = check(&input(out, "lint"));
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
        assert_eq!(lines(&check(&input(full, "lint"))), CHECK_EXPECTED);
        let concise = include_str!("../../tests/fixtures/findings/ruff-check-concise.txt");
        assert_eq!(lines(&check(&input(concise, "lint"))), CHECK_EXPECTED);
    }

    #[test]
    fn format_json_lines_and_text_from_ruff() {
        let expected = [
            "src/pkg/__init__.py:6:13 - would be reformatted | ruff format src/pkg/__init__.py",
            "src/pkg/broken.py:1:7 invalid-syntax Expected a parameter or the end of the parameter list | -",
        ];
        let json = include_str!("../../tests/fixtures/findings/ruff-format.jsonl");
        assert_eq!(lines(&format(&input(json, "format"))), expected);
        let text = include_str!("../../tests/fixtures/findings/ruff-format.txt");
        assert_eq!(lines(&format(&input(text, "format"))), expected);
    }

    #[test]
    fn noise_and_cut_lines_are_ignored() {
        let out = "warning: The top-level linter settings are deprecated\n{\"code\":\"F401\",\"filename\":\"a.py\",\"location\":{\"row\":1,\"column\":8},\"message\":\"m\",\"fix\":null}\n{\"code\":\"F4[... 100 bytes dropped ...]\n";
        assert_eq!(lines(&check(&input(out, "lint"))), ["a.py:1:8 F401 m | -"]);
    }

    #[test]
    fn paths_with_spaces_are_quoted_in_fixes() {
        assert_eq!(shell::quote("src/my file.py"), "'src/my file.py'");
        assert_eq!(shell::quote("src/x.py"), "src/x.py");
    }
}

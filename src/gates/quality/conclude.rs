//! A check's verdict from how its tool ended and what it printed: each tool's exit codes, its findings, and
//! the next action.
//!
//! A tool's "violations" exit (1 for every tool here) is a `fail`; exit 0 a `pass` (warnings kept as
//! findings). Any other exit is the tool not doing its job (ruff 2, mypy 2, pyright 2-4, black 123, pytest
//! 2-5): an `error` with its message, unless it reported findings about the code (a syntax error mypy or
//! black could not get past, a test module pytest could not import): those are the release's defects, a
//! `fail`.

use std::collections::BTreeMap;

use super::tool::Tool;
use crate::findings;
use crate::outcome::{CheckResult, Finding, Severity, Status};
use crate::shell;

/// What the tool printed and wrote, read after it exited with `code`.
pub struct Exit<'a> {
    pub tool: Tool,
    pub code: i32,
    pub findings: Vec<Finding>,
    pub output: &'a str,
    /// The output was cut to its head and tail.
    pub truncated: bool,
    /// pytest's report, when written: (tests, failures + errors, skipped).
    pub counts: Option<(u32, u32, u32)>,
    /// The arguments after the executable, to repeat in fix commands (`ruff format src`).
    pub args: &'a [String],
    /// Whether relgate built the command (its own output options) or the user configured it.
    pub detected: bool,
}

pub fn conclude(mut result: CheckResult, exit: Exit) -> CheckResult {
    let tool = exit.tool;
    let errors = exit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let crashed = exit.output.contains("Traceback (most recent call last):");
    result.status = match exit.code {
        0 => Status::Pass,
        1 if exit.findings.is_empty() && crashed => Status::Error,
        1 => Status::Fail,
        5 if tool == Tool::Pytest => Status::Error,
        _ if errors > 0 => Status::Fail,
        _ => Status::Error,
    };
    result.message = message(&exit, result.status);
    if matches!(result.status, Status::Fail | Status::Error) {
        if let Some(action) = next_action(&exit) {
            result.details.push(action);
        }
        if exit.findings.is_empty() {
            let excerpt = findings::excerpt(exit.output, 15);
            if !excerpt.is_empty() {
                result
                    .details
                    .push(format!("output (last lines):\n{excerpt}"));
            }
        }
    }
    if exit.truncated && !exit.findings.is_empty() {
        result
            .details
            .push("the output was too large to keep whole: some findings may be missing".into());
    }
    result.issues = exit.findings;
    result
}

fn message(exit: &Exit, status: Status) -> String {
    let n = exit.findings.len();
    let errors = exit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = n - errors;
    let warn_note = if warnings > 0 {
        format!(" ({})", plural(warnings, "warning"))
    } else {
        String::new()
    };
    match (status, exit.tool) {
        (Status::Pass, Tool::Pytest) => match exit.counts {
            Some((tests, _, skipped)) if skipped > 0 => {
                format!(
                    "{} passed, {skipped} skipped",
                    plural((tests - skipped) as usize, "test")
                )
            }
            Some((tests, _, _)) => format!("{} passed", plural(tests as usize, "test")),
            None => "the tests passed".into(),
        },
        (Status::Pass, t) if t.kind() == crate::outcome::Kind::Format => {
            "every file is formatted".into()
        }
        (Status::Pass, _) => format!("no issues{warn_note}"),
        (Status::Fail, Tool::Pytest) => match exit.counts {
            // A module that cannot be imported is one `JUnit` "test" with an error: say what it is.
            Some((tests, failed, _)) if uncollected(exit) > 0 => {
                let modules = uncollected(exit);
                let (tests, failed) = (tests as usize, failed as usize);
                let cannot = format!("{} cannot be collected", plural(modules, "test module"));
                match tests.saturating_sub(modules) {
                    0 => cannot,
                    ran => format!(
                        "{cannot}; {} of {} failed",
                        failed.saturating_sub(modules),
                        plural(ran, "test")
                    ),
                }
            }
            Some((tests, failed, _)) if tests > 0 => {
                format!("{failed} of {} failed", plural(tests as usize, "test"))
            }
            _ if n > 0 => format!("{} failed", plural(n, "test")),
            _ => format!("pytest exited with {} (failures)", exit.code),
        },
        (Status::Fail, t) if t.kind() == crate::outcome::Kind::Format => {
            let files = exit
                .findings
                .iter()
                .filter(|f| {
                    f.message == "would be reformatted" || f.message.starts_with("imports are")
                })
                .count();
            let unreadable = n - files;
            match (files, unreadable) {
                (0, 0) => format!(
                    "{} exited with {}: files would be changed",
                    t.program(),
                    exit.code
                ),
                (files, 0) if t == Tool::Isort => {
                    format!("{} with unsorted imports", plural(files, "file"))
                }
                (files, 0) => format!("{} would be reformatted", plural(files, "file")),
                (0, u) => format!("{} cannot be parsed", plural(u, "file")),
                (files, u) => format!(
                    "{} would be reformatted, {} cannot be parsed",
                    plural(files, "file"),
                    u
                ),
            }
        }
        (Status::Fail, _) if n > 0 => {
            let also = if warnings > 0 && errors > 0 {
                format!(", {}", plural(warnings, "warning"))
            } else {
                String::new()
            };
            let head = if errors > 0 {
                plural(errors, "error")
            } else {
                plural(n, "finding")
            };
            format!("{head}{also}{}", codes(&exit.findings))
        }
        (Status::Fail, t) => format!(
            "{} exited with {}: it reported problems",
            t.program(),
            exit.code
        ),
        (_, Tool::Pytest) => match exit.code {
            2 => "pytest was interrupted (exit 2): the tests did not run to the end".into(),
            3 => "pytest hit an internal error (exit 3)".into(),
            4 => "pytest could not understand its command line or configuration (exit 4)".into(),
            5 => "pytest collected no tests (exit 5)".into(),
            code => format!("pytest exited with {code}"),
        },
        (_, t) => format!(
            "{} could not check the project (exit {}){}",
            t.program(),
            exit.code,
            first_error_line(exit.output).map_or_else(String::new, |l| format!(": {l}"))
        ),
    }
}

/// The next action a failing check suggests (shown first under it, and as the report's `next:`).
fn next_action(exit: &Exit) -> Option<String> {
    let paths: Vec<&String> = exit.args.iter().filter(|a| !a.starts_with('-')).collect();
    let with_paths = |command: &str| {
        if paths.is_empty() {
            command.to_owned()
        } else {
            let shown: Vec<String> = paths.iter().map(|p| shell::quote(p)).collect();
            format!("{command} {}", shown.join(" "))
        }
    };
    match exit.tool {
        _ if exit.code != 1 && exit.findings.is_empty() => match (exit.tool, exit.code) {
            (Tool::Pytest, 5) => Some(
                "add tests, point pytest at them (testpaths), or switch the check off: [tool.relgate.checks.pytest] enabled = false".into(),
            ),
            (tool, _) => Some(format!(
                "run `{}` yourself to see the whole output; the last lines are below",
                exit_command(tool, exit)
            )),
        },
        Tool::Ruff => {
            let fixable = exit.findings.iter().filter(|f| f.fix_suggestion.is_some()).count();
            (fixable > 0).then(|| {
                format!(
                    "`{}` fixes {fixable} of them",
                    with_paths("ruff check --fix")
                )
            })
        }
        Tool::RuffFormat if exit.detected => Some(format!("format them: {}", with_paths("ruff format"))),
        Tool::Black if exit.detected => Some(format!("format them: {}", with_paths("black"))),
        Tool::Isort if exit.detected => Some(format!("sort them: {}", with_paths("isort"))),
        Tool::Pytest => {
            let ids: Vec<String> = exit
                .findings
                .iter()
                .filter_map(|f| f.code.as_deref())
                .take(3)
                .map(shell::quote)
                .collect();
            (!ids.is_empty()).then(|| {
                let more = if exit.findings.len() > 3 { " ..." } else { "" };
                format!("rerun them: pytest {}{more}", ids.join(" "))
            })
        }
        _ => None,
    }
}

fn exit_command(tool: Tool, exit: &Exit) -> String {
    let mut words = vec![tool.program().to_owned()];
    if exit.detected {
        match tool {
            Tool::Ruff => words.push("check".into()),
            Tool::RuffFormat => words.extend(["format".into(), "--check".into()]),
            _ => {}
        }
    }
    words.join(" ")
}

/// `": F401 (3), E501"`: the most frequent codes, for the one-line message.
fn codes(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        if let Some(code) = f.code.as_deref() {
            *counts.entry(code).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = sorted
        .iter()
        .take(4)
        .map(|(c, n)| {
            if *n > 1 {
                format!("{c} ({n})")
            } else {
                (*c).to_owned()
            }
        })
        .collect();
    let more = if sorted.len() > 4 { ", ..." } else { "" };
    format!(": {}{more}", shown.join(", "))
}

/// The line of an output that says what went wrong (`error: ...`, `mypy: error: ...`), when there is one.
fn first_error_line(output: &str) -> Option<String> {
    output
        .lines()
        .map(str::trim)
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            lower.starts_with("error") || lower.contains(": error:") || lower.starts_with("fatal")
        })
        .map(|l| findings::clip(l, 200))
}

/// Test modules pytest could not import (their findings say so), each counted by the `JUnit` report as one failed test.
fn uncollected(exit: &Exit) -> usize {
    exit.findings
        .iter()
        .filter(|f| f.message.starts_with("cannot collect"))
        .count()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Kind;

    fn run(tool: Tool, code: i32, findings: Vec<Finding>, output: &str) -> CheckResult {
        conclude(
            CheckResult::pass(tool.name(), tool.kind(), ""),
            Exit {
                tool,
                code,
                findings,
                output,
                truncated: false,
                counts: None,
                args: &[],
                detected: true,
            },
        )
    }

    fn error_at(file: &str, code: &str) -> Finding {
        Finding {
            file: Some(file.into()),
            code: Some(code.into()),
            severity: "error".into(),
            kind: "lint".into(),
            message: "m".into(),
            ..Finding::default()
        }
    }

    #[test]
    fn exit_codes_per_tool() {
        let r = run(
            Tool::Ruff,
            1,
            vec![
                error_at("a.py", "F401"),
                error_at("b.py", "F401"),
                error_at("b.py", "E501"),
            ],
            "",
        );
        assert_eq!(
            (r.status, r.message.as_str()),
            (Status::Fail, "3 errors: F401 (2), E501")
        );
        let r = run(
            Tool::Ruff,
            2,
            vec![],
            "ruff failed\n  Cause: Failed to parse pyproject.toml\n",
        );
        assert_eq!(r.status, Status::Error);
        assert_eq!(r.message, "ruff could not check the project (exit 2)");
        assert_eq!(
            r.details[1],
            "output (last lines):\nruff failed\n  Cause: Failed to parse pyproject.toml"
        );
        let r = run(Tool::Mypy, 2, vec![error_at("a.py", "syntax")], "");
        assert_eq!(
            r.status,
            Status::Fail,
            "a syntax error is the code's defect"
        );
        let r = run(
            Tool::Mypy,
            2,
            vec![],
            "usage: mypy\nmypy: error: Missing target module, package, files, or command.\n",
        );
        assert_eq!(
            r.message,
            "mypy could not check the project (exit 2): mypy: error: Missing target module, package, files, or command."
        );
        let r = run(Tool::Pytest, 5, vec![], "no tests ran");
        assert_eq!(
            (r.status, r.message.as_str()),
            (Status::Error, "pytest collected no tests (exit 5)")
        );
        let r = run(
            Tool::Flake8,
            1,
            vec![],
            "Traceback (most recent call last):\n  File x\nImportError: plugin\n",
        );
        assert_eq!(r.status, Status::Error, "a crash is not a finding");
        let r = run(Tool::Black, 0, vec![], "");
        assert_eq!(
            (r.status, r.message.as_str(), r.kind),
            (Status::Pass, "every file is formatted", Kind::Format)
        );
    }

    #[test]
    fn next_actions() {
        let mut fixable = error_at("a.py", "F401");
        fixable.fix_suggestion = Some("ruff check --fix a.py".into());
        let r = run(Tool::Ruff, 1, vec![fixable, error_at("a.py", "E741")], "");
        assert_eq!(r.details, ["`ruff check --fix` fixes 1 of them"]);
        let mut failed = error_at("tests/t.py", "tests/t.py::test_a[x y]");
        failed.kind = "test".into();
        let r = run(Tool::Pytest, 1, vec![failed], "");
        assert_eq!(r.details, ["rerun them: pytest 'tests/t.py::test_a[x y]'"]);
    }

    #[test]
    fn modules_that_cannot_be_imported_are_not_called_failed_tests() {
        let pytest = |counts, findings: Vec<Finding>| {
            conclude(
                CheckResult::pass("pytest", Kind::Test, ""),
                Exit {
                    tool: Tool::Pytest,
                    code: 1,
                    findings,
                    output: "",
                    truncated: false,
                    counts: Some(counts),
                    args: &[],
                    detected: true,
                },
            )
            .message
        };
        let mut broken = error_at("tests/test_a.py", "tests/test_a.py");
        broken.message =
            "cannot collect the tests: ModuleNotFoundError: No module named 'x'".into();
        let failed = error_at("tests/test_b.py", "tests/test_b.py::test_b");
        assert_eq!(
            pytest((2, 2, 0), vec![broken.clone(), broken.clone()]),
            "2 test modules cannot be collected"
        );
        assert_eq!(
            pytest((11, 2, 0), vec![broken, failed.clone()]),
            "1 test module cannot be collected; 1 of 10 tests failed"
        );
        assert_eq!(pytest((10, 1, 0), vec![failed]), "1 of 10 tests failed");
    }
}

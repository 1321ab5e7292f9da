//! A check's verdict from how its tool ended and what it printed: the tool's exit codes (`exit` in the
//! catalogue), its findings, and the next action.
//!
//! Most tools' "violations" exit (1) is a `fail`; exit 0 a `pass` (warnings kept as findings). An exit that
//! says the tool did not do its job (ruff 2, mypy 2, pyright 2-4, black 123, pytest 2-4) is an `error` with its
//! message, unless it reported findings about the code (a syntax error mypy or black could not get past, a
//! test module pytest could not import): those are the release's defects, a `fail`. Some exits are errors
//! whatever was reported (pytest 5: no tests collected).

use std::collections::BTreeMap;

use crate::outcome::{CheckResult, Finding, Kind, Severity, Status};
use crate::shell;
use crate::tools::Tool;
use crate::tools::parse::{clip, excerpt};
use crate::tools::verdict::{self, Counts, Fix, Outcome};

/// What the tool printed and wrote, read after it exited with `code`.
pub struct Exit<'a> {
    pub tool: &'static Tool,
    pub code: i32,
    pub findings: Vec<Finding>,
    pub output: &'a str,
    /// The output was cut to its head and tail.
    pub truncated: bool,
    /// What the tool's report file counts, when it wrote one.
    pub counts: Option<Counts>,
    /// What the command checks, to repeat in fix commands (`ruff format src`).
    pub args: &'a [String],
    /// Whether relgate built the command (its own output options) or the user configured it.
    pub detected: bool,
}

pub fn conclude(mut result: CheckResult, exit: Exit) -> CheckResult {
    let meaning = (exit.tool.exit)(exit.code);
    let errors = exit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let crashed = exit.output.contains("Traceback (most recent call last):");
    result.status = match &meaning {
        verdict::Exit::Pass => Status::Pass,
        verdict::Exit::Findings if exit.findings.is_empty() && crashed => Status::Error,
        verdict::Exit::Findings => Status::Fail,
        verdict::Exit::Trouble { .. } if errors > 0 => Status::Fail,
        verdict::Exit::Trouble { .. } | verdict::Exit::Broken { .. } => Status::Error,
    };
    result.message = message(&exit, &meaning, result.status);
    if matches!(result.status, Status::Fail | Status::Error) {
        if let Some(action) = next_action(&exit, &meaning) {
            result.details.push(action);
        }
        if exit.findings.is_empty() {
            let excerpt = excerpt(exit.output, 15);
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

fn message(exit: &Exit, meaning: &verdict::Exit, status: Status) -> String {
    let tool = exit.tool;
    if let (Some(summary), Status::Pass | Status::Fail) = (tool.summary, status) {
        let outcome = Outcome {
            code: exit.code,
            findings: &exit.findings,
            counts: exit.counts,
        };
        return summary(&outcome, status);
    }
    let n = exit.findings.len();
    let errors = exit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = n - errors;
    match status {
        Status::Pass if tool.kind == Kind::Format => "every file is formatted".into(),
        Status::Pass if warnings > 0 => format!("no issues ({})", plural(warnings, "warning")),
        Status::Pass => "no issues".into(),
        Status::Fail if tool.kind == Kind::Format => {
            // A formatter's finding with a fix is a file it would change; one without, a file it cannot parse.
            let files = exit
                .findings
                .iter()
                .filter(|f| f.fix_suggestion.is_some())
                .count();
            let changed = match tool.fix {
                Fix::Rewrite { changed, .. } => changed,
                _ => "would be reformatted",
            };
            match (files, n - files) {
                (0, 0) => format!(
                    "{} exited with {}: files would be changed",
                    tool.program, exit.code
                ),
                (files, 0) => format!("{} {changed}", plural(files, "file")),
                (0, u) => format!("{} cannot be parsed", plural(u, "file")),
                (files, u) => format!(
                    "{} {changed}, {} cannot be parsed",
                    plural(files, "file"),
                    u
                ),
            }
        }
        Status::Fail if n > 0 => {
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
        Status::Fail => format!(
            "{} exited with {}: it reported problems",
            tool.program, exit.code
        ),
        _ => match meaning {
            verdict::Exit::Trouble { why: Some(why) } | verdict::Exit::Broken { why, .. } => {
                why.clone()
            }
            _ => format!(
                "{} could not check the project (exit {}){}",
                tool.program,
                exit.code,
                first_error_line(exit.output).map_or_else(String::new, |l| format!(": {l}"))
            ),
        },
    }
}

/// The next action a failing check suggests (shown first under it, and as the report's `next:`).
fn next_action(exit: &Exit, meaning: &verdict::Exit) -> Option<String> {
    if !matches!(meaning, verdict::Exit::Findings) && exit.findings.is_empty() {
        if let verdict::Exit::Broken {
            hint: Some(hint), ..
        } = meaning
        {
            return Some(hint.clone());
        }
        return Some(format!(
            "run `{}` yourself to see the whole output; the last lines are below",
            by_hand(exit)
        ));
    }
    let paths: Vec<&String> = exit.args.iter().filter(|a| !a.starts_with('-')).collect();
    let with_paths = |command: &str| {
        if paths.is_empty() {
            command.to_owned()
        } else {
            let shown: Vec<String> = paths.iter().map(|p| shell::quote(p)).collect();
            format!("{command} {}", shown.join(" "))
        }
    };
    match exit.tool.fix {
        Fix::Some { command, .. } => {
            let fixable = exit
                .findings
                .iter()
                .filter(|f| f.fix_suggestion.is_some())
                .count();
            (fixable > 0).then(|| format!("`{}` fixes {fixable} of them", with_paths(command)))
        }
        Fix::Rewrite { command, verb, .. } if exit.detected => {
            Some(format!("{verb}: {}", with_paths(command)))
        }
        Fix::Rerun { command } => {
            let ids: Vec<String> = exit
                .findings
                .iter()
                .filter_map(|f| f.code.as_deref())
                .take(3)
                .map(shell::quote)
                .collect();
            (!ids.is_empty()).then(|| {
                let more = if exit.findings.len() > 3 { " ..." } else { "" };
                format!("rerun them: {command} {}{more}", ids.join(" "))
            })
        }
        // A configured command's files are its own to name.
        Fix::Rewrite { .. } | Fix::None => None,
    }
}

/// The command to run by hand to see what the check saw.
fn by_hand(exit: &Exit) -> &'static str {
    match exit.tool.by_hand {
        Some(command) if exit.detected => command,
        _ => exit.tool.program,
    }
}

/// `": F401 (3), E501"`: the most frequent codes of the errors (of every finding when none is an error), for
/// the one-line message.
fn codes(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let any_error = findings.iter().any(|f| f.severity == Severity::Error);
    for f in findings
        .iter()
        .filter(|f| !any_error || f.severity == Severity::Error)
    {
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
        .map(|l| clip(l, 200))
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

    fn tool(name: &str) -> &'static Tool {
        crate::tools::by_name(name).unwrap()
    }

    fn run(name: &str, code: i32, findings: Vec<Finding>, output: &str) -> CheckResult {
        let tool = tool(name);
        conclude(
            CheckResult::pass(tool.name, tool.kind, ""),
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
            "ruff",
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
            "ruff",
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
        let r = run("mypy", 2, vec![error_at("a.py", "syntax")], "");
        assert_eq!(
            r.status,
            Status::Fail,
            "a syntax error is the code's defect"
        );
        let r = run(
            "mypy",
            2,
            vec![],
            "usage: mypy\nmypy: error: Missing target module, package, files, or command.\n",
        );
        assert_eq!(
            r.message,
            "mypy could not check the project (exit 2): mypy: error: Missing target module, package, files, or command."
        );
        let r = run("pytest", 5, vec![], "no tests ran");
        assert_eq!(
            (r.status, r.message.as_str()),
            (Status::Error, "pytest collected no tests (exit 5)")
        );
        let r = run(
            "flake8",
            1,
            vec![],
            "Traceback (most recent call last):\n  File x\nImportError: plugin\n",
        );
        assert_eq!(r.status, Status::Error, "a crash is not a finding");
        let r = run("black", 0, vec![], "");
        assert_eq!(
            (r.status, r.message.as_str(), r.kind),
            (Status::Pass, "every file is formatted", Kind::Format)
        );
    }

    #[test]
    fn next_actions() {
        let mut fixable = error_at("a.py", "F401");
        fixable.fix_suggestion = Some("ruff check --fix a.py".into());
        let r = run("ruff", 1, vec![fixable, error_at("a.py", "E741")], "");
        assert_eq!(r.details, ["`ruff check --fix` fixes 1 of them"]);
        let mut failed = error_at("tests/t.py", "tests/t.py::test_a[x y]");
        failed.kind = "test".into();
        let r = run("pytest", 1, vec![failed], "");
        assert_eq!(r.details, ["rerun them: pytest 'tests/t.py::test_a[x y]'"]);
    }

    #[test]
    fn modules_that_cannot_be_imported_are_not_called_failed_tests() {
        let pytest = |counts, findings: Vec<Finding>| {
            conclude(
                CheckResult::pass("pytest", Kind::Test, ""),
                Exit {
                    tool: tool("pytest"),
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

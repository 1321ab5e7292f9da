//! pytest: it imports the project (it runs in the project's environment); the `JUnit` XML report relgate asks
//! for (`--junitxml=<temp file> -o junit_family=xunit1`, which gives each test case its file) or, for a
//! configured command, the short test summary of its text (`FAILED tests/test_x.py::test_y - AssertionError:
//! ...`); its exit codes (2 interrupted, 3 internal error, 4 usage error, 5 no tests collected); its counts in
//! the report's message; its failure in a CI log.
//!
//! Each finding is one failed or erroring test: `code` is the test id (what `pytest ID` reruns), `file:line`
//! is where it failed (the last `path:line: Error` location of the traceback), `message` the assertion or
//! exception message on one line.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::command::{Arguments, Context, ReportFile};
use super::configuration::Configuration;
use super::log::{self, Log, Seen, Sighting};
use super::parse::{Input, clip, finding, one_line, relative};
use super::verdict::{Counts, Exit, Fix, Outcome};
use super::Tool;
use crate::outcome::{Finding, Kind, Status};

pub static TOOL: Tool = Tool {
    name: "pytest",
    kind: Kind::Test,
    program: "pytest",
    aliases: &["py.test"],
    distribution: "pytest",
    imports_project: true,
    configuration: Configuration {
        // pytest 9 reads `[tool.pytest]` natively.
        tables: &[&["tool", "pytest", "ini_options"], &["tool", "pytest"]],
        files: &["pytest.ini"],
        sections: &[("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")],
        markers: &["conftest.py"],
        dirs: &["tests", "test"],
        reads: &["tests/conftest.py"],
        ..Configuration::NONE
    },
    hook_ids: &["pytest"],
    arguments,
    drops: &[
        ("--junitxml", true),
        ("--junit-xml", true),
        ("--junit-prefix", true),
    ],
    env,
    report: Some(ReportFile {
        args: junit_args,
        counts: junit_counts,
    }),
    exit,
    parse,
    summary: Some(summary),
    fix: Fix::Rerun { command: "pytest" },
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(ctx: &Context) -> Arguments {
    let mut args = Arguments::own(&["-o"]);
    args.own.push(format!(
        "cache_dir={}",
        ctx.state_dir.join("pytest").display()
    ));
    if (ctx.installed)("pytest-cov") {
        // Coverage writes .coverage and its reports into the tree; the gate is the tests' verdict.
        args.own.push("--no-cov".into());
    }
    args
}

/// Its cache under relgate's state directory for every pytest the check starts (a test that runs pytest
/// again, `pytester`), after the user's own `PYTEST_ADDOPTS`.
fn env(state_dir: &Path) -> Vec<(String, String)> {
    let mut addopts = crate::env::pytest_addopts().unwrap_or_default();
    if !addopts.is_empty() {
        addopts.push(' ');
    }
    addopts.push_str("-o ");
    addopts.push_str(&crate::shell::quote(&format!(
        "cache_dir={}",
        state_dir.join("pytest").display()
    )));
    vec![("PYTEST_ADDOPTS".into(), addopts)]
}

fn junit_args(path: &str) -> Vec<String> {
    vec![
        "-o".into(),
        "junit_family=xunit1".into(),
        format!("--junitxml={path}"),
    ]
}

fn exit(code: i32) -> Exit {
    let trouble = |why: &str| Exit::Trouble {
        why: Some(why.to_owned()),
    };
    match code {
        0 => Exit::Pass,
        1 => Exit::Findings,
        2 => trouble("pytest was interrupted (exit 2): the tests did not run to the end"),
        3 => trouble("pytest hit an internal error (exit 3)"),
        4 => trouble("pytest could not understand its command line or configuration (exit 4)"),
        5 => Exit::Broken {
            why: "pytest collected no tests (exit 5)".into(),
            hint: Some(
                "add tests, point pytest at them (testpaths), or switch the check off: [tool.relgate.checks.pytest] enabled = false".into(),
            ),
        },
        code => Exit::Trouble {
            why: Some(format!("pytest exited with {code}")),
        },
    }
}

/// The tests' counts, from the report: `10 tests passed, 2 skipped`, `1 of 10 tests failed`.
fn summary(outcome: &Outcome, status: Status) -> String {
    let n = outcome.findings.len();
    if status == Status::Pass {
        return match outcome.counts {
            Some((tests, _, skipped)) if skipped > 0 => format!(
                "{} passed, {skipped} skipped",
                plural((tests - skipped) as usize, "test")
            ),
            Some((tests, _, _)) => format!("{} passed", plural(tests as usize, "test")),
            None => "the tests passed".into(),
        };
    }
    // A module that cannot be imported is one `JUnit` "test" with an error: say what it is.
    let modules = outcome
        .findings
        .iter()
        .filter(|f| f.message.starts_with("cannot collect"))
        .count();
    match outcome.counts {
        Some((tests, failed, _)) if modules > 0 => {
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
        _ => format!("pytest exited with {} (failures)", outcome.code),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The crash location pytest prints last in a traceback: `tests/test_x.py:11: AssertionError`.
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): ").expect("valid regex")
});
/// `--tb=native`: `  File "tests/test_x.py", line 11, in test_y`.
static NATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)"#).expect("valid regex")
});
static SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<what>FAILED|ERROR) (?P<id>\S+(?:\[[^\]]*\])?)(?: - (?P<msg>.*))?$")
        .expect("valid regex")
});

fn parse(input: &Input) -> Vec<Finding> {
    if let Some(xml) = input.report {
        if let Some(findings) = junit(xml, input) {
            return findings;
        }
    }
    input
        .output
        .lines()
        .filter_map(|line| {
            let caps = SUMMARY.captures(line.trim_end())?;
            let id = caps["id"].to_owned();
            let file = id
                .split("::")
                .next()
                .map(|f| relative(f, input.project_dir));
            let what = if &caps["what"] == "FAILED" {
                "failed"
            } else {
                "error"
            };
            let message = caps.name("msg").map_or(what, |m| m.as_str()).trim();
            Some(Finding {
                file,
                code: Some(id),
                ..finding(input.kind, "error", message)
            })
        })
        .collect()
}

/// `(tests, failed or erroring, skipped)` from a `JUnit` XML report's test suites.
fn junit_counts(xml: &str) -> Option<Counts> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let mut counts = (0, 0, 0);
    let mut any = false;
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let get = |name: &str| {
            suite
                .attribute(name)
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        };
        counts.0 += get("tests");
        counts.1 += get("failures") + get("errors");
        counts.2 += get("skipped");
        any = true;
    }
    any.then_some(counts)
}

/// Findings from a `JUnit` XML report; `None` when it cannot be read (then the text is parsed).
fn junit(xml: &str, input: &Input) -> Option<Vec<Finding>> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let mut out = Vec::new();
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let Some(problem) = case
            .children()
            .find(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
        else {
            continue;
        };
        let name = case.attribute("name").unwrap_or("");
        let classname = case.attribute("classname").unwrap_or("");
        let file = case
            .attribute("file")
            .map(|f| relative(f, input.project_dir));
        let id = test_id(file.as_deref(), classname, name);
        let text = problem.text().unwrap_or("");
        let (at_file, at_line) =
            failure_location(text, input).map_or((file.clone(), None), |(f, l)| (Some(f), Some(l)));
        let raw_message = problem.attribute("message").unwrap_or("");
        let message = if raw_message == "collection failure" {
            // The traceback's `E   ` lines carry the reason (an ImportError, a syntax error...).
            let reason: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("E ").map(str::trim))
                .collect();
            format!("cannot collect the tests: {}", reason.join("; "))
        } else {
            one_line(raw_message)
        };
        out.push(Finding {
            file: at_file,
            line: at_line,
            code: Some(id),
            ..finding(input.kind, "error", clip(&message, 500))
        });
    }
    Some(out)
}

/// `tests/test_x.py::TestK::test_y[1]` from the report's file, dotted class name and test name.
fn test_id(file: Option<&str>, classname: &str, name: &str) -> String {
    let Some(file) = file else {
        return if classname.is_empty() {
            name.to_owned()
        } else {
            format!("{classname}::{name}")
        };
    };
    let module = file.trim_end_matches(".py").replace('/', ".");
    if classname.is_empty() {
        // A collection error names the module, not a test.
        return file.to_owned();
    }
    let classes = classname
        .strip_prefix(&module)
        .map(|rest| rest.trim_start_matches('.'))
        .unwrap_or_default();
    let mut id = file.to_owned();
    for class in classes.split('.').filter(|c| !c.is_empty()) {
        id.push_str("::");
        id.push_str(class);
    }
    id.push_str("::");
    id.push_str(name);
    id
}

/// Where a test failed: the last location line of the traceback text, relative to the project.
fn failure_location(text: &str, input: &Input) -> Option<(String, u32)> {
    text.lines().rev().find_map(|l| {
        let caps = LOCATION.captures(l).or_else(|| NATIVE.captures(l))?;
        Some((
            relative(&caps["file"], input.project_dir),
            caps["line"].parse().ok()?,
        ))
    })
}

/// `=== 1 failed, 2 passed in 0.05s ===`
static LOG_COUNTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^=*\s*((?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|warnings?|deselected|rerun|subtests? \w+)(?:, )?)+) in [\d.]+s\b",
    ).ok()
});

/// The first `FAILED`/`ERROR` line of the short test summary (or of the run, under `-rN`), and the
/// counts line; a collection error; no test collected.
fn log(lines: &dyn Log) -> Option<Sighting> {
    let mut counts = None;
    let mut first: Option<(usize, String)> = None;
    let mut summary_at = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if text.contains(" short test summary info ") {
            summary_at = Some(i);
            continue;
        }
        if let Some(c) = log::caps(&LOG_COUNTS, text) {
            if c[1].contains("failed") || c[1].contains("error") {
                counts = Some((i, c[1].to_string()));
            }
            continue;
        }
        let outcome = text.starts_with("FAILED ") || text.starts_with("ERROR ");
        if first.is_none() && outcome && (summary_at.is_some() || text.contains("::")) {
            first = Some((i, text.to_string()));
        }
        if first.is_none()
            && text.starts_with("Interrupted: ")
            && text.contains("during collection")
        {
            first = Some((i, text.trim_matches('!').trim().to_string()));
        }
    }
    match (first, counts) {
        (Some((at, mut line)), counts) => {
            if line.starts_with("ERROR ") && !line.contains(" - ") {
                // A collection error's summary line names the file only; its `E   ` line says why.
                let why = (0..at)
                    .rev()
                    .map(|i| lines.text(i))
                    .find_map(|t| t.strip_prefix("E   "))
                    .map(str::trim);
                if let Some(why) = why {
                    line = format!("{line} - {why}");
                }
            }
            let node = line
                .split_once(' ')
                .map(|(_, rest)| rest.split(" - ").next().unwrap_or(rest).trim().to_string())
                .unwrap_or_default();
            let message = match counts {
                Some((_, c)) => format!("{line} ({c})"),
                None => line,
            };
            let seen = if node.contains("::") {
                Seen::Test(node)
            } else {
                Seen::Nothing
            };
            Some(Sighting { at, message, seen })
        }
        (None, Some((at, message))) => Some(Sighting {
            at,
            message,
            seen: Seen::Nothing,
        }),
        (None, None) => (0..lines.len())
            .find(|&i| {
                lines
                    .text(i)
                    .trim_matches(['=', ' '])
                    .starts_with("no tests ran in ")
            })
            .map(|at| Sighting {
                at,
                message: "no tests ran: pytest collected nothing (exit code 5)".into(),
                seen: Seen::Nothing,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::input;
    use super::*;

    fn at(output: &str, xml: Option<&str>) -> Vec<String> {
        parse(&Input {
            report: xml,
            ..input(output, "test")
        })
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f.file.as_deref().unwrap_or("-"),
                f.line.unwrap_or(0),
                f.code.as_deref().unwrap_or("-"),
                f.message
            )
        })
        .collect()
    }

    #[test]
    fn junit_report_from_pytest() {
        let xml = include_str!("../../tests/fixtures/findings/pytest.xml");
        assert_eq!(
            at("", Some(xml)),
            [
                "tests/test_add.py:11 tests/test_add.py::test_wrong AssertionError: sum is wrong; assert 3 == 4; +  where 3 = add(1, 2)",
                "tests/test_add.py:17 tests/test_add.py::TestMore::test_param[2] assert 2 == 1",
                "tests/test_add.py:22 tests/test_add.py::test_setup failed on setup with \"RuntimeError: fixture down\"",
            ]
        );
    }

    #[test]
    fn collection_errors_from_pytest() {
        let xml = include_str!("../../tests/fixtures/findings/pytest-collection.xml");
        assert_eq!(
            at("", Some(xml)),
            [
                "tests/test_import.py:1 tests/test_import.py cannot collect the tests: ModuleNotFoundError: No module named 'missing_module'"
            ]
        );
    }

    #[test]
    fn short_summary_when_there_is_no_report() {
        let text = include_str!("../../tests/fixtures/findings/pytest.txt");
        assert_eq!(
            at(text, None),
            [
                "tests/test_add.py:0 tests/test_add.py::test_wrong AssertionError: sum is wrong",
                "tests/test_add.py:0 tests/test_add.py::TestMore::test_param[2] assert 2 == 1",
                "tests/test_add.py:0 tests/test_add.py::test_setup RuntimeError: fixture down",
            ]
        );
        assert_eq!(
            junit_counts(include_str!("../../tests/fixtures/findings/pytest.xml")),
            Some((5, 3, 0))
        );
        // A report that is not XML (cut, or not written) falls back to the text.
        assert_eq!(at(text, Some("<testsuites")).len(), 3);
    }
}

//! pytest: the `JUnit` XML report relgate asks for (`--junitxml=<temp file> -o junit_family=xunit1`, which
//! gives each test case its file), or, for a configured command, the short test summary of its text
//! (`FAILED tests/test_x.py::test_y - AssertionError: ...`).
//!
//! Each finding is one failed or erroring test: `code` is the test id (what `pytest ID` reruns), `file:line`
//! is where it failed (the last `path:line: Error` location of the traceback), `message` the assertion or
//! exception message on one line.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, clip, finding, one_line, relative};
use crate::outcome::Finding;

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

pub fn parse(input: &Input) -> Vec<Finding> {
    if let Some(xml) = input.junit_xml {
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

/// What a pytest run's `JUnit` XML report counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestCounts {
    /// Every test case, skipped and expected failures included.
    pub tests: u32,
    /// Failed or erroring.
    pub failed: u32,
    /// Skipped (`skip`, `skipif`, `importorskip`), expected failures excluded.
    pub skipped: u32,
    /// `xfail` tests that failed as expected: the report lists them as skipped (`type="pytest.xfail"`), but they
    /// ran, and pytest counts them apart.
    pub xfailed: u32,
}

impl TestCounts {
    pub fn passed(&self) -> u32 {
        self.tests
            .saturating_sub(self.failed + self.skipped + self.xfailed)
    }
}

/// The counts of a `JUnit` XML report's test suites.
pub fn junit_counts(xml: &str) -> Option<TestCounts> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let mut counts = TestCounts::default();
    let mut any = false;
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let get = |name: &str| {
            suite
                .attribute(name)
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
        };
        counts.tests += get("tests");
        counts.failed += get("failures") + get("errors");
        counts.skipped += get("skipped");
        any = true;
    }
    let xfailed = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped") && n.attribute("type") == Some("pytest.xfail"))
        .count();
    counts.xfailed = u32::try_from(xfailed).unwrap_or(u32::MAX);
    counts.skipped = counts.skipped.saturating_sub(counts.xfailed);
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

#[cfg(test)]
mod tests {
    use super::super::testing::input;
    use super::*;

    fn at(output: &str, xml: Option<&str>) -> Vec<String> {
        parse(&Input {
            junit_xml: xml,
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
            Some(TestCounts {
                tests: 5,
                failed: 3,
                skipped: 0,
                xfailed: 0
            })
        );
        // A report that is not XML (cut, or not written) falls back to the text.
        assert_eq!(at(text, Some("<testsuites")).len(), 3);
    }
}

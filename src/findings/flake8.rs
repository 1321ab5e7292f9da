//! flake8: its default `path:line:col: CODE text` (relgate passes `--format=default`), and the `pylint`
//! format (`path:line: [CODE] text`) a project may configure.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, relative};
use crate::outcome::Finding;

static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) (?P<msg>.*)$",
    )
    .expect("valid regex")
});
static PYLINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+): \[(?P<code>[A-Z]+[0-9]+)\] (?P<msg>.*)$")
        .expect("valid regex")
});

pub fn parse(input: &Input) -> Vec<Finding> {
    input
        .output
        .lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let caps = DEFAULT.captures(line).or_else(|| PYLINT.captures(line))?;
            Some(Finding {
                file: Some(relative(&caps["file"], input.project_dir)),
                line: caps["line"].parse().ok(),
                column: caps.name("col").and_then(|c| c.as_str().parse().ok()),
                code: Some(caps["code"].to_owned()),
                // pycodestyle's W codes are warnings by name; flake8 fails on them all the same.
                ..finding(input.kind, "error", caps["msg"].trim())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::input;
    use super::*;

    fn at(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {} {}",
                    f.file.as_deref().unwrap_or("-"),
                    f.line.unwrap_or(0),
                    f.column.unwrap_or(0),
                    f.code.as_deref().unwrap_or("-"),
                    f.message
                )
            })
            .collect()
    }

    #[test]
    fn default_format_from_flake8() {
        let output = include_str!("../../tests/fixtures/findings/flake8.txt");
        let input = input(output, "lint");
        assert_eq!(
            at(&parse(&input)),
            [
                "src/pkg/__init__.py:1:1 F401 'os' imported but unused",
                "src/pkg/broken.py:1:8 E999 SyntaxError: invalid syntax",
                "tests/test_import.py:1:1 F401 'missing_module' imported but unused",
            ]
        );
    }

    #[test]
    fn pylint_format() {
        let input = input(
            "src/a.py:3: [E501] line too long (90 > 79 characters)\n",
            "lint",
        );
        assert_eq!(
            at(&parse(&input)),
            ["src/a.py:3:0 E501 line too long (90 > 79 characters)"]
        );
    }
}

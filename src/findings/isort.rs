//! `isort --check-only`: `ERROR: PATH Imports are incorrectly sorted and/or formatted.` per file.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, relative};
use crate::outcome::Finding;
use crate::shell;

static UNSORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ERROR: (?P<file>.+?) Imports are incorrectly sorted and/or formatted\.?$")
        .expect("valid regex")
});

pub fn parse(input: &Input) -> Vec<Finding> {
    input
        .output
        .lines()
        .filter_map(|line| {
            let caps = UNSORTED.captures(line.trim_end())?;
            let file = relative(&caps["file"], input.project_dir);
            Some(Finding {
                fix_suggestion: Some(format!("isort {}", shell::quote(&file))),
                file: Some(file),
                ..finding(
                    input.kind,
                    "error",
                    "imports are incorrectly sorted and/or formatted",
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::input;
    use super::*;

    #[test]
    fn unsorted_files_from_isort() {
        let output = include_str!("../../tests/fixtures/findings/isort.txt");
        let findings = parse(&input(output, "format"));
        assert_eq!(
            findings,
            [Finding {
                file: Some("src/pkg/order.py".into()),
                kind: "format".into(),
                severity: "error".into(),
                message: "imports are incorrectly sorted and/or formatted".into(),
                fix_suggestion: Some("isort src/pkg/order.py".into()),
                ..Finding::default()
            }]
        );
    }
}

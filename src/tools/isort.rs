//! isort, `isort --check-only`: a formatter (it rewrites the file, and `isort PATH` is the fix, as for black);
//! `ERROR: PATH Imports are incorrectly sorted and/or formatted.` per file.

use std::sync::LazyLock;

use regex::Regex;

use super::command::{Action, Arguments, Context};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, relative};
use super::verdict::Fix;
use super::Tool;
use crate::outcome::{Finding, Kind};
use crate::shell;

pub static TOOL: Tool = Tool {
    name: "isort",
    kind: Kind::Format,
    program: "isort",
    distribution: "isort",
    configuration: Configuration {
        tables: &[&["tool", "isort"]],
        files: &[".isort.cfg"],
        sections: &[
            ("setup.cfg", "isort"),
            ("setup.cfg", "tool:isort"),
            ("tox.ini", "isort"),
        ],
        ..Configuration::NONE
    },
    hook_ids: &["isort"],
    hook_repos: &["https://github.com/PyCQA/isort"],
    actions: &[Action {
        uses: "isort/isort-action",
        command: |_| "isort --check-only --diff .".into(),
    }],
    arguments,
    drops: &[
        ("--check-only", false),
        ("--check", false),
        ("-c", false),
        ("--diff", false),
        ("--df", false),
    ],
    // `--check-only` cannot be undone by a later option, and isort keeps no cache.
    reads_only: Some(&[]),
    parse,
    fix: Fix::Rewrite {
        command: "isort",
        verb: "sort them",
        changed: "with unsorted imports",
    },
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(_: &Context) -> Arguments {
    Arguments {
        targets: vec![".".into()],
        ..Arguments::own(&["--check-only"])
    }
}

static UNSORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ERROR: (?P<file>.+?) Imports are incorrectly sorted and/or formatted\.?$")
        .expect("valid regex")
});

fn parse(input: &Input) -> Vec<Finding> {
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

static LOG_UNSORTED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^ERROR: (.+?) Imports are incorrectly sorted and/or formatted\.?$").ok()
});

/// Its `ERROR: ...` lines: the first one is the message.
fn log(lines: &dyn Log) -> Option<Sighting> {
    let mut files = Vec::new();
    let mut first = None;
    for i in 0..lines.len() {
        if let Some(c) = log::caps(&LOG_UNSORTED, lines.text(i).trim_end()) {
            files.push(c[1].to_string());
            first.get_or_insert(i);
        }
    }
    log::reformat(lines, files, first, None)
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::input;
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

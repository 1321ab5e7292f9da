//! mypy: `-O json` lines (what relgate asks for; columns there are 0-based) or its text
//! `path:line[:col]: severity: message  [code]`.

use std::sync::LazyLock;

use regex::Regex;

use super::{Input, finding, json_lines, number, relative};
use crate::outcome::Finding;

static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)?(?:\d+:\d+:)? (?P<sev>error|warning|note): (?P<msg>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$",
    )
    .expect("valid regex")
});

pub fn parse(input: &Input) -> Vec<Finding> {
    let from_json: Vec<Finding> = json_lines(input.output)
        .filter(|v| v.get("file").is_some() && v.get("severity").is_some())
        .map(|v| Finding {
            file: v["file"].as_str().map(|f| relative(f, input.project_dir)),
            line: number(&v["line"]).filter(|&l| l > 0),
            // mypy's JSON columns count from 0 (its text adds 1); -1 means none.
            column: v["column"]
                .as_i64()
                .filter(|&c| c >= 0)
                .and_then(|c| u32::try_from(c + 1).ok()),
            code: v["code"].as_str().map(str::to_owned),
            fix_suggestion: v["hint"].as_str().map(str::to_owned),
            ..finding(
                input.kind,
                v["severity"].as_str().unwrap_or("error"),
                v["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    if !from_json.is_empty() {
        return from_json;
    }
    input
        .output
        .lines()
        .filter_map(|line| {
            let caps = TEXT.captures(line.trim_end())?;
            Some(Finding {
                file: Some(relative(&caps["file"], input.project_dir)),
                line: caps["line"].parse().ok(),
                column: caps.name("col").and_then(|c| c.as_str().parse().ok()),
                code: caps.name("code").map(|c| c.as_str().to_owned()),
                ..finding(input.kind, &caps["sev"], caps["msg"].trim())
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{input, located};
    use super::*;

    fn at(output: &str) -> Vec<String> {
        located(&parse(&input(output, "type")))
    }

    #[test]
    fn json_lines_from_mypy() {
        assert_eq!(
            at(include_str!("../../tests/fixtures/findings/mypy.jsonl")),
            [
                "src/pkg/__init__.py:10:12 error return-value Incompatible return value type (got \"int\", expected \"str\")"
            ]
        );
        assert_eq!(
            at(include_str!(
                "../../tests/fixtures/findings/mypy-syntax.jsonl"
            )),
            [
                "src/pkg/broken.py:1:8 error syntax Expected a parameter or the end of the parameter list",
                "src/pkg/broken.py:1:9 error syntax Expected `)`, found newline",
            ]
        );
    }

    #[test]
    fn text_from_mypy() {
        assert_eq!(
            at(include_str!("../../tests/fixtures/findings/mypy.txt")),
            [
                "src/pkg/__init__.py:10:0 error return-value Incompatible return value type (got \"int\", expected \"str\")"
            ]
        );
        assert_eq!(
            at(
                "src/a.py:3:5: error: Name \"x\" is not defined  [name-defined]\nsrc/a.py:4: note: Revealed type is \"int\"\n"
            ),
            [
                "src/a.py:3:5 error name-defined Name \"x\" is not defined",
                "src/a.py:4:0 note - Revealed type is \"int\"",
            ]
        );
    }
}

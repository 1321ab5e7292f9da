//! mypy: it imports the project (it runs in the project's environment), its targets (its configuration's
//! `files`, else the project's packages), `-O json` lines since 1.11 (columns there are 0-based) or its text
//! `path:line[:col]: severity: message  [code]`, and its failure in a CI log.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::command::{Arguments, CacheEnv, Context, at_least, words};
use super::configuration::Configuration;
use super::layout;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, json_lines, number, relative};
use super::Tool;
use crate::files;
use crate::outcome::{Finding, Kind};
use crate::python::ini::Ini;
use crate::toml_file::TomlFile;

pub static TOOL: Tool = Tool {
    name: "mypy",
    kind: Kind::Type,
    program: "mypy",
    distribution: "mypy",
    imports_project: true,
    configuration: Configuration {
        tables: &[&["tool", "mypy"]],
        files: &["mypy.ini", ".mypy.ini"],
        sections: &[("setup.cfg", "mypy")],
        ..Configuration::NONE
    },
    hook_ids: &["mypy"],
    hook_repos: &["https://github.com/pre-commit/mirrors-mypy"],
    arguments,
    drops: &[
        ("-O", true),
        ("--output", true),
        ("--junit-xml", true),
        ("--html-report", true),
        ("--txt-report", true),
        ("--xml-report", true),
        ("--cobertura-xml-report", true),
        ("--linecount-report", true),
        ("--cache-dir", true),
        ("--install-types", false),
        ("--non-interactive", false),
        ("--pretty", false),
    ],
    cache_env: Some(CacheEnv {
        var: "MYPY_CACHE_DIR",
        by_path: false,
    }),
    parse,
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(ctx: &Context) -> Arguments {
    // mypy writes `-O json` since 1.11.
    let mut own = if ctx.version.is_none_or(|v| at_least(v, (1, 11))) {
        words(&["-O", "json"])
    } else {
        words(&[
            "--show-column-numbers",
            "--show-error-codes",
            "--no-pretty",
            "--no-error-summary",
            "--no-color-output",
        ])
    };
    own.push(format!(
        "--cache-dir={}",
        ctx.state_dir.join("mypy").display()
    ));
    let (targets, note) = targets(ctx.root, ctx.project_dir, ctx.name);
    Arguments {
        own,
        targets,
        note,
    }
}

/// mypy's targets when the project names none (`files`, `packages` or `modules` in its configuration): the
/// project's packages (`layout::packages`), else `.`. Returns the targets and why they were chosen. `root` is
/// the repository's: no file outside it is read (detection has already refused those that would leave it).
fn targets(root: &Path, dir: &Path, name: Option<&str>) -> (Vec<String>, Option<String>) {
    if configures_targets(root, dir) {
        return (Vec::new(), None);
    }
    let (targets, what) = layout::packages(dir, name)
        .unwrap_or_else(|| (vec![".".into()], "the project directory".into()));
    let why = format!(
        "mypy's configuration names no `files`: checking {what} (set [tool.mypy] files, or [tool.relgate.checks.mypy] run)"
    );
    (targets, Some(why))
}

/// Whether mypy's configuration file names what to check (`files`, `packages` or `modules`).
fn configures_targets(root: &Path, dir: &Path) -> bool {
    const KEYS: [&str; 3] = ["files", "packages", "modules"];
    let read = |name: &str| files::read_text(root, &dir.join(name)).ok().flatten();
    let names_targets = |ini: &Ini| KEYS.iter().any(|k| ini.get("mypy", k).is_some());
    for name in ["mypy.ini", ".mypy.ini"] {
        if let Some(text) = read(name) {
            return names_targets(&Ini::parse(&text));
        }
    }
    if let Some(text) = read("pyproject.toml") {
        if let Ok(file) = TomlFile::parse("pyproject.toml", text) {
            if file.get(&["tool", "mypy"]).is_some() {
                return KEYS
                    .iter()
                    .any(|k| file.get(&["tool", "mypy", k]).is_some());
            }
        }
    }
    if let Some(text) = read("setup.cfg") {
        let ini = Ini::parse(&text);
        if ini.has_section("mypy") {
            return names_targets(&ini);
        }
    }
    false
}

static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)?(?:\d+:\d+:)? (?P<sev>error|warning|note): (?P<msg>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$",
    )
    .expect("valid regex")
});

fn parse(input: &Input) -> Vec<Finding> {
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

static LOG_FINDING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^((?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(\d+):(?:\d+:)? error: (.+)$").ok()
});
static LOG_SUMMARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^Found (\d+) errors? in (\d+) files? \(checked (\d+) source files?\)").ok()
});

/// `Found 2 errors in 1 file (checked 3 source files)` and the first `path:line: error: ...`.
fn log(lines: &dyn Log) -> Option<Sighting> {
    let first = (0..lines.len()).find(|&i| log::matches(&LOG_FINDING, lines.text(i).trim_end()));
    let summary = (0..lines.len()).find(|&i| log::matches(&LOG_SUMMARY, lines.text(i).trim()));
    log::first_error(lines, first, summary)
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::{input, located};
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

    #[test]
    fn targets_follow_the_configuration_then_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(targets(d, d, None).0, ["."]);
        std::fs::create_dir_all(d.join("src")).unwrap();
        let (targets_, why) = targets(d, d, Some("my-pkg"));
        assert_eq!(targets_, ["src"]);
        assert_eq!(
            why.unwrap(),
            "mypy's configuration names no `files`: checking the src layout's src (set [tool.mypy] files, or [tool.relgate.checks.mypy] run)"
        );
        std::fs::write(d.join("pyproject.toml"), "[tool.mypy]\nfiles = ['src']\n").unwrap();
        assert_eq!(targets(d, d, None), (Vec::new(), None));
        std::fs::write(d.join("mypy.ini"), "[mypy]\nstrict = True\n").unwrap();
        assert_eq!(
            targets(d, d, None).0,
            ["src"],
            "mypy.ini is read first and names no files"
        );
    }
}

//! flake8: its configuration (setup.cfg, tox.ini or `.flake8`, read as flake8 reads them), its default
//! `path:line:col: CODE text` (relgate passes `--format=default`) and the `pylint` format
//! (`path:line: [CODE] text`) a project may configure.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::command::{Action, Arguments, Context};
use super::configuration::Configuration;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, relative};
use super::Tool;
use crate::files;
use crate::outcome::{Finding, Kind};
use crate::python::ini::Ini;

pub static TOOL: Tool = Tool {
    name: "flake8",
    kind: Kind::Lint,
    program: "flake8",
    distribution: "flake8",
    configuration: Configuration {
        tables: &[&["tool", "flake8"]],
        files: &[".flake8"],
        sections: &[("setup.cfg", "flake8"), ("tox.ini", "flake8")],
        ..Configuration::NONE
    },
    hook_ids: &["flake8"],
    hook_repos: &["https://github.com/PyCQA/flake8"],
    actions: &[Action {
        uses: "py-actions/flake8",
        command: |_| "flake8".into(),
    }],
    arguments,
    drops: &[
        ("--format", true),
        ("--output-file", true),
        ("--tee", false),
    ],
    parse,
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(ctx: &Context) -> Arguments {
    let mut args = Arguments::own(&["--format=default"]);
    if setting(ctx.root, ctx.project_dir, "output-file").is_some() {
        // The configured report file would be written into the tree; the output is read here.
        args.own.push("--output-file=/dev/stdout".into());
    }
    // flake8, unlike ruff and black, does not leave virtualenvs out by default.
    let venvs: Vec<&str> = [".venv", "venv"]
        .into_iter()
        .filter(|d| ctx.project_dir.join(d).join("pyvenv.cfg").is_file())
        .collect();
    if !venvs.is_empty() {
        // On the command line the option replaces the configuration's own: keep those entries.
        let mut excluded = extend_exclude(ctx.root, ctx.project_dir);
        excluded.extend(venvs.iter().map(|v| (*v).to_owned()));
        args.own
            .push(format!("--extend-exclude={}", excluded.join(",")));
    }
    args
}

/// A setting of flake8's configuration (the first of setup.cfg, tox.ini and .flake8 with a `[flake8]`
/// section, as flake8 reads them), dashes or underscores.
fn setting(root: &Path, dir: &Path, key: &str) -> Option<String> {
    for name in ["setup.cfg", "tox.ini", ".flake8"] {
        let Ok(Some(text)) = files::read_text(root, &dir.join(name)) else {
            continue;
        };
        let ini = Ini::parse(&text);
        if !ini.has_section("flake8") {
            continue;
        }
        return ini.get("flake8", key).map(|e| e.value.clone());
    }
    None
}

/// The `extend-exclude` entries of flake8's configuration.
fn extend_exclude(root: &Path, dir: &Path) -> Vec<String> {
    setting(root, dir, "extend-exclude")
        .map(|v| {
            v.split([',', '\n'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

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

fn parse(input: &Input) -> Vec<Finding> {
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

/// Its findings (the concise format ruff shares).
fn log(lines: &dyn Log) -> Option<Sighting> {
    log::findings(
        lines,
        |lines, i| log::code_line(lines.text(i).trim_end()),
        |_| false,
    )
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::input;
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

    #[test]
    fn flake8_keeps_the_configured_extend_exclude() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".flake8"),
            "[flake8]\nextend-exclude =\n    build,\n    docs/conf.py\n",
        )
        .unwrap();
        assert_eq!(
            extend_exclude(dir.path(), dir.path()),
            ["build", "docs/conf.py"]
        );
    }
}

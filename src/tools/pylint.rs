//! pylint. Its configuration is what pylint itself finds: `[tool.pylint.*]` in pyproject.toml, `pylintrc` or
//! `.pylintrc` (and their `.toml` forms), or a `[pylint]`/`[pylint.*]` section of setup.cfg or tox.ini (pylint
//! reads those two only when such a section is there; `[MASTER]` is a pylintrc's section name). It infers
//! types through the project's imports, so it runs in the project's environment. relgate asks for
//! `--output-format=json2` (pylint 3 and later; `json` before) and `--persistent=n` (no statistics file), on
//! the project's packages when the project's own command names no module.
//!
//! Its exit status is a bit field: 1 fatal, 2 error, 4 warning, 8 refactor, 16 convention, 32 usage error.
//! The project's `fail-under` (the score under which pylint fails, 10 by default), `fail-on` and `exit-zero`
//! decide which findings make it exit non-zero, so its exit is the project's verdict: 0 passes (its findings
//! are kept), and a status of findings fails. A fatal message (a module that cannot be found or read) or a
//! usage error (an unknown option, a bad configuration value) means pylint did not lint the project: an
//! error, whatever else it reported.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::command::{Arguments, Context, at_least};
use super::configuration::Configuration;
use super::layout;
use super::log::{self, Log, Sighting};
use super::parse::{Input, finding, json_document, one_line, relative};
use super::verdict::Exit;
use super::Tool;
use crate::outcome::{Finding, Kind};

pub static TOOL: Tool = Tool {
    name: "pylint",
    kind: Kind::Lint,
    program: "pylint",
    distribution: "pylint",
    imports_project: true,
    configuration: Configuration {
        tables: &[&["tool", "pylint"]],
        files: &["pylintrc", "pylintrc.toml", ".pylintrc", ".pylintrc.toml"],
        sections: &[
            ("setup.cfg", "pylint"),
            ("setup.cfg", "pylint.*"),
            ("tox.ini", "pylint"),
            ("tox.ini", "pylint.*"),
        ],
        ..Configuration::NONE
    },
    hook_ids: &["pylint"],
    hook_repos: &["https://github.com/pylint-dev/pylint"],
    arguments,
    drops: &[
        ("--output-format", true),
        ("-f", true),
        ("--output", true),
        ("--msg-template", true),
        ("--persistent", true),
        ("--reports", true),
        ("-r", true),
    ],
    exit,
    parse,
    log: Some(log),
    ..Tool::DEFAULT
};

fn arguments(ctx: &Context) -> Arguments {
    let format = if ctx.version.is_none_or(|v| at_least(v, (3, 0))) {
        "--output-format=json2"
    } else {
        "--output-format=json"
    };
    let (targets, what) = layout::packages(ctx.project_dir, ctx.name)
        .or_else(|| modules(ctx.project_dir))
        .unwrap_or_else(|| (vec![".".into()], "the project directory".into()));
    Arguments {
        own: vec![format.into(), "--persistent=n".into()],
        targets,
        note: Some(format!(
            "pylint is given no modules: checking {what} (name them in [tool.relgate.checks.pylint] run)"
        )),
    }
}

/// The top-level modules of a project without packages (`pylint .` would descend into `.venv`).
fn modules(dir: &Path) -> Option<(Vec<String>, String)> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.path().is_file() && e.path().extension().is_some_and(|x| x == "py"))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    found.sort();
    let what = format!("the modules {}", found.join(", "));
    (!found.is_empty()).then_some((found, what))
}

/// The bits of its exit status that say it did not lint the project.
const FATAL: i32 = 1;
const USAGE: i32 = 32;

fn exit(code: i32) -> Exit {
    match code {
        0 => Exit::Pass,
        code if (0..64).contains(&code) && code & USAGE != 0 => Exit::Broken {
            why: format!(
                "pylint could not understand its command line or configuration (exit {code}: usage error)"
            ),
            hint: None,
        },
        code if (0..64).contains(&code) && code & FATAL != 0 => Exit::Broken {
            why: format!(
                "pylint could not lint every module (exit {code}: a fatal message)"
            ),
            hint: None,
        },
        code if (0..64).contains(&code) => Exit::Findings,
        _ => Exit::Trouble { why: None },
    }
}

/// `path:line:column: C0114: message (symbol)`, its default text.
static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<id>[A-Z]\d{4}): (?P<msg>.*) \((?P<symbol>[a-z0-9-]+)\)$",
    )
    .expect("valid regex")
});

/// Its messages from `json2` (`{"messages": [...]}`), `json` (a list) or its text: `code` is the message id
/// (`W0611`), the message ends with the symbol (`(unused-import)`); fatal and error messages are errors,
/// the others warnings (informational ones notes). Columns are 1-based (pylint's are 0-based, but a
/// syntax error's, which is Python's own).
fn parse(input: &Input) -> Vec<Finding> {
    let messages = json_document(input.output)
        .and_then(|doc| doc.get("messages").cloned())
        .or_else(|| json_list(input.output));
    if let Some(serde_json::Value::Array(messages)) = messages {
        return messages
            .iter()
            .filter_map(|m| {
                let id = m["messageId"].as_str().or(m["message-id"].as_str())?;
                let symbol = m["symbol"].as_str().unwrap_or_default();
                let line = m["line"].as_u64().and_then(|l| u32::try_from(l).ok());
                let column = m["column"].as_u64().and_then(|c| u32::try_from(c).ok());
                Some(found(
                    input,
                    m["path"].as_str().unwrap_or_default(),
                    (line, column),
                    (id, symbol),
                    m["message"].as_str().unwrap_or_default(),
                ))
            })
            .collect();
    }
    input
        .output
        .lines()
        .filter_map(|line| {
            let caps = TEXT.captures(line.trim_end())?;
            Some(found(
                input,
                &caps["file"],
                (caps["line"].parse().ok(), caps["col"].parse().ok()),
                (&caps["id"], &caps["symbol"]),
                &caps["msg"],
            ))
        })
        .collect()
}

/// One finding: `at` is pylint's (line, column), `what` its (message id, symbol).
fn found(
    input: &Input,
    path: &str,
    at: (Option<u32>, Option<u32>),
    what: (&str, &str),
    message: &str,
) -> Finding {
    let (id, symbol) = what;
    let severity = match id.chars().next() {
        Some('F' | 'E') => "error",
        Some('I') => "note",
        _ => "warning",
    };
    let column = if symbol == "syntax-error" {
        at.1
    } else {
        at.1.map(|c| c + 1)
    };
    let message = if symbol.is_empty() {
        one_line(message)
    } else {
        format!("{} ({symbol})", one_line(message))
    };
    Finding {
        file: (!path.is_empty()).then(|| relative(path, input.project_dir)),
        line: at.0.filter(|&l| l > 0),
        column,
        code: Some(id.to_owned()),
        ..finding(input.kind, severity, message)
    }
}

/// The JSON list `--output-format=json` prints, among other lines.
fn json_list(output: &str) -> Option<serde_json::Value> {
    let start = output
        .match_indices('[')
        .map(|(i, _)| i)
        .find(|&i| i == 0 || output[..i].ends_with('\n'))?;
    let end = output.rfind(']')?;
    if end < start {
        return None;
    }
    serde_json::from_str(&output[start..=end]).ok()
}

/// `src/x.py:1:0: C0114: Missing module docstring (missing-module-docstring)`.
static LOG_FINDING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([^\s:][^:]*\.py):(\d+):(\d+): ([CRWEF]\d{4}): (.+)$").ok());

/// Its first finding and how many more.
fn log(lines: &dyn Log) -> Option<Sighting> {
    log::findings(
        lines,
        |lines, i| {
            log::caps(&LOG_FINDING, lines.text(i).trim_end())
                .map(|c| format!("{}:{}:{}: {} {}", &c[1], &c[2], &c[3], &c[4], &c[5]))
        },
        |_| false,
    )
}

#[cfg(test)]
mod tests {
    use super::super::parse::testing::{input, located};
    use super::*;

    fn at(output: &str) -> Vec<String> {
        located(&parse(&input(output, "lint")))
    }

    /// What pylint 4.1.5 printed for one project in its three formats.
    const EXPECTED: [&str; 8] = [
        "src/pkg/broken.py:1:7 error E0001 Parsing failed: 'invalid syntax (pkg.broken, line 1)' (syntax-error)",
        "src/pkg/__init__.py:4:1 warning C0103 Function name \"Name\" doesn't conform to snake_case naming style (invalid-name)",
        "src/pkg/__init__.py:6:8 warning W0125 Using a conditional statement with a constant value (using-constant-test)",
        "src/pkg/__init__.py:7:16 error E0602 Undefined variable 'undefined_name' (undefined-variable)",
        "src/pkg/__init__.py:11:12 warning W0613 Unused argument 'arg' (unused-argument)",
        "src/pkg/__init__.py:18:5 warning R1705 Unnecessary \"else\" after \"return\", remove the \"else\" and de-indent the code inside it (no-else-return)",
        "src/pkg/bare.py:1:1 warning C0114 Missing module docstring (missing-module-docstring)",
        "src/pkg/bare.py:1:1 warning W0611 Unused import os (unused-import)",
    ];

    #[test]
    fn json2_json_and_text_from_pylint() {
        let json2 = include_str!("../../tests/fixtures/findings/pylint-json2.json");
        assert_eq!(at(json2), EXPECTED);
        let json = include_str!("../../tests/fixtures/findings/pylint.json");
        assert_eq!(at(json), EXPECTED);
        let text = include_str!("../../tests/fixtures/findings/pylint.txt");
        assert_eq!(at(text), EXPECTED);
    }

    #[test]
    fn a_fatal_message_is_an_error_finding() {
        // `pylint --output-format=json2 nosuchdir`, exit 1.
        let out = r#"{"messages": [{"type": "fatal", "symbol": "fatal", "message": "No module named nosuchdir", "messageId": "F0001", "confidence": "UNDEFINED", "module": "nosuchdir", "obj": "", "line": 1, "column": 0, "endLine": null, "endColumn": null, "path": "nosuchdir", "absolutePath": "nosuchdir"}], "statistics": {"messageTypeCount": {"fatal": 1}, "modulesLinted": 0, "score": 0}}"#;
        assert_eq!(
            at(out),
            ["nosuchdir:1:1 error F0001 No module named nosuchdir (fatal)"]
        );
    }

    #[test]
    fn the_exit_status_is_the_projects_verdict_but_fatal_and_usage_are_errors() {
        assert_eq!(exit(0), Exit::Pass);
        for findings in [2, 4, 8, 16, 30] {
            assert_eq!(exit(findings), Exit::Findings, "{findings}");
        }
        for broken in [1, 3, 32, 34] {
            assert!(matches!(exit(broken), Exit::Broken { .. }), "{broken}");
        }
        assert_eq!(exit(-9), Exit::Trouble { why: None });
    }

    #[test]
    fn detected_where_pylint_finds_its_configuration() {
        let reasons = |files: &[(&str, &str)]| -> Vec<String> {
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in files {
                std::fs::write(dir.path().join(name), text).unwrap();
            }
            super::super::configuration::configured(dir.path(), dir.path(), None)
                .unwrap()
                .into_iter()
                .filter(|(tool, _)| tool.name == "pylint")
                .map(|(_, reason)| reason)
                .collect()
        };
        assert_eq!(
            reasons(&[
                ("setup.cfg", "[metadata]\nname = x\n[pylint.messages control]\ndisable = C\n"),
                ("tox.ini", "[pylint]\njobs = 2\n"),
                (".pylintrc", "[MAIN]\n"),
            ]),
            [
                ".pylintrc",
                "[pylint.messages control] in setup.cfg",
                "[pylint] in tox.ini"
            ]
        );
        // pylint reads setup.cfg only for its own sections: `[MASTER]` belongs to a pylintrc.
        assert!(reasons(&[("setup.cfg", "[MASTER]\njobs = 2\n")]).is_empty());
    }

    #[test]
    fn its_log_names_the_first_finding() {
        let text = include_str!("../../tests/fixtures/findings/pylint.txt");
        let lines: Vec<&str> = text.lines().collect();
        let seen = log(&lines).unwrap();
        assert_eq!(
            (seen.at, seen.message.as_str()),
            (
                1,
                "src/pkg/broken.py:1:7: E0001 Parsing failed: 'invalid syntax (pkg.broken, line 1)' (syntax-error) (and 7 more findings)"
            )
        );
    }
}

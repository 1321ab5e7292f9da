//! tox (`tox.ini`, `[tool.tox]`), nox (`noxfile.py`) and hatch scripts: the commands they run, with their
//! arguments.

use std::path::Path;

use toml_edit::{Item, Value};

use super::{ToolCommand, tool_command};
use crate::files::{self, ReadError};
use crate::python::ini::Ini;
use crate::shell;
use crate::toml_file::TomlFile;

/// The commands of every `[testenv]`/`[testenv:NAME]` in tox.ini, and of `[tool.tox]` in pyproject.toml
/// (the native TOML form, or `legacy_tox_ini`).
/// `root`: the repository's root, which no file read may leave.
pub fn tox(
    root: &Path,
    dir: &Path,
    pyproject: Option<&TomlFile>,
) -> Result<Vec<ToolCommand>, ReadError> {
    let mut out = Vec::new();
    if let Some(text) = files::read_text(root, &dir.join("tox.ini"))? {
        out.extend(tox_ini(&text, "tox.ini"));
    }
    let Some(pyproject) = pyproject else {
        return Ok(out);
    };
    if let Some(legacy) = pyproject.get_str(&["tool", "tox", "legacy_tox_ini"]) {
        out.extend(tox_ini(legacy, "pyproject.toml [tool.tox] legacy_tox_ini"));
    }
    let mut envs: Vec<(String, &Item)> = Vec::new();
    if let Some(base) = pyproject.get(&["tool", "tox", "env_run_base"]) {
        envs.push(("env_run_base".into(), base));
    }
    if let Some(table) = pyproject
        .get(&["tool", "tox", "env"])
        .and_then(Item::as_table_like)
    {
        envs.extend(
            table
                .iter()
                .map(|(name, item)| (format!("env.{name}"), item)),
        );
    }
    for (name, env) in envs {
        let Some(commands) = env.get("commands").and_then(Item::as_array) else {
            continue;
        };
        for command in commands {
            let Some(words) = command.as_array().map(toml_words) else {
                continue;
            };
            if let Some((tool, args)) = tool_command(&words) {
                out.push(ToolCommand {
                    tool,
                    args: Some(args),
                    source: format!("pyproject.toml [tool.tox.{name}]"),
                });
            }
        }
    }
    Ok(out)
}

fn tox_ini(text: &str, label: &str) -> Vec<ToolCommand> {
    let mut out = Vec::new();
    for entry in Ini::parse(text).entries() {
        let section = &entry.section;
        if entry.key != "commands" || !(section == "testenv" || section.starts_with("testenv:")) {
            continue;
        }
        for line in entry.value.replace("\\\n", " ").lines() {
            let words = shell::words(line);
            if let Some((tool, args)) = tool_command(&words) {
                out.push(ToolCommand {
                    tool,
                    args: Some(args),
                    source: format!("{label} [{section}]"),
                });
            }
        }
    }
    out
}

/// `session.run("tool", "arg", ...)` calls in noxfile.py whose program and arguments are string literals
/// (`*session.posargs` and keyword arguments are left out).
pub fn nox(root: &Path, dir: &Path) -> Result<Vec<ToolCommand>, ReadError> {
    let Some(text) = files::read_text(root, &dir.join("noxfile.py"))? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("session.run(") {
        rest = &rest[at + "session.run(".len()..];
        let Some(args) = call_arguments(rest) else {
            break;
        };
        let words: Vec<String> = args.iter().map_while(|a| python_string(a)).collect();
        if let Some((tool, args)) = tool_command(&words) {
            out.push(ToolCommand {
                tool,
                args: Some(args),
                source: "noxfile.py".into(),
            });
        }
    }
    Ok(out)
}

/// The top-level arguments of a call whose opening parenthesis was just consumed, as source text.
fn call_arguments(text: &str) -> Option<Vec<&str>> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut args = Vec::new();
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth > 0 => depth -= 1,
            ')' => {
                args.push(text[start..i].trim());
                return Some(args.into_iter().filter(|a| !a.is_empty()).collect());
            }
            ',' if depth == 0 => {
                args.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The value of a plain Python string literal (`"x"`, `'x'`), without prefixes or escapes beyond quotes.
fn python_string(arg: &str) -> Option<String> {
    let arg = arg.trim();
    let quote = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = arg.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote) && !inner.contains('\\')).then(|| inner.to_owned())
}

/// Hatch environment scripts (`[tool.hatch.envs.NAME.scripts]`, or `[envs.NAME.scripts]` in hatch.toml).
pub fn hatch(
    root: &Path,
    dir: &Path,
    pyproject: Option<&TomlFile>,
) -> Result<Vec<ToolCommand>, ReadError> {
    let mut out = Vec::new();
    let hatch_toml = files::read_text(root, &dir.join("hatch.toml"))?
        .and_then(|t| TomlFile::parse("hatch.toml", t).ok());
    let sources = [
        (
            pyproject,
            &["tool", "hatch", "envs"][..],
            "pyproject.toml [tool.hatch.envs",
        ),
        (hatch_toml.as_ref(), &["envs"][..], "hatch.toml [envs"),
    ];
    for (file, path, label) in sources {
        let Some(envs) = file.and_then(|f| f.get(path)).and_then(Item::as_table_like) else {
            continue;
        };
        for (env, item) in envs.iter() {
            let Some(scripts) = item.get("scripts").and_then(Item::as_table_like) else {
                continue;
            };
            for (name, script) in scripts.iter() {
                let lines: Vec<String> = match script {
                    Item::Value(Value::String(s)) => vec![s.value().clone()],
                    Item::Value(Value::Array(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                // Hatch runs each line in a shell: `ruff check . && ruff format --check .` is two commands.
                for command in lines.iter().flat_map(|line| shell::commands(line)) {
                    if let Some((tool, args)) = tool_command(&shell::words(&command)) {
                        out.push(ToolCommand {
                            tool,
                            args: Some(args),
                            source: format!("{label}.{env}.scripts] {name}"),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Words of a tox TOML command: strings, and the default of a `{replace = "posargs", default = [...]}`.
fn toml_words(array: &toml_edit::Array) -> Vec<String> {
    let mut out = Vec::new();
    for value in array {
        match value {
            Value::String(s) => out.push(s.value().clone()),
            Value::InlineTable(t)
                if t.get("replace").and_then(Value::as_str) == Some("posargs") =>
            {
                if let Some(default) = t.get("default").and_then(Value::as_array) {
                    out.extend(default.iter().filter_map(|v| v.as_str().map(str::to_owned)));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn tool(name: &str) -> &'static crate::tools::Tool {
        crate::tools::by_name(name).unwrap()
    }

    #[test]
    fn tox_ini_commands() {
        let ini = "[tox]\nenvlist = py,lint\n\n[testenv]\ndeps = pytest\ncommands =\n    pytest {posargs:tests}\n\n[testenv:lint]\ncommands =\n    ruff check src \\\n      tests\n    mypy --strict src\n[flake8]\nmax-line-length = 100\n";
        let found = tox_ini(ini, "tox.ini");
        assert_eq!(
            found,
            [
                ToolCommand {
                    tool: tool("pytest"),
                    args: Some(s(&["tests"])),
                    source: "tox.ini [testenv]".into()
                },
                ToolCommand {
                    tool: tool("ruff"),
                    args: Some(s(&["src", "tests"])),
                    source: "tox.ini [testenv:lint]".into()
                },
                ToolCommand {
                    tool: tool("mypy"),
                    args: Some(s(&["--strict", "src"])),
                    source: "tox.ini [testenv:lint]".into()
                },
            ]
        );
        assert!(Ini::parse(ini).has_section("flake8"));
    }

    #[test]
    fn tox_toml_commands() {
        let py = TomlFile::parse(
            "pyproject.toml",
            "[tool.tox.env_run_base]\ncommands = [[\"pytest\", { replace = \"posargs\", default = [\"tests\"], extend = true }]]\n[tool.tox.env.type]\ncommands = [[\"mypy\", \"src\"]]\n".into(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let found = tox(dir.path(), dir.path(), Some(&py)).unwrap();
        assert_eq!(found[0].args, Some(s(&["tests"])));
        assert_eq!(
            found[1],
            ToolCommand {
                tool: tool("mypy"),
                args: Some(s(&["src"])),
                source: "pyproject.toml [tool.tox.env.type]".into()
            }
        );
    }

    #[test]
    fn nox_sessions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("noxfile.py"),
            "import nox\n\n@nox.session\ndef tests(session):\n    session.install('.[test]')\n    session.run('pytest', '-x', *session.posargs)\n\n@nox.session\ndef lint(session):\n    session.run(\n        \"mypy\", \"src\", \"--strict\",\n        env={\"X\": \"1\"},\n    )\n    session.run(\"python\", \"-m\", \"flake8\", SRC)\n",
        )
        .unwrap();
        let found: Vec<(&str, Vec<String>)> = nox(dir.path(), dir.path())
            .unwrap()
            .into_iter()
            .map(|c| (c.tool.name, c.args.unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("pytest", s(&["-x"])),
                ("mypy", s(&["src", "--strict"])),
                ("flake8", vec![]),
            ]
        );
    }

    #[test]
    fn hatch_scripts() {
        let py = TomlFile::parse(
            "pyproject.toml",
            "[tool.hatch.envs.default.scripts]\ntest = 'pytest {args:tests}'\n[tool.hatch.envs.lint.scripts]\ncheck = ['ruff check .', 'ruff format --check .']\ntyping = 'mypy --strict src && pytest -x'\n".into(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let found: Vec<(&str, Vec<String>, String)> = hatch(dir.path(), dir.path(), Some(&py))
            .unwrap()
            .into_iter()
            .map(|c| (c.tool.name, c.args.unwrap(), c.source))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "pytest",
                    s(&["tests"]),
                    "pyproject.toml [tool.hatch.envs.default.scripts] test".to_owned()
                ),
                (
                    "ruff",
                    s(&["."]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] check".to_owned()
                ),
                (
                    "ruff-format",
                    s(&["--check", "."]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] check".to_owned()
                ),
                (
                    "mypy",
                    s(&["--strict", "src"]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] typing".to_owned()
                ),
                (
                    "pytest",
                    s(&["-x"]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] typing".to_owned()
                ),
            ]
        );
    }
}

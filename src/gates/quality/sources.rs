//! Where a project says which tools it runs, and how: tox and nox sessions, hatch scripts, pre-commit hooks
//! and the development dependencies it declares. These are read, never run (tox and nox would build
//! environments into the tree).

use std::path::{Path, PathBuf};

use toml_edit::{Item, Value};

use super::tool::Tool;
use crate::toml_file::TomlFile;

/// A command line a project runs a tool with, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCommand {
    pub tool: Tool,
    /// The tool's arguments (after `check`/`format` for ruff), with tox/hatch placeholders resolved; `None`
    /// when they cannot be known (a CI expression, an action's inputs).
    pub args: Option<Vec<String>>,
    /// Where the command is written, e.g. `tox.ini [testenv:lint]`.
    pub source: String,
}

/// The commands of every `[testenv]`/`[testenv:NAME]` in tox.ini, and of `[tool.tox]` in pyproject.toml
/// (the native TOML form, or `legacy_tox_ini`).
pub fn tox(dir: &Path, pyproject: Option<&TomlFile>) -> Vec<ToolCommand> {
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("tox.ini")) {
        out.extend(tox_ini(&text, "tox.ini"));
    }
    let Some(pyproject) = pyproject else {
        return out;
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
    out
}

/// `session.run("tool", "arg", ...)` calls in noxfile.py whose program and arguments are string literals
/// (`*session.posargs` and keyword arguments are left out).
pub fn nox(dir: &Path) -> Vec<ToolCommand> {
    let Ok(text) = std::fs::read_to_string(dir.join("noxfile.py")) else {
        return Vec::new();
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
    out
}

/// Hatch environment scripts (`[tool.hatch.envs.NAME.scripts]`, or `[envs.NAME.scripts]` in hatch.toml).
pub fn hatch(dir: &Path, pyproject: Option<&TomlFile>) -> Vec<ToolCommand> {
    let mut out = Vec::new();
    let hatch_toml = std::fs::read_to_string(dir.join("hatch.toml"))
        .ok()
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
                for line in lines {
                    if let Some((tool, args)) = tool_command(&split_words(&line)) {
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
    out
}

/// Commands the GitHub Actions workflows run (`run:` scripts, and the tools' own actions), for the project
/// at `subdir` of the repository (empty at the root): only steps whose working directory is the project's.
/// CI is where a release fails, so what it runs is what the gate runs.
pub fn workflows(root: &Path, subdir: &Path) -> Vec<ToolCommand> {
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    let wanted = normalize_dir(&subdir.to_string_lossy());
    let mut out = Vec::new();
    for file in files {
        let Some(doc) = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| yaml_rust2::YamlLoader::load_from_str(&t).ok())
            .and_then(|docs| docs.into_iter().next())
        else {
            continue;
        };
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let Some(jobs) = doc["jobs"].as_hash() else {
            continue;
        };
        let top_dir = doc["defaults"]["run"]["working-directory"].as_str();
        for (job_id, job) in jobs {
            let job_id = job_id.as_str().unwrap_or("?");
            let job_dir = job["defaults"]["run"]["working-directory"]
                .as_str()
                .or(top_dir);
            for step in job["steps"].as_vec().into_iter().flatten() {
                let dir = step["working-directory"].as_str().or(job_dir).unwrap_or("");
                if normalize_dir(dir) != wanted {
                    continue;
                }
                let source = format!(".github/workflows/{name} job `{job_id}`");
                if let Some(uses) = step["uses"].as_str() {
                    out.extend(action_tool(uses, step).map(|tool| ToolCommand {
                        tool,
                        args: None,
                        source: source.clone(),
                    }));
                }
                for command in step["run"]
                    .as_str()
                    .map(script_commands)
                    .unwrap_or_default()
                {
                    let words = split_words(&command);
                    // `${{ matrix.x }}` and `$VAR` are only known in CI: the tool counts, not its arguments.
                    let expressions = words.iter().any(|w| w.contains('$') || w.contains('`'));
                    if let Some((tool, args)) = tool_command(&words) {
                        out.push(ToolCommand {
                            tool,
                            args: (!expressions).then_some(args),
                            source: source.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The tool a step's action runs: ruff's, black's, isort's and pyright's own actions.
fn action_tool(uses: &str, step: &yaml_rust2::Yaml) -> Option<Tool> {
    let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    match action.as_str() {
        "astral-sh/ruff-action" | "chartboost/ruff-action" => {
            let args = step["with"]["args"].as_str().unwrap_or("");
            Some(if args.trim_start().starts_with("format") {
                Tool::RuffFormat
            } else {
                Tool::Ruff
            })
        }
        "psf/black" => Some(Tool::Black),
        "isort/isort-action" => Some(Tool::Isort),
        "jakebailey/pyright-action" => Some(Tool::Pyright),
        _ => None,
    }
}

/// The simple commands of a shell script: lines (joined at a trailing `\`), split at `&&`, `||`, `;`, `|`.
fn script_commands(script: &str) -> Vec<String> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        for part in line
            .split("&&")
            .flat_map(|p| p.split("||"))
            .flat_map(|p| p.split([';', '|']))
        {
            let part = part.trim();
            if !part.is_empty() {
                out.push(part.to_owned());
            }
        }
    }
    out
}

fn normalize_dir(dir: &str) -> String {
    let mut d = dir.trim();
    while let Some(rest) = d.strip_prefix("./") {
        d = rest;
    }
    let d = d.trim_end_matches('/');
    if d == "." {
        String::new()
    } else {
        d.to_owned()
    }
}

/// Tools run by `.pre-commit-config.yaml` hooks: the known hook ids of the tools' own repositories (with
/// the repository's `rev`, the tool's pinned version), and local hooks whose `entry` runs a tool.
pub fn pre_commit(dir: &Path) -> Vec<(Tool, String, Option<String>)> {
    let Ok(text) = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")) else {
        return Vec::new();
    };
    let Ok(docs) = yaml_rust2::YamlLoader::load_from_str(&text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(repos) = docs.first().and_then(|d| d["repos"].as_vec()) else {
        return out;
    };
    for repo in repos {
        let rev = repo["rev"].as_str().map(str::to_owned);
        for hook in repo["hooks"].as_vec().into_iter().flatten() {
            if let Some((tool, reason, local)) = hook_tool(hook) {
                out.push((tool, reason, if local { None } else { rev.clone() }));
            }
        }
    }
    out
}

/// The tool a hook runs, why, and whether it is a local hook (its `entry` names the command).
fn hook_tool(hook: &yaml_rust2::Yaml) -> Option<(Tool, String, bool)> {
    let id = hook["id"].as_str()?;
    let by_id = match id {
        "ruff" | "ruff-check" => Some(Tool::Ruff),
        "ruff-format" => Some(Tool::RuffFormat),
        "black" | "black-jupyter" => Some(Tool::Black),
        "isort" => Some(Tool::Isort),
        "flake8" => Some(Tool::Flake8),
        "mypy" => Some(Tool::Mypy),
        "pyright" => Some(Tool::Pyright),
        "basedpyright" => Some(Tool::Basedpyright),
        "pytest" => Some(Tool::Pytest),
        _ => None,
    };
    let reason = format!("hook {id} in .pre-commit-config.yaml");
    if let Some(tool) = by_id {
        return Some((tool, reason, false));
    }
    let entry = hook["entry"].as_str()?;
    tool_command(&split_words(entry)).map(|(tool, _)| (tool, reason, true))
}

/// Tools listed among the development dependencies: PEP 735 `[dependency-groups]`, development extras of
/// `[project.optional-dependencies]`, Poetry groups, PDM and uv dev-dependencies, hatch environments, and
/// the usual requirements files.
pub fn dependencies(dir: &Path, pyproject: Option<&TomlFile>) -> Vec<(Tool, String)> {
    let mut out = Vec::new();
    let mut add = |requirement: &str, place: &str| {
        if let Some(tool) = Tool::from_distribution(&requirement_name(requirement)) {
            out.push((tool, format!("{} in {place}", tool.distribution())));
        }
    };
    if let Some(py) = pyproject {
        for (group, item) in tables(py, &["dependency-groups"]) {
            for req in strings(item) {
                add(&req, &format!("[dependency-groups] {group}"));
            }
        }
        for (extra, item) in tables(py, &["project", "optional-dependencies"]) {
            if is_development_extra(&extra) {
                for req in strings(item) {
                    add(&req, &format!("[project.optional-dependencies] {extra}"));
                }
            }
        }
        for (group, item) in tables(py, &["tool", "poetry", "group"]) {
            if let Some(deps) = item.get("dependencies").and_then(Item::as_table_like) {
                for (name, _) in deps.iter() {
                    add(name, &format!("[tool.poetry.group.{group}.dependencies]"));
                }
            }
        }
        for (name, _) in tables(py, &["tool", "poetry", "dev-dependencies"]) {
            add(&name, "[tool.poetry.dev-dependencies]");
        }
        for (group, item) in tables(py, &["tool", "pdm", "dev-dependencies"]) {
            for req in strings(item) {
                add(&req, &format!("[tool.pdm.dev-dependencies] {group}"));
            }
        }
        if let Some(item) = py.get(&["tool", "uv", "dev-dependencies"]) {
            for req in strings(item) {
                add(&req, "[tool.uv] dev-dependencies");
            }
        }
        for (env, item) in tables(py, &["tool", "hatch", "envs"]) {
            for key in ["dependencies", "extra-dependencies"] {
                if let Some(list) = item.get(key) {
                    for req in strings(list) {
                        add(&req, &format!("[tool.hatch.envs.{env}] {key}"));
                    }
                }
            }
        }
    }
    let mut files: Vec<String> = [
        "requirements-dev.txt",
        "requirements_dev.txt",
        "dev-requirements.txt",
        "requirements-test.txt",
        "requirements_test.txt",
        "test-requirements.txt",
        "requirements-lint.txt",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Ok(entries) = std::fs::read_dir(dir.join("requirements")) {
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| {
                Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("in"))
            })
            .map(|n| format!("requirements/{n}"))
            .collect();
        names.sort();
        files.extend(names);
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(dir.join(&file)) else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() && !line.starts_with('-') {
                add(line, &file);
            }
        }
    }
    out
}

/// The tool a command line runs and its arguments, looking through `python -m`, `{envpython} -m`,
/// `coverage run -m`, `uv run`, `poetry run`, `pdm run`, `hatch run` and leading `VAR=value` assignments.
/// `ruff` without a subcommand (older releases) is `ruff check`.
pub fn tool_command(words: &[String]) -> Option<(Tool, Vec<String>)> {
    let mut i = 0;
    // tox: `- cmd` ignores the exit code; `py39: cmd` runs only in matching environments.
    if words.first().is_some_and(|w| w == "-" || w == "!") {
        i += 1;
    }
    if words.get(i).is_some_and(|w| is_factor(w)) {
        i += 1;
    }
    while words
        .get(i)
        .is_some_and(|w| w.contains('=') && !w.starts_with('-') && !w.starts_with('{'))
    {
        i += 1;
    }
    loop {
        let word = words.get(i)?;
        let base = word.rsplit('/').next().unwrap_or(word);
        let next = words.get(i + 1).map(String::as_str);
        let is_python = matches!(
            base,
            "python" | "python3" | "py" | "{envpython}" | "{env_python}"
        ) || base.starts_with("python3.");
        if is_python && next == Some("-m") {
            i += 2;
        } else if matches!(base, "uv" | "poetry" | "pdm" | "hatch" | "pipenv" | "rye")
            && next == Some("run")
        {
            i += 2;
            while let Some(opt) = words.get(i).filter(|w| w.starts_with('-')) {
                let takes_value = matches!(
                    opt.as_str(),
                    "--with"
                        | "--group"
                        | "--extra"
                        | "--env"
                        | "-e"
                        | "--python"
                        | "-p"
                        | "--package"
                );
                i += if takes_value { 2 } else { 1 };
            }
        } else if base == "coverage" && next == Some("run") {
            let m = words.iter().skip(i).position(|w| w == "-m")?;
            i += m + 1;
        } else {
            break;
        }
    }
    let program = words.get(i)?;
    let base = program
        .rsplit('/')
        .next()
        .unwrap_or(program)
        .to_ascii_lowercase();
    let rest = &words[i + 1..];
    let (tool, args) = match base.as_str() {
        "ruff" => match rest.first().map(String::as_str) {
            Some("format") => (Tool::RuffFormat, &rest[1..]),
            Some("check") => (Tool::Ruff, &rest[1..]),
            Some(first)
                if first.starts_with('-')
                    || Path::new(first).extension().is_some()
                    || first == "." =>
            {
                (Tool::Ruff, rest)
            }
            None => (Tool::Ruff, rest),
            Some(_) => return None,
        },
        "pytest" | "py.test" => (Tool::Pytest, rest),
        other => (Tool::from_distribution(other)?, rest),
    };
    Some((tool, resolve_placeholders(args)))
}

/// tox's and hatch's placeholders: `{posargs}`/`{args}` are dropped (or replaced by their default,
/// `{posargs:tests}`), `{toxinidir}`/`{tox_root}`/`{root}` is the project directory; an argument with any
/// other placeholder (an environment's own directory) is left out.
fn resolve_placeholders(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for arg in args {
        let posargs = ["{posargs", "{args"]
            .iter()
            .find_map(|p| arg.strip_prefix(p))
            .and_then(|rest| rest.strip_suffix('}'));
        if let Some(rest) = posargs {
            if let Some(default) = rest.strip_prefix(':') {
                out.extend(split_words(default));
            }
            continue;
        }
        if arg == "[]" {
            continue;
        }
        let mut resolved = arg.clone();
        for root in ["{toxinidir}", "{tox_root}", "{root}"] {
            resolved = resolved.replace(&format!("{root}/"), "").replace(root, ".");
        }
        if resolved.contains('{') {
            continue;
        }
        out.push(resolved);
    }
    out
}

/// A tox factor condition (`py39:`, `lint,type:`, `!py27:`).
fn is_factor(word: &str) -> bool {
    word.len() > 1
        && word.ends_with(':')
        && word[..word.len() - 1].chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ',' | '-' | '_' | '.' | '!' | '{' | '}')
        })
}

fn tox_ini(text: &str, label: &str) -> Vec<ToolCommand> {
    let mut out = Vec::new();
    for (section, key, value) in ini_entries(text) {
        if key != "commands" || !(section == "testenv" || section.starts_with("testenv:")) {
            continue;
        }
        for line in value.replace("\\\n", " ").lines() {
            let words = split_words(line);
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

/// `(section, key, value)` of an INI file; a value continues on indented lines (tox's and configparser's
/// multi-line values).
pub fn ini_entries(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) && !trimmed.is_empty() {
            if let Some(last) = out.last_mut() {
                if last.0 == section {
                    if !last.2.is_empty() {
                        last.2.push('\n');
                    }
                    last.2.push_str(trimmed);
                }
            }
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            trimmed[1..trimmed.len() - 1]
                .trim()
                .clone_into(&mut section);
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(['=', ':']) {
            out.push((
                section.clone(),
                key.trim().to_ascii_lowercase(),
                value.trim().to_owned(),
            ));
        }
    }
    out
}

/// Whether an INI file has a section named `name`.
pub fn ini_has_section(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with('[') && l.ends_with(']') && l[1..l.len() - 1].trim() == name
    })
}

/// Words of a command line as a POSIX shell would split it (quotes, backslashes), keeping `{...}`
/// placeholders whole even when they contain spaces.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut has_word = false;
    let mut quote: Option<char> = None;
    let mut braces = 0usize;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    has_word = true;
                }
            }
            (None, '{') => {
                braces += 1;
                word.push(c);
                has_word = true;
            }
            (None, '}') => {
                braces = braces.saturating_sub(1);
                word.push(c);
            }
            (None, c) if c.is_whitespace() && braces == 0 => {
                if has_word {
                    words.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            (None, '#') if !has_word && braces == 0 => break,
            (None, c) => {
                word.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        words.push(word);
    }
    words
}

/// A normalized distribution name (PEP 503) from a requirement string: `Flake8[toml]>=7 ; python_version...`
/// is `flake8`.
pub fn requirement_name(requirement: &str) -> String {
    let name: String = requirement
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let mut out = String::new();
    for c in name.to_ascii_lowercase().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Extras that hold development tools rather than runtime features (`dev`, `test`, `tests`, `testing`,
/// `lint`, `typing`, `qa`, `check`...): a runtime extra may list black for a feature that formats code.
fn is_development_extra(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "dev", "test", "lint", "typ", "check", "qa", "style", "format", "ci", "mypy",
    ]
    .iter()
    .any(|k| name.contains(k))
}

fn tables<'a>(file: &'a TomlFile, path: &[&str]) -> Vec<(String, &'a Item)> {
    file.get(path)
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, v)| (k.to_owned(), v)).collect())
        .unwrap_or_default()
}

fn strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split_words(line)
    }

    fn cmd(line: &str) -> Option<(Tool, Vec<String>)> {
        tool_command(&words(line))
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            words(r#"pytest -m "not slow" 'a b' c\ d"#),
            ["pytest", "-m", "not slow", "a b", "c d"]
        );
        assert_eq!(
            words("pytest {posargs:-x tests} # comment"),
            ["pytest", "{posargs:-x tests}"]
        );
    }

    #[test]
    fn tools_through_runners_and_placeholders() {
        assert_eq!(
            cmd("ruff check src tests"),
            Some((Tool::Ruff, s(&["src", "tests"])))
        );
        assert_eq!(cmd("ruff ."), Some((Tool::Ruff, s(&["."]))));
        assert_eq!(
            cmd("ruff format --check ."),
            Some((Tool::RuffFormat, s(&["--check", "."])))
        );
        assert_eq!(cmd("ruff rule F401"), None);
        assert_eq!(
            cmd("{envpython} -m pytest {posargs:tests}"),
            Some((Tool::Pytest, s(&["tests"])))
        );
        assert_eq!(
            cmd("- mypy {toxinidir}/src {posargs}"),
            Some((Tool::Mypy, s(&["src"])))
        );
        assert_eq!(
            cmd("py39: coverage run -m pytest -x"),
            Some((Tool::Pytest, s(&["-x"])))
        );
        assert_eq!(
            cmd("uv run --frozen --group dev mypy ."),
            Some((Tool::Mypy, s(&["."])))
        );
        assert_eq!(
            cmd("PYTHONWARNINGS=error pytest {envtmpdir}"),
            Some((Tool::Pytest, vec![]))
        );
        assert_eq!(cmd("pip install -e ."), None);
        assert_eq!(
            cmd("black --check src {args}"),
            Some((Tool::Black, s(&["--check", "src"])))
        );
    }

    #[test]
    fn tox_ini_commands() {
        let ini = "[tox]\nenvlist = py,lint\n\n[testenv]\ndeps = pytest\ncommands =\n    pytest {posargs:tests}\n\n[testenv:lint]\ncommands =\n    ruff check src \\\n      tests\n    mypy --strict src\n[flake8]\nmax-line-length = 100\n";
        let found = tox_ini(ini, "tox.ini");
        assert_eq!(
            found,
            [
                ToolCommand {
                    tool: Tool::Pytest,
                    args: Some(s(&["tests"])),
                    source: "tox.ini [testenv]".into()
                },
                ToolCommand {
                    tool: Tool::Ruff,
                    args: Some(s(&["src", "tests"])),
                    source: "tox.ini [testenv:lint]".into()
                },
                ToolCommand {
                    tool: Tool::Mypy,
                    args: Some(s(&["--strict", "src"])),
                    source: "tox.ini [testenv:lint]".into()
                },
            ]
        );
        assert!(ini_has_section(ini, "flake8"));
    }

    #[test]
    fn tox_toml_commands() {
        let py = TomlFile::parse(
            "pyproject.toml",
            "[tool.tox.env_run_base]\ncommands = [[\"pytest\", { replace = \"posargs\", default = [\"tests\"], extend = true }]]\n[tool.tox.env.type]\ncommands = [[\"mypy\", \"src\"]]\n".into(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let found = tox(dir.path(), Some(&py));
        assert_eq!(found[0].args, Some(s(&["tests"])));
        assert_eq!(
            found[1],
            ToolCommand {
                tool: Tool::Mypy,
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
        let found: Vec<(Tool, Vec<String>)> = nox(dir.path())
            .into_iter()
            .map(|c| (c.tool, c.args.unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (Tool::Pytest, s(&["-x"])),
                (Tool::Mypy, s(&["src", "--strict"])),
                (Tool::Flake8, vec![]),
            ]
        );
    }

    #[test]
    fn pre_commit_hooks_and_local_entries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".pre-commit-config.yaml"),
            "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.0\n    hooks:\n      - id: ruff\n        args: [--fix]\n      - id: ruff-format\n  - repo: local\n    hooks:\n      - id: tests\n        name: tests\n        entry: uv run pytest -q\n        language: system\n",
        )
        .unwrap();
        let rev = Some("v0.6.0".to_owned());
        assert_eq!(
            pre_commit(dir.path()),
            [
                (
                    Tool::Ruff,
                    "hook ruff in .pre-commit-config.yaml".to_owned(),
                    rev.clone()
                ),
                (
                    Tool::RuffFormat,
                    "hook ruff-format in .pre-commit-config.yaml".to_owned(),
                    rev
                ),
                (
                    Tool::Pytest,
                    "hook tests in .pre-commit-config.yaml".to_owned(),
                    None
                ),
            ]
        );
    }

    #[test]
    fn development_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("requirements-dev.txt"),
            "# tools\n-r requirements.txt\nFlake8==7.0 ; python_version >= '3.9'\n",
        )
        .unwrap();
        let py = TomlFile::parse(
            "pyproject.toml",
            "[project]\nname = 'x'\n[project.optional-dependencies]\njupyter = ['black']\ntests = ['pytest>=8']\n[dependency-groups]\ndev = ['ruff>=0.5', {include-group = 'typing'}]\ntyping = ['mypy[faster-cache]']\n[tool.poetry.group.lint.dependencies]\nisort = '^5'\n".into(),
        )
        .unwrap();
        let found: Vec<String> = dependencies(dir.path(), Some(&py))
            .into_iter()
            .map(|(t, w)| format!("{}: {w}", t.name()))
            .collect();
        assert_eq!(
            found,
            [
                "ruff: ruff in [dependency-groups] dev",
                "mypy: mypy in [dependency-groups] typing",
                "pytest: pytest in [project.optional-dependencies] tests",
                "isort: isort in [tool.poetry.group.lint.dependencies]",
                "flake8: flake8 in requirements-dev.txt",
            ]
        );
        assert_eq!(
            requirement_name("Typing_Extensions.x>=4"),
            "typing-extensions-x"
        );
    }

    #[test]
    fn workflow_steps_of_the_project() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
        std::fs::write(
            dir.path().join(".github/workflows/ci.yml"),
            "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: astral-sh/ruff-action@v3\n        with:\n          args: format --check\n      - run: |\n          uv run mypy src --python-version ${{ matrix.python }}\n          python -m pytest \\\n            tests -x && echo done\n      - run: pytest other\n        working-directory: packages/other\n",
        )
        .unwrap();
        let found: Vec<(Tool, Option<Vec<String>>)> = workflows(dir.path(), Path::new(""))
            .into_iter()
            .map(|c| (c.tool, c.args))
            .collect();
        assert_eq!(
            found,
            [
                (Tool::RuffFormat, None),
                (Tool::Mypy, None),
                (Tool::Pytest, Some(s(&["tests", "-x"]))),
            ]
        );
        let other: Vec<Tool> = workflows(dir.path(), Path::new("packages/other/"))
            .into_iter()
            .map(|c| c.tool)
            .collect();
        assert_eq!(other, [Tool::Pytest]);
    }

    #[test]
    fn hatch_scripts() {
        let py = TomlFile::parse(
            "pyproject.toml",
            "[tool.hatch.envs.default.scripts]\ntest = 'pytest {args:tests}'\n[tool.hatch.envs.lint.scripts]\ncheck = ['ruff check .', 'ruff format --check .']\n".into(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let found: Vec<(Tool, Vec<String>, String)> = hatch(dir.path(), Some(&py))
            .into_iter()
            .map(|c| (c.tool, c.args.unwrap(), c.source))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Tool::Pytest,
                    s(&["tests"]),
                    "pyproject.toml [tool.hatch.envs.default.scripts] test".to_owned()
                ),
                (
                    Tool::Ruff,
                    s(&["."]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] check".to_owned()
                ),
                (
                    Tool::RuffFormat,
                    s(&["--check", "."]),
                    "pyproject.toml [tool.hatch.envs.lint.scripts] check".to_owned()
                ),
            ]
        );
    }
}

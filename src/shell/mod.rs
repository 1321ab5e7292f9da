//! Reading the shell command lines projects write (GitHub Actions `run:` scripts, hatch scripts, tox and nox
//! commands, pre-commit entries, the scripts CI logs echo): the simple commands of a script, the words of a
//! command, and the program a command runs behind the runners Python projects put in front of their tools.
//!
//! Nothing here runs a shell: relgate reads these lines to learn which tools a project runs and how, and its
//! own subprocesses are argument vectors.
//!
//! Glossary:
//! - *simple command*: one command of a script, between `&&`, `||`, `;`, `|`, `&` and line ends (POSIX
//!   "Shell Command Language" 2.9).
//! - *prefix*: a command that runs the rest of its line as another command (`env`, `time`, `sudo`,
//!   `xvfb-run`, `xargs`), as do leading `VAR=value` assignments.
//! - *runner*: a command that runs a program named in its arguments (`uv run`, `poetry run`, `python -m`,
//!   `coverage run -m`).

mod script;
#[cfg(test)]
mod tests;

use std::ffi::OsStr;

/// The simple commands of a script, in order, each as written: lines joined at a trailing `\` (or
/// PowerShell's `` ` ``), comments and heredoc bodies dropped, split at `&&`, `||`, `;`, `|` and `&` outside
/// quotes and `${{ }}` expressions. A quote may span lines (`python -c "` ... `"`); in a script whose quotes
/// do not pair up (a stray apostrophe), each line end closes the open quote instead.
pub fn commands(script: &str) -> Vec<String> {
    let (out, balanced) = script::scan(script, true);
    if balanced {
        out
    } else {
        script::scan(script, false).0
    }
}

/// A word as a POSIX shell reads it back: plain words (letters, digits, `_-./=:@%+,`) as they are, anything
/// else in single quotes, for the commands relgate shows to be pasted into a shell.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:@%+,".contains(c));
    if plain {
        word.to_owned()
    } else {
        single_quoted(word)
    }
}

/// A word in single quotes whatever it holds (`it's` is `'it'\''s'`): a value a script assigns.
pub fn single_quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A command line for messages and logs, each word [`quote`]d.
pub fn join<S: AsRef<OsStr>>(argv: &[S]) -> String {
    argv.iter()
        .map(|a| quote(&a.as_ref().to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a command as a POSIX shell splits them, quotes removed; `{...}` placeholders (tox's
/// `{posargs:-x tests}`, GitHub's `${{ matrix.python }}`) stay whole. A backslash escapes the next
/// character, except before a letter, digit, `.` or `_`, where it is a Windows path's separator
/// (`.venv\Scripts\pytest.exe`): no POSIX script escapes those. A `#` that starts a word starts a comment.
pub fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    let mut braces = 0usize;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            // Inside double quotes a backslash escapes only these (POSIX 2.2.3): `"C:\tools"` keeps its own.
            (Some('"'), '\\') => {
                match chars.next_if(|n| matches!(n, '$' | '`' | '"' | '\\' | '\n')) {
                    Some('\n') => {}
                    Some(n) => word.push(n),
                    None => word.push('\\'),
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '\\') => match chars.next() {
                Some(n) if n.is_ascii_alphanumeric() || matches!(n, '.' | '_') => {
                    word.push('\\');
                    word.push(n);
                    started = true;
                }
                Some('\n') | None => {}
                Some(n) => {
                    word.push(n);
                    started = true;
                }
            },
            (None, c) if c.is_whitespace() && braces == 0 => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, '#') if !started && braces == 0 => break,
            (None, c) => {
                match c {
                    '{' => braces += 1,
                    '}' => braces = braces.saturating_sub(1),
                    _ => {}
                }
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// The program a command runs, seen through prefixes and runners: `FORCE_COLOR=1 uv run --frozen python -m
/// pytest -x` runs `pytest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The program's name: its word's last path component, without `.exe` (`.venv/bin/pytest`, `pytest.exe`
    /// and `.venv\Scripts\pytest.exe` are `pytest`); a script run by Python is named as written (`setup.py`).
    pub name: String,
    /// The first word of the command proper, after assignments and prefixes. The words from `start` to `at`
    /// are the runners (`uv run --frozen python -m`): followed by the program, they run it again with other
    /// arguments.
    pub start: usize,
    /// The program's word; its arguments follow it.
    pub at: usize,
}

/// The program `words` (of one simple command) run; `None` for a command of assignments or prefixes alone.
/// A runner that names nothing to run is the program itself (`uv run`, `python -m`, `python -c CODE`,
/// `hatch run lint:check`, an environment's script).
pub fn program(words: &[String]) -> Option<Program> {
    let start = skip_prefixes(words);
    words.get(start)?;
    let mut at = start;
    while let Some(next) = runs(words, at) {
        if next >= words.len() {
            break;
        }
        at = next;
    }
    Some(Program {
        name: name(&words[at]),
        start,
        at,
    })
}

/// Options of the runners that take a value (`uv run --with x`, `uvx --from x`, `pipx run --spec x`,
/// `pixi run -e env`), as separate words.
const RUNNER_VALUES: &[&str] = &[
    "--with",
    "-w",
    "--with-requirements",
    "--with-editable",
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--python",
    "-p",
    "--package",
    "--directory",
    "--project",
    "--env-file",
    "--index",
    "--index-url",
    "--extra-index-url",
    "--from",
    "--frozen-path",
    "--spec",
    "-e",
    "--env",
    "--environment",
    "--manifest-path",
];

/// `conda run` (and mamba's, micromamba's) options that take a value.
const CONDA_RUN_VALUES: &[&str] = &["-n", "--name", "-p", "--prefix", "--cwd"];

/// `coverage run` options that take a value.
const COVERAGE_RUN_VALUES: &[&str] = &[
    "--rcfile",
    "--source",
    "--data-file",
    "--include",
    "--omit",
    "--concurrency",
    "--context",
    "--debug",
];

/// Python's options that take a value.
const PYTHON_VALUES: &[&str] = &["-X", "-W"];

/// Prefixes and their options that take a value.
const PREFIXES: &[(&str, &[&str])] = &[
    ("env", &["-u", "--unset", "-C", "--chdir"]),
    ("time", &["-f", "--format", "-o", "--output"]),
    ("sudo", &["-u", "--user", "-g", "--group"]),
    ("exec", &["-a"]),
    ("nice", &["-n", "--adjustment"]),
    (
        "xvfb-run",
        &[
            "-n",
            "--server-num",
            "-s",
            "--server-args",
            "-e",
            "--error-file",
            "-f",
            "--auth-file",
            "-p",
            "--xauth-protocol",
        ],
    ),
    ("command", &[]),
    (
        "xargs",
        &[
            "-n",
            "-L",
            "-P",
            "-I",
            "-d",
            "-a",
            "-E",
            "-s",
            "--max-args",
            "--max-procs",
        ],
    ),
];

/// Where the command proper starts: after `VAR=value` assignments and prefixes with their options.
fn skip_prefixes(words: &[String]) -> usize {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        if is_assignment(word) {
            i += 1;
            continue;
        }
        let word = name(word);
        let Some((_, with_value)) = PREFIXES.iter().find(|(p, _)| *p == word) else {
            break;
        };
        // `command -v ruff` asks where ruff is; it does not run it.
        if word == "command" && words.get(i + 1).is_some_and(|w| w == "-v" || w == "-V") {
            break;
        }
        i = skip_options(words, i + 1, with_value);
    }
    i
}

/// When `words[i]` is a runner, where the words of the program it runs start (possibly past the end).
fn runs(words: &[String], i: usize) -> Option<usize> {
    let runner = name(words.get(i)?);
    let word = |at: usize| words.get(at).map(String::as_str);
    match runner.as_str() {
        "uv" | "pipx" | "poetry" | "pdm" | "rye" | "pipenv" | "pixi" | "hatch" => {
            // The runner's own options may come before `run` (`hatch -e docs run`, `uv --project x run`).
            let mut sub = skip_options(words, i + 1, RUNNER_VALUES);
            if runner == "uv" && word(sub) == Some("tool") {
                sub += 1;
            }
            if word(sub) != Some("run") {
                return None;
            }
            let at = skip_options(words, sub + 1, RUNNER_VALUES);
            // `hatch run lint:check` runs a script of an environment: what it runs is in hatch's configuration.
            if runner == "hatch" && word(at).is_some_and(|w| w.contains(':')) {
                return None;
            }
            Some(at)
        }
        "uvx" => Some(skip_options(words, i + 1, RUNNER_VALUES)),
        "conda" | "mamba" | "micromamba" => {
            let sub = skip_options(words, i + 1, CONDA_RUN_VALUES);
            (word(sub) == Some("run")).then(|| skip_options(words, sub + 1, CONDA_RUN_VALUES))
        }
        "coverage" if word(i + 1) == Some("run") => {
            module_or_script(words, i + 2, COVERAGE_RUN_VALUES)
        }
        python if is_python(python) => module_or_script(words, i + 1, PYTHON_VALUES),
        _ => None,
    }
}

/// After an interpreter's options: the module `-m` (coverage's `--module`) names, else the script; `None`
/// for `-c CODE`, where the interpreter is the program.
fn module_or_script(words: &[String], mut at: usize, with_value: &[&str]) -> Option<usize> {
    while let Some(word) = words.get(at) {
        match word.as_str() {
            "-m" | "--module" => return Some(at + 1),
            "-c" => return None,
            w if with_value.contains(&w) => at += 2,
            w if w.starts_with('-') => at += 1,
            _ => break,
        }
    }
    Some(at)
}

/// The first word at or after `at` that is not an option (nor the value of one in `with_value`).
fn skip_options(words: &[String], mut at: usize, with_value: &[&str]) -> usize {
    while let Some(word) = words.get(at).filter(|w| w.starts_with('-')) {
        at += if with_value.contains(&word.as_str()) {
            2
        } else {
            1
        };
    }
    at
}

/// `python`, `python3`, `python3.12`, `pypy3`, the `py` launcher, tox's `{envpython}`.
fn is_python(name: &str) -> bool {
    let version = |v: &str| v.chars().all(|c| c.is_ascii_digit() || c == '.');
    matches!(name, "py" | "{envpython}" | "{env_python}")
        || name.strip_prefix("python").is_some_and(version)
        || name.strip_prefix("pypy").is_some_and(version)
}

/// `NAME=value`, with a name the shell accepts.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `/usr/bin/ruff` -> `ruff`; `.venv\Scripts\pytest.exe` -> `pytest`.
fn name(word: &str) -> String {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    name.strip_suffix(".exe").unwrap_or(name).to_owned()
}

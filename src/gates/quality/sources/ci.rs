//! GitHub Actions workflows and pre-commit hooks: what CI and the commit hooks run.

use std::path::{Path, PathBuf};

use super::{ToolCommand, tool_command};
use crate::files;
use crate::shell;
use crate::tools::{self, Tool};
use crate::yaml::{self, Node};

/// Commands the GitHub Actions workflows run (`run:` scripts, and the tools' own actions), for the project
/// at `subdir` of the repository (empty at the root): only steps whose working directory is the project's.
/// CI is where a release fails, so what it runs is what the gate runs. A workflow that is not valid YAML is
/// passed over (GitHub does not run it either); one that cannot be read, or is past the YAML limits, is an
/// error.
pub fn workflows(root: &Path, subdir: &Path) -> anyhow::Result<Vec<ToolCommand>> {
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return Ok(Vec::new());
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
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let Some(doc) = read_yaml(root, &file, &format!(".github/workflows/{name}"))? else {
            continue;
        };
        let Some(jobs) = doc["jobs"].as_map() else {
            continue;
        };
        let top_dir = doc["defaults"]["run"]["working-directory"].as_str();
        for (job_id, job) in jobs {
            let job_id = job_id.as_str().unwrap_or("?");
            let job_dir = job["defaults"]["run"]["working-directory"]
                .as_str()
                .or(top_dir);
            for step in job["steps"].as_seq().into_iter().flatten() {
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
                    .map(shell::commands)
                    .unwrap_or_default()
                {
                    let words = shell::words(&command);
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
    Ok(out)
}

/// A YAML file's first document: `None` when it is absent or not valid YAML; an error when it cannot be read
/// or goes past the YAML limits (`shown` names it).
fn read_yaml(root: &Path, path: &Path, shown: &str) -> anyhow::Result<Option<Node>> {
    let Some(text) = files::read_text(root, path).map_err(files::ReadError::into_anyhow)? else {
        return Ok(None);
    };
    match yaml::parse(&text) {
        Ok(doc) => Ok(doc),
        Err(err) if err.over_limit => Err(crate::error::hinted(
            format!("{shown}: {err}"),
            format!(
                "{shown} is not a file GitHub or pre-commit would read either: check what was committed there"
            ),
        )),
        Err(_) => Ok(None),
    }
}

/// The tool a step's action runs (the catalogue's actions: ruff's, black's, isort's, pyright's...).
fn action_tool(uses: &str, step: &Node) -> Option<&'static Tool> {
    let action = tools::action(uses)?;
    let input = |key: &str| step["with"][key].as_str().map(str::to_owned);
    let command = (action.command)(&input);
    tools::invoked(&shell::words(&command)).map(|(tool, _)| tool)
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
pub fn pre_commit(
    root: &Path,
    dir: &Path,
) -> anyhow::Result<Vec<(&'static Tool, String, Option<String>)>> {
    let path = dir.join(".pre-commit-config.yaml");
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let Some(doc) = read_yaml(root, &path, &shown)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let Some(repos) = doc["repos"].as_seq() else {
        return Ok(out);
    };
    for repo in repos {
        let rev = repo["rev"].as_str().map(str::to_owned);
        for hook in repo["hooks"].as_seq().into_iter().flatten() {
            if let Some((tool, reason, local)) = hook_tool(hook) {
                out.push((tool, reason, if local { None } else { rev.clone() }));
            }
        }
    }
    Ok(out)
}

/// The tool a hook runs, why, and whether it is a local hook (its `entry` names the command).
fn hook_tool(hook: &Node) -> Option<(&'static Tool, String, bool)> {
    let id = hook["id"].as_str()?;
    let reason = format!("hook {id} in .pre-commit-config.yaml");
    if let Some(tool) = tools::by_hook(id) {
        return Some((tool, reason, false));
    }
    let entry = hook["entry"].as_str()?;
    tool_command(&shell::words(entry)).map(|(tool, _)| (tool, reason, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
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
        let found: Vec<(&str, Option<Vec<String>>)> = workflows(dir.path(), Path::new(""))
            .unwrap()
            .into_iter()
            .map(|c| (c.tool.name, c.args))
            .collect();
        assert_eq!(
            found,
            [
                ("ruff-format", None),
                ("mypy", None),
                ("pytest", Some(s(&["tests", "-x"]))),
            ]
        );
        let other: Vec<&str> = workflows(dir.path(), Path::new("packages/other/"))
            .unwrap()
            .into_iter()
            .map(|c| c.tool.name)
            .collect();
        assert_eq!(other, ["pytest"]);
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
        let hooks: Vec<(&str, String, Option<String>)> = pre_commit(dir.path(), dir.path())
            .unwrap()
            .into_iter()
            .map(|(t, reason, rev)| (t.name, reason, rev))
            .collect();
        assert_eq!(
            hooks,
            [
                (
                    "ruff",
                    "hook ruff in .pre-commit-config.yaml".to_owned(),
                    rev.clone()
                ),
                (
                    "ruff-format",
                    "hook ruff-format in .pre-commit-config.yaml".to_owned(),
                    rev
                ),
                (
                    "pytest",
                    "hook tests in .pre-commit-config.yaml".to_owned(),
                    None
                ),
            ]
        );
    }
}

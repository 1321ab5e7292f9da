//! Which quality tools a workflow runs, and which of them the project configures.
//!
//! A release run that fails on a check the local gate skipped is the failure relgate exists to prevent, so the
//! publish gate compares the tools that gate the publishing job with the checks relgate runs locally. The tools
//! are the catalogue's (`crate::tools`), by their check names (`ruff-format`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::TOOLS_CHECK;
use super::condition;
use super::upload::Upload;
use super::workflow::{Step, Workflow};
use crate::files::{self, ReadError};
use crate::outcome::{CheckResult, Kind};
use crate::shell;
use crate::toml_file::TomlFile;
use crate::tools::{self, configuration};

/// Whether `id` names a tool relgate runs locally; a workflow running one the project configures must be
/// matched.
pub fn is_quality(id: &str) -> bool {
    tools::by_name(id).is_some()
}

/// The id of a `relgate check` step: the release run gates with relgate itself.
const RELGATE: &str = "relgate";

/// Runners of other tools: what they run is not visible in the workflow.
pub const AGGREGATORS: &[&str] = &["tox", "nox", "pre-commit", "make"];

/// Tool ids a step runs, e.g. `["ruff", "ruff-format"]`.
pub fn tools_in_step(step: &Step) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(uses) = &step.uses {
        let input = |key: &str| step.with.get(key).cloned();
        let by_action = match tools::action(uses) {
            Some(action) => tool_of_command(&(action.command)(&input)),
            None => {
                let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
                (action == "pre-commit/action").then(|| "pre-commit".to_owned())
            }
        };
        out.extend(by_action);
    }
    if let Some(run) = &step.run {
        for command in shell::commands(run) {
            if let Some(tool) = tool_of_command(&command) {
                if !out.contains(&tool) {
                    out.push(tool);
                }
            }
        }
    }
    out
}

/// The tool a local check name or command stands for, in the same ids (`ruff format --check` is `ruff-format`).
pub fn local_id(check: &str) -> Option<String> {
    let lower = check.trim().to_ascii_lowercase();
    if is_quality(&lower) {
        return Some(lower);
    }
    tool_of_command(&lower).or(Some(lower))
}

/// Tools the project has configuration for (so relgate's local gate would run them unless told not to): what
/// the catalogue says shows each one, and a tool's configuration also counts for the tools that share its
/// program (ruff's for `ruff format`).
/// `root`: the repository's root, which no file read may leave.
pub fn configured_tools(root: &Path, project_dir: &Path) -> Result<BTreeSet<String>, ReadError> {
    let pyproject = files::read_text(root, &project_dir.join("pyproject.toml"))?
        .and_then(|t| TomlFile::parse("pyproject.toml", t).ok());
    let found = configuration::configured(root, project_dir, pyproject.as_ref())?;
    let programs: BTreeSet<&str> = found.iter().map(|(t, _)| t.program).collect();
    Ok(tools::CATALOGUE
        .iter()
        .filter(|t| programs.contains(t.program))
        .map(|t| t.name.to_owned())
        .collect())
}

pub(super) fn verdict(
    workflows: &[Workflow],
    uploads: &[(&Workflow, Upload)],
    local_checks: &[String],
    configured: &BTreeSet<String>,
) -> CheckResult {
    // tool -> where the release run first runs it.
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut seen_jobs = BTreeSet::new();
    for (w, u) in uploads {
        collect_tools(workflows, w, &u.job, &mut found, &mut seen_jobs, 0);
        // A `workflow_run` trigger makes the named workflows' runs gate this one.
        for trigger in w.triggers.iter().filter(|t| t.event == "workflow_run") {
            for other in workflows {
                let named = other
                    .name
                    .as_ref()
                    .is_some_and(|n| trigger.filter.contains(n));
                if named || trigger.filter.contains(&other.file) {
                    for job in &other.jobs {
                        collect_tools(workflows, other, &job.id, &mut found, &mut seen_jobs, 0);
                    }
                }
            }
        }
    }
    // `relgate check` in the release run is this gate itself: it runs there what it runs here.
    let relgate = found.remove(RELGATE);
    let local: BTreeSet<String> = local_checks.iter().filter_map(|c| local_id(c)).collect();
    let mut blocking = Vec::new();
    let mut warnings = Vec::new();
    for (tool, at) in &found {
        if local.contains(tool) {
            continue;
        }
        if is_quality(tool) && configured.contains(tool) {
            blocking.push(format!("{tool} ({at})"));
        } else if AGGREGATORS.contains(&tool.as_str()) {
            warnings.push(format!(
                "warning: the release run runs {tool} ({at}); relgate cannot see what it runs: run it before tagging"
            ));
        } else {
            warnings.push(format!(
                "warning: the release run runs {tool} ({at}), which the local gate does not run"
            ));
        }
    }
    // What the message says runs locally too is exactly what does: the other tools are the warnings.
    let matched: Vec<&str> = found
        .keys()
        .filter(|t| local.contains(*t))
        .map(String::as_str)
        .collect();
    let unmatched: Vec<&str> = found
        .keys()
        .filter(|t| !local.contains(*t))
        .map(String::as_str)
        .collect();
    let only_there = match unmatched.len() {
        0 => String::new(),
        1 => format!(
            "; {} runs only in the release run (see the warning)",
            unmatched[0]
        ),
        _ => format!(
            "; {} run only in the release run (see the warnings)",
            unmatched.join(", ")
        ),
    };
    let mut result = if !blocking.is_empty() {
        CheckResult::fail(
            TOOLS_CHECK,
            Kind::Publish,
            format!(
                "the release run runs {} before publishing, but the local gate skips {}: the release would fail where relgate passed",
                blocking.join(", "),
                if blocking.len() == 1 { "it" } else { "them" }
            ),
        )
        .detail("fix: enable the check locally (remove it from `skip`, or set `enabled = true` in [tool.relgate.checks.NAME])")
    } else if let Some(at) = relgate {
        let others = if matched.is_empty() {
            String::new()
        } else {
            format!(
                "; its other quality tools that run locally too: {}",
                matched.join(", ")
            )
        };
        CheckResult::pass(
            TOOLS_CHECK,
            Kind::Publish,
            format!(
                "the release run gates with relgate check ({at}), as this run does{others}{only_there}"
            ),
        )
    } else if found.is_empty() {
        CheckResult::pass(
            TOOLS_CHECK,
            Kind::Publish,
            "the publishing jobs run no quality tool before uploading",
        )
    } else if matched.is_empty() {
        CheckResult::pass(
            TOOLS_CHECK,
            Kind::Publish,
            format!(
                "no quality tool of the release run is one the project configures and the local gate skips{only_there}"
            ),
        )
    } else {
        CheckResult::pass(
            TOOLS_CHECK,
            Kind::Publish,
            format!(
                "the release run's quality tools ({}) run locally too{only_there}",
                matched.join(", ")
            ),
        )
    };
    result.details.extend(warnings);
    result
}

fn collect_tools(
    workflows: &[Workflow],
    w: &Workflow,
    job_id: &str,
    found: &mut BTreeMap<String, String>,
    seen: &mut BTreeSet<(String, String)>,
    depth: usize,
) {
    for job in w.gating_jobs(job_id) {
        if !seen.insert((w.path.clone(), job.id.clone())) {
            continue;
        }
        // A job or step whose `if:` is false on every release runs nothing before the upload.
        if !condition::may_run_on_release(w, job, None) {
            continue;
        }
        for step in &job.steps {
            if !condition::may_run_on_release(w, job, Some(step)) {
                continue;
            }
            for tool in tools_in_step(step) {
                found.entry(tool).or_insert_with(|| {
                    format!("{} job `{}`, step `{}`", w.file, job.id, step.label())
                });
            }
        }
        // A local reusable workflow: all its jobs gate this job.
        if let Some(called) = job.uses.as_deref().and_then(|u| u.strip_prefix("./")) {
            if depth < 4 {
                if let Some(inner) = workflows.iter().find(|x| x.path == called) {
                    for inner_job in &inner.jobs {
                        collect_tools(workflows, inner, &inner_job.id, found, seen, depth + 1);
                    }
                }
            }
        }
    }
}

/// The tool a simple command runs (seen through `python -m`, `uv run`, `uvx`, `poetry run` and friends), in
/// the ids above.
fn tool_of_command(command: &str) -> Option<String> {
    let words = shell::words(command);
    let program = shell::program(&words)?;
    let name = program.name.to_ascii_lowercase();
    let next = words.get(program.at + 1).map_or("", String::as_str);
    if let Some((tool, _)) = tools::by_program(&name, next) {
        return Some(tool.name.to_owned());
    }
    let id = match name.as_str() {
        "pre-commit" if next == "run" => "pre-commit",
        "relgate" if next == "check" => RELGATE,
        "make" => "make",
        other if AGGREGATORS.contains(&other) => other,
        _ => return None,
    };
    Some(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> Vec<String> {
        tools_in_step(&Step {
            run: Some(script.into()),
            ..Step::default()
        })
    }

    #[test]
    fn finds_tools_through_runners() {
        assert_eq!(
            run("ruff check .\nruff format --check ."),
            ["ruff", "ruff-format"]
        );
        assert_eq!(
            run("uv run --frozen mypy src && uv run pytest -q"),
            ["mypy", "pytest"]
        );
        assert_eq!(run("python -m pytest tests/ | tee out"), ["pytest"]);
        assert_eq!(run("coverage run -m pytest"), ["pytest"]);
        assert_eq!(run("poetry run black --check src"), ["black"]);
        assert_eq!(run("PYTHONWARNINGS=error .venv/bin/flake8 src"), ["flake8"]);
        assert_eq!(run("uvx basedpyright"), ["basedpyright"]);
        assert_eq!(run("pre-commit run --all-files"), ["pre-commit"]);
        assert_eq!(
            run("pip install ruff mypy\npython -m build\n# mypy later"),
            Vec::<String>::new()
        );
        assert_eq!(run("tox -e lint"), ["tox"]);
        assert_eq!(
            run("relgate check --tag \"$GITHUB_REF_NAME\" --format github"),
            ["relgate"]
        );
        assert_eq!(run("uvx relgate check"), ["relgate"]);
        assert_eq!(run("pipx run relgate check --tag v1"), ["relgate"]);
        assert_eq!(run("relgate version"), Vec::<String>::new());
    }

    #[test]
    fn finds_tools_in_actions() {
        let step = Step {
            uses: Some("astral-sh/ruff-action@v3".into()),
            with: [("args".to_string(), "format --check".to_string())].into(),
            ..Step::default()
        };
        assert_eq!(tools_in_step(&step), ["ruff-format"]);
        let step = Step {
            uses: Some("jakebailey/pyright-action@v2".into()),
            ..Step::default()
        };
        assert_eq!(tools_in_step(&step), ["pyright"]);
    }

    #[test]
    fn local_names_and_commands_map_to_ids() {
        assert_eq!(local_id("ruff-format").as_deref(), Some("ruff-format"));
        assert_eq!(
            local_id("ruff format --check .").as_deref(),
            Some("ruff-format")
        );
        assert_eq!(local_id("MyPy").as_deref(), Some("mypy"));
        assert_eq!(local_id("docs").as_deref(), Some("docs"));
    }

    #[test]
    fn configured_tools_from_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.mypy]\nstrict = true\n[tool.ruff]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("setup.cfg"),
            "[flake8]\nmax-line-length = 100\n",
        )
        .unwrap();
        let tools: Vec<String> = configured_tools(dir.path(), dir.path())
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(tools, ["flake8", "mypy", "ruff", "ruff-format"]);
    }
}

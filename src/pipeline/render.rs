//! The workflow file's text, from a [`Plan`]. Written as text rather than through a YAML emitter so that it
//! keeps its comments (the pins' releases, why each setting is there). Every value from the project is either
//! checked to be a plain name when planned, or written as a double-quoted YAML string; none reaches a `run:`
//! script except through an environment variable.

use std::fmt::Write as _;

use super::actions::{
    Action, CHECKOUT, DOWNLOAD_ARTIFACT, PYPI_PUBLISH, SETUP_PYTHON, SETUP_UV, UPLOAD_ARTIFACT,
};
use super::{PipInstall, Plan, Python, Setup, Trigger};

/// The deployment environment the publish job runs in: the trusted publisher registered on the index names it too.
pub const ENVIRONMENT: &str = "pypi";

/// The workflow file for `plan`.
pub fn render(plan: &Plan) -> String {
    let mut w = Writer::default();
    header(&mut w, plan);
    w.line(0, "name: Release");
    w.blank();
    triggers(&mut w, plan);
    w.blank();
    w.line(
        0,
        "# Every job's token may read the repository and nothing else, unless the job asks for more.",
    );
    w.line(0, "permissions:");
    w.line(1, "contents: read");
    w.blank();
    w.line(0, "jobs:");
    gate_job(&mut w, plan);
    w.blank();
    build_job(&mut w, plan);
    w.blank();
    publish_job(&mut w, plan);
    w.out
}

fn header(w: &mut Writer, plan: &Plan) {
    let project = plan.project.as_deref().unwrap_or("the project");
    w.line(
        0,
        &format!("# Gate, build and publish each release of {project} to PyPI."),
    );
    w.line(0, "#");
    match plan.trigger {
        Trigger::Tag => w.line(
            0,
            &format!(
                "# Pushing a release tag ({}) starts it:",
                plan.tag_patterns.join(", ")
            ),
        ),
        Trigger::Release => w.line(0, "# Publishing a release on GitHub starts it:"),
    }
    w.line(
        0,
        "#   gate     `relgate check` on the tagged commit, in the project's own environment",
    );
    w.line(
        0,
        "#   build    the sdist and the wheel, once the gate passed",
    );
    w.line(
        0,
        "#   publish  uploads them to PyPI by trusted publishing: no upload token is stored anywhere",
    );
    w.line(0, "#");
    w.line(0, "# Before the first release:");
    let (owner, repository) = plan.repository.as_ref().map_or_else(
        || ("OWNER".to_owned(), "REPOSITORY".to_owned()),
        |r| (r.owner.clone(), r.name.clone()),
    );
    w.line(
        0,
        &format!(
            "# - register this workflow as a trusted publisher on PyPI: owner {owner}, repository {repository},"
        ),
    );
    w.line(
        0,
        &format!("#   workflow {}, environment {ENVIRONMENT}", plan.file),
    );
    for page in publisher_pages(plan.project.as_deref()) {
        w.line(0, &format!("#   {page}"));
    }
    w.line(
        0,
        &format!(
            "# - let only release tags deploy to environment {ENVIRONMENT}: relgate github protect"
        ),
    );
    w.line(0, "#");
    w.line(
        0,
        &format!(
            "# Written by `relgate github workflow` (relgate {}). The actions are pinned to commits; Dependabot",
            plan.relgate_version
        ),
    );
    w.line(
        0,
        "# (package-ecosystem: github-actions) keeps the pins current.",
    );
    w.blank();
}

/// Where the index registers a trusted publisher: the project's settings, or for a project not yet published a
/// "pending publisher" in the account's settings. One line each.
pub fn publisher_pages(project: Option<&str>) -> Vec<String> {
    let pending = "https://pypi.org/manage/account/publishing/";
    match project {
        Some(name) => vec![
            format!("at https://pypi.org/manage/project/{name}/settings/publishing/"),
            format!("(a new project: as a pending publisher at {pending})"),
        ],
        None => vec![format!("as a pending publisher at {pending}")],
    }
}

fn triggers(w: &mut Writer, plan: &Plan) {
    w.line(0, "on:");
    match plan.trigger {
        Trigger::Tag => {
            w.line(1, "push:");
            w.line(2, "tags:");
            for pattern in &plan.tag_patterns {
                w.line(3, &format!("- {}", quoted(pattern)));
            }
        }
        Trigger::Release => {
            w.line(1, "release:");
            w.line(2, "types: [published]");
        }
    }
}

fn gate_job(w: &mut Writer, plan: &Plan) {
    w.line(1, "gate:");
    w.line(2, "runs-on: ubuntu-latest");
    if plan.setup == Setup::Poetry {
        w.line(2, "env:");
        w.line(
            3,
            "# The environment in .venv, where relgate looks first (poetry env info --path finds it too).",
        );
        w.line(3, "POETRY_VIRTUALENVS_IN_PROJECT: \"true\"");
    }
    working_directory(w, plan);
    w.line(2, "steps:");
    w.line(
        3,
        "# The whole history and every tag: relgate compares the release with the earlier release tags, and a",
    );
    w.line(
        3,
        "# version read from git (setuptools-scm, hatch-vcs) needs them; a shallow clone has neither.",
    );
    checkout(w);
    match &plan.setup {
        Setup::Uv { locked } => {
            setup_uv(w);
            let locked = if *locked { " --locked" } else { "" };
            step_run(
                w,
                "Create the project's environment",
                &[&format!("uv sync{locked} --all-groups")],
            );
            step_run(
                w,
                "Install relgate, and twine for its build check",
                &[
                    &format!("uv tool install relgate=={}", plan.relgate_version),
                    "uv tool install twine",
                ],
            );
        }
        setup => {
            setup_python(w, plan);
            let create: Vec<String> = match setup {
                Setup::Poetry => vec!["pipx install poetry".into(), "poetry install".into()],
                Setup::Hatch => vec!["pipx install hatch".into(), "hatch env create".into()],
                Setup::Pdm => vec!["pipx install pdm".into(), "pdm install".into()],
                Setup::Pip(install) => pip_commands(install),
                Setup::Uv { .. } => Vec::new(),
            };
            let create: Vec<&str> = create.iter().map(String::as_str).collect();
            step_run(w, "Create the project's environment", &create);
            step_run(
                w,
                "Install relgate, and the build frontend its build check uses",
                &[
                    &format!("pipx install relgate=={}", plan.relgate_version),
                    "python -m pip install build twine",
                ],
            );
        }
    }
    w.line(3, "- name: Gate the release");
    if let Some(format) = &plan.tag_format {
        w.line(4, "env:");
        w.line(5, &format!("TAG_FORMAT: {}", quoted(format)));
        w.line(
            4,
            "run: relgate check --tag \"$GITHUB_REF_NAME\" --tag-format \"$TAG_FORMAT\" --format github",
        );
    } else {
        w.line(
            4,
            "run: relgate check --tag \"$GITHUB_REF_NAME\" --format github",
        );
    }
}

fn build_job(w: &mut Writer, plan: &Plan) {
    w.line(1, "build:");
    w.line(2, "needs: gate");
    w.line(2, "runs-on: ubuntu-latest");
    working_directory(w, plan);
    w.line(2, "steps:");
    checkout(w);
    if matches!(plan.setup, Setup::Uv { .. }) {
        setup_uv(w);
        step_run(
            w,
            "Build the sdist and the wheel",
            &["uv build --out-dir dist"],
        );
    } else {
        setup_python(w, plan);
        step_run(
            w,
            "Build the sdist and the wheel",
            &[
                "python -m pip install build",
                "python -m build --outdir dist",
            ],
        );
    }
    uses(w, UPLOAD_ARTIFACT);
    w.line(4, "with:");
    w.line(5, "name: dist");
    let path = plan
        .subdir
        .as_ref()
        .map_or_else(|| "dist/".to_owned(), |sub| format!("{sub}/dist/"));
    w.line(5, &format!("path: {}", quoted(&path)));
    w.line(5, "if-no-files-found: error");
}

fn publish_job(w: &mut Writer, plan: &Plan) {
    w.line(1, "publish:");
    w.line(2, "needs: build");
    w.line(2, "runs-on: ubuntu-latest");
    w.line(2, "environment:");
    w.line(3, &format!("name: {ENVIRONMENT}"));
    if let Some(name) = &plan.project {
        w.line(3, &format!("url: https://pypi.org/p/{name}"));
    }
    w.line(2, "permissions:");
    w.line(
        3,
        "# The OIDC token that PyPI exchanges for a short-lived upload token; nothing else.",
    );
    w.line(3, "id-token: write");
    w.line(2, "steps:");
    uses(w, DOWNLOAD_ARTIFACT);
    w.line(4, "with:");
    w.line(5, "name: dist");
    w.line(5, "path: dist/");
    uses(w, PYPI_PUBLISH);
}

/// `python -m venv .venv`, then pip installs the project and its development tools into it.
fn pip_commands(install: &PipInstall) -> Vec<String> {
    let mut args = Vec::new();
    if install.project {
        if install.extras.is_empty() {
            args.push("-e .".to_owned());
        } else {
            args.push(format!("-e \".[{}]\"", install.extras.join(",")));
        }
    }
    args.extend(install.groups.iter().map(|g| format!("--group {g}")));
    args.extend(install.files.iter().map(|f| format!("-r {f}")));
    let mut commands = vec![
        "python -m venv .venv".to_owned(),
        ".venv/bin/python -m pip install --upgrade pip".to_owned(),
    ];
    if !args.is_empty() {
        commands.push(format!(
            ".venv/bin/python -m pip install {}",
            args.join(" ")
        ));
    }
    commands
}

fn working_directory(w: &mut Writer, plan: &Plan) {
    if let Some(sub) = &plan.subdir {
        w.line(2, "defaults:");
        w.line(3, "run:");
        w.line(4, &format!("working-directory: {}", quoted(sub)));
    }
}

fn checkout(w: &mut Writer) {
    uses(w, CHECKOUT);
    w.line(4, "with:");
    w.line(5, "fetch-depth: 0");
    w.line(5, "persist-credentials: false");
}

fn setup_python(w: &mut Writer, plan: &Plan) {
    uses(w, SETUP_PYTHON);
    w.line(4, "with:");
    match &plan.python {
        Python::File(path) => w.line(5, &format!("python-version-file: {}", quoted(path))),
        Python::Version(version) => w.line(5, &format!("python-version: {}", quoted(version))),
    }
}

fn setup_uv(w: &mut Writer) {
    uses(w, SETUP_UV);
    w.line(4, "with:");
    w.line(
        5,
        "enable-cache: false # a release restores no cache that another run could have written",
    );
}

fn uses(w: &mut Writer, action: Action) {
    w.line(3, &format!("- uses: {}", action.uses()));
}

/// A step running `commands`, one per line.
fn step_run(w: &mut Writer, name: &str, commands: &[&str]) {
    w.line(3, &format!("- name: {name}"));
    match commands {
        [one] => w.line(4, &format!("run: {one}")),
        many => {
            w.line(4, "run: |");
            for command in many {
                w.line(5, command);
            }
        }
    }
}

/// A YAML double-quoted string: `\`, `"` and control characters escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Lines indented by two spaces a level.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_would_read() {
        assert_eq!(quoted("v[0-9]*"), "\"v[0-9]*\"");
        assert_eq!(quoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\u000ad\"");
    }

    fn plan(setup: Setup) -> Plan {
        Plan {
            file: "release.yml".into(),
            trigger: Trigger::Tag,
            tag_patterns: vec!["v[0-9]*".into()],
            subdir: None,
            tag_format: None,
            project: Some("widget".into()),
            setup,
            python: Python::Version("3.13".into()),
            repository: None,
            relgate_version: "9.9.9",
        }
    }

    /// The lines of the gate job's "Create the project's environment" step.
    fn create_step(setup: Setup) -> String {
        let text = render(&plan(setup));
        let start = text
            .find("      - name: Create the project's environment\n")
            .unwrap();
        let rest = &text[start..];
        let end = rest.find("      - name: Install relgate").unwrap();
        rest[..end].to_owned()
    }

    #[test]
    fn every_manager_creates_its_environment() {
        assert_eq!(
            create_step(Setup::Pdm),
            "      - name: Create the project's environment\n        run: |\n          pipx install pdm\n          pdm install\n"
        );
        assert_eq!(
            create_step(Setup::Hatch),
            "      - name: Create the project's environment\n        run: |\n          pipx install hatch\n          hatch env create\n"
        );
        assert_eq!(
            create_step(Setup::Uv { locked: false }),
            "      - name: Create the project's environment\n        run: uv sync --all-groups\n"
        );
        let poetry = render(&plan(Setup::Poetry));
        assert!(poetry.contains("    env:\n"), "{poetry}");
        assert!(!render(&plan(Setup::Pdm)).contains("    env:\n"));
    }

    #[test]
    fn pip_installs_what_the_project_declares() {
        let install = PipInstall {
            project: true,
            extras: vec!["dev".into(), "test".into()],
            groups: vec!["lint".into()],
            files: vec!["requirements-dev.txt".into()],
        };
        assert_eq!(
            pip_commands(&install).last().map(String::as_str),
            Some(
                ".venv/bin/python -m pip install -e \".[dev,test]\" --group lint -r requirements-dev.txt"
            )
        );
        assert_eq!(pip_commands(&PipInstall::default()).len(), 2);
    }
}

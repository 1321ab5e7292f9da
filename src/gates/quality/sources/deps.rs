//! The development dependencies a project declares: a tool listed there is one it uses.

use std::path::Path;

use toml_edit::Item;

use crate::files::{self, ReadError};
use crate::python::name::requirement_name;
use crate::toml_file::{TomlFile, strings};
use crate::tools::{self, Tool};

/// Tools listed among the development dependencies: PEP 735 `[dependency-groups]`, development extras of
/// `[project.optional-dependencies]`, Poetry groups, PDM and uv dev-dependencies, hatch environments, and
/// the usual requirements files.
/// `root`: the repository's root, which no file read may leave.
pub fn dependencies(
    root: &Path,
    dir: &Path,
    pyproject: Option<&TomlFile>,
) -> Result<Vec<(&'static Tool, String)>, ReadError> {
    let mut out = Vec::new();
    let mut add = |requirement: &str, place: &str| {
        if let Some(tool) = requirement_name(requirement).and_then(|n| tools::by_distribution(&n)) {
            out.push((tool, format!("{} in {place}", tool.distribution)));
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
    let mut files: Vec<String> = REQUIREMENTS_FILES.iter().map(|s| (*s).to_owned()).collect();
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
        let Some(text) = files::read_text(root, &dir.join(&file))? else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() && !line.starts_with('-') {
                add(line, &file);
            }
        }
    }
    Ok(out)
}

/// The usual requirements files of development tools, beside pyproject.toml.
pub const REQUIREMENTS_FILES: &[&str] = &[
    "requirements-dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
    "requirements_test.txt",
    "test-requirements.txt",
    "requirements-lint.txt",
];

/// Extras that hold development tools rather than runtime features (`dev`, `test`, `tests`, `testing`,
/// `lint`, `typing`, `qa`, `check`...): a runtime extra may list black for a feature that formats code.
pub fn is_development_extra(name: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let found: Vec<String> = dependencies(dir.path(), dir.path(), Some(&py))
            .unwrap()
            .into_iter()
            .map(|(t, w)| format!("{}: {w}", t.name))
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
    }
}

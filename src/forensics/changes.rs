//! What changed between two release tags in what a release run's steps read: the version declaration, the
//! workflow files, the configuration of the tools the release steps run, and the dependency pins (requirements
//! files, lock files, `pyproject.toml`'s dependency tables). Pure: the command reads the files at both tags.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::gates::publish::{self, DeclaredWorkflow};
use crate::tools::configuration;

/// Items listed in one change's detail at most.
const LISTED: usize = 6;

/// Files at one commit: path relative to the repository root -> text.
pub type Files = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub area: Area,
    pub file: String,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    VersionDeclaration,
    Workflow,
    ToolConfiguration,
    DependencyPins,
}

impl Area {
    pub fn describe(self) -> &'static str {
        match self {
            Area::VersionDeclaration => "version declaration",
            Area::Workflow => "workflow",
            Area::ToolConfiguration => "tool configuration",
            Area::DependencyPins => "dependency pins",
        }
    }
}

/// The version each tag declares, and where.
#[derive(Debug, Clone, Default)]
pub struct Versions {
    pub before: Option<String>,
    pub after: Option<String>,
    /// The file that declares it at the later tag.
    pub file: Option<String>,
}

/// What a tool reads its configuration from, relative to the project.
#[derive(Debug, Default)]
pub struct ToolFiles {
    /// Whole files.
    pub files: Vec<&'static str>,
    /// `[tool.X]` tables of pyproject.toml, by `X`.
    pub tables: Vec<&'static str>,
    /// Sections of setup.cfg and tox.ini (`mypy` also stands for `mypy-*`; see `tools::configuration`).
    pub sections: Vec<&'static str>,
}

/// The files whose configuration a tool reads: the catalogue's tools', and the runners' (tox, nox, pre-commit,
/// make), which run what their own files say.
pub fn tool_files(tool: &str) -> ToolFiles {
    if let Some(tool) = crate::tools::by_name(tool) {
        let c = &tool.configuration;
        return ToolFiles {
            files: c.files_read(),
            tables: c.tool_tables(),
            sections: c.section_names(),
        };
    }
    let files: &[&'static str] = match tool {
        "tox" => &["tox.ini"],
        "nox" => &["noxfile.py"],
        "pre-commit" => &[".pre-commit-config.yaml"],
        "make" => &["Makefile"],
        _ => &[],
    };
    ToolFiles {
        files: files.to_vec(),
        ..ToolFiles::default()
    }
}

/// Lock files whose `[[package]]` tables pin versions.
pub const LOCK_FILES: [&str; 3] = ["uv.lock", "poetry.lock", "pdm.lock"];

/// Whether a file name of the project's directory is a requirements or constraints file.
pub fn is_requirements(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && has_extension(&lower, &["txt", "in"])
}

/// Whether a file name ends in one of `extensions` (any case).
pub fn has_extension(name: &str, extensions: &[&str]) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The changes between `before` and `after`. `project` is the project's directory in the repository (`""` at
/// the root, else ending in `/`); `tools` are the tools the release steps run.
pub fn changes(
    before: &Files,
    after: &Files,
    project: &str,
    tools: &[String],
    versions: &Versions,
) -> Vec<Change> {
    let mut out = Vec::new();
    version(&mut out, versions);
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let (old, new) = (before.get(path), after.get(path));
        if old == new {
            continue;
        }
        let rel = path.strip_prefix(project).unwrap_or(path);
        let change = |area: Area, detail: String| Change {
            area,
            file: path.clone(),
            detail,
        };
        if path.starts_with(".github/workflows/") {
            out.push(change(Area::Workflow, workflow(path, old, new)));
        } else if rel == "pyproject.toml" {
            out.extend(
                pyproject(old, new, tools)
                    .into_iter()
                    .map(|(area, detail)| change(area, detail)),
            );
        } else if rel == "setup.cfg" || rel == "tox.ini" {
            out.extend(
                ini(rel, old, new, tools)
                    .into_iter()
                    .map(|(area, detail)| change(area, detail)),
            );
        } else if LOCK_FILES.contains(&rel) {
            out.push(change(Area::DependencyPins, lock(old, new)));
        } else if is_requirements(rel.rsplit('/').next().unwrap_or(rel)) {
            out.push(change(Area::DependencyPins, requirements(old, new)));
        } else if tools.iter().any(|t| tool_files(t).files.contains(&rel)) {
            out.push(change(Area::ToolConfiguration, presence(old, new)));
        } else if versions.file.as_deref() == Some(path.as_str()) {
            // The version's own file: its change is reported as the version's.
        }
    }
    out.sort_by_key(|c| c.area);
    out
}

fn version(out: &mut Vec<Change>, v: &Versions) {
    let file = v.file.clone().unwrap_or_else(|| "?".into());
    let detail = match (&v.before, &v.after) {
        (Some(old), Some(new)) if old == new => {
            format!("still {new}: an upload of a version already on the index is refused")
        }
        (Some(old), Some(new)) => format!("{old} → {new}"),
        (None, Some(new)) => format!("{new} (the previous tag declares none relgate can read)"),
        (Some(old), None) => format!("{old} → none relgate can read"),
        (None, None) => return,
    };
    out.push(Change {
        area: Area::VersionDeclaration,
        file,
        detail,
    });
}

fn presence(old: Option<&String>, new: Option<&String>) -> String {
    match (old, new) {
        (None, Some(_)) => "added".into(),
        (Some(_), None) => "removed".into(),
        _ => "changed".into(),
    }
}

/// A workflow file: added, removed, or which steps changed (added, removed, their `if:` or tools).
fn workflow(path: &str, old: Option<&String>, new: Option<&String>) -> String {
    let (Some(old), Some(new)) = (old, new) else {
        return presence(old, new);
    };
    let (Ok(a), Ok(b)) = (publish::declare(path, old), publish::declare(path, new)) else {
        return "changed".into();
    };
    let mut parts = step_changes(&a, &b);
    if parts.is_empty() {
        return "changed".into();
    }
    let more = parts.len().saturating_sub(LISTED);
    parts.truncate(LISTED);
    if more > 0 {
        parts.push(format!("{more} more"));
    }
    format!("changed: {}", parts.join("; "))
}

fn step_changes(a: &DeclaredWorkflow, b: &DeclaredWorkflow) -> Vec<String> {
    let mut parts = Vec::new();
    if a.triggers != b.triggers {
        parts.push(format!("triggers `{}` → `{}`", a.triggers, b.triggers));
    }
    for job in &b.jobs {
        let Some(old) = a.jobs.iter().find(|j| j.id == job.id) else {
            parts.push(format!("job `{}` added", job.id));
            continue;
        };
        if old.environment != job.environment {
            parts.push(format!(
                "environment of job `{}` {} → {}",
                job.id,
                old.environment.as_deref().unwrap_or("(none)"),
                job.environment.as_deref().unwrap_or("(none)")
            ));
        }
        for step in &job.steps {
            match old.steps.iter().find(|s| s.label() == step.label()) {
                None => parts.push(format!(
                    "step \"{}\" added to job `{}`",
                    step.label(),
                    job.id
                )),
                Some(before) if before.condition != step.condition => parts.push(format!(
                    "`if:` of step \"{}\" {} → {}",
                    step.label(),
                    before.condition.as_deref().unwrap_or("(none)"),
                    step.condition.as_deref().unwrap_or("(none)")
                )),
                Some(before) if before.title != step.title || before.with != step.with => {
                    parts.push(format!("step \"{}\" changed", step.label()));
                }
                Some(_) => {}
            }
        }
        for step in &old.steps {
            if !job.steps.iter().any(|s| s.label() == step.label()) {
                parts.push(format!(
                    "step \"{}\" removed from job `{}`",
                    step.label(),
                    job.id
                ));
            }
        }
    }
    for job in &a.jobs {
        if !b.jobs.iter().any(|j| j.id == job.id) {
            parts.push(format!("job `{}` removed", job.id));
        }
    }
    parts
}

/// `pyproject.toml`: the version, the release tools' `[tool.X]` tables, the dependency tables.
fn pyproject(old: Option<&String>, new: Option<&String>, tools: &[String]) -> Vec<(Area, String)> {
    let parse = |t: Option<&String>| {
        t.and_then(|t| toml_edit::de::from_str::<Value>(t).ok())
            .unwrap_or(Value::Null)
    };
    let (a, b) = (parse(old), parse(new));
    let mut out = Vec::new();
    let mut tables: Vec<&str> = tools.iter().flat_map(|t| tool_files(t).tables).collect();
    tables.sort_unstable();
    tables.dedup();
    for table in tables {
        let pointer = format!("/tool/{table}");
        if let Some(detail) = table_change(a.pointer(&pointer), b.pointer(&pointer)) {
            out.push((Area::ToolConfiguration, format!("[tool.{table}] {detail}")));
        }
    }
    for (pointer, shown) in [
        ("/project/dependencies", "[project] dependencies"),
        (
            "/project/optional-dependencies",
            "[project.optional-dependencies]",
        ),
        ("/dependency-groups", "[dependency-groups]"),
        ("/tool/poetry/dependencies", "[tool.poetry.dependencies]"),
        ("/tool/poetry/group", "[tool.poetry.group]"),
        ("/tool/uv", "[tool.uv]"),
        ("/build-system/requires", "[build-system] requires"),
    ] {
        if let Some(detail) = table_change(a.pointer(pointer), b.pointer(pointer)) {
            out.push((Area::DependencyPins, format!("{shown} {detail}")));
        }
    }
    out
}

/// How a TOML value changed: keys (or list items) added, removed, changed.
fn table_change(a: Option<&Value>, b: Option<&Value>) -> Option<String> {
    if a == b {
        return None;
    }
    let (a, b) = match (a, b) {
        (None, Some(_)) => return Some("added".into()),
        (Some(_), None) => return Some("removed".into()),
        (Some(a), Some(b)) => (a, b),
        (None, None) => return None,
    };
    let mut parts = Vec::new();
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                match (x.get(key), y.get(key)) {
                    (Some(old), Some(new)) if old != new => {
                        parts.push(format!("{key}: {} → {}", compact(old), compact(new)));
                    }
                    (None, Some(new)) => parts.push(format!("{key} = {} added", compact(new))),
                    (Some(_), None) => parts.push(format!("{key} removed")),
                    _ => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            parts.extend(
                y.iter()
                    .filter(|v| !x.contains(v))
                    .map(|v| format!("{} added", compact(v))),
            );
            parts.extend(
                x.iter()
                    .filter(|v| !y.contains(v))
                    .map(|v| format!("{} removed", compact(v))),
            );
        }
        (old, new) => parts.push(format!("{} → {}", compact(old), compact(new))),
    }
    let more = parts.len().saturating_sub(LISTED);
    parts.truncate(LISTED);
    if more > 0 {
        parts.push(format!("{more} more"));
    }
    Some(if parts.is_empty() {
        "changed".into()
    } else {
        parts.join(", ")
    })
}

fn compact(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// `setup.cfg` and `tox.ini`: the release tools' sections, the version and the dependencies of `setup.cfg`.
fn ini(
    name: &str,
    old: Option<&String>,
    new: Option<&String>,
    tools: &[String],
) -> Vec<(Area, String)> {
    let (a, b) = (
        sections(old.map_or("", String::as_str)),
        sections(new.map_or("", String::as_str)),
    );
    let mut out = Vec::new();
    let whole = name == "tox.ini" && tools.iter().any(|t| t == "tox");
    if whole {
        out.push((Area::ToolConfiguration, presence(old, new)));
        return out;
    }
    let mut wanted: Vec<&str> = tools.iter().flat_map(|t| tool_files(t).sections).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    for section in names {
        if a.get(section) == b.get(section) {
            continue;
        }
        let tool = wanted.iter().any(|w| {
            configuration::section_matches(w, section) || section.starts_with(&format!("{w}-"))
        });
        if tool {
            out.push((Area::ToolConfiguration, format!("[{section}] changed")));
        } else if name == "setup.cfg" && section == "options" {
            out.push((Area::DependencyPins, "[options] changed".into()));
        }
    }
    out
}

/// An INI file's sections and their lines (comments and blank lines left out).
fn sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = name.trim().to_string();
            out.entry(current.clone()).or_default();
            continue;
        }
        out.entry(current.clone()).or_default().push(t.to_string());
    }
    out
}

/// A requirements file: the pins that changed, by distribution.
fn requirements(old: Option<&String>, new: Option<&String>) -> String {
    let pins = |text: Option<&String>| -> BTreeMap<String, String> {
        text.map_or("", String::as_str)
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty() && !l.starts_with('-'))
            .filter_map(|l| {
                let end = l
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                    .unwrap_or(l.len());
                let name = &l[..end];
                (!name.is_empty()).then(|| (super::facts::normalize(name), l.to_string()))
            })
            .collect()
    };
    if old.is_none() || new.is_none() {
        return presence(old, new);
    }
    listed(&pins(old), &pins(new), |_, a, b| format!("{a} → {b}"))
}

/// A lock file: the locked versions that changed.
fn lock(old: Option<&String>, new: Option<&String>) -> String {
    let versions = |text: Option<&String>| -> BTreeMap<String, String> {
        let Some(doc) = text.and_then(|t| toml_edit::de::from_str::<Value>(t).ok()) else {
            return BTreeMap::new();
        };
        doc.get("package")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let name = p.get("name")?.as_str()?;
                let version = p.get("version")?.as_str()?;
                Some((super::facts::normalize(name), version.to_string()))
            })
            .collect()
    };
    if old.is_none() || new.is_none() {
        return presence(old, new);
    }
    listed(&versions(old), &versions(new), |name, a, b| {
        format!("{name} {a} → {b}")
    })
}

/// Entries changed, added and removed between two maps, at most [`LISTED`].
fn listed(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    changed: impl Fn(&str, &str, &str) -> String,
) -> String {
    let mut parts = Vec::new();
    for (name, new) in b {
        match a.get(name) {
            Some(old) if old != new => parts.push(changed(name, old, new)),
            None => parts.push(format!("{new} added")),
            _ => {}
        }
    }
    for (name, old) in a {
        if !b.contains_key(name) {
            parts.push(format!("{old} removed"));
        }
    }
    if parts.is_empty() {
        return "changed (no pin changed)".into();
    }
    let more = parts.len().saturating_sub(LISTED);
    parts.truncate(LISTED);
    if more > 0 {
        parts.push(format!("{more} more"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect()
    }

    #[test]
    fn what_the_release_steps_read() {
        let before = files(&[
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\nversion = \"1.3.0\"\ndependencies = [\"click>=8\"]\n[tool.mypy]\nstrict = false\n[tool.black]\nline-length = 88\n",
            ),
            (
                "requirements-dev.txt",
                "ruff==0.5.7\nmypy==1.14.0  # types\npytest\n",
            ),
            (
                ".github/workflows/release.yml",
                "on: push\njobs:\n  b:\n    steps:\n      - name: Lint\n        run: ruff check .\n",
            ),
            (
                "uv.lock",
                "version = 1\n[[package]]\nname = \"ruff\"\nversion = \"0.5.7\"\n[[package]]\nname = \"Click\"\nversion = \"8.1.0\"\n",
            ),
            (
                "setup.cfg",
                "[flake8]\nmax-line-length = 100\n[mypy-tests.*]\nignore_errors = True\n",
            ),
        ]);
        let after = files(&[
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\nversion = \"1.4.0\"\ndependencies = [\"click>=8\", \"rich\"]\n[tool.mypy]\nstrict = true\n[tool.black]\nline-length = 100\n",
            ),
            (
                "requirements-dev.txt",
                "ruff==0.6.0\nmypy==1.14.0\npytest\n",
            ),
            (
                ".github/workflows/release.yml",
                "on: push\njobs:\n  b:\n    steps:\n      - name: Lint\n        run: ruff check .\n      - name: Type check\n        if: github.event_name == 'push'\n        run: mypy src\n",
            ),
            (
                "uv.lock",
                "version = 1\n[[package]]\nname = \"ruff\"\nversion = \"0.6.0\"\n[[package]]\nname = \"click\"\nversion = \"8.1.0\"\n",
            ),
            (
                "setup.cfg",
                "[flake8]\nmax-line-length = 100\n[mypy-tests.*]\nignore_errors = False\n",
            ),
            ("mypy.ini", "[mypy]\n"),
        ]);
        let tools = ["ruff".to_string(), "mypy".to_string(), "pytest".to_string()];
        let versions = Versions {
            before: Some("1.3.0".into()),
            after: Some("1.4.0".into()),
            file: Some("pyproject.toml".into()),
        };
        let got: Vec<String> = changes(&before, &after, "", &tools, &versions)
            .into_iter()
            .map(|c| format!("{} | {} | {}", c.area.describe(), c.file, c.detail))
            .collect();
        assert_eq!(
            got,
            [
                "version declaration | pyproject.toml | 1.3.0 → 1.4.0",
                "workflow | .github/workflows/release.yml | changed: step \"Type check\" added to job `b`",
                "tool configuration | mypy.ini | added",
                "tool configuration | pyproject.toml | [tool.mypy] strict: false → true",
                "tool configuration | setup.cfg | [mypy-tests.*] changed",
                "dependency pins | pyproject.toml | [project] dependencies \"rich\" added",
                "dependency pins | requirements-dev.txt | ruff==0.5.7 → ruff==0.6.0",
                "dependency pins | uv.lock | ruff 0.5.7 → 0.6.0",
            ]
        );
    }

    #[test]
    fn an_unchanged_version_is_said() {
        let versions = Versions {
            before: Some("1.3.0".into()),
            after: Some("1.3.0".into()),
            file: Some("src/demo/__init__.py".into()),
        };
        let got = changes(&Files::new(), &Files::new(), "", &[], &versions);
        assert_eq!(
            got[0].detail,
            "still 1.3.0: an upload of a version already on the index is refused"
        );
    }
}

//! The package metadata an upload needs, read statically from pyproject.toml with its line numbers: name,
//! version, readme, license expression, requires-python.
//!
//! The rules are the ones build backends and the index enforce: PEP 621 (`[project]`), PEP 639 (a `license`
//! string is an SPDX expression), PEP 440 (`requires-python` is a specifier set), and the description content
//! types the index renders (`text/markdown`, `text/x-rst`, `text/plain`). Poetry's `[tool.poetry]` table is read
//! when there is no `[project]` name.

use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use toml_edit::Item;

use crate::files;
use crate::gates::GateContext;
use crate::gates::spdx;
use crate::git;
use crate::outcome::{CheckResult, Finding, Kind};
use crate::project::Backend;
use crate::toml_file::{self, TomlFile};

pub const CHECK: &str = "metadata";

/// Check the metadata declared in the released project's pyproject.toml.
pub fn check_metadata(ctx: &GateContext) -> CheckResult {
    let started = Instant::now();
    let (root, dir) = ctx
        .workspace
        .map_or((ctx.local_project_dir, ctx.local_project_dir), |ws| {
            (ws.root.as_path(), ws.project_dir.as_path())
        });
    let listing = || released_files(ctx);
    check_dir(root, dir, &listing).took(started.elapsed())
}

/// The files of the released project, relative to its directory, from git: the tagged (or checked) commit's
/// tree, or, for a working tree checked as it is, the files git sees there (tracked, and untracked but not
/// ignored). What a build from a clean checkout of the release would find.
fn released_files(ctx: &GateContext) -> anyhow::Result<Vec<String>> {
    let repo = git::Repo::discover(ctx.local_project_dir)?;
    let (commit, subdir) = match ctx.workspace {
        Some(ws) => (
            ws.commit,
            ws.project_dir
                .strip_prefix(&ws.root)
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        ),
        None => {
            let root = repo.workdir().canonicalize()?;
            let subdir = ctx
                .local_project_dir
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (None, subdir)
        }
    };
    match commit {
        Some(commit) => repo.files_at(commit, &subdir),
        None => repo.working_files(&subdir),
    }
}

/// What `license-files` patterns are matched against (see [`released_files`]).
type Listing<'a> = &'a dyn Fn() -> anyhow::Result<Vec<String>>;

/// `root`: the repository's (or the export's) root, which no file read may leave.
fn check_dir(root: &Path, dir: &Path, listing: Listing) -> CheckResult {
    let text = match files::read_text(root, &dir.join("pyproject.toml")) {
        Ok(Some(text)) => text,
        Ok(None) => {
            let legacy = ["setup.cfg", "setup.py"]
                .into_iter()
                .find(|f| dir.join(f).exists());
            let message = match legacy {
                Some(f) => format!(
                    "the metadata is declared in {f}, which relgate does not read; the build check and `twine check` cover it"
                ),
                None => "no pyproject.toml".to_owned(),
            };
            return CheckResult::skipped(CHECK, Kind::Publish, message);
        }
        Err(e) => return CheckResult::error(CHECK, Kind::Publish, e.to_string()).detail(e.hint()),
    };
    let file = match TomlFile::parse("pyproject.toml", text) {
        Ok(file) => file,
        Err(e) => return CheckResult::fail(CHECK, Kind::Publish, e.to_string()),
    };
    let mut audit = Audit {
        file: &file,
        dir,
        listing,
        problems: Vec::new(),
        warnings: Vec::new(),
        summary: Vec::new(),
    };
    if file.get(&["project"]).is_some() {
        audit.pep621();
    } else if file.get(&["tool", "poetry", "name"]).is_some() {
        audit.poetry();
    } else {
        let legacy = ["setup.cfg", "setup.py"]
            .into_iter()
            .find(|f| dir.join(f).exists());
        let message = match legacy {
            Some(f) => format!(
                "pyproject.toml has no [project] table: the metadata is declared in {f}, which relgate does not read; the build check and `twine check` cover it"
            ),
            None => {
                "pyproject.toml declares no [project] table: there is no package metadata to upload"
                    .to_owned()
            }
        };
        return if legacy.is_some() {
            CheckResult::skipped(CHECK, Kind::Publish, message)
        } else {
            CheckResult::fail(CHECK, Kind::Publish, message)
                .detail("fix: add a [project] table with name and version (https://packaging.python.org/en/latest/guides/writing-pyproject-toml/)")
        };
    }
    let table = if file.get(&["project"]).is_some() {
        "[project]"
    } else {
        "[tool.poetry]"
    };
    let mut result = audit.finish();
    result.reason = Some(format!("the {table} table of pyproject.toml"));
    result
}

/// What the build backend that builds the project does with `License ::` classifiers beside a license
/// expression: PEP 639 lets it refuse them, and some do.
fn classifiers_verdict(pyproject: &TomlFile) -> String {
    match Backend::of(Some(pyproject)) {
        Backend::Setuptools => "setuptools (77 and later) refuses to build with them".to_owned(),
        Backend::Flit => "flit_core refuses to build with them".to_owned(),
        Backend::Poetry | Backend::PoetryDynamicVersioning => {
            "poetry-core warns about them".to_owned()
        }
        Backend::Hatchling => "hatchling still accepts them".to_owned(),
        Backend::Other => match pyproject.get_str(&["build-system", "build-backend"]) {
            Some(name) => format!("the build backend {name:?} may refuse them"),
            None => "setuptools (77 and later), which pip builds this project with, refuses to build with them".to_owned(),
        },
        other => format!("{} may refuse them", other.label()),
    }
}

struct Audit<'a> {
    file: &'a TomlFile,
    dir: &'a Path,
    listing: Listing<'a>,
    problems: Vec<Finding>,
    warnings: Vec<String>,
    summary: Vec<String>,
}

impl Audit<'_> {
    fn pep621(&mut self) {
        let dynamic = self.file.get_strings(&["project", "dynamic"]);
        let is_dynamic = |field: &str| dynamic.iter().any(|d| d == field);
        for field in &dynamic {
            if self.file.get(&["project", field]).is_some() {
                self.problem(
                    self.file.get(&["project", "dynamic"]),
                    format!("`{field}` is both given and listed in `dynamic`; backends refuse that (PEP 621)"),
                    format!("remove `{field}` from either [project] or `dynamic`"),
                );
            }
        }
        if is_dynamic("name") {
            self.problem(
                self.file.get(&["project", "dynamic"]),
                "`name` cannot be dynamic (PEP 621)".into(),
                "give `name` in [project]".into(),
            );
        }
        self.name(&["project", "name"]);
        match self.file.get(&["project", "version"]) {
            Some(item) => self.version(item),
            None if is_dynamic("version") => self.summary.push("version (dynamic)".into()),
            None => self.problem(
                self.file.get(&["project"]),
                "[project] has no `version` and does not list it in `dynamic`".into(),
                "add `version = \"X.Y.Z\"`, or `dynamic = [\"version\"]` with the backend's version source".into(),
            ),
        }
        match self.file.get(&["project", "readme"]) {
            Some(item) => self.readme(item),
            None if is_dynamic("readme") => self.summary.push("readme (dynamic)".into()),
            None => self.warnings.push(
                "warning: no `readme`: the project's page on the index will have no description"
                    .into(),
            ),
        }
        match self.file.get(&["project", "license"]) {
            Some(item) => self.license(item, true),
            None if is_dynamic("license") => self.summary.push("license (dynamic)".into()),
            None => {}
        }
        self.license_files();
        match self.file.get(&["project", "requires-python"]) {
            Some(item) => self.requires_python(item),
            None if is_dynamic("requires-python") => {}
            None => self.warnings.push(
                "warning: no `requires-python`: installers will offer this release to every Python version".into(),
            ),
        }
    }

    fn poetry(&mut self) {
        self.name(&["tool", "poetry", "name"]);
        match self.file.get(&["tool", "poetry", "version"]) {
            Some(item) => self.version(item),
            None => self.problem(
                self.file.get(&["tool", "poetry"]),
                "[tool.poetry] has no `version`".into(),
                "add `version = \"X.Y.Z\"` to [tool.poetry]".into(),
            ),
        }
        match self.file.get(&["tool", "poetry", "readme"]) {
            Some(item) if item.as_array().is_some() => {
                let paths = toml_file::strings(item);
                for path in &paths {
                    self.readme_file(item, path, None);
                }
            }
            Some(item) => self.readme(item),
            None => self.warnings.push(
                "warning: no `readme`: the project's page on the index will have no description"
                    .into(),
            ),
        }
        if let Some(item) = self.file.get(&["tool", "poetry", "license"]) {
            // Poetry accepts names that are not SPDX identifiers (e.g. "Proprietary"): a warning, not a failure.
            self.license(item, false);
        }
        if self
            .file
            .get(&["tool", "poetry", "dependencies", "python"])
            .is_none()
        {
            self.warnings.push(
                "warning: no `python` in [tool.poetry.dependencies]: installers will offer this release to every Python version".into(),
            );
        }
    }

    fn name(&mut self, path: &[&str]) {
        let item = self.file.get(path);
        match item.and_then(Item::as_str) {
            Some(name) if crate::python::name::is_valid(name) => self.summary.push(format!("name {name}")),
            Some(name) => self.problem(
                item,
                format!("`name` {name:?} is not a valid distribution name"),
                "use ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit".into(),
            ),
            None => self.problem(
                item.or_else(|| self.file.get(&path[..path.len() - 1])),
                "no `name`: an upload needs one".into(),
                "add `name = \"...\"`".into(),
            ),
        }
    }

    fn version(&mut self, item: &Item) {
        match item.as_str() {
            Some(v) => match pep440_rs::Version::from_str(v) {
                Ok(_) => self.summary.push(format!("version {v}")),
                Err(e) => self.problem(
                    Some(item),
                    format!("`version` {v:?} is not a PEP 440 version: {e}"),
                    "use a version such as 1.4.0, 2.0.0rc1 or 1.4.0.post1".into(),
                ),
            },
            None => self.problem(
                Some(item),
                "`version` is not a string".into(),
                "write it quoted: version = \"1.0.0\"".into(),
            ),
        }
    }

    fn readme(&mut self, item: &Item) {
        if let Some(path) = item.as_str() {
            self.readme_file(item, path, None);
            return;
        }
        let Some(table) = item.as_table_like() else {
            self.problem(
                Some(item),
                "`readme` is neither a file name nor a table".into(),
                "readme = \"README.md\"".into(),
            );
            return;
        };
        let content_type = table.get("content-type").and_then(Item::as_str);
        let Some(content_type) = content_type else {
            self.problem(
                Some(item),
                "the `readme` table has no `content-type`".into(),
                "add content-type = \"text/markdown\" (or text/x-rst, text/plain)".into(),
            );
            return;
        };
        if !known_content_type(content_type) {
            self.problem(
                Some(item),
                format!("readme content-type {content_type:?} is not one the index renders"),
                "use text/markdown, text/x-rst or text/plain".into(),
            );
            return;
        }
        match (table.get("file").and_then(Item::as_str), table.get("text")) {
            (Some(path), None) => self.readme_file(item, path, Some(content_type)),
            (None, Some(_)) => self
                .summary
                .push(format!("readme (inline, {content_type})")),
            _ => self.problem(
                Some(item),
                "the `readme` table needs exactly one of `file` and `text`".into(),
                "readme = {file = \"README.md\", content-type = \"text/markdown\"}".into(),
            ),
        }
    }

    fn readme_file(&mut self, item: &Item, path: &str, content_type: Option<&str>) {
        let content_type = match content_type {
            Some(ct) => ct.to_owned(),
            None => match content_type_of(path) {
                Some(ct) => ct.to_owned(),
                None => {
                    self.problem(
                        Some(item),
                        format!("readme {path:?} has an extension with no known content type (.md, .rst, .txt)"),
                        format!("rename it, or write readme = {{file = \"{path}\", content-type = \"text/markdown\"}}"),
                    );
                    return;
                }
            },
        };
        if !self.dir.join(path).is_file() {
            self.problem(
                Some(item),
                format!("readme {path:?} does not exist in the released tree"),
                format!("commit {path}, or point `readme` at the file that exists"),
            );
            return;
        }
        self.summary.push(format!("readme {path} ({content_type})"));
    }

    fn license(&mut self, item: &Item, strict: bool) {
        if let Some(expression) = item.as_str() {
            match spdx::validate_license(expression) {
                Ok(canonical) => {
                    self.summary.push(format!("license {canonical}"));
                    let classifiers = self.license_classifiers();
                    if strict && !classifiers.is_empty() {
                        self.warnings.push(format!(
                            "warning: `License ::` classifiers next to a license expression are deprecated (PEP 639), and {}: remove {}",
                            classifiers_verdict(self.file),
                            classifiers.join(", ")
                        ));
                    }
                }
                Err(why) if strict => self.problem(
                    Some(item),
                    format!("`license` {expression:?} is not a valid SPDX expression: {why}"),
                    "write an SPDX expression such as \"MIT\" or \"Apache-2.0 OR MIT\" (https://spdx.org/licenses/); put license texts in `license-files`".into(),
                ),
                Err(why) => self.warnings.push(format!(
                    "warning: {}: `license` {expression:?} is not an SPDX expression ({why}); the index will show it as free text",
                    self.file.locate(Some(item))
                )),
            }
            return;
        }
        let Some(table) = item.as_table_like() else {
            self.problem(
                Some(item),
                "`license` is neither a string nor a table".into(),
                "license = \"MIT\"".into(),
            );
            return;
        };
        if let Some(path) = table.get("file").and_then(Item::as_str) {
            if !self.dir.join(path).is_file() {
                self.problem(
                    Some(item),
                    format!("license file {path:?} does not exist in the released tree"),
                    format!("commit {path}, or fix the path"),
                );
                return;
            }
        }
        self.summary.push("license (table)".into());
        self.warnings.push(
            "warning: the `license` table is deprecated (PEP 639): use an SPDX string and `license-files`".into(),
        );
    }

    /// Every `license-files` pattern must match a file of the released tree: backends refuse a pattern that
    /// matches nothing (PEP 639). Patterns are PEP 639 globs (`*` and `?` stop at `/`, `**` crosses
    /// directories, `[...]` classes) matched against the files git has in the release, whatever their depth or
    /// directory (a `build/` that is committed is released too).
    fn license_files(&mut self) {
        let Some(item) = self.file.get(&["project", "license-files"]) else {
            return;
        };
        let Some(patterns) = item.as_array() else {
            return;
        };
        let mut released: Option<Result<Vec<String>, String>> = None;
        for pattern in patterns.iter().filter_map(|v| v.as_str()) {
            let matcher = match license_glob(pattern) {
                Ok(matcher) => matcher,
                Err(why) => {
                    self.problem(
                        Some(item),
                        format!("license-files pattern {pattern:?} is not a valid PEP 639 glob: {why}"),
                        "write a path relative to pyproject.toml's directory, with `/`, `*`, `?`, `**` and `[...]` only".into(),
                    );
                    continue;
                }
            };
            let listing = self.listing;
            let files =
                match released.get_or_insert_with(|| listing().map_err(|e| format!("{e:#}"))) {
                    Ok(files) => files,
                    Err(why) => {
                        let why = why.clone();
                        self.problem(
                        Some(item),
                        format!(
                            "cannot list the released tree's files to match license-files: {why}"
                        ),
                        "run relgate inside the project's git repository".into(),
                    );
                        return;
                    }
                };
            if files.iter().any(|f| matcher.is_match(f)) {
                continue;
            }
            if pattern.contains(['*', '?', '[']) {
                self.problem(
                    Some(item),
                    format!("license-files pattern {pattern:?} matches no file in the released tree"),
                    "fix the pattern or commit the license file: backends refuse a pattern that matches nothing (PEP 639)".into(),
                );
            } else {
                self.problem(
                    Some(item),
                    format!(
                        "license-files names {pattern:?}, which does not exist in the released tree"
                    ),
                    format!("commit {pattern}, or remove it from `license-files`"),
                );
            }
        }
    }

    fn license_classifiers(&self) -> Vec<String> {
        self.file
            .get(&["project", "classifiers"])
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter(|c| c.starts_with("License ::"))
                    .map(|c| format!("{c:?}"))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn requires_python(&mut self, item: &Item) {
        let Some(spec) = item.as_str() else {
            self.problem(
                Some(item),
                "`requires-python` is not a string".into(),
                "requires-python = \">=3.9\"".into(),
            );
            return;
        };
        match pep440_rs::VersionSpecifiers::from_str(spec) {
            Ok(_) => self.summary.push(format!("requires-python {spec}")),
            Err(e) => {
                let why = e.to_string().lines().next().unwrap_or_default().to_owned();
                self.problem(
                    Some(item),
                    format!("`requires-python` {spec:?} is not a PEP 440 specifier set: {why}"),
                    "write specifiers such as \">=3.9\" or \">=3.9,<4\" (a caret `^3.9` is Poetry syntax, not PEP 440)".into(),
                );
            }
        }
    }

    fn problem(&mut self, item: Option<&Item>, message: String, fix: String) {
        let line = item.and_then(|i| self.file.line_of(i));
        self.problems.push(Finding {
            file: Some(self.file.name.clone()),
            line,
            column: None,
            kind: Kind::Publish.as_str().into(),
            severity: "error".into(),
            code: None,
            message,
            fix_suggestion: Some(fix),
        });
    }

    fn finish(self) -> CheckResult {
        let mut result = if self.problems.is_empty() {
            CheckResult::pass(CHECK, Kind::Publish, self.summary.join(", "))
        } else {
            CheckResult::fail(
                CHECK,
                Kind::Publish,
                crate::gates::publish::summarize(&self.problems),
            )
        };
        // The first detail is the next action (the report's `next:` line); every problem is in `issues`.
        if let Some(fix) = self
            .problems
            .first()
            .and_then(|p| p.fix_suggestion.as_ref())
        {
            result.details.push(format!("fix: {fix}"));
        }
        result.details.extend(self.warnings);
        result.issues = self.problems;
        result
    }
}

/// A PEP 639 `license-files` glob over `/`-separated paths relative to the project directory: `*` and `?`
/// never match `/`, `**/` matches any number of directories, `[...]` is a class; no leading `/`, no `..`.
/// <https://peps.python.org/pep-0639/#add-license-files-key>
fn license_glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    if pattern.starts_with('/') {
        return Err(
            "it starts with `/`; patterns are relative to the directory of pyproject.toml".into(),
        );
    }
    if pattern.split('/').any(|part| part == "..") {
        return Err("`..` would leave the project directory".into());
    }
    if pattern.contains('\\') {
        return Err("`\\` is not a path separator here; use `/`".into());
    }
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(false)
        .empty_alternates(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

/// The content type PEP 621 and the backends infer from a readme's extension.
fn content_type_of(path: &str) -> Option<&'static str> {
    let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => Some("text/markdown"),
        "rst" => Some("text/x-rst"),
        "txt" => Some("text/plain"),
        _ => None,
    }
}

/// The description content types the index accepts (parameters such as `charset` and `variant` allowed).
fn known_content_type(ct: &str) -> bool {
    let base = ct
        .split(';')
        .next()
        .unwrap_or(ct)
        .trim()
        .to_ascii_lowercase();
    matches!(base.as_str(), "text/markdown" | "text/x-rst" | "text/plain")
}

#[cfg(test)]
mod tests;

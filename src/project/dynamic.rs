//! The version sources in the pure-Python build backends' own configuration: hatchling's `[tool.hatch.version]`
//! (or hatch.toml's `[version]`), setuptools' `[tool.setuptools.dynamic]`, pdm-backend's `[tool.pdm.version]` (and
//! pdm-pep517's older spellings), flit's module `__version__`, Poetry's `[tool.poetry] version`, and the plugins
//! that take the version from git tags.
//!
//! Each reader returns `Ok(None)` when the project does not configure that source.

use regex::Regex;

use super::discover::{CONFIGURE_HINT, attr_version, capture_version, first_line, found, vcs};
use super::pymodule;
use super::{Declared, Source, VersionSource};
use crate::error::hinted;
use crate::toml_file::TomlFile;

/// hatchling's version source: `[tool.hatch.version]`, or `[version]` in hatch.toml (which hatch prefers).
pub fn hatch(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let hatch_toml = match source.read("hatch.toml")? {
        Some(text) => Some(TomlFile::parse("hatch.toml", text)?),
        None => None,
    };
    let (file, table, prefix): (&TomlFile, &[&str], &str) = match &hatch_toml {
        Some(h) if h.get(&["version"]).is_some() => (h, &["version"], "[version] in hatch.toml"),
        _ if py.get(&["tool", "hatch", "version"]).is_some() => {
            (py, &["tool", "hatch", "version"], "[tool.hatch.version]")
        }
        _ => return Ok(None),
    };
    let key = |k: &'static str| [table, &[k]].concat();
    let kind = file.get_str(&key("source")).unwrap_or("regex");
    match kind {
        "regex" => {}
        "vcs" => return Ok(Some(vcs("hatch-vcs"))),
        "versioningit" => return Ok(Some(vcs("versioningit"))),
        other => {
            let how = match other {
                "code" => "runs Python code (source = \"code\")".to_owned(),
                "env" => "reads an environment variable (source = \"env\")".to_owned(),
                plugin => format!("comes from the version source plugin {plugin:?}"),
            };
            return Err(hinted(
                format!("cannot determine the version statically: the version in {prefix} {how}"),
                CONFIGURE_HINT,
            ));
        }
    }
    let Some(path_item) = file.get(&key("path")) else {
        return Err(hinted(
            format!(
                "cannot determine the version statically: {prefix} has no `path`, which hatchling's regex source needs"
            ),
            format!("set path = \"src/pkg/__about__.py\" in {prefix}"),
        ));
    };
    let Some(path) = path_item.as_str() else {
        return Err(hinted(
            format!(
                "{}: {prefix} path must be a string",
                file.locate(Some(path_item))
            ),
            "write it as path = \"src/pkg/__about__.py\"",
        ));
    };
    let pattern = file.get_str(&key("pattern"));
    let text = source.read(path)?.ok_or_else(|| {
        hinted(
            format!(
                "{}: {prefix} path = {path:?}, but {path} does not exist in {}",
                file.locate(Some(path_item)),
                source.label()
            ),
            format!("fix the path in {prefix}, relative to the project directory"),
        )
    })?;
    // Hatch's default pattern: `__version__` or `VERSION`, quoted, optional leading `v`.
    let default =
        r#"(?im)^(?:__version__|VERSION)\s*(?::\s*str\s*)?=\s*['"]v?(?P<version>[^'"]+)['"]"#;
    let re = match pattern {
        Some(p) => Regex::new(&format!("(?m){p}")).map_err(|e| {
            hinted(
                format!(
                    "{}: {prefix} pattern is not a valid regular expression: {e}",
                    file.name
                ),
                "fix the pattern; it needs a `version` group",
            )
        })?,
        None => Regex::new(default).expect("static regex"),
    };
    match capture_version(&re, &text) {
        Some((version, line)) => Ok(Some(found(
            VersionSource::HatchFile,
            version,
            path,
            Some(line),
        ))),
        None => Err(hinted(
            format!(
                "cannot determine the version statically: {path} (from {prefix} path) has no version assignment matching {}",
                pattern.unwrap_or("hatch's default pattern")
            ),
            CONFIGURE_HINT,
        )),
    }
}

/// setuptools' `[tool.setuptools.dynamic] version`: `{attr = "pkg.__version__"}` or `{file = "VERSION"}`.
pub fn setuptools(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let Some(item) = py.get(&["tool", "setuptools", "dynamic", "version"]) else {
        return Ok(None);
    };
    let Some(table) = item.as_table_like() else {
        return Ok(None);
    };
    if let Some(attr) = table.get("attr").and_then(|a| a.as_str()) {
        let package_dir = py
            .get_str(&["tool", "setuptools", "package-dir", ""])
            .map(str::to_owned);
        // `[tool.setuptools.packages.find] where = ["lib"]` (SQLAlchemy) places the packages too.
        let find_where = py.get_strings(&["tool", "setuptools", "packages", "find", "where"]);
        return attr_version(
            source,
            attr,
            &pymodule::package_roots(package_dir, find_where),
            VersionSource::SetuptoolsAttr,
            "[tool.setuptools.dynamic] version",
        )
        .map(Some);
    }
    if let Some(file) = table.get("file") {
        let first = file.as_str().map(str::to_owned).or_else(|| {
            file.as_array()
                .and_then(|a| a.get(0))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        if let Some(path) = first {
            let text = source.read(&path)?.ok_or_else(|| {
                hinted(
                    format!("[tool.setuptools.dynamic] version = {{file = {path:?}}}, but {path} does not exist in {}", source.label()),
                    "fix the file path, relative to pyproject.toml",
                )
            })?;
            return Ok(Some(found(
                VersionSource::SetuptoolsFile,
                first_line(&text),
                &path,
                Some(1),
            )));
        }
    }
    Ok(None)
}

/// The setuptools plugins that set the version from git tags, when they are turned on: setuptools-scm by a
/// `[tool.setuptools_scm]` table (since its 4.1; or, since 9, by `setuptools-scm[simple]` in the build
/// requirements with a dynamic version), versioningit by its `[tool.versioningit]` table. Listing the plugin
/// in `[build-system] requires` alone installs it without turning it on.
pub fn setuptools_vcs(py: &TomlFile) -> Option<&'static str> {
    if py.get(&["tool", "setuptools_scm"]).is_some()
        || py.get(&["tool", "setuptools-scm"]).is_some()
    {
        return Some("setuptools-scm");
    }
    let simple = requirements(py)
        .iter()
        .any(|(name, extras)| name == "setuptools-scm" && extras.iter().any(|e| e == "simple"));
    if simple && version_is_dynamic(py) {
        return Some("setuptools-scm");
    }
    py.get(&["tool", "versioningit"])
        .is_some()
        .then_some("versioningit")
}

/// Whether `[build-system] requires` installs `name` (a normalized distribution name).
pub fn requires(py: &TomlFile, name: &str) -> bool {
    requirements(py).iter().any(|(n, _)| n == name)
}

/// `[build-system] requires` as (normalized name, extras).
fn requirements(py: &TomlFile) -> Vec<(String, Vec<String>)> {
    py.get_strings(&["build-system", "requires"])
        .iter()
        .map(|r| {
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                .unwrap_or(r.len());
            let name = r[..end].to_ascii_lowercase().replace(['_', '.'], "-");
            let extras = r[end..]
                .trim_start()
                .strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .map(|(inside, _)| {
                    inside
                        .split(',')
                        .map(|e| e.trim().to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default();
            (name, extras)
        })
        .collect()
}

/// `[project] dynamic` lists `version`.
pub fn version_is_dynamic(py: &TomlFile) -> bool {
    py.get_strings(&["project", "dynamic"])
        .iter()
        .any(|d| d == "version")
}

/// pdm-backend's `[tool.pdm.version]` (`source = "file"`, `"scm"` or `"call"`), and pdm-pep517's older
/// spellings: `version = {from = "pkg/__init__.py"}` or `{use_scm = true}` under `[tool.pdm]` or `[project]`,
/// and PDM's own format before PEP 621, `[tool.pdm] version = "1.0"`.
pub fn pdm(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    if let Some(table) = py
        .get(&["tool", "pdm", "version"])
        .and_then(|t| t.as_table_like())
    {
        match table.get("source").and_then(|s| s.as_str()) {
            Some("file") => {
                let Some(path) = table.get("path").and_then(|p| p.as_str()) else {
                    return Err(hinted(
                        "cannot determine the version statically: [tool.pdm.version] source = \"file\" has no `path`",
                        "set path = \"src/pkg/__init__.py\" in [tool.pdm.version]",
                    ));
                };
                return pdm_file(source, path, "[tool.pdm.version]").map(Some);
            }
            Some("scm") => return Ok(Some(vcs("pdm-backend (scm)"))),
            Some(other) => {
                return Err(hinted(
                    format!(
                        "cannot determine the version statically: [tool.pdm.version] source = {other:?} computes it"
                    ),
                    CONFIGURE_HINT,
                ));
            }
            None => {}
        }
        // pdm-pep517's `version = {from = ...}` / `{use_scm = true}` under [tool.pdm].
        if let Some(d) = pdm_pep517(source, table, "[tool.pdm] version")? {
            return Ok(Some(d));
        }
    }
    if let Some(table) = py
        .get(&["project", "version"])
        .and_then(|t| t.as_table_like())
    {
        if let Some(d) = pdm_pep517(source, table, "[project] version")? {
            return Ok(Some(d));
        }
    }
    if let Some(item) = py.get(&["tool", "pdm", "version"]) {
        if let Some(version) = item.as_str() {
            return Ok(Some(found(
                VersionSource::Pdm,
                version,
                "pyproject.toml",
                py.line_of(item),
            )));
        }
    }
    Ok(None)
}

fn pdm_pep517(
    source: &dyn Source,
    table: &dyn toml_edit::TableLike,
    origin: &str,
) -> anyhow::Result<Option<Declared>> {
    if table.get("use_scm").and_then(toml_edit::Item::as_bool) == Some(true) {
        return Ok(Some(vcs("pdm-pep517 (scm)")));
    }
    match table.get("from").and_then(|f| f.as_str()) {
        Some(path) => pdm_file(source, path, origin).map(Some),
        None => Ok(None),
    }
}

fn pdm_file(source: &dyn Source, path: &str, origin: &str) -> anyhow::Result<Declared> {
    let text = source.read(path)?.ok_or_else(|| {
        hinted(
            format!(
                "{origin} reads the version from {path}, but {path} does not exist in {}",
                source.label()
            ),
            format!("fix the path in {origin}"),
        )
    })?;
    match pymodule::read_assignment(&text, "__version__") {
        Some((version, line)) => Ok(found(VersionSource::PdmFile, version, path, Some(line))),
        None => Err(hinted(
            format!(
                "cannot determine the version statically: {path} (from {origin}) has no literal __version__ assignment"
            ),
            CONFIGURE_HINT,
        )),
    }
}

/// flit: the module's `__version__`. The module is `[tool.flit.module] name`, else the project name (PEP 621
/// metadata), or `[tool.flit.metadata] module` (flit's own metadata table, before `flit_core` 3).
pub fn flit(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let (module, origin) = if py.get(&["project"]).is_some() {
        let module = py
            .get_str(&["tool", "flit", "module", "name"])
            .map(str::to_owned)
            .or_else(|| {
                py.get_str(&["project", "name"])
                    .map(|n| n.replace('-', "_"))
            });
        (module, "flit's module")
    } else {
        (
            py.get_str(&["tool", "flit", "metadata", "module"])
                .map(str::to_owned),
            "[tool.flit.metadata] module",
        )
    };
    let Some(module) = module else {
        return Ok(None);
    };
    attr_version(
        source,
        &format!("{module}.__version__"),
        &pymodule::package_roots(None, Vec::new()),
        VersionSource::Flit,
        origin,
    )
    .map(Some)
}

/// flit before pyproject.toml: flit.ini's `[metadata] module`, whose `__version__` is the version.
pub fn flit_ini(source: &dyn Source) -> anyhow::Result<Option<Declared>> {
    let Some(text) = source.read("flit.ini")? else {
        return Ok(None);
    };
    let Some((module, _)) = crate::python::ini::value(&text, "metadata", "module") else {
        return Ok(None);
    };
    attr_version(
        source,
        &format!("{module}.__version__"),
        &pymodule::package_roots(None, Vec::new()),
        VersionSource::Flit,
        "flit.ini [metadata] module",
    )
    .map(Some)
}

/// Poetry's `[tool.poetry] version` (Poetry 1, and Poetry 2 with `[project] dynamic = ["version"]`).
pub fn poetry(py: &TomlFile) -> Option<Declared> {
    let item = py.get(&["tool", "poetry", "version"])?;
    Some(found(
        VersionSource::Poetry,
        item.as_str()?.to_owned(),
        "pyproject.toml",
        py.line_of(item),
    ))
}

/// poetry-dynamic-versioning substitutes the version from git tags when `enable = true`.
pub fn poetry_dynamic_versioning(py: &TomlFile) -> bool {
    py.get(&["tool", "poetry-dynamic-versioning", "enable"])
        .and_then(toml_edit::Item::as_bool)
        == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml(text: &str) -> TomlFile {
        TomlFile::parse("pyproject.toml", text.to_owned()).unwrap()
    }

    #[test]
    fn requirement_names_and_extras() {
        let py = toml(
            "[build-system]\nrequires = [\"setuptools>=64\", \"Setuptools_SCM[toml, simple] >= 9\"]\n[project]\ndynamic = [\"version\"]\n",
        );
        assert!(requires(&py, "setuptools-scm"));
        assert_eq!(setuptools_vcs(&py), Some("setuptools-scm"));
        let without_simple = toml(
            "[build-system]\nrequires = [\"setuptools-scm[toml]>=6\"]\n[project]\ndynamic = [\"version\"]\n",
        );
        assert_eq!(setuptools_vcs(&without_simple), None);
        assert_eq!(
            setuptools_vcs(&toml("[tool.setuptools_scm]\n")),
            Some("setuptools-scm")
        );
    }
}

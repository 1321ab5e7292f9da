//! Which version the project declares, and where: pyproject.toml (PEP 621, Poetry, the dynamic-version
//! plugins), setup.cfg, setup.py, or `[tool.relgate] version-file`.
//!
//! Glossary: a *dynamic* version is one that pyproject.toml lists in `[project] dynamic` and that the build
//! backend computes (from a file, a module attribute, or git tags for the VCS plugins).

use std::sync::LazyLock;

use regex::Regex;

use super::backends;
use super::pymodule::{self, AttrLookup};
use super::{Declared, Source, VersionSource};
use crate::config::Config;
use crate::error::hinted;
use crate::python::ini;
use crate::toml_file::TomlFile;

pub(super) const CONFIGURE_HINT: &str = "tell relgate where the version is: [tool.relgate] version-file = \"src/pkg/__init__.py\" (and version-pattern = '__version__ = \"(?P<version>[^\"]+)\"' if it is not a `__version__` assignment)";

/// Read the declared version from `source`. An error means it cannot be determined statically; its message
/// names what was found and how to configure relgate.
pub fn declared(source: &dyn Source, config: &Config) -> anyhow::Result<Declared> {
    let pyproject = match source.read("pyproject.toml")? {
        Some(text) => Some(TomlFile::parse("pyproject.toml", text)?),
        None => None,
    };
    let name = project_name(source, pyproject.as_ref())?;
    let mut declared = if let Some(file) = &config.version_file {
        from_configured_file(source, file, config.version_pattern.as_deref())?
    } else if let Some(py) = &pyproject {
        match from_pyproject(source, py)? {
            Some(d) => d,
            None => from_legacy(source, py.get(&["project", "dynamic"]).is_some())?,
        }
    } else {
        from_legacy(source, false)?
    };
    declared.name = name;
    Ok(declared)
}

pub(super) fn found(
    source: VersionSource,
    version: impl Into<String>,
    file: &str,
    line: Option<u32>,
) -> Declared {
    Declared {
        name: None,
        version: Some(version.into().trim().to_owned()),
        source,
        file: Some(file.to_owned()),
        line,
        vcs_tool: None,
    }
}

pub(super) fn vcs(tool: &str) -> Declared {
    Declared {
        name: None,
        version: None,
        source: VersionSource::Vcs,
        file: None,
        line: None,
        vcs_tool: Some(tool.to_owned()),
    }
}

fn project_name(source: &dyn Source, py: Option<&TomlFile>) -> anyhow::Result<Option<String>> {
    if let Some(py) = py {
        for path in [
            &["project", "name"][..],
            &["tool", "poetry", "name"],
            &["tool", "flit", "metadata", "module"],
        ] {
            if let Some(name) = py.get_str(path) {
                return Ok(Some(name.to_owned()));
            }
        }
    }
    if let Some(cfg) = source.read("setup.cfg")? {
        if let Some(name) = ini::value(&cfg, "metadata", "name") {
            return Ok(Some(name.0));
        }
    }
    if let Some(setup) = source.read("setup.py")? {
        if let Some(caps) = SETUP_NAME.captures(&setup) {
            return Ok(Some(caps[1].to_owned()));
        }
    }
    Ok(None)
}

static SETUP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bname\s*=\s*["']([A-Za-z0-9._-]+)["']"#).expect("static regex")
});

fn from_pyproject(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let dynamic = py
        .get(&["project", "dynamic"])
        .and_then(|d| d.as_array())
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));

    if let Some(item) = py.get(&["project", "version"]) {
        let Some(version) = item.as_str() else {
            return Err(hinted(
                format!(
                    "{}: [project] version must be a string",
                    py.locate(Some(item))
                ),
                "write it as version = \"1.2.3\"",
            ));
        };
        if !dynamic {
            return Ok(Some(found(
                VersionSource::Static,
                version.to_owned(),
                "pyproject.toml",
                py.line_of(item),
            )));
        }
    }

    if let Some(tool) = vcs_plugin(py) {
        return Ok(Some(vcs(tool)));
    }

    if dynamic {
        if let Some(d) = hatch(source, py)? {
            return Ok(Some(d));
        }
        if let Some(d) = setuptools_dynamic(source, py)? {
            return Ok(Some(d));
        }
        if let Some(d) = pdm_file(source, py)? {
            return Ok(Some(d));
        }
        if let Some(d) = flit(source, py)? {
            return Ok(Some(d));
        }
        for backend in [backends::maturin, backends::scikit_build, backends::meson] {
            if let Some(d) = backend(source, py)? {
                return Ok(Some(d));
            }
        }
        // Poetry 2 projects may list the version as dynamic and keep it in [tool.poetry].
        if let Some(d) = poetry(py) {
            return Ok(Some(d));
        }
        // setuptools may still take the version from setup.cfg or setup.py.
        return Ok(None);
    }

    Ok(poetry(py))
}

fn poetry(py: &TomlFile) -> Option<Declared> {
    let item = py.get(&["tool", "poetry", "version"])?;
    Some(found(
        VersionSource::Poetry,
        item.as_str()?.to_owned(),
        "pyproject.toml",
        py.line_of(item),
    ))
}

/// The plugins that derive the version from git tags: the tag is the version.
fn vcs_plugin(py: &TomlFile) -> Option<&'static str> {
    let requires: Vec<String> = py
        .get_strings(&["build-system", "requires"])
        .iter()
        .map(|r| r.to_lowercase())
        .collect();
    let requires_any = |name: &str| {
        requires
            .iter()
            .any(|r| r.replace('_', "-").starts_with(name))
    };

    if py
        .get(&["tool", "hatch", "version", "source"])
        .and_then(|s| s.as_str())
        == Some("vcs")
    {
        return Some("hatch-vcs");
    }
    if py
        .get(&["tool", "pdm", "version", "source"])
        .and_then(|s| s.as_str())
        == Some("scm")
    {
        return Some("pdm-backend (scm)");
    }
    if py
        .get(&["tool", "poetry-dynamic-versioning", "enable"])
        .and_then(toml_edit::Item::as_bool)
        == Some(true)
    {
        return Some("poetry-dynamic-versioning");
    }
    if py.get(&["tool", "versioningit"]).is_some() || requires_any("versioningit") {
        return Some("versioningit");
    }
    let dynamic = py
        .get(&["project", "dynamic"])
        .and_then(|d| d.as_array())
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
    if dynamic
        && (py.get(&["tool", "setuptools_scm"]).is_some()
            || py.get(&["tool", "setuptools-scm"]).is_some()
            || (requires_any("setuptools-scm")
                && py
                    .get(&["tool", "setuptools", "dynamic", "version"])
                    .is_none()))
    {
        return Some("setuptools-scm");
    }
    None
}

fn hatch(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let Some(path_item) = py.get(&["tool", "hatch", "version", "path"]) else {
        return Ok(None);
    };
    let Some(path) = path_item.as_str() else {
        return Ok(None);
    };
    let pattern = py.get_str(&["tool", "hatch", "version", "pattern"]);
    let text = source.read(path)?.ok_or_else(|| {
        hinted(
            format!(
                "{}: [tool.hatch.version] path = {path:?}, but {path} does not exist in {}",
                py.locate(Some(path_item)),
                source.label()
            ),
            "fix the path in [tool.hatch.version], relative to pyproject.toml",
        )
    })?;
    // Hatch's default pattern: `__version__` or `VERSION`, quoted, optional leading `v`.
    let default =
        r#"(?im)^(?:__version__|VERSION)\s*(?::\s*str\s*)?=\s*['"]v?(?P<version>[^'"]+)['"]"#;
    let re = match pattern {
        Some(p) => Regex::new(&format!("(?m){p}")).map_err(|e| {
            hinted(
                format!(
                    "{}: [tool.hatch.version] pattern is not a valid regular expression: {e}",
                    py.name
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
                "cannot determine the version statically: {path} (from [tool.hatch.version] path) has no version assignment matching {}",
                pattern.unwrap_or("hatch's default pattern")
            ),
            CONFIGURE_HINT,
        )),
    }
}

fn setuptools_dynamic(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
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

fn pdm_file(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    if py.get_str(&["tool", "pdm", "version", "source"]) != Some("file") {
        return Ok(None);
    }
    let Some(path) = py.get_str(&["tool", "pdm", "version", "path"]) else {
        return Ok(None);
    };
    let text = source.read(path)?.ok_or_else(|| {
        hinted(
            format!(
                "[tool.pdm.version] path = {path:?}, but {path} does not exist in {}",
                source.label()
            ),
            "fix the path in [tool.pdm.version]",
        )
    })?;
    match pymodule::read_assignment(&text, "__version__") {
        Some((version, line)) => Ok(Some(found(
            VersionSource::PdmFile,
            version,
            path,
            Some(line),
        ))),
        None => Err(hinted(
            format!(
                "cannot determine the version statically: {path} (from [tool.pdm.version]) has no literal __version__ assignment"
            ),
            CONFIGURE_HINT,
        )),
    }
}

fn flit(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let backend = py.get_str(&["build-system", "build-backend"]).unwrap_or("");
    if !backend.starts_with("flit") {
        return Ok(None);
    }
    let module = py
        .get_str(&["tool", "flit", "module", "name"])
        .map(str::to_owned)
        .or_else(|| {
            py.get_str(&["project", "name"])
                .map(|n| n.replace('-', "_"))
        });
    let Some(module) = module else {
        return Ok(None);
    };
    attr_version(
        source,
        &format!("{module}.__version__"),
        &pymodule::package_roots(None, Vec::new()),
        VersionSource::Flit,
        "flit's module",
    )
    .map(Some)
}

/// `pkg.mod.ATTR` read statically from the module file.
fn attr_version(
    source: &dyn Source,
    attr_path: &str,
    roots: &[String],
    kind: VersionSource,
    origin: &str,
) -> anyhow::Result<Declared> {
    let (module, attr) = attr_path
        .rsplit_once('.')
        .unwrap_or((attr_path, "__version__"));
    match pymodule::find_attr(source, module, attr, roots)? {
        AttrLookup::Found { value, file, line } => Ok(found(kind, value, &file, Some(line))),
        AttrLookup::NotLiteral { file } => Err(hinted(
            format!(
                "cannot determine the version statically: {origin} points at {attr_path}, and {file} does not assign {attr} a string literal (it is computed)"
            ),
            CONFIGURE_HINT,
        )),
        AttrLookup::NoModule { tried } => Err(hinted(
            format!(
                "cannot determine the version statically: {origin} points at {attr_path}, but none of {} exists in {}",
                tried.join(", "),
                source.label()
            ),
            CONFIGURE_HINT,
        )),
    }
}

fn from_configured_file(
    source: &dyn Source,
    file: &str,
    pattern: Option<&str>,
) -> anyhow::Result<Declared> {
    let text = source.read(file)?.ok_or_else(|| {
        hinted(
            format!(
                "[tool.relgate] version-file = {file:?}, but {file} does not exist in {}",
                source.label()
            ),
            "fix version-file: a path relative to the project directory",
        )
    })?;
    let found_version = match pattern {
        Some(p) => {
            let re = Regex::new(&format!("(?m){p}")).map_err(|e| {
                hinted(
                    format!("invalid version-pattern: {e}"),
                    "fix [tool.relgate] version-pattern",
                )
            })?;
            capture_version(&re, &text)
        }
        None => pymodule::read_assignment(&text, "__version__").or_else(|| {
            let line = first_line(&text);
            (!line.is_empty() && !line.contains('=')).then_some((line, 1))
        }),
    };
    match found_version {
        Some((version, line)) => Ok(found(VersionSource::Config, version, file, Some(line))),
        None => Err(hinted(
            format!(
                "{file} (from [tool.relgate] version-file) has no version that relgate can read"
            ),
            "set [tool.relgate] version-pattern to a regular expression with a `version` group",
        )),
    }
}

/// setup.cfg `[metadata] version`, then setup.py, read statically.
fn from_legacy(source: &dyn Source, pyproject_dynamic: bool) -> anyhow::Result<Declared> {
    let mut seen = Vec::new();
    if let Some(cfg) = source.read("setup.cfg")? {
        seen.push("setup.cfg");
        if let Some((value, line)) = ini::value(&cfg, "metadata", "version") {
            return setup_cfg_version(source, &cfg, &value, line);
        }
    }
    if let Some(setup) = source.read("setup.py")? {
        seen.push("setup.py");
        if let Some(d) = setup_py_version(source, &setup)? {
            return Ok(d);
        }
    }
    let what = if seen.is_empty() && !pyproject_dynamic {
        return Err(hinted(
            format!(
                "no Python project found in {}: no pyproject.toml, setup.cfg or setup.py",
                source.label()
            ),
            "run relgate in the project's directory, or pass --path DIR for a project in a subdirectory",
        ));
    } else if pyproject_dynamic {
        format!(
            "pyproject.toml declares the version dynamic, and no supported source was found ({})",
            if seen.is_empty() {
                "no [tool.hatch.version], [tool.setuptools.dynamic], [tool.pdm.version], [tool.poetry] version, VCS plugin, maturin Cargo.toml, scikit-build-core regex, meson.build, setup.cfg or setup.py".to_owned()
            } else {
                format!("{} has no readable version", seen.join(" and "))
            }
        )
    } else {
        format!(
            "{} has no version that can be read without running it",
            seen.join(" and ")
        )
    };
    Err(hinted(
        format!("cannot determine the version statically: {what}"),
        CONFIGURE_HINT,
    ))
}

fn setup_cfg_version(
    source: &dyn Source,
    cfg: &str,
    value: &str,
    line: u32,
) -> anyhow::Result<Declared> {
    if let Some(attr) = value.strip_prefix("attr:") {
        let package_dir = ini::value(cfg, "options", "package_dir")
            .and_then(|(v, _)| v.split('=').nth(1).map(|d| d.trim().to_owned()))
            .filter(|d| !d.is_empty());
        let find_where: Vec<String> = ini::value(cfg, "options.packages.find", "where")
            .map(|(w, _)| vec![w])
            .unwrap_or_default();
        return attr_version(
            source,
            attr.trim(),
            &pymodule::package_roots(package_dir, find_where),
            VersionSource::SetupCfg,
            "setup.cfg [metadata] version = attr:",
        );
    }
    if let Some(file) = value.strip_prefix("file:") {
        let path = file.trim();
        let text = source.read(path)?.ok_or_else(|| {
            hinted(
                format!("setup.cfg:{line}: version = file: {path}, but {path} does not exist"),
                "fix the path in setup.cfg",
            )
        })?;
        return Ok(found(
            VersionSource::SetupCfg,
            first_line(&text),
            path,
            Some(1),
        ));
    }
    Ok(found(
        VersionSource::SetupCfg,
        value.to_owned(),
        "setup.cfg",
        Some(line),
    ))
}

static SETUP_VERSION_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bversion\s*=\s*["']([^"'\n]+)["']"#).expect("static regex"));
static SETUP_VERSION_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']((?:[\w./-]*/)?(?:VERSION|version\.txt|VERSION\.txt))["']"#)
        .expect("static regex")
});

fn setup_py_version(source: &dyn Source, setup: &str) -> anyhow::Result<Option<Declared>> {
    if setup.contains("use_scm_version") {
        return Ok(Some(vcs("setuptools-scm")));
    }
    if let Some(m) = SETUP_VERSION_LITERAL.captures(setup).and_then(|c| c.get(1)) {
        let line = u32::try_from(setup[..m.start()].matches('\n').count() + 1).unwrap_or(u32::MAX);
        return Ok(Some(found(
            VersionSource::SetupPy,
            m.as_str().to_owned(),
            "setup.py",
            Some(line),
        )));
    }
    if let Some(m) = SETUP_VERSION_FILE.captures(setup).and_then(|c| c.get(1)) {
        if let Some(text) = source.read(m.as_str())? {
            return Ok(Some(found(
                VersionSource::SetupPy,
                first_line(&text),
                m.as_str(),
                Some(1),
            )));
        }
    }
    // `version=__version__`, `version=about["__version__"]`, `VERSION = re.search(..., open(...).read())`:
    // first the module files setup.py names, then the common layouts.
    if setup.contains("__version__") {
        for file in python_paths_in(setup) {
            if let Some(text) = source.read(&file)? {
                if let Some((value, line)) = pymodule::read_assignment(&text, "__version__") {
                    return Ok(Some(found(
                        VersionSource::SetupPy,
                        value,
                        &file,
                        Some(line),
                    )));
                }
            }
        }
        let name = SETUP_NAME.captures(setup).map(|c| c[1].replace('-', "_"));
        let mut packages: Vec<String> = name
            .iter()
            .flat_map(|n| [n.clone(), n.to_lowercase()])
            .collect();
        let roots = ["", "src", "lib"];
        for root in roots {
            if let Some(entries) = source.list(root)? {
                packages.extend(
                    entries
                        .into_iter()
                        .filter(|(n, dir)| {
                            *dir && !n.starts_with('.') && n != "tests" && n != "docs"
                        })
                        .map(|(n, _)| n),
                );
            }
        }
        packages.dedup();
        let roots: Vec<String> = roots.iter().map(|r| (*r).to_owned()).collect();
        for package in packages {
            for module in [
                "__version__",
                "__about__",
                "_version",
                "version",
                "__init__",
            ] {
                let dotted = if module == "__init__" {
                    package.clone()
                } else {
                    format!("{package}.{module}")
                };
                if let AttrLookup::Found { value, file, line } =
                    pymodule::find_attr(source, &dotted, "__version__", &roots)?
                {
                    return Ok(Some(found(
                        VersionSource::SetupPy,
                        value,
                        &file,
                        Some(line),
                    )));
                }
            }
        }
    }
    Ok(None)
}

/// Python files setup.py names: `"src/pkg/__init__.py"` literals and `os.path.join(..., "lib", "pkg",
/// "__init__.py")` sequences.
fn python_paths_in(setup: &str) -> Vec<String> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([\w./-]+\.py)["']"#).expect("static regex"));
    static JOIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"os\.path\.join\(([^()]*(?:\([^()]*\)[^()]*)*)\)").expect("static regex")
    });
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([\w.-]+)["']"#).expect("static regex"));
    let mut paths: Vec<String> = JOIN
        .captures_iter(setup)
        .map(|c| {
            QUOTED
                .captures_iter(&c[1])
                .map(|q| q[1].to_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|p| {
            std::path::Path::new(p)
                .extension()
                .is_some_and(|e| e == "py")
        })
        .collect();
    paths.extend(
        LITERAL
            .captures_iter(setup)
            .map(|c| c[1].trim_start_matches("./").to_owned())
            .filter(|p| p != "setup.py"),
    );
    paths
}

fn capture_version(re: &Regex, text: &str) -> Option<(String, u32)> {
    let caps = re.captures(text)?;
    let m = caps.name("version").or_else(|| caps.get(1))?;
    let line = u32::try_from(text[..m.start()].matches('\n').count() + 1).unwrap_or(u32::MAX);
    Some((m.as_str().trim().to_owned(), line))
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("")
        .to_owned()
}

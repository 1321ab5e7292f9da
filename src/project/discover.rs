//! Which version the project declares, and where: asked of the build backend that builds it (see `backend`),
//! in the order that backend reads its configuration, or of `[tool.relgate] version-file`.
//!
//! Glossary: a *dynamic* version is one that pyproject.toml lists in `[project] dynamic` and that the build
//! backend computes (from a file, a module attribute, or git tags for the VCS plugins).

use regex::Regex;

use super::backend::Backend;
use super::legacy::{self, Legacy};
use super::pymodule::{self, AttrLookup};
use super::{Declared, Source, VersionSource, backends, dynamic};
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
    let legacy = Legacy::read(source)?;
    let project = Project {
        source,
        py: pyproject.as_ref(),
        legacy: &legacy,
    };
    let mut declared = if let Some(file) = &config.version_file {
        from_configured_file(source, file, config.version_pattern.as_deref())?
    } else {
        project.version()?
    };
    declared.name = project.name()?;
    Ok(declared)
}

/// The files a version can come from, read once.
struct Project<'a> {
    source: &'a dyn Source,
    py: Option<&'a TomlFile>,
    legacy: &'a Legacy,
}

impl Project<'_> {
    fn version(&self) -> anyhow::Result<Declared> {
        let Some(py) = self.py else {
            if self.legacy.exists() {
                return self.setuptools();
            }
            // flit before pyproject.toml (PEP 518) read flit.ini.
            if let Some(d) = dynamic::flit_ini(self.source)? {
                return Ok(d);
            }
            // A Rust extension built by maturin from its Cargo.toml alone (pyo3-pack's projects).
            if let Some(d) = backends::cargo_only(self.source)? {
                return Ok(d);
            }
            return Err(hinted(
                format!(
                    "no Python project found in {}: no pyproject.toml, setup.cfg or setup.py",
                    self.source.label()
                ),
                "run relgate in the project's directory, or pass --path DIR for a project in a subdirectory",
            ));
        };
        let backend = Backend::of(Some(py));
        if matches!(
            backend,
            Backend::Poetry | Backend::PoetryDynamicVersioning | Backend::Other
        ) && dynamic::poetry_dynamic_versioning(py)
        {
            return Ok(vcs("poetry-dynamic-versioning"));
        }
        if let Some(d) = static_version(py, backend)? {
            return Ok(d);
        }
        let found = match backend {
            Backend::Setuptools => return self.setuptools(),
            Backend::Hatchling => dynamic::hatch(self.source, py)?,
            Backend::Flit => dynamic::flit(self.source, py)?,
            Backend::Pdm => dynamic::pdm(self.source, py)?,
            Backend::Poetry | Backend::PoetryDynamicVersioning => dynamic::poetry(py),
            Backend::Maturin => backends::maturin(self.source, py)?,
            Backend::ScikitBuild => backends::scikit_build(self.source, py)?,
            Backend::Meson => backends::meson(self.source, py)?,
            Backend::Other => return self.other(py),
        };
        found.ok_or_else(|| Self::unknown(backend, py))
    }

    /// setuptools: `[tool.setuptools.dynamic]`, then what setup.py and setup.cfg give, then the plugins that
    /// take it from git. A version setuptools already has wins over setuptools-scm's `[tool.setuptools_scm]`
    /// (setuptools-scm 8 and later leave it as it is); the `use_scm_version` keyword of setup.py asks for it.
    fn setuptools(&self) -> anyhow::Result<Declared> {
        let scm = self.py.and_then(dynamic::setuptools_vcs);
        // A version that setuptools-scm writes (`write_to`) and the package re-exports cannot be read from the
        // tree: where the plugin is on, that is its version.
        let unless_scm = |err: anyhow::Error| match scm {
            Some(tool) => Ok(vcs(tool)),
            None => Err(err),
        };
        if let Some(py) = self.py.filter(|py| dynamic::version_is_dynamic(py)) {
            match dynamic::setuptools(self.source, py) {
                Ok(Some(d)) => return Ok(d),
                Ok(None) => {}
                Err(err) => return unless_scm(err),
            }
        }
        if self.legacy.uses_scm_keyword() {
            return Ok(legacy::scm_keyword());
        }
        match self.legacy.static_version(self.source) {
            Ok(Some(d)) => return Ok(d),
            Ok(None) => {}
            Err(err) => return unless_scm(err),
        }
        if let Some(tool) = scm {
            return Ok(vcs(tool));
        }
        if let Some(d) = self.legacy.package_version(self.source)? {
            return Ok(d);
        }
        Err(self.setuptools_unresolved())
    }

    /// A backend relgate does not know: every source it knows, the most specific first, setuptools' last (in-tree
    /// backends mostly wrap setuptools).
    fn other(&self, py: &TomlFile) -> anyhow::Result<Declared> {
        if let Some(d) = dynamic::hatch(self.source, py)? {
            return Ok(d);
        }
        if let Some(d) = dynamic::pdm(self.source, py)? {
            return Ok(d);
        }
        if let Some(d) = dynamic::poetry(py) {
            return Ok(d);
        }
        if py.get(&["tool", "flit"]).is_some() {
            if let Some(d) = dynamic::flit(self.source, py)? {
                return Ok(d);
            }
        }
        self.setuptools()
    }

    /// Why setuptools would not find the version either, from what the files hold.
    fn setuptools_unresolved(&self) -> anyhow::Error {
        let mut found = Vec::new();
        if let Some(py) = self.py {
            if py.get(&["project"]).is_none() {
                found.push(format!(
                    "pyproject.toml has no [project] table{}",
                    tables_of(py)
                ));
            } else if dynamic::version_is_dynamic(py) {
                found.push(
                    "pyproject.toml lists the version in [project] dynamic, and [tool.setuptools.dynamic] does not give it".to_owned(),
                );
            } else {
                found.push("[project] in pyproject.toml has no version".to_owned());
            }
        }
        if let Some(cfg) = &self.legacy.setup_cfg {
            if ini::value(cfg, "metadata", "version").is_none() {
                found.push("setup.cfg has no [metadata] version".to_owned());
            }
        }
        match &self.legacy.setup_py {
            Some(_) => found.push(
                "setup.py computes the version (relgate reads a literal, a constant, a VERSION file or a module's __version__)".to_owned(),
            ),
            None if self.legacy.setup_cfg.is_none() => {
                found.push("there is no setup.cfg or setup.py".to_owned());
            }
            None => {}
        }
        let requires_scm = self
            .py
            .is_some_and(|py| dynamic::requires(py, "setuptools-scm"));
        if let Some(why) = legacy::inactive_scm(requires_scm, self.legacy) {
            found.push(why);
        }
        let backend = match self.py.map(|py| (Backend::of(Some(py)), py)) {
            Some((Backend::Other, py)) => match py.get_str(&["build-system", "build-backend"]) {
                Some(name) => format!(
                    "the build backend {name:?} is not one relgate knows, and no source it knows gives the version"
                ),
                None => "pyproject.toml names no build backend, so pip builds with setuptools"
                    .to_owned(),
            },
            _ => "the build backend is setuptools".to_owned(),
        };
        hinted(
            format!(
                "cannot determine the version statically ({backend}): {}",
                found.join("; ")
            ),
            CONFIGURE_HINT,
        )
    }

    /// A backend whose version source is not configured.
    fn unknown(backend: Backend, py: &TomlFile) -> anyhow::Error {
        let expected = match backend {
            Backend::Hatchling => "[tool.hatch.version] (path, or source = \"vcs\")",
            Backend::Flit => {
                "[project] with the module's __version__, or [tool.flit.metadata] module"
            }
            Backend::Pdm => "[tool.pdm.version] (source = \"file\" or \"scm\")",
            Backend::Poetry | Backend::PoetryDynamicVersioning => "[tool.poetry] version",
            Backend::ScikitBuild => "[tool.scikit-build.metadata.version] provider",
            _ => "a version source",
        };
        let what = if py.get(&["project"]).is_some() {
            if dynamic::version_is_dynamic(py) {
                "pyproject.toml lists the version in [project] dynamic".to_owned()
            } else {
                "[project] in pyproject.toml has no version".to_owned()
            }
        } else {
            format!("pyproject.toml has no [project] table{}", tables_of(py))
        };
        hinted(
            format!(
                "cannot determine the version statically: the build backend is {}, {what}, and there is no {expected}",
                backend.label()
            ),
            CONFIGURE_HINT,
        )
    }

    /// The distribution name the project declares.
    fn name(&self) -> anyhow::Result<Option<String>> {
        if let Some(py) = self.py {
            for path in [
                &["project", "name"][..],
                &["tool", "poetry", "name"],
                &["tool", "flit", "metadata", "dist-name"],
                &["tool", "flit", "metadata", "module"],
                &["tool", "pdm", "name"],
            ] {
                if let Some(name) = py.get_str(path) {
                    return Ok(Some(name.to_owned()));
                }
            }
        }
        if let Some(cfg) = &self.legacy.setup_cfg {
            if let Some((name, _)) = ini::value(cfg, "metadata", "name") {
                return Ok(Some(name));
            }
        }
        if let Some(setup) = &self.legacy.setup_py {
            if let Some(caps) = legacy::SETUP_NAME.captures(setup) {
                return Ok(Some(caps[1].to_owned()));
            }
        }
        if self.py.is_none() && !self.legacy.exists() {
            if let Some(flit) = self.source.read("flit.ini")? {
                let name = ini::value(&flit, "metadata", "dist-name")
                    .or_else(|| ini::value(&flit, "metadata", "module"));
                return Ok(name.map(|(n, _)| n));
            }
            return backends::cargo_name(self.source);
        }
        Ok(None)
    }
}

/// `[project] version`, when it is given and not listed in `dynamic`.
fn static_version(py: &TomlFile, backend: Backend) -> anyhow::Result<Option<Declared>> {
    let Some(item) = py.get(&["project", "version"]) else {
        return Ok(None);
    };
    let Some(version) = item.as_str() else {
        // pdm-pep517 0.x wrote its version source here: `version = {use_scm = true}`.
        if item.is_table_like() && matches!(backend, Backend::Pdm | Backend::Other) {
            return Ok(None);
        }
        return Err(hinted(
            format!(
                "{}: [project] version must be a string",
                py.locate(Some(item))
            ),
            "write it as version = \"1.2.3\"",
        ));
    };
    if dynamic::version_is_dynamic(py) {
        return Ok(None);
    }
    Ok(Some(found(
        VersionSource::Static,
        version.to_owned(),
        "pyproject.toml",
        py.line_of(item),
    )))
}

/// ` (it holds [build-system], [tool.black])`: what pyproject.toml does hold, for messages.
fn tables_of(py: &TomlFile) -> String {
    let root = py.doc.as_table();
    let mut names = Vec::new();
    for (key, item) in root {
        match (key, item.as_table_like()) {
            ("tool", Some(tools)) => names.extend(tools.iter().map(|(k, _)| format!("[tool.{k}]"))),
            (key, _) => names.push(format!("[{key}]")),
        }
    }
    names.truncate(8);
    if names.is_empty() {
        String::new()
    } else {
        format!(" (it holds {})", names.join(", "))
    }
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

/// `pkg.mod.ATTR` read statically from the module file.
pub(super) fn attr_version(
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

pub(super) fn capture_version(re: &Regex, text: &str) -> Option<(String, u32)> {
    let caps = re.captures(text)?;
    let m = caps.name("version").or_else(|| caps.get(1))?;
    let line = u32::try_from(text[..m.start()].matches('\n').count() + 1).unwrap_or(u32::MAX);
    Some((m.as_str().trim().to_owned(), line))
}

pub(super) fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("")
        .to_owned()
}

//! setuptools' own files, read statically: setup.cfg `[metadata] version` and the forms setup.py passes its
//! `version=` in (a literal, a module-level constant, a VERSION file, a package module's `__version__`), and the
//! setuptools-scm keyword `use_scm_version`.

use std::sync::LazyLock;

use regex::Regex;

use super::discover::{attr_version, first_line, found, vcs};
use super::pymodule::{self, AttrLookup};
use super::{Declared, Source, VersionSource};
use crate::error::hinted;
use crate::python::ini;

/// What the legacy files hold, read once.
pub struct Legacy {
    pub setup_cfg: Option<String>,
    pub setup_py: Option<String>,
}

impl Legacy {
    pub fn read(source: &dyn Source) -> anyhow::Result<Legacy> {
        Ok(Legacy {
            setup_cfg: source.read("setup.cfg")?,
            setup_py: source.read("setup.py")?,
        })
    }

    pub fn exists(&self) -> bool {
        self.setup_cfg.is_some() || self.setup_py.is_some()
    }

    /// setup.py passes `use_scm_version=...` to `setup()`: setuptools-scm sets the version from git.
    pub fn uses_scm_keyword(&self) -> bool {
        self.setup_py.as_deref().is_some_and(|s| {
            SCM_KEYWORD
                .captures_iter(s)
                .any(|c| !matches!(&c[1], "False" | "None"))
        })
    }

    /// Whether setup.py or setup.cfg asks for setuptools-scm at all (`setup_requires`, an import).
    pub fn mentions_scm(&self) -> bool {
        [&self.setup_cfg, &self.setup_py]
            .iter()
            .filter_map(|t| t.as_deref())
            .any(|t| t.contains("setuptools_scm") || t.contains("setuptools-scm"))
    }

    /// A version setuptools takes as given: setup.cfg's `[metadata] version`, else what setup.py passes as
    /// `version=` when relgate can read it (a literal, a constant, a VERSION file, a module setup.py names).
    pub fn static_version(&self, source: &dyn Source) -> anyhow::Result<Option<Declared>> {
        if let Some(cfg) = &self.setup_cfg {
            if let Some((value, line)) = ini::value(cfg, "metadata", "version") {
                return setup_cfg_version(source, cfg, &value, line).map(Some);
            }
        }
        match &self.setup_py {
            Some(setup) => setup_py_version(source, setup),
            None => Ok(None),
        }
    }

    /// The last resort: a `__version__` in one of the project's packages, when setup.py mentions
    /// `__version__` (`version=pkg.__version__`, `exec(open(...).read(), about)`).
    pub fn package_version(&self, source: &dyn Source) -> anyhow::Result<Option<Declared>> {
        match &self.setup_py {
            Some(setup) if setup.contains("__version__") => package_version(source, setup),
            _ => Ok(None),
        }
    }
}

/// `use_scm_version=True`, `use_scm_version={...}`, `"use_scm_version": True` in a keyword dictionary.
static SCM_KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\buse_scm_version["']?\s*[=:]\s*(\w+|\{|\()"#).expect("static regex")
});

pub static SETUP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bname\s*=\s*["']([A-Za-z0-9._-]+)["']"#).expect("static regex")
});

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
/// `version=VERSION`: the name of the value setup.py passes.
static SETUP_VERSION_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bversion\s*=\s*([A-Za-z_]\w*)\s*[,)\n]").expect("static regex"));
static SETUP_VERSION_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']((?:[\w./-]*/)?(?:VERSION|version\.txt|VERSION\.txt))["']"#)
        .expect("static regex")
});

fn setup_py_version(source: &dyn Source, setup: &str) -> anyhow::Result<Option<Declared>> {
    if let Some(m) = SETUP_VERSION_LITERAL.captures(setup).and_then(|c| c.get(1)) {
        return Ok(Some(found(
            VersionSource::SetupPy,
            m.as_str().to_owned(),
            "setup.py",
            Some(line_at(setup, m.start())),
        )));
    }
    // `VERSION = '2.0'` at the top of setup.py, passed as `version=VERSION`; not `version = ''`, the placeholder
    // of a setup.py that fills it from a module.
    if let Some(name) = SETUP_VERSION_NAME.captures(setup).map(|c| c[1].to_owned()) {
        if let Some((value, line)) = pymodule::read_assignment(setup, &name)
            .filter(|(v, _)| v.starts_with(|c: char| c.is_ascii_digit()))
        {
            return Ok(Some(found(
                VersionSource::SetupPy,
                value,
                "setup.py",
                Some(line),
            )));
        }
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
    // `version=find_meta("version")`, `exec(open("pkg/__version__.py").read(), about)`: the Python files setup.py
    // names, and the version variable it reads from them.
    let names = version_names(setup);
    for file in python_paths_in(setup) {
        if let Some(text) = source.read(&file)? {
            for name in &names {
                if let Some((value, line)) = pymodule::read_assignment(&text, name) {
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

/// The variables setup.py may read the version from, in order: `__version__`, `VERSION`, then the names it
/// mentions in an assignment (`r'virtualenv_version = "(.*?)"'`, a regular expression over the module's text).
fn version_names(setup: &str) -> Vec<String> {
    static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(\w*version\w*)\s*(?:\\s\*|\\s\+)?\s*=[^=]").expect("static regex")
    });
    let mut names = vec!["__version__".to_owned()];
    if setup.contains("VERSION") {
        names.push("VERSION".to_owned());
    }
    for caps in ASSIGNED.captures_iter(setup) {
        let name = caps[1].to_owned();
        if !names.contains(&name) && name != "version" {
            names.push(name);
        }
    }
    names
}

/// `__version__` in the common module files of the package setup.py names, or of the packages in the
/// project root, `src/` or `lib/`.
fn package_version(source: &dyn Source, setup: &str) -> anyhow::Result<Option<Declared>> {
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
                    .filter(|(n, dir)| *dir && !n.starts_with('.') && n != "tests" && n != "docs")
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
    Ok(None)
}

/// The explanation when setuptools-scm is asked for but nothing turns it on: setuptools then builds
/// version 0.0.0. `None` when setuptools-scm is not involved.
pub fn inactive_scm(requires_scm: bool, legacy: &Legacy) -> Option<String> {
    (requires_scm || legacy.mentions_scm()).then(|| {
        "setuptools-scm is installed for the build, but nothing turns it on: it sets the version only with a [tool.setuptools_scm] table in pyproject.toml (or use_scm_version=... in setup.py), so setuptools would build version 0.0.0".to_owned()
    })
}

/// Python files setup.py names: `"src/pkg/__init__.py"` literals and `os.path.join(..., "lib", "pkg",
/// "__init__.py")` sequences (also a bare `join(...)`, imported from `os.path`).
fn python_paths_in(setup: &str) -> Vec<String> {
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([\w./-]+\.py)["']"#).expect("static regex"));
    static JOIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bjoin\(([^()]*(?:\([^()]*\)[^()]*)*)\)").expect("static regex")
    });
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([\w./-]+)["']"#).expect("static regex"));
    let mut paths: Vec<String> = JOIN
        .captures_iter(setup)
        .map(|c| {
            QUOTED
                .captures_iter(&c[1])
                .map(|q| q[1].trim_matches('/').to_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|p| {
            std::path::Path::new(p)
                .extension()
                .is_some_and(|e| e == "py")
        })
        .collect();
    // A literal that is the last part of a joined path (`os.path.join("src", "pkg", "__init__.py")`) is that path.
    let joined = paths.clone();
    paths.extend(
        LITERAL
            .captures_iter(setup)
            .map(|c| c[1].trim_start_matches("./").to_owned())
            .filter(|p| p != "setup.py" && !joined.iter().any(|j| j.ends_with(&format!("/{p}")))),
    );
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.clone()));
    paths
}

fn line_at(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// setup.py read as `vcs` when it passes `use_scm_version`.
pub fn scm_keyword() -> Declared {
    vcs("setuptools-scm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scm_keyword_is_an_argument_not_a_mention() {
        let legacy = |setup: &str| Legacy {
            setup_cfg: None,
            setup_py: Some(setup.to_owned()),
        };
        assert!(legacy("setup(use_scm_version=True)").uses_scm_keyword());
        assert!(
            legacy("setup(\n    use_scm_version={\"write_to\": \"v.py\"},\n)").uses_scm_keyword()
        );
        assert!(legacy("setup(use_scm_version=scm_config())").uses_scm_keyword());
        assert!(
            !legacy("# we no longer pass use_scm_version\nsetup(version='1.0')").uses_scm_keyword()
        );
        assert!(!legacy("setup(use_scm_version=False)").uses_scm_keyword());
    }

    #[test]
    fn version_names_setup_py_reads() {
        assert_eq!(
            version_names(
                "version_re = re.compile(r'tool_version = \"(.*?)\"')\nversion = None\nif version == 1: pass\n"
            ),
            ["__version__", "version_re", "tool_version"]
        );
        assert_eq!(
            version_names("VERSION = re.search(r\"^__version__\\s*=\\s*'(.*)'\", text)"),
            ["__version__", "VERSION"]
        );
    }

    #[test]
    fn paths_setup_py_names() {
        assert_eq!(
            python_paths_in(
                "META_PATH = os.path.join(\"src\", \"attr\", \"__init__.py\")\nopen(os.path.join(here, 'pkg/version.py'))\n"
            ),
            ["src/attr/__init__.py", "pkg/version.py"]
        );
    }
}

//! Versions declared by build backends that keep them outside Python files: maturin (Cargo.toml),
//! scikit-build-core (its regex provider) and meson-python (meson.build).
//!
//! Each reader returns `Ok(None)` when its backend is not the project's, so the caller can try the next one.

use std::sync::LazyLock;

use regex::Regex;

use super::backend::Backend;
use super::discover::{CONFIGURE_HINT, found, vcs};
use super::{Declared, Source, VersionSource};
use crate::error::hinted;
use crate::toml_file::TomlFile;

/// maturin takes a dynamic version from the crate's `[package] version` (inherited from `[workspace.package]`
/// with `version.workspace = true`). Cargo's semver pre-releases (`1.0.0-alpha.1`) are valid PEP 440 spellings
/// (`1.0.0a1`), so the version gate compares them as the built wheel will name them.
pub fn maturin(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    if Backend::of(Some(py)) != Backend::Maturin {
        return Ok(None);
    }
    let manifest = py
        .get_str(&["tool", "maturin", "manifest-path"])
        .unwrap_or("Cargo.toml")
        .trim_start_matches("./")
        .to_owned();
    let Some(text) = source.read(&manifest)? else {
        return Err(hinted(
            format!(
                "cannot determine the version statically: the build backend is maturin, but {manifest} does not exist in {}",
                source.label()
            ),
            "set [tool.maturin] manifest-path to the crate's Cargo.toml, or give [project] a static version",
        ));
    };
    crate_version(source, &manifest, &TomlFile::parse(&manifest, text)?).map(Some)
}

/// A project with neither pyproject.toml nor setup.py, whose Cargo.toml builds a Python extension (a `cdylib`
/// depending on pyo3, as pyo3-pack and maturin built them): maturin takes the crate's version.
pub fn cargo_only(source: &dyn Source) -> anyhow::Result<Option<Declared>> {
    match python_crate(source)? {
        Some(cargo) => crate_version(source, "Cargo.toml", &cargo).map(Some),
        None => Ok(None),
    }
}

/// The crate's name, for a [`cargo_only`] project.
pub fn cargo_name(source: &dyn Source) -> anyhow::Result<Option<String>> {
    Ok(python_crate(source)?
        .and_then(|cargo| cargo.get_str(&["package", "name"]).map(str::to_owned)))
}

fn python_crate(source: &dyn Source) -> anyhow::Result<Option<TomlFile>> {
    let Some(text) = source.read("Cargo.toml")? else {
        return Ok(None);
    };
    let cargo = TomlFile::parse("Cargo.toml", text)?;
    let cdylib = cargo
        .get_strings(&["lib", "crate-type"])
        .iter()
        .any(|t| t == "cdylib");
    let python = cargo.get(&["dependencies", "pyo3"]).is_some()
        || cargo.get(&["package", "metadata", "maturin"]).is_some();
    Ok((cdylib && python).then_some(cargo))
}

/// The crate's `[package] version`, or its workspace's.
fn crate_version(
    source: &dyn Source,
    manifest: &str,
    cargo: &TomlFile,
) -> anyhow::Result<Declared> {
    if let Some(item) = cargo.get(&["package", "version"]) {
        if let Some(version) = item.as_str() {
            return Ok(found(
                VersionSource::Cargo,
                version,
                manifest,
                cargo.line_of(item),
            ));
        }
        let inherited = item
            .as_table_like()
            .and_then(|t| t.get("workspace"))
            .and_then(toml_edit::Item::as_bool)
            == Some(true);
        if inherited {
            return workspace_version(source, manifest);
        }
    }
    Err(hinted(
        format!(
            "cannot determine the version statically: the build backend is maturin, and {manifest} has no [package] version"
        ),
        "give the crate a version in Cargo.toml, or give [project] a static version",
    ))
}

/// `[workspace.package] version` of the nearest Cargo.toml above `manifest` that declares a workspace.
fn workspace_version(source: &dyn Source, manifest: &str) -> anyhow::Result<Declared> {
    let mut dir = parent(manifest);
    for _ in 0..8 {
        dir = format!("{dir}../");
        let path = format!("{dir}Cargo.toml");
        if let Some(text) = source.read(&path)? {
            let cargo = TomlFile::parse(&path, text)?;
            if cargo.get(&["workspace"]).is_some() {
                if let Some(item) = cargo.get(&["workspace", "package", "version"]) {
                    if let Some(version) = item.as_str() {
                        return Ok(found(
                            VersionSource::Cargo,
                            version,
                            &tidy(&path),
                            cargo.line_of(item),
                        ));
                    }
                }
                break;
            }
        }
    }
    Err(hinted(
        format!(
            "cannot determine the version statically: {manifest} inherits its version from the workspace (version.workspace = true), and no workspace Cargo.toml above it in {} has [workspace.package] version",
            source.label()
        ),
        CONFIGURE_HINT,
    ))
}

/// `crates/py/../../Cargo.toml` as `Cargo.toml`; leading `..` (above the project directory) stay.
fn tidy(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            "" | "." => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The directory part of a `/`-separated relative path, with its trailing `/` (empty for a bare file name).
fn parent(path: &str) -> String {
    path.rfind('/')
        .map_or_else(String::new, |i| path[..=i].to_owned())
}

/// scikit-build-core's `[tool.scikit-build.metadata.version]`: the regex provider reads `input` with `regex`
/// (default: a `__version__`/`VERSION` assignment); the setuptools-scm provider derives it from git.
pub fn scikit_build(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    let table = ["tool", "scikit-build", "metadata", "version"];
    let Some(provider) = py.get_str(&[table[0], table[1], table[2], table[3], "provider"]) else {
        return Ok(None);
    };
    match provider {
        "scikit_build_core.metadata.setuptools_scm" => return Ok(Some(vcs("setuptools-scm"))),
        "scikit_build_core.metadata.regex" => {}
        other => {
            return Err(hinted(
                format!(
                    "cannot determine the version statically: [tool.scikit-build.metadata.version] provider = {other:?} computes it"
                ),
                CONFIGURE_HINT,
            ));
        }
    }
    let Some(input) = py.get_str(&[table[0], table[1], table[2], table[3], "input"]) else {
        return Err(hinted(
            "cannot determine the version statically: [tool.scikit-build.metadata.version] uses the regex provider without `input`",
            "set input = \"src/pkg/__init__.py\" as scikit-build-core requires",
        ));
    };
    let text = source.read(input)?.ok_or_else(|| {
        hinted(
            format!(
                "[tool.scikit-build.metadata.version] input = {input:?}, but {input} does not exist in {}",
                source.label()
            ),
            "fix the path, relative to pyproject.toml",
        )
    })?;
    // scikit-build-core's default pattern; its named group is `value`.
    let pattern = py
        .get_str(&[table[0], table[1], table[2], table[3], "regex"])
        .unwrap_or(r#"(?i)^(__version__|VERSION)(?: ?\: ?str)? *= *(['"])v?(?P<value>.+?)['"]"#);
    let re = Regex::new(&format!("(?m){pattern}")).map_err(|e| {
        hinted(
            format!(
                "pyproject.toml: [tool.scikit-build.metadata.version] regex is not a valid regular expression: {e}"
            ),
            "fix the regex; it needs a `value` group",
        )
    })?;
    let captured = re.captures(&text).and_then(|caps| {
        let m = caps.name("value").or_else(|| caps.name("version"))?;
        Some((m.as_str().trim().to_owned(), line_at(&text, m.start())))
    });
    match captured {
        Some((version, line)) => Ok(Some(found(
            VersionSource::ScikitBuild,
            version,
            input,
            Some(line),
        ))),
        None => Err(hinted(
            format!(
                "cannot determine the version statically: {input} (from [tool.scikit-build.metadata.version]) has no line matching {pattern}"
            ),
            CONFIGURE_HINT,
        )),
    }
}

/// meson-python takes the version from meson.build's `project(..., version: '1.2.3')` (or `files('VERSION')`).
pub fn meson(source: &dyn Source, py: &TomlFile) -> anyhow::Result<Option<Declared>> {
    static PROJECT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*project\s*\(").expect("static regex"));
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bversion\s*:\s*'([^'\n]*)'").expect("static regex"));
    static FILES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bversion\s*:\s*files\s*\(\s*'([^'\n]+)'\s*\)").expect("static regex")
    });
    if backend(py) != "mesonpy" {
        return Ok(None);
    }
    let Some(text) = source.read("meson.build")? else {
        return Err(hinted(
            format!(
                "cannot determine the version statically: the build backend is meson-python, but meson.build does not exist in {}",
                source.label()
            ),
            "give [project] a static version, or add meson.build next to pyproject.toml",
        ));
    };
    let call = PROJECT
        .find(&text)
        .map(|m| (m.start(), &text[m.start()..call_end(&text, m.end())]));
    if let Some((start, call)) = call {
        if let Some(m) = LITERAL.captures(call).and_then(|c| c.get(1)) {
            return Ok(Some(found(
                VersionSource::Meson,
                m.as_str(),
                "meson.build",
                Some(line_at(&text, start + m.start())),
            )));
        }
        if let Some(m) = FILES.captures(call).and_then(|c| c.get(1)) {
            let path = m.as_str();
            if let Some(file) = source.read(path)? {
                let version = file.lines().map(str::trim).find(|l| !l.is_empty());
                if let Some(version) = version {
                    return Ok(Some(found(VersionSource::Meson, version, path, Some(1))));
                }
            }
        }
    }
    Err(hinted(
        "cannot determine the version statically: meson.build's project() does not give `version:` as a string literal or files('...') (it is computed, e.g. by run_command)",
        CONFIGURE_HINT,
    ))
}

/// The end of the parenthesised call whose `(` ends at `open_end`, skipping quoted strings.
fn call_end(text: &str, open_end: usize) -> usize {
    let mut depth = 1usize;
    let mut in_string = false;
    for (i, c) in text[open_end..].char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return open_end + i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

fn backend(py: &TomlFile) -> &str {
    py.get_str(&["build-system", "build-backend"]).unwrap_or("")
}

fn line_at(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Source;

    struct Files(Vec<(&'static str, &'static str)>);

    impl Source for Files {
        fn read(&self, rel: &str) -> anyhow::Result<Option<String>> {
            let rel = rel.trim_start_matches("./");
            // Resolve `dir/../` the way the real sources do.
            let mut parts: Vec<&str> = Vec::new();
            for part in rel.split('/') {
                match part {
                    ".." => {
                        if parts.pop().is_none() {
                            return Ok(None);
                        }
                    }
                    "" | "." => {}
                    p => parts.push(p),
                }
            }
            let path = parts.join("/");
            Ok(self
                .0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| (*t).to_owned()))
        }
        fn list(&self, _: &str) -> anyhow::Result<Option<Vec<(String, bool)>>> {
            Ok(None)
        }
        fn label(&self) -> String {
            "the test files".into()
        }
    }

    fn pyproject(text: &str) -> TomlFile {
        TomlFile::parse("pyproject.toml", text.to_owned()).unwrap()
    }

    const MATURIN: &str = "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n[project]\nname = \"x\"\ndynamic = [\"version\"]\n";

    #[test]
    fn maturin_reads_the_crate_version() {
        let files = Files(vec![(
            "Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.4.2-rc.1\"\n",
        )]);
        let d = maturin(&files, &pyproject(MATURIN)).unwrap().unwrap();
        assert_eq!(d.version.as_deref(), Some("0.4.2-rc.1"));
        assert_eq!(d.file.as_deref(), Some("Cargo.toml"));
        assert_eq!(d.line, Some(3));
        assert_eq!(d.source, VersionSource::Cargo);
    }

    #[test]
    fn maturin_follows_manifest_path_and_workspace_inheritance() {
        let py = format!("{MATURIN}[tool.maturin]\nmanifest-path = \"crates/py/Cargo.toml\"\n");
        let files = Files(vec![
            (
                "crates/py/Cargo.toml",
                "[package]\nname = \"x\"\nversion.workspace = true\n",
            ),
            ("crates/Cargo.toml", "[package]\nname = \"other\"\n"),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"2.1.0\"\n",
            ),
        ]);
        let d = maturin(&files, &pyproject(&py)).unwrap().unwrap();
        assert_eq!(d.version.as_deref(), Some("2.1.0"));
        assert_eq!(d.file.as_deref(), Some("Cargo.toml"));
        assert_eq!(tidy("../a/../Cargo.toml"), "../Cargo.toml");
        assert_eq!(d.line, Some(5));
    }

    #[test]
    fn maturin_without_a_manifest_says_what_to_do() {
        let err = maturin(&Files(vec![]), &pyproject(MATURIN)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot determine the version statically: the build backend is maturin, but Cargo.toml does not exist in the test files"
        );
    }

    #[test]
    fn scikit_build_regex_provider() {
        let py = pyproject(
            "[build-system]\nbuild-backend = \"scikit_build_core.build\"\n[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.scikit-build]\nmetadata.version.provider = \"scikit_build_core.metadata.regex\"\nmetadata.version.input = \"src/x/__init__.py\"\n",
        );
        let files = Files(vec![(
            "src/x/__init__.py",
            "\"\"\"x.\"\"\"\n\n__version__ = \"3.0.1\"\n",
        )]);
        let d = scikit_build(&files, &py).unwrap().unwrap();
        assert_eq!(
            (d.version.as_deref(), d.line, d.source),
            (Some("3.0.1"), Some(3), VersionSource::ScikitBuild)
        );
        let scm = pyproject(
            "[tool.scikit-build.metadata.version]\nprovider = \"scikit_build_core.metadata.setuptools_scm\"\n",
        );
        assert_eq!(
            scikit_build(&files, &scm).unwrap().unwrap().source,
            VersionSource::Vcs
        );
    }

    #[test]
    fn meson_project_version() {
        let py = pyproject("[build-system]\nbuild-backend = \"mesonpy\"\n");
        let files = Files(vec![(
            "meson.build",
            "# comment\nproject(\n  'mypkg',\n  'c',\n  version : '1.26.0',\n  license: 'BSD-3',\n)\nversion = '9.9.9'\n",
        )]);
        let d = meson(&files, &py).unwrap().unwrap();
        assert_eq!((d.version.as_deref(), d.line), (Some("1.26.0"), Some(5)));
        let from_file = Files(vec![
            (
                "meson.build",
                "project('p', 'c', version: files('VERSION'))\n",
            ),
            ("VERSION", "\n2.0.0\n"),
        ]);
        assert_eq!(
            meson(&from_file, &py).unwrap().unwrap().version.as_deref(),
            Some("2.0.0")
        );
        let computed = Files(vec![(
            "meson.build",
            "project('numpy', 'c', version: run_command(['numpy/_build_utils/gitversion.py'], check: true).stdout().strip())\n",
        )]);
        assert!(
            meson(&computed, &py)
                .unwrap_err()
                .to_string()
                .contains("computed")
        );
    }
}

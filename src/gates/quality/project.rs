//! What the project's own tool configuration says that relgate must honour: mypy's targets, flake8's
//! exclusions and report file, basedpyright's baseline file.

use std::path::{Path, PathBuf};

use crate::files;
use crate::python::ini::Ini;
use crate::toml_file::TomlFile;

/// Top-level directories that are not the project's package, when guessing mypy's targets.
const NOT_PACKAGES: [&str; 7] = [
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "scripts",
    "benchmarks",
];

/// mypy's targets when the project names none (`files`, `packages` or `modules` in its configuration): the
/// src layout's `src`, else the package named after the project, else the packages at the top level, else
/// `.`. Returns the targets and why they were chosen. `root` is the repository's: no file outside it is read
/// (detection has already refused those that would leave it).
pub fn mypy_targets(root: &Path, dir: &Path, name: Option<&str>) -> (Vec<String>, Option<String>) {
    if mypy_configures_targets(root, dir) {
        return (Vec::new(), None);
    }
    let why = |what: &str| {
        Some(format!(
            "mypy's configuration names no `files`: checking {what} (set [tool.mypy] files, or [tool.relgate.checks.mypy] run)"
        ))
    };
    if dir.join("src").is_dir() {
        return (vec!["src".into()], why("the src layout's src"));
    }
    if let Some(name) = name {
        let module = name.replace(['-', '.'], "_").to_ascii_lowercase();
        if dir.join(&module).join("__init__.py").is_file()
            || dir.join(format!("{module}.py")).is_file()
        {
            let target = if dir.join(&module).is_dir() {
                module.clone()
            } else {
                format!("{module}.py")
            };
            return (vec![target.clone()], why(&format!("the package {target}")));
        }
    }
    let mut packages: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join("__init__.py").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.') && !NOT_PACKAGES.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    packages.sort();
    if packages.is_empty() {
        return (vec![".".into()], why("the project directory"));
    }
    let what = format!(
        "the package{} {}",
        if packages.len() > 1 { "s" } else { "" },
        packages.join(", ")
    );
    (packages, why(&what))
}

/// Whether mypy's configuration file names what to check (`files`, `packages` or `modules`).
fn mypy_configures_targets(root: &Path, dir: &Path) -> bool {
    const KEYS: [&str; 3] = ["files", "packages", "modules"];
    let read = |name: &str| files::read_text(root, &dir.join(name)).ok().flatten();
    let names_targets = |ini: &Ini| KEYS.iter().any(|k| ini.get("mypy", k).is_some());
    for name in ["mypy.ini", ".mypy.ini"] {
        if let Some(text) = read(name) {
            return names_targets(&Ini::parse(&text));
        }
    }
    if let Some(text) = read("pyproject.toml") {
        if let Ok(file) = TomlFile::parse("pyproject.toml", text) {
            if file.get(&["tool", "mypy"]).is_some() {
                return KEYS
                    .iter()
                    .any(|k| file.get(&["tool", "mypy", k]).is_some());
            }
        }
    }
    if let Some(text) = read("setup.cfg") {
        let ini = Ini::parse(&text);
        if ini.has_section("mypy") {
            return names_targets(&ini);
        }
    }
    false
}

/// A setting of flake8's configuration (the first of setup.cfg, tox.ini and .flake8 with a `[flake8]`
/// section, as flake8 reads them), dashes or underscores.
pub fn flake8_setting(root: &Path, dir: &Path, key: &str) -> Option<String> {
    for name in ["setup.cfg", "tox.ini", ".flake8"] {
        let Ok(Some(text)) = files::read_text(root, &dir.join(name)) else {
            continue;
        };
        let ini = Ini::parse(&text);
        if !ini.has_section("flake8") {
            continue;
        }
        return ini.get("flake8", key).map(|e| e.value.clone());
    }
    None
}

/// The baseline file basedpyright reads, when it exists: `baselineFile` of `[tool.basedpyright]` or
/// pyrightconfig.json, else `.basedpyright/baseline.json`. basedpyright rewrites it whenever an error it lists
/// is gone, so relgate hands it a copy (`--baselinefile`).
pub fn basedpyright_baseline(dir: &Path) -> Option<PathBuf> {
    let read = |name: &str| files::read_text(dir, Path::new(name)).ok().flatten();
    let configured = read("pyrightconfig.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["baselineFile"].as_str().map(str::to_owned))
        .or_else(|| {
            let text = read("pyproject.toml")?;
            let file = TomlFile::parse("pyproject.toml", text).ok()?;
            file.get_str(&["tool", "basedpyright", "baselineFile"])
                .map(str::to_owned)
        });
    let path = dir.join(
        configured
            .as_deref()
            .unwrap_or(".basedpyright/baseline.json"),
    );
    path.is_file().then_some(path)
}

/// The `extend-exclude` entries of flake8's configuration.
pub fn flake8_extend_exclude(root: &Path, dir: &Path) -> Vec<String> {
    flake8_setting(root, dir, "extend-exclude")
        .map(|v| {
            v.split([',', '\n'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flake8_keeps_the_configured_extend_exclude() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".flake8"),
            "[flake8]\nextend-exclude =\n    build,\n    docs/conf.py\n",
        )
        .unwrap();
        assert_eq!(
            flake8_extend_exclude(dir.path(), dir.path()),
            ["build", "docs/conf.py"]
        );
    }

    #[test]
    fn mypy_targets_follow_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(mypy_targets(d, d, None).0, ["."]);
        std::fs::create_dir_all(d.join("my_pkg")).unwrap();
        std::fs::write(d.join("my_pkg/__init__.py"), "").unwrap();
        std::fs::create_dir_all(d.join("tests")).unwrap();
        std::fs::write(d.join("tests/__init__.py"), "").unwrap();
        assert_eq!(mypy_targets(d, d, None).0, ["my_pkg"]);
        assert_eq!(mypy_targets(d, d, Some("my-pkg")).0, ["my_pkg"]);
        std::fs::create_dir_all(d.join("src")).unwrap();
        let (targets, why) = mypy_targets(d, d, Some("my-pkg"));
        assert_eq!(targets, ["src"]);
        assert_eq!(
            why.unwrap(),
            "mypy's configuration names no `files`: checking the src layout's src (set [tool.mypy] files, or [tool.relgate.checks.mypy] run)"
        );
        std::fs::write(d.join("pyproject.toml"), "[tool.mypy]\nfiles = ['src']\n").unwrap();
        assert_eq!(mypy_targets(d, d, None), (Vec::new(), None));
        std::fs::write(d.join("mypy.ini"), "[mypy]\nstrict = True\n").unwrap();
        assert_eq!(
            mypy_targets(d, d, None).0,
            ["src"],
            "mypy.ini is read first and names no files"
        );
    }
}

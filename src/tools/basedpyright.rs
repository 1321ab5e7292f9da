//! basedpyright, pyright's fork: pyright's command, output and log (see [`super::pyright`]), its own table
//! (`[tool.basedpyright]`, besides pyrightconfig.json), and its baseline file, which it rewrites whenever an
//! error it lists is gone: relgate hands it a copy.

use std::path::{Path, PathBuf};

use super::configuration::Configuration;
use super::{Tool, pyright};
use crate::files;
use crate::outcome::Kind;
use crate::toml_file::TomlFile;

pub static TOOL: Tool = Tool {
    name: "basedpyright",
    kind: Kind::Type,
    program: "basedpyright",
    distribution: "basedpyright",
    configuration: Configuration {
        tables: &[&["tool", "basedpyright"]],
        reads: &["pyrightconfig.json"],
        ..Configuration::NONE
    },
    hook_ids: &["basedpyright"],
    hook_repos: &["https://github.com/DetachHead/basedpyright-pre-commit-mirror"],
    arguments: pyright::arguments,
    drops: pyright::DROPS,
    // Its baseline is copied (`prepare`); one the project's arguments name would be rewritten.
    reads_only: Some(&["--createstub", "--writebaseline", "--baselinefile"]),
    prepare: Some(prepare),
    parse: pyright::parse,
    log: Some(pyright::log),
    ..Tool::DEFAULT
};

/// A copy of the baseline file in the run's scratch directory (`--baselinefile COPY`).
fn prepare(project_dir: &Path, scratch: &Path) -> Vec<String> {
    let Some(baseline) = baseline(project_dir) else {
        return Vec::new();
    };
    let copy = scratch.join("baseline.json");
    if std::fs::copy(&baseline, &copy).is_err() {
        return Vec::new();
    }
    vec!["--baselinefile".into(), copy.display().to_string()]
}

/// The baseline file basedpyright reads, when it exists: `baselineFile` of `[tool.basedpyright]` or
/// pyrightconfig.json, else `.basedpyright/baseline.json`.
fn baseline(dir: &Path) -> Option<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_copied_out_of_the_tree() {
        let project = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        assert!(prepare(project.path(), scratch.path()).is_empty());
        std::fs::write(
            project.path().join("pyproject.toml"),
            "[tool.basedpyright]\nbaselineFile = 'types.json'\n",
        )
        .unwrap();
        std::fs::write(project.path().join("types.json"), "{}").unwrap();
        let copy = scratch.path().join("baseline.json");
        assert_eq!(
            prepare(project.path(), scratch.path()),
            ["--baselinefile".to_owned(), copy.display().to_string()]
        );
        assert_eq!(std::fs::read_to_string(copy).unwrap(), "{}");
    }
}

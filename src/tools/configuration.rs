//! What shows that a project uses a tool: its own configuration (tables of pyproject.toml, files, sections of
//! setup.cfg and tox.ini) and the project's layout (pytest's `conftest.py` and `tests/`). Read by detection
//! (`gates::quality`), by the publish gate (which tools the project configures) and by `relgate ci` (which
//! files' changes can change a tool's verdict).

use std::collections::HashMap;
use std::path::Path;

use super::{CATALOGUE, Tool};
use crate::files::{self, ReadError};
use crate::python::ini::Ini;
use crate::toml_file::TomlFile;

/// A tool's configuration, as the tool itself finds it.
#[derive(Debug, Clone, Copy)]
pub struct Configuration {
    /// Tables of pyproject.toml (`["tool", "ruff"]`); the first one present is the reason.
    pub tables: &'static [&'static [&'static str]],
    /// Files of its own (`mypy.ini`); a file counts when it can be read: the tool reads it too.
    pub files: &'static [&'static str],
    /// Tables inside a file of its own (`[format]` in ruff.toml).
    pub file_tables: &'static [(&'static str, &'static [&'static str])],
    /// Sections of INI files (`("setup.cfg", "flake8")`); a section ending in `.*` stands for every section
    /// that starts with what comes before the `*` (`pylint.*`).
    pub sections: &'static [(&'static str, &'static str)],
    /// Files whose presence shows it, without reading them (`conftest.py`).
    pub markers: &'static [&'static str],
    /// Directories whose presence shows it (`tests`).
    pub dirs: &'static [&'static str],
    /// Other files it reads, which show nothing by themselves (`tests/conftest.py`).
    pub reads: &'static [&'static str],
}

impl Configuration {
    pub const NONE: Configuration = Configuration {
        tables: &[],
        files: &[],
        file_tables: &[],
        sections: &[],
        markers: &[],
        dirs: &[],
        reads: &[],
    };

    /// Every file of the project whose content can change the tool's verdict, relative to the project.
    pub fn files_read(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self.files.to_vec();
        out.extend(self.file_tables.iter().map(|(file, _)| *file));
        out.extend(self.markers);
        out.extend(self.reads);
        out.dedup();
        out
    }

    /// The tables under `[tool]` of pyproject.toml it reads (`ruff` for `[tool.ruff]`).
    pub fn tool_tables(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self
            .tables
            .iter()
            .filter(|path| path.first() == Some(&"tool"))
            .filter_map(|path| path.get(1).copied())
            .collect();
        out.dedup();
        out
    }

    /// The INI sections it reads, as patterns (see [`section_matches`]).
    pub fn section_names(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self.sections.iter().map(|(_, s)| *s).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Whether an INI section is one a pattern of [`Configuration::sections`] names.
pub fn section_matches(pattern: &str, section: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => section.starts_with(prefix),
        None => section == pattern,
    }
}

/// The tools whose configuration the project in `dir` holds, each with why (`[tool.ruff] in pyproject.toml`),
/// in catalogue order. `root` is the repository's root, which no file read may leave; a file that cannot be
/// read (a link out of the repository, a FIFO, one over the size limit) is an error: what it would have shown
/// is unknown. `pyproject` is the project's pyproject.toml, already read.
pub fn configured(
    root: &Path,
    dir: &Path,
    pyproject: Option<&TomlFile>,
) -> Result<Vec<(&'static Tool, String)>, ReadError> {
    let mut project = Files {
        root,
        dir,
        texts: HashMap::new(),
    };
    let mut out = Vec::new();
    for tool in CATALOGUE {
        let c = &tool.configuration;
        let table = c
            .tables
            .iter()
            .find(|path| pyproject.is_some_and(|p| p.get(path).is_some()));
        if let Some(path) = table {
            out.push((*tool, format!("[{}] in pyproject.toml", path.join("."))));
        }
        for name in c.files {
            if project.text(name)?.is_some() {
                out.push((*tool, (*name).to_owned()));
            }
        }
        for (name, path) in c.file_tables {
            let Some(text) = project.text(name)? else {
                continue;
            };
            if TomlFile::parse(name, text).is_ok_and(|f| f.get(path).is_some()) {
                out.push((*tool, format!("[{}] in {name}", path.join("."))));
            }
        }
        for (name, pattern) in c.sections {
            let ini = Ini::parse(project.text(name)?.as_deref().unwrap_or_default());
            let found = ini.sections().iter().find(|s| section_matches(pattern, s));
            if let Some(section) = found {
                out.push((*tool, format!("[{section}] in {name}")));
            }
        }
        for name in c.markers {
            if dir.join(name).is_file() {
                out.push((*tool, (*name).to_owned()));
            }
        }
        for name in c.dirs {
            if dir.join(name).is_dir() {
                out.push((*tool, format!("a {name}/ directory")));
            }
        }
    }
    Ok(out)
}

/// The project's files, each read once.
struct Files<'a> {
    root: &'a Path,
    dir: &'a Path,
    texts: HashMap<&'static str, Option<String>>,
}

impl Files<'_> {
    fn text(&mut self, name: &'static str) -> Result<Option<String>, ReadError> {
        if let Some(text) = self.texts.get(name) {
            return Ok(text.clone());
        }
        let text = files::read_text(self.root, &self.dir.join(name))?;
        self.texts.insert(name, text.clone());
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_sections() {
        assert!(section_matches("pylint.*", "pylint.messages control"));
        assert!(!section_matches("pylint.*", "pylint"));
        assert!(section_matches("flake8", "flake8"));
        assert!(!section_matches("flake8", "flake8-x"));
    }

    #[test]
    fn every_tool_says_what_shows_it() {
        for tool in CATALOGUE {
            let c = &tool.configuration;
            assert!(
                !(c.tables.is_empty() && c.files.is_empty() && c.sections.is_empty()),
                "{}: nothing shows a project uses it",
                tool.name
            );
            for (file, _) in c.sections {
                assert!(
                    matches!(*file, "setup.cfg" | "tox.ini"),
                    "{}: {file}",
                    tool.name
                );
            }
        }
    }
}

//! The INI dialect Python's `configparser` reads, as setup.cfg, tox.ini, mypy.ini and .flake8 use it: sections,
//! `key = value` or `key: value`, values continued on indented lines, `#` and `;` comment lines. Every value
//! keeps its 1-based line, for messages that point at it.

/// One `key = value`, its value's continuation lines joined with `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub section: String,
    /// Lower-case, as configparser stores keys.
    pub key: String,
    pub value: String,
    /// The line where the value starts (the next line, for `key =` followed by an indented value).
    pub line: u32,
}

/// A parsed INI file.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    sections: Vec<String>,
    entries: Vec<Entry>,
}

impl Ini {
    /// Read `text`; lines that are none of the above are passed over, as the tools that read these files do.
    pub fn parse(text: &str) -> Ini {
        let mut ini = Ini::default();
        let mut section = String::new();
        // Whether the last entry's value is still empty: its first continuation line is where it starts.
        let mut open_entry = false;
        for (index, raw) in text.lines().enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let trimmed = raw.trim();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if raw.starts_with([' ', '\t']) && !trimmed.is_empty() {
                if let Some(last) = ini.entries.last_mut().filter(|e| e.section == section) {
                    if last.value.is_empty() {
                        if open_entry {
                            last.line = line;
                        }
                    } else {
                        last.value.push('\n');
                    }
                    last.value.push_str(trimmed);
                    open_entry = false;
                }
                continue;
            }
            if trimmed.starts_with('[') && trimmed.ends_with(']') {
                trimmed[1..trimmed.len() - 1]
                    .trim()
                    .clone_into(&mut section);
                ini.sections.push(section.clone());
                open_entry = false;
                continue;
            }
            if let Some((key, value)) = trimmed.split_once(['=', ':']) {
                let value = value.trim().to_owned();
                open_entry = value.is_empty();
                ini.entries.push(Entry {
                    section: section.clone(),
                    key: key.trim().to_ascii_lowercase(),
                    value,
                    line,
                });
            }
        }
        ini
    }

    /// Whether the file has a section named `name` (`[flake8]`, `[tool:pytest]`).
    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|s| s == name)
    }

    /// Every section's name, in file order.
    pub fn sections(&self) -> &[String] {
        &self.sections
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The first `key` of `section`, the key matched case-insensitively with `-` and `_` alike (setuptools
    /// reads `package-dir` as `package_dir`).
    pub fn get(&self, section: &str, key: &str) -> Option<&Entry> {
        let wanted = key.to_ascii_lowercase().replace('-', "_");
        self.entries
            .iter()
            .find(|e| e.section == section && e.key.replace('-', "_") == wanted)
    }
}

/// `(value, line)` of `key` in `section` of `text`.
pub fn value(text: &str, section: &str, key: &str) -> Option<(String, u32)> {
    Ini::parse(text)
        .get(section, key)
        .map(|e| (e.value.clone(), e.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_lines_and_continuations() {
        let cfg = "[metadata]\nname = pkg\nversion = attr: pkg.__version__\n\n[options]\npackage_dir =\n    =src\n";
        assert_eq!(
            value(cfg, "metadata", "version"),
            Some(("attr: pkg.__version__".into(), 3))
        );
        assert_eq!(value(cfg, "metadata", "name"), Some(("pkg".into(), 2)));
        assert_eq!(
            value(cfg, "options", "package-dir"),
            Some(("=src".into(), 7))
        );
        assert_eq!(value(cfg, "metadata", "author"), None);
    }

    #[test]
    fn sections_comments_and_multi_line_values() {
        let ini = Ini::parse(
            "# top\n[testenv:lint]\ncommands =\n    ruff check src \\\n      tests\n  ; a comment\n    mypy src\nDeps: pytest\n[ flake8 ]\nmax-line-length = 100\n",
        );
        assert!(ini.has_section("testenv:lint") && ini.has_section("flake8"));
        assert!(!ini.has_section("tox"));
        let commands = ini.get("testenv:lint", "commands").unwrap();
        assert_eq!(commands.value, "ruff check src \\\ntests\nmypy src");
        assert_eq!(commands.line, 4);
        assert_eq!(ini.get("testenv:lint", "deps").unwrap().value, "pytest");
        assert_eq!(ini.get("flake8", "max_line_length").unwrap().line, 10);
        assert_eq!(ini.entries().len(), 3);
    }
}

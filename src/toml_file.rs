//! Reading TOML files with positions, so that every error and every value can name its file and line. The text
//! is bounded in size; `toml_edit` bounds the nesting (`a = [[[[...]]]]` past 80 levels is a syntax error).

use std::ops::Range;

use toml_edit::{Document, Item};

/// The strings of an array item, its other values skipped; empty for any other item.
pub fn strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A parsed TOML document that remembers its file name for messages.
pub struct TomlFile {
    pub name: String,
    pub doc: Document<String>,
}

impl TomlFile {
    /// Parse `text`; a syntax error names `name:line:column`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "the document keeps its own copy; errors need the text"
    )]
    pub fn parse(name: &str, text: String) -> anyhow::Result<Self> {
        // Files come through `crate::files`, which bounds them; a TOML string inside one (tox's
        // `legacy_tox_ini`) is bounded by its file. This is the same bound for any other text.
        if text.len() as u64 > crate::files::MAX_BYTES {
            return Err(crate::error::hinted(
                format!(
                    "{name} is larger than relgate's limit of {} bytes",
                    crate::files::MAX_BYTES
                ),
                format!(
                    "{name} cannot be a project file of that size: check what was committed there"
                ),
            ));
        }
        match Document::parse(text.clone()) {
            Ok(doc) => Ok(TomlFile {
                name: name.to_owned(),
                doc,
            }),
            Err(err) => {
                let at = err
                    .span()
                    .map(|span| position(&text, span.start))
                    .map_or_else(String::new, |(line, col)| format!(":{line}:{col}"));
                Err(crate::error::hinted(
                    format!(
                        "{name}{at}: invalid TOML: {}",
                        err.message().trim_end().replace('\n', " ")
                    ),
                    format!(
                        "fix the TOML syntax in {name} (a TOML checker such as `taplo check` shows it too)"
                    ),
                ))
            }
        }
    }

    pub fn text(&self) -> &str {
        self.doc.raw()
    }

    /// The item at a dotted path of table keys, e.g. `["tool", "poetry", "version"]`.
    pub fn get(&self, path: &[&str]) -> Option<&Item> {
        let mut item = self.doc.as_item();
        for key in path {
            item = item.as_table_like()?.get(key)?;
        }
        Some(item)
    }

    /// The string at `path`, if it is one.
    pub fn get_str(&self, path: &[&str]) -> Option<&str> {
        self.get(path)?.as_str()
    }

    /// The strings of the array at `path` (`[build-system] requires`); empty when there is none.
    pub fn get_strings(&self, path: &[&str]) -> Vec<String> {
        self.get(path).map(strings).unwrap_or_default()
    }

    /// The 1-based line where `item` starts, when the parser kept its position.
    pub fn line_of(&self, item: &Item) -> Option<u32> {
        item.span().map(|span| position(self.text(), span.start).0)
    }

    /// `name:line` for messages, or just `name`.
    pub fn locate(&self, item: Option<&Item>) -> String {
        match item.and_then(|i| self.line_of(i)) {
            Some(line) => format!("{}:{line}", self.name),
            None => self.name.clone(),
        }
    }

    /// `name:line:column` of a byte span.
    pub fn locate_span(&self, span: Option<Range<usize>>) -> String {
        match span {
            Some(span) => {
                let (line, col) = position(self.text(), span.start);
                format!("{}:{line}:{col}", self.name)
            }
            None => self.name.clone(),
        }
    }
}

/// 1-based line and column of a byte offset.
pub fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(position("a\nbc", 0), (1, 1));
        assert_eq!(position("a\nbc", 3), (2, 2));
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = TomlFile::parse("pyproject.toml", "[project]\nname = \n".into())
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("pyproject.toml:2:"), "{err}");
    }

    #[test]
    fn finds_line_of_value() {
        let f =
            TomlFile::parse("p", "[project]\nname = \"x\"\nversion = \"1.0\"\n".into()).unwrap();
        let item = f.get(&["project", "version"]).unwrap();
        assert_eq!(f.line_of(item), Some(3));
    }
}

//! Writing a new version where the project declares it, and nothing else: every byte of the file outside the
//! version string is kept (formatting, comments, quotes, line endings).
//!
//! In TOML files (pyproject.toml, a maturin crate's Cargo.toml) `toml_edit` finds the string value relgate read
//! the version from (on the line it was declared), and only the characters between its quotes change. In other
//! files (`__version__` modules, setup.cfg, setup.py, VERSION files, meson.build) the declared line changes, and
//! the old version must appear on it exactly once, as a whole token.

use std::ops::Range;
use std::str::FromStr;

use pep440_rs::{PrereleaseKind, Version};
use toml_edit::{Document, Item, Value};

use super::{Declared, VersionSource};
use crate::error::hinted;

/// A file's new text, and the one line that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    /// 1-based.
    pub line: u32,
    pub before: String,
    pub after: String,
}

/// The version as it is written into the project's file: PEP 440's normalized form, or for a Cargo.toml the
/// `SemVer` form Cargo requires and maturin reads back as the same PEP 440 version (`1.2.0-rc.1` for `1.2.0rc1`).
pub fn written_form(declared: &Declared, new: &Version) -> anyhow::Result<String> {
    if declared.source != VersionSource::Cargo {
        return Ok(new.to_string());
    }
    let cargo = cargo_version(new).ok_or_else(|| {
        hinted(
            format!(
                "{new} cannot be written into {} as a Cargo version (MAJOR.MINOR.PATCH with an optional -alpha.N, -beta.N, -rc.N, -post.N or -dev.N)",
                declared.file.as_deref().unwrap_or("Cargo.toml")
            ),
            "release a version with three release numbers and no epoch, e.g. 1.2.0 or 1.2.0rc1",
        )
    })?;
    Ok(cargo)
}

/// `text` (the file relgate read `declared` from) with the version replaced by `new` (see [`written_form`]).
pub fn rewrite(declared: &Declared, text: &str, new: &str) -> anyhow::Result<Rewrite> {
    let file = declared.file.as_deref().unwrap_or("the version file");
    let (Some(old), Some(line)) = (declared.version.as_deref(), declared.line) else {
        return Err(hinted(
            format!("relgate does not know where in {file} the version is written"),
            "set the version by hand, commit, then run relgate release with that version",
        ));
    };
    let range = if std::path::Path::new(file)
        .extension()
        .is_some_and(|e| e == "toml")
    {
        toml_string(file, text, old, line)?
    } else {
        token_on_line(file, text, old, line)?
    };
    let mut out = String::with_capacity(text.len() + new.len());
    out.push_str(&text[..range.start]);
    out.push_str(new);
    out.push_str(&text[range.end..]);
    let line = line_number(text, range.start);
    Ok(Rewrite {
        before: line_text(text, range.start).to_owned(),
        after: line_text(&out, range.start).to_owned(),
        line,
        text: out,
    })
}

/// The byte range of the characters between the quotes of the TOML string `old` declared on `line`.
fn toml_string(file: &str, text: &str, old: &str, line: u32) -> anyhow::Result<Range<usize>> {
    let doc = Document::parse(text.to_owned())
        .map_err(|e| anyhow::anyhow!("{file} is not valid TOML: {}", e.message().trim_end()))?;
    let mut found = Vec::new();
    strings_in(doc.as_item(), &mut found);
    let span = found
        .into_iter()
        .find(|(value, span)| value == old && line_number(text, span.start) == line)
        .map(|(_, span)| span)
        .ok_or_else(|| not_found(file, old, line))?;
    let raw = &text[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let inner = span.start + quote..span.end - quote;
    if text.get(inner.clone()) != Some(old) {
        return Err(hinted(
            format!(
                "{file}:{line}: the version is written with escapes ({raw}); relgate rewrites only a plain string"
            ),
            format!(
                "write it plainly (version = \"{old}\"), commit, and run relgate release again"
            ),
        ));
    }
    Ok(inner)
}

/// Every string value in the document with its span (the quotes included).
fn strings_in(item: &Item, out: &mut Vec<(String, Range<usize>)>) {
    match item {
        Item::Table(table) => {
            for (_, child) in table {
                strings_in(child, out);
            }
        }
        Item::Value(value) => value_strings(value, out),
        Item::ArrayOfTables(_) | Item::None => {}
    }
}

fn value_strings(value: &Value, out: &mut Vec<(String, Range<usize>)>) {
    match value {
        Value::String(s) => {
            if let Some(span) = s.span() {
                out.push((s.value().clone(), span));
            }
        }
        Value::InlineTable(table) => {
            for (_, child) in table {
                value_strings(child, out);
            }
        }
        _ => {}
    }
}

/// The byte range of `old` on `line`, where it must appear exactly once as a whole token. A VERSION file may
/// hold comments before the version: when the declared line does not hold it, the one line of the file that
/// does is taken.
fn token_on_line(file: &str, text: &str, old: &str, line: u32) -> anyhow::Result<Range<usize>> {
    let lines = line_ranges(text);
    let on = |range: &Range<usize>| -> Vec<Range<usize>> {
        tokens(&text[range.clone()], old)
            .into_iter()
            .map(|r| r.start + range.start..r.end + range.start)
            .collect()
    };
    let declared = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|i| lines.get(i));
    let mut found = declared.map(on).unwrap_or_default();
    if found.is_empty() {
        let holding: Vec<Vec<Range<usize>>> =
            lines.iter().map(on).filter(|f| !f.is_empty()).collect();
        if let [only] = holding.as_slice() {
            found.clone_from(only);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(not_found(file, old, line)),
        _ => Err(hinted(
            format!(
                "{file}:{line}: {old} appears more than once on the line: relgate cannot tell which is the version"
            ),
            "set the version by hand, commit, then run relgate release with that version",
        )),
    }
}

/// Occurrences of `old` in `line` not glued to other version characters (`1.2.0` is not in `11.2.0rc1`).
fn tokens(line: &str, old: &str) -> Vec<Range<usize>> {
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
    line.match_indices(old)
        .filter(|(at, _)| {
            !glued(line[..*at].chars().next_back()) && !glued(line[at + old.len()..].chars().next())
        })
        .map(|(at, _)| at..at + old.len())
        .collect()
}

fn not_found(file: &str, old: &str, line: u32) -> anyhow::Error {
    hinted(
        format!(
            "{file}:{line}: relgate read the version {old} there but cannot find it to rewrite it"
        ),
        "set the version by hand, commit, then run relgate release with that version",
    )
}

/// The byte ranges of the lines, without their line endings.
fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices('\n') {
        let end = if text[..at].ends_with('\r') {
            at - 1
        } else {
            at
        };
        out.push(start..end);
        start = at + 1;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn line_number(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// The line around byte `offset`, without its line ending.
fn line_text(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end].trim_end_matches('\r')
}

/// The `SemVer` spelling of a PEP 440 version, when Cargo can hold it and PEP 440 reads it back unchanged.
fn cargo_version(v: &Version) -> Option<String> {
    if v.epoch() != 0 || v.is_local() {
        return None;
    }
    let mut release = v.release().to_vec();
    if release.len() > 3 {
        return None;
    }
    release.resize(3, 0);
    let mut pre: Vec<String> = Vec::new();
    if let Some(p) = v.pre() {
        let kind = match p.kind {
            PrereleaseKind::Alpha => "alpha",
            PrereleaseKind::Beta => "beta",
            PrereleaseKind::Rc => "rc",
        };
        pre.push(format!("{kind}.{}", p.number));
    }
    if let Some(n) = v.post() {
        pre.push(format!("post.{n}"));
    }
    if let Some(n) = v.dev() {
        pre.push(format!("dev.{n}"));
    }
    let mut text = format!("{}.{}.{}", release[0], release[1], release[2]);
    if !pre.is_empty() {
        text.push('-');
        text.push_str(&pre.join("."));
    }
    (Version::from_str(&text).ok()? == *v).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(source: VersionSource, file: &str, version: &str, line: u32) -> Declared {
        Declared {
            name: None,
            version: Some(version.into()),
            source,
            file: Some(file.into()),
            line: Some(line),
            vcs_tool: None,
        }
    }

    #[test]
    fn toml_keeps_every_other_byte() {
        let text = "[project]\r\nname = \"x\"  # the name\r\nversion = '1.2.0'   # bumped by relgate\r\n\r\n[tool.other]\r\nversion = \"1.2.0\"\r\n";
        let d = declared(VersionSource::Static, "pyproject.toml", "1.2.0", 3);
        let r = rewrite(&d, text, "1.3.0rc1").unwrap();
        assert_eq!(
            r.text,
            text.replacen("'1.2.0'", "'1.3.0rc1'", 1),
            "only the declared string changes"
        );
        assert_eq!(
            (r.line, r.before.as_str(), r.after.as_str()),
            (
                3,
                "version = '1.2.0'   # bumped by relgate",
                "version = '1.3.0rc1'   # bumped by relgate"
            )
        );
        let dotted = "[tool.poetry]\nname = \"x\"\nversion = \"\"\"1.0\"\"\"\n";
        let d = declared(VersionSource::Poetry, "pyproject.toml", "1.0", 3);
        assert_eq!(
            rewrite(&d, dotted, "1.1").unwrap().text,
            "[tool.poetry]\nname = \"x\"\nversion = \"\"\"1.1\"\"\"\n"
        );
        let escaped = "[project]\nversion = \"1.\\u0030\"\n";
        let d = declared(VersionSource::Static, "pyproject.toml", "1.0", 2);
        assert!(
            rewrite(&d, escaped, "1.1")
                .unwrap_err()
                .to_string()
                .contains("escapes")
        );
    }

    #[test]
    fn cargo_manifest_gets_semver() {
        let d = declared(VersionSource::Cargo, "Cargo.toml", "0.4.2-rc.1", 3);
        let new = Version::from_str("0.4.2rc2").unwrap();
        assert_eq!(written_form(&d, &new).unwrap(), "0.4.2-rc.2");
        let text = "[package]\nname = \"x\"\nversion = \"0.4.2-rc.1\"\nedition = \"2021\"\n";
        assert_eq!(
            rewrite(&d, text, "0.4.2-rc.2").unwrap().text,
            text.replace("0.4.2-rc.1", "0.4.2-rc.2")
        );
        for (pep, cargo) in [
            ("1.0", Some("1.0.0")),
            ("1.2.0a1.dev3", Some("1.2.0-alpha.1.dev.3")),
            ("1.2.0.post1", Some("1.2.0-post.1")),
            ("1.2.3.4", None),
            ("1!1.0.0", None),
        ] {
            assert_eq!(
                cargo_version(&Version::from_str(pep).unwrap()).as_deref(),
                cargo,
                "{pep}"
            );
        }
    }

    #[test]
    fn other_files_change_the_declared_line_only() {
        let text = "\"\"\"Package 1.2.0.\"\"\"\n__version__ = \"1.2.0\"\nOTHER = \"11.2.0\"\n";
        let d = declared(
            VersionSource::SetuptoolsAttr,
            "src/pkg/__init__.py",
            "1.2.0",
            2,
        );
        let r = rewrite(&d, text, "1.2.1").unwrap();
        assert_eq!(
            r.text,
            "\"\"\"Package 1.2.0.\"\"\"\n__version__ = \"1.2.1\"\nOTHER = \"11.2.0\"\n"
        );
        // A VERSION file whose first lines are comments (declared on line 1).
        let d = declared(VersionSource::SetuptoolsFile, "VERSION", "2.0", 1);
        assert_eq!(
            rewrite(&d, "# the version\n2.0\n", "2.1").unwrap().text,
            "# the version\n2.1\n"
        );
        let d = declared(VersionSource::SetupCfg, "setup.cfg", "1.0", 3);
        let err = rewrite(&d, "[metadata]\nname = x\nversion = 1.0 # 1.0\n", "1.1").unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
        let err = rewrite(&d, "[metadata]\nname = x\nversion = 1.0.1\n", "1.1").unwrap_err();
        assert!(err.to_string().contains("cannot find it"), "{err}");
    }
}

//! What the tools' parsers share: a tool's output (stderr merged into stdout, possibly cut to a head and a
//! tail) becomes structured [`Finding`]s, each tool's `parse` in its module.
//!
//! Every parser reads the machine-readable form relgate asks for (JSON lines, JSON, `JUnit` XML) and, for a
//! command the user configured with `run`, the tool's default text output. Lines a parser does not recognise
//! are ignored: the caller falls back to an excerpt of the output when a failing tool yields no finding.

use std::path::Path;

use crate::outcome::Finding;

/// What a parser knows besides the output.
pub struct Input<'a> {
    /// The tool's output, stderr merged into stdout.
    pub output: &'a str,
    /// The directory the tool ran in: paths are reported relative to it.
    pub project_dir: &'a Path,
    /// The check's kind (`lint`, `format`, ...), copied into each finding.
    pub kind: &'a str,
    /// The report file the tool wrote, when relgate asked for one and it was written (pytest's `JUnit` XML).
    pub report: Option<&'a str>,
}

/// A parser that finds nothing.
pub fn nothing(_: &Input) -> Vec<Finding> {
    Vec::new()
}

/// A path as the user would type it: relative to the project directory when inside it, without `./`.
pub fn relative(raw: &str, project_dir: &Path) -> String {
    let raw = raw.trim();
    let path = Path::new(raw);
    if path.is_absolute() {
        let canonical = project_dir.canonicalize().ok();
        for dir in std::iter::once(project_dir).chain(canonical.as_deref()) {
            if let Ok(rest) = path.strip_prefix(dir) {
                return rest.to_string_lossy().into_owned();
            }
        }
        return raw.to_owned();
    }
    let mut rel = raw;
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    rel.to_owned()
}

/// The last lines of an output worth showing when no finding could be read: blank lines and the capture's
/// elision marker kept, at most `max_lines` lines of at most 300 characters.
pub fn excerpt(output: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let start = lines.len().saturating_sub(max_lines);
    lines[start..]
        .iter()
        .map(|l| clip(l, 300))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// JSON objects found one per line (JSON lines), ignoring every other line: warnings a tool prints on stderr,
/// and the lines the bounded capture cut in half.
pub fn json_lines(output: &str) -> impl Iterator<Item = serde_json::Value> + '_ {
    output.lines().filter_map(|line| {
        let line = line.trim();
        if !(line.starts_with('{') && line.ends_with('}')) {
            return None;
        }
        serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .filter(serde_json::Value::is_object)
    })
}

/// The one JSON document in an output that may carry other lines before or after it (a warning, a
/// deprecation notice): from the first line that opens an object to the last closing brace.
pub fn json_document(output: &str) -> Option<serde_json::Value> {
    let start = output
        .match_indices('{')
        .map(|(i, _)| i)
        .find(|&i| i == 0 || output[..i].ends_with('\n'))?;
    let end = output.rfind('}')?;
    if end < start {
        return None;
    }
    serde_json::from_str(&output[start..=end]).ok()
}

pub fn finding(kind: &str, severity: &str, message: impl Into<String>) -> Finding {
    Finding {
        kind: kind.to_owned(),
        severity: severity.into(),
        message: message.into(),
        ..Finding::default()
    }
}

/// A message written over several lines (pyright's explanation of a mismatch, a pytest assertion) as one
/// line: findings are one line each.
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn number(value: &serde_json::Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// What the parsers' tests share: an input as the quality gate hands it over, and findings one per line.
#[cfg(test)]
pub mod testing {
    use std::path::Path;

    use super::Input;
    use crate::outcome::Finding;

    /// `output` of a check of `kind` that ran in the project `/tmp/relgate-capture`.
    pub fn input<'a>(output: &'a str, kind: &'a str) -> Input<'a> {
        Input {
            output,
            project_dir: Path::new("/tmp/relgate-capture"),
            kind,
            report: None,
        }
    }

    /// `path:line:col severity code message`, with `-` and `0` for what a finding lacks.
    pub fn located(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {} {} {}",
                    f.file.as_deref().unwrap_or("-"),
                    f.line.unwrap_or(0),
                    f.column.unwrap_or(0),
                    f.severity,
                    f.code.as_deref().unwrap_or("-"),
                    f.message
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_project() {
        let dir = Path::new("/work/proj");
        assert_eq!(relative("/work/proj/src/x.py", dir), "src/x.py");
        assert_eq!(relative("./src/x.py", dir), "src/x.py");
        assert_eq!(relative("src/x.py", dir), "src/x.py");
        assert_eq!(relative("/usr/lib/x.py", dir), "/usr/lib/x.py");
    }

    #[test]
    fn excerpt_keeps_the_last_lines() {
        assert_eq!(excerpt("a\n\nb\nc\n", 2), "b\nc");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn json_document_among_other_lines() {
        let doc = json_document("warning: x\n{\n  \"a\": {\"b\": 1}\n}\ntrailer\n").unwrap();
        assert_eq!(doc["a"]["b"], 1);
        assert!(json_document("no json here").is_none());
    }
}

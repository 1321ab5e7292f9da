//! A tool's failure as a CI log shows it: each tool's `log` reads the kept lines of a failed step and says where
//! its own report is and what it says (`forensics` weighs it against everything else in the step). The shapes
//! several tools share are here: a linter's finding lines and summary, a type checker's first error and
//! count, a formatter's files.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// The lines of a failed step's output, as kept.
pub trait Log {
    fn len(&self) -> usize;
    /// Line `i`; empty past the end.
    fn text(&self, i: usize) -> &str;
}

/// A log of lines given one by one, for tests.
#[cfg(test)]
impl Log for Vec<&str> {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }

    fn text(&self, i: usize) -> &str {
        self.get(i).copied().unwrap_or("")
    }
}

/// A tool's report of its failure in a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The line it starts at.
    pub at: usize,
    /// The telling words: the summary and the first finding.
    pub message: String,
    pub seen: Seen,
}

/// What the advice needs beyond the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Nothing,
    /// The first failed test's node id (`tests/test_x.py::test_y`).
    Test(String),
    /// The files a formatter would change, as the log names them.
    Reformat(Vec<String>),
}

/// `Found 2 errors in 1 file (checked 3 source files). First: src/x.py:3: error: ...`
pub fn first_of(summary: &str, finding: &str) -> String {
    let summary = summary.trim();
    let stop = if summary.ends_with('.') { "" } else { "." };
    format!("{summary}{stop} First: {}", finding.trim())
}

pub fn caps<'t>(re: &LazyLock<Option<Regex>>, text: &'t str) -> Option<Captures<'t>> {
    re.as_ref()?.captures(text)
}

pub fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(text))
}

/// `src/x.py:1:8: F401 ...`: what flake8 and ruff's concise output (and its `::error` annotations) print.
static CODE_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^((?:[A-Za-z]:)?[^\s:][^:]*\.(?:py|pyi|ipynb)):(\d+):(\d+): ([A-Z]{1,4}\d{1,4}) (.+)$",
    )
    .ok()
});

/// A `path:line:col: CODE message` line, as the report shows it.
pub fn code_line(text: &str) -> Option<String> {
    caps(&CODE_LINE, text).map(|c| format!("{}:{}:{}: {} {}", &c[1], &c[2], &c[3], &c[4], &c[5]))
}

/// A linter's report: its summary (`Found 3 errors.`) and first finding, else the first finding and how many
/// more. `finding` reads the finding that starts at a line (it may look at the next one); `summary` knows the
/// summary line.
pub fn findings(
    log: &dyn Log,
    finding: impl Fn(&dyn Log, usize) -> Option<String>,
    summary: impl Fn(&str) -> bool,
) -> Option<Sighting> {
    let mut first: Option<(usize, String)> = None;
    let mut summary_at: Option<usize> = None;
    let mut count = 0usize;
    for i in 0..log.len() {
        if summary(log.text(i).trim_end()) {
            summary_at.get_or_insert(i);
            continue;
        }
        if let Some(found) = finding(log, i) {
            count += 1;
            first.get_or_insert((i, found));
        }
    }
    let message = match (&first, summary_at) {
        (Some((_, f)), Some(s)) => first_of(log.text(s), f),
        (Some((_, f)), None) if count == 2 => format!("{f} (and 1 more finding)"),
        (Some((_, f)), None) if count > 2 => format!("{f} (and {} more findings)", count - 1),
        (Some((_, f)), None) => f.clone(),
        (None, Some(s)) => log.text(s).trim().to_string(),
        (None, None) => return None,
    };
    Some(Sighting {
        at: first.map_or(summary_at.unwrap_or(0), |(i, _)| i),
        message,
        seen: Seen::Nothing,
    })
}

/// A type checker's report: its count (`Found 2 errors in 1 file`) and first error, at the lines given.
pub fn first_error(
    log: &dyn Log,
    first: Option<usize>,
    summary: Option<usize>,
) -> Option<Sighting> {
    let message = match (first, summary) {
        (Some(f), Some(s)) => first_of(log.text(s), log.text(f)),
        (Some(f), None) => log.text(f).trim().to_string(),
        (None, Some(s)) => log.text(s).trim().to_string(),
        (None, None) => return None,
    };
    Some(Sighting {
        at: first.or(summary).unwrap_or(0),
        message,
        seen: Seen::Nothing,
    })
}

/// A formatter's report: the files it would change (the first at line `first`) and its count line (`1 file
/// would be reformatted`). A line that says it all (isort's `ERROR: ...`) is the message itself.
pub fn reformat(
    log: &dyn Log,
    files: Vec<String>,
    first: Option<usize>,
    count: Option<usize>,
) -> Option<Sighting> {
    let at = first.or(count)?;
    let head = if log.text(at).starts_with("ERROR: ") {
        log.text(at).trim().to_string()
    } else if let Some(file) = files.first() {
        format!("Would reformat: {file}")
    } else {
        String::new()
    };
    let message = match (head.is_empty(), count) {
        (false, Some(c)) => format!("{head} ({})", log.text(c).trim()),
        (false, None) => head,
        (true, Some(c)) => log.text(c).trim().to_string(),
        (true, None) => return None,
    };
    Some(Sighting {
        at,
        message,
        seen: Seen::Reformat(files),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linters_report_their_summary_or_how_many_more() {
        let lines = vec![
            "a.py:1:1: F401 'os' imported but unused",
            "b.py:2:1: E501 line too long",
            "Found 2 errors.",
        ];
        let code = |log: &dyn Log, i: usize| code_line(log.text(i));
        let found = findings(&lines, code, |_| false).unwrap();
        assert_eq!(
            (found.at, found.message.as_str()),
            (
                0,
                "a.py:1:1: F401 'os' imported but unused (and 1 more finding)"
            )
        );
        let found = findings(&lines, code, |t| t.starts_with("Found ")).unwrap();
        assert_eq!(
            found.message,
            "Found 2 errors. First: a.py:1:1: F401 'os' imported but unused"
        );
    }
}

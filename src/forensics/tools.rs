//! The Python tools' own reports of a failure: pytest and unittest, mypy and pyright, ruff, flake8 and pylint,
//! ruff format, black and isort (and pre-commit hooks that rewrote files), build frontends and backends.

use std::sync::LazyLock;

use regex::Regex;

use super::Category;
use super::evidence::{
    Detail, Evidence, Lines, PRE_COMMIT_HOOK, caps, first_of, matches, relative_to_workspace, tool,
};

/// Every tool failure in the lines.
pub fn scan(lines: &Lines, out: &mut Vec<Evidence>) {
    pytest(lines, out);
    unittest(lines, out);
    mypy(lines, out);
    pyright(lines, out);
    linters(lines, out);
    formatters(lines, out);
    build(lines, out);
}

/// `=== 1 failed, 2 passed in 0.05s ===`
static PYTEST_COUNTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^=*\s*((?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|warnings?|deselected|rerun|subtests? \w+)(?:, )?)+) in [\d.]+s\b",
    ).ok()
});

/// pytest: the first `FAILED`/`ERROR` line of the short test summary (or of the run, under `-rN`), and the
/// counts line; a collection error; no test collected.
fn pytest(lines: &Lines, out: &mut Vec<Evidence>) {
    let mut counts = None;
    let mut first: Option<(usize, String)> = None;
    let mut summary_at = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if text.contains(" short test summary info ") {
            summary_at = Some(i);
            continue;
        }
        if let Some(c) = caps(&PYTEST_COUNTS, text) {
            if c[1].contains("failed") || c[1].contains("error") {
                counts = Some((i, c[1].to_string()));
            }
            continue;
        }
        let outcome = text.starts_with("FAILED ") || text.starts_with("ERROR ");
        if first.is_none() && outcome && (summary_at.is_some() || text.contains("::")) {
            first = Some((i, text.to_string()));
        }
        if first.is_none()
            && text.starts_with("Interrupted: ")
            && text.contains("during collection")
        {
            first = Some((i, text.trim_matches('!').trim().to_string()));
        }
    }
    match (first, counts) {
        (Some((at, mut line)), counts) => {
            if line.starts_with("ERROR ") && !line.contains(" - ") {
                // A collection error's summary line names the file only; its `E   ` line says why.
                let why = (0..at)
                    .rev()
                    .map(|i| lines.text(i))
                    .find_map(|t| t.strip_prefix("E   "))
                    .map(str::trim);
                if let Some(why) = why {
                    line = format!("{line} - {why}");
                }
            }
            let node = line
                .split_once(' ')
                .map(|(_, rest)| rest.split(" - ").next().unwrap_or(rest).trim().to_string())
                .unwrap_or_default();
            let message = match counts {
                Some((_, c)) => format!("{line} ({c})"),
                None => line,
            };
            let detail = if node.contains("::") {
                Detail::Test(node)
            } else {
                Detail::None
            };
            out.push(tool(Category::Test, at, message, detail));
        }
        (None, Some((at, c))) => out.push(tool(Category::Test, at, c, Detail::None)),
        (None, None) => {
            for i in 0..lines.len() {
                let text = lines.text(i).trim_matches(['=', ' ']);
                if text.starts_with("no tests ran in ") {
                    out.push(tool(
                        Category::Test,
                        i,
                        "no tests ran: pytest collected nothing (exit code 5)".into(),
                        Detail::None,
                    ));
                    return;
                }
            }
        }
    }
}

/// unittest: `FAIL: test_x (tests.test_mod.T.test_x)` and `FAILED (failures=1)`.
fn unittest(lines: &Lines, out: &mut Vec<Evidence>) {
    let verdict = (0..lines.len()).find(|&i| {
        let t = lines.text(i).trim();
        t.starts_with("FAILED (failures=") || t.starts_with("FAILED (errors=")
    });
    let Some(verdict) = verdict else { return };
    let first = (0..verdict).find(|&i| {
        let t = lines.text(i);
        (t.starts_with("FAIL: ") || t.starts_with("ERROR: ")) && t.ends_with(')')
    });
    let counts = lines.text(verdict).trim();
    let (at, message) = match first {
        Some(i) => (i, format!("{} {counts}", lines.text(i).trim())),
        None => (verdict, counts.to_string()),
    };
    out.push(tool(Category::Test, at, message, Detail::None));
}

static MYPY_FINDING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^((?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(\d+):(?:\d+:)? error: (.+)$").ok()
});
static MYPY_SUMMARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^Found (\d+) errors? in (\d+) files? \(checked (\d+) source files?\)").ok()
});

/// mypy: `Found 2 errors in 1 file (checked 3 source files)` and the first `path:line: error: ...`.
fn mypy(lines: &Lines, out: &mut Vec<Evidence>) {
    let first = (0..lines.len()).find(|&i| matches(&MYPY_FINDING, lines.text(i).trim_end()));
    let summary = (0..lines.len()).find(|&i| matches(&MYPY_SUMMARY, lines.text(i).trim()));
    let message = match (first, summary) {
        (Some(f), Some(s)) => first_of(lines.text(s), lines.text(f)),
        (Some(f), None) => lines.text(f).trim().to_string(),
        (None, Some(s)) => lines.text(s).trim().to_string(),
        (None, None) => return,
    };
    let at = first.or(summary).unwrap_or(0);
    out.push(tool(Category::Type, at, message, Detail::None));
}

static PYRIGHT_FINDING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(.+?\.pyi?):(\d+):(\d+) - error: (.+)$").ok());
static PYRIGHT_SUMMARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(\d+) errors?, \d+ warnings?, \d+ (?:informations?|notes?)\s*$").ok()
});

/// pyright and basedpyright: `/path/x.py:3:12 - error: ...` and `2 errors, 0 warnings, 0 informations`.
fn pyright(lines: &Lines, out: &mut Vec<Evidence>) {
    let first = (0..lines.len()).find(|&i| matches(&PYRIGHT_FINDING, lines.text(i)));
    let summary = (0..lines.len())
        .find(|&i| caps(&PYRIGHT_SUMMARY, lines.text(i).trim()).is_some_and(|c| &c[1] != "0"));
    let message = match (first, summary) {
        (Some(f), Some(s)) => first_of(lines.text(s), lines.text(f)),
        (Some(f), None) => lines.text(f).trim().to_string(),
        (None, Some(s)) => lines.text(s).trim().to_string(),
        (None, None) => return,
    };
    out.push(tool(
        Category::Type,
        first.or(summary).unwrap_or(0),
        message,
        Detail::None,
    ));
}

/// `src/x.py:1:8: F401 ...` (ruff concise, flake8, and ruff's `::error` annotations).
static LINT_FINDING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^((?:[A-Za-z]:)?[^\s:][^:]*\.(?:py|pyi|ipynb)):(\d+):(\d+): ([A-Z]{1,4}\d{1,4}) (.+)$",
    )
    .ok()
});
/// ruff's full format: `F401 [*] `os` imported but unused`, then ` --> src/x.py:1:8`.
static RUFF_FULL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([A-Z]{1,4}\d{1,4}) (?:\[\*\] )?(.+)$").ok());
static RUFF_ARROW: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*--> (.+:\d+:\d+)\s*$").ok());
static RUFF_SUMMARY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^Found (\d+) errors?(?: \(.*\))?\.$").ok());
/// pylint: `src/x.py:1:0: C0114: Missing module docstring (missing-module-docstring)`.
static PYLINT_FINDING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([^\s:][^:]*\.py):(\d+):(\d+): ([CRWEF]\d{4}): (.+)$").ok());

/// ruff check, flake8, pylint: the summary (`Found 3 errors.`) and the first finding.
fn linters(lines: &Lines, out: &mut Vec<Evidence>) {
    let mut first: Option<(usize, String)> = None;
    let mut summary: Option<usize> = None;
    let mut count = 0usize;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if matches(&RUFF_SUMMARY, text) {
            summary.get_or_insert(i);
            continue;
        }
        if let Some(c) = caps(&LINT_FINDING, text).or_else(|| caps(&PYLINT_FINDING, text)) {
            count += 1;
            first.get_or_insert((
                i,
                format!("{}:{}:{}: {} {}", &c[1], &c[2], &c[3], &c[4], &c[5]),
            ));
            continue;
        }
        if let Some(c) = caps(&RUFF_FULL, text) {
            if let Some(arrow) = caps(&RUFF_ARROW, lines.text(i + 1)) {
                count += 1;
                let message = c[2].trim_start_matches("[*] ");
                first.get_or_insert((i, format!("{}: {} {message}", &arrow[1], &c[1])));
            }
        }
    }
    let message = match (&first, summary) {
        (Some((_, f)), Some(s)) => first_of(lines.text(s), f),
        (Some((_, f)), None) if count == 2 => format!("{f} (and 1 more finding)"),
        (Some((_, f)), None) if count > 2 => format!("{f} (and {} more findings)", count - 1),
        (Some((_, f)), None) => f.clone(),
        (None, Some(s)) => lines.text(s).trim().to_string(),
        (None, None) => return,
    };
    let at = first.map_or(summary.unwrap_or(0), |(i, _)| i);
    out.push(tool(Category::Lint, at, message, Detail::None));
}

static WOULD_REFORMAT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(?:Would reformat: |would reformat )(.+)$").ok());
static REFORMAT_COUNT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\d+ files? would be reformatted\b.*$").ok());
static ISORT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^ERROR: (.+?) Imports are incorrectly sorted and/or formatted\.?$").ok()
});

/// ruff format --check, black --check, isort --check-only, pre-commit hooks that changed files.
fn formatters(lines: &Lines, out: &mut Vec<Evidence>) {
    let mut files = Vec::new();
    let mut first = None;
    let mut count = None;
    for i in 0..lines.len() {
        let text = lines.text(i).trim_end();
        if let Some(c) = caps(&WOULD_REFORMAT, text) {
            files.push(relative_to_workspace(c[1].trim()));
            first.get_or_insert(i);
        } else if text == "unformatted: File would be reformatted" {
            // ruff >= 0.15: the file is on the next line, ` --> tests/x.py:3:1`.
            if let Some(c) = caps(&RUFF_ARROW, lines.text(i + 1)) {
                let file = c[1].rsplitn(3, ':').last().unwrap_or(&c[1]).to_string();
                files.push(file);
            }
            first.get_or_insert(i);
        } else if let Some(c) = caps(&ISORT, text) {
            files.push(relative_to_workspace(&c[1]));
            first.get_or_insert(i);
        } else if matches(&REFORMAT_COUNT, text) {
            count.get_or_insert(i);
        }
    }
    let Some(at) = first.or(count) else {
        if let Some(found) = hook_modified_files(lines) {
            out.push(found);
        }
        return;
    };
    let head = if lines.text(at).starts_with("ERROR: ") {
        lines.text(at).trim().to_string()
    } else if let Some(file) = files.first() {
        format!("Would reformat: {file}")
    } else {
        String::new()
    };
    let message = match (head.is_empty(), count) {
        (false, Some(c)) => format!("{head} ({})", lines.text(c).trim()),
        (false, None) => head,
        (true, Some(c)) => lines.text(c).trim().to_string(),
        (true, None) => return,
    };
    out.push(tool(Category::Format, at, message, Detail::Reformat(files)));
}

/// A pre-commit hook that rewrote files (a formatter, `end-of-file-fixer`...): formatting, whichever the hook.
fn hook_modified_files(lines: &Lines) -> Option<Evidence> {
    let at =
        (0..lines.len()).find(|&i| lines.text(i).trim() == "- files were modified by this hook")?;
    let hook = (at.saturating_sub(3)..at)
        .find_map(|i| caps(&PRE_COMMIT_HOOK, lines.text(i).trim()).map(|c| c[1].to_string()));
    // The hook's own words follow: `1 file reformatted, 2 files left unchanged`.
    let said = (at + 1..lines.len().min(at + 6))
        .map(|i| lines.text(i).trim())
        .find(|t| !t.is_empty() && !t.starts_with("- "))
        .filter(|t| !t.starts_with("pre-commit hook(s) made changes"));
    let who = hook.map_or_else(
        || "a pre-commit hook".to_string(),
        |h| format!("pre-commit hook {h}"),
    );
    let message = match said {
        Some(said) => format!("{who} modified files: {said}"),
        None => format!("{who} modified files"),
    };
    Some(tool(Category::Format, at, message, Detail::None))
}

static EXCEPTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception): .+$").ok()
});

/// Build frontends and backends: pypa/build, pip, uv, setuptools-scm, maturin.
fn build(lines: &Lines, out: &mut Vec<Evidence>) {
    const FAILED: [&str; 10] = [
        "ERROR Backend subprocess exited when trying to invoke",
        "Failed to build `",
        "error: Failed to build",
        "Getting requirements to build wheel did not run successfully",
        "Preparing metadata (pyproject.toml) did not run successfully",
        "ERROR: Failed building wheel for",
        "ERROR: Could not build wheels for",
        "ERROR Missing dependencies:",
        "setuptools-scm was unable to detect version",
        "maturin failed",
    ];
    let Some(at) =
        (0..lines.len()).find(|&i| FAILED.iter().any(|needle| lines.text(i).contains(needle)))
    else {
        return;
    };
    let line = lines
        .text(at)
        .trim()
        .trim_start_matches(['×', 'x', ' '])
        .to_string();
    // The backend's own exception says more than the frontend's summary.
    let exception = (at.saturating_sub(80)..lines.len().min(at + 30))
        .rev()
        .find(|&i| matches(&EXCEPTION, lines.text(i)))
        .map(|i| lines.text(i).trim().to_string());
    let message = match exception {
        Some(e) if !line.contains(&e) => format!("{e} ({line})"),
        _ => line,
    };
    out.push(tool(Category::Build, at, message, Detail::None));
}

//! The Python tools' own reports of a failure: the catalogue's tools, each read by its own `log` (ruff and ruff
//! format, black, isort, flake8, pylint, mypy, pyright, pytest...), and those relgate does not run: unittest,
//! pre-commit hooks that rewrote files, build frontends and backends.

use std::sync::LazyLock;

use regex::Regex;

use super::Category;
use super::evidence::{
    Detail, Evidence, Lines, PRE_COMMIT_HOOK, TOOL, caps, matches, relative_to_workspace, tool,
};
use crate::outcome::Kind;
use crate::tools::CATALOGUE;
use crate::tools::log::Seen;

/// Every tool failure in the lines.
pub fn scan(lines: &Lines, out: &mut Vec<Evidence>) {
    for catalogued in CATALOGUE {
        let Some(sighting) = catalogued.log.and_then(|read| read(lines)) else {
            continue;
        };
        let detail = match sighting.seen {
            Seen::Nothing => Detail::None,
            Seen::Test(node) => Detail::Test(node),
            Seen::Reformat(files) => Detail::Reformat(
                files
                    .iter()
                    .map(|f| relative_to_workspace(f.trim()))
                    .collect(),
            ),
        };
        out.push(Evidence {
            tool: Some(*catalogued),
            ..tool(
                category(catalogued.kind).unwrap_or(Category::Other),
                sighting.at,
                sighting.message,
                detail,
            )
        });
    }
    unittest(lines, out);
    let formatted = out
        .iter()
        .any(|e| e.category == Category::Format && e.strength == TOOL);
    if !formatted {
        if let Some(found) = hook_modified_files(lines) {
            out.push(found);
        }
    }
    build(lines, out);
}

/// The category of a tool's kind of check.
pub fn category(kind: Kind) -> Option<Category> {
    Some(match kind {
        Kind::Lint => Category::Lint,
        Kind::Format => Category::Format,
        Kind::Type => Category::Type,
        Kind::Test => Category::Test,
        Kind::Build => Category::Build,
        Kind::Version | Kind::Index | Kind::Publish => return None,
    })
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

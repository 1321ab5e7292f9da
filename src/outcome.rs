//! What a check returns: the shared vocabulary between the gates, the runner and the report.
//!
//! Every gate produces [`CheckResult`]s; a failing gate is a result, never an `Err`, so that every gate runs
//! and the report alone decides the exit status.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The family a check belongs to; `--only KIND,...` selects on it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Version,
    Lint,
    Format,
    Type,
    Test,
    Index,
    Publish,
    Build,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Version,
        Kind::Lint,
        Kind::Format,
        Kind::Type,
        Kind::Test,
        Kind::Index,
        Kind::Publish,
        Kind::Build,
    ];

    /// The kinds of the project's own checks: linters, formatters, type checkers, tests.
    pub const QUALITY: [Kind; 4] = [Kind::Lint, Kind::Format, Kind::Type, Kind::Test];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Version => "version",
            Kind::Lint => "lint",
            Kind::Format => "format",
            Kind::Type => "type",
            Kind::Test => "test",
            Kind::Index => "index",
            Kind::Publish => "publish",
            Kind::Build => "build",
        }
    }
}

/// `Error` means the check could not give a verdict (missing tool, timeout, unreachable index): it is never a
/// pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }
}

/// How bad a finding is, as the tool says (pyright's `information` is a note). A severity a tool names that
/// relgate does not know counts as an error: a finding is never silently taken for a warning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A tool's word for it: `error`, `warning`/`warn`, `note`/`info`/`information`, in any case.
impl From<&str> for Severity {
    fn from(word: &str) -> Severity {
        match word.to_ascii_lowercase().as_str() {
            "warning" | "warn" => Severity::Warning,
            "note" | "info" | "information" => Severity::Note,
            _ => Severity::Error,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One structured finding from a tool's output (the seed's `QualityIssue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The check kind the finding belongs to (`lint`, `type`, ...), as in the report.
    pub kind: String,
    pub severity: Severity,
    pub code: Option<String>,
    pub message: String,
    pub fix_suggestion: Option<String>,
}

/// The verdict of one check. Deserialized from the record of passes (`cache`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub kind: Kind,
    pub status: Status,
    pub duration_ms: u64,
    /// One line: why it passed or failed, and what to do about a failure.
    pub message: String,
    pub command: Option<Vec<String>>,
    pub exit_code: Option<i32>,
    pub issues: Vec<Finding>,
    /// A failed optional check warns but does not fail the gate.
    pub required: bool,
    /// Why the check runs (detection reason, configuration), shown by `relgate checks` and in JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Lines shown under the check in the human report (an output excerpt, a hint); also in JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// True when the verdict was taken from the record of passes instead of running the check again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
}

impl CheckResult {
    pub fn new(
        name: impl Into<String>,
        kind: Kind,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        CheckResult {
            name: name.into(),
            kind,
            status,
            duration_ms: 0,
            message: message.into(),
            command: None,
            exit_code: None,
            issues: Vec::new(),
            required: true,
            reason: None,
            details: Vec::new(),
            cached: false,
        }
    }

    pub fn pass(name: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(name, kind, Status::Pass, message)
    }

    pub fn fail(name: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(name, kind, Status::Fail, message)
    }

    pub fn error(name: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(name, kind, Status::Error, message)
    }

    pub fn skipped(name: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(name, kind, Status::Skipped, message)
    }

    #[must_use]
    pub fn took(mut self, elapsed: Duration) -> Self {
        self.duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        self
    }

    #[must_use]
    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Whether this result makes the whole gate fail: a required check that failed or could not run.
    pub fn blocks(&self) -> bool {
        self.required && matches!(self.status, Status::Fail | Status::Error)
    }
}

/// The verdict of a whole run: `error` when nothing failed but a required check could not give a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Error,
}

impl Verdict {
    /// The verdict of these results: the report's `status`.
    pub fn of(checks: &[CheckResult]) -> Verdict {
        let mut blocking = checks.iter().filter(|c| c.blocks()).peekable();
        if blocking.peek().is_none() {
            Verdict::Pass
        } else if blocking.any(|c| c.status == Status::Fail) {
            Verdict::Fail
        } else {
            Verdict::Error
        }
    }
}

/// What the version checks concluded, in the report's `version_validation` (schema in README.md).
#[derive(Debug, Clone, Serialize, Default)]
pub struct VersionValidation {
    pub is_synchronized: bool,
    pub git_version: Option<String>,
    pub package_version: Option<String>,
    pub error_message: Option<String>,
    pub pypi_conflict: bool,
    pub recommended_action: Option<String>,
}

/// What a command concluded; errors (exit 2) travel separately as `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Pass,
    Fail,
    /// No verdict could be given, and the command has said why (`relgate publish auth`: exit 2 without an
    /// error of its own).
    Unknown,
}

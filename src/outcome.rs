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

/// One structured finding from a tool's output (the seed's `QualityIssue`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The check kind the finding belongs to (`lint`, `type`, ...), as in the report.
    pub kind: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
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

//! The report of a gate run: the JSON document and its human rendering, and the exit status they imply.

use serde::Serialize;

use crate::Exit;
use crate::outcome::{CheckResult, Status};

/// The `relgate check` JSON document (schema in README.md).
#[derive(Debug, Serialize)]
pub struct Report {
    pub relgate_version: &'static str,
    pub status: &'static str,
    pub project: ProjectInfo,
    pub tag: Option<TagInfo>,
    pub workspace: WorkspaceInfo,
    pub checks: Vec<CheckResult>,
    pub version_validation: VersionValidation,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ProjectInfo {
    pub name: Option<String>,
    pub version: Option<String>,
    pub version_source: Option<&'static str>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagInfo {
    pub name: String,
    pub version: Option<String>,
    pub commit: String,
}

/// Where the file-based checks ran: `in-place`, `export` (an isolated export of the tag) or `refused`.
#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceInfo {
    pub mode: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VersionValidation {
    pub is_synchronized: bool,
    pub git_version: Option<String>,
    pub package_version: Option<String>,
    pub error_message: Option<String>,
    pub pypi_conflict: bool,
    pub recommended_action: Option<String>,
}

impl Report {
    /// The overall verdict: `error` only when nothing failed but something could not give a verdict.
    pub fn finish(mut self) -> Self {
        let blocking: Vec<&CheckResult> = self.checks.iter().filter(|c| c.blocks()).collect();
        self.status = if blocking.is_empty() {
            "pass"
        } else if blocking.iter().any(|c| c.status == Status::Fail) {
            "fail"
        } else {
            "error"
        };
        self
    }

    pub fn exit(&self) -> Exit {
        if self.status == "pass" { Exit::Pass } else { Exit::Fail }
    }
}

//! Errors that stop relgate from running (exit 2), with the hint that tells the user what to do next.
//!
//! A failing gate is not an error: it is a [`crate::outcome::CheckResult`]. Errors are for usage and
//! configuration problems, and for a repository relgate cannot read.

use std::fmt;

/// An error whose message is complete for the user, with the exact command or setting that fixes it.
#[derive(Debug)]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}

/// Build an error carrying a hint; `main` prints the hint on its own `hint:` line.
pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        message: message.into(),
        hint: hint.into(),
    })
}

/// The first hint anywhere in the error's chain.
pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Hinted>())
        .map(|h| h.hint.as_str())
}

/// Relgate was interrupted (Ctrl-C, SIGTERM): exit 130 after the children are stopped.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

//! The gates: each owns one question about the release and answers with [`CheckResult`]s.
//!
//! Gates never print and never exit; the report decides what a set of results means. [`registry`] lists
//! relgate's own checks, [`plan`] decides which of them (and of the project's tools and custom checks) a run
//! does, with their settings applied.
//!
//! [`CheckResult`]: crate::outcome::CheckResult

pub mod build;
pub mod custom;
pub mod github;
pub mod index;
pub mod metadata;
pub mod plan;
pub mod publish;
pub mod quality;
pub mod registry;
mod selection;
mod spdx;
mod succession;
pub mod version;
pub mod version_tags;
mod workspace;

use std::path::Path;

use pep440_rs::Version;

pub use self::selection::Selection;
pub use self::workspace::{Isolated, Purpose, Workspace};
use crate::config::Config;

/// What every gate may read.
#[derive(Debug)]
pub struct GateContext<'a> {
    pub config: &'a Config,
    /// The project's directory in the user's working tree (where its virtualenv lives).
    pub local_project_dir: &'a Path,
    /// The repository's common git directory: relgate keeps its own state under `relgate/` there (the tools'
    /// caches), never in the working tree.
    pub git_common_dir: &'a Path,
    /// Where file-based checks run; `None` when they must not run (the tree differs and isolation is refused).
    pub workspace: Option<&'a Workspace>,
    /// The project's normalized name, when declared.
    pub name: Option<&'a str>,
    /// The version being released: the tag's, else the declared one.
    pub version: Option<&'a Version>,
}

/// "a, b, c and 7 more": long lists of names stay one readable line in a check's message.
pub fn name_list(names: &[&str], at_most: usize) -> String {
    if names.len() <= at_most {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..at_most].join(", "),
        names.len() - at_most
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lists_are_cut() {
        let names = ["a", "b", "c", "d"];
        assert_eq!(super::name_list(&names[..2], 3), "a, b");
        assert_eq!(super::name_list(&names, 2), "a, b and 2 more");
    }
}

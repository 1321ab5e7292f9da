//! Which checks a run selects: `--only KIND,...`, and `--skip`/`skip = [...]` by name or kind.

use std::collections::HashSet;

use crate::config::Config;
use crate::outcome::Kind;

/// Which checks the command line and configuration select.
pub struct Selection {
    only: Vec<Kind>,
    skip: HashSet<String>,
}

impl Selection {
    /// `--only` kinds, `--skip` names or kinds, and the configuration's `skip = [...]`.
    pub fn new(only: &[Kind], skip: &[String], config: &Config) -> Selection {
        let mut skip: HashSet<String> = skip.iter().map(|s| s.trim().to_owned()).collect();
        skip.extend(config.skip.iter().flatten().cloned());
        Selection {
            only: only.to_vec(),
            skip,
        }
    }

    /// Whether any check of this kind may run.
    pub fn kind(&self, kind: Kind) -> bool {
        (self.only.is_empty() || self.only.contains(&kind)) && !self.skip.contains(kind.as_str())
    }

    /// Whether the named check of this kind runs.
    pub fn check(&self, name: &str, kind: Kind) -> bool {
        self.kind(kind) && !self.skip.contains(name)
    }

    /// Whether any check that reads the project's files (tools, build, publish setup) is selected.
    pub fn needs_files(&self) -> bool {
        [
            Kind::Lint,
            Kind::Format,
            Kind::Type,
            Kind::Test,
            Kind::Publish,
            Kind::Build,
        ]
        .into_iter()
        .any(|k| self.kind(k))
    }
}

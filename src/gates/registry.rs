//! The registry of relgate's own checks: each one's name, kind, what it asks, how it does its work, and which
//! `[tool.relgate.checks.NAME]` settings it honours. `relgate check`, `relgate checks`, the validation of the
//! configuration and the selection all read this table; no other list of the checks exists.
//!
//! Glossary: a *built-in* check is an [`Entry::Check`]; the project's *tools* (ruff, mypy, pytest...) are one
//! entry, [`Entry::Tools`], whose checks `gates::quality` detects and plans (one per tool, named after it); any
//! other configured name is a *custom* check (`gates::custom`). Every check's settings are resolved here
//! ([`settings`]) before anything runs, so the runner, `--fail-fast` and the report see the same `required`.

use std::time::Duration;

use crate::config::{CheckConfig, Config, IndexMode};
use crate::error::hinted;
use crate::gates::selection::Selection;
use crate::outcome::Kind;
use crate::tools::{self, CATALOGUE};

/// How a check does its work; the checks sharing one are decided together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Decided before anything else runs, from the tag, the declared version and the release history (the
    /// other checks need the release version).
    Version,
    /// One question to the package index, in its own thread beside the other checks.
    Index,
    /// The publishing workflows, read once for both publish checks.
    Publish,
    /// pyproject.toml's upload metadata.
    Metadata,
    /// Building the sdist and wheel.
    Build,
    /// The repository's settings on GitHub, asked in their own thread beside the other checks.
    Github,
}

/// One of relgate's own checks.
#[derive(Debug)]
pub struct BuiltIn {
    pub name: &'static str,
    pub kind: Kind,
    /// What it asks, in a few words (`relgate checks` prints it).
    pub about: &'static str,
    pub work: Work,
    /// Whether it runs a command that `timeout` bounds; the others take milliseconds and refuse the key.
    pub timed: bool,
    /// An advisory check only warns, unless `required = true` says otherwise.
    pub advisory: bool,
}

/// An entry of the registry.
#[derive(Debug)]
pub enum Entry {
    /// One of relgate's own checks.
    Check(BuiltIn),
    /// The project's own linters, formatters, type checkers and tests: `gates::quality::plan` detects which
    /// run and plans them, one check per tool of the catalogue (`crate::tools`), named after it.
    Tools,
}

/// Every check relgate runs of its own, in the order they are reported (the custom checks run after the
/// tools).
pub const REGISTRY: &[Entry] = &[
    Entry::Check(BuiltIn {
        name: "version",
        kind: Kind::Version,
        about: "the tag names the declared version",
        work: Work::Version,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "version-order",
        kind: Kind::Version,
        about: "newer than every release tag in its history",
        work: Work::Version,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "version-uploadable",
        kind: Kind::Version,
        about: "no local or .dev version",
        work: Work::Version,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "version-tags",
        kind: Kind::Version,
        about: "no other release tag on the commit names another version",
        work: Work::Version,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "index",
        kind: Kind::Index,
        about: "the version is new on the package index",
        work: Work::Index,
        timed: false,
        advisory: false,
    }),
    Entry::Tools,
    Entry::Check(BuiltIn {
        name: "publish-workflow",
        kind: Kind::Publish,
        about: "the workflow that uploads to the index can authenticate",
        work: Work::Publish,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "release-checks",
        kind: Kind::Publish,
        about: "the release workflow runs no quality tool the local gate skips",
        work: Work::Publish,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "metadata",
        kind: Kind::Publish,
        about: "name, version, readme, license and requires-python are uploadable",
        work: Work::Metadata,
        timed: false,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "build",
        kind: Kind::Build,
        about: "the built sdist and wheel carry the release's version",
        work: Work::Build,
        timed: true,
        advisory: false,
    }),
    Entry::Check(BuiltIn {
        name: "github",
        kind: Kind::Publish,
        about: "the repository's settings on GitHub stop a bad release (github-audit = true)",
        work: Work::Github,
        timed: false,
        advisory: true,
    }),
];

/// relgate's own checks, in report order.
pub fn built_ins() -> impl Iterator<Item = &'static BuiltIn> {
    REGISTRY.iter().filter_map(|entry| match entry {
        Entry::Check(check) => Some(check),
        Entry::Tools => None,
    })
}

/// The built-in check named `name`.
pub fn built_in(name: &str) -> Option<&'static BuiltIn> {
    built_ins().find(|b| b.name == name)
}

/// The kind of a check relgate knows by name (a built-in check or a tool), `None` for a custom check.
pub fn known_kind(name: &str) -> Option<Kind> {
    built_in(name)
        .map(|b| b.kind)
        .or_else(|| tools::by_name(name).map(|t| t.kind))
}

/// Every name relgate knows, for messages.
pub fn known_names() -> Vec<&'static str> {
    REGISTRY
        .iter()
        .flat_map(|entry| match entry {
            Entry::Check(check) => vec![check.name],
            Entry::Tools => CATALOGUE.iter().map(|t| t.name).collect(),
        })
        .collect()
}

/// A check's settings as applied: decided before anything runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// A failure of an optional check warns without failing the gate.
    pub required: bool,
    /// How long its command may run (meaningful for timed checks, tools and custom checks).
    pub timeout: Duration,
}

/// The settings of the check `name`: `[tool.relgate.checks.NAME]`, then the keys that cover every check
/// (`timeout`, and for the index `index = "advisory"`).
pub fn settings(config: &Config, name: &str) -> Settings {
    let table = config.checks.get(name);
    let advisory = built_in(name).is_some_and(|b| b.advisory);
    let mut required = table.and_then(|t| t.required).unwrap_or(!advisory);
    if name == "index" && config.index_mode() == IndexMode::Advisory {
        required = false;
    }
    let timeout = table
        .and_then(|t| t.timeout)
        .map_or_else(|| config.check_timeout(), Duration::from_secs_f64);
    Settings { required, timeout }
}

/// Whether the check `name` of `kind` is part of this run: selected (`--only`, `--skip`, `skip = [...]`) and
/// not switched off (`enabled = false`, `build = false`, and the GitHub audit unless `github-audit = true`).
/// `index = "off"` keeps the index in the report, as a skip that says so.
pub fn enabled(config: &Config, selection: &Selection, name: &str, kind: Kind) -> bool {
    let switched_off = config.checks.get(name).and_then(|t| t.enabled) == Some(false)
        || (name == "build" && config.build == Some(false))
        || (name == "github" && config.github_audit != Some(true));
    selection.check(name, kind) && !switched_off
}

/// Every `[tool.relgate.checks.NAME]` table names a check relgate runs and sets only what that check honours: a
/// setting relgate would ignore is refused, never silently accepted. Custom checks are validated by
/// `gates::custom::plan`.
pub fn validate(config: &Config) -> anyhow::Result<()> {
    for (name, table) in &config.checks {
        if let Some(built_in) = built_in(name) {
            validate_built_in(config, built_in, table)?;
        } else if let Some(tool) = tools::by_name(name) {
            validate_kind(config, name, tool.kind, table)?;
        }
    }
    Ok(())
}

/// Every name `--skip` and `skip = [...]` give is a kind, a check relgate knows or a configured check: a typo
/// would silently run what was meant to be skipped.
pub fn validate_skip(config: &Config, flag: &[String]) -> anyhow::Result<()> {
    let known = |name: &str| {
        known_kind(name).is_some()
            || config.checks.contains_key(name)
            || Kind::ALL.iter().any(|k| k.as_str() == name)
    };
    let from_flag = flag.iter().map(|n| (n.trim(), "--skip".to_owned()));
    let from_config = config.skip.iter().flatten().map(|n| {
        (
            n.as_str(),
            format!("{}: {}", config.file_name(), config.key("skip")),
        )
    });
    for (name, origin) in from_flag.chain(from_config) {
        if !known(name) {
            return Err(hinted(
                format!("{origin}: {name:?} is neither a check nor a kind of check"),
                format!(
                    "give a kind ({}) or a check's name (`relgate checks` lists this project's)",
                    Kind::ALL.map(Kind::as_str).join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn validate_built_in(config: &Config, check: &BuiltIn, table: &CheckConfig) -> anyhow::Result<()> {
    let name = check.name;
    let at = config.locate_check(name);
    let key = |k: &str| format!("{}.{k}", config.key(&format!("checks.{name}")));
    if table.run.is_some() {
        return Err(hinted(
            format!(
                "{at}: {}: `{name}` is relgate's own check; its command cannot be replaced",
                key("run")
            ),
            format!(
                "give your check another name, e.g. [{}]",
                config.key(&format!("checks.my-{name}"))
            ),
        ));
    }
    validate_kind(config, name, check.kind, table)?;
    if table.timeout.is_some() && !check.timed {
        let hint = match check.work {
            Work::Index => format!(
                "remove the key; the index's time limit is {}",
                config.key("index-timeout")
            ),
            Work::Github => {
                "remove the key: each request to the GitHub API has its own time limit".to_owned()
            }
            _ => "remove the key: this check runs no command and takes milliseconds".to_owned(),
        };
        return Err(hinted(
            format!(
                "{at}: {}: `{name}` runs no command that a timeout could stop",
                key("timeout")
            ),
            hint,
        ));
    }
    if name == "github" && config.github_audit.is_none() && table.enabled == Some(true) {
        return Err(hinted(
            format!(
                "{at}: {}: the GitHub audit is switched on by {}",
                config.key("checks.github.enabled = true"),
                config.key("github-audit = true")
            ),
            format!("set {} instead", config.key("github-audit = true")),
        ));
    }
    // The keys that predate the per-check tables must not say the opposite of them.
    let contradiction = match name {
        "index" => match (config.index, table.enabled, table.required) {
            (Some(IndexMode::Off), Some(true), _) => Some(("index = \"off\"", "enabled = true")),
            (Some(IndexMode::Required), _, Some(false)) => {
                Some(("index = \"required\"", "required = false"))
            }
            (Some(IndexMode::Advisory), _, Some(true)) => {
                Some(("index = \"advisory\"", "required = true"))
            }
            _ => None,
        },
        "build" => match (config.build, table.enabled) {
            (Some(false), Some(true)) => Some(("build = false", "enabled = true")),
            (Some(true), Some(false)) => Some(("build = true", "enabled = false")),
            _ => None,
        },
        "github" => match (config.github_audit, table.enabled) {
            (Some(true), Some(false)) => Some(("github-audit = true", "enabled = false")),
            (Some(false), Some(true)) => Some(("github-audit = false", "enabled = true")),
            _ => None,
        },
        _ => None,
    };
    if let Some((old, new)) = contradiction {
        return Err(hinted(
            format!(
                "{at}: {} contradicts {}",
                config.key(&format!("checks.{name}.{new}")),
                config.key(old)
            ),
            "keep one of the two settings",
        ));
    }
    Ok(())
}

/// `kind` may be given for a check relgate knows, but must be its kind: a typo there would silently move the
/// check out of `--only` selections.
fn validate_kind(
    config: &Config,
    name: &str,
    kind: Kind,
    table: &CheckConfig,
) -> anyhow::Result<()> {
    match table.kind {
        Some(given) if given != kind => Err(hinted(
            format!(
                "{}: [{}] kind = \"{}\" contradicts {name}, which relgate runs as a {} check",
                config.locate_check(name),
                config.key(&format!("checks.{name}")),
                given.as_str(),
                kind.as_str()
            ),
            format!(
                "remove the key (the kind of {name} is {}), or give your check another name to make it a custom check",
                kind.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), toml).unwrap();
        Config::load(dir.path()).unwrap()
    }

    fn refused(toml: &str) -> String {
        validate(&config(toml)).unwrap_err().to_string()
    }

    #[test]
    fn every_built_in_name_and_tool_is_known_once() {
        let names = known_names();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(known_kind("version-tags"), Some(Kind::Version));
        assert_eq!(known_kind("mypy"), Some(Kind::Type));
        assert_eq!(known_kind("docs"), None);
    }

    #[test]
    fn settings_are_resolved_for_every_check() {
        let c = config(
            "[tool.relgate]\ntimeout = 30\nindex = 'advisory'\n[tool.relgate.checks.version-order]\nrequired = false\n[tool.relgate.checks.build]\ntimeout = 900\n",
        );
        let s = |name| settings(&c, name);
        assert!(!s("github").required);
        assert!(!s("version-order").required);
        assert!(s("version").required);
        assert!(!s("index").required);
        assert_eq!(s("build").timeout, Duration::from_secs(900));
        assert_eq!(s("mypy").timeout, Duration::from_secs(30));
    }

    #[test]
    fn what_a_check_would_ignore_is_refused() {
        assert_eq!(
            refused("[tool.relgate.checks.version-order]\ntimeout = 5\n"),
            "pyproject.toml:1: tool.relgate.checks.version-order.timeout: `version-order` runs no command that a timeout could stop"
        );
        assert_eq!(
            refused("[tool.relgate.checks.metadata]\nkind = 'lint'\n"),
            "pyproject.toml:1: [tool.relgate.checks.metadata] kind = \"lint\" contradicts metadata, which relgate runs as a publish check"
        );
        assert_eq!(
            refused("[tool.relgate]\nindex = 'off'\n[tool.relgate.checks.index]\nenabled = true\n"),
            "pyproject.toml:3: tool.relgate.checks.index.enabled = true contradicts tool.relgate.index = \"off\""
        );
        assert_eq!(
            refused("[tool.relgate.checks.build]\nrun = ['make']\nkind = 'build'\n"),
            "pyproject.toml:1: tool.relgate.checks.build.run: `build` is relgate's own check; its command cannot be replaced"
        );
        assert!(validate(&config("[tool.relgate.checks.build]\nkind = 'build'\ntimeout = 60\nrequired = false\nenabled = true\n")).is_ok());
    }

    #[test]
    fn skip_names_kinds_or_checks() {
        let c = config(
            "[tool.relgate]\nskip = ['docs', 'publish']\n[tool.relgate.checks.docs]\nrun = ['make']\nkind = 'build'\n",
        );
        let skip = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            validate_skip(&c, &names).map_err(|e| e.to_string())
        };
        assert_eq!(skip(&["lint", "mypy", "version-tags", "docs"]), Ok(()));
        assert_eq!(
            skip(&["mpyy"]),
            Err("--skip: \"mpyy\" is neither a check nor a kind of check".to_owned())
        );
        let c = config("[tool.relgate]\nskip = ['buidl']\n");
        assert_eq!(
            validate_skip(&c, &[]).unwrap_err().to_string(),
            "pyproject.toml: tool.relgate.skip: \"buidl\" is neither a check nor a kind of check"
        );
    }
}

//! `[tool.relgate]` in pyproject.toml, or a `relgate.toml`: every key validated, every error located.
//!
//! Configuration is read from the working tree (it is the maintainer's local gate settings, effective without a
//! commit); what the project declares is read from the tagged commit (see `project`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::error::hinted;
use crate::outcome::Kind;
use crate::toml_file::TomlFile;

/// The whole `[tool.relgate]` table. Keys are kebab-case; unknown keys are errors (a typo must not silently
/// switch a gate off).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// How release tags are named: `"v{version}"`, or a list of accepted forms.
    pub tag_format: Option<OneOrMany>,
    /// A file holding the version, for projects whose version cannot be read statically otherwise.
    pub version_file: Option<String>,
    /// A regular expression with a `version` group, applied to `version-file`.
    pub version_pattern: Option<String>,
    /// A release must be greater than every release tag in its history (default true).
    pub monotonic: Option<bool>,
    /// Allow `.devN` versions to be released (default false).
    pub allow_dev: Option<bool>,
    /// How the package index verdict counts: `required` (default), `advisory`, or `off`.
    pub index: Option<IndexMode>,
    /// The simple API root of the package index.
    pub index_url: Option<String>,
    /// Seconds to wait for the index (default 10).
    pub index_timeout: Option<f64>,
    /// Allow a release older than the newest published one (a maintenance release on an older line).
    pub allow_maintenance: Option<bool>,
    /// When the working tree is not the tagged content: `export` the tag to a temporary directory (default) or
    /// `refuse`.
    pub isolation: Option<Isolation>,
    /// How many checks run at once (default: the number of cores).
    pub jobs: Option<usize>,
    /// Default timeout of a check, in seconds (default 600).
    pub timeout: Option<f64>,
    /// Checks (by name or kind) never to run.
    pub skip: Option<Vec<String>>,
    /// The pre-push hook gates branch pushes too, not only tags (default false).
    pub gate_branches: Option<bool>,
    /// Remember passes so that an unchanged tree is not checked twice (default true).
    pub cache: Option<bool>,
    /// Build the sdist and wheel and check their versions: true, false, or unset for automatic.
    pub build: Option<bool>,
    /// `relgate check` also audits the repository's settings on GitHub (an advisory check; needs a token and
    /// the network).
    pub github_audit: Option<bool>,
    /// The message of `relgate release`'s commit (and annotated tag): `{version}` and `{tag}` are replaced
    /// (default `Release {version}`).
    pub release_message: Option<String>,
    /// Per-check settings, `[tool.relgate.checks.NAME]`.
    #[serde(default)]
    pub checks: BTreeMap<String, CheckConfig>,

    /// Where this configuration came from, for messages (`pyproject.toml`, `relgate.toml`, or none).
    #[serde(skip)]
    pub source: Option<String>,
    /// The line of each `[tool.relgate.checks.NAME]` table, for messages about it.
    #[serde(skip)]
    pub check_lines: BTreeMap<String, u32>,
    /// The line of `tag-format`, for messages about it.
    #[serde(skip)]
    pub tag_format_line: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckConfig {
    /// The command, as an argument vector (never a shell string).
    pub run: Option<Vec<String>>,
    pub kind: Option<Kind>,
    /// Seconds.
    pub timeout: Option<f64>,
    /// A failed optional check warns but does not fail the gate (default true).
    pub required: Option<bool>,
    /// `false` switches a detected check off.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexMode {
    Required,
    Advisory,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    #[default]
    Export,
    Refuse,
}

/// The pyproject.toml shape around `[tool.relgate]`; everything else in the file is not ours to judge.
#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tools>,
}

#[derive(Deserialize)]
struct Tools {
    relgate: Option<Config>,
}

impl Config {
    /// Load from `relgate.toml` or `[tool.relgate]` in `pyproject.toml` in `dir` (the working tree).
    pub fn load(dir: &Path) -> anyhow::Result<Config> {
        let standalone = dir.join("relgate.toml");
        let pyproject = dir.join("pyproject.toml");
        let from_pyproject = match read_optional(dir, &pyproject)? {
            Some(text) => {
                let file = TomlFile::parse("pyproject.toml", text)?;
                if file.get(&["tool", "relgate"]).is_some() {
                    let parsed: Pyproject = deserialize(&file)?;
                    parsed.tool.and_then(|t| t.relgate).map(|mut c| {
                        c.source = Some("pyproject.toml".into());
                        c.check_lines = check_lines(&file, &["tool", "relgate", "checks"]);
                        c.tag_format_line = file
                            .get(&["tool", "relgate", "tag-format"])
                            .and_then(|item| file.line_of(item));
                        c
                    })
                } else {
                    None
                }
            }
            None => None,
        };
        if let Some(text) = read_optional(dir, &standalone)? {
            if from_pyproject.is_some() {
                return Err(hinted(
                    "relgate is configured twice: in relgate.toml and in [tool.relgate] of pyproject.toml",
                    "keep one of them; relgate does not merge the two",
                ));
            }
            let file = TomlFile::parse("relgate.toml", text)?;
            let mut config: Config = deserialize(&file)?;
            config.source = Some("relgate.toml".into());
            config.check_lines = check_lines(&file, &["checks"]);
            config.tag_format_line = file
                .get(&["tag-format"])
                .and_then(|item| file.line_of(item));
            config.validate()?;
            return Ok(config);
        }
        let config = from_pyproject.unwrap_or_default();
        config.validate()?;
        Ok(config)
    }

    pub fn tag_formats(&self) -> Option<Vec<String>> {
        self.tag_format.as_ref().map(OneOrMany::to_vec)
    }

    pub fn index_mode(&self) -> IndexMode {
        self.index.unwrap_or(IndexMode::Required)
    }

    pub fn index_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.index_timeout.unwrap_or(10.0))
    }

    pub fn check_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout.unwrap_or(600.0))
    }

    /// `release-message` with `{version}` and `{tag}` filled in.
    pub fn release_message(&self, version: &str, tag: &str) -> String {
        self.release_message
            .as_deref()
            .unwrap_or("Release {version}")
            .replace("{version}", version)
            .replace("{tag}", tag)
    }

    pub fn use_cache(&self) -> bool {
        self.cache.unwrap_or(true)
    }

    /// The configuration file's name, for messages (`pyproject.toml` when there is none yet).
    pub fn file_name(&self) -> &str {
        self.source.as_deref().unwrap_or("pyproject.toml")
    }

    /// A key as the user writes it in this file: `tool.relgate.timeout` in pyproject.toml, `timeout` in
    /// relgate.toml.
    pub fn key(&self, key: &str) -> String {
        if self.file_name() == "relgate.toml" {
            key.to_owned()
        } else {
            format!("tool.relgate.{key}")
        }
    }

    /// `file:line` of `[tool.relgate.checks.NAME]`, or the file's name.
    pub fn locate_check(&self, name: &str) -> String {
        match self.check_lines.get(name) {
            Some(line) => format!("{}:{line}", self.file_name()),
            None => self.file_name().to_owned(),
        }
    }

    /// Checks serde cannot express: ranges and the shape of strings.
    fn validate(&self) -> anyhow::Result<()> {
        let file = self.file_name();
        let key_prefix = if file == "relgate.toml" {
            ""
        } else {
            "tool.relgate."
        };
        let tag_format_at = match self.tag_format_line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_owned(),
        };
        if self.tag_formats().is_some_and(|formats| formats.is_empty()) {
            return Err(hinted(
                format!(
                    "{tag_format_at}: {key_prefix}tag-format is an empty list: no tag could be a release"
                ),
                "name at least one form, e.g. tag-format = [\"v{version}\"], or remove the key for both v{version} and {version}",
            ));
        }
        for format in self.tag_formats().unwrap_or_default() {
            if format.matches("{version}").count() != 1 {
                return Err(hinted(
                    format!(
                        "{tag_format_at}: {key_prefix}tag-format {format:?} must contain `{{version}}` exactly once"
                    ),
                    "e.g. tag-format = \"v{version}\" or \"mypkg-v{version}\"",
                ));
            }
        }
        for (key, value) in [
            ("index-timeout", self.index_timeout),
            ("timeout", self.timeout),
        ] {
            if let Some(v) = value {
                if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
                    return Err(hinted(
                        format!(
                            "{file}: {key_prefix}{key} = {v} is not a number of seconds between 0 and 86400"
                        ),
                        format!("e.g. {key} = 30"),
                    ));
                }
            }
        }
        if self
            .release_message
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            return Err(hinted(
                format!("{file}: {key_prefix}release-message is empty"),
                "e.g. release-message = \"Release {version}\"",
            ));
        }
        if self.jobs == Some(0) {
            return Err(hinted(
                format!("{file}: {key_prefix}jobs must be at least 1"),
                "remove the key to run as many checks at once as there are cores",
            ));
        }
        if let Some(pattern) = &self.version_pattern {
            let re = regex::Regex::new(pattern).map_err(|e| {
                hinted(
                    format!(
                        "{file}: {key_prefix}version-pattern is not a valid regular expression: {e}"
                    ),
                    "e.g. version-pattern = '__version__ = \"(?P<version>[^\"]+)\"'",
                )
            })?;
            if !re.capture_names().any(|n| n == Some("version")) && re.captures_len() < 2 {
                return Err(hinted(
                    format!(
                        "{file}: {key_prefix}version-pattern has no capture group for the version"
                    ),
                    "name the group: (?P<version>...)",
                ));
            }
        }
        for (name, check) in &self.checks {
            if let Some(run) = &check.run {
                if run.is_empty() || run[0].trim().is_empty() {
                    return Err(hinted(
                        format!("{file}: {key_prefix}checks.{name}.run is empty"),
                        "give the command as a list: run = [\"tool\", \"arg\"]",
                    ));
                }
            }
            if let Some(t) = check.timeout {
                if !(t.is_finite() && t > 0.0 && t < 86_400.0) {
                    return Err(hinted(
                        format!(
                            "{file}: {key_prefix}checks.{name}.timeout = {t} is not a number of seconds between 0 and 86400"
                        ),
                        "e.g. timeout = 300",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn check_lines(file: &TomlFile, path: &[&str]) -> BTreeMap<String, u32> {
    let Some(table) = file.get(path).and_then(toml_edit::Item::as_table_like) else {
        return BTreeMap::new();
    };
    table
        .iter()
        .filter_map(|(name, item)| {
            let line = file.line_of(item)?;
            Some((name.to_owned(), line))
        })
        .collect()
}

/// A configuration file of the project in `dir`: a regular file inside it, within `crate::files`' bound.
fn read_optional(dir: &Path, path: &Path) -> anyhow::Result<Option<String>> {
    match crate::files::read(dir, path) {
        Ok(Some(bytes)) => String::from_utf8(bytes).map(Some).map_err(|_| {
            hinted(
                format!("{} is not valid UTF-8", path.display()),
                "save the file as UTF-8",
            )
        }),
        Ok(None) => Ok(None),
        Err(e) => Err(e.into_anyhow()),
    }
}

fn deserialize<T: serde::de::DeserializeOwned>(file: &TomlFile) -> anyhow::Result<T> {
    toml_edit::de::from_document(file.doc.clone()).map_err(|err| {
        let message = err.message().trim_end().replace('\n', " ");
        let key_hint = if message.contains("unknown field") {
            "check the spelling against the configuration keys in relgate's README (`relgate check --help` lists the flags)"
        } else {
            "see the configuration section of relgate's README for the expected type"
        };
        hinted(
            format!("{}: invalid relgate configuration: {message}", file.locate_span(err.span())),
            key_hint,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pyproject: &str) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err =
            load("[project]\nname='x'\n\n[tool.relgate]\ntag-fromat = 'v{version}'\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("pyproject.toml:5:"), "{text}");
        assert!(text.contains("tag-fromat"), "{text}");
    }

    #[test]
    fn wrong_type_is_located() {
        let err = load("[tool.relgate]\njobs = 'many'\n").unwrap_err();
        assert!(err.to_string().starts_with("pyproject.toml:2:"), "{err}");
    }

    #[test]
    fn other_tools_are_not_judged() {
        let config =
            load("[tool.ruff]\nline-length = 100\n[tool.relgate]\ntag-format = 'v{version}'\n")
                .unwrap();
        assert_eq!(config.tag_formats(), Some(vec!["v{version}".to_string()]));
    }

    #[test]
    fn tag_format_needs_placeholder() {
        let err = load("[tool.relgate]\ntag-format = 'v'\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:2: tool.relgate.tag-format \"v\" must contain `{version}` exactly once"
        );
        let err =
            load("[tool.relgate]\njobs = 2\ntag-format = ['v{version}', '{version}{version}']\n")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:3: tool.relgate.tag-format \"{version}{version}\" must contain `{version}` exactly once"
        );
    }

    #[test]
    fn an_empty_tag_format_list_is_located() {
        let err = load("[project]\nname = 'x'\n\n[tool.relgate]\ntag-format = []\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "pyproject.toml:5: tool.relgate.tag-format is an empty list: no tag could be a release"
        );
    }

    #[test]
    fn check_table() {
        let config = load("[tool.relgate.checks.docs]\nrun = ['sphinx-build', '-W', 'docs', 'out']\nkind = 'build'\nrequired = false\n").unwrap();
        let docs = &config.checks["docs"];
        assert_eq!(docs.kind, Some(Kind::Build));
        assert_eq!(docs.required, Some(false));
        assert_eq!(config.locate_check("docs"), "pyproject.toml:1");
        assert_eq!(config.key("timeout"), "tool.relgate.timeout");
    }

    #[test]
    fn check_lines_for_inline_and_dotted_tables() {
        let config = load("[project]\nname = 'x'\n\n[tool.relgate]\njobs = 2\nchecks.lint = { run = ['x'] }\n\n[tool.relgate.checks.docs]\nrun = ['y']\n").unwrap();
        assert_eq!(config.locate_check("lint"), "pyproject.toml:6");
        assert_eq!(config.locate_check("docs"), "pyproject.toml:8");
    }
}

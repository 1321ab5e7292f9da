//! What a step's output says about the environment it ran in, kept for every step (passing ones too, whose
//! lines are not kept): the runner and its image, the token's permissions, the ref and commit
//! `actions/checkout` checked out, the Python `actions/setup-python` set up, the packages pip, uv and poetry
//! installed, and the trusted-publishing claims the publish action prints when the exchange fails.
//!
//! Read one line at a time, in bounded memory: at most [`MAX_PACKAGES`] packages and [`MAX_PAIRS`] pairs of
//! each other kind per step, [`JOB_ENTRIES`] entries in all the steps of a job, each value cut at
//! [`MAX_VALUE`] characters.

use super::line::{Line, Marker};

pub const MAX_PACKAGES: usize = 2000;
pub const MAX_PAIRS: usize = 64;
pub const MAX_VALUE: usize = 200;
/// Packages, permissions and claims kept in all the steps of one job at most (a hostile log may repeat
/// thousands of steps that each install thousands of packages).
pub const JOB_ENTRIES: usize = 10_000;

/// The claims of an OIDC token that `pypa/gh-action-pypi-publish` renders after a failed exchange
/// as a bullet list of `name`: `value` pairs.
const CLAIMS: [&str; 8] = [
    "sub",
    "repository",
    "repository_owner",
    "repository_owner_id",
    "workflow_ref",
    "job_workflow_ref",
    "ref",
    "environment",
];

/// The facts of one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `Current runner version: '2.322.0'`.
    pub runner_version: Option<String>,
    /// The `Runner Image` group: `Image: ubuntu-24.04`, `Version: 20250309.1.0`.
    pub image: Option<String>,
    pub image_version: Option<String>,
    /// The `GITHUB_TOKEN Permissions` group: `("IdToken", "write")`.
    pub permissions: Vec<(String, String)>,
    /// What `git checkout` checked out: `refs/tags/v1.4.0`, `refs/heads/main`, `refs/pull/7/merge`.
    pub checkout_ref: Option<String>,
    /// The commit `git log -1 --format=%H` printed after the checkout.
    pub checkout_commit: Option<String>,
    /// `CPython 3.12.9`, from `Successfully set up CPython (3.12.9)` or uv's `Using CPython 3.12.9`.
    pub python: Option<String>,
    /// Installed packages, normalised names, in the order installed: `("ruff", "0.6.0")`.
    pub packages: Vec<(String, String)>,
    /// Trusted-publishing claims printed by a failed exchange.
    pub claims: Vec<(String, String)>,
}

/// Reads a step's lines into [`Facts`].
#[derive(Debug)]
pub struct Reader {
    facts: Facts,
    /// Entries (packages, permissions, claims) this step may still keep.
    budget: usize,
    /// The `##[group]` being read (or the web copy's title line).
    group: Option<String>,
    /// The previous line was `git log -1 --format=%H`: this one is the commit.
    commit_next: bool,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader::with_budget(JOB_ENTRIES)
    }
}

impl Reader {
    /// A reader that keeps at most `budget` entries: what the job's earlier steps left.
    pub fn with_budget(budget: usize) -> Reader {
        Reader {
            facts: Facts::default(),
            budget,
            group: None,
            commit_next: false,
        }
    }

    pub fn push(&mut self, line: &Line) {
        let text = line.text.as_str();
        if std::mem::take(&mut self.commit_next) && line.marker == Marker::None {
            let sha = text.trim().trim_matches('\'');
            if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.facts.checkout_commit = Some(sha.to_ascii_lowercase());
                return;
            }
        }
        match line.marker {
            Marker::Group => {
                self.group = Some(text.trim().to_string());
                return;
            }
            Marker::EndGroup => {
                self.group = None;
                return;
            }
            Marker::Command => {
                self.command(text);
                return;
            }
            _ => {}
        }
        // Actions print the commands they run as `[command]/usr/bin/git ...`.
        if let Some(command) = text.strip_prefix("[command]") {
            self.command(command);
            return;
        }
        let trimmed = text.trim();
        // The web page's copy has no group markers: its titles are lines of their own.
        if matches!(trimmed, "Runner Image" | "GITHUB_TOKEN Permissions") {
            self.group = Some(trimmed.to_string());
            return;
        }
        if let Some(group) = self.group.clone() {
            if self.group_line(&group, trimmed) {
                return;
            }
        }
        self.output(trimmed);
    }

    pub fn finish(self) -> Facts {
        self.facts
    }

    /// Entries this step may still keep.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// A line inside the `Runner Image` or `GITHUB_TOKEN Permissions` group; any other line ends the group
    /// (the web page's copy has no end marker).
    fn group_line(&mut self, group: &str, text: &str) -> bool {
        let scope = |key: &str| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric());
        match (group, text.split_once(": ")) {
            ("Runner Image", Some(("Image", value))) => self.facts.image = Some(cut(value)),
            ("Runner Image", Some(("Version", value))) => {
                self.facts.image_version = Some(cut(value));
            }
            ("GITHUB_TOKEN Permissions", Some((key, value))) if scope(key) => {
                push_pair(&mut self.facts.permissions, key, value, &mut self.budget);
            }
            _ => {
                self.group = None;
                return false;
            }
        }
        true
    }

    /// A command `actions/checkout` ran (`##[command]/usr/bin/git checkout --progress --force refs/tags/v1`).
    fn command(&mut self, text: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some(git) = words
            .iter()
            .position(|w| w.trim_matches('"').ends_with("git") || w.ends_with("git.exe\""))
        else {
            return;
        };
        let args = &words[git + 1..];
        match args.first() {
            Some(&"checkout") => {
                if let Some(target) = checkout_target(&args[1..]) {
                    self.facts.checkout_ref = Some(cut(&target));
                }
            }
            Some(&"log") if args.contains(&"-1") && args.iter().any(|a| a.contains("%H")) => {
                self.commit_next = true;
            }
            _ => {}
        }
    }

    /// Any other output line: setup-python's, pip's, uv's, poetry's, the publish action's claims.
    fn output(&mut self, text: &str) {
        if let Some(version) = text
            .strip_prefix("Current runner version: ")
            .map(|v| v.trim_matches('\''))
        {
            self.facts.runner_version = Some(cut(version));
        } else if let Some(rest) = text.strip_prefix("Successfully set up ") {
            // `Successfully set up CPython (3.12.9)`, `Successfully set up PyPy (3.10.14)`.
            if let Some((implementation, version)) = rest.split_once(" (") {
                let version = version.trim_end_matches(')');
                self.facts.python = Some(cut(&format!("{implementation} {version}")));
            }
        } else if let Some(rest) = text
            .strip_prefix("Using CPython ")
            .or_else(|| text.strip_prefix("Using Python "))
        {
            // uv: `Using CPython 3.12.9 interpreter at: /usr/bin/python3.12`, `Using CPython 3.12.9`.
            if let Some(version) = rest.split_whitespace().next() {
                if version.starts_with(|c: char| c.is_ascii_digit()) {
                    self.facts.python = Some(cut(&format!("CPython {version}")));
                }
            }
        } else if let Some(rest) = text.strip_prefix("Successfully installed ") {
            for word in rest.split_whitespace() {
                if let Some((name, version)) = split_distribution(word) {
                    self.package(name, version);
                }
            }
        } else if let Some(rest) = text.strip_prefix("+ ").or_else(|| text.strip_prefix("~ ")) {
            // uv: ` + ruff==0.6.0`, ` ~ demo==1.4.0 (from file:///...)`.
            if let Some((name, version)) = rest.split_once("==") {
                let version = version.split_whitespace().next().unwrap_or("");
                if is_name(name) && !version.is_empty() {
                    self.package(name, version);
                }
            }
        } else if let Some(rest) = text.strip_prefix("- Installing ") {
            // poetry: `  - Installing ruff (0.6.0)`.
            if let Some((name, version)) = rest.split_once(" (") {
                let version = version.trim_end_matches(')');
                if is_name(name) {
                    self.package(name, version);
                }
            }
        } else if let Some(rest) = text.strip_prefix("* `") {
            if let Some((name, value)) = rest.split_once("`: ") {
                if CLAIMS.contains(&name) {
                    let value = value.trim().trim_matches('`');
                    push_pair(&mut self.facts.claims, name, value, &mut self.budget);
                }
            }
        }
    }

    fn package(&mut self, name: &str, version: &str) {
        let name = normalize(name);
        if let Some(entry) = self.facts.packages.iter_mut().find(|(n, _)| *n == name) {
            entry.1 = cut(version);
        } else if self.facts.packages.len() < MAX_PACKAGES && self.budget > 0 {
            self.budget -= 1;
            self.facts.packages.push((name, cut(version)));
        }
    }
}

/// The ref or commit of `git checkout --progress --force refs/tags/v1.4.0` (a tag, a pull request's merge
/// ref, a commit) or `git checkout --progress --force -B main refs/remotes/origin/main` (a branch).
fn checkout_target(args: &[&str]) -> Option<String> {
    let mut branch = None;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "-B" | "-b" => {
                branch = args.get(i + 1).copied();
                i += 1;
            }
            a if a.starts_with('-') => {}
            a => positional.push(a.trim_matches(['"', '\''])),
        }
        i += 1;
    }
    if let Some(name) = branch {
        return Some(format!("refs/heads/{name}"));
    }
    let target = positional.first()?;
    if let Some(pull) = target.strip_prefix("refs/remotes/pull/") {
        return Some(format!("refs/pull/{pull}"));
    }
    if let Some(branch) = target.strip_prefix("refs/remotes/origin/") {
        return Some(format!("refs/heads/{branch}"));
    }
    Some((*target).to_string())
}

/// `ruff-0.6.0` -> (`ruff`, `0.6.0`); `typing_extensions-4.12.2` -> (`typing_extensions`, `4.12.2`).
fn split_distribution(word: &str) -> Option<(&str, &str)> {
    let at = word
        .char_indices()
        .filter(|&(i, c)| {
            c == '-'
                && word[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_digit())
        })
        .map(|(i, _)| i)
        .next_back()?;
    let (name, version) = (&word[..at], &word[at + 1..]);
    is_name(name).then_some((name, version))
}

/// A distribution name as PEP 508 allows it.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_VALUE
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// PEP 503's normalised name: lower case, runs of `-`, `_`, `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn push_pair(pairs: &mut Vec<(String, String)>, key: &str, value: &str, budget: &mut usize) {
    if let Some(entry) = pairs.iter_mut().find(|(k, _)| k == key) {
        entry.1 = cut(value);
    } else if pairs.len() < MAX_PAIRS && *budget > 0 {
        *budget -= 1;
        pairs.push((cut(key), cut(value)));
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_VALUE) {
        Some((at, _)) => format!("{} [...]", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forensics::line::parse;

    fn read(lines: &[&str]) -> Facts {
        let mut reader = Reader::default();
        for raw in lines {
            reader.push(&parse(raw, true, false));
        }
        reader.finish()
    }

    #[test]
    fn runner_image_and_token_permissions() {
        let facts = read(&[
            "2025-06-11T08:44:02.0048275Z Current runner version: '2.322.0'",
            "2025-06-11T08:44:02.0069950Z ##[group]Runner Image",
            "2025-06-11T08:44:02.0074642Z Image: ubuntu-24.04",
            "2025-06-11T08:44:02.0076375Z Version: 20250309.1.0",
            "2025-06-11T08:44:02.0078284Z Included Software: https://github.com/actions/runner-images/x.md",
            "2025-06-11T08:44:02.0091350Z ##[endgroup]",
            "2025-06-11T08:44:02.0097325Z ##[group]GITHUB_TOKEN Permissions",
            "2025-06-11T08:44:02.0102382Z Contents: read",
            "2025-06-11T08:44:02.0108260Z IdToken: write",
            "2025-06-11T08:44:02.0111392Z ##[endgroup]",
            "2025-06-11T08:44:02.0112134Z Secret source: Actions",
        ]);
        assert_eq!(facts.runner_version.as_deref(), Some("2.322.0"));
        assert_eq!(
            (facts.image.as_deref(), facts.image_version.as_deref()),
            (Some("ubuntu-24.04"), Some("20250309.1.0"))
        );
        assert_eq!(
            facts.permissions,
            [
                ("Contents".to_string(), "read".to_string()),
                ("IdToken".to_string(), "write".to_string())
            ]
        );
    }

    #[test]
    fn checkout_ref_and_commit() {
        let tag = read(&[
            "2025-03-14T09:21:01.0953043Z [command]/usr/bin/git checkout --progress --force refs/tags/v1.4.0",
            "2025-03-14T09:21:01.1027863Z Note: switching to 'refs/tags/v1.4.0'.",
            "2025-03-14T09:21:01.1360030Z ##[endgroup]",
            "2025-03-14T09:21:01.1471120Z [command]/usr/bin/git log -1 --format=%H",
            "2025-03-14T09:21:01.1560340Z 9F2C4E1B7A3D5C8E0F6A2B4D1C3E5F7A9B0D2E4F",
        ]);
        assert_eq!(tag.checkout_ref.as_deref(), Some("refs/tags/v1.4.0"));
        assert_eq!(
            tag.checkout_commit.as_deref(),
            Some("9f2c4e1b7a3d5c8e0f6a2b4d1c3e5f7a9b0d2e4f")
        );
        let branch = read(&[
            "2022-05-08T18:38:52.4647827Z [command]/usr/bin/git checkout --progress --force -B master refs/remotes/origin/master",
            "2022-05-08T18:38:52.4746804Z [command]/usr/bin/git log -1 --format='%H'",
            "2022-05-08T18:38:52.4774953Z 'd3ea930288f80ff2f83227fbf1e398dc06564333'",
        ]);
        assert_eq!(branch.checkout_ref.as_deref(), Some("refs/heads/master"));
        assert_eq!(
            branch.checkout_commit.as_deref(),
            Some("d3ea930288f80ff2f83227fbf1e398dc06564333")
        );
        let pull = read(&[
            "2021-10-03T00:00:00Z [command]/usr/bin/git checkout --progress --force refs/remotes/pull/88/merge",
            "2021-10-03T00:00:00Z [command]/usr/bin/git log -1 --format=%H",
            "2021-10-03T00:00:00Z not a commit",
        ]);
        assert_eq!(pull.checkout_ref.as_deref(), Some("refs/pull/88/merge"));
        assert_eq!(pull.checkout_commit, None);
    }

    #[test]
    fn python_and_installed_packages() {
        let facts = read(&[
            "2025-03-14T09:21:03.7340213Z ##[group]Installed versions",
            "2025-03-14T09:21:03.7827630Z Successfully set up CPython (3.12.9)",
            "2025-03-14T09:21:03.7829871Z ##[endgroup]",
            "2025-03-14T09:21:09.0000000Z Successfully installed mypy-1.15.0 mypy_extensions-1.0.0 ruff-0.5.7 typing-extensions-4.12.2",
            "2025-03-14T09:21:10.0000000Z Installed 2 packages in 3ms",
            "2025-03-14T09:21:10.0000000Z  + ruff==0.6.0",
            "2025-03-14T09:21:10.0000000Z  + demo==1.4.0 (from file:///home/runner/work/demo/demo)",
            "2025-03-14T09:21:10.0000000Z  - pytest==8.0.0",
            "2025-03-14T09:21:11.0000000Z   - Installing pytest (8.3.5)",
            "2025-03-14T09:21:11.0000000Z Successfully installed not-a-version",
        ]);
        assert_eq!(facts.python.as_deref(), Some("CPython 3.12.9"));
        let packages: Vec<String> = facts
            .packages
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        assert_eq!(
            packages,
            [
                "mypy 1.15.0",
                "mypy-extensions 1.0.0",
                "ruff 0.6.0",
                "typing-extensions 4.12.2",
                "demo 1.4.0",
                "pytest 8.3.5"
            ]
        );
    }

    #[test]
    fn trusted_publishing_claims() {
        let facts = read(&[
            "2025-06-11T08:44:08.9620580Z ##[error]Trusted publishing exchange failure: ",
            "* `invalid-publisher`: valid token, but no corresponding publisher",
            "* `sub`: `repo:acme/demo:environment:release`",
            "* `environment`: `release`",
            "* `ref`: `refs/tags/v1.4.0`",
        ]);
        assert_eq!(
            facts.claims,
            [
                (
                    "sub".to_string(),
                    "repo:acme/demo:environment:release".to_string()
                ),
                ("environment".to_string(), "release".to_string()),
                ("ref".to_string(), "refs/tags/v1.4.0".to_string())
            ]
        );
    }

    #[test]
    fn memory_stays_bounded() {
        let mut reader = Reader::default();
        for i in 0..(MAX_PACKAGES + 500) {
            reader.push(&parse(&format!(" + pkg{i}==1.0"), false, false));
        }
        let long = format!(" + x=={}", "9".repeat(10_000));
        reader.push(&parse(&long, false, false));
        let facts = reader.finish();
        assert_eq!(facts.packages.len(), MAX_PACKAGES);
        assert!(facts.packages.iter().all(|(_, v)| v.len() < MAX_VALUE + 10));
        let mut reader = Reader::with_budget(3);
        for i in 0..10 {
            reader.push(&parse(&format!(" + pkg{i}==1.0"), false, false));
        }
        assert_eq!((reader.budget(), reader.finish().packages.len()), (0, 3));
    }
}

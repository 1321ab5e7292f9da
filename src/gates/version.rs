//! The version gate: the tag, the declared version and the release history agree, under PEP 440.
//!
//! Three checks: `version` (the tag names the declared version), `version-order` (the release does not go
//! backwards against the release tags in its history, by the rule of `succession`, and no other commit carries
//! the same version), `version-uploadable` (the package index would accept it).

use std::collections::HashSet;
use std::str::FromStr;
use std::time::{Duration, Instant};

use pep440_rs::Version;

use super::succession::{self, Standing};
use crate::config::Config;
use crate::git::{self, CommitId, Repo, TagRef};
use crate::outcome::{CheckResult, Kind, Status, VersionValidation};
use crate::project::{Declared, VersionSource};
use crate::tag_format::TagFormat;

/// The release tag being gated.
#[derive(Debug, Clone)]
pub struct ReleaseTag {
    pub name: String,
    pub commit: CommitId,
    /// `None` when the name is not a release version under the tag format.
    pub version: Option<Version>,
    /// False while `git tag` is creating (or moving) it: the advice then cannot be to move or delete it.
    pub exists: bool,
}

pub struct VersionInput<'a> {
    pub repo: &'a Repo,
    /// What the project declares, or why it cannot be determined.
    pub declared: &'a Result<Declared, String>,
    pub tag: Option<&'a ReleaseTag>,
    /// The commit whose history counts: the tag's, else HEAD (`None` without commits).
    pub base: Option<CommitId>,
    pub format: &'a TagFormat,
    pub config: &'a Config,
    /// Every ref under refs/tags/, listed once by the caller.
    pub all_tags: &'a [TagRef],
}

pub struct VersionOutcome {
    pub checks: Vec<CheckResult>,
    pub validation: VersionValidation,
    /// The version being released (the tag's, else the declared one), for the index and build checks.
    pub release: Option<Version>,
}

pub fn check(input: &VersionInput) -> VersionOutcome {
    let started = Instant::now();
    let mut validation = VersionValidation {
        git_version: input
            .tag
            .and_then(|t| t.version.as_ref())
            .map(ToString::to_string),
        ..VersionValidation::default()
    };

    let agreement = agreement(input, &mut validation);
    let release = agreement.1.clone();
    let mut checks = vec![agreement.0.took(started.elapsed())];

    if let Some(version) = &release {
        let started = Instant::now();
        checks.push(order(input, version).took(started.elapsed()));
        checks.push(uploadable(version, input.config));
    } else {
        checks.push(CheckResult::skipped(
            "version-order",
            Kind::Version,
            "no release version to compare with the history",
        ));
        checks.push(CheckResult::skipped(
            "version-uploadable",
            Kind::Version,
            "no release version to check",
        ));
    }
    for c in &checks[1..] {
        if c.blocks() && validation.error_message.is_none() {
            validation.error_message = Some(c.message.clone());
            validation.recommended_action = c.details.first().cloned();
        }
    }
    VersionOutcome {
        checks,
        validation,
        release,
    }
}

/// The tag names the declared version. Returns the check and the release version.
fn agreement(
    input: &VersionInput,
    validation: &mut VersionValidation,
) -> (CheckResult, Option<Version>) {
    let name = "version";
    let declared = match input.declared {
        Ok(d) => d,
        Err(message) => {
            validation.error_message = Some(message.clone());
            validation.recommended_action = Some("configure [tool.relgate] version-file".into());
            return (
                CheckResult::error(name, Kind::Version, message.clone()),
                None,
            );
        }
    };
    let where_declared = location(declared);

    // The declared version, parsed; VCS versions have none (the tag is the version).
    let declared_version = match &declared.version {
        Some(raw) => match Version::from_str(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!(
                    "the declared version {raw:?} ({where_declared}) is not a valid PEP 440 version: {e}"
                );
                validation.error_message = Some(message.clone());
                validation.package_version = Some(raw.clone());
                let hint = "use a PEP 440 version such as 1.4.0, 1.4.0rc1, 2024.1 or 1.4.0.post1";
                validation.recommended_action = Some(hint.into());
                return (
                    CheckResult::fail(name, Kind::Version, message).detail(hint),
                    None,
                );
            }
        },
        None => None,
    };
    validation.package_version = declared_version.as_ref().map(ToString::to_string);

    let Some(tag) = input.tag else {
        return match declared_version {
            Some(v) => {
                let expected = input.format.expected_following(
                    declared.version.as_deref().unwrap_or_default(),
                    input.all_tags,
                );
                validation.is_synchronized = false;
                validation.recommended_action =
                    Some(format!("tag the release: git tag {expected}"));
                (
                    CheckResult::pass(
                        name,
                        Kind::Version,
                        format!(
                            "no release tag at HEAD; declared version {v} ({where_declared}) checked against the existing tags; its tag will be {expected}"
                        ),
                    ),
                    Some(v),
                )
            }
            None => (
                CheckResult::skipped(
                    name,
                    Kind::Version,
                    format!(
                        "no release tag at HEAD, and the version comes from git tags ({}): tag the release to check it",
                        declared.vcs_tool.as_deref().unwrap_or("vcs")
                    ),
                ),
                None,
            ),
        };
    };

    let Some(tag_version) = &tag.version else {
        let message = format!(
            "tag {} is not a release tag: it does not match {} with a PEP 440 version",
            tag.name,
            input.format.describe()
        );
        validation.error_message = Some(message.clone());
        let hint = "name release tags like v1.4.0, or set [tool.relgate] tag-format";
        validation.recommended_action = Some(hint.into());
        return (
            CheckResult::fail(name, Kind::Version, message).detail(hint),
            None,
        );
    };

    match declared_version {
        None => {
            validation.is_synchronized = true;
            validation.package_version = Some(tag_version.to_string());
            (
                CheckResult::pass(
                    name,
                    Kind::Version,
                    format!(
                        "tag {} is the version ({} derives it from git tags)",
                        tag.name,
                        declared.vcs_tool.as_deref().unwrap_or("vcs")
                    ),
                ),
                Some(tag_version.clone()),
            )
        }
        Some(declared_v) if declared_v == *tag_version => {
            validation.is_synchronized = true;
            (
                CheckResult::pass(
                    name,
                    Kind::Version,
                    format!(
                        "tag {} matches the declared version {declared_v} ({where_declared})",
                        tag.name
                    ),
                ),
                Some(tag_version.clone()),
            )
        }
        Some(declared_v) => {
            let message = format!(
                "tag {} says {tag_version}, but {where_declared} declares {declared_v}",
                tag.name
            );
            let expected = input
                .format
                .expected_following(&declared_v.to_string(), input.all_tags);
            let file = declared.file.as_deref().unwrap_or("the project");
            let action = if tag.exists {
                format!(
                    "either set the version to {tag_version} in {file}, commit and move the tag (git tag -f {}), or delete the tag (git tag -d {}) and tag the declared version (git tag {expected})",
                    tag.name, tag.name
                )
            } else {
                format!(
                    "either set the version to {tag_version} in {file} and commit before tagging, or tag the declared version (git tag {expected})"
                )
            };
            validation.is_synchronized = false;
            validation.error_message = Some(message.clone());
            validation.recommended_action = Some(action.clone());
            (
                CheckResult::fail(name, Kind::Version, message).detail(action),
                Some(tag_version.clone()),
            )
        }
    }
}

/// [`order_in_history`], except that in a shallow clone a pass is an error: the history it judged is cut off.
fn order(input: &VersionInput, version: &Version) -> CheckResult {
    let result = order_in_history(input, version);
    let monotonic = input.config.monotonic.unwrap_or(true);
    if result.status != Status::Pass || !monotonic {
        return result;
    }
    let Some(cut) = input.base.and_then(|base| input.repo.history_cut(base)) else {
        return result;
    };
    CheckResult::error(
        result.name,
        Kind::Version,
        format!(
            "cannot tell whether {version} goes backwards: this clone is shallow, its history stops at {}, and \
             the release tags beyond are missing",
            git::short(cut)
        ),
    )
    .detail(
        "fetch the whole history: git fetch --unshallow --tags (in GitHub Actions: actions/checkout with \
         fetch-depth: 0), or set [tool.relgate] monotonic = false",
    )
}

/// The release is newer than the release tags in its history that it must follow (see `succession`); no other
/// commit is tagged with this version.
fn order_in_history(input: &VersionInput, version: &Version) -> CheckResult {
    let name = "version-order";
    let Some(base) = input.base else {
        return CheckResult::pass(
            name,
            Kind::Version,
            "no commits yet: nothing to compare with",
        );
    };
    let own_commit = input.tag.map(|t| t.commit);
    let mut candidates: Vec<(&TagRef, Version)> = input
        .all_tags
        .iter()
        .filter_map(|t| input.format.version_of(&t.name).map(|v| (t, v)))
        .collect();
    // Newest first, so the first one found in the history is the one to report.
    candidates.sort_by(|a, b| b.1.cmp(&a.1));

    let monotonic = input.config.monotonic.unwrap_or(true);
    let mut history = History::new(input.repo, base, History::BUDGET);
    let mut notes: Vec<String> = Vec::new();
    let mut warning: Option<String> = None;
    let mut same_commit: Option<String> = None;
    let mut newer_elsewhere: Option<String> = None;
    let mut newer_pre_release: Option<String> = None;
    for (tag, tag_version) in &candidates {
        let commit = input.repo.tag_commit(tag).ok().flatten();
        if *tag_version == *version {
            let same_release = input.tag.is_some_and(|t| t.name == tag.name)
                || (commit.is_some() && commit == own_commit);
            if !same_release {
                let at = commit.map(git::short).unwrap_or_default();
                return CheckResult::fail(
                    name,
                    Kind::Version,
                    format!("{version} is already tagged: {} at {at}", tag.name),
                )
                .detail("a version is released once: bump the version (and tag the new one)");
            }
            continue;
        }
        // Another version tagged on this very commit is not an earlier release: one of the two tags is wrong (the
        // version check of each says which, against the declared version).
        if commit.is_some() && commit == own_commit {
            if same_commit.is_none() {
                same_commit = Some(format!(
                    "warning: {} ({tag_version}) is on the same commit: a commit is released as one version; delete the tag that does not name it (git tag -d NAME)",
                    tag.name
                ));
            }
            continue;
        }
        if tag_version < version {
            // The newest older release that is in the history is the one this release follows.
            if commit.is_some_and(|c| history.contains(c)) {
                notes.extend(
                    newer_pre_release
                        .map(|n| format!("{n}, a pre-release of a newer line, is in its history")),
                );
                notes.extend(newer_elsewhere.map(|n| format!("{n} on another line")));
                return finish(
                    CheckResult::pass(
                        name,
                        Kind::Version,
                        format!(
                            "{version} is newer than {}, the latest release tag in its history{}",
                            tag.name,
                            parenthesized(&notes)
                        ),
                    ),
                    [same_commit, warning],
                );
            }
            continue;
        }
        // A newer tag: fine on another line; in this history, it depends on which of the two are finals.
        let Some(c) = commit.filter(|c| history.contains(*c)) else {
            if newer_elsewhere.is_none() {
                newer_elsewhere = Some(tag.name.clone());
            }
            continue;
        };
        match succession::standing(version, tag_version) {
            Standing::Backwards if monotonic => {
                let (what, hint) = if succession::is_final(version) {
                    (
                        format!(
                            "{} ({tag_version}, at {}) is a final release already in this commit's history",
                            tag.name,
                            git::short(c)
                        ),
                        format!(
                            "a final release must be greater than every final release before it: release a version greater than {tag_version} (a maintenance release goes on a branch that does not contain {}), or set [tool.relgate] monotonic = false",
                            tag.name
                        ),
                    )
                } else {
                    (
                        format!(
                            "{} ({tag_version}, at {}), a later pre-release of the same version, is already in this commit's history",
                            tag.name,
                            git::short(c)
                        ),
                        format!(
                            "release a pre-release greater than {tag_version} (or the final release), or set [tool.relgate] monotonic = false"
                        ),
                    )
                };
                return CheckResult::fail(
                    name,
                    Kind::Version,
                    format!("{version} goes backwards: {what}"),
                )
                .detail(hint);
            }
            Standing::Backwards => {}
            Standing::PreBelowFinal => {
                if warning.is_none() {
                    warning = Some(succession::pre_below_final(
                        version,
                        tag_version,
                        &format!(" (tag {}, in this commit's history)", tag.name),
                    ));
                }
            }
            Standing::OtherLine => {
                if newer_pre_release.is_none() {
                    newer_pre_release = Some(tag.name.clone());
                }
            }
        }
    }
    notes.extend(
        newer_pre_release.map(|n| format!("{n}, a pre-release of a newer line, is in its history")),
    );
    notes.extend(newer_elsewhere.map(|n| format!("{n} on another line")));
    finish(
        CheckResult::pass(
            name,
            Kind::Version,
            format!(
                "{version} is the first release tag in its history{}",
                parenthesized(&notes)
            ),
        ),
        [same_commit, warning],
    )
}

/// A passing order check with its warnings as details.
fn finish(mut result: CheckResult, warnings: [Option<String>; 2]) -> CheckResult {
    result.details.extend(warnings.into_iter().flatten());
    result
}

/// ` (a; b)`, or nothing.
fn parenthesized(notes: &[String]) -> String {
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    }
}

/// Answers "is this commit in the release's history?", exactly, whatever the shape of the history.
///
/// Each question is first answered by `is_ancestor`, which walks from the release back to where the two lines
/// meet: cheap for the tags of recent lines (a release on the newest line asks one or two questions). A
/// maintenance release on an old line asks about every newer tag, and each of those walks may cross most of the
/// history: once the questions have cost [`History::BUDGET`], the history is walked once and kept, so that
/// 100,000 tags cost one walk instead of one walk per tag (minutes).
struct History<'a> {
    repo: &'a Repo,
    base: CommitId,
    spent: Duration,
    budget: Duration,
    walked: bool,
    commits: Option<HashSet<CommitId>>,
}

impl<'a> History<'a> {
    /// Time spent on single questions before walking the whole history (which costs about half a second per
    /// 100,000 commits).
    const BUDGET: Duration = Duration::from_millis(50);

    fn new(repo: &'a Repo, base: CommitId, budget: Duration) -> History<'a> {
        History {
            repo,
            base,
            spent: Duration::ZERO,
            budget,
            walked: false,
            commits: None,
        }
    }

    fn contains(&mut self, commit: CommitId) -> bool {
        if !self.walked && self.spent >= self.budget {
            self.walked = true;
            self.commits = self.repo.history(self.base).ok();
        }
        if let Some(commits) = &self.commits {
            return commits.contains(&commit);
        }
        let started = Instant::now();
        let answer = self.repo.is_ancestor(commit, self.base);
        self.spent += started.elapsed();
        answer
    }
}

/// Would the package index accept this version?
fn uploadable(version: &Version, config: &Config) -> CheckResult {
    let name = "version-uploadable";
    if version.is_local() {
        return CheckResult::fail(
            name,
            Kind::Version,
            format!("{version} is a local version: the package index refuses uploads of local versions (the part after `+`)"),
        )
        .detail("release a version without the `+local` part");
    }
    // The index accepts development releases, and projects do publish them (httpx, tokenizers); others push
    // `.dev0` marker tags for setuptools-scm that are never published. Only a project that says so refuses them.
    if version.is_dev() {
        return match config.allow_dev {
            Some(false) => CheckResult::fail(
                name,
                Kind::Version,
                format!("{version} is a development release (.dev), and allow-dev = false"),
            )
            .detail("release a final, pre- or post-release version, or remove [tool.relgate] allow-dev = false"),
            Some(true) => CheckResult::pass(
                name,
                Kind::Version,
                format!("{version} is a development release (allowed by allow-dev)"),
            ),
            None => CheckResult::pass(
                name,
                Kind::Version,
                format!("{version} is a development release (installers skip it unless asked)"),
            )
            .detail(format!(
                "warning: {version} is a development release: the index accepts it, but is it meant to be published? \
                 set [tool.relgate] allow-dev = true to release .dev versions without this warning, or allow-dev = false to refuse them"
            )),
        };
    }
    let kind = if version.is_pre() {
        "a pre-release (installers skip it unless asked)"
    } else if version.is_post() {
        "a post-release"
    } else {
        "a final release"
    };
    CheckResult::pass(name, Kind::Version, format!("{version} is {kind}"))
}

fn location(declared: &Declared) -> String {
    let file = declared.file.as_deref().unwrap_or("the project");
    let at = declared
        .line
        .map_or_else(|| file.to_owned(), |l| format!("{file}:{l}"));
    if declared.source == VersionSource::Static {
        at
    } else {
        format!("{at}, {}", declared.source.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::History;
    use crate::git::{CommitId, Repo, test_git as git};

    fn commit(dir: &Path, message: &str) -> CommitId {
        git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
        CommitId::from_str(&git(dir, &["rev-parse", "HEAD"])).unwrap()
    }

    /// Asked one by one or answered from one walk of the history, the answers are the same.
    #[test]
    fn history_answers_alike_before_and_after_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        let first = commit(path, "1.0.0");
        let second = commit(path, "2.0.0");
        let third = commit(path, "3.0.0");
        git(path, &["switch", "-q", "-c", "maint", &first.to_string()]);
        let fix = commit(path, "1.0.1");
        let fix2 = commit(path, "1.0.2");
        let repo = Repo::discover(path).unwrap();
        for budget in [Duration::MAX, Duration::ZERO] {
            let mut history = History::new(&repo, fix2, budget);
            let answers: Vec<bool> = [first, second, third, fix, fix2]
                .into_iter()
                .map(|c| history.contains(c))
                .collect();
            assert_eq!(
                answers,
                [true, false, false, true, true],
                "budget {budget:?}"
            );
            assert_eq!(history.commits.is_some(), budget == Duration::ZERO);
        }
    }
}

//! The pre-push hook: gate every release tag the push creates or moves, as the commit git is pushing.
//!
//! Deletions and branch pushes pass untouched (`gate-branches = true` runs the project's checks on pushed
//! branches too); a push without tags reads nothing but git's input. Each release tag is gated with
//! `relgate check --tag` on the pushed commit (its content is exported when the working tree differs).

use std::path::Path;

use super::input::{self, PushedRef};
use super::{gate_output, names, passed, print_report, say};
use crate::commands::Output;
use crate::commands::check::{self, Request};
use crate::config::Config;
use crate::env;
use crate::error::hinted;
use crate::git;
use crate::outcome::{Exit, Kind, Verdict};
use crate::release::{ProjectDir, Release};
use crate::report::Report;

const WAY_AROUND: &str =
    "push without the release gate: git push --no-verify (or RELGATE_SKIP=1 git push ...)";

pub fn run(path: Option<&Path>, remote: &str, _url: &str, out: Output) -> anyhow::Result<Exit> {
    let text = input::read_stdin("pre-push")?;
    gate_push(path, remote, &text, out).inspect_err(|_| {
        say(&format!(
            "relgate: the push to {remote} is refused: relgate could not gate it (the error follows); fix it, or {WAY_AROUND}"
        ));
    })
}

fn gate_push(path: Option<&Path>, remote: &str, text: &str, out: Output) -> anyhow::Result<Exit> {
    let refs = input::parse_pre_push(text)?;
    let updates: Vec<&PushedRef> = refs.iter().filter(|r| !r.is_deletion()).collect();
    let tags: Vec<&PushedRef> = updates
        .iter()
        .copied()
        .filter(|r| r.tag().is_some())
        .collect();
    let branches: Vec<&PushedRef> = updates
        .iter()
        .copied()
        .filter(|r| r.remote_ref.starts_with("refs/heads/"))
        .collect();
    if tags.is_empty() && branches.is_empty() {
        return Ok(Exit::Pass);
    }
    if env::skip() {
        if !tags.is_empty() {
            let list: Vec<&str> = tags.iter().filter_map(|r| r.tag()).collect();
            say(&format!(
                "relgate: warning: RELGATE_SKIP is set: pushing {} to {remote} without the release gate",
                names(&list)
            ));
        }
        return Ok(Exit::Pass);
    }
    let project = ProjectDir {
        path: path.map(Path::to_path_buf),
        tag_format: None,
    };
    // A branch push parses the configuration only when it mentions the one key that matters to it.
    let project_dir = path.unwrap_or(Path::new("."));
    let gate_branches = !branches.is_empty()
        && mentions_gate_branches(project_dir)
        && Config::load(project_dir)?.gate_branches.unwrap_or(false);
    if tags.is_empty() && !gate_branches {
        return Ok(Exit::Pass);
    }

    let release = Release::open(project.clone())?;
    let mut gated: Vec<(String, Report)> = Vec::new();
    let mut not_commits: Vec<String> = Vec::new();
    for pushed in &tags {
        let Some(name) = pushed.tag() else { continue };
        if release.format.version_of(name).is_none() && !release.format.looks_like_release(name) {
            continue; // not a release tag (`latest`, `docs-2024`...): nothing to gate
        }
        let Some(commit) = commit_of(&release, &pushed.local)? else {
            not_commits.push(name.to_owned());
            continue;
        };
        let request = Request {
            project: project.clone(),
            tag: Some(name.to_owned()),
            commit: Some(commit),
            ..Request::default()
        };
        gated.push((name.to_owned(), check::gate(&request, gate_output(out))?));
    }
    if gate_branches {
        for pushed in &branches {
            let Some(commit) = commit_of(&release, &pushed.local)? else {
                continue;
            };
            let request = Request {
                project: project.clone(),
                commit: Some(commit),
                only: Kind::QUALITY.to_vec(),
                ..Request::default()
            };
            let label = pushed
                .remote_ref
                .strip_prefix("refs/heads/")
                .unwrap_or(&pushed.remote_ref);
            gated.push((label.to_owned(), check::gate(&request, gate_output(out))?));
        }
    }

    let mut refused: Vec<&str> = Vec::new();
    for (what, report) in &gated {
        if report.status == Verdict::Pass {
            passed(what, report);
        } else {
            print_report(report, out);
            refused.push(what);
        }
    }
    for name in &not_commits {
        say(&format!(
            "relgate: tag {name} does not point at a commit: a release tag names the released commit"
        ));
        refused.push(name);
    }
    if refused.is_empty() {
        return Ok(Exit::Pass);
    }
    say(&format!(
        "relgate: the push to {remote} is refused: {} did not pass; fix and push again, or {WAY_AROUND}",
        names(&refused)
    ));
    Ok(Exit::Fail)
}

/// The commit an object git is pushing designates (through annotated tags); `None` for a tag of a tree or blob.
fn commit_of(release: &Release, hex: &str) -> anyhow::Result<Option<git::CommitId>> {
    let id = git::parse_id(hex).ok_or_else(|| {
        hinted(
            format!("{hex} is not an object name"),
            "this input comes from git's pre-push hook",
        )
    })?;
    release.repo.peel_to_commit(id)
}

/// Whether the project's configuration files mention `gate-branches` at all: without it, a branch push needs
/// no parsing (and a configuration error waits for the next tag).
fn mentions_gate_branches(dir: &Path) -> bool {
    ["pyproject.toml", "relgate.toml"].iter().any(|name| {
        crate::files::read(dir, Path::new(name))
            .ok()
            .flatten()
            .is_some_and(|bytes| bytes.windows(13).any(|w| w == b"gate-branches"))
    })
}

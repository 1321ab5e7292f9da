//! The reference-transaction hook: refuse to create or move a release tag that fails the fast gates (version
//! agreement, the package index), so that `git tag v9.9.9` on a project declaring 1.0.0 fails and leaves no tag.
//!
//! git runs this hook for every ref update; the shim already let through everything but a prepared transaction
//! touching `refs/tags/`. Here, only `git tag` is gated: tags that arrive by `git fetch`, `git pull`,
//! `git clone` or `git receive-pack` are someone else's releases, and `git pack-refs`/`git gc` rewrite existing
//! tags as if creating them.

use std::path::{Path, PathBuf};

use super::input::{self, TagUpdate};
use super::{gate_output, names, passed, print_report, say};
use crate::commands::Output;
use crate::commands::check::{self, Request};
use crate::env;
use crate::git::{self, Repo};
use crate::hooks::caller;
use crate::outcome::{Exit, Kind, Status, Verdict};
use crate::release::{ProjectDir, Release};
use crate::report::Report;

const WAY_AROUND: &str = "tag without the release gate: RELGATE_SKIP=1 git tag ...";

pub fn run(path: Option<PathBuf>, state: &str, out: Output) -> anyhow::Result<Exit> {
    // In the committed and aborted states there is nothing left to refuse (git ignores the exit status).
    if state != "prepared" {
        return Ok(Exit::Pass);
    }
    let text = input::read_stdin("reference-transaction")?;
    let tags: Vec<TagUpdate> = input::parse_transaction(&text)?
        .into_iter()
        .filter(|t| !t.changes_nothing_to_gate())
        .collect();
    if tags.is_empty() {
        return Ok(Exit::Pass);
    }
    let project_dir = path.clone().unwrap_or_else(|| PathBuf::from("."));
    let list: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    match caller::git_command() {
        Some(command) if is_tag_command(&command.subcommand, &project_dir) => {}
        Some(_) => return Ok(Exit::Pass),
        None => {
            say(&format!(
                "relgate: warning: cannot tell which git command creates {}: not gated now (the pre-push hook gates it)",
                names(&list)
            ));
            return Ok(Exit::Pass);
        }
    }
    if env::skip() {
        say(&format!(
            "relgate: warning: RELGATE_SKIP is set: {} created without the release gate",
            names(&list)
        ));
        return Ok(Exit::Pass);
    }
    gate_tags(path, &tags, out).inspect_err(|_| {
        say(&format!(
            "relgate: {} not created: relgate could not gate it (the error follows); fix it, or {WAY_AROUND}",
            names(&list)
        ));
    })
}

fn gate_tags(path: Option<PathBuf>, tags: &[TagUpdate], out: Output) -> anyhow::Result<Exit> {
    let project = ProjectDir {
        path,
        tag_format: None,
    };
    let release = Release::open(project.clone())?;
    let mut refused: Vec<&str> = Vec::new();
    for tag in tags {
        let name = tag.name.as_str();
        if release.format.version_of(name).is_none() && !release.format.looks_like_release(name) {
            continue; // not a release tag
        }
        let commit = git::parse_id(&tag.new)
            .map(|id| release.repo.peel_to_commit(id))
            .transpose()?
            .flatten();
        let Some(commit) = commit else {
            say(&format!(
                "relgate: tag {name} does not point at a commit: a release tag names the released commit"
            ));
            refused.push(name);
            continue;
        };
        let request = Request {
            project: project.clone(),
            tag: Some(name.to_owned()),
            commit: Some(commit),
            only: vec![Kind::Version, Kind::Index],
            ..Request::default()
        };
        let (report, unasked) = index_cannot_block(check::gate(&request, gate_output(out))?);
        if report.status == Verdict::Pass {
            passed(&format!("tag {name}"), &report);
            if unasked {
                say(
                    "relgate: the tag is created anyway; the pre-push hook asks the index again before it is pushed",
                );
            }
        } else {
            print_report(&report, out);
            refused.push(name);
        }
    }
    if refused.is_empty() {
        return Ok(Exit::Pass);
    }
    say(&format!(
        "relgate: {} not created; fix the release and tag again, or {WAY_AROUND}",
        names(&refused)
    ));
    Ok(Exit::Fail)
}

/// Creating a tag is local: an index that cannot be asked (offline, a timeout) warns here instead of refusing,
/// and the pre-push hook asks again, and refuses, before the tag leaves the machine. An index that answers that
/// the version is taken still refuses.
fn index_cannot_block(mut report: Report) -> (Report, bool) {
    let mut unasked = false;
    for check in &mut report.checks {
        if check.name == "index" && check.status == Status::Error && check.required {
            check.required = false;
            unasked = true;
        }
    }
    (report.finish(), unasked)
}

/// `git tag`, or an alias for it (`alias.t = tag`, followed through aliases of aliases).
fn is_tag_command(subcommand: &str, project_dir: &Path) -> bool {
    if subcommand == "tag" {
        return true;
    }
    let Ok(repo) = Repo::discover(project_dir) else {
        return false;
    };
    let mut name = subcommand.to_owned();
    for _ in 0..10 {
        let Some(expansion) = repo.config_string(&format!("alias.{name}")) else {
            return false;
        };
        // A shell alias (`!git tag ...`) runs git again: that git is the one found among the ancestors.
        let Some(first) = expansion.split_whitespace().next() else {
            return false;
        };
        if first == "tag" {
            return true;
        }
        first.clone_into(&mut name);
    }
    false
}

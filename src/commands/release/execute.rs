//! The steps after the gate passed: write the version file, stage it, move the branch to the gated commit, tag
//! it, push both atomically, create the GitHub release. A step that fails before the branch moves is undone
//! (the file and the index are put back); after that, nothing is undone behind the user's back: the error says
//! exactly what exists now, and the commands to retry or undo. Never a force push.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Interrupted, hinted};
use crate::git::{self, CommitId, write};
use crate::github::Client;
use crate::github::release::NewRelease;
use crate::process::{self, Ended};
use crate::release::Release;

use super::github::Notes;
use super::plan::Plan;

/// What the release left, for the summary and the JSON document.
#[derive(Debug, Default)]
pub struct Done {
    pub committed: bool,
    pub tagged: bool,
    pub pushed: bool,
    pub github_release: Option<String>,
}

/// Carry out the plan on `commit` (the gated release commit, or HEAD when nothing changes).
pub fn execute(release: &Release, plan: &Plan, commit: CommitId) -> anyhow::Result<Done> {
    // Each step is finished, and what was done said, before a Ctrl-C stops the release (a second one stops it
    // at once).
    let _held = process::hold_interrupts();
    let workdir = release.repo.workdir();
    let mut done = Done::default();
    if let Some(edit) = &plan.edit {
        stop_if_interrupted(plan, &done, commit)?;
        let on_disk = workdir.join(&edit.path);
        if std::fs::read(&on_disk).ok().as_deref() != Some(edit.old_bytes.as_slice()) {
            return Err(hinted(
                format!(
                    "{} changed while the gate ran: nothing was committed, tagged or pushed, and your change is kept",
                    edit.shown
                ),
                "commit or undo that change, then run relgate release again",
            ));
        }
        replace_file(&on_disk, &edit.new_bytes).map_err(|e| {
            hinted(
                format!(
                    "cannot write {}: {e}; nothing was committed, tagged or pushed",
                    edit.shown
                ),
                "fix the file's permissions, then run relgate release again",
            )
        })?;
        let staged = write::add(workdir, std::slice::from_ref(&edit.path)).and_then(|()| {
            let (index, gated) = (
                release.repo.index_blob(&edit.path),
                release.repo.blob_at(commit, &edit.path),
            );
            if index.is_some() && index == gated {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "git stored {} differently from the gated commit (a clean filter or line-ending conversion)",
                    edit.shown
                ))
            }
        });
        let moved = staged.and_then(|()| {
            write::advance_head(
                workdir,
                commit,
                plan.head,
                &format!("relgate release: {}", plan.commit_message),
            )
        });
        if let Err(e) = moved {
            let restored = replace_file(&on_disk, &edit.old_bytes).is_ok()
                && write::add(workdir, std::slice::from_ref(&edit.path)).is_ok();
            let state = if restored {
                format!("{} and the index are as they were", edit.shown)
            } else {
                format!(
                    "{} could not be put back: git checkout HEAD -- {} restores it",
                    edit.shown,
                    edit.path.display()
                )
            };
            return Err(hinted(
                format!(
                    "cannot commit the release on {}: {e}\n  now: nothing was committed, tagged or pushed; {state}",
                    plan.branch
                ),
                "check `git status`, then run relgate release again",
            ));
        }
        done.committed = true;
    }

    stop_if_interrupted(plan, &done, commit)?;
    match write::create_tag(workdir, &plan.tag, commit, &plan.tag_message) {
        Ok(output) => show(&output),
        Err(e) => {
            if e.downcast_ref::<Interrupted>().is_some() {
                say(&state_after(plan, &done, commit));
                return Err(e);
            }
            return Err(stuck(
                &format!("cannot create tag {}: {e}", plan.tag),
                plan,
                &done,
                commit,
                "fix what git said, then create the tag and push by hand (the commands above)",
            ));
        }
    }
    done.tagged = true;

    stop_if_interrupted(plan, &done, commit)?;
    say(&format!("relgate: pushing: {}", plan.push_command()));
    let ended = write::push_atomic(workdir, &plan.remote, &plan.refspecs())?;
    match ended {
        Ended::Exited(0) => done.pushed = true,
        Ended::Interrupted => {
            say(&state_after(plan, &done, commit));
            say(&format!(
                "relgate: the push was interrupted; it is atomic, so {} got both or neither: git ls-remote {} {} tells which",
                plan.remote, plan.remote, plan.tag
            ));
            return Err(Interrupted.into());
        }
        other => {
            let how = match other {
                Ended::Exited(code) => format!("git push exited with {code}"),
                Ended::TimedOut => "git push did not finish in time".into(),
                Ended::Signaled(s) => format!("git push was killed by {}", process::signal_name(s)),
                Ended::Interrupted | Ended::Cancelled => "git push was stopped".into(),
            };
            return Err(stuck(
                &format!(
                    "the push to {} failed ({how}; git's messages are above): the release exists only in this repository",
                    plan.remote
                ),
                plan,
                &done,
                commit,
                "fix what the remote said, then retry the push; never force-push a release",
            ));
        }
    }

    if let Some(gh) = &plan.github {
        stop_if_interrupted(plan, &done, commit)?;
        let body = match &gh.notes {
            Notes::Generated => None,
            Notes::File(_, text) => Some(text.clone()),
            Notes::TagMessage => Some(plan.tag_message.clone()),
        };
        let request = NewRelease {
            tag_name: plan.tag.clone(),
            name: plan.tag.clone(),
            body,
            draft: false,
            prerelease: gh.prerelease,
            generate_release_notes: matches!(gh.notes, Notes::Generated),
        };
        let created = Client::from_env(&gh.api).and_then(|c| c.create_release(&gh.repo, &request));
        match created {
            Ok(created) => {
                done.github_release = Some(created.html_url.map_or_else(
                    || format!("{} on {}", plan.tag, gh.repo),
                    |u| crate::term::printable(&u),
                ));
            }
            Err(e) => {
                let notes = match &gh.notes {
                    Notes::Generated => "--generate-notes".to_owned(),
                    Notes::File(path, _) => format!("--notes-file {}", path.display()),
                    Notes::TagMessage => "--notes-from-tag".to_owned(),
                };
                let pre = if gh.prerelease { " --prerelease" } else { "" };
                return Err(hinted(
                    format!(
                        "the GitHub release was not created: {e}\n  now: {}\n  retry: gh release create {} --verify-tag {notes}{pre} --repo {}",
                        state_after(plan, &done, commit),
                        plan.tag,
                        gh.repo
                    ),
                    "the tag is pushed: only the GitHub release is missing; create it with the command above (or on the repository's Releases page)",
                ));
            }
        }
    }
    Ok(done)
}

/// An error for a failure after the commit: what exists, how to retry, how to undo.
fn stuck(what: &str, plan: &Plan, done: &Done, commit: CommitId, hint: &str) -> anyhow::Error {
    let mut message = format!("{what}\n  now: {}", state_after(plan, done, commit));
    if done.tagged {
        let _ = write!(message, "\n  retry: {}", plan.push_command());
    } else if done.committed {
        let _ = write!(
            message,
            "\n  retry: git tag -a {} -m {} && {}",
            plan.tag,
            process::display(&[plan.tag_message.lines().next().unwrap_or_default()]),
            plan.push_command()
        );
    }
    let _ = write!(message, "\n  undo:  {}", undo(plan, done));
    hinted(message, hint)
}

/// What exists after the steps done so far.
fn state_after(plan: &Plan, done: &Done, commit: CommitId) -> String {
    let mut parts = Vec::new();
    if done.committed {
        parts.push(format!(
            "commit {} {:?} on {}",
            git::short(commit),
            plan.commit_message,
            plan.branch
        ));
    }
    if done.tagged {
        parts.push(format!(
            "annotated tag {} on {}",
            plan.tag,
            git::short(commit)
        ));
    }
    if parts.is_empty() {
        return "nothing was created".to_owned();
    }
    let remote = if done.pushed {
        format!("both pushed to {}", plan.remote)
    } else {
        format!("{} has neither (the push is atomic)", plan.remote)
    };
    format!("{}; {remote}", parts.join(", "))
}

/// The commands that take the local release back (never the remote's: a pushed release stays).
fn undo(plan: &Plan, done: &Done) -> String {
    let mut steps = Vec::new();
    if done.tagged {
        steps.push(format!("git tag -d {}", plan.tag));
    }
    if done.committed {
        steps.push("git reset --keep HEAD~1".to_owned());
    }
    if steps.is_empty() {
        "nothing to undo".to_owned()
    } else {
        steps.join(" && ")
    }
}

fn stop_if_interrupted(plan: &Plan, done: &Done, commit: CommitId) -> anyhow::Result<()> {
    if !process::interrupted() {
        return Ok(());
    }
    if done.committed || done.tagged {
        say(&format!(
            "relgate: interrupted; {}; undo: {}",
            state_after(plan, done, commit),
            undo(plan, done)
        ));
    } else {
        say("relgate: interrupted before anything was written: nothing was changed");
    }
    Err(Interrupted.into())
}

/// Replace a file's content atomically (a temporary file beside it, renamed over it), keeping its permissions.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".relgate-release-")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), permissions)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What git and the hooks printed, on stderr, indented.
fn show(output: &str) {
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        say(&format!("  {}", crate::term::printable(line)));
    }
}

fn say(line: &str) {
    crate::output::errln!("{line}");
}

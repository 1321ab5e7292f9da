//! `relgate github protect [--dry-run]`: send the changes that make `relgate github audit` pass, in order,
//! stopping at the first refusal; or, with `--dry-run`, print each request (method, path, JSON body) and send
//! nothing. The plan comes from what GitHub holds now, so a second run finds nothing to change.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Target, api_error, emit};
use crate::Exit;
use crate::cli::{Format, ProtectArgs};
use crate::commands::Output;
use crate::error::hinted;
use crate::gates::github::remedy::{self, Change, Plan};
use crate::gates::github::{self as gate, printable};
use crate::github::{ApiError, RepoName};

/// What a token must have to change these settings, in both token families' words.
const NEEDS: &str = "a fine-grained token with the repository permission \"Administration: write\", or a classic token with the `repo` scope, whose account is an admin of the repository";

/// The `relgate github protect --format json` document.
#[derive(Serialize)]
struct ProtectDoc<'a> {
    relgate_version: &'static str,
    repository: String,
    dry_run: bool,
    /// The requests, in order (all sent unless `dry_run`).
    changes: &'a [Change],
    /// What relgate cannot set; `relgate github audit` fails until it is done.
    manual: &'a [String],
}

pub fn run(args: &ProtectArgs, out: Output) -> anyhow::Result<Exit> {
    let target = Target::open(&args.github)?;
    let repo = &target.repo;
    let observed =
        gate::observe(&target.client, repo, &target.expect).map_err(|e| api_error(&e))?;
    let verdicts = gate::audit(&target.expect, &observed);
    let plan = remedy::plan(&target.expect, &observed, &verdicts);
    let admin = observed.repository.permissions.as_ref().map(|p| p.admin);
    let json = out.format == Format::Json;

    if args.dry_run {
        if json {
            document(repo, true, &plan)?;
        } else {
            let mut text = requests(&plan);
            if admin == Some(false) && !plan.changes.is_empty() {
                let _ = writeln!(
                    text,
                    "note: the token's account is not an admin of {repo}: GitHub would refuse these ({NEEDS})"
                );
            }
            text.push_str(&manual(&plan));
            emit(&text);
        }
        return Ok(exit(&plan));
    }

    if admin == Some(false) && !plan.changes.is_empty() {
        return Err(hinted(
            format!(
                "the token's account is not an admin of {repo}: it may not change the repository's rule sets, environments or Actions settings"
            ),
            format!("use {NEEDS}; `relgate github protect --dry-run` shows the requests"),
        ));
    }
    let mut done: Vec<&Change> = Vec::new();
    for change in &plan.changes {
        let what = format!("{} {}", change.method, change.path);
        if let Err(e) = target
            .client
            .write(change.method, &change.path, &change.body, &what)
        {
            return Err(refused(&e, change, &done, repo));
        }
        if !json && !out.quiet {
            emit(&format!("done: {}\n", change.summary));
        }
        done.push(change);
    }
    if json {
        document(repo, false, &plan)?;
    } else {
        let mut text = String::new();
        if plan.changes.is_empty() {
            let _ = writeln!(text, "nothing to change on {repo}");
        }
        text.push_str(&manual(&plan));
        if !plan.changes.is_empty() {
            let _ = writeln!(text, "check: relgate github audit");
        }
        emit(&text);
    }
    Ok(exit(&plan))
}

/// 0 when relgate could do everything, 1 when steps remain for the user (advisory ones aside).
fn exit(plan: &Plan) -> Exit {
    if plan.manual.iter().all(|m| m.starts_with("advisory: ")) {
        Exit::Pass
    } else {
        Exit::Fail
    }
}

fn document(repo: &RepoName, dry_run: bool, plan: &Plan) -> anyhow::Result<()> {
    let doc = ProtectDoc {
        relgate_version: env!("CARGO_PKG_VERSION"),
        repository: repo.to_string(),
        dry_run,
        changes: &plan.changes,
        manual: &plan.manual,
    };
    crate::output::json(&doc)
}

/// Each request as it would be sent: `# what`, `METHOD /path`, the JSON body.
fn requests(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.changes.is_empty() {
        out.push_str("nothing to change\n");
    }
    for change in &plan.changes {
        let body = serde_json::to_string_pretty(&change.body).unwrap_or_default();
        let _ = writeln!(
            out,
            "# {}\n{} {}\n{body}\n",
            change.summary, change.method, change.path
        );
    }
    out
}

fn manual(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.manual.is_empty() {
        out.push_str("to do by hand (relgate does not change these):\n");
        for step in &plan.manual {
            let _ = writeln!(out, "  - {step}");
        }
    }
    out
}

/// A change GitHub refused: what it was, why, what was done before it, and what the token needs.
fn refused(err: &ApiError, change: &Change, done: &[&Change], repo: &RepoName) -> anyhow::Error {
    let before = if done.is_empty() {
        "nothing was changed".to_owned()
    } else {
        format!(
            "done before it: {}",
            done.iter()
                .map(|c| c.summary.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let message = format!(
        "GitHub refused to {}: {}; {before}",
        change.summary,
        printable(&err.to_string())
    );
    let hint = match err {
        ApiError::Forbidden { message, .. }
            if message.contains("Upgrade to GitHub") || message.contains("enable this feature") =>
        {
            format!(
                "{repo}'s plan does not offer this for a private repository: make it public or upgrade the plan"
            )
        }
        ApiError::Forbidden { needs, .. } => format!(
            "the token may not change {repo}'s settings: use {NEEDS}{}",
            needs
                .as_deref()
                .map_or_else(String::new, |n| format!(" (GitHub asks for {})", printable(n)))
        ),
        ApiError::NotFound { .. } => format!(
            "GitHub answers 404 to a change the token may not make: use {NEEDS}; and check --repo"
        ),
        ApiError::Status { status: 422, .. } => format!(
            "GitHub does not accept this {} as it is: see its reasons above; `relgate github protect --dry-run` prints the request",
            change.method
        ),
        ApiError::Status { status: 409, .. } => {
            "the organisation decides this setting: ask an owner (Organization settings > Actions > General > Workflow permissions)".into()
        }
        other => gate::api_hint(other),
    };
    hinted(message, hint)
}

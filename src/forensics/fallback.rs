//! `relgate ci explain --tag TAG` when GitHub cannot be asked: the release explained from the repository
//! alone. What the release run would be (the workflow that publishes on the tag, its trigger, the quality steps
//! of the publishing jobs), whether the tag's content passes those steps (checked here by `relgate check`'s
//! own gate), and what changed since the previous release tag in what they read. Failures are
//! [`FailureReport`]s, as `ci explain` and `ci compare` report them; this module holds the report's shape, its
//! failures' wording and its human form.

use serde::Serialize;

use super::changes::Change;
use super::render::block;
use super::{Category, Explanation, FailureReport};
use crate::outcome::{CheckResult, Kind, Status};
use crate::output::{Style, Text};

/// Excerpt lines of one failed check at most.
const EXCERPT: usize = 20;

/// What the repository says of the release.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseFacts {
    pub tag: String,
    pub commit: String,
    /// The release tag before it in its history, whose content is what changed from.
    pub previous_tag: Option<String>,
    pub previous_commit: Option<String>,
    pub workflows: Vec<WorkflowFacts>,
    /// The publishing jobs' steps that check, build or upload, with the verdict of the checks relgate ran.
    pub steps: Vec<ReleaseStep>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkflowFacts {
    pub file: String,
    pub name: Option<String>,
    /// The event that starts it on the tag: `push`, `release`, `workflow_dispatch`.
    pub event: String,
    pub trigger: String,
    /// The publishing jobs and the jobs they need.
    pub jobs: Vec<String>,
    pub uploads: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseStep {
    pub workflow: String,
    pub job: String,
    pub step: String,
    /// What it runs: quality tools (`ruff`, `mypy`...), `build`, `publish`.
    pub tools: Vec<String>,
    pub condition: Option<String>,
    /// The local checks that stand for it, with their verdicts.
    pub checks: Vec<StepCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepCheck {
    pub name: String,
    pub kind: Kind,
    pub status: Status,
    pub message: String,
}

/// The `relgate ci explain --tag --format json` document: `ci explain`'s, with the release's facts.
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    #[serde(flatten)]
    pub explanation: super::render::Document<'a>,
    pub release: &'a ReleaseFacts,
}

pub fn document<'a>(explanation: &'a Explanation, release: &'a ReleaseFacts) -> Document<'a> {
    Document {
        explanation: super::render::document(explanation),
        release,
    }
}

/// A check of the gate that failed (or could not give a verdict), as a failure of the release run.
pub fn report(
    check: &CheckResult,
    step: Option<&ReleaseStep>,
    event: &str,
    tag: &str,
) -> FailureReport {
    let category = category(check);
    let kind = check.kind.as_str();
    let reproduce = format!("relgate check --tag {tag} --only {kind}");
    let fix = check
        .details
        .iter()
        .find_map(|d| d.strip_prefix("fix: "))
        .map(str::to_string);
    let recommended_action = match (check.status, fix) {
        (Status::Error, _) => format!(
            "relgate could not run this check here ({}); run the step's command as CI does, or install the tool and run `{reproduce}`",
            check.message
        ),
        (_, Some(fix)) => {
            format!("{fix}; `{reproduce}` confirms it before the tag is pushed again")
        }
        (_, None) => format!(
            "{}; `{reproduce}` confirms the fix before the tag is pushed again",
            what_to_do(category)
        ),
    };
    let mut excerpt: Vec<String> = check
        .issues
        .iter()
        .map(|f| {
            let at = match (&f.file, f.line, f.column) {
                (Some(file), Some(line), Some(col)) => format!("{file}:{line}:{col}: "),
                (Some(file), Some(line), None) => format!("{file}:{line}: "),
                (Some(file), None, _) => format!("{file}: "),
                _ => String::new(),
            };
            let code = f
                .code
                .as_deref()
                .map_or_else(String::new, |c| format!("{c} "));
            format!("{at}{code}{}", f.message)
        })
        .collect();
    excerpt.extend(
        check
            .details
            .iter()
            .filter(|d| !d.starts_with("fix: "))
            .cloned(),
    );
    excerpt.truncate(EXCERPT);
    FailureReport {
        workflow_run_id: None,
        trigger_event: Some(event.to_string()),
        job: step.map(|s| s.job.clone()),
        failed_step: Some(step.map_or_else(|| check.name.clone(), |s| s.step.clone())),
        error_message: match check.status {
            Status::Error => format!("{} could not give a verdict: {}", check.name, check.message),
            _ => check.message.clone(),
        },
        exit_code: check.exit_code,
        timestamp: None,
        logs_excerpt: excerpt.join("\n"),
        category,
        recommended_action,
        reproduce,
    }
}

fn category(check: &CheckResult) -> Category {
    if check.status == Status::Error {
        return Category::Other;
    }
    match check.kind {
        Kind::Lint => Category::Lint,
        Kind::Format => Category::Format,
        Kind::Type => Category::Type,
        Kind::Test => Category::Test,
        Kind::Build => Category::Build,
        Kind::Index => Category::VersionConflict,
        Kind::Publish if check.name == "metadata" => Category::Metadata,
        Kind::Publish => {
            let text = check.message.to_ascii_lowercase();
            if ["oidc", "credential", "trusted", "token"]
                .iter()
                .any(|w| text.contains(w))
            {
                Category::Auth
            } else {
                Category::Other
            }
        }
        Kind::Version => Category::Other,
    }
}

fn what_to_do(category: Category) -> &'static str {
    match category {
        Category::Lint => "fix the findings",
        Category::Format => "run the formatter and commit the result",
        Category::Type => "fix the type errors",
        Category::Test => "fix the failing tests",
        Category::Build => "fix the build",
        _ => "fix what the check reports",
    }
}

/// The human form.
pub fn human(explanation: &Explanation, release: &ReleaseFacts, quiet: bool) -> Text {
    let mut out = Text::new();
    if !quiet {
        out.line(format!(
            "relgate ci explain · tag {} ({}) · {}",
            release.tag,
            short(&release.commit),
            explanation.form.describe()
        ));
        for w in &release.workflows {
            let name = w
                .name
                .as_deref()
                .map_or_else(String::new, |n| format!(" \"{n}\""));
            out.end().paint(Style::Dim, "workflow:").line(format!(
                " {}{name} runs on {}: jobs {}",
                w.file,
                w.trigger,
                w.jobs.join(", ")
            ));
            for upload in &w.uploads {
                out.line(format!("  {upload}"));
            }
        }
        steps(&mut out, &release.steps);
        changes(&mut out, release);
    }
    for (i, report) in explanation.failures.iter().enumerate() {
        if !quiet || i > 0 {
            out.end();
        }
        block(&mut out, report, quiet);
    }
    for note in &explanation.notes {
        out.paint(Style::Dim, "note:").line(format!(" {note}"));
    }
    out.end();
    match explanation.failures.len() {
        0 => out.paint(Style::Pass, "PASS").line(format!(
            " tag {} passes the checks its release run runs: the failure is elsewhere (the index, credentials, the runner); with GitHub, `relgate ci explain --run RUN_ID` reads the run's log",
            release.tag
        )),
        1 => out.line("1 failed release check explained"),
        n => out.line(format!("{n} failed release checks explained")),
    };
    out
}

fn steps(out: &mut Text, steps: &[ReleaseStep]) {
    if steps.is_empty() {
        return;
    }
    out.end()
        .paint(Style::Dim, "release steps, checked on the tag's content:")
        .end();
    let width = steps
        .iter()
        .map(|s| s.job.chars().count() + s.step.chars().count() + 3)
        .max()
        .unwrap_or(10)
        .min(60);
    for s in steps {
        let label = format!("{} › {}", s.job, s.step);
        out.add(format!("  {label:<width$}  "));
        if s.checks.is_empty() {
            out.paint(Style::Dim, "not checked");
        }
        for (i, c) in s.checks.iter().enumerate() {
            if i > 0 {
                out.add(", ");
            }
            let (style, status) = match c.status {
                Status::Pass => (Style::Pass, "pass"),
                Status::Fail => (Style::Fail, "FAIL"),
                Status::Error => (Style::Fail, "ERROR"),
                Status::Skipped => (Style::Dim, "skipped"),
            };
            out.add(format!("{} ", c.name)).paint(style, status);
        }
        if let Some(c) = s.condition.as_deref() {
            out.add("  ").paint(Style::Dim, format!("(if: {c})"));
        }
        out.end();
    }
}

fn changes(out: &mut Text, release: &ReleaseFacts) {
    let Some(previous) = &release.previous_tag else {
        return;
    };
    if release.changes.is_empty() {
        out.end()
            .paint(Style::Dim, format!("changed since {previous}:"))
            .line(" nothing the release steps read");
        return;
    }
    out.end()
        .paint(Style::Dim, format!("changed since {previous}:"))
        .end();
    for c in &release.changes {
        out.add("  ")
            .paint(Style::Dim, format!("{:<19}", c.area.describe()))
            .line(format!("  {}: {}", c.file, c.detail));
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

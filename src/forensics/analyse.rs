//! One failed step, explained: the evidence in its output, the command it ran, how it ended (exit code,
//! timeout, cancellation), the excerpt to show.

use super::command::{self, Invocation, ToolKind};
use super::evidence::{self, Detail, Evidence, Lines, Wrapper};
use super::job::{Job, Step};
use super::line::{self, Marker};
use super::{Category, FailureReport, RunLog, action, job_label};
use crate::tools::Tool;

/// Lines of output shown in the excerpt at most.
const EXCERPT: usize = 20;
/// Characters of one excerpt line at most (a `docker run` line with every variable runs to a page).
const EXCERPT_LINE: usize = 300;

/// What the analysis found, for the action and the reproduce command.
pub struct Finding<'a> {
    pub category: Category,
    pub message: String,
    pub detail: Detail,
    /// The tool of the catalogue whose own report the message is.
    pub tool: Option<&'static Tool>,
    pub wrapper: Option<Wrapper>,
    /// The command of the step that failed (the one the evidence points at in a multi-command script).
    pub invocation: Option<Invocation>,
    pub exit_code: Option<i32>,
    /// The runner stopped the step or the job: `exceeded the maximum execution time`, `has timed out after`.
    pub timeout: Option<String>,
    /// A tool's own output or the index explains the failure (not only the command line).
    pub explained: bool,
    pub step: &'a Step,
}

pub fn analyse(log: &RunLog, job: &Job, step: &Step) -> FailureReport {
    let lines = Lines::new(&step.lines);
    let (found, wrapper) = evidence::scan(&lines);
    let best = evidence::best(&found).cloned();
    let runner_end = (0..lines.len()).find(|&i| {
        let l = lines.line(i);
        l.marker == Marker::Error && line::is_runner_error(&l.text)
    });
    let exit_code = (0..lines.len()).rev().find_map(|i| {
        let l = lines.line(i);
        (l.marker == Marker::Error)
            .then(|| line::exit_code(&l.text))
            .flatten()
    });
    let timeout = (0..lines.len()).map(|i| lines.text(i)).find(|t| {
        t.contains("has exceeded the maximum execution time") || t.contains("has timed out after")
    });
    // The runner itself went away (a shutdown, a lost connection): its words are the message.
    let runner_gone = (0..lines.len()).map(|i| lines.text(i)).find(|t| {
        t.starts_with("The runner has received a shutdown signal")
            || t.contains("lost communication with the server")
    });
    let focus = best.as_ref().map(|e| e.at).or(runner_end);
    let header = step.header_at(focus.map_or(0, |i| lines.index(i)));
    let invocations = header
        .map(|h| command::invocations(&h.script_lines()))
        .unwrap_or_default();
    let from_action = header.and_then(command::from_action);
    let category_hint = best.as_ref().map(|e| e.category);
    let invocation = pick_invocation(&invocations, category_hint, wrapper.as_ref()).or(from_action);

    let fallback = || -> Evidence {
        let category = invocation
            .as_ref()
            .and_then(|i| kind_category(i.kind))
            .or_else(|| match &wrapper {
                Some(Wrapper::PreCommit { hook }) => evidence::hook_category(hook),
                _ => None,
            })
            .unwrap_or(Category::Other);
        let (at, message) = other_message(&lines, runner_end);
        Evidence {
            category,
            strength: 1,
            at,
            message,
            detail: Detail::None,
            tool: None,
        }
    };
    let chosen = best.unwrap_or_else(fallback);
    let message = match (timeout.or(runner_gone), chosen.strength) {
        (Some(t), s) if s < evidence::TOOL => t.trim().to_string(),
        (Some(t), _) => format!("{} ({})", t.trim(), chosen.message),
        (None, _) => chosen.message.clone(),
    };
    let message = evidence::relative_to_workspace(&message);
    let failed_at = runner_end.or(Some(chosen.at));
    let timestamp = failed_at
        .and_then(|i| lines.line(i).ts.clone())
        .or_else(|| step.last_ts.clone());
    let finding = Finding {
        category: chosen.category,
        message,
        detail: chosen.detail.clone(),
        tool: chosen.tool,
        wrapper,
        invocation,
        exit_code,
        timeout: timeout.map(|t| t.trim().to_string()),
        explained: chosen.strength >= evidence::TOOL,
        step,
    };
    FailureReport {
        workflow_run_id: log.run_id,
        trigger_event: log.event.clone(),
        job: job.name.clone(),
        failed_step: Some(step_name(job, step)),
        error_message: finding.message.clone(),
        exit_code,
        timestamp,
        logs_excerpt: excerpt(&lines, chosen.at, runner_end),
        category: finding.category,
        recommended_action: action::recommend(&finding, log),
        reproduce: action::reproduce(&finding),
    }
}

/// A job that was cancelled, when nothing else failed.
pub fn cancelled(log: &RunLog, job: &Job) -> FailureReport {
    let step = job
        .steps
        .iter()
        .find(|s| {
            s.lines.iter().any(|(_, l)| {
                l.marker == Marker::Error && l.text.starts_with("The operation was canceled")
            })
        })
        .or_else(|| job.steps.last());
    let (timestamp, excerpt_text, failed_step) = match step {
        Some(step) => {
            let lines = Lines::new(&step.lines);
            let at =
                (0..lines.len()).find(|&i| lines.text(i).starts_with("The operation was canceled"));
            (
                at.and_then(|i| lines.line(i).ts.clone())
                    .or_else(|| step.last_ts.clone()),
                excerpt(&lines, at.unwrap_or(0), at),
                Some(step_name(job, step)),
            )
        }
        None => (None, String::new(), None),
    };
    FailureReport {
        workflow_run_id: log.run_id,
        trigger_event: log.event.clone(),
        job: job.name.clone(),
        failed_step,
        error_message: "The operation was canceled.".into(),
        exit_code: None,
        timestamp,
        logs_excerpt: excerpt_text,
        category: Category::Other,
        recommended_action: format!(
            "{} was cancelled: by hand, by a newer run in the same concurrency group, or because another job of a matrix failed (fail-fast); explain the run's failed job instead ({})",
            job_label(job),
            action::log_hint(log.run_id)
        ),
        reproduce: "relgate check".into(),
    }
}

/// A job the API says failed whose log holds no error line (a log cut short, a runner that died).
pub fn declared(log: &RunLog, job: &Job) -> FailureReport {
    let step = job.failed_steps.first().cloned();
    let last = job
        .steps
        .iter()
        .rev()
        .find(|s| !s.lines.is_empty() || s.last_ts.is_some());
    let conclusion = job.conclusion.as_deref().unwrap_or("failure");
    FailureReport {
        workflow_run_id: log.run_id,
        trigger_event: log.event.clone(),
        job: job.name.clone(),
        failed_step: step.clone(),
        error_message: format!(
            "GitHub reports the job as {conclusion}{}, but its log holds no error line",
            step.as_deref()
                .map_or_else(String::new, |s| format!(" in step \"{s}\""))
        ),
        exit_code: None,
        timestamp: last.and_then(|s| s.last_ts.clone()),
        logs_excerpt: String::new(),
        category: Category::Other,
        recommended_action: format!(
            "open the run's page for the job's annotations (a runner that died, a log cut short), or re-run it; {}",
            action::log_hint(log.run_id)
        ),
        reproduce: "relgate check".into(),
    }
}

/// The step's name: the API's or `gh`'s when they name the failed step, else the log's.
fn step_name(job: &Job, step: &Step) -> String {
    if job.failed_steps.len() == 1 && step.number.is_none() && step.name != job.failed_steps[0] {
        return job.failed_steps[0].clone();
    }
    step.name.clone()
}

fn kind_category(kind: ToolKind) -> Option<Category> {
    Some(match kind {
        ToolKind::Lint => Category::Lint,
        ToolKind::Format => Category::Format,
        ToolKind::Type => Category::Type,
        ToolKind::Test => Category::Test,
        ToolKind::Build => Category::Build,
        ToolKind::Check => Category::Metadata,
        _ => return None,
    })
}

/// The command of a multi-command script that the failure belongs to: the one whose tool matches the
/// category, else the wrapper's, else the only one.
fn pick_invocation(
    all: &[Invocation],
    category: Option<Category>,
    wrapper: Option<&Wrapper>,
) -> Option<Invocation> {
    let wanted: &[ToolKind] = match category {
        Some(Category::Lint) => &[ToolKind::Lint],
        Some(Category::Format) => &[ToolKind::Format],
        Some(Category::Type) => &[ToolKind::Type],
        Some(Category::Test) => &[ToolKind::Test],
        Some(Category::Build) => &[ToolKind::Build],
        Some(Category::Metadata) => &[ToolKind::Check, ToolKind::Publish, ToolKind::Build],
        Some(Category::Auth | Category::VersionConflict) => &[ToolKind::Publish],
        Some(Category::Network | Category::Other) | None => &[],
    };
    let by_kind = all.iter().rev().find(|i| wanted.contains(&i.kind));
    let by_wrapper = || {
        let name = match wrapper? {
            Wrapper::Tox { .. } => "tox",
            Wrapper::Nox { .. } => "nox",
            Wrapper::PreCommit { .. } => "pre-commit",
            Wrapper::Make { .. } => "make",
        };
        all.iter()
            .find(|i| i.tool == name || i.tool == "prek" && name == "pre-commit")
    };
    let any_wrapper = || all.iter().find(|i| i.kind == ToolKind::Wrapper);
    let meaningful: Vec<&Invocation> = all
        .iter()
        .filter(|i| !matches!(i.kind, ToolKind::Install))
        .collect();
    let only = || (meaningful.len() == 1).then(|| meaningful[0]);
    let last_tool = || {
        // With `set -e`, the failing command is the last one that ran; the last known tool is the best guess.
        meaningful
            .iter()
            .rev()
            .find(|i| i.kind != ToolKind::Other)
            .copied()
    };
    by_kind
        .or_else(by_wrapper)
        .or_else(any_wrapper)
        .or_else(only)
        .or_else(|| category.is_none().then(last_tool).flatten())
        .cloned()
}

/// For a failure no tool explains: the first error annotation that is not the runner's (joined with its
/// continuation lines), else the last line of output before the runner's error.
fn other_message(lines: &Lines, runner_end: Option<usize>) -> (usize, String) {
    let annotation = (0..lines.len()).find(|&i| {
        let l = lines.line(i);
        l.marker == Marker::Error && !line::is_runner_error(&l.text)
    });
    if let Some(i) = annotation {
        return (i, super::publish::message_at(lines, i));
    }
    let end = runner_end.unwrap_or(lines.len());
    let shown = |i: &usize| !evidence::is_noise(lines.line(*i)) && !lines.line(*i).continuation;
    // The last line that says something went wrong, else the last line at all.
    let errorish = (end.saturating_sub(40)..end)
        .rev()
        .filter(shown)
        .find(|&i| looks_like_error(lines.text(i)));
    let last = (0..end).rev().find(shown);
    match errorish.or(last).or(runner_end) {
        Some(i) => (i, lines.text(i).trim().to_string()),
        None => (0, "the step failed without any output".into()),
    }
}

fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} [...]", &text[..at]),
        None => text,
    }
}

fn looks_like_error(text: &str) -> bool {
    let t = text.trim_start().to_ascii_lowercase();
    if t.starts_with("note:") || t.starts_with("hint:") || t.starts_with("warning") {
        return false;
    }
    [
        "error",
        "exception",
        "fatal",
        "failed",
        "not found",
        "no such file",
        "denied",
    ]
    .iter()
    .any(|needle| t.contains(needle))
}

/// Up to [`EXCERPT`] lines of output: from a little before the evidence to the runner's error line; a long
/// stretch shows its start and its end (where the summaries are).
fn excerpt(lines: &Lines, at: usize, end: Option<usize>) -> String {
    if lines.len() == 0 {
        return String::new();
    }
    let end = end.unwrap_or(lines.len() - 1).max(at).min(lines.len() - 1);
    let start = at.saturating_sub(3);
    let chosen: Vec<usize> = if end - start < EXCERPT {
        (start..=end).collect()
    } else {
        let tail = 7;
        (start..start + (EXCERPT - tail))
            .chain(end + 1 - tail..=end)
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    let mut previous: Option<usize> = None;
    for i in chosen {
        if let Some(p) = previous {
            let gap = lines.index(i).saturating_sub(lines.index(p) + 1);
            match gap {
                0 => {}
                1 => out.push("[... 1 line ...]".to_string()),
                n => out.push(format!("[... {n} lines ...]")),
            }
        }
        previous = Some(i);
        let l = lines.line(i);
        if matches!(l.marker, Marker::Group | Marker::EndGroup | Marker::Debug) {
            continue;
        }
        let text = match l.marker {
            Marker::Error => format!("Error: {}", l.text),
            Marker::Warning => format!("Warning: {}", l.text),
            _ => l.text.trim_end().to_string(),
        };
        out.push(cut(text, EXCERPT_LINE));
    }
    while out.first().is_some_and(|t| t.trim().is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|t| t.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

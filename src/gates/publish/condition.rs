//! When a workflow's job or step runs on a release: the events a release tag can start the workflow with, and
//! GitHub's `if:` evaluated on them, as far as that is possible without running anything. The one evaluation
//! for the publish gate (which jobs publish a release, which tools gate it), the GitHub audit (which jobs
//! publish) and `relgate ci explain --tag` (which release steps run).
//!
//! Only conditions made of these tests are read: `github.event_name`, `github.ref`, `github.ref_type` and
//! `github.ref_name` compared with `==` or `!=` to a literal, and `startsWith(github.ref, '...')` (or
//! `!startsWith(...)`), joined by `&&` or by `||` (not both). Anything else (`always()`, `needs.x.result`,
//! `inputs.x`, `github.event.action`) is unknown, and an unknown condition may be true: a job is left out of a
//! release only when its condition is certainly false on every event that release can start it with.
//! <https://docs.github.com/en/actions/reference/workflows-and-actions/expressions>

use super::workflow::{Job, Step, Workflow};

/// The ref a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref<'a> {
    /// A full ref name: `refs/tags/v1.4.0`.
    Exact(&'a str),
    /// A release tag whose name is not known yet.
    AnyTag,
    /// The default branch, whatever its name (`workflow_run` and `repository_dispatch` run there).
    AnyBranch,
}

/// Whether an `if:` lets its job or step run on a run started by `event` on `reference` (a full ref name,
/// `refs/tags/v1.4.0`); `None` when the condition cannot be read.
pub fn runs_on(condition: &str, event: &str, reference: &str) -> Option<bool> {
    evaluate(condition, event, Ref::Exact(reference))
}

/// Whether `job` of `w` (and `step`, when given) can run on a release at all: some event a release tag can start
/// `w` with (whatever the tag's name) leaves each of their conditions possibly true. A workflow that only pull
/// requests, schedules or branch pushes start never runs on a release; nor does a job whose `if:` is false
/// for every such event (`github.event_name == 'pull_request'`, `startsWith(github.ref, 'refs/heads/')`).
pub fn may_run_on_release(w: &Workflow, job: &Job, step: Option<&Step>) -> bool {
    let conditions: Vec<&str> = [
        job.condition.as_deref(),
        step.and_then(|s| s.condition.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    release_events(w).into_iter().any(|event| {
        let reference = match event {
            "workflow_run" | "repository_dispatch" => Ref::AnyBranch,
            _ => Ref::AnyTag,
        };
        conditions
            .iter()
            .all(|c| evaluate(c, event, reference) != Some(false))
    })
}

/// Why [`may_run_on_release`] says no, in words: the triggers, or the condition that is never true.
pub fn never_on_release(w: &Workflow, job: &Job, step: Option<&Step>) -> String {
    if release_events(w).is_empty() {
        let on: Vec<String> = w
            .triggers
            .iter()
            .map(|t| match t.event.as_str() {
                "push" if !t.branches.is_empty() => {
                    format!("branch pushes ({})", t.branches.join(", "))
                }
                "push" => "branch pushes".to_owned(),
                other => other.to_owned(),
            })
            .collect();
        return if on.is_empty() {
            format!("{} has no trigger", w.path)
        } else {
            format!("{} runs only on {}", w.path, on.join(", "))
        };
    }
    let condition = [
        job.condition.as_deref(),
        step.and_then(|s| s.condition.as_deref()),
    ]
    .into_iter()
    .flatten()
    .find(|c| {
        release_events(w).into_iter().all(|event| {
            let reference = match event {
                "workflow_run" | "repository_dispatch" => Ref::AnyBranch,
                _ => Ref::AnyTag,
            };
            evaluate(c, event, reference) == Some(false)
        })
    });
    match condition {
        Some(c) => format!("`if: {}` is false on every release", c.trim()),
        None => "its conditions are false on every release".to_owned(),
    }
}

/// The events that can start `w` on a release tag, whatever its name: a tag push its filters may let through,
/// a GitHub release, the tag's creation, a manual run (on the tag), another workflow's run, an API dispatch,
/// and for a reusable workflow its callers' events.
fn release_events(w: &Workflow) -> Vec<&'static str> {
    let mut events: Vec<&'static str> = Vec::new();
    for t in &w.triggers {
        let started: &[&'static str] = match t.event.as_str() {
            "push" => {
                let tag_filtered = !t.filter.is_empty() || !t.tags_ignore.is_empty();
                if tag_filtered || !t.branch_filtered {
                    &["push"]
                } else {
                    &[]
                }
            }
            "release" => &["release"],
            "create" => &["create"],
            "workflow_dispatch" => &["workflow_dispatch"],
            "workflow_run" => &["workflow_run"],
            "repository_dispatch" => &["repository_dispatch"],
            "workflow_call" => &["push", "release", "create", "workflow_dispatch"],
            _ => &[],
        };
        for event in started {
            if !events.contains(event) {
                events.push(event);
            }
        }
    }
    events
}

fn evaluate(condition: &str, event: &str, reference: Ref) -> Option<bool> {
    let text = condition.trim();
    let text = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text)
        .trim();
    let (terms, all): (Vec<&str>, bool) = match (text.contains("&&"), text.contains("||")) {
        (true, true) => return None,
        (true, false) => (text.split("&&").collect(), true),
        (false, true) => (text.split("||").collect(), false),
        (false, false) => (vec![text], true),
    };
    // `false && unknown` is false and `true || unknown` is true, whatever the unknown term says.
    let values: Vec<Option<bool>> = terms.iter().map(|t| term(t, event, reference)).collect();
    if all {
        if values.contains(&Some(false)) {
            Some(false)
        } else if values.iter().all(Option::is_some) {
            Some(true)
        } else {
            None
        }
    } else if values.contains(&Some(true)) {
        Some(true)
    } else if values.iter().all(Option::is_some) {
        Some(false)
    } else {
        None
    }
}

fn term(text: &str, event: &str, reference: Ref) -> Option<bool> {
    let text = text.trim();
    let text = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text)
        .trim();
    let (negated, call) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    if call
        .get(..11)
        .is_some_and(|head| head.eq_ignore_ascii_case("startsWith("))
    {
        let args = call.get(11..)?.strip_suffix(')')?;
        let (subject, prefix) = args.split_once(',')?;
        if subject.trim() != "github.ref" {
            return None;
        }
        return starts_with(reference, &literal(prefix)?).map(|v| v != negated);
    }
    if negated {
        return None;
    }
    for (op, equal) in [("==", true), ("!=", false)] {
        if let Some((left, right)) = text.split_once(op) {
            let right = literal(right)?;
            let same = match left.trim() {
                "github.event_name" => Some(event == right),
                "github.ref" => ref_is(reference, &right),
                "github.ref_type" => Some(ref_type(reference) == right),
                "github.ref_name" => match reference {
                    Ref::Exact(name) => Some(short_name(name) == right),
                    Ref::AnyTag | Ref::AnyBranch => None,
                },
                _ => return None,
            };
            return same.map(|s| s == equal);
        }
    }
    None
}

fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    s.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
        .map(str::to_string)
}

fn ref_type(reference: Ref) -> &'static str {
    match reference {
        Ref::Exact(name) if name.starts_with("refs/tags/") => "tag",
        Ref::Exact(_) | Ref::AnyBranch => "branch",
        Ref::AnyTag => "tag",
    }
}

fn short_name(name: &str) -> &str {
    name.strip_prefix("refs/tags/")
        .or_else(|| name.strip_prefix("refs/heads/"))
        .unwrap_or(name)
}

/// `startsWith(github.ref, prefix)`; for a ref known only by its kind, unknown when the prefix goes further.
fn starts_with(reference: Ref, prefix: &str) -> Option<bool> {
    let kind = match reference {
        Ref::Exact(name) => return Some(name.starts_with(prefix)),
        Ref::AnyTag => "refs/tags/",
        Ref::AnyBranch => "refs/heads/",
    };
    if kind.starts_with(prefix) {
        Some(true)
    } else if prefix.starts_with(kind) {
        None
    } else {
        Some(false)
    }
}

/// `github.ref == value`.
fn ref_is(reference: Ref, value: &str) -> Option<bool> {
    let kind = match reference {
        Ref::Exact(name) => return Some(name == value),
        Ref::AnyTag => "refs/tags/",
        Ref::AnyBranch => "refs/heads/",
    };
    if value.starts_with(kind) {
        None
    } else {
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::publish::workflow;

    #[test]
    fn conditions_on_the_event_and_the_ref() {
        let tag = "refs/tags/v1.4.0";
        assert_eq!(
            runs_on("github.event_name == 'push'", "push", tag),
            Some(true)
        );
        assert_eq!(
            runs_on("${{ github.event_name != 'push' }}", "push", tag),
            Some(false)
        );
        assert_eq!(
            runs_on("startsWith(github.ref, 'refs/tags/')", "push", tag),
            Some(true)
        );
        assert_eq!(
            runs_on(
                "github.event_name == 'release' || github.event_name == 'workflow_dispatch'",
                "push",
                tag
            ),
            Some(false)
        );
        assert_eq!(
            runs_on(
                "github.ref_type == 'tag' && github.event_name == 'push'",
                "push",
                tag
            ),
            Some(true)
        );
        assert_eq!(runs_on("always()", "push", tag), None);
        assert_eq!(runs_on("a == 'b' && c || d", "push", tag), None);
        assert_eq!(runs_on("inputs.publish == true", "push", tag), None);
        assert_eq!(runs_on("startsWit€(github.ref, 'x')", "push", tag), None);
        assert_eq!(runs_on("!", "push", tag), None);
    }

    #[test]
    fn a_false_term_decides_a_conjunction_and_a_true_one_a_disjunction() {
        let tag = "refs/tags/v1.4.0";
        assert_eq!(
            runs_on(
                "github.event_name == 'pull_request' && inputs.x",
                "push",
                tag
            ),
            Some(false)
        );
        assert_eq!(
            runs_on("github.ref_name == 'v1.4.0' || inputs.x", "push", tag),
            Some(true)
        );
        assert_eq!(
            runs_on("github.event_name == 'push' && inputs.x", "push", tag),
            None
        );
    }

    /// Whether the only job of a workflow (`on` and the job's `if`) may run on some release.
    fn may_run(on: &str, condition: &str) -> bool {
        let text = format!("on: {on}\njobs:\n  up:\n    if: {condition}\n    steps: []\n");
        let w = workflow::parse("w.yml", &text).unwrap();
        may_run_on_release(&w, &w.jobs[0], None)
    }

    #[test]
    fn which_jobs_may_run_on_a_release() {
        assert!(may_run("push", "startsWith(github.ref, 'refs/tags/')"));
        assert!(may_run("push", "github.ref == 'refs/tags/v1.0.0'"));
        assert!(may_run(
            "{push: {tags: ['v*']}}",
            "github.ref_type == 'tag'"
        ));
        assert!(!may_run("{push: {branches: [main]}}", "always()"));
        assert!(!may_run("pull_request", "always()"));
        assert!(!may_run("schedule", "always()"));
        assert!(!may_run(
            "[push, pull_request]",
            "github.event_name == 'pull_request'"
        ));
        assert!(!may_run("push", "startsWith(github.ref, 'refs/heads/')"));
        assert!(!may_run("push", "github.ref == 'refs/heads/main'"));
        assert!(!may_run("push", "github.ref_type == 'branch'"));
        assert!(may_run("push", "startsWith(github.ref, 'refs/tags/v2')"));
        // A release, a manual run on the tag, the tag's creation, or a caller's event.
        assert!(may_run("release", "github.event_name == 'release'"));
        assert!(may_run(
            "workflow_dispatch",
            "startsWith(github.ref, 'refs/tags/')"
        ));
        assert!(may_run("create", "github.ref_type == 'tag'"));
        assert!(may_run("workflow_call", "github.event_name == 'push'"));
        // workflow_run runs on the default branch: a tag ref is never its ref.
        assert!(!may_run(
            "workflow_run",
            "startsWith(github.ref, 'refs/tags/')"
        ));
        assert!(may_run(
            "workflow_run",
            "github.event.workflow_run.conclusion == 'success'"
        ));
    }
}

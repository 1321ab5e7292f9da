//! `default-branch`: a merge into the default branch waits for the CI jobs that run the project's quality
//! tools, and the branch cannot be force-pushed or deleted, by rule sets (the organisation's included) or
//! classic branch protection.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use super::{BRANCH_RULESET, DEFAULT_BRANCH, Expectations, Observed, printable, unreadable};
use crate::gates::publish::jobs::QualityJob;
use crate::github::settings::{BranchRule, ClassicProtection};
use crate::outcome::{CheckResult, Kind};

pub fn check(expect: &Expectations, observed: &Observed) -> CheckResult {
    let branch = printable(&observed.repository.default_branch);
    let jobs = expected_jobs(expect, &observed.repository.default_branch);
    let mut sources = Vec::new();
    let mut required: BTreeSet<String> = BTreeSet::new();
    let (mut no_force, mut no_delete) = (false, false);
    if let Ok(rules) = &observed.branch_rules {
        for rule in rules {
            let counted = match rule.kind.as_str() {
                "required_status_checks" => {
                    required.extend(contexts(rule));
                    true
                }
                "non_fast_forward" => {
                    no_force = true;
                    true
                }
                "deletion" => {
                    no_delete = true;
                    true
                }
                _ => false,
            };
            if counted {
                let source = ruleset_name(observed, rule);
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
    }
    if let Ok(Some(classic)) = &observed.classic {
        required.extend(classic_contexts(classic));
        no_force |= classic
            .allow_force_pushes
            .as_ref()
            .is_none_or(|e| !e.enabled);
        no_delete |= classic.allow_deletions.as_ref().is_none_or(|e| !e.enabled);
        sources.push("classic branch protection".to_owned());
    }
    let (rules_err, classic_err) = (
        observed.branch_rules.as_ref().err(),
        observed.classic.as_ref().err(),
    );
    if let (Some(e), Some(_)) = (rules_err, classic_err) {
        return unreadable(
            DEFAULT_BRANCH,
            &format!("the rules of branch {branch}"),
            e,
            "Metadata: read",
        );
    }

    let missing: Vec<&QualityJob> = jobs
        .iter()
        .filter(|j| !required.iter().any(|c| j.is_checked_by(c)))
        .copied()
        .collect();
    let mut problems = Vec::new();
    if required.is_empty() {
        problems.push(format!(
            "no status check must pass before a merge into {branch}"
        ));
    } else if !missing.is_empty() {
        problems.push(format!(
            "the checks required before a merge into {branch} leave out {}",
            describe_jobs(&missing)
        ));
    }
    if jobs.is_empty() && required.is_empty() {
        problems.push(format!(
            "no workflow runs the project's quality tools on pull requests into {branch}: there is no check to require"
        ));
    }
    if !no_force {
        problems.push(format!("force pushes to {branch} are allowed"));
    }
    if !no_delete {
        problems.push(format!("{branch} may be deleted"));
    }

    if problems.is_empty() {
        let checks: Vec<String> = required.iter().map(|c| printable(c)).collect();
        return CheckResult::pass(
            DEFAULT_BRANCH,
            Kind::Publish,
            format!(
                "{branch} requires {} before a merge and blocks force pushes and deletion ({})",
                crate::gates::name_list(&checks.iter().map(String::as_str).collect::<Vec<_>>(), 5),
                sources.join(", ")
            ),
        );
    }
    let mut result = if let Some((setting, err, permission)) = rules_err
        .map(|e| (format!("the rules of branch {branch}"), e, "Metadata: read"))
        .or_else(|| {
            classic_err.map(|e| {
                (
                    format!("the classic protection of {branch}"),
                    e,
                    "Administration: read",
                )
            })
        }) {
        // What could not be read may be what allows it: no verdict, never a pass.
        let mut r = unreadable(DEFAULT_BRANCH, &setting, err, permission);
        r.message = format!("{}; and {}", problems[0], r.message);
        r
    } else {
        CheckResult::fail(DEFAULT_BRANCH, Kind::Publish, problems[0].clone())
    };
    let fix = fix(&jobs, &missing, &branch);
    result.details.insert(0, format!("fix: {fix}"));
    result.details.extend(problems.iter().skip(1).cloned());
    if !sources.is_empty() {
        result
            .details
            .push(format!("found: {}", sources.join(", ")));
    }
    result
}

/// The quality jobs that pull requests into `branch` run.
pub fn expected_jobs<'a>(expect: &'a Expectations, branch: &str) -> Vec<&'a QualityJob> {
    expect
        .jobs
        .quality
        .iter()
        .filter(|j| j.runs_for(branch))
        .collect()
}

/// The check names a `required_status_checks` rule requires.
pub fn contexts(rule: &BranchRule) -> Vec<String> {
    rule_contexts(rule.parameters.as_ref())
}

/// The `context` of each entry of `required_status_checks` parameters.
pub fn rule_contexts(parameters: Option<&Value>) -> Vec<String> {
    parameters
        .and_then(|p| p.get("required_status_checks"))
        .and_then(Value::as_array)
        .map(|checks| {
            checks
                .iter()
                .filter_map(|c| c.get("context").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn classic_contexts(classic: &ClassicProtection) -> Vec<String> {
    classic
        .required_status_checks
        .as_ref()
        .map(|c| {
            c.contexts
                .iter()
                .cloned()
                .chain(c.checks.iter().map(|k| k.context.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// `rule set "name"` for a rule's source, `rule set 42 (Organization acme)` when its name is not known.
fn ruleset_name(observed: &Observed, rule: &BranchRule) -> String {
    let named = observed.rulesets.as_ref().ok().and_then(|all| {
        all.iter()
            .find(|r| Some(r.id) == rule.ruleset_id)
            .map(|r| format!("rule set \"{}\"", printable(&r.name)))
    });
    named.unwrap_or_else(|| {
        format!(
            "rule set {} ({} {})",
            rule.ruleset_id.unwrap_or_default(),
            printable(rule.ruleset_source_type.as_deref().unwrap_or("?")),
            printable(rule.ruleset_source.as_deref().unwrap_or("?"))
        )
    })
}

/// `lint (ruff) and test (...) (pytest) of .github/workflows/ci.yml`.
fn describe_jobs(jobs: &[&QualityJob]) -> String {
    let parts: Vec<String> = jobs
        .iter()
        .map(|j| {
            format!(
                "`{}` ({}, {})",
                printable(&j.label),
                j.tools.join(", "),
                j.workflow
            )
        })
        .collect();
    parts.join(", ")
}

fn fix(jobs: &[&QualityJob], missing: &[&QualityJob], branch: &str) -> String {
    if jobs.is_empty() {
        return format!(
            "run the quality tools in a workflow `on: pull_request` (`relgate checks` lists them), then `relgate github protect` makes {branch} require that job and blocks force pushes and deletion"
        );
    }
    let unnamed: Vec<String> = missing
        .iter()
        .filter(|j| j.checks.is_none())
        .map(|j| format!("`{}`", printable(&j.label)))
        .collect();
    let mut fix = format!(
        "`relgate github protect` (rule set \"{BRANCH_RULESET}\": the checks of the quality jobs required, force pushes and deletion blocked)"
    );
    if !unnamed.is_empty() {
        let _ = write!(
            fix,
            "; the runs of {} are only named once GitHub runs them: add them to the rule set by name (Settings > Rules > Rulesets)",
            unnamed.join(", ")
        );
    }
    fix
}

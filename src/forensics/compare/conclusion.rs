//! The conclusion: of everything that differs, the difference that explains the bad run's first failure, in
//! one or two sentences, and the local command that checks it before the next release.
//!
//! In order: the failed step did not run in the good run (a condition, a step added since); trusted
//! publishing refused a token whose claims differ; the tool the step ran differs in version; the Python or
//! other packages differ; the step's `env:` or inputs differ; the commits differ; nothing seen differs.

use super::align::Pair;
use super::{Conclusion, EnvDifference, EnvKind, Side, StepOutcome, check_command};
use crate::forensics::{Category, FailureReport};

/// Packages named in a conclusion at most.
const NAMED: usize = 3;

pub fn conclude(
    failure: &FailureReport,
    at: Option<(&Pair, usize)>,
    environment: &[EnvDifference],
    good: &Side,
    bad: &Side,
) -> Conclusion {
    let category = failure.category;
    let check = check_command(category).to_string();
    let step = at.map_or_else(
        || failure.failed_step.clone().unwrap_or_else(|| "?".into()),
        |(pair, row)| pair.step(row).step,
    );
    let what = format!("step \"{step}\" ({})", category.as_str());
    let conclusion = |cause: String| Conclusion {
        cause,
        check: check.clone(),
        category,
    };
    let compared = at.map(|(pair, row)| pair.step(row));
    let good_outcome = compared.as_ref().map(|c| (c.good, c.good_reason.clone()));
    match good_outcome {
        None => {
            return conclusion(format!(
                "{what} failed in the bad run; the good run's log shows no such step of job \"{}\" to compare it with: compare with a log of the same job",
                failure.job.as_deref().unwrap_or("?")
            ));
        }
        Some((outcome, reason)) if !outcome.ran() => {
            let why = reason.map_or_else(String::new, |r| format!(" ({r})"));
            return conclusion(format!(
                "{what} failed in the bad run and did not run in the good run{why}: the good run's success says nothing about it"
            ));
        }
        Some((StepOutcome::Failed, _)) => {
            return conclusion(format!(
                "{what} failed in the good run too: the failure is not what differs between the runs"
            ));
        }
        Some(_) => {}
    }
    let of = |kind: EnvKind| environment.iter().filter(move |d| d.kind == kind);
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    if category == Category::Auth {
        let claims: Vec<String> = of(EnvKind::Claim)
            .map(|d| {
                format!(
                    "its {} claim is `{}`, the good run's `{}`",
                    d.name,
                    value(&d.bad),
                    value(&d.good)
                )
            })
            .collect();
        if !claims.is_empty() {
            return conclusion(format!(
                "the index refused the bad run's trusted-publishing token: {}; a trusted publisher matches every claim exactly (register one for the bad run's claims, or publish from the job the good run used)",
                claims.join("; ")
            ));
        }
        if let Some(d) = of(EnvKind::Permission).find(|d| d.name == "IdToken") {
            return conclusion(format!(
                "the bad run's job token had `IdToken: {}` and the good run's `IdToken: {}`: trusted publishing needs `permissions: id-token: write` on the publishing job",
                value(&d.bad),
                value(&d.good)
            ));
        }
        let first = failure.error_message.lines().next().unwrap_or_default();
        return conclusion(format!(
            "the index refused the bad run's credentials ({first}); the good run's token claims are not in its log (a successful exchange prints none): compare the bad run's claims with the trusted publisher registered on the index"
        ));
    }
    if let Some(d) = of(EnvKind::Package).find(|d| step_runs(at, &d.name)) {
        return conclusion(format!(
            "{what} ran in both runs with a different {name}: {} in the good run, {} in the bad run; pin {name} to the version you check with, or fix what {name} {} reports",
            value(&d.good),
            value(&d.bad),
            value(&d.bad),
            name = d.name
        ));
    }
    let python = of(EnvKind::Python).next();
    let packages: Vec<&EnvDifference> = of(EnvKind::Package).collect();
    if python.is_some() || !packages.is_empty() {
        let mut parts = Vec::new();
        if let Some(d) = python {
            parts.push(format!("Python {} → {}", value(&d.good), value(&d.bad)));
        }
        let mut named: Vec<String> = packages
            .iter()
            .take(NAMED)
            .map(|d| format!("{} {} → {}", d.name, value(&d.good), value(&d.bad)))
            .collect();
        if packages.len() > NAMED {
            named.push(format!("{} more packages", packages.len() - NAMED));
        }
        parts.extend(named);
        return conclusion(format!(
            "{what} ran in both runs with a different environment (good → bad): {}",
            parts.join(", ")
        ));
    }
    let settings: Vec<String> = environment
        .iter()
        .filter(|d| matches!(d.kind, EnvKind::Env | EnvKind::Input))
        .map(|d| format!("{} `{}`", d.kind.as_str(), d.name))
        .collect();
    if !settings.is_empty() {
        return conclusion(format!(
            "{what} ran in both runs with different settings: {}",
            settings.join(", ")
        ));
    }
    let commits = (checkout(good, at, true), checkout(bad, at, false));
    if let (Some(g), Some(b)) = commits {
        if g != b {
            return conclusion(format!(
                "{what} passed at {} in the good run and failed at {} in the bad run: the code changed between the two commits",
                short(&g),
                short(&b)
            ));
        }
    }
    conclusion(format!(
        "{what} ran in both runs and nothing the logs show differs: {}",
        failure.error_message
    ))
}

/// Whether the step at `at` runs the tool distributed as `package` (its header's commands, or its action).
fn step_runs(at: Option<(&Pair, usize)>, package: &str) -> bool {
    let Some((pair, row)) = at else { return false };
    let Some(header) = pair
        .bad_row(row)
        .and_then(|r| r.step)
        .and_then(|s| s.header())
    else {
        return false;
    };
    let text = header.script_lines().join("\n");
    crate::forensics::command::invocations(&header.script_lines())
        .iter()
        .any(|i| {
            crate::forensics::facts::normalize(i.tool.split(' ').next().unwrap_or("")) == package
        })
        || crate::forensics::command::from_action(header).is_some_and(|i| {
            crate::forensics::facts::normalize(i.tool.split(' ').next().unwrap_or("")) == package
        })
        || (text.is_empty() && header.run.contains(package))
}

/// The commit the run checked out in the compared job.
fn checkout(side: &Side, at: Option<(&Pair, usize)>, good: bool) -> Option<String> {
    let (pair, _) = at?;
    let view = if good { pair.good } else { pair.bad }?;
    let job = view.job?;
    job.steps
        .iter()
        .find_map(|s| s.facts.checkout_commit.clone())
        .or_else(|| side.api.as_ref().and_then(|a| a.head_sha.clone()))
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

//! What differs in the environment of the step that failed: the runner, the token's permissions, the Python
//! and the packages set up before it (up to the same step in the good run), the step's `env:` and inputs, the
//! publish action's inputs, and, when trusted publishing failed, the token's claims.

use std::collections::BTreeMap;

use super::align::{Pair, Row};
use super::{EnvDifference, EnvKind, Side, workflow_path};
use crate::forensics::job::{Job, Step};
use crate::forensics::{Category, FailureReport, command};

/// Package differences listed at most.
const MAX_PACKAGES: usize = 100;

/// Variables `actions/setup-python` adds to every later step's `env:`: they follow the Python version, which
/// is compared on its own.
const SETUP_PYTHON_ENV: [&str; 6] = [
    "pythonLocation",
    "PKG_CONFIG_PATH",
    "Python_ROOT_DIR",
    "Python2_ROOT_DIR",
    "Python3_ROOT_DIR",
    "LD_LIBRARY_PATH",
];

const NONE: &str = "(none)";

/// What a job had set up by a step.
#[derive(Debug, Default)]
struct Env {
    runner: Vec<(&'static str, String)>,
    permissions: BTreeMap<String, String>,
    python: Option<String>,
    packages: BTreeMap<String, String>,
    claims: BTreeMap<String, String>,
}

/// The differences for the failed step at row `at` of `pair`.
pub fn differences(
    pair: &Pair,
    at: usize,
    good: &Side,
    bad: &Side,
    failure: Option<&FailureReport>,
) -> Vec<EnvDifference> {
    let (Some(bad_view), Some(good_view)) = (pair.bad, pair.good) else {
        return Vec::new();
    };
    let (Some(bad_job), Some(good_job)) = (bad_view.job, good_view.job) else {
        return Vec::new();
    };
    let bad_row = pair.bad_row(at);
    let good_row = pair.good_row(at);
    let step_name = pair.step(at).step;
    let bad_env = env_of(bad_job, bad_row.and_then(|r| r.step));
    let good_env = env_of(good_job, good_row.and_then(|r| r.step));
    let job = Some(pair.name.clone());
    let mut out = Vec::new();
    let mut push = |kind: EnvKind, step: bool, name: &str, g: Option<String>, b: Option<String>| {
        out.push(EnvDifference {
            job: job.clone(),
            step: step.then(|| step_name.clone()),
            kind,
            name: name.to_string(),
            good: g,
            bad: b,
        });
    };
    for (name, value) in &bad_env.runner {
        let other = good_env.runner.iter().find(|(n, _)| n == name);
        if let Some((_, g)) = other.filter(|(_, g)| g != value) {
            push(
                EnvKind::Runner,
                false,
                name,
                Some(g.clone()),
                Some(value.clone()),
            );
        }
    }
    if !good_env.permissions.is_empty() && !bad_env.permissions.is_empty() {
        for (name, g, b) in map_differences(&good_env.permissions, &bad_env.permissions) {
            push(EnvKind::Permission, false, &name, g, b);
        }
    }
    if let (Some(g), Some(b)) = (&good_env.python, &bad_env.python) {
        if g != b {
            push(
                EnvKind::Python,
                false,
                "python",
                Some(g.clone()),
                Some(b.clone()),
            );
        }
    }
    if !good_env.packages.is_empty() && !bad_env.packages.is_empty() {
        let tool = bad_row.and_then(tool_package);
        let mut packages = map_differences(&good_env.packages, &bad_env.packages);
        packages.sort_by_key(|(name, _, _)| Some(name) != tool.as_ref());
        for (name, g, b) in packages.into_iter().take(MAX_PACKAGES) {
            push(EnvKind::Package, false, &name, g, b);
        }
    }
    let headers = (
        good_row.and_then(|r| r.step).and_then(Step::header),
        bad_row.and_then(|r| r.step).and_then(Step::header),
    );
    if let (Some(g), Some(b)) = headers {
        let env = |pairs: &[(String, String)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .filter(|(k, _)| !SETUP_PYTHON_ENV.contains(&k.as_str()))
                .cloned()
                .collect()
        };
        for (name, gv, bv) in map_differences(&env(&g.env), &env(&b.env)) {
            push(EnvKind::Env, true, &name, gv, bv);
        }
        let with = |pairs: &[(String, String)]| pairs.iter().cloned().collect();
        for (name, gv, bv) in map_differences(&with(&g.with), &with(&b.with)) {
            push(EnvKind::Input, true, &name, gv, bv);
        }
    }
    out.extend(publish_inputs(pair, at));
    if failure.is_some_and(|f| f.category == Category::Auth) {
        out.extend(claims(pair, &good_env, &bad_env, good, bad, &step_name));
    }
    out
}

/// The facts of a job's steps, up to `upto` (the whole job when `None`).
fn env_of(job: &Job, upto: Option<&Step>) -> Env {
    let mut env = Env::default();
    for step in &job.steps {
        let f = &step.facts;
        for (name, value) in [
            ("image", &f.image),
            ("image version", &f.image_version),
            ("runner version", &f.runner_version),
        ] {
            if let Some(value) = value {
                if !env.runner.iter().any(|(n, _)| *n == name) {
                    env.runner.push((name, value.clone()));
                }
            }
        }
        env.permissions.extend(f.permissions.iter().cloned());
        if f.python.is_some() {
            env.python.clone_from(&f.python);
        }
        env.packages.extend(f.packages.iter().cloned());
        env.claims.extend(f.claims.iter().cloned());
        if upto.is_some_and(|u| std::ptr::eq(u, step)) {
            break;
        }
    }
    env
}

/// `(key, good, bad)` for every key whose value differs; a key only one side has is `(none)` on the other.
fn map_differences(
    good: &BTreeMap<String, String>,
    bad: &BTreeMap<String, String>,
) -> Vec<(String, Option<String>, Option<String>)> {
    let mut keys: Vec<&String> = good.keys().chain(bad.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| good.get(*k) != bad.get(*k))
        .map(|k| {
            let value = |m: &BTreeMap<String, String>| {
                Some(m.get(k).cloned().unwrap_or_else(|| NONE.to_string()))
            };
            (k.clone(), value(good), value(bad))
        })
        .collect()
}

/// The distribution of the tool the failed step ran (`ruff check .` -> `ruff`), to list its version first.
fn tool_package(row: &Row) -> Option<String> {
    let header = row.step?.header()?;
    let invocations = command::invocations(&header.script_lines());
    let tool = invocations
        .iter()
        .find(|i| i.kind != command::ToolKind::Install && i.kind != command::ToolKind::Other)?;
    let program = tool.tool.split(' ').next().unwrap_or(&tool.tool);
    Some(crate::forensics::facts::normalize(program))
}

/// The inputs of `pypa/gh-action-pypi-publish` steps of the job that differ (other than the failed step's,
/// compared already).
fn publish_inputs(pair: &Pair, failed_at: usize) -> Vec<EnvDifference> {
    let mut out = Vec::new();
    for at in (0..pair.rows.len()).filter(|&i| i != failed_at) {
        let header = |row: Option<&Row>| row.and_then(|r| r.step).and_then(Step::header).cloned();
        let (Some(g), Some(b)) = (header(pair.good_row(at)), header(pair.bad_row(at))) else {
            continue;
        };
        let publishes = |h: &crate::forensics::job::Header| {
            h.uses().is_some_and(|u| {
                u.to_ascii_lowercase()
                    .starts_with("pypa/gh-action-pypi-publish")
            })
        };
        if !(publishes(&g) && publishes(&b)) {
            continue;
        }
        let map = |pairs: &[(String, String)]| pairs.iter().cloned().collect();
        for (name, gv, bv) in map_differences(&map(&g.with), &map(&b.with)) {
            out.push(EnvDifference {
                job: Some(pair.name.clone()),
                step: Some(pair.step(at).step),
                kind: EnvKind::Input,
                name,
                good: gv,
                bad: bv,
            });
        }
    }
    out
}

/// The trusted-publishing claims that differ: the bad run's as its failed exchange printed them, the good
/// run's from its own log when printed, else from its workflow file (the job's environment) and its API or
/// file path (the workflow).
fn claims(
    pair: &Pair,
    good_env: &Env,
    bad_env: &Env,
    good: &Side,
    bad: &Side,
    step: &str,
) -> Vec<EnvDifference> {
    let environment =
        |env: &Env, side: &Side, declared: Option<&crate::gates::publish::DeclaredJob>| {
            if let Some(value) = env.claims.get("environment") {
                return Some(if value == "MISSING" {
                    NONE.to_string()
                } else {
                    value.clone()
                });
            }
            if let Some(sub) = env.claims.get("sub") {
                return Some(
                    sub.split_once(":environment:")
                        .map_or_else(|| NONE.to_string(), |(_, e)| e.to_string()),
                );
            }
            side.workflow.as_ref()?;
            Some(
                declared
                    .and_then(|d| d.environment.clone())
                    .unwrap_or_else(|| NONE.to_string()),
            )
        };
    let workflow = |env: &Env, side: &Side| {
        env.claims
            .get("job_workflow_ref")
            .and_then(|r| workflow_path(r))
            .or_else(|| side.api.as_ref().and_then(|a| a.path.clone()))
            .or_else(|| side.workflow.as_ref().map(|w| w.path.clone()))
    };
    let mut out = Vec::new();
    let pairs = [
        (
            "environment",
            environment(good_env, good, pair.good.and_then(|v| v.declared)),
            environment(bad_env, bad, pair.bad.and_then(|v| v.declared)),
        ),
        ("workflow", workflow(good_env, good), workflow(bad_env, bad)),
    ];
    for (name, g, b) in pairs {
        if let (Some(g), Some(b)) = (&g, &b) {
            if g != b {
                out.push(EnvDifference {
                    job: Some(pair.name.clone()),
                    step: Some(step.to_string()),
                    kind: super::EnvKind::Claim,
                    name: name.to_string(),
                    good: Some(g.clone()),
                    bad: Some(b.clone()),
                });
            }
        }
    }
    out
}

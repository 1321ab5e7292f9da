//! What `relgate github protect` changes so that the audit passes, planned from the same observations: relgate's
//! own two rule sets (recognised by name on the next run), the publishing environment's deployment policy, and
//! the Actions token's default. Others' rule sets, policies and bypass lists are never touched: what only they
//! could fix is a manual step. A setting that already passes is left alone, so a second run plans nothing.

use serde_json::{Value, json};

use super::branch::{expected_jobs, rule_contexts};
use super::refs::{ADMIN_ROLE, NOT_RELEASES, covers_all, fnmatch, selects_tag, too_wide};
use super::tags::RULES as TAG_RULES;
use super::{
    BRANCH_RULESET, DEFAULT_BRANCH, EnvironmentState, Expectations, Observed, RELEASE_TAGS, REVIEW,
    TAG_RULESET, environment, printable,
};
use crate::github::settings::{Rule, Ruleset};
use crate::http::Method;
use crate::outcome::{CheckResult, Status};
use crate::urls::encode_segment as encode;

/// One request `protect` sends.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// Below the API root, e.g. `/repos/acme/demo/rulesets`.
    pub path: String,
    pub body: Value,
    /// What it does, in words.
    pub summary: String,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn method_name<S: serde::Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

/// The changes, in order, and what relgate cannot change itself.
#[derive(Debug, Default, serde::Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Exact steps for the user: others' settings, workflow files, reviewers.
    pub manual: Vec<String>,
}

pub fn plan(expect: &Expectations, observed: &Observed, verdicts: &[CheckResult]) -> Plan {
    let mut plan = Plan::default();
    let failing = |name: &str| {
        verdicts
            .iter()
            .any(|c| c.name == name && matches!(c.status, Status::Fail | Status::Error))
    };
    let repo = &observed.repo;
    if failing(DEFAULT_BRANCH) || failing(RELEASE_TAGS) {
        match &observed.rulesets {
            Err(e) => plan.manual.push(format!(
                "the rule sets of {repo} could not be read ({}): relgate cannot tell whether its own exist",
                printable(&e.to_string())
            )),
            Ok(all) => {
                if failing(DEFAULT_BRANCH) {
                    branch_ruleset(expect, observed, all, &mut plan);
                }
                if failing(RELEASE_TAGS) {
                    tag_ruleset(expect, observed, all, &mut plan);
                }
            }
        }
    }
    for name in environment::names(&expect.jobs) {
        if let Some((_, state)) = observed.environments.iter().find(|(n, _)| *n == name) {
            environment_policy(expect, observed, &name, state.as_ref(), &mut plan);
        }
    }
    for job in &expect.jobs.publishing {
        match job.environment.as_deref() {
            None => plan.manual.push(format!(
                "add `environment: pypi` (or another name) to job `{}` of {} and name it in the trusted publisher; then run `relgate github protect` again",
                printable(&job.job),
                job.workflow
            )),
            Some(e) if e.contains("${{") => plan.manual.push(format!(
                "name the environment of job `{}` of {} literally",
                printable(&job.job),
                job.workflow
            )),
            Some(_) => {}
        }
    }
    if failing(REVIEW) {
        if let Some(check) = verdicts.iter().find(|c| c.name == REVIEW) {
            plan.manual.extend(
                check
                    .details
                    .iter()
                    .filter_map(|d| d.strip_prefix("fix: "))
                    .map(|d| format!("advisory: {d}")),
            );
        }
    }
    match &observed.workflow_permissions {
        Ok(p) if p.default_workflow_permissions != "read" => plan.changes.push(Change {
            method: Method::Put,
            path: format!("/repos/{repo}/actions/permissions/workflow"),
            body: json!({
                "default_workflow_permissions": "read",
                "can_approve_pull_request_reviews": p.can_approve_pull_request_reviews,
            }),
            summary: "make the workflows' GITHUB_TOKEN read-only by default".into(),
        }),
        Ok(_) => {}
        Err(e) => plan.manual.push(format!(
            "the Actions token defaults could not be read ({}): set them in Settings > Actions > General > Workflow permissions",
            printable(&e.to_string())
        )),
    }
    plan
}

/// The bypass relgate gives its own rule sets: repository admins, so that the maintainer can still push a
/// release tag (and a hotfix).
fn admin_bypass() -> Value {
    json!([{"actor_id": ADMIN_ROLE, "actor_type": "RepositoryRole", "bypass_mode": "always"}])
}

/// relgate's own rule set of `target` named `name`: on the repository itself, never the organisation's.
fn ours<'a>(all: &'a [Ruleset], name: &str, target: &str) -> Option<&'a Ruleset> {
    all.iter().find(|r| {
        r.name == name
            && r.target.as_deref() == Some(target)
            && r.source_type.as_deref().is_none_or(|s| s == "Repository")
    })
}

fn branch_ruleset(expect: &Expectations, observed: &Observed, all: &[Ruleset], plan: &mut Plan) {
    let branch = &observed.repository.default_branch;
    let jobs = expected_jobs(expect, branch);
    let mut contexts: Vec<String> = Vec::new();
    for job in &jobs {
        match &job.checks {
            Some(checks) => {
                for c in checks {
                    if !contexts.contains(c) {
                        contexts.push(c.clone());
                    }
                }
            }
            None => plan.manual.push(format!(
                "require the check runs of `{}` ({}) by name in rule set \"{BRANCH_RULESET}\": GitHub names them only when it runs them",
                printable(&job.label),
                job.workflow
            )),
        }
    }
    if jobs.is_empty() {
        plan.manual.push(format!(
            "run the project's quality tools in a workflow `on: pull_request` so that {} can require them (`relgate checks` lists the tools)",
            printable(branch)
        ));
    }
    let mut rules = vec![
        json!({"type": "deletion"}),
        json!({"type": "non_fast_forward"}),
    ];
    if !contexts.is_empty() {
        rules.push(json!({
            "type": "required_status_checks",
            "parameters": {
                "required_status_checks": contexts.iter().map(|c| json!({"context": c})).collect::<Vec<_>>(),
                "strict_required_status_checks_policy": false,
            },
        }));
    }
    let include = vec!["~DEFAULT_BRANCH".to_owned()];
    let repo = &observed.repo;
    match ours(all, BRANCH_RULESET, "branch") {
        None => plan.changes.push(Change {
            method: Method::Post,
            path: format!("/repos/{repo}/rulesets"),
            body: new_ruleset(BRANCH_RULESET, "branch", &include, &rules),
            summary: format!(
                "create rule set \"{BRANCH_RULESET}\": {} requires {}, no force pushes, no deletion",
                printable(branch),
                if contexts.is_empty() { "no check".to_owned() } else { contexts.join(", ") }
            ),
        }),
        Some(existing) => {
            if let Some(body) = updated(existing, &include, &rules) {
                plan.changes.push(Change {
                    method: Method::Put,
                    path: format!("/repos/{repo}/rulesets/{}", existing.id),
                    body,
                    summary: format!(
                        "update rule set \"{BRANCH_RULESET}\" (id {}): require {}, no force pushes, no deletion",
                        existing.id,
                        contexts.join(", ")
                    ),
                });
            }
        }
    }
}

fn tag_ruleset(expect: &Expectations, observed: &Observed, all: &[Ruleset], plan: &mut Plan) {
    let include: Vec<String> = expect
        .tag_globs
        .iter()
        .map(|g| format!("refs/tags/{g}"))
        .collect();
    let rules: Vec<Value> = TAG_RULES.iter().map(|k| json!({"type": k})).collect();
    let repo = &observed.repo;
    match ours(all, TAG_RULESET, "tag") {
        None => plan.changes.push(Change {
            method: Method::Post,
            path: format!("/repos/{repo}/rulesets"),
            body: new_ruleset(TAG_RULESET, "tag", &include, &rules),
            summary: format!(
                "create rule set \"{TAG_RULESET}\": only repository admins may create, move or delete {}",
                include.join(", ")
            ),
        }),
        Some(existing) => {
            if let Some(body) = updated(existing, &include, &rules) {
                plan.changes.push(Change {
                    method: Method::Put,
                    path: format!("/repos/{repo}/rulesets/{}", existing.id),
                    body,
                    summary: format!(
                        "update rule set \"{TAG_RULESET}\" (id {}): restrict creation, update and deletion of {}",
                        existing.id,
                        include.join(", ")
                    ),
                });
            }
        }
    }
    // A bypass that lets every writer through is someone's decision on their rule set: theirs to undo.
    for r in all
        .iter()
        .filter(|r| r.target.as_deref() == Some("tag") && r.enforcement == "active")
    {
        let covers = expect
            .sample_tags
            .iter()
            .flatten()
            .any(|t| selects_tag(r, t));
        for actor in r.bypass_actors.iter().flatten().filter(|a| too_wide(a)) {
            if covers {
                plan.manual.push(format!(
                    "remove {} from the bypass list of rule set \"{}\" (Settings > Rules > Rulesets)",
                    super::refs::describe(actor),
                    printable(&r.name)
                ));
            }
        }
    }
}

fn new_ruleset(name: &str, target: &str, include: &[String], rules: &[Value]) -> Value {
    json!({
        "name": name,
        "target": target,
        "enforcement": "active",
        "bypass_actors": admin_bypass(),
        "conditions": {"ref_name": {"include": include, "exclude": []}},
        "rules": rules,
    })
}

/// The body that brings relgate's existing rule set up to `include` and `rules`, keeping whatever else it
/// holds (rules, patterns, status checks, bypass actors added by hand); `None` when it already has them all.
fn updated(existing: &Ruleset, include: &[String], rules: &[Value]) -> Option<Value> {
    let mut changed = existing.enforcement != "active";
    let ref_name = existing
        .conditions
        .as_ref()
        .and_then(|c| c.ref_name.clone())
        .unwrap_or_default();
    let mut all_include = ref_name.include.clone();
    for pattern in include {
        if !all_include.contains(pattern) {
            all_include.push(pattern.clone());
            changed = true;
        }
    }
    let mut all_rules: Vec<Rule> = existing.rules.clone().unwrap_or_default();
    for wanted in rules {
        let Ok(wanted) = serde_json::from_value::<Rule>(wanted.clone()) else {
            continue;
        };
        match all_rules.iter_mut().find(|r| r.kind == wanted.kind) {
            None => {
                all_rules.push(wanted);
                changed = true;
            }
            Some(have) if have.kind == "required_status_checks" => {
                let present = rule_contexts(have.parameters.as_ref());
                let missing: Vec<String> = rule_contexts(wanted.parameters.as_ref())
                    .into_iter()
                    .filter(|c| !present.contains(c))
                    .collect();
                if !missing.is_empty() {
                    let mut parameters = have
                        .parameters
                        .clone()
                        .unwrap_or_else(|| json!({"strict_required_status_checks_policy": false}));
                    let mut checks = parameters
                        .get("required_status_checks")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    checks.extend(missing.iter().map(|c| json!({"context": c})));
                    parameters["required_status_checks"] = Value::Array(checks);
                    have.parameters = Some(parameters);
                    changed = true;
                }
            }
            Some(_) => {}
        }
    }
    if !changed {
        return None;
    }
    let mut body = json!({
        "name": existing.name,
        "target": existing.target,
        "enforcement": "active",
        "conditions": {"ref_name": {"include": all_include, "exclude": ref_name.exclude}},
        "rules": all_rules,
    });
    // Bypass actors the token cannot see are left as they are (a PUT without them keeps them).
    if let Some(actors) = &existing.bypass_actors {
        body["bypass_actors"] = json!(actors);
    }
    Some(body)
}

fn environment_policy(
    expect: &Expectations,
    observed: &Observed,
    name: &str,
    state: Result<&Option<EnvironmentState>, &crate::github::ApiError>,
    plan: &mut Plan,
) {
    let repo = &observed.repo;
    let shown = printable(name);
    let path = format!("/repos/{repo}/environments/{}", encode(name));
    let state = match state {
        Err(e) => {
            plan.manual.push(format!(
                "environment `{shown}` could not be read ({}): check it in Settings > Environments",
                printable(&e.to_string())
            ));
            return;
        }
        Ok(state) => state.as_ref(),
    };
    let policy = state.and_then(|s| s.environment.deployment_branch_policy);
    if policy.is_some_and(|p| p.protected_branches) {
        return;
    }
    let existing = match state {
        Some(s) if policy.is_some() => match &s.policies {
            Ok(p) => p.clone(),
            Err(e) => {
                plan.manual.push(format!(
                    "the deployment policies of environment `{shown}` could not be read ({})",
                    printable(&e.to_string())
                ));
                return;
            }
        },
        _ => Vec::new(),
    };
    if state.is_none() {
        plan.manual
            .push(format!("advisory: {}", environment::review_fix(&shown)));
    }
    if policy.is_none() {
        plan.changes.push(Change {
            method: Method::Put,
            path: path.clone(),
            body: json!({"deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}}),
            summary: format!(
                "{} environment `{shown}`: only the branches and tags of its deployment policies may deploy",
                if state.is_none() { "create" } else { "restrict" }
            ),
        });
    }
    for (glob, samples) in expect.tag_globs.iter().zip(&expect.sample_tags) {
        let covered = samples.iter().all(|s| {
            existing
                .iter()
                .any(|p| p.is_tag() && covers_all(&p.name, std::slice::from_ref(s)))
        });
        if !covered {
            plan.changes.push(Change {
                method: Method::Post,
                path: format!("{path}/deployment-branch-policies"),
                body: json!({"name": glob, "type": "tag"}),
                summary: format!("let release tags `{glob}` deploy to environment `{shown}`"),
            });
        }
    }
    for p in &existing {
        let wide = p.is_tag() && NOT_RELEASES.iter().any(|t| fnmatch(&p.name, t));
        if !p.is_tag() || wide {
            plan.manual.push(format!(
                "remove the deployment {} rule `{}` of environment `{shown}` if releases are all it is for (Settings > Environments > {shown})",
                if p.is_tag() { "tag" } else { "branch" },
                printable(&p.name)
            ));
        }
    }
}

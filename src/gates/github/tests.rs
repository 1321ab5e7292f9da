//! The audit's verdicts and the remedy's plan on settings as GitHub's API answers them, one situation each.

use serde_json::{Value, json};

use super::*;
use crate::config::Config;
use crate::github::settings::{BranchPolicy, Conditions, RefName, Rule};

const CI: &str = "on: pull_request\njobs:\n  lint:\n    steps:\n      - run: ruff check .\n  test:\n    strategy:\n      matrix:\n        python: ['3.12']\n    steps:\n      - run: pytest\n";
const RELEASE: &str = "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";

fn expect_with(format: Option<&str>, workflows: &[(&str, &str)]) -> Expectations {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    for (name, text) in workflows {
        std::fs::write(dir.path().join(".github/workflows").join(name), text).unwrap();
    }
    let format = TagFormat::new(format, &Config::default()).unwrap();
    Expectations::read(dir.path(), &format)
}

fn expect() -> Expectations {
    expect_with(
        Some("v{version}"),
        &[("ci.yml", CI), ("release.yml", RELEASE)],
    )
}

fn repository() -> Repository {
    serde_json::from_value(
        json!({"full_name": "acme/demo", "default_branch": "main", "permissions": {"admin": true}}),
    )
    .unwrap()
}

fn forbidden() -> ApiError {
    ApiError::Forbidden {
        what: "x".into(),
        message: "Must have admin rights to Repository.".into(),
        needs: None,
    }
}

fn ruleset(id: u64, name: &str, target: &str, include: &[&str], rules: &[&str]) -> Ruleset {
    Ruleset {
        id,
        name: name.into(),
        target: Some(target.into()),
        source_type: Some("Repository".into()),
        source: Some("acme/demo".into()),
        enforcement: "active".into(),
        bypass_actors: Some(Vec::new()),
        conditions: Some(Conditions {
            ref_name: Some(RefName {
                include: include.iter().map(|s| (*s).to_owned()).collect(),
                exclude: Vec::new(),
            }),
        }),
        rules: Some(
            rules
                .iter()
                .map(|k| Rule {
                    kind: (*k).to_owned(),
                    parameters: None,
                })
                .collect(),
        ),
    }
}

fn environment(policy: Option<BranchPolicy>, policies: &[(&str, &str)]) -> EnvironmentState {
    EnvironmentState {
        environment: Environment {
            protection_rules: Vec::new(),
            deployment_branch_policy: policy,
        },
        policies: Ok(policies
            .iter()
            .enumerate()
            .map(|(i, (name, kind))| DeploymentPolicy {
                id: i as u64,
                name: (*name).into(),
                kind: Some((*kind).into()),
            })
            .collect()),
    }
}

const CUSTOM: BranchPolicy = BranchPolicy {
    protected_branches: false,
    custom_branch_policies: true,
};

/// Everything unprotected: no rules, no protection, no rule set, no environment, a writing token.
fn observed() -> Observed {
    Observed {
        repo: RepoName::parse("acme/demo").unwrap(),
        repository: repository(),
        branch_rules: Ok(Vec::new()),
        classic: Ok(None),
        rulesets: Ok(Vec::new()),
        environments: vec![("pypi".into(), Ok(None))],
        workflow_permissions: serde_json::from_value(
            json!({"default_workflow_permissions": "write", "can_approve_pull_request_reviews": false}),
        )
        .map_err(|_| ApiError::NoToken),
    }
}

fn branch_rule(kind: &str, parameters: Option<Value>, id: u64) -> BranchRule {
    BranchRule {
        kind: kind.into(),
        parameters,
        ruleset_source_type: Some("Organization".into()),
        ruleset_source: Some("acme".into()),
        ruleset_id: Some(id),
    }
}

#[test]
fn classic_protection_or_organisation_rules_satisfy_the_branch_check() {
    let expect = expect();
    let mut o = observed();
    o.classic = Ok(Some(
        serde_json::from_value(json!({
            "required_status_checks": {"strict": true, "contexts": ["lint"], "checks": [{"context": "test (3.12)", "app_id": 15368}]},
            "allow_force_pushes": {"enabled": false},
            "allow_deletions": {"enabled": false}
        }))
        .unwrap(),
    ));
    let c = branch::check(&expect, &o);
    assert_eq!(
        (c.status, c.message.as_str()),
        (
            Status::Pass,
            "main requires lint, test (3.12) before a merge and blocks force pushes and deletion (classic branch protection)"
        )
    );

    o.classic = Err(forbidden());
    o.branch_rules = Ok(vec![
        branch_rule("non_fast_forward", None, 7),
        branch_rule("deletion", None, 7),
        branch_rule(
            "required_status_checks",
            Some(
                json!({"required_status_checks": [{"context": "lint"}], "strict_required_status_checks_policy": false}),
            ),
            7,
        ),
    ]);
    let c = branch::check(&expect, &o);
    // The organisation's rules leave `test` out; what the classic protection would add cannot be read.
    assert_eq!(c.status, Status::Error);
    assert_eq!(
        c.message,
        "the checks required before a merge into main leave out `test (...)` (pytest, .github/workflows/ci.yml); and cannot read the classic protection of main: GitHub denied access to x (HTTP 403: Must have admin rights to Repository.)"
    );
    assert_eq!(
        c.details.last().unwrap(),
        "found: rule set 7 (Organization acme)"
    );

    o.branch_rules = Err(forbidden());
    assert_eq!(branch::check(&expect, &o).status, Status::Error);
}

#[test]
fn a_tag_rule_set_in_evaluate_mode_or_missing_a_rule_does_not_protect() {
    let expect = expect();
    let mut o = observed();
    let mut evaluate = ruleset(
        3,
        "tags",
        "tag",
        &["refs/tags/v*"],
        &["creation", "update", "deletion"],
    );
    evaluate.enforcement = "evaluate".into();
    o.rulesets = Ok(vec![evaluate]);
    let c = tags::check(&expect, &o);
    assert_eq!(c.status, Status::Fail);
    assert!(c.details.contains(&"rule set \"tags\" covers refs/tags/v* but its enforcement is `evaluate`: it blocks nothing".to_owned()), "{c:?}");

    o.rulesets = Ok(vec![ruleset(
        3,
        "tags",
        "tag",
        &["~ALL"],
        &["deletion", "update"],
    )]);
    let c = tags::check(&expect, &o);
    assert_eq!(
        c.message,
        "the tag rule sets covering refs/tags/v* do not restrict creation of release tags"
    );

    // The default format names `1.0.0` too: `v*` alone leaves those tags open.
    let both = expect_with(None, &[("ci.yml", CI)]);
    o.rulesets = Ok(vec![ruleset(
        3,
        "tags",
        "tag",
        &["refs/tags/v*"],
        &tags::RULES,
    )]);
    let c = tags::check(&both, &o);
    assert!(c.message.contains("refs/tags/[0-9]*"), "{}", c.message);
}

#[test]
fn the_environment_must_admit_release_tags_and_nothing_else() {
    let expect = expect();
    let mut o = observed();
    let env_check = |o: &Observed| environment::checks(&expect, o)[0].clone();
    o.environments = vec![("pypi".into(), Ok(Some(environment(None, &[]))))];
    assert_eq!(
        env_check(&o).message,
        "environment `pypi` (job `publish` of .github/workflows/release.yml) lets any branch or tag deploy"
    );
    o.environments = vec![(
        "pypi".into(),
        Ok(Some(environment(
            Some(CUSTOM),
            &[("v*", "tag"), ("main", "branch")],
        ))),
    )];
    assert_eq!(
        env_check(&o).message,
        "environment `pypi` (job `publish` of .github/workflows/release.yml) lets branches `main` deploy, not only release tags"
    );
    o.environments = vec![(
        "pypi".into(),
        Ok(Some(environment(Some(CUSTOM), &[("*", "tag")]))),
    )];
    assert!(
        env_check(&o)
            .message
            .contains("admits tags that are no release (`*`)")
    );
    o.environments = vec![(
        "pypi".into(),
        Ok(Some(environment(Some(CUSTOM), &[("release-*", "tag")]))),
    )];
    assert!(
        env_check(&o)
            .message
            .contains("does not admit release tags `v*`: the release run would be refused")
    );
    o.environments = vec![(
        "pypi".into(),
        Ok(Some(environment(Some(CUSTOM), &[("v*", "tag")]))),
    )];
    let c = env_check(&o);
    assert_eq!(
        (c.status, c.message.as_str()),
        (
            Status::Pass,
            "environment `pypi` (job `publish` of .github/workflows/release.yml) admits release tags only (v*)"
        )
    );
    let protected = BranchPolicy {
        protected_branches: true,
        custom_branch_policies: false,
    };
    o.environments = vec![("pypi".into(), Ok(Some(environment(Some(protected), &[]))))];
    assert_eq!(env_check(&o).status, Status::Pass);
    o.environments = vec![("pypi".into(), Err(forbidden()))];
    assert_eq!(env_check(&o).status, Status::Error);
}

#[test]
fn a_publishing_job_without_a_literal_environment() {
    let none = expect_with(
        Some("v{version}"),
        &[(
            "release.yml",
            &RELEASE.replace("    environment: pypi\n", ""),
        )],
    );
    let mut o = observed();
    o.environments.clear();
    let [c, review] = environment::checks(&none, &o);
    assert_eq!(
        (c.status, c.message.as_str()),
        (
            Status::Fail,
            "job `publish` of .github/workflows/release.yml uploads to PyPI without an environment: a run of that workflow from any branch can publish"
        )
    );
    assert_eq!((review.status, review.required), (Status::Skipped, false));
    let plan = remedy::plan(&none, &o, &[c]);
    assert!(
        plan.changes
            .iter()
            .all(|ch| !ch.path.contains("environments"))
    );
    assert!(
        plan.manual[0].starts_with("add `environment: pypi` (or another name) to job `publish`")
    );

    let expression = expect_with(
        Some("v{version}"),
        &[(
            "release.yml",
            &RELEASE.replace("environment: pypi", "environment: ${{ inputs.target }}"),
        )],
    );
    let [c, _] = environment::checks(&expression, &o);
    assert_eq!(c.status, Status::Error);
}

#[test]
fn the_remedy_adds_only_what_is_missing() {
    let expect = expect();
    let mut o = observed();
    o.environments = vec![(
        "pypi".into(),
        Ok(Some(environment(Some(CUSTOM), &[("main", "branch")]))),
    )];
    o.workflow_permissions = serde_json::from_value(
        json!({"default_workflow_permissions": "read", "can_approve_pull_request_reviews": true}),
    )
    .map_err(|_| ApiError::NoToken);
    o.rulesets = Ok(vec![
        ruleset(1, TAG_RULESET, "tag", &["refs/tags/v*"], &tags::RULES),
        ruleset(
            2,
            BRANCH_RULESET,
            "branch",
            &["~DEFAULT_BRANCH"],
            &["deletion", "non_fast_forward"],
        ),
    ]);
    let verdicts = audit(&expect, &o);
    let plan = remedy::plan(&expect, &o, &verdicts);
    let sent: Vec<String> = plan
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.method,
                c.path,
                c.body["rules"]
                    .as_array()
                    .map_or_else(|| c.body.to_string(), |r| r.len().to_string())
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            "PUT /repos/acme/demo/rulesets/2 3",
            "POST /repos/acme/demo/environments/pypi/deployment-branch-policies {\"name\":\"v*\",\"type\":\"tag\"}",
        ]
    );
    assert_eq!(
        plan.manual,
        [
            "remove the deployment branch rule `main` of environment `pypi` if releases are all it is for (Settings > Environments > pypi)",
            "advisory: Settings > Environments > pypi > Required reviewers (or a wait timer); not set by `relgate github protect`, which cannot choose your reviewers"
        ]
    );

    // Rule sets that cannot be read: relgate cannot tell whether its own exist, and creates none.
    o.rulesets = Err(forbidden());
    let verdicts = audit(&expect, &o);
    let plan = remedy::plan(&expect, &o, &verdicts);
    assert!(plan.changes.iter().all(|c| !c.path.contains("rulesets")));
    assert!(plan.manual[0].starts_with("the rule sets of acme/demo could not be read"));
}

#[test]
fn the_advisory_check_sums_up_the_audit() {
    let expect = expect();
    let o = observed();
    let c = summarize(&o.repo, &audit(&expect, &o));
    assert_eq!(
        (c.status, c.message.as_str(), c.details[0].as_str()),
        (
            Status::Fail,
            "acme/demo on GitHub: default-branch, release-tags, publish-environment, actions-token do not pass (`relgate github audit` for the details)",
            "fix: `relgate github protect` sets what it can; `relgate github audit` says the rest"
        )
    );
    assert_eq!(printable("a\u{1b}[31mb\nc"), "a[31mbc");
}

#[test]
fn a_workflow_relgate_cannot_read_is_never_a_pass() {
    let mut o = observed();
    o.classic = Ok(Some(
        serde_json::from_value(json!({
            "required_status_checks": {"strict": true, "contexts": ["lint", "test (3.12)"]},
            "allow_force_pushes": {"enabled": false},
            "allow_deletions": {"enabled": false}
        }))
        .unwrap(),
    ));
    let readable = audit(&expect(), &o);
    assert_eq!(readable[0].status, Status::Pass, "{:#?}", readable[0]);
    // The same repository with a workflow relgate cannot parse: it may hold a job to require, or the upload.
    let expect = expect_with(
        Some("v{version}"),
        &[
            ("ci.yml", CI),
            ("release.yml", RELEASE),
            ("nightly.yml", "on: push\njobs: [unclosed\n"),
        ],
    );
    assert_eq!(expect.jobs.unreadable.len(), 1);
    let checks = audit(&expect, &o);
    let branch = &checks[0];
    assert_eq!(branch.name, DEFAULT_BRANCH);
    assert_eq!(branch.status, Status::Error);
    assert!(
        branch
            .message
            .starts_with(".github/workflows/nightly.yml: ")
            && branch
                .message
                .ends_with(": relgate cannot read this workflow, so the jobs it runs are unknown"),
        "{}",
        branch.message
    );
    assert_eq!(
        branch.details.last().unwrap(),
        "without it: main requires lint, test (3.12) before a merge and blocks force pushes and deletion (classic branch protection)"
    );
    // A check that fails anyway says it too.
    let environment = checks.iter().find(|c| c.name == ENVIRONMENT).unwrap();
    assert_eq!(environment.status, Status::Fail);
    assert!(
        environment
            .details
            .last()
            .unwrap()
            .starts_with(".github/workflows/nightly.yml: "),
        "{environment:#?}"
    );
}

#[test]
fn hostile_names_reach_the_terminal_clean_and_the_path_encoded() {
    let hostile = expect_with(
        Some("v{version}"),
        &[(
            "release.yml",
            &RELEASE.replace("environment: pypi", "environment: \"py\\e[2J\\npi/../x\""),
        )],
    );
    let name = environment::names(&hostile.jobs).remove(0);
    assert_eq!(name, "py\u{1b}[2J\npi/../x");
    let mut o = observed();
    o.environments = vec![(name.clone(), Ok(None))];
    let [c, _] = environment::checks(&hostile, &o);
    assert!(
        !c.message.contains('\u{1b}') && !c.message.contains('\n'),
        "{}",
        c.message
    );
    let plan = remedy::plan(&hostile, &o, &[c]);
    assert_eq!(
        plan.changes[0].path,
        "/repos/acme/demo/environments/py%1B%5B2J%0Api%2F..%2Fx"
    );
}

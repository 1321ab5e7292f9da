//! GitHub Actions workflow files, read into the little that the publish gate needs: triggers, permissions,
//! jobs with their `needs`, environments and steps.
//!
//! Glossary: a *workflow* is one file under `.github/workflows/`; a *job* runs on one runner and gets its own
//! `GITHUB_TOKEN`, whose scopes come from the job's `permissions:` block, or else the workflow's (a job block
//! replaces the workflow block entirely, it does not merge). `id-token: write` lets a job ask GitHub for the
//! OIDC token that trusted publishing exchanges for an upload token; no default grants it
//! (<https://docs.github.com/en/actions/reference/github_token-reference>).

use std::collections::BTreeMap;

use crate::yaml::{self, Node, Value};

/// One workflow file, as far as publishing is concerned.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The path relative to the repository root, e.g. `.github/workflows/publish.yml`.
    pub path: String,
    /// The file name, which is what a trusted publisher registers (`publish.yml`).
    pub file: String,
    /// The workflow's `name:`, which `workflow_run` triggers refer to.
    pub name: Option<String>,
    pub triggers: Vec<Trigger>,
    pub permissions: Option<Permissions>,
    pub env: BTreeMap<String, String>,
    pub jobs: Vec<Job>,
}

/// An event in `on:`, with the filter that matters for releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub event: String,
    /// Tag patterns for `push`, activity types for `release`, workflow names for `workflow_run`.
    pub filter: Vec<String>,
    /// Branch patterns for `push`; base branch patterns for `pull_request` and `pull_request_target`.
    pub branches: Vec<String>,
    /// `tags-ignore` patterns for `push`.
    pub tags_ignore: Vec<String>,
    /// `push` names `branches` or `branches-ignore`: without a tag filter, tag pushes do not start it.
    pub branch_filtered: bool,
}

impl Trigger {
    /// Whether pushing `tag` starts the workflow through this trigger (GitHub's filter rules). A pattern that is
    /// not valid filter syntax matches nothing here: see [`Trigger::invalid_tag_patterns`].
    pub fn starts_on_tag(&self, tag: &str) -> bool {
        if self.event != "push" {
            return false;
        }
        if !self.filter.is_empty() {
            return matches_filters(&self.filter, tag);
        }
        if !self.tags_ignore.is_empty() {
            return !self
                .tags_ignore
                .iter()
                .any(|p| glob(p).is_ok_and(|re| re.is_match(tag)));
        }
        !self.branch_filtered
    }

    /// The `tags:`/`tags-ignore:` patterns of a `push` that are not valid filter syntax, with the reason.
    pub fn invalid_tag_patterns(&self) -> Vec<(String, String)> {
        if self.event != "push" {
            return Vec::new();
        }
        self.filter
            .iter()
            .chain(&self.tags_ignore)
            .filter_map(|p| {
                let pattern = p.strip_prefix('!').unwrap_or(p);
                glob(pattern).err().map(|why| (p.clone(), why))
            })
            .collect()
    }
}

/// GitHub's filter patterns, in order: a later `!pattern` excludes what an earlier one included.
/// <https://docs.github.com/en/actions/reference/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet>
pub fn matches_filters(patterns: &[String], name: &str) -> bool {
    let mut included = false;
    for pattern in patterns {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern.as_str()),
        };
        if glob(pattern).is_ok_and(|re| re.is_match(name)) {
            included = !negated;
        }
    }
    included
}

/// `*` is any run without `/`, `**` any run, `?` and `+` quantify the previous character, `[...]` is a class,
/// `\` escapes the next character. The reason when the pattern is not valid.
fn glob(pattern: &str) -> Result<regex::Regex, String> {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // Whether the last thing written can be quantified by `?` or `+`.
    let mut quantifiable = false;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
                quantifiable = false;
            }
            '*' => {
                re.push_str("[^/]*");
                quantifiable = false;
            }
            '?' | '+' if quantifiable => {
                re.push(chars[i]);
                quantifiable = false;
            }
            '?' | '+' => {
                return Err(format!(
                    "`{}` at position {} has no character before it to repeat",
                    chars[i],
                    i + 1
                ));
            }
            '[' => {
                let Some(end) = chars[i..].iter().position(|&c| c == ']').map(|p| p + i) else {
                    return Err(format!("the `[` at position {} is never closed", i + 1));
                };
                if end == i + 1 {
                    return Err(format!("the `[]` at position {} is empty", i + 1));
                }
                re.push('[');
                for &c in &chars[i + 1..end] {
                    if c == '-' {
                        re.push('-');
                    } else {
                        re.push_str(&regex::escape(&c.to_string()));
                    }
                }
                re.push(']');
                i = end;
                quantifiable = true;
            }
            '\\' => {
                let Some(next) = chars.get(i + 1) else {
                    return Err("it ends with a `\\` that escapes nothing".to_owned());
                };
                re.push_str(&regex::escape(&next.to_string()));
                i += 1;
                quantifiable = true;
            }
            c => {
                re.push_str(&regex::escape(&c.to_string()));
                quantifiable = true;
            }
        }
        i += 1;
    }
    re.push('$');
    regex::Regex::new(&re).map_err(|e| {
        let why = e.to_string();
        let last = why.lines().last().unwrap_or(&why).trim().to_owned();
        format!("it does not compile: {last}")
    })
}

/// A `permissions:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    WriteAll,
    ReadAll,
    /// Named scopes; every scope not named is `none` (so `{}` grants nothing).
    Scopes(BTreeMap<String, String>),
}

impl Permissions {
    pub fn grants_id_token(&self) -> bool {
        match self {
            Permissions::WriteAll => true,
            Permissions::ReadAll => false,
            Permissions::Scopes(scopes) => scopes.get("id-token").is_some_and(|v| v == "write"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Job {
    pub id: String,
    /// The job's `name:`, which its check runs (and logs, and the API) are called by (the id when there is
    /// none).
    pub name: Option<String>,
    /// `strategy.matrix`: the job runs once per combination.
    pub matrix: Option<Matrix>,
    /// 1-based line of the job's key in the file.
    pub line: Option<u32>,
    pub needs: Vec<String>,
    pub permissions: Option<Permissions>,
    /// The deployment environment's name (`environment: x` or `environment: {name: x}`).
    pub environment: Option<String>,
    /// The job's `if:` condition.
    pub condition: Option<String>,
    /// A called reusable workflow (`uses: ./.github/workflows/x.yml` or `owner/repo/...@ref`).
    pub uses: Option<String>,
    pub env: BTreeMap<String, String>,
    pub steps: Vec<Step>,
}

/// A job's `strategy.matrix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matrix {
    /// Lists of plain values only: each run's values, in the order of the matrix's keys (which is how GitHub
    /// names the run: `test (3.12, ubuntu-latest)`).
    Runs(Vec<Vec<String>>),
    /// `include`, `exclude`, expressions or nested values: the runs are only known once GitHub expands it.
    Opaque,
}

#[derive(Debug, Clone, Default)]
pub struct Step {
    pub name: Option<String>,
    pub uses: Option<String>,
    pub run: Option<String>,
    pub with: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    /// The step's `if:` condition.
    pub condition: Option<String>,
}

impl Step {
    /// How the step appears in a log: its name, else `Run <first line>` as GitHub shows it.
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        if let Some(uses) = &self.uses {
            return format!("Run {uses}");
        }
        let first = self
            .run
            .as_deref()
            .and_then(|r| r.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("");
        format!("Run {first}")
    }
}

/// Why a workflow file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// One line (GitHub would refuse to run the file too).
    pub reason: String,
    /// Past the YAML limits (an alias bomb, thousands of levels): no verdict is possible.
    pub over_limit: bool,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl From<&str> for Unreadable {
    fn from(reason: &str) -> Self {
        Unreadable {
            reason: reason.to_owned(),
            over_limit: false,
        }
    }
}

/// Parse one workflow file.
pub fn parse(path: &str, text: &str) -> Result<Workflow, Unreadable> {
    let doc = yaml::parse(text).map_err(|e| Unreadable {
        reason: e.to_string(),
        over_limit: e.over_limit,
    })?;
    let Some(doc) = doc else {
        return Err("the file is empty".into());
    };
    if doc.as_map().is_none() {
        return Err("the top level is not a mapping".into());
    }
    let file = path.rsplit('/').next().unwrap_or(path).to_owned();
    let Some(jobs_map) = doc["jobs"].as_map() else {
        return Err("there is no `jobs:` mapping".into());
    };
    let mut jobs = Vec::new();
    for (id, job) in jobs_map {
        let Some(name) = scalar(id) else { continue };
        jobs.push(parse_job(&name, id.line, job));
    }
    Ok(Workflow {
        path: path.to_owned(),
        file,
        name: scalar(&doc["name"]),
        triggers: parse_triggers(&doc["on"]),
        permissions: parse_permissions(&doc["permissions"]),
        env: string_map(&doc["env"]),
        jobs,
    })
}

impl Workflow {
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// `needs:` entries that name no job: GitHub refuses to start such a workflow.
    pub fn dangling_needs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for job in &self.jobs {
            for need in &job.needs {
                if self.job(need).is_none() {
                    out.push((job.id.clone(), need.clone()));
                }
            }
        }
        out
    }

    /// The job and every job it waits for, transitively (the jobs whose failure stops it).
    pub fn gating_jobs(&self, id: &str) -> Vec<&Job> {
        let mut seen: Vec<&Job> = Vec::new();
        let mut todo = vec![id.to_owned()];
        while let Some(next) = todo.pop() {
            let Some(job) = self.job(&next) else { continue };
            if seen.iter().any(|j| j.id == job.id) {
                continue;
            }
            seen.push(job);
            todo.extend(job.needs.iter().cloned());
        }
        seen
    }

    /// The permissions a job's token really gets: its own block replaces the workflow's.
    pub fn effective_permissions<'a>(&'a self, job: &'a Job) -> Option<&'a Permissions> {
        job.permissions.as_ref().or(self.permissions.as_ref())
    }

    pub fn triggered_by(&self, event: &str) -> bool {
        self.triggers.iter().any(|t| t.event == event)
    }

    /// `Some(true)` when pushing `tag` is certain not to start this workflow: every trigger that could run it
    /// is a `push` whose tag filters leave the tag out. `None` when another trigger (a published release, a
    /// manual run, another workflow, a branch push) may start it.
    pub fn misses_tag(&self, tag: &str) -> Option<bool> {
        let relevant: Vec<&Trigger> = self
            .triggers
            .iter()
            .filter(|t| {
                !matches!(
                    t.event.as_str(),
                    "pull_request" | "pull_request_target" | "merge_group"
                )
            })
            .collect();
        if relevant.iter().any(|t| t.event != "push") || relevant.is_empty() {
            return None;
        }
        if relevant.iter().any(|t| t.starts_on_tag(tag)) {
            return Some(false);
        }
        // A pattern that is not valid syntax: which tags it was meant to take cannot be known.
        if relevant
            .iter()
            .any(|t| !t.invalid_tag_patterns().is_empty())
        {
            return None;
        }
        // A push filtered on branches only publishes from branch pushes (pypa/sampleproject does): another
        // release model, not a tag the filter forgot.
        let tag_filtered = |t: &&Trigger| !t.filter.is_empty() || !t.tags_ignore.is_empty();
        relevant.iter().all(tag_filtered).then_some(true)
    }

    /// The triggers in words, e.g. `release published; tag push (v*); manual (workflow_dispatch)`.
    pub fn describe_triggers(&self) -> String {
        let parts: Vec<String> = self.triggers.iter().filter_map(describe_trigger).collect();
        if parts.is_empty() {
            "no trigger that runs on a release".into()
        } else {
            parts.join("; ")
        }
    }
}

fn describe_trigger(t: &Trigger) -> Option<String> {
    let list = |v: &[String]| v.join(", ");
    Some(match t.event.as_str() {
        "release" if t.filter.is_empty() => {
            "any release activity (created, published, edited...)".into()
        }
        "release" => format!("release {}", list(&t.filter)),
        "push" if !t.filter.is_empty() => format!("tag push ({})", list(&t.filter)),
        "push" if !t.branches.is_empty() => format!("branch push ({})", list(&t.branches)),
        "push" => "every push".into(),
        "workflow_dispatch" => "manual (workflow_dispatch)".into(),
        "workflow_call" => "called by another workflow (workflow_call)".into(),
        "workflow_run" => format!("after workflow {}", list(&t.filter)),
        "schedule" => "schedule".into(),
        "pull_request" | "pull_request_target" | "merge_group" => return None,
        other => other.to_owned(),
    })
}

/// `on:` may be a string, a list of strings, or a mapping of events to filters (or to null).
fn parse_triggers(on: &Node) -> Vec<Trigger> {
    let bare = |event: String| Trigger {
        event,
        filter: Vec::new(),
        branches: Vec::new(),
        tags_ignore: Vec::new(),
        branch_filtered: false,
    };
    match &on.value {
        Value::Scalar { .. } => scalar(on).map(bare).into_iter().collect(),
        Value::Seq(events) => events.iter().filter_map(scalar).map(bare).collect(),
        Value::Map(events) => events
            .iter()
            .filter_map(|(event, spec)| {
                let event = scalar(event)?;
                let (filter, branches) = match event.as_str() {
                    "push" => (strings(&spec["tags"]), strings(&spec["branches"])),
                    "pull_request" | "pull_request_target" => {
                        (Vec::new(), strings(&spec["branches"]))
                    }
                    "release" => (strings(&spec["types"]), Vec::new()),
                    "workflow_run" => (strings(&spec["workflows"]), strings(&spec["branches"])),
                    _ => (Vec::new(), Vec::new()),
                };
                let push = event == "push";
                Some(Trigger {
                    tags_ignore: if push {
                        strings(&spec["tags-ignore"])
                    } else {
                        Vec::new()
                    },
                    branch_filtered: push
                        && (!spec["branches"].is_missing()
                            || !spec["branches-ignore"].is_missing()),
                    event,
                    filter,
                    branches,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_permissions(p: &Node) -> Option<Permissions> {
    match (p.as_str(), &p.value) {
        (Some("write-all"), _) => Some(Permissions::WriteAll),
        (Some("read-all"), _) => Some(Permissions::ReadAll),
        (_, Value::Map(_)) => Some(Permissions::Scopes(string_map(p))),
        _ => None,
    }
}

fn parse_job(id: &str, line: u32, job: &Node) -> Job {
    let environment = match &job["environment"].value {
        Value::Map(_) => scalar(&job["environment"]["name"]),
        _ => scalar(&job["environment"]),
    };
    let needs = strings(&job["needs"]);
    let steps = job["steps"]
        .as_seq()
        .map(|steps| {
            steps
                .iter()
                .map(|s| Step {
                    name: scalar(&s["name"]),
                    uses: scalar(&s["uses"]),
                    run: scalar(&s["run"]),
                    with: string_map(&s["with"]),
                    env: string_map(&s["env"]),
                    condition: scalar(&s["if"]),
                })
                .collect()
        })
        .unwrap_or_default();
    Job {
        id: id.to_owned(),
        name: scalar(&job["name"]),
        matrix: parse_matrix(&job["strategy"]["matrix"]),
        line: Some(line),
        needs,
        permissions: parse_permissions(&job["permissions"]),
        environment,
        condition: scalar(&job["if"]),
        uses: scalar(&job["uses"]),
        env: string_map(&job["env"]),
        steps,
    }
}

/// The runs of a matrix, when it is plain lists of scalars (at most 256 runs, GitHub's own limit).
fn parse_matrix(m: &Node) -> Option<Matrix> {
    let entries = match &m.value {
        Value::Missing | Value::Null => return None,
        Value::Map(entries) => entries,
        _ => return Some(Matrix::Opaque),
    };
    let mut runs: Vec<Vec<String>> = vec![Vec::new()];
    for (key, values) in entries {
        let key = scalar(key).unwrap_or_default();
        let values: Option<Vec<String>> =
            values.as_seq().and_then(|v| v.iter().map(scalar).collect());
        let plain = values.filter(|v| {
            !v.is_empty()
                && !matches!(key.as_str(), "include" | "exclude")
                && !v.iter().any(|x| x.contains("${{"))
        });
        let Some(values) = plain else {
            return Some(Matrix::Opaque);
        };
        runs = runs
            .iter()
            .flat_map(|run| {
                values.iter().map(move |v| {
                    let mut next = run.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
        if runs.len() > 256 {
            return Some(Matrix::Opaque);
        }
    }
    Some(Matrix::Runs(runs))
}

/// A scalar as text (YAML 1.2: `on` stays a string; numbers and booleans are shown as written).
pub fn scalar(y: &Node) -> Option<String> {
    y.scalar()
}

fn strings(y: &Node) -> Vec<String> {
    match y.as_seq() {
        Some(items) => items.iter().filter_map(scalar).collect(),
        None => scalar(y).into_iter().collect(),
    }
}

fn string_map(y: &Node) -> BTreeMap<String, String> {
    y.as_map()
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| Some((scalar(k)?, scalar(v).unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_as_string_list_and_map() {
        let w = parse("w.yml", "on: push\njobs: {}\n").unwrap();
        assert_eq!(w.triggers[0].event, "push");
        let w = parse("w.yml", "on: [release, workflow_dispatch]\njobs: {}\n").unwrap();
        assert_eq!(
            w.describe_triggers(),
            "any release activity (created, published, edited...); manual (workflow_dispatch)"
        );
        let w = parse(
            "w.yml",
            "on:\n  push:\n    tags: ['v*']\n  release:\n    types: [published]\n  workflow_dispatch:\n  pull_request:\njobs: {}\n",
        )
        .unwrap();
        assert_eq!(
            w.describe_triggers(),
            "tag push (v*); release published; manual (workflow_dispatch)"
        );
    }

    #[test]
    fn job_permissions_replace_workflow_permissions() {
        let text = "on: push\npermissions:\n  id-token: write\njobs:\n  a:\n    runs-on: x\n  b:\n    permissions:\n      contents: read\n";
        let w = parse(".github/workflows/p.yml", text).unwrap();
        assert!(
            w.effective_permissions(w.job("a").unwrap())
                .unwrap()
                .grants_id_token()
        );
        assert!(
            !w.effective_permissions(w.job("b").unwrap())
                .unwrap()
                .grants_id_token()
        );
        assert_eq!(w.job("b").unwrap().line, Some(7));
        assert_eq!(w.file, "p.yml");
    }

    #[test]
    fn tag_filters_follow_github_rules() {
        let trigger = |on: &str| {
            parse("w.yml", &format!("on:\n{on}\njobs: {{}}\n"))
                .unwrap()
                .triggers
                .remove(0)
        };
        let t = trigger("  push:\n    tags: ['v*', '!v*-rc*']");
        assert!(t.starts_on_tag("v1.0.0"));
        assert!(!t.starts_on_tag("v1.0.0-rc1"));
        assert!(!t.starts_on_tag("1.0.0"));
        let t = trigger("  push:\n    tags: ['[0-9]+.[0-9]+.[0-9]+']");
        assert!(t.starts_on_tag("12.0.3"));
        assert!(!t.starts_on_tag("v12.0.3"));
        assert!(trigger("  push:").starts_on_tag("anything"));
        assert!(!trigger("  push:\n    branches: [main]").starts_on_tag("v1.0.0"));
        assert!(!trigger("  push:\n    tags-ignore: ['v*']").starts_on_tag("v1.0.0"));
        assert!(trigger("  push:\n    tags: ['**']").starts_on_tag("pkg/v1.0"));
        assert!(!trigger("  push:\n    tags: ['*']").starts_on_tag("pkg/v1.0"));
        assert!(trigger("  push:\n    tags: ['v\\+*']").starts_on_tag("v+1"));
        assert!(!trigger("  push:\n    tags: ['v\\+*']").starts_on_tag("vv1"));
    }

    #[test]
    fn invalid_tag_patterns_are_named_and_leave_the_verdict_open() {
        let workflow = |tags: &str| {
            parse(
                "w.yml",
                &format!("on:\n  push:\n    tags: {tags}\njobs: {{}}\n"),
            )
            .unwrap()
        };
        let w = workflow("['v[0-9']");
        assert_eq!(
            w.triggers[0].invalid_tag_patterns(),
            [(
                "v[0-9".to_owned(),
                "the `[` at position 2 is never closed".to_owned()
            )]
        );
        assert_eq!(w.misses_tag("v1.0.0"), None);
        let w = workflow("['+v*', '!\\']");
        let reasons: Vec<String> = w.triggers[0]
            .invalid_tag_patterns()
            .into_iter()
            .map(|(p, why)| format!("{p}: {why}"))
            .collect();
        assert_eq!(
            reasons,
            [
                "+v*: `+` at position 1 has no character before it to repeat",
                "!\\: it ends with a `\\` that escapes nothing"
            ]
        );
        // A valid pattern that leaves the tag out is still certain.
        assert_eq!(workflow("['release-*']").misses_tag("v1.0.0"), Some(true));
    }

    #[test]
    fn write_all_grants_and_read_all_does_not() {
        assert!(Permissions::WriteAll.grants_id_token());
        assert!(!Permissions::ReadAll.grants_id_token());
        assert!(!Permissions::Scopes(BTreeMap::new()).grants_id_token());
    }

    #[test]
    fn environment_as_string_or_table_and_needs_forms() {
        let text = "on: push\njobs:\n  a:\n    environment: pypi\n    needs: b\n  b:\n    environment:\n      name: release\n      url: https://x\n    needs: [c]\n  c: {}\n";
        let w = parse("w.yml", text).unwrap();
        assert_eq!(w.job("a").unwrap().environment.as_deref(), Some("pypi"));
        assert_eq!(w.job("b").unwrap().environment.as_deref(), Some("release"));
        let ids: Vec<&str> = w.gating_jobs("a").iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn invalid_yaml_and_missing_jobs_are_reasons() {
        assert!(
            parse("w.yml", "on: [push\n")
                .unwrap_err()
                .reason
                .contains("line")
        );
        assert_eq!(
            parse("w.yml", "on: push\n").unwrap_err().reason,
            "there is no `jobs:` mapping"
        );
    }

    #[test]
    fn step_labels_follow_github_logs() {
        let s = Step {
            run: Some("\npython -m build\nls\n".into()),
            ..Step::default()
        };
        assert_eq!(s.label(), "Run python -m build");
    }
}

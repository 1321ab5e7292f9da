//! A GitHub stand-in on 127.0.0.1 for the repository `acme/demo`: it keeps rule sets, classic protection,
//! environments with their deployment policies and the Actions token defaults, answers reads and writes with
//! the shapes GitHub's REST API documents (<https://docs.github.com/en/rest/repos/rules>,
//! <https://docs.github.com/en/rest/branches/branch-protection>,
//! <https://docs.github.com/en/rest/deployments/environments>,
//! <https://docs.github.com/en/rest/deployments/branch-policies>,
//! <https://docs.github.com/en/rest/actions/permissions>), refuses what GitHub refuses (a bad token, writes
//! without admin rights, a duplicate rule set name, an unknown rule type), and records every request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::index::server::{Reply, Seen, Server};

pub const TOKEN: &str = "ghp_auditfake000000000000000000000000000";
pub const REPO: &str = "acme/demo";
const RULE_TYPES: &[&str] = &[
    "creation",
    "update",
    "deletion",
    "non_fast_forward",
    "required_status_checks",
    "required_linear_history",
    "pull_request",
    "required_signatures",
];

/// What the repository holds on GitHub.
#[derive(Debug, Clone)]
pub struct State {
    pub default_branch: String,
    /// The token's account is an admin (writes allowed, bypass lists and protection visible).
    pub admin: bool,
    /// Full rule sets as `GET /repos/{owner}/{repo}/rulesets/{id}` answers them.
    pub rulesets: Vec<Value>,
    /// Classic protection of the default branch; `None`: "Branch not protected".
    pub classic: Option<Value>,
    pub environments: BTreeMap<String, Value>,
    pub policies: BTreeMap<String, Vec<Value>>,
    pub workflow: Value,
    /// Replies given instead, for requests whose `METHOD path` starts with the key.
    pub faults: Vec<(String, Reply)>,
    pub next_id: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            default_branch: "main".into(),
            admin: true,
            rulesets: Vec::new(),
            classic: None,
            environments: BTreeMap::new(),
            policies: BTreeMap::new(),
            workflow: json!({"default_workflow_permissions": "write", "can_approve_pull_request_reviews": false}),
            faults: Vec::new(),
            next_id: 100,
        }
    }
}

impl State {
    /// A rule set as GitHub stores it, with the fields the API adds.
    pub fn add_ruleset(&mut self, source_type: &str, source: &str, mut body: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        body["id"] = json!(id);
        body["source_type"] = json!(source_type);
        body["source"] = json!(source);
        body["node_id"] = json!(format!("RRS_lACqUmVwb3NpdG9yec4{id}"));
        body["current_user_can_bypass"] = json!("never");
        body["_links"] = json!({
            "self": {"href": format!("https://api.github.com/repos/{REPO}/rulesets/{id}")},
            "html": {"href": format!("https://github.com/{REPO}/rules/{id}")}
        });
        body["created_at"] = json!("2025-04-01T10:00:00.000Z");
        body["updated_at"] = json!("2025-04-01T10:00:00.000Z");
        if body.get("bypass_actors").is_none() {
            body["bypass_actors"] = json!([]);
        }
        self.rulesets.push(body);
        id
    }

    pub fn add_environment(&mut self, name: &str, policy: &Value, protection_rules: &Value) {
        self.environments.insert(
            name.into(),
            json!({
                "id": 161_088_068,
                "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4",
                "name": name,
                "url": format!("https://api.github.com/repos/{REPO}/environments/{name}"),
                "html_url": format!("https://github.com/{REPO}/deployments/activity_log?environments_filter={name}"),
                "created_at": "2025-04-01T10:00:00Z",
                "updated_at": "2025-04-01T10:00:00Z",
                "protection_rules": protection_rules,
                "deployment_branch_policy": policy,
            }),
        );
    }
}

pub struct FakeGitHub {
    pub state: Arc<Mutex<State>>,
    pub server: Server,
}

impl FakeGitHub {
    pub fn start(state: State) -> FakeGitHub {
        let state = Arc::new(Mutex::new(state));
        let shared = Arc::clone(&state);
        let server = Server::handler(move |request| answer(&shared, request));
        FakeGitHub { state, server }
    }

    pub fn url(&self) -> String {
        self.server.url("")
    }

    /// `METHOD path` of every request, in order.
    pub fn requests(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }

    /// The requests that change something, with their JSON bodies.
    pub fn writes(&self) -> Vec<(String, Value)> {
        self.server
            .requests()
            .iter()
            .filter(|s| s.method != "GET")
            .map(|s| {
                (
                    format!("{} {}", s.method, s.path),
                    serde_json::from_slice(&s.body).unwrap_or(Value::Null),
                )
            })
            .collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.server.requests()
    }
}

fn json_reply(status: u16, body: &Value) -> Reply {
    Reply::with_headers(
        status,
        &[("Content-Type", "application/json; charset=utf-8")],
        body.to_string(),
    )
}

fn error(status: u16, message: &str) -> Reply {
    json_reply(
        status,
        &json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string()}),
    )
}

fn answer(state: &Mutex<State>, request: &Seen) -> Reply {
    let mut state = state.lock().unwrap();
    let (path, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    let method = request.method.as_str();
    let key = format!("{method} {path}");
    if let Some((_, reply)) = state
        .faults
        .iter()
        .find(|(k, _)| key.starts_with(k.as_str()))
    {
        return reply.clone();
    }
    if request.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return error(401, "Bad credentials");
    }
    if request.header("x-github-api-version") != Some("2022-11-28") {
        return error(400, "missing API version");
    }
    let Some(rest) = path.strip_prefix(&format!("/repos/{REPO}")) else {
        return error(404, "Not Found");
    };
    if method != "GET" && !state.admin {
        return Reply::with_headers(
            403,
            &[
                ("Content-Type", "application/json; charset=utf-8"),
                ("X-Accepted-GitHub-Permissions", "administration=write"),
            ],
            json!({"message": "Resource not accessible by personal access token", "documentation_url": "https://docs.github.com/rest/repos/rules#create-a-repository-ruleset", "status": "403"}).to_string(),
        );
    }
    let page = query
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1);
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segments.as_slice()) {
        ("GET", []) => json_reply(200, &repository(&state)),
        ("GET", ["rules", "branches", branch]) => {
            if page > 1 {
                return json_reply(200, &json!([]));
            }
            json_reply(200, &Value::Array(branch_rules(&state, branch)))
        }
        ("GET", ["rulesets"]) => {
            if page > 1 {
                return json_reply(200, &json!([]));
            }
            let parents = !query.contains("includes_parents=false");
            let list: Vec<Value> = state
                .rulesets
                .iter()
                .filter(|r| parents || r["source_type"] == "Repository")
                .map(|r| {
                    let mut summary = r.clone();
                    let object = summary.as_object_mut().unwrap();
                    for detail in [
                        "conditions",
                        "rules",
                        "bypass_actors",
                        "current_user_can_bypass",
                    ] {
                        object.remove(detail);
                    }
                    summary
                })
                .collect();
            json_reply(200, &Value::Array(list))
        }
        ("GET", ["rulesets", id]) => match find_ruleset(&state, id) {
            Some(r) => {
                let mut r = r.clone();
                if !state.admin {
                    r.as_object_mut().unwrap().remove("bypass_actors");
                }
                json_reply(200, &r)
            }
            None => error(404, "Not Found"),
        },
        ("POST", ["rulesets"]) => {
            if let Some(reply) = invalid_ruleset(&state, &body, None) {
                return reply;
            }
            let id = state.add_ruleset("Repository", REPO, body);
            let created = find_ruleset(&state, &id.to_string()).unwrap().clone();
            json_reply(201, &created)
        }
        ("PUT", ["rulesets", id]) => {
            let Ok(number) = id.parse::<u64>() else {
                return error(404, "Not Found");
            };
            if let Some(reply) = invalid_ruleset(&state, &body, Some(number)) {
                return reply;
            }
            let Some(existing) = state.rulesets.iter_mut().find(|r| r["id"] == json!(number))
            else {
                return error(404, "Not Found");
            };
            for (k, v) in body.as_object().unwrap() {
                existing[k] = v.clone();
            }
            existing["updated_at"] = json!("2025-04-02T10:00:00.000Z");
            let updated = existing.clone();
            json_reply(200, &updated)
        }
        ("GET", ["branches", branch, "protection"]) => {
            if *branch != state.default_branch || state.classic.is_none() {
                return error(404, "Branch not protected");
            }
            if !state.admin {
                return error(403, "Must have admin rights to Repository.");
            }
            json_reply(200, state.classic.as_ref().unwrap())
        }
        ("GET", ["environments", name]) => match state.environments.get(*name) {
            Some(env) => json_reply(200, env),
            None => error(404, "Not Found"),
        },
        ("PUT", ["environments", name]) => {
            let name = (*name).to_owned();
            let policy = body["deployment_branch_policy"].clone();
            if state.environments.contains_key(&name) {
                let env = state.environments.get_mut(&name).unwrap();
                env["deployment_branch_policy"] = policy;
            } else {
                state.add_environment(&name, &policy, &json!([]));
            }
            let env = state.environments.get_mut(&name).unwrap();
            let mut rules: Vec<Value> = env["protection_rules"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r["type"] != "branch_policy")
                .collect();
            if !env["deployment_branch_policy"].is_null() {
                rules.push(
                    json!({"id": 3_755, "node_id": "MDQ6R2F0ZTM3NTU=", "type": "branch_policy"}),
                );
            }
            env["protection_rules"] = Value::Array(rules);
            let env = env.clone();
            json_reply(200, &env)
        }
        ("GET", ["environments", name, "deployment-branch-policies"]) => {
            let list = state.policies.get(*name).cloned().unwrap_or_default();
            let shown: Vec<Value> = if page > 1 { Vec::new() } else { list.clone() };
            json_reply(
                200,
                &json!({"total_count": list.len(), "branch_policies": shown}),
            )
        }
        ("POST", ["environments", name, "deployment-branch-policies"]) => {
            let custom = state.environments.get(*name).is_some_and(|e| {
                e["deployment_branch_policy"]["custom_branch_policies"] == json!(true)
            });
            if !custom {
                return error(404, "Not Found");
            }
            let list = state.policies.entry((*name).to_owned()).or_default();
            let kind = body["type"].as_str().unwrap_or("branch").to_owned();
            if list
                .iter()
                .any(|p| p["name"] == body["name"] && p["type"] == json!(kind))
            {
                return Reply::Headers {
                    status: 303,
                    headers: vec![(
                        "Location".into(),
                        format!("/repos/{REPO}/environments/{name}/deployment-branch-policies"),
                    )],
                    body: Vec::new(),
                };
            }
            let id = 361_471 + list.len() as u64;
            let policy = json!({"id": id, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", "name": body["name"], "type": kind});
            list.push(policy.clone());
            json_reply(200, &policy)
        }
        ("GET", ["actions", "permissions", "workflow"]) => {
            if !state.admin {
                return error(403, "Must have admin rights to Repository.");
            }
            json_reply(200, &state.workflow)
        }
        ("PUT", ["actions", "permissions", "workflow"]) => {
            for (k, v) in body.as_object().unwrap() {
                state.workflow[k] = v.clone();
            }
            Reply::status(204, "")
        }
        _ => error(404, "Not Found"),
    }
}

fn repository(state: &State) -> Value {
    json!({
        "id": 1_296_269,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        "name": "demo",
        "full_name": REPO,
        "owner": {"login": "acme", "id": 1, "type": "Organization"},
        "private": false,
        "html_url": format!("https://github.com/{REPO}"),
        "default_branch": state.default_branch,
        "permissions": {"admin": state.admin, "maintain": state.admin, "push": true, "triage": true, "pull": true},
    })
}

fn find_ruleset<'a>(state: &'a State, id: &str) -> Option<&'a Value> {
    let id: u64 = id.parse().ok()?;
    state.rulesets.iter().find(|r| r["id"] == json!(id))
}

/// The active rules of the branch rule sets whose conditions select `branch`, as
/// `GET /repos/{owner}/{repo}/rules/branches/{branch}` lists them.
fn branch_rules(state: &State, branch: &str) -> Vec<Value> {
    let full = format!("refs/heads/{branch}");
    let mut out = Vec::new();
    for r in &state.rulesets {
        if r["target"] != "branch" || r["enforcement"] != "active" {
            continue;
        }
        let include: Vec<&str> = r["conditions"]["ref_name"]["include"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let selected = include.iter().any(|p| {
            *p == "~ALL"
                || (*p == "~DEFAULT_BRANCH" && branch == state.default_branch)
                || *p == full
        });
        if !selected {
            continue;
        }
        for rule in r["rules"].as_array().into_iter().flatten() {
            let mut rule = rule.clone();
            rule["ruleset_source_type"] = r["source_type"].clone();
            rule["ruleset_source"] = r["source"].clone();
            rule["ruleset_id"] = r["id"].clone();
            out.push(rule);
        }
    }
    out
}

/// What GitHub answers 422 to: a rule set name that is taken, an unknown rule type.
fn invalid_ruleset(state: &State, body: &Value, id: Option<u64>) -> Option<Reply> {
    if let Some(name) = body["name"].as_str() {
        let taken = state.rulesets.iter().any(|r| {
            r["name"] == name && r["source_type"] == "Repository" && r["id"].as_u64() != id
        });
        if taken {
            return Some(json_reply(
                422,
                &json!({"message": "Validation Failed", "errors": ["Name must be unique"], "documentation_url": "https://docs.github.com/rest/repos/rules#create-a-repository-ruleset", "status": "422"}),
            ));
        }
    }
    for rule in body["rules"].as_array().into_iter().flatten() {
        let kind = rule["type"].as_str().unwrap_or("");
        if !RULE_TYPES.contains(&kind) {
            return Some(json_reply(
                422,
                &json!({"message": "Validation Failed", "errors": [format!("Invalid rule '{kind}': ")], "documentation_url": "https://docs.github.com/rest/repos/rules#create-a-repository-ruleset", "status": "422"}),
            ));
        }
    }
    None
}

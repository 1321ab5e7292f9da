//! Credentials in index URLs (`https://USER:TOKEN@host/simple`) against a real server on 127.0.0.1: a token
//! holding `/`, `?`, `#` or `@`, given by `--index-url`, `RELGATE_INDEX_URL` or the configuration, appears nowhere
//! in relgate's output (human or JSON, passes and errors); an `@` in a URL's path is printed as written; an error
//! after a redirect names the host that was asked last.

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};
use crate::index::server::{Reply, Server, refused_url};

/// What must never be printed.
const SECRET: &str = "SECRETtoken";

/// pluggy 1.8.0 tagged, with `extra` appended to pyproject.toml.
fn release(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{extra}", pyproject("pluggy", "1.8.0")),
    )
    .commit("release")
    .tag("v1.8.0");
    repo
}

/// `relgate check --only index ARGS` with `env`, no proxies; exit code and everything printed.
fn run(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = crate::index::run(repo, args, env);
    (out.code, format!("{}{}", out.stdout, out.stderr))
}

/// The URL given the three ways relgate takes it, each in human and JSON form: exit code and output.
fn every_way(url: &str) -> Vec<(String, i32, String)> {
    let mut out = Vec::new();
    for format in ["human", "json"] {
        let repo = release("");
        let (code, text) = run(&repo, &["--format", format, "--index-url", url], &[]);
        out.push((format!("--index-url, {format}"), code, text));
        let (code, text) = run(&repo, &["--format", format], &[("RELGATE_INDEX_URL", url)]);
        out.push((format!("RELGATE_INDEX_URL, {format}"), code, text));
        let configured = release(&format!("\n[tool.relgate]\nindex-url = \"{url}\"\n"));
        let mut cmd = configured.relgate();
        cmd.env_remove("RELGATE_INDEX_URL");
        let output = cmd
            .args(["check", "--only", "index", "--format", format])
            .output()
            .unwrap();
        out.push((
            format!("index-url, {format}"),
            output.status.code().unwrap(),
            format!("{}{}", stdout(&output), stderr(&output)),
        ));
    }
    out
}

#[test]
fn tokens_whose_end_is_ambiguous_are_refused_without_being_printed() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    for token in ["pypi-Ag/", "pypi-Ag?", "pypi-Ag#"] {
        let url = server
            .url("/simple")
            .replace("http://", &format!("http://user:{token}{SECRET}@"));
        for (how, code, text) in every_way(&url) {
            assert_eq!(code, 2, "{token} {how}: {text}");
            assert!(
                !text.contains(SECRET) && !text.contains("pypi-Ag"),
                "{token} {how}: {text}"
            );
            assert!(
                text.contains("percent-encode the user name and token"),
                "{token} {how}: {text}"
            );
        }
    }
    assert!(server.requests().is_empty());
}

#[test]
fn tokens_with_an_at_sign_or_encoded_characters_are_sent_and_never_printed() {
    for (userinfo, basic) in [
        // base64("user:p@ssSECRETtoken")
        (
            format!("user:p@ss{SECRET}"),
            "Basic dXNlcjpwQHNzU0VDUkVUdG9rZW4=",
        ),
        // base64("user:to/kenSECRETtoken"): `/` percent-encoded in the URL
        (
            format!("user:to%2Fken{SECRET}"),
            "Basic dXNlcjp0by9rZW5TRUNSRVR0b2tlbg==",
        ),
    ] {
        let server = Server::start(vec![Reply::fixture("pluggy")]);
        let root = server.url("/simple");
        let url = root.replace("http://", &format!("http://{userinfo}@"));
        for (how, code, text) in every_way(&url) {
            assert_eq!(code, 0, "{userinfo} {how}: {text}");
            assert!(!text.contains(SECRET), "{userinfo} {how}: {text}");
            assert!(
                text.contains(&format!("{root}/pluggy/")),
                "{userinfo} {how}: {text}"
            );
        }
        assert!(
            server
                .requests()
                .iter()
                .all(|r| r.header("authorization") == Some(basic))
        );

        // The error path: nothing answers there.
        let dead = refused_url("/simple").replace("http://", &format!("http://{userinfo}@"));
        for (how, code, text) in every_way(&dead) {
            assert_eq!(code, 1, "{userinfo} {how}: {text}");
            assert!(!text.contains(SECRET), "{userinfo} {how}: {text}");
            assert!(
                text.contains("connection refused by 127.0.0.1:"),
                "{how}: {text}"
            );
        }
    }
}

#[test]
fn an_index_url_with_an_at_sign_in_its_path_is_printed_intact() {
    let server = Server::routes(vec![(
        "/repo@main/simple/pluggy/",
        Reply::fixture("pluggy"),
    )]);
    let root = server.url("/repo@main/simple");
    let repo = release("");
    let (code, text) = run(&repo, &["--format", "json", "--index-url", &root], &[]);
    assert_eq!(code, 0, "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["checks"][0]["message"],
        format!("1.8.0 is new: the newest release on {root}/pluggy/ is 1.7.0").as_str()
    );
}

#[test]
fn an_error_after_a_redirect_names_the_host_asked_last() {
    let dead = refused_url("/simple/pluggy/");
    let dead_host = dead
        .trim_start_matches("http://")
        .trim_end_matches("/simple/pluggy/")
        .to_owned();
    let index = Server::start(vec![Reply::Redirect(dead)]);
    let repo = release("");
    let (code, text) = run(
        &repo,
        &["--format", "json", "--index-url", &index.url("/simple")],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let message = doc["checks"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "cannot connect: connection refused by {dead_host};"
        )),
        "{message}"
    );
}

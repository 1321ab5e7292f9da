//! `relgate check --only index`: the package-index gate against a real HTTP server on 127.0.0.1 serving the
//! captured index responses (tests/fixtures/index/) and faults, with exit codes and exact messages.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};

/// The same server the unit tests use, std-only: scripted replies, request log, stops by itself.
#[path = "../../src/http/test_server.rs"]
pub mod server;

use server::{Reply, Server, refused_url};

const PROCEED: &str = "to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]";

/// A repository releasing `name` `version`: pyproject declaring it, tag `v<version>` at HEAD, and `extra`
/// appended to pyproject.toml (a `[tool.relgate]` table).
fn release(name: &str, version: &str, extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{extra}", pyproject(name, version)),
    )
    .commit("release")
    .tag(&format!("v{version}"));
    repo
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    elapsed: Duration,
}

/// `relgate check --only index ARGS`, with proxies from the environment out of the way.
pub fn run(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = repo.relgate();
    cmd.args(["check", "--only", "index"]).args(args);
    for var in [
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: stdout(&out),
        stderr: stderr(&out),
        elapsed: started.elapsed(),
    }
}

/// The JSON report of `relgate check --only index --format json ARGS`.
#[track_caller]
fn run_json(repo: &TestRepo, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(repo, &all, &[]);
    let doc = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", out.stdout, out.stderr));
    (out.code, doc)
}

/// The human report with the commit id and durations made stable.
fn normalize(text: &str, repo: &TestRepo) -> String {
    let sha = repo.git(&["rev-parse", "HEAD"]);
    let text = text.replace(&sha.trim()[..7], "<sha>");
    regex::Regex::new(r" +\d+(\.\d)? (ms|s)  ")
        .unwrap()
        .replace_all(&text, " N ms  ")
        .into_owned()
}

/// The human report of a release with one index line.
fn report(name: &str, version: &str, line: &str, verdict: &str) -> String {
    format!(
        "relgate 0.1.0 · {name} {version} (pyproject.toml:3, static) · tag v{version} at <sha>\n  index ........... {line}\n{verdict}\n"
    )
}

const FAILED: &str = "FAIL 1 of 1 checks did not pass: do not release";

#[test]
fn published_version_fails() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let repo = release("pluggy", "1.5.0", "");
    let root = server.url("/simple");
    let out = run(&repo, &["--index-url", &root], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        normalize(&out.stdout, &repo),
        report(
            "pluggy",
            "1.5.0",
            &format!(
                "FAIL N ms  1.5.0 is already on {root}/pluggy/: a published version can never be uploaded again; bump the version and tag again"
            ),
            FAILED
        )
    );
    assert_eq!(out.stderr, "");
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/simple/pluggy/");
    assert!(
        seen[0]
            .header("accept")
            .unwrap()
            .starts_with("application/vnd.pypi.simple.v1+json")
    );

    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "fail");
    assert_eq!(doc["version_validation"]["pypi_conflict"], true);
    let check = &doc["checks"][0];
    assert_eq!(doc["checks"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &check["name"],
            &check["kind"],
            &check["status"],
            &check["required"]
        ),
        (
            &"index".into(),
            &"index".into(),
            &"fail".into(),
            &true.into()
        )
    );
    assert_eq!(
        check["reason"],
        format!("the version must be new on {root}").as_str()
    );
}

#[test]
fn yanked_version_fails_from_html_index() {
    let server = Server::start(vec![Reply::fixture_html("pluggy")]);
    let repo = release("pluggy", "1.1.0", "");
    let root = server.url("/simple");
    let out = run(&repo, &["--index-url", &root], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(
        normalize(&out.stdout, &repo),
        report(
            "pluggy",
            "1.1.0",
            &format!(
                "FAIL N ms  1.1.0 is already on {root}/pluggy/ (yanked: Caused breakage due to new style hook wrappers. Team will reevaluate.): a published version can never be uploaded again; bump the version and tag again"
            ),
            FAILED
        )
    );
}

#[test]
fn newer_published_version_fails_unless_maintenance_is_allowed() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let root = server.url("/simple");
    let repo = release("pluggy", "0.13.2", "");
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!(code, 1);
    assert_eq!(doc["version_validation"]["pypi_conflict"], true);
    assert_eq!(
        doc["checks"][0]["message"],
        format!(
            "0.13.2 is older than 1.7.0, already on {root}/pluggy/: a release that goes backwards confuses installers; choose a version above 1.7.0, or set allow-maintenance = true in [tool.relgate] for a maintenance release on an older line"
        )
        .as_str()
    );

    let repo = release(
        "pluggy",
        "0.13.2",
        "\n[tool.relgate]\nallow-maintenance = true\n",
    );
    let out = run(&repo, &["--index-url", &root], &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let expected = report(
        "pluggy",
        "0.13.2",
        &format!(
            "pass N ms  0.13.2 is a maintenance release: newer 1.7.0 is on {root}/pluggy/, allowed by allow-maintenance = true"
        ),
        "PASS 1 checks passed: ready to release",
    );
    assert_eq!(normalize(&out.stdout, &repo), expected);
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!((code, &doc["status"]), (0, &"pass".into()));
    assert_eq!(doc["version_validation"]["pypi_conflict"], false);
}

#[test]
fn missing_project_is_a_first_release() {
    let server = Server::start(vec![Reply::status(404, "")]);
    let root = server.url("/simple");
    let repo = release("Zope.Interface", "1.0.0", "");
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!(code, 0);
    assert_eq!(doc["status"], "pass");
    assert_eq!(doc["checks"][0]["status"], "pass");
    assert_eq!(
        doc["checks"][0]["message"],
        format!(
            "first release: {root}/zope-interface/ does not exist (HTTP 404), so 1.0.0 is new there"
        )
        .as_str()
    );
    assert_eq!(server.requests()[0].path, "/simple/zope-interface/");
}

#[test]
fn unreachable_index_fails_the_gate_with_the_way_forward() {
    let root = refused_url("/simple");
    let host = root
        .trim_start_matches("http://")
        .trim_end_matches("/simple")
        .to_string();
    let repo = release("pluggy", "1.8.0", "");
    let out = run(&repo, &["--index-url", &root], &[]);
    assert_eq!(out.code, 1);
    assert_eq!(
        normalize(&out.stdout, &repo),
        report(
            "pluggy",
            "1.8.0",
            &format!(
                "ERROR N ms  cannot ask the package index at {root}/pluggy/: cannot connect: connection refused by {host}; {PROCEED}"
            ),
            "ERROR 1 of 1 checks did not pass: do not release"
        )
    );
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "error");
    assert_eq!(doc["checks"][0]["status"], "error");
    assert_eq!(doc["version_validation"]["pypi_conflict"], false);

    // advisory: the same error warns and the gate passes.
    let repo = release(
        "pluggy",
        "1.8.0",
        "\n[tool.relgate]\nindex = \"advisory\"\n",
    );
    let out = run(&repo, &["--index-url", &root], &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        normalize(&out.stdout, &repo),
        report(
            "pluggy",
            "1.8.0",
            &format!(
                "warn N ms  cannot ask the package index at {root}/pluggy/: cannot connect: connection refused by {host}; index = \"advisory\": this does not block the release"
            ),
            "PASS 1 checks passed, 1 optional with warnings: ready to release"
        )
    );
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!((code, &doc["status"]), (0, &"pass".into()));
    assert_eq!(
        (&doc["checks"][0]["status"], &doc["checks"][0]["required"]),
        (&"error".into(), &false.into())
    );
}

#[test]
fn every_fault_is_an_error_never_a_pass() {
    let faults: Vec<(Reply, &str)> = vec![
        (Reply::status(500, "down"), "HTTP 500"),
        (
            Reply::ok("application/vnd.pypi.simple.v1+json", "{\"meta\": "),
            "not a simple-API project page: the JSON answer does not parse: EOF while parsing a value at line 1 column 9",
        ),
        (
            Reply::ok("text/html", b"\xff\xfe\x00garbage".to_vec()),
            "not a simple-API project page: the HTML answer is not UTF-8 text",
        ),
        (
            Reply::ok("text/plain", server::fixture("pluggy.simple.html")),
            "not a simple-API project page: the answer is text/plain, neither PEP 691 JSON (application/vnd.pypi.simple.v1+json) nor PEP 503 HTML (text/html)",
        ),
        (
            Reply::Redirect("/simple/pluggy/".into()),
            "too many redirects",
        ),
        (
            Reply::Huge(64 * 1024 * 1024 + 1),
            "response larger than 67108864 bytes",
        ),
    ];
    let repo = release("pluggy", "1.8.0", "");
    for (reply, why) in faults {
        let server = Server::start(vec![reply]);
        let root = server.url("/simple");
        let (code, doc) = run_json(&repo, &["--index-url", &root]);
        assert_eq!((code, &doc["status"]), (1, &"error".into()), "{why}");
        assert_eq!(
            doc["checks"][0]["message"],
            format!("cannot ask the package index at {root}/pluggy/: {why}; {PROCEED}").as_str()
        );
    }
}

/// What answers `200 text/html` instead of the index when something stands in the way: none of it is a project
/// page, so none of it may read as "no release yet, pass".
#[test]
fn pages_that_are_not_project_pages_are_errors_never_a_pass() {
    const SIGN_IN: &str = "<!DOCTYPE html><html><head><title>Sign in - Example SSO</title></head><body>\
        <form method=\"post\" action=\"/sso/login?next=%2Fsimple%2Fpluggy%2F\"><input name=\"user\">\
        <input type=\"password\" name=\"password\"><button>Sign in</button></form>\
        <a href=\"/sso/forgot\">Forgot your password?</a></body></html>";
    const ACCESS_DENIED: &str = "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>\
        <p>The requested URL <a href=\"http://index.example/simple/pluggy/\">pluggy</a> is blocked by your \
        organisation's web filter (category: Software Downloads).</p></body></html>";
    const ROOT: &str = "<!DOCTYPE html><html><head><meta name=\"api-version\" value=\"2\" />\
        <title>Simple index</title></head><body><a href=\"/simple/pluggy/\">pluggy</a>\
        <a href=\"/simple/pytest/\">pytest</a><a href=\"/simple/pluggy-extras/\">pluggy-extras</a></body></html>";
    let not_a_page = "not a simple-API project page: an HTML page with neither PEP 629's pypi:repository-version \
        meta tag nor a link to a distribution file of pluggy (a sign-in page, a proxy's or web filter's page, or the \
        index's root page?)";
    let repo = release("pluggy", "1.8.0", "");
    let servers = [
        // A single sign-on in front of the index: a redirect to its sign-in page.
        Server::routes(vec![
            (
                "/simple/pluggy/",
                Reply::Redirect("/sso/login?next=%2Fsimple%2Fpluggy%2F".into()),
            ),
            ("/sso/login", Reply::ok("text/html; charset=utf-8", SIGN_IN)),
        ]),
        Server::start(vec![Reply::ok("text/html", ACCESS_DENIED)]),
        // A misconfigured index URL whose project paths all land on the root page.
        Server::start(vec![Reply::ok("text/html", ROOT)]),
    ];
    for server in servers {
        let root = server.url("/simple");
        let (code, doc) = run_json(&repo, &["--index-url", &root]);
        assert_eq!((code, &doc["status"]), (1, &"error".into()), "{doc}");
        assert_eq!(
            doc["checks"][0]["message"],
            format!("cannot ask the package index at {root}/pluggy/: {not_a_page}; {PROCEED}")
                .as_str()
        );
    }
    // The captured project pages still read, in both forms.
    for reply in [Reply::fixture("pluggy"), Reply::fixture_html("pluggy")] {
        let server = Server::start(vec![reply]);
        let root = server.url("/simple");
        let (code, doc) = run_json(&repo, &["--index-url", &root]);
        assert_eq!(
            (code, &doc["checks"][0]["status"]),
            (0, &"pass".into()),
            "{doc}"
        );
    }
}

#[test]
fn an_index_url_with_a_query_or_fragment_is_a_configuration_error() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let repo = release("pluggy", "1.8.0", "");
    for (url, what) in [
        (server.url("/simple?token=s3cret"), "a query (`?...`)"),
        (server.url("/simple#s3cret"), "a fragment (`#...`)"),
    ] {
        let out = run(&repo, &[], &[("RELGATE_INDEX_URL", &url)]);
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: RELGATE_INDEX_URL: the index URL has {what}: relgate asks <index URL>/<project>/, which that would change\n\
                 hint: give the simple API root alone, as for pip's --index-url: e.g. https://pypi.org/simple (credentials go before the host: https://USER:TOKEN@host/simple)\n"
            )
        );
    }
    assert_eq!(server.requests().len(), 0, "the index is not asked");
}

#[test]
fn server_error_then_success_is_retried() {
    let server = Server::start(vec![Reply::status(500, ""), Reply::fixture("pluggy")]);
    let root = server.url("/simple");
    let repo = release("pluggy", "1.8.0", "");
    let (code, doc) = run_json(&repo, &["--index-url", &root]);
    assert_eq!(code, 0);
    assert_eq!(
        doc["checks"][0]["message"],
        format!("1.8.0 is new: the newest release on {root}/pluggy/ is 1.7.0").as_str()
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn silent_index_times_out_at_the_configured_timeout() {
    let server = Server::start(vec![Reply::Silent]);
    let root = server.url("/simple");
    let repo = release("pluggy", "1.8.0", "\n[tool.relgate]\nindex-timeout = 0.5\n");
    let out = run(&repo, &["--index-url", &root, "--format", "json"], &[]);
    assert_eq!(out.code, 1);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        doc["checks"][0]["message"],
        format!("cannot ask the package index at {root}/pluggy/: timed out after 500ms; {PROCEED}")
            .as_str()
    );
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
}

#[test]
fn offline_skips_the_index_visibly() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let repo = release("pluggy", "1.5.0", "");
    let out = run(
        &repo,
        &["--offline", "--index-url", &server.url("/simple")],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        normalize(&out.stdout, &repo),
        report(
            "pluggy",
            "1.5.0",
            "skip N ms  --offline: the package index was not asked whether 1.5.0 is already published",
            "PASS 0 checks passed: ready to release"
        )
    );
    assert!(server.requests().is_empty());

    let repo = release("pluggy", "1.5.0", "\n[tool.relgate]\nindex = \"off\"\n");
    let (code, doc) = run_json(&repo, &["--index-url", &server.url("/simple")]);
    assert_eq!(code, 0);
    assert_eq!(
        (&doc["checks"][0]["status"], &doc["checks"][0]["message"]),
        (
            &"skipped".into(),
            &"the index check is off (index = \"off\" in [tool.relgate])".into()
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn index_url_precedence_flag_env_config() {
    let flag = Server::start(vec![Reply::status(404, "")]);
    let env = Server::start(vec![Reply::status(404, "")]);
    let config = Server::start(vec![Reply::status(404, "")]);
    let repo = release(
        "pluggy",
        "1.5.0",
        &format!(
            "\n[tool.relgate]\nindex-url = \"{}\"\n",
            config.url("/simple")
        ),
    );
    let env_url = env.url("/simple");
    let asked = || {
        (
            flag.requests().len(),
            env.requests().len(),
            config.requests().len(),
        )
    };
    let out = run(
        &repo,
        &["--index-url", &flag.url("/simple")],
        &[("RELGATE_INDEX_URL", &env_url)],
    );
    assert_eq!((out.code, asked()), (0, (1, 0, 0)), "{}", out.stdout);
    let out = run(&repo, &[], &[("RELGATE_INDEX_URL", &env_url)]);
    assert_eq!((out.code, asked()), (0, (1, 1, 0)), "{}", out.stdout);
    let out = repo
        .relgate()
        .args(["check", "--only", "index"])
        .env_remove("RELGATE_INDEX_URL")
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), asked()),
        (Some(0), (1, 1, 1)),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(&format!(
            "first release: {}/pluggy/ does not exist",
            config.url("/simple")
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn credentials_in_the_url_are_used_but_never_printed() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let with_token = server
        .url("/simple")
        .replace("http://", "http://__token__:pypi-AgEIcHlwaS5vcmc@");
    let repo = release("pluggy", "1.5.0", "");
    for format in ["human", "json"] {
        let out = run(
            &repo,
            &["--index-url", &with_token, "--format", format],
            &[],
        );
        assert_eq!(out.code, 1);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !all.contains("pypi-AgEIcHlwaS5vcmc") && !all.contains("__token__"),
            "{all}"
        );
        assert!(
            all.contains(&format!(
                "1.5.0 is already on {}/pluggy/",
                server.url("/simple")
            )),
            "{all}"
        );
    }
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Basic X190b2tlbl9fOnB5cGktQWdFSWNIbHdhUzV2Y21j")
    );

    // Also when the index cannot be reached, and from the environment variable.
    let refused =
        refused_url("/simple").replace("http://", "http://__token__:pypi-AgEIcHlwaS5vcmc@");
    let out = run(&repo, &[], &[("RELGATE_INDEX_URL", &refused)]);
    assert_eq!(out.code, 1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        !all.contains("pypi-AgEIcHlwaS5vcmc") && !all.contains("__token__"),
        "{all}"
    );
    assert!(
        all.contains("cannot connect: connection refused by 127.0.0.1:"),
        "{all}"
    );
}

#[test]
fn an_index_url_that_is_not_http_is_a_usage_error() {
    let repo = release("pluggy", "1.5.0", "");
    let out = run(&repo, &["--index-url", "pypi.org/simple"], &[]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: --index-url: the index URL \"pypi.org/simple\" is not an http:// or https:// URL\nhint: give the simple API root, as for pip's --index-url: e.g. --index-url https://pypi.org/simple\n"
    );
}

#[test]
fn the_index_runs_beside_the_version_checks() {
    let server = Server::start(vec![Reply::fixture("iniconfig")]);
    let repo = release("iniconfig", "2.4.0", "");
    let mut cmd = repo.relgate();
    let out = cmd
        .args(["check", "--format", "json", "--only", "version,index"])
        .args(["--index-url", &server.url("/simple")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["version", "version-order", "version-uploadable", "index"]
    );
}

#[test]
fn proxies_from_the_environment_and_no_proxy() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let proxy = server::ConnectProxy::start();
    let root = server.url("/simple");
    let repo = release("pluggy", "1.8.0", "");
    let new = format!("1.8.0 is new: the newest release on {root}/pluggy/ is 1.7.0");

    let out = run(
        &repo,
        &["--index-url", &root],
        &[("http_proxy", &proxy.url())],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains(&new), "{}", out.stdout);
    assert_eq!(proxy.targets(), [format!("127.0.0.1:{}", server.port())]);

    // NO_PROXY names the index host: the dead proxy is not used.
    let dead = refused_url("");
    let out = run(
        &repo,
        &["--index-url", &root],
        &[("ALL_PROXY", &dead), ("NO_PROXY", "localhost,127.0.0.1")],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains(&new), "{}", out.stdout);

    // Without it, the dead proxy is named (with its credentials removed).
    let dead_with_password = dead.replace("http://", "http://proxyuser:proxypass@");
    let out = run(
        &repo,
        &["--index-url", &root, "--format", "json"],
        &[("ALL_PROXY", &dead_with_password)],
    );
    assert_eq!(out.code, 1);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let dead_host = dead.trim_start_matches("http://");
    assert_eq!(
        doc["checks"][0]["message"],
        format!("cannot ask the package index at {root}/pluggy/: cannot connect: connection refused by the proxy {dead_host}; {PROCEED}").as_str()
    );
    assert!(!out.stdout.contains("proxypass"));
    assert_eq!(server.requests().len(), 2);
}

/// A TLS index: `openssl` makes a CA and a certificate for 127.0.0.1, Python's `ssl` serves the captured
/// pluggy page with it. Killed on drop.
struct TlsIndex {
    child: std::process::Child,
    port: u16,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsIndex {
    fn start() -> TlsIndex {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap_or_else(|e| panic!("this test needs the openssl command: {e}"));
            assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"],
                &ec[..],
                &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
                &[
                    "-subj",
                    "/CN=relgate test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"],
                &ec[..],
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
        );
        std::fs::write(
            dir.path().join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        let script = r#"
import http.server, os, ssl, sys, threading
body = open(sys.argv[3], "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Timer(60, lambda: os._exit(0)).start()
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
        let fixture: std::path::PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "fixtures",
            "index",
            "pluggy.simple.json",
        ]
        .iter()
        .collect();
        let mut child = std::process::Command::new(crate::common::test_venv().join("bin/python"))
            .args(["-c", script])
            .arg(dir.path().join("server.pem"))
            .arg(dir.path().join("server.key"))
            .arg(fixture)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the TLS server did not start: {line:?}"));
        TlsIndex {
            child,
            port,
            ca: dir.path().join("ca.pem"),
            _dir: dir,
        }
    }
}

impl Drop for TlsIndex {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn tls_index_with_a_custom_ca_bundle() {
    let index = TlsIndex::start();
    let root = format!("https://127.0.0.1:{}/simple", index.port);
    let repo = release("pluggy", "1.5.0", "");
    let ca = index.ca.to_str().unwrap();

    let out = run(
        &repo,
        &["--index-url", &root, "--format", "json"],
        &[("SSL_CERT_FILE", ca)],
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(out.code, 1);
    assert_eq!(
        (&doc["checks"][0]["status"], &doc["checks"][0]["message"]),
        (
            &"fail".into(),
            &format!("1.5.0 is already on {root}/pluggy/: a published version can never be uploaded again; bump the version and tag again").into()
        )
    );

    // The built-in roots do not know this CA: an error that says where a CA goes, not a pass.
    let out = run(
        &repo,
        &["--index-url", &root, "--format", "json"],
        &[("SSL_CERT_FILE", "")],
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (out.code, &doc["checks"][0]["status"]),
        (1, &"error".into())
    );
    assert_eq!(
        doc["checks"][0]["message"],
        format!("cannot ask the package index at {root}/pluggy/: TLS: invalid peer certificate: UnknownIssuer (a company proxy's CA goes in SSL_CERT_FILE); {PROCEED}").as_str()
    );
}

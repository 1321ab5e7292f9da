//! The index gate against a real HTTP server on 127.0.0.1 serving the captured index responses and faults.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::{Duration, Instant};

use super::*;
use crate::http::test_server::{Reply, Server, refused_url};
use crate::outcome::Status;

const PROCEED_TAIL: &str = "; to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]";

fn settings_for(url: String) -> IndexSettings {
    IndexSettings {
        url,
        timeout: Duration::from_secs(5),
        mode: IndexMode::Required,
        allow_maintenance: false,
        offline: false,
        origin: "--index-url".into(),
    }
}

/// Ask a fresh server that answers with `replies` about `name` `version`.
fn ask_server(
    replies: Vec<Reply>,
    name: &str,
    version: &str,
    tweak: impl FnOnce(&mut IndexSettings),
) -> (IndexVerdict, Server) {
    let server = Server::start(replies);
    let mut settings = settings_for(server.url("/simple"));
    tweak(&mut settings);
    let verdict = check(name, &Version::from_str(version).unwrap(), &settings);
    (verdict, server)
}

#[track_caller]
fn assert_verdict(verdict: &IndexVerdict, status: Status, conflict: bool, message: &str) {
    assert_eq!(verdict.result.message, message);
    assert_eq!(
        (verdict.result.status, verdict.conflict),
        (status, conflict),
        "{}",
        verdict.result.message
    );
    assert_eq!(verdict.result.name, "index");
    assert_eq!(verdict.result.kind, Kind::Index);
}

#[test]
fn published_version_fails_in_both_forms() {
    for reply in [Reply::fixture("pluggy"), Reply::fixture_html("pluggy")] {
        let (verdict, server) = ask_server(vec![reply], "pluggy", "1.5.0", |_| {});
        let page = server.url("/simple/pluggy/");
        assert_verdict(
            &verdict,
            Status::Fail,
            true,
            &format!(
                "1.5.0 is already on {page}: a published version can never be uploaded again; bump the version and tag again"
            ),
        );
        assert!(verdict.result.required);
        let seen = server.requests();
        assert_eq!(seen.len(), 1, "one request per check");
        assert_eq!(seen[0].path, "/simple/pluggy/");
        assert_eq!(seen[0].header("accept"), Some(simple::ACCEPT));
    }
}

#[test]
fn yanked_version_fails_with_the_reason() {
    for reply in [Reply::fixture("pluggy"), Reply::fixture_html("pluggy")] {
        let (verdict, server) = ask_server(vec![reply], "Pluggy", "1.1.0", |_| {});
        assert_verdict(
            &verdict,
            Status::Fail,
            true,
            &format!(
                "1.1.0 is already on {} (yanked: Caused breakage due to new style hook wrappers. Team will reevaluate.): \
                 a published version can never be uploaded again; bump the version and tag again",
                server.url("/simple/pluggy/")
            ),
        );
    }
}

#[test]
fn equal_under_pep440_is_published() {
    let (verdict, server) = ask_server(vec![Reply::fixture("pluggy")], "pluggy", "1.5", |_| {});
    assert_verdict(
        &verdict,
        Status::Fail,
        true,
        &format!(
            "1.5 is already on {} as 1.5.0: a published version can never be uploaded again; bump the version and tag again",
            server.url("/simple/pluggy/")
        ),
    );
}

#[test]
fn version_listed_without_files_is_published() {
    let (verdict, server) = ask_server(
        vec![Reply::fixture("iniconfig")],
        "iniconfig",
        "0.0",
        |_| {},
    );
    assert_verdict(
        &verdict,
        Status::Fail,
        true,
        &format!(
            "0.0 is already on {} (listed, its files deleted): a published version can never be uploaded again; bump the version and tag again",
            server.url("/simple/iniconfig/")
        ),
    );
}

#[test]
fn newer_published_version_fails() {
    let (verdict, server) = ask_server(vec![Reply::fixture("pluggy")], "pluggy", "1.6.5", |_| {});
    assert_verdict(
        &verdict,
        Status::Fail,
        true,
        &format!(
            "1.6.5 is older than 1.7.0, already on {}: a release that goes backwards confuses installers; choose a \
             version above 1.7.0, or set allow-maintenance = true in [tool.relgate] for a maintenance release on an older line",
            server.url("/simple/pluggy/")
        ),
    );
}

#[test]
fn maintenance_release_passes_when_allowed() {
    let (verdict, server) = ask_server(
        vec![Reply::fixture_html("pluggy")],
        "pluggy",
        "0.13.2",
        |s| s.allow_maintenance = true,
    );
    assert_verdict(
        &verdict,
        Status::Pass,
        false,
        &format!(
            "0.13.2 is a maintenance release: newer 1.7.0 is on {}, allowed by allow-maintenance = true",
            server.url("/simple/pluggy/")
        ),
    );
}

#[test]
fn new_version_passes() {
    let (verdict, server) = ask_server(
        vec![Reply::fixture("iniconfig")],
        "iniconfig",
        "2.4.0",
        |_| {},
    );
    assert_verdict(
        &verdict,
        Status::Pass,
        false,
        &format!(
            "2.4.0 is new: the newest release on {} is 2.3.1",
            server.url("/simple/iniconfig/")
        ),
    );
}

#[test]
fn missing_project_is_a_first_release() {
    let (verdict, server) = ask_server(
        vec![Reply::status(404, "")],
        "Zope.Interface",
        "1.0.0",
        |_| {},
    );
    assert_verdict(
        &verdict,
        Status::Pass,
        false,
        &format!(
            "first release: {} does not exist (HTTP 404), so 1.0.0 is new there",
            server.url("/simple/zope-interface/")
        ),
    );
}

#[test]
fn server_error_then_success_is_retried() {
    let (verdict, server) = ask_server(
        vec![Reply::status(500, "oops"), Reply::fixture("pluggy")],
        "pluggy",
        "1.8.0",
        |_| {},
    );
    assert_verdict(
        &verdict,
        Status::Pass,
        false,
        &format!(
            "1.8.0 is new: the newest release on {} is 1.7.0",
            server.url("/simple/pluggy/")
        ),
    );
    assert_eq!(server.requests().len(), 2);
}

/// Each fault: the reply, and the reason the message gives after "cannot ask the package index at PAGE: ".
#[test]
fn faults_are_errors_with_the_way_forward() {
    let faults: Vec<(Reply, &str)> = vec![
        (Reply::status(500, "down"), "HTTP 500"),
        (
            Reply::status(401, ""),
            "HTTP 401 (access denied; credentials go in the index URL: https://USER:TOKEN@host/simple)",
        ),
        (
            Reply::ok(simple::JSON_TYPE, "<html>oops</html>"),
            "not a simple-API project page: the JSON answer does not parse: expected value at line 1 column 1",
        ),
        (
            Reply::ok("text/html", b"\x00\xff\xfe garbage".to_vec()),
            "not a simple-API project page: the HTML answer is not UTF-8 text",
        ),
        (
            Reply::ok("application/json", "{}"),
            "not a simple-API project page: the answer is application/json, neither PEP 691 JSON (application/vnd.pypi.simple.v1+json) nor PEP 503 HTML (text/html)",
        ),
        (
            Reply::Redirect("/simple/pluggy/".into()),
            "too many redirects",
        ),
        (
            Reply::Huge(MAX_PAGE_BYTES + 1),
            "response larger than 67108864 bytes",
        ),
    ];
    for (reply, why) in faults {
        let (verdict, server) = ask_server(vec![reply], "pluggy", "1.8.0", |_| {});
        let page = server.url("/simple/pluggy/");
        assert_verdict(
            &verdict,
            Status::Error,
            false,
            &format!("cannot ask the package index at {page}: {why}{PROCEED_TAIL}"),
        );
        assert!(verdict.result.blocks());
    }
}

#[test]
fn silent_index_times_out() {
    let started = Instant::now();
    let (verdict, server) = ask_server(vec![Reply::Silent], "pluggy", "1.8.0", |s| {
        s.timeout = Duration::from_millis(300);
    });
    assert_verdict(
        &verdict,
        Status::Error,
        false,
        &format!(
            "cannot ask the package index at {}: timed out after 300ms{PROCEED_TAIL}",
            server.url("/simple/pluggy/")
        ),
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn refused_connection_is_an_error() {
    let root = refused_url("/simple");
    let verdict = check(
        "pluggy",
        &Version::from_str("1.0").unwrap(),
        &settings_for(root.clone()),
    );
    let host = root
        .trim_start_matches("http://")
        .trim_end_matches("/simple");
    assert_verdict(
        &verdict,
        Status::Error,
        false,
        &format!(
            "cannot ask the package index at {root}/pluggy/: cannot connect: connection refused by {host}{PROCEED_TAIL}"
        ),
    );
}

#[test]
fn advisory_mode_does_not_block() {
    let root = refused_url("/simple");
    let mut settings = settings_for(root);
    settings.mode = IndexMode::Advisory;
    let verdict = check("pluggy", &Version::from_str("1.0").unwrap(), &settings);
    assert_eq!(verdict.result.status, Status::Error);
    assert!(!verdict.result.required);
    assert!(!verdict.result.blocks());
}

#[test]
fn gate_without_name_or_version() {
    let root = refused_url("/simple");
    let version = Version::from_str("1.0").unwrap();
    let verdict = gate(None, Some(&version), &settings_for(root.clone()));
    assert_verdict(
        &verdict,
        Status::Error,
        false,
        &format!(
            "the project's name is not declared statically ([project] name in pyproject.toml, or [metadata] name \
             in setup.cfg), so the package index cannot be asked{PROCEED_TAIL}"
        ),
    );
    let verdict = gate(Some("pluggy"), None, &settings_for(root.clone()));
    assert_verdict(
        &verdict,
        Status::Skipped,
        false,
        "no release version to look up on the package index (see the version checks)",
    );
    let mut offline = settings_for(root);
    offline.offline = true;
    let verdict = gate(None, None, &offline);
    assert_verdict(
        &verdict,
        Status::Skipped,
        false,
        "--offline: the package index was not asked whether the version is already published",
    );
}

#[test]
fn off_and_offline_skip_without_asking() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let version = Version::from_str("1.5.0").unwrap();
    let mut settings = settings_for(server.url("/simple"));
    settings.offline = true;
    let verdict = check("pluggy", &version, &settings);
    assert_verdict(
        &verdict,
        Status::Skipped,
        false,
        "--offline: the package index was not asked whether 1.5.0 is already published",
    );
    settings.offline = false;
    settings.mode = IndexMode::Off;
    let verdict = check("pluggy", &version, &settings);
    assert_verdict(
        &verdict,
        Status::Skipped,
        false,
        "the index check is off (index = \"off\" in [tool.relgate])",
    );
    assert!(server.requests().is_empty());
}

#[test]
fn credentials_are_sent_but_never_shown() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let url = server
        .url("/simple")
        .replace("http://", "http://deploy:pypi-s3cr3tT0ken@");
    let verdict = check(
        "pluggy",
        &Version::from_str("1.5.0").unwrap(),
        &settings_for(url),
    );
    let shown = format!("{:?}", verdict.result);
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("deploy"),
        "{shown}"
    );
    assert!(verdict.result.message.starts_with(&format!(
        "1.5.0 is already on {}: ",
        server.url("/simple/pluggy/")
    )));
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Basic ZGVwbG95OnB5cGktczNjcjN0VDBrZW4=")
    );
}

#[test]
fn invalid_url_is_an_error_not_a_pass() {
    let verdict = check(
        "pluggy",
        &Version::from_str("1.0").unwrap(),
        &settings_for("pypi.org/simple".into()),
    );
    assert_verdict(
        &verdict,
        Status::Error,
        false,
        &format!(
            "--index-url: the index URL \"pypi.org/simple\" is not an http:// or https:// URL{PROCEED_TAIL}"
        ),
    );
    assert!(validate_url("https://pypi.org/simple").is_ok());
    assert!(validate_url("http://u:p@127.0.0.1:8080/simple").is_ok());
    assert!(validate_url("https:///simple").is_err());
    assert!(validate_url("ftp://host/simple").is_err());
}

#[test]
fn a_query_or_fragment_in_the_index_url_is_refused_without_showing_it() {
    for (url, what) in [
        ("https://host/simple?token=s3cret", "a query (`?...`)"),
        ("https://host/simple/?", "a query (`?...`)"),
        ("https://u:p@host/simple#s3cret", "a fragment (`#...`)"),
        ("https://host?x", "a query (`?...`)"),
    ] {
        let err = validate_url(url).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the index URL has {what}: relgate asks <index URL>/<project>/, which that would change"
            ),
            "{url}"
        );
    }
    // In the credentials (percent-encoded), `?` and `#` are the token's, not a query.
    assert!(validate_url("https://user:to%3Fk%23en@host/simple").is_ok());
    let mut settings = settings_for("https://host/simple?token=s3cret".into());
    settings.origin = "RELGATE_INDEX_URL".into();
    let err = settings.validate().unwrap_err();
    assert!(!format!("{err:#}").contains("s3cret"), "{err:#}");
    assert_eq!(
        crate::error::hint_of(&err),
        Some(
            "give the simple API root alone, as for pip's --index-url: e.g. https://pypi.org/simple (credentials go \
             before the host: https://USER:TOKEN@host/simple)"
        )
    );
}

/// Synthetic pages for the orderings the captured projects do not show.
fn judge_html(files: &[&str], version: &str, allow_maintenance: bool) -> (CheckResult, bool) {
    let html = files.iter().fold(String::new(), |mut html, f| {
        let _ = writeln!(html, "<a href=\"{f}\">{f}</a>");
        html
    });
    let listing = simple::parse(
        Some("text/html"),
        format!("<html><meta name=\"pypi:repository-version\" content=\"1.0\">{html}</html>")
            .as_bytes(),
        "foo",
    )
    .unwrap();
    judge(
        &Version::from_str(version).unwrap(),
        &listing,
        "PAGE",
        allow_maintenance,
    )
}

#[test]
fn newer_pre_release_counts_and_is_named() {
    let files = ["foo-1.8.0.tar.gz", "foo-2.0.0rc1.tar.gz"];
    let (result, conflict) = judge_html(&files, "1.9.0", false);
    assert!(conflict);
    assert_eq!(
        result.message,
        "1.9.0 is older than 2.0.0rc1 (a pre-release, chosen by `pip install --pre`), already on PAGE: a release \
         that goes backwards confuses installers; choose a version above 2.0.0rc1, or set allow-maintenance = true \
         in [tool.relgate] for a maintenance release on an older line"
    );
    // The final release after its own release candidates is newer.
    let (result, conflict) = judge_html(&files, "2.0.0", false);
    assert_eq!((result.status, conflict), (Status::Pass, false));
    assert_eq!(
        result.message,
        "2.0.0 is new: the newest release on PAGE is 2.0.0rc1"
    );
    // A pre-release after a newer pre-release is plainly older.
    let (result, _) = judge_html(&files, "2.0.0b1", false);
    assert!(
        result
            .message
            .starts_with("2.0.0b1 is older than 2.0.0rc1, already on PAGE"),
        "{}",
        result.message
    );
}

#[test]
fn maintenance_cannot_go_backwards_within_its_line() {
    let files = ["foo-1.4.2.tar.gz", "foo-1.4.5.tar.gz", "foo-2.0.0.tar.gz"];
    let (result, conflict) = judge_html(&files, "1.4.3", true);
    assert_eq!((result.status, conflict), (Status::Fail, true));
    assert_eq!(
        result.message,
        "1.4.3 is older than 1.4.5, already on PAGE on the same 1.4.x line: allow-maintenance admits releases on \
         older lines, not going backwards within one; choose a version above 1.4.5"
    );
    let (result, conflict) = judge_html(&files, "1.4.6", true);
    assert_eq!((result.status, conflict), (Status::Pass, false));
    assert_eq!(
        result.message,
        "1.4.6 is a maintenance release: newer 2.0.0 is on PAGE, allowed by allow-maintenance = true"
    );
}

#[test]
fn release_lines_pad_like_pep440() {
    let line = |v: &str| line_label(&line_of(&Version::from_str(v).unwrap()));
    assert_eq!(
        [
            line("1.4.3"),
            line("1.4"),
            line("2"),
            line("2.0.1rc1"),
            line("1!3.1")
        ],
        ["1.4.x", "1.4.x", "2.0.x", "2.0.x", "1!3.1.x"]
    );
    let (result, conflict) = judge_html(&["foo-2.0.tar.gz", "foo-3.0.tar.gz"], "2.0.0.post1", true);
    assert_eq!(
        (result.status, conflict),
        (Status::Pass, false),
        "{}",
        result.message
    );
    let (result, _) = judge_html(&["foo-2.0.1.tar.gz", "foo-3.0.tar.gz"], "2", true);
    assert_eq!(result.status, Status::Fail, "{}", result.message);
}

#[test]
fn yanked_newer_version_still_counts() {
    let html = "<a href=\"foo-1.0.tar.gz\">foo-1.0.tar.gz</a><a href=\"foo-2.0.tar.gz\" data-yanked>foo-2.0.tar.gz</a>";
    let listing = simple::parse(Some("text/html"), html.as_bytes(), "foo").unwrap();
    let (result, conflict) = judge(&Version::from_str("1.1").unwrap(), &listing, "PAGE", false);
    assert!(conflict);
    assert!(
        result
            .message
            .starts_with("1.1 is older than 2.0 (yanked), already on PAGE:"),
        "{}",
        result.message
    );
}

#[test]
fn empty_project_page_passes() {
    let (result, conflict) = judge_html(&[], "0.1.0", false);
    assert_eq!((result.status, conflict), (Status::Pass, false));
    assert_eq!(result.message, "0.1.0 is new: PAGE lists no release yet");
}

#[test]
fn settings_precedence() {
    let mut config = Config::default();
    // RELGATE_INDEX_URL would sit between the flag and the configuration; the CLI tests cover it.
    if crate::env::index_url().is_none() {
        assert_eq!(settings(None, false, &config).url, DEFAULT_INDEX_URL);
        config.index_url = Some("https://config.example/simple".into());
        assert_eq!(
            settings(None, false, &config).url,
            "https://config.example/simple"
        );
    }
    config.index_url = Some("https://config.example/simple".into());
    config.index_timeout = Some(2.5);
    config.allow_maintenance = Some(true);
    config.index = Some(IndexMode::Advisory);
    let s = settings(Some("https://flag.example/simple"), true, &config);
    assert_eq!(s.url, "https://flag.example/simple");
    assert_eq!(s.timeout, Duration::from_millis(2500));
    assert!(s.allow_maintenance && s.offline);
    assert_eq!(s.mode, IndexMode::Advisory);
    assert_eq!(s.origin, "--index-url");
    if crate::env::index_url().is_none() {
        assert_eq!(
            settings(None, false, &config).origin,
            "tool.relgate.index-url in pyproject.toml"
        );
        config.source = Some("relgate.toml".into());
        assert_eq!(
            settings(None, false, &config).origin,
            "index-url in relgate.toml"
        );
    }
    let defaults = settings(None, false, &Config::default());
    assert_eq!(
        (defaults.timeout, defaults.allow_maintenance, defaults.mode),
        (Duration::from_secs(10), false, IndexMode::Required)
    );
}

/// Opt-in (`RELGATE_LIVE_INDEX=1`): the public index, through the same code path, proxy and CA settings.
#[test]
fn live_public_index() {
    if !crate::env::live_index() {
        eprintln!("skipped: set RELGATE_LIVE_INDEX=1 to ask the public index");
        return;
    }
    let mut live = settings(None, false, &Config::default());
    live.url = DEFAULT_INDEX_URL.to_string();
    let published = check("Pluggy", &Version::from_str("1.5.0").unwrap(), &live);
    assert_verdict(
        &published,
        Status::Fail,
        true,
        "1.5.0 is already on https://pypi.org/simple/pluggy/: a published version can never be uploaded again; \
         bump the version and tag again",
    );
    let yanked = check("pluggy", &Version::from_str("1.1.0").unwrap(), &live);
    assert!(
        yanked
            .result
            .message
            .starts_with("1.1.0 is already on https://pypi.org/simple/pluggy/ (yanked: "),
        "{}",
        yanked.result.message
    );
    let older = check("pluggy", &Version::from_str("0.13.2").unwrap(), &live);
    assert_eq!(
        (older.result.status, older.conflict),
        (Status::Fail, true),
        "{}",
        older.result.message
    );
    let missing = "relgate-live-test-no-such-project-4f9c2";
    let first = check(missing, &Version::from_str("0.1.0").unwrap(), &live);
    assert_verdict(
        &first,
        Status::Pass,
        false,
        &format!(
            "first release: https://pypi.org/simple/{missing}/ does not exist (HTTP 404), so 0.1.0 is new there"
        ),
    );
}

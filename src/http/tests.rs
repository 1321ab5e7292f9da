//! The HTTP agent against a real server on 127.0.0.1.

use super::*;
use test_server::{Reply, Server};

fn request(url: &str) -> Request<'_> {
    Request {
        url,
        headers: vec![("Accept", "text/html".to_string())],
        timeout: Duration::from_secs(5),
        max_bytes: 1 << 20,
    }
}

#[test]
fn no_proxy_is_read_as_curl_reads_it() {
    assert_eq!(
        no_proxy_entries(" example.com, .internal,127.0.0.1:8080,*,[::1]:3128,,"),
        [
            ".example.com",
            "example.com",
            ".internal",
            "internal",
            ".127.0.0.1",
            "127.0.0.1",
            "*",
            "[::1]",
            ".::1",
            "::1",
        ]
    );
    let bypassed = |no_proxy: &str, url: &str| {
        let p = proxy("http://proxy.invalid:3128", Some(no_proxy)).unwrap();
        p.is_no_proxy(&request_uri(&SafeUrl::parse(url).unwrap()))
    };
    assert!(bypassed("*", "https://pypi.org/simple"));
    assert!(bypassed(
        "example.com, .internal",
        "https://pkgs.internal/simple"
    ));
    assert!(bypassed("example.com", "https://a.example.com/simple"));
    assert!(bypassed("127.0.0.1:8080", "http://127.0.0.1:9000/simple"));
    assert!(!bypassed("example.com", "https://notexample.com/simple"));
    assert!(!bypassed("", "https://pypi.org/simple"));
    assert!(proxy("http://u:p@proxy.invalid:3128", None).is_some());
    assert!(proxy("ftp://proxy.invalid", None).is_none());
}

#[test]
fn any_status_is_a_response() {
    let server = Server::start(vec![Reply::status(404, "")]);
    let resp = get(&request(&server.url("/simple/nothing/"))).unwrap();
    assert_eq!(resp.status, 404);
    assert!(resp.body.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn sends_headers_and_basic_auth_but_reports_redacted_url() {
    let server = Server::start(vec![Reply::ok("text/html", "<a href=x>x</a>")]);
    let url = server
        .url("/simple/p/")
        .replace("http://", "http://alice:s3cret@");
    let resp = get(&request(&url)).unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.content_type.as_deref(), Some("text/html"));
    assert_eq!(resp.body, b"<a href=x>x</a>");
    assert_eq!(resp.url, server.url("/simple/p/"));
    let seen = &server.requests()[0];
    assert_eq!(seen.path, "/simple/p/");
    assert_eq!(seen.header("accept"), Some("text/html"));
    let count = |name: &str| seen.headers.iter().filter(|(n, _)| n == name).count();
    assert_eq!(
        (count("accept"), count("authorization")),
        (1, 1),
        "{:?}",
        seen.headers
    );
    // base64("alice:s3cret")
    assert_eq!(seen.header("authorization"), Some("Basic YWxpY2U6czNjcmV0"));
}

#[test]
fn retries_5xx_then_succeeds() {
    let server = Server::start(vec![
        Reply::status(503, "busy"),
        Reply::ok("text/html", "ok"),
    ]);
    let resp = get(&request(&server.url("/simple/p/"))).unwrap();
    assert_eq!((resp.status, resp.body.as_slice()), (200, b"ok".as_slice()));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn persistent_5xx_is_returned_after_two_retries() {
    let server = Server::start(vec![Reply::status(500, "down")]);
    let resp = get(&request(&server.url("/simple/p/"))).unwrap();
    assert_eq!(resp.status, 500);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn reset_connection_is_retried() {
    let server = Server::start(vec![Reply::Hangup, Reply::ok("text/html", "ok")]);
    let resp = get(&request(&server.url("/simple/p/"))).unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn silent_server_times_out() {
    let server = Server::start(vec![Reply::Silent]);
    let mut req = request("");
    let url = server.url("/simple/p/");
    req.url = &url;
    req.timeout = Duration::from_millis(400);
    let started = Instant::now();
    let err = get(&req).err().unwrap();
    assert_eq!(err.to_string(), "timed out after 400ms");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn refused_connection() {
    let url = test_server::refused_url("/simple/p/");
    let err = get(&request(&url)).err().unwrap();
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches("/simple/p/");
    assert_eq!(
        err.to_string(),
        format!("cannot connect: connection refused by {host}")
    );
}

#[test]
fn redirect_loop_stops() {
    let server = Server::start(vec![Reply::Redirect("/simple/p/".into())]);
    let err = get(&request(&server.url("/simple/p/"))).err().unwrap();
    assert!(matches!(err, HttpError::TooManyRedirects), "{err:?}");
    assert_eq!(server.requests().len(), 1 + MAX_REDIRECTS as usize);
}

#[test]
fn redirect_is_followed_and_final_url_reported() {
    let server = Server::start(vec![
        Reply::Redirect("/other/".into()),
        Reply::ok("text/html", "x"),
    ]);
    let resp = get(&request(&server.url("/simple/p"))).unwrap();
    assert_eq!(resp.url, server.url("/other/"));
}

#[test]
fn body_over_the_limit_is_an_error() {
    let server = Server::start(vec![Reply::Huge(2 << 20)]);
    let err = get(&request(&server.url("/simple/p/"))).err().unwrap();
    assert_eq!(err.to_string(), "response larger than 1048576 bytes");
}

#[test]
fn ca_bundle_problems_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let err = root_certs(Some(missing.clone().into_os_string()))
        .err()
        .unwrap();
    assert!(
        err.to_string().starts_with(&format!(
            "TLS: cannot read SSL_CERT_FILE={}: ",
            missing.display()
        )),
        "{err}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let err = root_certs(Some(empty.clone().into_os_string()))
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "TLS: SSL_CERT_FILE={} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            empty.display()
        )
    );
    assert!(matches!(root_certs(None), Ok(RootCerts::WebPki)));
}

#[test]
fn credentials_never_in_errors() {
    let url = test_server::refused_url("/simple/p/").replace("http://", "http://bob:hunter2token@");
    let err = get(&request(&url)).err().unwrap();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("hunter2token") && !text.contains("bob"),
        "{text}"
    );
}

#[test]
fn without_redirects_the_3xx_is_the_answer() {
    let server = Server::start(vec![Reply::Redirect(
        "http://storage.invalid/blob?sig=x".into(),
    )]);
    let resp = get_without_redirects(&request(&server.url("/logs"))).unwrap();
    assert_eq!(
        (resp.status, resp.header("location")),
        (302, Some("http://storage.invalid/blob?sig=x"))
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn headers_by_lower_case_name_and_routes_by_path() {
    let server = Server::routes(vec![
        (
            "/a",
            Reply::with_headers(200, &[("X-RateLimit-Remaining", "7")], "a"),
        ),
        ("/a/b", Reply::ok("text/plain", "a/b")),
    ]);
    let a = get(&request(&server.url("/a?x=1"))).unwrap();
    assert_eq!(
        (
            a.status,
            a.header("x-ratelimit-remaining"),
            a.body.as_slice()
        ),
        (200, Some("7"), b"a".as_slice())
    );
    let ab = get(&request(&server.url("/a/b"))).unwrap();
    assert_eq!(ab.body, b"a/b");
    let none = get(&request(&server.url("/c"))).unwrap();
    assert_eq!(none.status, 404);
}

#[test]
fn credentials_follow_a_redirect_only_to_the_same_origin() {
    // Another port on the same host is another service: like pip, relgate does not hand it the password.
    let other = Server::start(vec![Reply::ok("text/html", "elsewhere")]);
    let index = Server::start(vec![
        Reply::Redirect("/simple/p/".into()),
        Reply::Redirect(other.url("/simple/p/")),
    ]);
    let url = index
        .url("/simple/p")
        .replace("http://", "http://alice:s3cret@");
    let resp = get(&request(&url)).unwrap();
    assert_eq!(resp.body, b"elsewhere");
    assert_eq!(resp.url, other.url("/simple/p/"));
    let at_index: Vec<Option<String>> = index
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    let basic = Some("Basic YWxpY2U6czNjcmV0".to_owned());
    assert_eq!(at_index, [basic.clone(), basic]);
    assert_eq!(other.requests()[0].header("authorization"), None);
}

#[test]
fn a_query_only_location_keeps_the_path() {
    let server = Server::routes(vec![
        ("/simple/p/", Reply::Redirect("?page=2".into())),
        ("/simple/p/?page=2", Reply::ok("text/html", "page 2")),
    ]);
    let resp = get(&request(&server.url("/simple/p/"))).unwrap();
    assert_eq!(resp.body, b"page 2");
    assert_eq!(resp.url, server.url("/simple/p/?page=2"));
    assert_eq!(server.requests()[1].path, "/simple/p/?page=2");
}

#[test]
fn errors_after_a_redirect_name_the_host_asked_last() {
    let dead = test_server::refused_url("/simple/p/");
    let index = Server::start(vec![Reply::Redirect(dead.clone())]);
    let err = get(&request(&index.url("/simple/p/"))).err().unwrap();
    let dead_host = dead
        .trim_start_matches("http://")
        .trim_end_matches("/simple/p/");
    assert_eq!(
        err.to_string(),
        format!("cannot connect: connection refused by {dead_host}")
    );
}

#[test]
fn ambiguous_credentials_are_refused_without_a_request() {
    let server = Server::start(vec![Reply::ok("text/html", "x")]);
    let url = server
        .url("/simple/p/")
        .replace("http://", "http://user:to/ken@");
    let err = get(&request(&url)).err().unwrap();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("ken"), "{text}");
    assert!(server.requests().is_empty());
}

//! `relgate publish auth`: API tokens built here with the real macaroon serialisation (v2, as pymacaroons and
//! warehouse write it), found where each uploader reads them; and trusted publishing's exchange against local
//! servers standing in for GitHub's OIDC token endpoint and the index. In every test, no secret appears in
//! any output, with `-v` and in JSON too.

use std::process::Output;

use base64::Engine as _;
use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};
use crate::index::server::{Reply, Server, refused_url};

/// A token of `pypi.org` (or another location): `pypi-` and a v2 macaroon with these first-party caveats (the signature is made up: only the
/// index could check it, and relgate never does).
fn token(location: &str, caveats: &[&str]) -> String {
    fn put(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
        out.push(kind);
        let mut n = data.len();
        while n >= 0x80 {
            out.push(u8::try_from(n & 0x7f).unwrap() | 0x80);
            n >>= 7;
        }
        out.push(u8::try_from(n).unwrap());
        out.extend_from_slice(data);
    }
    let mut out = vec![2];
    put(&mut out, 1, location.as_bytes());
    put(&mut out, 2, b"6c1b2a9e-5d4f-4e3a-9b8c-7d6e5f4a3b2c");
    out.push(0);
    for caveat in caveats {
        put(&mut out, 2, caveat.as_bytes());
        out.push(0);
    }
    out.push(0);
    put(&mut out, 6, &[0x5a; 32]);
    format!(
        "pypi-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    )
}

const FAR: i64 = 4_102_444_800; // 2100-01-01
const PAST: i64 = 1_600_000_000; // 2020-09-13

fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("MyPkg", "1.0.0"))
        .commit("initial");
    repo
}

/// `relgate publish auth ARGS` with only `env` set (and an empty home), optionally `stdin`.
fn auth(repo: &TestRepo, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = repo.relgate();
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["publish", "auth"])
        .args(args)
        .envs(env.iter().copied());
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    cmd.output().unwrap()
}

/// No part of any secret in what relgate printed: the whole, its base64 body, its last 24 characters.
#[track_caller]
fn assert_secret_kept(out: &Output, secrets: &[&str]) {
    let printed = format!("{}{}", stdout(out), stderr(out));
    for secret in secrets {
        let body = secret.strip_prefix("pypi-").unwrap_or(secret);
        let tail = &secret[secret.len().saturating_sub(24)..];
        for part in [*secret, body, tail] {
            assert!(
                !printed.contains(part),
                "the secret leaked ({part}) in:\n{printed}"
            );
        }
    }
}

/// Run with the token in `var`, in human, `-v` and JSON forms; the exit code and the human output.
fn judge(var: &str, token: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let repo = project();
    let mut env = vec![(var, token)];
    env.extend_from_slice(extra);
    let human = auth(&repo, &[], &env, None);
    assert_secret_kept(&human, &[token]);
    let verbose = auth(&repo, &["-v"], &env, None);
    assert_secret_kept(&verbose, &[token]);
    let json = auth(&repo, &["--format", "json"], &env, None);
    assert_secret_kept(&json, &[token]);
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(human.status.code(), json.status.code());
    let expected = match human.status.code() {
        Some(0) => "accepted",
        Some(1) => "refused",
        _ => "unknown",
    };
    assert_eq!(doc["status"], expected, "{doc:#}");
    (human.status.code().unwrap(), stdout(&human))
}

const HEADER: &str =
    "relgate publish auth · mypkg · https://upload.pypi.org/legacy/ (nothing is uploaded)\n";

#[test]
fn a_project_scoped_token_is_accepted() {
    let t = token(
        "pypi.org",
        &[
            r#"[1,["mypkg"]]"#,
            r#"[2,["b2c1"]]"#,
            &format!("[0,{FAR},{PAST}]"),
        ],
    );
    assert_eq!(
        judge("TWINE_PASSWORD", &t, &[("TWINE_USERNAME", "__token__")]),
        (
            0,
            format!(
                "{HEADER}  TWINE_PASSWORD .. accepted  a PyPI API token, scoped to project mypkg; valid until 2100-01-01 00:00 UTC\n\
                 ACCEPTED the index would accept the upload credentials\n"
            )
        )
    );
}

#[test]
fn a_user_wide_token_is_accepted_and_said_to_be_user_wide() {
    let legacy = token("pypi.org", &[r#"{"version": 1, "permissions": "user"}"#]);
    assert_eq!(
        judge("UV_PUBLISH_TOKEN", &legacy, &[]),
        (
            0,
            format!(
                "{HEADER}  UV_PUBLISH_TOKEN .. accepted  a PyPI API token, user-wide: it can upload to every project of the account that made it; no expiry\n\
                 ACCEPTED the index would accept the upload credentials\n"
            )
        )
    );
    let current = token("pypi.org", &[r#"[3,"0c3e6f1a"]"#]);
    let (code, text) = judge("POETRY_PYPI_TOKEN_PYPI", &current, &[]);
    assert_eq!(code, 0);
    assert!(
        text.contains("POETRY_PYPI_TOKEN_PYPI .. accepted  a PyPI API token, user-wide"),
        "{text}"
    );
}

#[test]
fn an_expired_token_is_refused() {
    let t = token(
        "pypi.org",
        &[r#"[1,["mypkg"]]"#, &format!("[0,{PAST},{}]", PAST - 3600)],
    );
    assert_eq!(
        judge("PDM_PUBLISH_PASSWORD", &t, &[]),
        (
            1,
            format!(
                "{HEADER}  PDM_PUBLISH_PASSWORD .. REFUSED   the token expired on 2020-09-13 12:26 UTC\n      \
                 fix: create a new token on https://pypi.org/manage/account/token/\n\
                 REFUSED the upload would be refused: fix the credentials above\n"
            )
        )
    );
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let t = token(
        "pypi.org",
        &[&format!(r#"{{"nbf": {}, "exp": {}}}"#, FAR - 60, FAR)],
    );
    let (code, text) = judge("FLIT_PASSWORD", &t, &[("FLIT_USERNAME", "__token__")]);
    assert_eq!(code, 1);
    assert!(
        text.contains("FLIT_PASSWORD .. REFUSED   the token is not valid yet: not before 2099-12-31 23:59 UTC\n"),
        "{text}"
    );
}

#[test]
fn a_testpypi_token_is_refused_for_pypi_and_accepted_for_testpypi() {
    let t = token("test.pypi.org", &[r#"[1,["mypkg"]]"#]);
    let (code, text) = judge("TWINE_PASSWORD", &t, &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("TWINE_PASSWORD .. REFUSED   a TestPyPI token (its location is test.pypi.org), but the upload goes to PyPI: PyPI refuses it\n      fix: create a token on https://pypi.org/manage/account/token/, or upload to the index the token is for\n"),
        "{text}"
    );
    let repo = project();
    let out = auth(
        &repo,
        &[
            "--token-stdin",
            "--repository-url",
            "https://test.pypi.org/legacy/",
        ],
        &[],
        Some(&format!("{t}\n")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_secret_kept(&out, &[&t]);
}

#[test]
fn malformed_tokens_and_wrong_scopes_are_refused_without_echoing_them() {
    let good = token("pypi.org", &[r#"[1,["mypkg"]]"#]);
    // Cut by 12 characters (9 bytes): still base64, but the macaroon ends inside its signature.
    let cut = &good[..good.len() - 12];
    let (code, text) = judge("TWINE_PASSWORD", cut, &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "TWINE_PASSWORD .. REFUSED   not a well-formed PyPI token: its macaroon is cut short\n"
        ),
        "{text}"
    );
    let (code, text) = judge("TWINE_PASSWORD", "pypi-???notbase64", &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("not a well-formed PyPI token: it is not base64"),
        "{text}"
    );
    let (code, text) = judge("TWINE_PASSWORD", "hunter2-password", &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("not an API token (`pypi-...`): PyPI refuses passwords for uploads"),
        "{text}"
    );
    let other = token("pypi.org", &[r#"[1,["other-project"]]"#]);
    let (code, text) = judge("UV_PUBLISH_TOKEN", &other, &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("the token is scoped to project other-project, not mypkg"),
        "{text}"
    );
    let (code, text) = judge("TWINE_PASSWORD", &good, &[("TWINE_USERNAME", "alice")]);
    assert_eq!(code, 1);
    assert!(
        text.contains("an API token with the user name \"alice\""),
        "{text}"
    );
    let newer = token("pypi.org", &[r#"[7,"something new"]"#]);
    let (code, text) = judge("TWINE_PASSWORD", &newer, &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("unknown   the token carries a caveat of kind 7"),
        "{text}"
    );
}

#[test]
fn pypirc_sections_are_read_as_twine_reads_them() {
    let repo = project();
    let pypi = token("pypi.org", &[r#"[1,["mypkg"]]"#]);
    let test = token("test.pypi.org", &[r#"[1,["mypkg"]]"#]);
    std::fs::write(
        repo.home.path().join(".pypirc"),
        format!("[distutils]\nindex-servers =\n    pypi\n    testpypi\n\n[pypi]\nusername = __token__\npassword = {pypi}\n\n[testpypi]\nusername = __token__\npassword = {test}\n"),
    )
    .unwrap();
    let out = auth(&repo, &[], &[], None);
    assert_secret_kept(&out, &[&pypi, &test]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!(
            "{HEADER}  ~/.pypirc [pypi] ...... accepted  a PyPI API token, scoped to project mypkg; no expiry\n  \
             ~/.pypirc [testpypi] .. skipped   for https://test.pypi.org/legacy/, not https://upload.pypi.org/legacy/\n\
             ACCEPTED the index would accept the upload credentials\n"
        )
    );
}

#[test]
fn without_credentials_outside_actions_it_says_what_the_workflow_would_present() {
    let repo = project();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/octo/mypkg.git",
    ]);
    repo.write(
        ".github/workflows/release.yml",
        "on:\n  release:\n    types: [published]\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    );
    let out = auth(&repo, &[], &[], None);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{HEADER}  trusted publishing .. unknown   no API token found; trusted publishing from .github/workflows/release.yml:5 (job `pypi`, PyPI) can only be tested inside that job\n      \
             publisher to register: owner = octo, repository = mypkg, workflow = release.yml, environment = pypi\n      \
             fix: run `relgate publish auth` as a step of the publishing job (before the upload), or pass a token: --token-stdin\n\
             UNKNOWN relgate could not tell whether the upload would be accepted\n"
        )
    );
}

/// A JWT as GitHub issues them (header, payload, signature), with these claims.
fn jwt(claims: &Value) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"RS256","kid":"x","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes()),
        b64(&[0x42; 64])
    )
}

const BEARER: &str = "ghs_requestTokenOfTheJob0123456789";
const MINTED: &str = "pypi-AgEIcHlwaS5vcmcMINTEDshortLivedUploadToken";

struct Exchange {
    github: Server,
    index: Server,
    jwt: String,
}

impl Exchange {
    fn new(mint: Reply) -> Exchange {
        let jwt = jwt(&serde_json::json!({
            "sub": "repo:octo/mypkg:environment:pypi",
            "repository": "octo/mypkg",
            "repository_owner": "octo",
            "repository_owner_id": "4242",
            "workflow_ref": "octo/mypkg/.github/workflows/release.yml@refs/tags/v1.0.0",
            "job_workflow_ref": "octo/mypkg/.github/workflows/release.yml@refs/tags/v1.0.0",
            "ref": "refs/tags/v1.0.0",
            "environment": "pypi",
            "event_name": "release",
        }));
        let github = Server::routes(vec![(
            "/token",
            Reply::ok(
                "application/json",
                serde_json::json!({ "value": jwt }).to_string(),
            ),
        )]);
        let index = Server::routes(vec![
            (
                "/_/oidc/audience",
                Reply::ok("application/json", r#"{"audience": "pypi"}"#),
            ),
            ("/_/oidc/mint-token", mint),
        ]);
        Exchange { github, index, jwt }
    }

    fn run(&self, repo: &TestRepo, with_permission: bool) -> Output {
        let request_url = self.github.url("/token?api-version=2.0");
        let mut env = vec![("GITHUB_ACTIONS", "true")];
        if with_permission {
            env.push(("ACTIONS_ID_TOKEN_REQUEST_URL", &request_url));
            env.push(("ACTIONS_ID_TOKEN_REQUEST_TOKEN", BEARER));
        }
        let upload = self.index.url("/legacy/");
        let out = auth(repo, &["-v", "--repository-url", &upload], &env, None);
        assert_secret_kept(&out, &[&self.jwt, BEARER, MINTED]);
        out
    }
}

#[test]
fn trusted_publishing_exchanges_the_token_as_the_publish_action_does() {
    let repo = project();
    let x = Exchange::new(Reply::ok(
        "application/json",
        serde_json::json!({ "success": true, "token": MINTED }).to_string(),
    ));
    let out = x.run(&repo, true);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let asked = x.index.requests();
    assert_eq!(
        asked
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>(),
        ["GET /_/oidc/audience", "POST /_/oidc/mint-token"]
    );
    let body: Value = serde_json::from_slice(&asked[1].body).unwrap();
    assert_eq!(body, serde_json::json!({ "token": x.jwt }));
    let github = x.github.requests();
    assert_eq!(github.len(), 1);
    assert_eq!(github[0].path, "/token?api-version=2.0&audience=pypi");
    assert_eq!(
        github[0].header("authorization"),
        Some(format!("bearer {BEARER}").as_str())
    );
    let text = stdout(&out);
    assert!(
        text.contains("  trusted publishing .. accepted  the index exchanged the job's OIDC token for an upload token (thrown away unused)\n"),
        "{text}"
    );
    assert!(
        text.contains("      matched publisher: owner = octo, repository = mypkg, workflow = release.yml, environment = pypi\n"),
        "{text}"
    );
}

#[test]
fn an_invalid_publisher_is_shown_beside_the_tokens_claims() {
    let repo = project();
    let x = Exchange::new(Reply::status(
        422,
        r#"{"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher (Publisher with matching claims was not found)"}]}"#,
    ));
    let out = x.run(&repo, true);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let host = x.index.url("").replace("http://", "");
    assert_eq!(
        stdout(&out),
        format!(
            "relgate publish auth · mypkg · {}/legacy/ (nothing is uploaded)\n  \
             trusted publishing .. REFUSED   {host} refused the token exchange (invalid-publisher)\n      \
             invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)\n      \
             the token's claims:\n        \
             sub: repo:octo/mypkg:environment:pypi\n        \
             repository: octo/mypkg\n        \
             repository_owner: octo\n        \
             repository_owner_id: 4242\n        \
             workflow_ref: octo/mypkg/.github/workflows/release.yml@refs/tags/v1.0.0\n        \
             job_workflow_ref: octo/mypkg/.github/workflows/release.yml@refs/tags/v1.0.0\n        \
             ref: refs/tags/v1.0.0\n        \
             environment: pypi\n        \
             event_name: release\n      \
             publisher to register: owner = octo, repository = mypkg, workflow = release.yml, environment = pypi\n      \
             fix: register a trusted publisher with exactly the fields below on the index (project settings, Publishing), or fix the workflow so that its claims match the one registered\n\
             REFUSED the upload would be refused: fix the credentials above\n",
            x.index.url("")
        )
    );
}

#[test]
fn a_job_without_id_token_write_is_refused() {
    let repo = project();
    let x = Exchange::new(Reply::status(500, ""));
    let out = x.run(&repo, false);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("REFUSED   the job cannot request an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set, which means the job lacks `permissions: id-token: write`"),
        "{}",
        stdout(&out)
    );
    assert!(x.github.requests().is_empty());
    assert!(
        x.index
            .requests()
            .iter()
            .all(|r| r.path != "/_/oidc/mint-token"),
        "nothing to exchange"
    );
}

#[test]
fn a_network_failure_is_no_verdict() {
    let repo = project();
    let upload = refused_url("/legacy/");
    let out = auth(
        &repo,
        &["--repository-url", &upload],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/token"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", BEARER),
        ],
        None,
    );
    assert_secret_kept(&out, &[BEARER]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("unknown   cannot ask 127.0.0.1:"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("for its audience: cannot connect: connection refused"),
        "{}",
        stdout(&out)
    );
    // GitHub's endpoint unreachable after the index answered: no verdict either.
    let x = Exchange::new(Reply::status(500, ""));
    let out = auth(
        &repo,
        &["--repository-url", &x.index.url("/legacy/")],
        &[
            ("GITHUB_ACTIONS", "true"),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                &refused_url("/token?api-version=2.0"),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", BEARER),
        ],
        None,
    );
    assert_secret_kept(&out, &[BEARER]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("unknown   cannot ask GitHub for the job's OIDC token: cannot connect"),
        "{}",
        stdout(&out)
    );
}

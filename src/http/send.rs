//! Requests that change something on the server (`POST`, `PUT`, `PATCH`, `DELETE`), with a body.
//!
//! Unlike [`super::get`], a write is tried once and its redirects are not followed: repeating a `POST` after a
//! connection reset could create a thing twice, and a redirect of a write is an answer for the caller to judge.
//! Proxies, the CA bundle, the deadline, the body limit and the redaction of credentials are the same as for
//! a `GET`.

use super::{
    Attempt, HttpError, Prepared, Request, Response, agent, classify, prepare, read_response,
    redact,
};

/// The method of a request that carries a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Send `body` with `method`; any HTTP status is `Ok(Response)` (the caller decides). `req.headers` should name
/// the body's `Content-Type`.
pub fn send(req: &Request, method: Method, body: &[u8]) -> Result<Response, HttpError> {
    let Prepared {
        url,
        secrets,
        proxy,
        via,
        roots,
    } = prepare(req)?;
    let authorization = url.basic_authorization();
    let agent = agent(req.timeout, proxy.as_ref(), &roots);
    let target = url.without_credentials();
    let headers = req
        .headers
        .iter()
        .map(|(n, v)| (*n, v.as_str()))
        .chain(authorization.as_deref().map(|a| ("Authorization", a)));
    let answer = match method {
        Method::Post => with_headers(agent.post(target), headers).send(body),
        Method::Put => with_headers(agent.put(target), headers).send(body),
    };
    match read_response(answer, req.max_bytes, &url) {
        Ok(mut response) => {
            response.url = secrets.scrub(&redact(&response.url));
            Ok(response)
        }
        Err(Attempt::Reset(message)) => Err(HttpError::Connect(secrets.scrub(&message))),
        Err(Attempt::Failed(failed)) => {
            let (err, asked) = *failed;
            Err(secrets.scrub_error(classify(err, req, &asked, via.as_deref())))
        }
    }
}

fn with_headers<'a, B>(
    mut request: ureq::RequestBuilder<B>,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> ureq::RequestBuilder<B> {
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::test_server::{Reply, Server};
    use super::*;

    fn request(url: &str) -> Request<'_> {
        Request {
            url,
            headers: vec![("Content-Type", "application/json".to_string())],
            timeout: Duration::from_secs(5),
            max_bytes: 1 << 20,
        }
    }

    #[test]
    fn the_method_headers_and_body_arrive() {
        let server = Server::start(vec![Reply::ok("application/json", r#"{"id": 7}"#)]);
        let url = server.url("/repos/acme/demo/rulesets");
        let response = send(&request(&url), Method::Post, br#"{"name": "x"}"#).unwrap();
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &br#"{"id": 7}"#[..])
        );
        let seen = server.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (seen[0].method.as_str(), seen[0].path.as_str()),
            ("POST", "/repos/acme/demo/rulesets")
        );
        assert_eq!(seen[0].body, br#"{"name": "x"}"#);
        assert_eq!(seen[0].header("content-type"), Some("application/json"));
    }

    #[test]
    fn a_write_is_tried_once_and_its_redirect_is_an_answer() {
        let server = Server::start(vec![Reply::status(503, "busy")]);
        let url = server.url("/x");
        let response = send(&request(&url), Method::Put, b"{}").unwrap();
        assert_eq!(response.status, 503);
        assert_eq!(server.requests().len(), 1, "a write is never repeated");

        let server = Server::start(vec![Reply::Redirect("/elsewhere".into())]);
        let url = server.url("/x");
        let response = send(&request(&url), Method::Post, b"{}").unwrap();
        assert_eq!(response.status, 302);
        assert_eq!(response.header("location"), Some("/elsewhere"));
        assert_eq!(server.requests().len(), 1);
    }

    #[test]
    fn credentials_in_the_url_never_reach_an_error() {
        let url = super::super::test_server::refused_url("/x");
        let with_secret = url.replace("http://", "http://user:s3cretvalue@");
        let Err(err) = send(&request(&with_secret), Method::Post, b"{}") else {
            panic!("nothing listens there");
        };
        assert!(!err.to_string().contains("s3cretvalue"), "{err}");
    }
}

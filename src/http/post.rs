//! POST with a JSON body: the requests that change something on the other side (a GitHub release) or hand over
//! a credential (a trusted-publishing token exchange).
//!
//! Never retried and never redirected: sending it twice could do the change twice, and sending it to a
//! redirect's target could hand the credential in its body to another host. A 3xx is returned as the answer.

use std::time::Instant;

use ureq::ResponseExt;
use ureq::tls::{RootCerts, TlsConfig};

use super::{
    HttpError, Request, Response, Secrets, classify, host_of, is_https, proxy_url_for, redact,
    root_certs, split_credentials,
};
use crate::env;

/// POST `body` (JSON) to `req.url` with `req.headers`, within `req.timeout`, reading at most `req.max_bytes`.
pub fn post_json(req: &Request, body: &[u8]) -> Result<Response, HttpError> {
    let secrets = Secrets::of(req.url);
    let (url, authorization) = split_credentials(req.url);
    let https = is_https(req.url);
    let proxy_url = proxy_url_for(req.url, https);
    let secrets = secrets.and(proxy_url.as_deref());
    let via = proxy_url.as_deref().map(host_of);
    let proxy = match &proxy_url {
        Some(proxy_url) => Some(ureq::Proxy::new(proxy_url).map_err(|_| {
            HttpError::Other(format!(
                "the proxy URL {} is invalid",
                secrets.scrub(&redact(proxy_url))
            ))
        })?),
        None => None,
    };
    let roots = if https {
        root_certs(env::ssl_cert_file())?
    } else {
        RootCerts::WebPki
    };
    let started = Instant::now();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(req.timeout))
        .proxy(proxy)
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .user_agent(concat!("relgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent();
    let mut request = agent.post(&url).header("Content-Type", "application/json");
    for (name, value) in &req.headers {
        request = request.header(*name, value);
    }
    if let Some(authorization) = &authorization {
        request = request.header("Authorization", authorization);
    }
    let fail = |err: ureq::Error| {
        if started.elapsed() >= req.timeout {
            return HttpError::Timeout(req.timeout);
        }
        secrets.scrub_error(classify(err, req, via.as_deref()))
    };
    let mut response = request.send(body).map_err(fail)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answered = secrets.scrub(&redact(&response.get_uri().to_string()));
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_ascii_lowercase(),
                value.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(req.max_bytes)
        .read_to_vec()
        .map_err(fail)?;
    Ok(Response {
        status,
        content_type,
        body,
        url: answered,
        headers,
    })
}

//! `relgate publish auth`: would the index accept the project's upload credentials? Nothing is uploaded.
//!
//! API tokens are read where the uploaders read them ([`crate::credentials`]) and judged locally from their
//! caveats ([`crate::credentials::pypi_token`]). With no token, inside GitHub Actions, trusted publishing's
//! exchange is made for real ([`crate::trusted_publishing`]) and its upload token discarded; outside Actions,
//! relgate says which publisher the workflows would present, since only the workflow can make the exchange.
//! The exit status: 0 accepted, 1 refused, 2 relgate could not tell.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::Exit;
use crate::cli::{AuthArgs, Format, PublishCommand};
use crate::commands::Output;
use crate::config::Config;
use crate::credentials::pypi_token::{self, Target, Verdict};
use crate::credentials::{self, Credential, IndexHint, Secret};
use crate::error::hinted;
use crate::output::{self, Style, Text};
use crate::project::{self, WorkTreeSource};
use crate::term::printable;
use crate::trusted_publishing::{self, Outcome, Publisher};

pub fn run(command: &PublishCommand, out: Output) -> anyhow::Result<Exit> {
    match command {
        PublishCommand::Auth(args) => auth(args, out),
    }
}

/// One credential's line of the report.
#[derive(Debug, Serialize)]
struct Entry {
    source: String,
    /// `accepted`, `refused`, `unknown` or `skipped`.
    status: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Debug, Serialize)]
struct TrustedReport {
    status: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<trusted_publishing::Claims>,
    /// The publisher the token's claims (or the workflow) present: what must be registered on the index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    register: Vec<Publisher>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

/// `relgate publish auth --format json`.
#[derive(Debug, Serialize)]
struct Document {
    relgate_version: &'static str,
    /// `accepted`, `refused` or `unknown`.
    status: &'static str,
    repository_url: String,
    project: Option<String>,
    credentials: Vec<Entry>,
    trusted_publishing: Option<TrustedReport>,
}

fn auth(args: &AuthArgs, out: Output) -> anyhow::Result<Exit> {
    let url = args
        .repository_url
        .clone()
        .unwrap_or_else(|| credentials::PYPI_UPLOAD.to_owned());
    let Some(host) = host(&url) else {
        return Err(hinted(
            format!(
                "--repository-url {} is not an http(s) URL",
                crate::http::redact(&url)
            ),
            "e.g. --repository-url https://test.pypi.org/legacy/",
        ));
    };
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let project = project_name(&dir);
    let location = token_location(&host);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));

    let found: Vec<Credential> = if args.token_stdin {
        vec![credentials::from_stdin()?]
    } else if args.trusted_publishing {
        Vec::new()
    } else {
        let mut found = credentials::from_environment();
        found.extend(credentials::from_pypirc()?);
        found
    };
    let target = Target {
        location: &location,
        project: project.as_deref(),
        now,
    };
    let entries: Vec<Entry> = found
        .iter()
        .map(|c| judge(c, &url, &host, &target))
        .collect();
    let counted = entries.iter().filter(|e| e.status != "skipped").count();

    let in_actions = crate::env::github_actions();
    let (request_url, request_token) = crate::env::oidc_token_request();
    let trusted = if args.trusted_publishing || (counted == 0 && !args.token_stdin) {
        Some(if in_actions || request_url.is_some() {
            exchange(&url, request_url, request_token.map(Secret::new))
        } else {
            outside_actions(&dir, &url)
        })
    } else {
        None
    };

    let status = verdict(&entries, trusted.as_ref());
    let doc = Document {
        relgate_version: env!("CARGO_PKG_VERSION"),
        status,
        repository_url: crate::http::redact(&url),
        project,
        credentials: entries,
        trusted_publishing: trusted,
    };
    if out.format == Format::Json {
        output::json(&doc)?;
    } else {
        print_human(&doc, out.quiet);
    }
    Ok(match status {
        "accepted" => Exit::Pass,
        "refused" => Exit::Fail,
        _ => Exit::Unknown,
    })
}

/// 1 when any credential (or the exchange) would be refused, else 0 when one would be accepted, else 2.
fn verdict(entries: &[Entry], trusted: Option<&TrustedReport>) -> &'static str {
    let statuses: Vec<&str> = entries
        .iter()
        .map(|e| e.status)
        .chain(trusted.map(|t| t.status))
        .collect();
    if statuses.contains(&"refused") {
        "refused"
    } else if statuses.contains(&"accepted") {
        "accepted"
    } else {
        "unknown"
    }
}

/// One credential against the target index.
fn judge(credential: &Credential, url: &str, host: &str, target: &Target) -> Entry {
    let entry = |status, message: String, fix: Option<String>| Entry {
        source: credential.source.clone(),
        status,
        message,
        fix,
    };
    match &credential.index {
        Some(IndexHint::Url(other)) if self::host(other).as_deref() != Some(host) => {
            return entry(
                "skipped",
                format!(
                    "for {}, not {}",
                    crate::http::redact(other),
                    crate::http::redact(url)
                ),
                None,
            );
        }
        Some(IndexHint::Named(name)) => {
            return entry(
                "skipped",
                format!(
                    "for the repository named {}, whose URL relgate does not know",
                    printable(name)
                ),
                None,
            );
        }
        _ => {}
    }
    let secret = credential.secret.expose();
    let pypi = matches!(target.location, "pypi.org" | "test.pypi.org");
    if !secret.trim().starts_with("pypi-") {
        return if pypi {
            entry(
                "refused",
                "not an API token (`pypi-...`): PyPI refuses passwords for uploads".into(),
                Some(format!(
                    "create an API token on https://{}/manage/account/token/, or use trusted publishing",
                    target.location
                )),
            )
        } else {
            entry(
                "unknown",
                "not a PyPI API token: this index's credentials can only be tested by uploading"
                    .into(),
                None,
            )
        };
    }
    if let Some(user) = &credential.username {
        if user != "__token__" {
            return entry(
                "refused",
                format!(
                    "an API token with the user name {:?}: the index takes API tokens only with the user name __token__",
                    printable(user)
                ),
                Some("set the user name to __token__".into()),
            );
        }
    }
    match pypi_token::inspect(secret) {
        Err(why) => entry(
            "refused",
            format!("not a well-formed PyPI token: {why}"),
            Some(format!(
                "copy the whole token again from https://{}/manage/account/token/",
                target.location
            )),
        ),
        Ok(info) => match pypi_token::judge(&info, target) {
            Verdict::Accepted(message) => entry("accepted", message, None),
            Verdict::Refused { why, fix } => entry("refused", why, Some(fix)),
            Verdict::Unknown(why) => entry("unknown", why, None),
        },
    }
}

/// Inside GitHub Actions: the real exchange.
fn exchange(
    url: &str,
    request_url: Option<String>,
    request_token: Option<Secret>,
) -> TrustedReport {
    match trusted_publishing::exchange(url, (request_url, request_token)) {
        Outcome::Accepted { claims } => TrustedReport {
            status: "accepted",
            message:
                "the index exchanged the job's OIDC token for an upload token (thrown away unused)"
                    .into(),
            errors: Vec::new(),
            register: claims
                .iter()
                .map(trusted_publishing::Claims::publisher)
                .collect(),
            claims,
            fix: None,
        },
        Outcome::Refused {
            why,
            errors,
            claims,
            fix,
        } => TrustedReport {
            status: "refused",
            message: why,
            errors,
            register: claims
                .iter()
                .map(trusted_publishing::Claims::publisher)
                .collect(),
            claims,
            fix: Some(fix),
        },
        Outcome::Unknown(why) => TrustedReport {
            status: "unknown",
            message: why,
            errors: Vec::new(),
            claims: None,
            register: Vec::new(),
            fix: None,
        },
    }
}

/// Outside GitHub Actions: what the publishing workflows would present.
fn outside_actions(dir: &Path, url: &str) -> TrustedReport {
    let repo = crate::git::Repo::discover(dir).ok();
    let root = repo
        .as_ref()
        .map_or_else(|| dir.to_path_buf(), |r| r.workdir().to_path_buf());
    let remote = repo.as_ref().and_then(|r| r.remote_url("origin"));
    let presented = match crate::gates::publish::trusted_publishers(&root, remote.as_deref()) {
        Ok(presented) => presented,
        Err(err) => {
            return TrustedReport {
                status: "unknown",
                message: format!("the workflows cannot be read: {err}"),
                errors: Vec::new(),
                claims: None,
                register: Vec::new(),
                fix: Some(err.hint()),
            };
        }
    };
    let register: Vec<Publisher> = presented
        .iter()
        .map(|p| Publisher {
            owner: p.owner_repository.as_ref().map(|(o, _)| o.clone()),
            repository: p.owner_repository.as_ref().map(|(_, r)| r.clone()),
            workflow: Some(p.workflow.clone()),
            environment: p.environment.clone(),
        })
        .collect();
    let message = if presented.is_empty() {
        format!(
            "no API token found, and no workflow in .github/workflows uploads with trusted publishing; the exchange with {} can only be made inside a GitHub Actions job",
            crate::http::redact(url)
        )
    } else {
        let jobs: Vec<String> = presented
            .iter()
            .map(|p| {
                let token = if p.id_token {
                    ""
                } else {
                    ", which lacks `id-token: write`"
                };
                format!("{} (job `{}`, {}{token})", p.at, p.job, p.index)
            })
            .collect();
        format!(
            "no API token found; trusted publishing from {} can only be tested inside that job",
            jobs.join(", ")
        )
    };
    TrustedReport {
        status: "unknown",
        message,
        errors: Vec::new(),
        claims: None,
        register,
        fix: Some(
            "run `relgate publish auth` as a step of the publishing job (before the upload), or pass a token: --token-stdin".into(),
        ),
    }
}

fn print_human(doc: &Document, quiet: bool) {
    let mut out = Text::new();
    if !quiet {
        out.line(format!(
            "relgate publish auth · {} · {} (nothing is uploaded)",
            doc.project.as_deref().unwrap_or("(no project found)"),
            doc.repository_url
        ));
    }
    let width = doc
        .credentials
        .iter()
        .map(|e| e.source.len())
        .chain(
            doc.trusted_publishing
                .as_ref()
                .map(|_| "trusted publishing".len()),
        )
        .max()
        .unwrap_or(0)
        + 3;
    let label = |status: &str| match status {
        "accepted" => (Style::Pass, "accepted"),
        "refused" => (Style::Fail, "REFUSED "),
        "skipped" => (Style::Dim, "skipped "),
        _ => (Style::Warn, "unknown "),
    };
    for e in &doc.credentials {
        if quiet && e.status != "refused" {
            continue;
        }
        let dots = ".".repeat(width - e.source.len() - 1);
        let (style, status) = label(e.status);
        out.add(format!("  {} {dots} ", e.source))
            .paint(style, status)
            .line(format!("  {}", e.message));
        if let Some(fix) = &e.fix {
            out.line(format!("      fix: {fix}"));
        }
    }
    if let Some(t) = &doc.trusted_publishing {
        let name = "trusted publishing";
        let dots = ".".repeat(width - name.len() - 1);
        let (style, status) = label(t.status);
        out.add(format!("  {name} {dots} "))
            .paint(style, status)
            .line(format!("  {}", t.message));
        for (code, description) in &t.errors {
            out.line(format!("      {code}: {description}"));
        }
        if let Some(claims) = &t.claims {
            out.line("      the token's claims:");
            for line in claims.lines() {
                out.line(format!("        {line}"));
            }
        }
        for p in &t.register {
            out.line(format!(
                "      {}: owner = {}, repository = {}, workflow = {}, environment = {}",
                if t.status == "accepted" {
                    "matched publisher"
                } else {
                    "publisher to register"
                },
                p.owner.as_deref().unwrap_or("(the GitHub owner)"),
                p.repository.as_deref().unwrap_or("(the repository name)"),
                p.workflow.as_deref().unwrap_or("(the workflow file)"),
                p.environment.as_deref().unwrap_or("(none: leave it empty)")
            ));
        }
        if let Some(fix) = &t.fix {
            out.line(format!("      fix: {fix}"));
        }
    }
    if doc.credentials.is_empty() && doc.trusted_publishing.is_none() {
        out.line("  no credentials found");
    }
    let (style, verdict) = match doc.status {
        "accepted" => (
            Style::Pass,
            "ACCEPTED the index would accept the upload credentials",
        ),
        "refused" => (
            Style::Fail,
            "REFUSED the upload would be refused: fix the credentials above",
        ),
        _ => (
            Style::Warn,
            "UNKNOWN relgate could not tell whether the upload would be accepted",
        ),
    };
    out.paint(style, verdict).end();
    output::out(&out);
}

/// `host[:port]`, lower-cased, of an http(s) URL.
fn host(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// The location a token for this upload host carries: uploads to `upload.pypi.org` take `pypi.org` tokens.
fn token_location(host: &str) -> String {
    let bare = host.split(':').next().unwrap_or(host);
    match bare {
        "upload.pypi.org" | "pypi.org" => "pypi.org".into(),
        "test.pypi.org" | "upload.test.pypi.org" => "test.pypi.org".into(),
        other => other.to_owned(),
    }
}

/// The project's normalized name, read like `relgate version` reads it.
fn project_name(dir: &Path) -> Option<String> {
    // The source reads only files under the repository's root: compare absolute paths.
    let dir = dir.canonicalize().ok()?;
    let config = Config::load(&dir).unwrap_or_default();
    let root = crate::git::Repo::discover(&dir)
        .map_or_else(|_| dir.clone(), |r| r.workdir().to_path_buf());
    let source = WorkTreeSource { root, dir };
    project::declared(&source, &config)
        .ok()?
        .name
        .and_then(|n| crate::python::name::normalize(&n))
}

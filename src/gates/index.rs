//! The package-index gate: is the version being released still free on the index, and is it not older than
//! what is already published?
//!
//! Uploads to the Python Package Index are immutable (a version published once, even if deleted or yanked
//! since, can never be uploaded again) and a release that goes backwards confuses installers, so this is
//! asked before the tag leaves the machine. One GET of the project's simple-API page (see `simple`) answers
//! both questions. An index that cannot be asked is an `error`, never a pass.
//!
//! Pre-releases: every published version counts, pre-releases and yanked ones included. Releasing 1.9.0 when
//! 2.0.0rc1 is published goes backwards for everyone who installs pre-releases (`pip install --pre`, or a
//! `>=2.0.0rc1` pin), so it fails like any newer version, with the pre-release named as such; a maintainer
//! who means it sets `allow-maintenance`. A final release after its own pre-releases (2.0.0 after 2.0.0rc1)
//! is newer by PEP 440 and passes.

#[cfg(test)]
mod fuzz;
mod html;
mod simple;

use std::time::{Duration, Instant};

use pep440_rs::Version;

use crate::config::{Config, IndexMode};
use crate::http::{self, HttpError};
use crate::outcome::{CheckResult, Kind};
use crate::urls::{SafeUrl, UrlError};

/// The public Python Package Index's simple API root.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";
/// The largest project page read. The biggest public pages (nightly builds with tens of thousands of wheels)
/// are a few tens of megabytes.
const MAX_PAGE_BYTES: u64 = 64 << 20;
const NAME: &str = "index";
/// The way forward when the index cannot give a verdict.
const PROCEED: &str = "to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]";
/// What an unanswered question means when the index is advisory.
const ADVISORY: &str = "index = \"advisory\": this does not block the release";

/// How the index is asked, resolved from the command line, the environment and the configuration.
#[derive(Debug, Clone)]
pub struct IndexSettings {
    /// The simple API root, possibly with credentials (never shown: see `http::redact`).
    pub url: String,
    pub timeout: Duration,
    pub mode: IndexMode,
    pub allow_maintenance: bool,
    /// `--offline`: the index is not asked and the check says so.
    pub offline: bool,
    /// Where `url` was set, for errors about it (`--index-url`, `RELGATE_INDEX_URL`, a configuration key).
    pub origin: String,
}

impl IndexSettings {
    /// The URL is one relgate can ask; the error names where it was set. For the command, before any check.
    pub fn validate(&self) -> anyhow::Result<()> {
        validate_url(&self.url).map_err(|err| {
            let hint = crate::error::hint_of(&err).unwrap_or_default().to_string();
            crate::error::hinted(format!("{}: {err}", self.origin), hint)
        })
    }

    /// Whether the index will be asked (not `--offline`, not `index = "off"`).
    pub fn asks(&self) -> bool {
        !self.offline && self.mode != IndexMode::Off
    }
}

/// The index check's result, and whether the version conflicts with what is published (the report's
/// `version_validation.pypi_conflict`).
#[derive(Debug, Clone)]
pub struct IndexVerdict {
    pub result: CheckResult,
    pub conflict: bool,
}

/// Precedence: `--index-url` > `RELGATE_INDEX_URL` > `index-url` in the configuration > the public index.
pub fn settings(cli_url: Option<&str>, offline: bool, config: &Config) -> IndexSettings {
    let config_key = || match config.source.as_deref() {
        Some("relgate.toml") => "index-url in relgate.toml".to_string(),
        _ => "tool.relgate.index-url in pyproject.toml".to_string(),
    };
    let (url, origin) = if let Some(url) = cli_url {
        (url.to_string(), "--index-url".to_string())
    } else if let Some(url) = crate::env::index_url() {
        (url, "RELGATE_INDEX_URL".to_string())
    } else if let Some(url) = &config.index_url {
        (url.clone(), config_key())
    } else {
        (DEFAULT_INDEX_URL.to_string(), "the default".to_string())
    };
    IndexSettings {
        url,
        origin,
        timeout: config.index_timeout(),
        mode: config.index_mode(),
        allow_maintenance: config.allow_maintenance.unwrap_or(false),
        offline,
    }
}

/// An index URL relgate can ask: `http(s)://host/...`. For the command to reject before any check runs.
pub fn validate_url(url: &str) -> anyhow::Result<()> {
    match SafeUrl::parse(url) {
        Ok(parsed) => refuse_query_or_fragment(&parsed),
        Err(err @ UrlError::AmbiguousCredentials) => Err(crate::error::hinted(
            format!("the index URL cannot be used: {err}"),
            err.hint(),
        )),
        Err(err) => Err(crate::error::hinted(
            format!(
                "the index URL {:?} is not an http:// or https:// URL",
                http::redact(url)
            ),
            err.hint(),
        )),
    }
}

/// relgate asks `<root>/<project>/`: after a query or fragment, that would ask another page (or the same one
/// whatever the project). The URL is not shown: what follows `?` may be a token.
fn refuse_query_or_fragment(url: &SafeUrl) -> anyhow::Result<()> {
    let what = match (url.has_query(), url.has_fragment()) {
        (true, _) => "a query (`?...`)",
        (false, true) => "a fragment (`#...`)",
        (false, false) => return Ok(()),
    };
    Err(crate::error::hinted(
        format!(
            "the index URL has {what}: relgate asks <index URL>/<project>/, which that would change"
        ),
        "give the simple API root alone, as for pip's --index-url: e.g. https://pypi.org/simple (credentials go \
         before the host: https://USER:TOKEN@host/simple)",
    ))
}

/// The index check as `relgate check` runs it: [`check`] when the project's name and release version are
/// known, else a result saying why the index could not be asked.
pub fn gate(
    name: Option<&str>,
    version: Option<&Version>,
    settings: &IndexSettings,
) -> IndexVerdict {
    match (name, version) {
        (Some(name), Some(version)) => check(name, version, settings),
        _ => {
            let result = not_asked(settings, "the version")
                .or_else(|| {
                    version.is_none().then(|| {
                        CheckResult::skipped(
                            NAME,
                            Kind::Index,
                            "no release version to look up on the package index (see the version checks)",
                        )
                    })
                })
                .unwrap_or_else(|| {
                    CheckResult::error(
                        NAME,
                        Kind::Index,
                        format!(
                            "the project's name is not declared statically ([project] name in pyproject.toml, or \
                             [metadata] name in setup.cfg), so the package index cannot be asked; {}",
                            proceed(settings)
                        ),
                    )
                });
            finish(result, false, settings, Instant::now())
        }
    }
}

/// Ask the index about `version` of the project `name`. Never fails: every outcome is a result.
pub fn check(name: &str, version: &Version, settings: &IndexSettings) -> IndexVerdict {
    let started = Instant::now();
    let (result, conflict) = match not_asked(settings, &version.to_string()) {
        Some(skipped) => (skipped, false),
        None => ask(name, version, settings),
    };
    finish(result, conflict, settings, started)
}

fn proceed(settings: &IndexSettings) -> &'static str {
    if settings.mode == IndexMode::Advisory {
        ADVISORY
    } else {
        PROCEED
    }
}

/// The skipped result when the index must not be asked (`--offline`, `index = "off"`).
fn not_asked(settings: &IndexSettings, version: &str) -> Option<CheckResult> {
    if settings.asks() {
        return None;
    }
    let message = if settings.offline {
        format!("--offline: the package index was not asked whether {version} is already published")
    } else {
        "the index check is off (index = \"off\" in [tool.relgate])".to_string()
    };
    Some(CheckResult::skipped(NAME, Kind::Index, message))
}

fn finish(
    mut result: CheckResult,
    conflict: bool,
    settings: &IndexSettings,
    started: Instant,
) -> IndexVerdict {
    result.required = settings.mode == IndexMode::Required;
    result.reason = Some(format!(
        "the version must be new on {}",
        http::redact(&settings.url)
    ));
    IndexVerdict {
        result: result.took(started.elapsed()),
        conflict,
    }
}

fn ask(name: &str, version: &Version, settings: &IndexSettings) -> (CheckResult, bool) {
    if let Err(err) = settings.validate() {
        return (
            CheckResult::error(NAME, Kind::Index, format!("{err}; {}", proceed(settings))),
            false,
        );
    }
    let Some(project) = crate::python::name::normalize(name) else {
        let message = format!(
            "the project's name {name:?} is not a valid distribution name (PEP 508), so the package index cannot be asked; {}",
            proceed(settings)
        );
        return (CheckResult::error(NAME, Kind::Index, message), false);
    };
    let page_url = format!("{}/{project}/", settings.url.trim_end_matches('/'));
    let page = http::redact(&page_url);
    let request = http::Request {
        url: &page_url,
        headers: vec![("Accept", simple::ACCEPT.to_string())],
        timeout: settings.timeout,
        max_bytes: MAX_PAGE_BYTES,
    };
    let unreachable = |why: String| {
        let message = format!(
            "cannot ask the package index at {page}: {why}; {}",
            proceed(settings)
        );
        (CheckResult::error(NAME, Kind::Index, message), false)
    };
    let response = match http::get(&request) {
        Ok(response) => response,
        Err(err @ HttpError::Tls(_)) => {
            return unreachable(format!(
                "{err} (a company proxy's CA goes in SSL_CERT_FILE)"
            ));
        }
        Err(err) => return unreachable(err.to_string()),
    };
    match response.status {
        404 | 410 => {
            let message = format!(
                "first release: {page} does not exist (HTTP {}), so {version} is new there",
                response.status
            );
            (CheckResult::pass(NAME, Kind::Index, message), false)
        }
        401 | 403 => unreachable(format!(
            "HTTP {} (access denied; credentials go in the index URL: https://USER:TOKEN@host/simple)",
            response.status
        )),
        200..=299 => {
            match simple::parse(response.content_type.as_deref(), &response.body, &project) {
                Ok(listing) => judge(version, &listing, &page, settings.allow_maintenance),
                Err(why) => unreachable(format!("not a simple-API project page: {why}")),
            }
        }
        status => unreachable(format!("HTTP {status}")),
    }
}

/// The verdict on a project page that was read.
fn judge(
    version: &Version,
    listing: &simple::Page,
    page: &str,
    allow_maintenance: bool,
) -> (CheckResult, bool) {
    let base = version.clone().without_local();
    if let Some((published, release)) = listing.releases.get_key_value(&base) {
        let as_spelled = if published.to_string() == version.to_string() {
            String::new()
        } else {
            format!(" as {}", release.spelled)
        };
        let state = if release.files == 0 {
            " (listed, its files deleted)".to_string()
        } else if release.yanked() {
            match &release.yank_reason {
                Some(reason) => format!(" (yanked: {reason})"),
                None => " (yanked)".to_string(),
            }
        } else {
            String::new()
        };
        let message = format!(
            "{version} is already on {page}{as_spelled}{state}: a published version can never be uploaded again; \
             bump the version and tag again"
        );
        return (CheckResult::fail(NAME, Kind::Index, message), true);
    }
    let Some((newest, newest_release)) = listing.releases.iter().next_back() else {
        let message = format!("{version} is new: {page} lists no release yet");
        return (CheckResult::pass(NAME, Kind::Index, message), false);
    };
    if *newest < base {
        let message = format!(
            "{version} is new: the newest release on {page} is {}",
            newest_release.spelled
        );
        return (CheckResult::pass(NAME, Kind::Index, message), false);
    }
    let describe = |release: &simple::Release, v: &Version| {
        let mut notes = Vec::new();
        if v.any_prerelease() && !base.any_prerelease() {
            notes.push("a pre-release, chosen by `pip install --pre`");
        }
        if release.yanked() {
            notes.push("yanked");
        }
        if notes.is_empty() {
            release.spelled.clone()
        } else {
            format!("{} ({})", release.spelled, notes.join(", "))
        }
    };
    if !allow_maintenance {
        let message = format!(
            "{version} is older than {}, already on {page}: a release that goes backwards confuses installers; \
             choose a version above {}, or set allow-maintenance = true in [tool.relgate] for a maintenance \
             release on an older line",
            describe(newest_release, newest),
            newest_release.spelled
        );
        return (CheckResult::fail(NAME, Kind::Index, message), true);
    }
    // A maintenance release may be older than other lines, never older than its own line's newest release.
    let line = line_of(&base);
    if let Some((same_line, release)) = listing
        .releases
        .iter()
        .rev()
        .find(|(v, _)| **v > base && line_of(v) == line)
    {
        let message = format!(
            "{version} is older than {}, already on {page} on the same {} line: allow-maintenance admits \
             releases on older lines, not going backwards within one; choose a version above {}",
            describe(release, same_line),
            line_label(&line),
            release.spelled
        );
        return (CheckResult::fail(NAME, Kind::Index, message), true);
    }
    let message = format!(
        "{version} is a maintenance release: newer {} is on {page}, allowed by allow-maintenance = true",
        describe(newest_release, newest)
    );
    (CheckResult::pass(NAME, Kind::Index, message), false)
}

/// The release line of a version: its epoch and first two release numbers, zero-padded as PEP 440 compares
/// them (1.4.3 and 1.4 are on the 1.4 line; 2 and 2.0.1 on the 2.0 line).
fn line_of(version: &Version) -> (u64, [u64; 2]) {
    let release = version.release();
    let number = |i: usize| release.get(i).copied().unwrap_or(0);
    (version.epoch(), [number(0), number(1)])
}

fn line_label((epoch, [major, minor]): &(u64, [u64; 2])) -> String {
    if *epoch == 0 {
        format!("{major}.{minor}.x")
    } else {
        format!("{epoch}!{major}.{minor}.x")
    }
}

#[cfg(test)]
mod tests;

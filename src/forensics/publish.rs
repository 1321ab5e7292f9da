//! Failures of the upload to the package index, in the words of the tools that upload: the trusted-publishing
//! token exchange of `pypa/gh-action-pypi-publish` (its `oidc-exchange.py`) and of `uv publish`, twine's
//! `HTTPError: 400 Bad Request from ...` followed by the index's reason, `twine check`, and `uv publish` /
//! `poetry publish` errors.

use super::Category;
use super::evidence::{Detail, Evidence, Lines};
use crate::python::dist_file;

/// Strength of publishing evidence: above any tool's, since these messages name the cause exactly.
const STRENGTH: u8 = 6;

/// Every publishing failure in the lines.
pub fn scan(lines: &Lines, out: &mut Vec<Evidence>) {
    let mut trusted_seen = false;
    for i in 0..lines.len() {
        let text = lines.text(i);
        let lower = text.to_ascii_lowercase();
        if !trusted_seen
            && (lower.contains("trusted publishing exchange failure")
                || lower.contains("failed to obtain token for trusted publishing"))
        {
            trusted_seen = true;
            out.push(trusted_publishing(lines, i));
            continue;
        }
        if !trusted_seen && id_token_missing(text) {
            trusted_seen = true;
            out.push(evidence(
                Category::Auth,
                i,
                message_at(lines, i),
                Detail::IdToken,
            ));
            continue;
        }
        if let Some(found) = upload_rejection(lines, i, text) {
            out.push(found);
            continue;
        }
        if let Some(found) = metadata(lines, i, text) {
            out.push(found);
        }
    }
}

fn evidence(category: Category, at: usize, message: String, detail: Detail) -> Evidence {
    Evidence {
        category,
        strength: STRENGTH,
        at,
        message,
        detail,
        tool: None,
    }
}

/// The publish action's "Trusted publishing exchange failure:" (printed whole, or only its first line in an
/// `::error::` with the rest in the step summary), the reasons it lists (an `invalid-publisher` bullet) and the
/// claims of the token (the `repository`, `job_workflow_ref` and `sub` bullets).
fn trusted_publishing(lines: &Lines, at: usize) -> Evidence {
    let window: Vec<(usize, &str)> = (at..lines.len().min(at + 80))
        .map(|i| (i, lines.text(i)))
        .collect();
    let find = |needle: &str| {
        window
            .iter()
            .find(|(_, t)| t.contains(needle))
            .map(|(i, t)| (*i, *t))
    };
    let claim = |name: &str| {
        window.iter().find_map(|(_, t)| {
            let rest = t
                .trim_start_matches(['*', ' ', '>'])
                .strip_prefix(&format!("`{name}`: "))?;
            Some(rest.trim().trim_matches('`').to_string())
        })
    };
    // uv prints the claims as `repository: "owner/name",` lines.
    let uv_claim = |name: &str| {
        window.iter().find_map(|(_, t)| {
            let rest = t.trim().strip_prefix(&format!("{name}: "))?;
            Some(rest.trim_end_matches(',').trim_matches('"').to_string())
        })
    };
    let headline = "trusted publishing exchange failure";
    let token_line = window
        .iter()
        .find(|(_, t)| t.contains("OpenID Connect token retrieval failed") || id_token_missing(t))
        .map(|(i, t)| (*i, *t));
    if let Some((i, line)) = token_line {
        let reason = line.trim().trim_start_matches("Error: ");
        let message = if reason.to_ascii_lowercase().contains(headline) {
            reason.to_string()
        } else {
            format!("Trusted publishing exchange failure: {reason}")
        };
        return evidence(Category::Auth, i.min(at), message, Detail::IdToken);
    }
    let reason = window.iter().find(|(_, t)| {
        let t = t.trim_start_matches(['*', ' ', '>']);
        t.starts_with("`invalid-") || t.starts_with("invalid-") || t.contains("\"code\":\"invalid-")
    });
    if let Some((_, reason)) = reason {
        // uv prints the index's answer as JSON: `{"errors":[{"code":"invalid-publisher","description":"..."}]}`.
        let reason = match caps_json_error(reason) {
            Some((code, description)) => format!("{code}: {description}"),
            None => reason
                .trim()
                .trim_start_matches(['*', ' ', '>'])
                .replace('`', ""),
        };
        let pending = reason.contains("invalid-pending-publisher");
        let publisher = reason.contains("invalid-publisher") || pending;
        let headline = if lines
            .text(at)
            .contains("Failed to obtain token for trusted publishing")
        {
            "Failed to obtain token for trusted publishing"
        } else {
            "Trusted publishing exchange failure"
        };
        let message = format!("{headline}: {reason}");
        if publisher {
            let repository = claim("repository").or_else(|| uv_claim("repository"));
            let workflow_ref = claim("job_workflow_ref").or_else(|| uv_claim("job_workflow_ref"));
            let sub = claim("sub").or_else(|| uv_claim("sub"));
            let workflow = workflow_ref.as_deref().and_then(workflow_file);
            let environment = sub
                .as_deref()
                .and_then(|s| s.split_once(":environment:"))
                .map(|(_, env)| env.to_string());
            return evidence(
                Category::Auth,
                at,
                message,
                Detail::Publisher {
                    repository,
                    workflow,
                    environment,
                },
            );
        }
        return evidence(Category::Auth, at, message, Detail::None);
    }
    if let Some((i, line)) = find("audience retrieval failed") {
        let line = line.trim();
        let category = if line.contains("responded with unexpected 5") {
            Category::Network
        } else {
            Category::Auth
        };
        return evidence(category, i, line.to_string(), Detail::None);
    }
    if let Some((i, _)) = find("the index produced an unexpected")
        .or_else(|| find("the index gave us an invalid response"))
    {
        return evidence(
            Category::Network,
            i,
            format!(
                "Trusted publishing exchange failure: {}",
                message_at(lines, i)
            ),
            Detail::None,
        );
    }
    evidence(Category::Auth, at, message_at(lines, at), Detail::None)
}

/// The job could not get an OIDC token: `id-token: write` is missing. (A `docker run -e
/// ACTIONS_ID_TOKEN_REQUEST_TOKEN` line merely passes the variable on.)
fn id_token_missing(text: &str) -> bool {
    text.contains("missing or insufficient OIDC token permissions")
        || (text.contains("ACTIONS_ID_TOKEN_REQUEST")
            && (text.contains("unset")
                || text.contains("Unable to get")
                || text.contains("not set")))
}

/// `("invalid-publisher", "valid token, but ...")` from `{"errors":[{"code":"...","description":"..."}]}`.
fn caps_json_error(text: &str) -> Option<(String, String)> {
    let code = text.split("\"code\":\"").nth(1)?.split('"').next()?;
    let description = text
        .split("\"description\":\"")
        .nth(1)
        .and_then(|d| d.split('"').next())
        .unwrap_or("");
    Some((code.to_string(), description.to_string()))
}

/// `owner/repo/.github/workflows/release.yml@refs/tags/v1.0` -> `release.yml`.
fn workflow_file(workflow_ref: &str) -> Option<String> {
    let path = workflow_ref.split('@').next()?;
    let file = path.rsplit('/').next()?;
    (!file.is_empty()).then(|| file.to_string())
}

/// The index refusing an upload: the file exists (version conflict), bad credentials (auth), bad metadata.
/// An `HTTPError: 4xx` (twine), `Upload failed with status code 4xx` (uv) or `HTTP Error 4xx` (poetry) is read
/// whole, with the index's reason on the lines that follow.
fn upload_rejection(lines: &Lines, at: usize, text: &str) -> Option<Evidence> {
    const HTTP: [&str; 4] = [
        "HTTPError: 4",
        "Upload failed with status code 4",
        "HTTP Error 4",
        "Server says: 4",
    ];
    let http = HTTP.iter().any(|needle| text.contains(needle));
    let exists = EXISTS.iter().any(|needle| text.contains(needle));
    let auth = AUTH.iter().any(|needle| text.contains(needle));
    if !(http || exists || auth) {
        return None;
    }
    // uv: the `error: Failed to publish ...` line, then the index's reason in `Caused by:` lines.
    let mut start = at;
    while start > 0 && lines.text(start).trim_start().starts_with("Caused by:") {
        start -= 1;
    }
    let message = message_at(lines, start);
    if EXISTS.iter().any(|needle| message.contains(needle)) {
        let file = existing_file(&message);
        let version = file.as_deref().and_then(version_of_file);
        return Some(evidence(
            Category::VersionConflict,
            at,
            message,
            Detail::Exists { file, version },
        ));
    }
    let status_auth = ["403", "401"].iter().any(|code| {
        HTTP.iter()
            .any(|prefix| message.contains(&format!("{}{}", prefix.trim_end_matches('4'), code)))
    });
    if status_auth || AUTH.iter().any(|needle| message.contains(needle)) {
        let detail = if message.contains("Username/Password") {
            Detail::Password
        } else if message.contains("Non-user identities cannot create new projects") {
            Detail::NewProject
        } else {
            Detail::Token
        };
        return Some(evidence(Category::Auth, at, message, detail));
    }
    if README.iter().any(|needle| message.contains(needle)) {
        return Some(evidence(Category::Metadata, at, message, Detail::Readme));
    }
    if INVALID
        .iter()
        .chain(&INVALID_AT_INDEX)
        .any(|needle| message.contains(needle))
    {
        let detail = metadata_detail(&message);
        return Some(evidence(Category::Metadata, at, message, detail));
    }
    // Another refusal (a file too large, a project name not allowed): the index's words are the message.
    http.then_some(Evidence {
        category: Category::Other,
        strength: STRENGTH - 1,
        at,
        message,
        detail: Detail::None,
        tool: None,
    })
}

const EXISTS: [&str; 6] = [
    "File already exists",
    "This filename has already been used",
    "already exists for",
    "already contains file",
    "Only one sdist may be uploaded per release",
    "The file already exists",
];

const AUTH: [&str; 5] = [
    "Invalid or non-existent authentication information",
    "isn't allowed to upload to project",
    "Username/Password authentication is no longer supported",
    "Invalid API Token",
    "Non-user identities cannot create new projects",
];

const README: [&str; 4] = [
    "has syntax errors in markup and would not be",
    "The description failed to render",
    "long_description has invalid markup",
    "has invalid markup which will not be rendered",
];

/// Refusals of metadata by twine before the upload.
const INVALID: [&str; 5] = [
    "InvalidDistribution",
    "Invalid distribution metadata",
    "Metadata is missing required fields",
    "is not a valid metadata version",
    "Unsupported metadata version",
];

/// Refusals of metadata by the index (a 400 with its reason): too generic to be trusted on any line.
const INVALID_AT_INDEX: [&str; 3] = [
    "is an invalid value for",
    "Invalid value for",
    "Invalid distribution file",
];

fn metadata_detail(message: &str) -> Detail {
    if message.contains("metadata version") || message.contains("Metadata-Version") {
        Detail::MetadataVersion
    } else {
        Detail::None
    }
}

/// `twine check` failures and invalid metadata refused by twine before the upload.
fn metadata(lines: &Lines, at: usize, text: &str) -> Option<Evidence> {
    if README.iter().any(|needle| text.contains(needle)) {
        let mut message = message_at(lines, at);
        let checking = (at.saturating_sub(3)..at)
            .rev()
            .map(|i| lines.text(i))
            .find(|t| t.starts_with("Checking "));
        if let Some(checking) = checking {
            if !message.starts_with("Checking ") {
                message = format!("{}: {message}", checking.trim().trim_end_matches(':'));
            }
        }
        return Some(evidence(Category::Metadata, at, message, Detail::Readme));
    }
    if INVALID.iter().any(|needle| text.contains(needle)) {
        let message = message_at(lines, at);
        let detail = metadata_detail(&message);
        return Some(evidence(Category::Metadata, at, message, detail));
    }
    None
}

/// The whole message at line `at`: a rich-formatted `ERROR    ...` entry with its indented continuation lines
/// (twine), `uv`'s `error:` with its `Caused by:` lines, or an `##[error]` with its continuation lines.
pub fn message_at(lines: &Lines, at: usize) -> String {
    let first = lines.text(at).trim();
    // `Checking dist/x.whl: ERROR    InvalidDistribution: ...` (twine check prints both on one line)
    let first = match first.split_once(": ERROR ") {
        Some((checking, rest)) if checking.starts_with("Checking ") => {
            format!("{checking}: {}", rest.trim_start())
        }
        _ => strip_level(first).to_string(),
    };
    let mut parts = vec![first];
    let mut i = at + 1;
    while i < lines.len() && i < at + 12 {
        let line = lines.line(i);
        let text = line.text.as_str();
        let rich_continuation = text.starts_with("         ") && !text.trim().is_empty();
        let caused_by = text.trim_start().starts_with("Caused by: ");
        // twine < 4: `    line 28: Warning: Inline literal start-string without end-string.`
        let markup_line = text.starts_with("  ") && text.trim_start().starts_with("line ");
        if !(line.continuation && !text.trim().is_empty()
            || rich_continuation
            || caused_by
            || markup_line)
        {
            break;
        }
        parts.push(text.trim().to_string());
        i += 1;
    }
    parts.join(" ")
}

/// Without rich's `ERROR    `/`WARNING  ` level column or uv's `error: `.
fn strip_level(text: &str) -> &str {
    for level in ["ERROR ", "WARNING ", "error: "] {
        if let Some(rest) = text.strip_prefix(level) {
            return rest.trim_start();
        }
    }
    text
}

/// The distribution file named in an upload error: `('pkg-1.0-py3-none-any.whl', with blake2_256 hash ...)`,
/// `` `dist/pkg-1.0.tar.gz` ``, `A file named "pkg-1.0.tar.gz" already exists`.
fn existing_file(message: &str) -> Option<String> {
    message
        .split(['\'', '"', '`', ' ', '(', ')'])
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .find(|w| dist_file::has_dist_suffix(w))
        .map(str::to_string)
}

/// The version a distribution file name carries (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`).
pub fn version_of_file(file: &str) -> Option<String> {
    dist_file::parse(file).map(|d| d.spelled.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_file_names() {
        assert_eq!(
            version_of_file("demo_pkg-1.2.0-py3-none-any.whl").as_deref(),
            Some("1.2.0")
        );
        assert_eq!(
            version_of_file("demo-pkg-1.2.0rc1.tar.gz").as_deref(),
            Some("1.2.0rc1")
        );
        assert_eq!(version_of_file("README.md"), None);
        assert_eq!(
            workflow_file("o/r/.github/workflows/publish.yml@refs/tags/v1").as_deref(),
            Some("publish.yml")
        );
        assert_eq!(
            existing_file(
                "File already exists ('demo_pkg-1.2.0.tar.gz', with blake2_256 hash 'ab')."
            )
            .as_deref(),
            Some("demo_pkg-1.2.0.tar.gz")
        );
    }
}

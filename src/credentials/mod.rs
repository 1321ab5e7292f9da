//! Publishing credentials, found where the uploaders read them, and kept so that they cannot be printed.
//!
//! Sources (each uploader's own variables, as its documentation names them): twine's `TWINE_PASSWORD` with
//! `TWINE_USERNAME` (and `TWINE_REPOSITORY_URL`), uv's `UV_PUBLISH_TOKEN` or `UV_PUBLISH_PASSWORD` with
//! `UV_PUBLISH_USERNAME` (and `UV_PUBLISH_URL`), Poetry's `POETRY_PYPI_TOKEN_<NAME>` (for repository NAME,
//! `PYPI` by default, at `POETRY_REPOSITORIES_<NAME>_URL`), PDM's `PDM_PUBLISH_PASSWORD` with
//! `PDM_PUBLISH_USERNAME` (and `PDM_PUBLISH_REPO`), flit's `FLIT_PASSWORD` with `FLIT_USERNAME` (and
//! `FLIT_INDEX_URL`), Hatch's `HATCH_INDEX_AUTH` with `HATCH_INDEX_USER` (and `HATCH_INDEX_REPO`), the sections
//! of `~/.pypirc`, or one line on stdin.

pub mod macaroon;
pub mod pypi_token;

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::error::hinted;

/// The largest `~/.pypirc` read; a real one is a few hundred bytes.
const MAX_PYPIRC: u64 = 64 * 1024;
/// The largest token read from stdin.
const MAX_STDIN: u64 = 64 * 1024;

/// A credential's text: reachable only through [`Secret::expose`]; it formats as `***` (also in `{:?}`), so no
/// message, log line or panic can carry it. Its bytes are overwritten when it is dropped.
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    /// The text, for the one place that must use it (decoding it, sending it to its service).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        std::hint::black_box(&bytes);
    }
}

/// One credential an uploader would use.
#[derive(Debug)]
pub struct Credential {
    /// Where it was found, for messages: `TWINE_PASSWORD`, `~/.pypirc [pypi]`, `stdin`.
    pub source: String,
    /// The user name given with it, when one is.
    pub username: Option<String>,
    pub secret: Secret,
    /// The index it is for, when its source says: an upload URL, or `None` for the uploader's default (`pypi.org`).
    pub index: Option<IndexHint>,
}

/// Which index a credential is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexHint {
    Url(String),
    /// A repository known only by a name whose URL is configured elsewhere (a Poetry or pypirc name).
    Named(String),
}

/// The credentials in the environment, in a stable order.
pub fn from_environment() -> Vec<Credential> {
    let vars = crate::env::upload_settings();
    let get = |name: &str| vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let url = |name: &str| get(name).map(IndexHint::Url);
    let mut found = Vec::new();
    let mut push = |source: &str, username: Option<String>, secret: Option<String>, index| {
        if let Some(secret) = secret {
            found.push(Credential {
                source: source.to_owned(),
                username,
                secret: Secret::new(secret),
                index,
            });
        }
    };
    push(
        "TWINE_PASSWORD",
        get("TWINE_USERNAME"),
        get("TWINE_PASSWORD"),
        url("TWINE_REPOSITORY_URL").or_else(|| repository_name(get("TWINE_REPOSITORY"))),
    );
    push(
        "UV_PUBLISH_TOKEN",
        Some("__token__".into()),
        get("UV_PUBLISH_TOKEN"),
        url("UV_PUBLISH_URL"),
    );
    push(
        "UV_PUBLISH_PASSWORD",
        get("UV_PUBLISH_USERNAME"),
        get("UV_PUBLISH_PASSWORD"),
        url("UV_PUBLISH_URL"),
    );
    for (name, value) in &vars {
        let Some(repository) = name.strip_prefix("POETRY_PYPI_TOKEN_") else {
            continue;
        };
        let index = if repository == "PYPI" {
            None
        } else {
            Some(
                get(&format!("POETRY_REPOSITORIES_{repository}_URL")).map_or_else(
                    || IndexHint::Named(repository.to_ascii_lowercase()),
                    IndexHint::Url,
                ),
            )
        };
        push(name, Some("__token__".into()), Some(value.clone()), index);
    }
    push(
        "PDM_PUBLISH_PASSWORD",
        get("PDM_PUBLISH_USERNAME"),
        get("PDM_PUBLISH_PASSWORD"),
        get("PDM_PUBLISH_REPO").and_then(|r| repository_name(Some(r))),
    );
    push(
        "FLIT_PASSWORD",
        get("FLIT_USERNAME"),
        get("FLIT_PASSWORD"),
        url("FLIT_INDEX_URL"),
    );
    push(
        "HATCH_INDEX_AUTH",
        get("HATCH_INDEX_USER"),
        get("HATCH_INDEX_AUTH"),
        get("HATCH_INDEX_REPO").and_then(|r| repository_name(Some(r))),
    );
    found
}

/// A repository given by name or URL (`pypi`, `testpypi`, `main`, `https://...`).
fn repository_name(value: Option<String>) -> Option<IndexHint> {
    let value = value?;
    Some(match value.as_str() {
        v if v.contains("://") => IndexHint::Url(value),
        "pypi" | "main" => IndexHint::Url(PYPI_UPLOAD.into()),
        "testpypi" | "test" => IndexHint::Url(TESTPYPI_UPLOAD.into()),
        _ => IndexHint::Named(value),
    })
}

pub const PYPI_UPLOAD: &str = "https://upload.pypi.org/legacy/";
pub const TESTPYPI_UPLOAD: &str = "https://test.pypi.org/legacy/";

/// The password sections of `~/.pypirc` (the `[distutils] index-servers` ones, else every section), as twine
/// reads it: `repository` defaults to `pypi.org` for `[pypi]` and `test.pypi.org` for `[testpypi]`.
pub fn from_pypirc() -> anyhow::Result<Vec<Credential>> {
    let Some(home) = crate::env::home() else {
        return Ok(Vec::new());
    };
    let path = home.join(".pypirc");
    let Some(text) = read_bounded(&path, MAX_PYPIRC)? else {
        return Ok(Vec::new());
    };
    let sections = ini_sections(&text);
    let servers: Option<Vec<String>> = sections
        .iter()
        .find(|(name, _)| name == "distutils")
        .and_then(|(_, keys)| keys.iter().find(|(k, _)| k == "index-servers"))
        .map(|(_, v)| v.split_whitespace().map(str::to_owned).collect());
    let mut found = Vec::new();
    for (name, keys) in &sections {
        if name == "distutils" || servers.as_ref().is_some_and(|s| !s.contains(name)) {
            continue;
        }
        let get = |key: &str| keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let Some(password) = get("password") else {
            continue;
        };
        let index = match (get("repository"), name.as_str()) {
            (Some(url), _) => Some(IndexHint::Url(url)),
            (None, "pypi") => None,
            (None, "testpypi") => Some(IndexHint::Url(TESTPYPI_UPLOAD.into())),
            (None, other) => Some(IndexHint::Named(other.to_owned())),
        };
        found.push(Credential {
            source: format!("~/.pypirc [{name}]"),
            username: get("username"),
            secret: Secret::new(password),
            index,
        });
    }
    Ok(found)
}

/// The token on stdin: its first line.
pub fn from_stdin() -> anyhow::Result<Credential> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read the token from stdin: {e}"))?;
    let text = Secret::new(String::from_utf8(bytes).map_err(|_| {
        hinted(
            "the token on stdin is not text",
            "pipe the token itself: printf %s \"$TOKEN\" | relgate publish auth --token-stdin",
        )
    })?);
    let line = text.expose().lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(hinted(
            "--token-stdin: stdin holds no token",
            "pipe the token: printf %s \"$TOKEN\" | relgate publish auth --token-stdin",
        ));
    }
    Ok(Credential {
        source: "stdin".into(),
        username: None,
        secret: Secret::new(line),
        index: None,
    })
}

/// A regular file's text, at most `max` bytes; `None` when it does not exist.
fn read_bounded(path: &Path, max: u64) -> anyhow::Result<Option<String>> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("cannot read {shown}: {e}")),
    };
    if !meta.is_file() || meta.len() > max {
        return Err(hinted(
            format!("{shown} is not a regular file of at most {max} bytes"),
            "fix or remove it: twine, uv and flit read it too",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max).read_to_string(&mut text))
        .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    Ok(Some(text))
}

/// `[section]` -> `key = value` pairs, as Python's configparser reads the simple cases: `=` or `:`, `#` and
/// `;` comment lines, indented continuation lines joined with a space.
fn ini_sections(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_owned(), Vec::new()));
            continue;
        }
        let Some((_, keys)) = sections.last_mut() else {
            continue;
        };
        if raw.starts_with([' ', '\t']) {
            if let Some((_, value)) = keys.last_mut() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(line);
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(['=', ':']) {
            keys.push((key.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format() {
        let secret = Secret::new("pypi-AgEIcHlwaS5vcmc-secret");
        assert_eq!(format!("{secret} {secret:?}"), "*** Secret(***)");
        let credential = Credential {
            source: "stdin".into(),
            username: None,
            secret,
            index: None,
        };
        assert!(!format!("{credential:?}").contains("AgEI"));
    }

    #[test]
    fn pypirc_sections() {
        let text = "[distutils]\nindex-servers =\n    pypi\n    testpypi\n\n[pypi]\nusername = __token__\npassword = pypi-one\n\n[testpypi]\nusername: __token__\npassword: pypi-two\n\n[private]\nrepository = https://example.invalid/\npassword = x\n";
        let sections = ini_sections(text);
        assert_eq!(
            sections[0].1,
            [("index-servers".into(), "pypi testpypi".into())]
        );
        assert_eq!(sections[2].1[1], ("password".into(), "pypi-two".into()));
        assert_eq!(sections.len(), 4);
    }
}

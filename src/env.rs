//! The one place that reads relgate's environment variables, so that every knob is listed here.

use std::env;
use std::ffi::OsString;

/// `NO_COLOR` (<https://no-color.org>): any non-empty value disables colour.
pub fn no_color() -> bool {
    env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `RELGATE_INDEX_URL`: the simple API root of the package index.
pub fn index_url() -> Option<String> {
    non_empty("RELGATE_INDEX_URL")
}

/// `RELGATE_SKIP=1`: hooks let everything through, loudly.
pub fn skip() -> bool {
    non_empty("RELGATE_SKIP").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `VIRTUAL_ENV`: the virtualenv the user activated.
pub fn virtual_env() -> Option<OsString> {
    env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty())
}

/// `GH_TOKEN`, then `GITHUB_TOKEN`, as the `gh` CLI reads them.
pub fn github_token() -> Option<String> {
    non_empty("GH_TOKEN").or_else(|| non_empty("GITHUB_TOKEN"))
}

/// `GITHUB_API_URL`: the GitHub API root, as GitHub Actions sets it (GitHub Enterprise: `https://HOST/api/v3`).
pub fn github_api_url() -> Option<String> {
    non_empty("GITHUB_API_URL")
}

/// `SSL_CERT_FILE`: a PEM bundle of the certificate authorities to trust instead of the built-in Mozilla roots
/// (as OpenSSL, curl and pip read it): a company proxy's CA, together with the public ones it should keep.
pub fn ssl_cert_file() -> Option<OsString> {
    env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty())
}

/// `HTTPS_PROXY`/`https_proxy`/`ALL_PROXY`, as curl and pip read them.
pub fn https_proxy() -> Option<String> {
    ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .into_iter()
        .find_map(non_empty)
}

/// `http_proxy`/`ALL_PROXY` for plain `http://` indexes. Upper-case `HTTP_PROXY` is ignored, as curl does:
/// a CGI environment lets a request set it (<https://httpoxy.org>).
pub fn http_proxy() -> Option<String> {
    ["http_proxy", "ALL_PROXY", "all_proxy"]
        .into_iter()
        .find_map(non_empty)
}

/// `NO_PROXY`/`no_proxy`: hosts reached directly.
pub fn no_proxy() -> Option<String> {
    non_empty("NO_PROXY").or_else(|| non_empty("no_proxy"))
}

/// `RELGATE_LIVE_INDEX=1` enables the test against the public index.
#[cfg(test)]
pub fn live_index() -> bool {
    non_empty("RELGATE_LIVE_INDEX").is_some()
}

/// `PATH`, where custom checks' commands are looked up (after the project's virtualenv), and behind a
/// virtualenv's `bin/` for the tools run in it, as activating it would.
pub fn path() -> Option<OsString> {
    env::var_os("PATH")
}

/// `RELGATE_TEST_HOOK_RECORD_PAUSE=FILE`, a test hook only: after writing a pass record's temporary file and
/// before renaming it into place, relgate creates FILE and sleeps, so that a test can kill it mid-write.
pub fn test_hook_record_pause() -> Option<OsString> {
    env::var_os("RELGATE_TEST_HOOK_RECORD_PAUSE").filter(|v| !v.is_empty())
}

/// `RELGATE_TEST_HOOK_TERM_GRACE=SECONDS`, a test hook only: how long a stopped check's group has between
/// SIGTERM and SIGKILL (2 s otherwise), so that a test can interrupt relgate again while it waits.
pub fn test_hook_term_grace() -> Option<std::time::Duration> {
    non_empty("RELGATE_TEST_HOOK_TERM_GRACE")
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_secs)
}

fn non_empty(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.is_empty())
}

/// `UV_PROJECT_ENVIRONMENT`: where uv keeps a project's environment instead of `.venv`.
pub fn uv_project_environment() -> Option<OsString> {
    env::var_os("UV_PROJECT_ENVIRONMENT").filter(|v| !v.is_empty())
}

/// `PYTHONPATH`, kept after the import roots of an isolated export.
pub fn python_path() -> Option<OsString> {
    env::var_os("PYTHONPATH").filter(|v| !v.is_empty())
}

/// `PYTEST_ADDOPTS`, kept before the options relgate adds for pytest.
pub fn pytest_addopts() -> Option<String> {
    non_empty("PYTEST_ADDOPTS")
}

/// Where pre-commit keeps the environments of its hooks: `PRE_COMMIT_HOME`, else `$XDG_CACHE_HOME/pre-commit`,
/// else `~/.cache/pre-commit` (as pre-commit computes it).
pub fn pre_commit_home() -> Option<std::path::PathBuf> {
    if let Some(home) = env::var_os("PRE_COMMIT_HOME").filter(|v| !v.is_empty()) {
        return Some(home.into());
    }
    if let Some(cache) = env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(std::path::PathBuf::from(cache).join("pre-commit"));
    }
    env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| {
        std::path::PathBuf::from(h)
            .join(".cache")
            .join("pre-commit")
    })
}

/// The variables through which uploaders take publishing credentials, as `(name, value)` in name order:
/// twine's `TWINE_*`, uv's `UV_PUBLISH_*`, Poetry's `POETRY_PYPI_TOKEN_<NAME>` and `POETRY_REPOSITORIES_*_URL`,
/// PDM's `PDM_PUBLISH_*`, flit's `FLIT_*` and Hatch's `HATCH_INDEX_*`. The values include secrets: callers
/// keep them in a `credentials::Secret`.
pub fn upload_settings() -> Vec<(String, String)> {
    const PREFIXES: &[&str] = &[
        "TWINE_",
        "UV_PUBLISH_",
        "POETRY_PYPI_TOKEN_",
        "POETRY_REPOSITORIES_",
        "PDM_PUBLISH_",
        "FLIT_",
        "HATCH_INDEX_",
    ];
    let mut vars: Vec<(String, String)> = env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, value)| !value.is_empty() && PREFIXES.iter().any(|p| name.starts_with(p)))
        .collect();
    vars.sort();
    vars
}

/// The user's home directory (`HOME`), where `~/.pypirc` is.
pub fn home() -> Option<std::path::PathBuf> {
    env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

/// `GITHUB_ACTIONS=true`: relgate runs in a GitHub Actions job.
pub fn github_actions() -> bool {
    non_empty("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// `GITHUB_STEP_SUMMARY`: the file GitHub Actions shows as the step's summary (Markdown, appended to).
pub fn github_step_summary() -> Option<std::path::PathBuf> {
    env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

/// `RELGATE_FORMAT`: the output format when `--format` is not given (`human`, `json` or `github`), as given.
pub fn format() -> Option<String> {
    non_empty("RELGATE_FORMAT")
}

/// `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`: where a GitHub Actions job asks for its
/// OIDC token, and the bearer token to ask with (a secret). Both are set only for jobs with `id-token: write`.
pub fn oidc_token_request() -> (Option<String>, Option<String>) {
    (
        non_empty("ACTIONS_ID_TOKEN_REQUEST_URL"),
        non_empty("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    )
}

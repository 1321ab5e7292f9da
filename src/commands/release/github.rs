//! The GitHub side of a release, checked before anything is created: the repository is known, a token is
//! there, and the notes can be read.

use std::path::{Path, PathBuf};

use pep440_rs::Version;

use crate::cli::ReleaseArgs;
use crate::error::hinted;
use crate::github::{self, RepoName};
use crate::release::Release;

/// The largest notes file read.
const MAX_NOTES: u64 = 1 << 20;

pub struct GithubPlan {
    pub repo: RepoName,
    pub api: String,
    pub notes: Notes,
    pub prerelease: bool,
}

pub enum Notes {
    /// The annotated tag's message.
    TagMessage,
    /// A file's text (also in the tag message).
    File(PathBuf, String),
    /// GitHub writes them from the merged pull requests.
    Generated,
}

/// The notes file: a regular file of at most 1 MiB of UTF-8.
pub fn read_notes(path: &Path) -> anyhow::Result<String> {
    use std::io::Read;
    let shown = path.display();
    let problem = |why: String| {
        hinted(
            format!("cannot read the notes file {shown}: {why}"),
            "pass --notes-file a text file of release notes",
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| problem(e.to_string()))?;
    if !meta.is_file() {
        return Err(problem("not a regular file".into()));
    }
    if meta.len() > MAX_NOTES {
        return Err(problem(format!(
            "{} bytes, more than {MAX_NOTES}",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_NOTES).read_to_end(&mut bytes))
        .map_err(|e| problem(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| problem("not UTF-8 text".into()))
}

/// The GitHub side, checked before anything is created: the repository is known and a token is there.
pub fn github_plan(
    release: &Release,
    args: &ReleaseArgs,
    notes_file: Option<(PathBuf, String)>,
    version: &Version,
) -> anyhow::Result<GithubPlan> {
    let repo = match &args.repo {
        Some(text) => RepoName::parse(text).ok_or_else(|| {
            hinted(
                format!("--repo {text:?} is not OWNER/NAME"),
                "e.g. --repo pypa/sampleproject",
            )
        })?,
        None => {
            let host = github::web_host(&args.api_url);
            let origin = release.repo.remote_url("origin");
            origin
                .as_deref()
                .and_then(|url| RepoName::from_remote(url, &host))
                .ok_or_else(|| {
                    let why = match &origin {
                        Some(url) => format!(
                            "the origin remote ({}) is not a repository on {host}",
                            crate::http::redact(url)
                        ),
                        None => "there is no origin remote".to_owned(),
                    };
                    hinted(
                        format!("--github-release: cannot tell the GitHub repository: {why}"),
                        "pass --repo OWNER/NAME",
                    )
                })?
        }
    };
    if crate::env::github_token().is_none() {
        return Err(hinted(
            "--github-release needs a GitHub token: neither GH_TOKEN nor GITHUB_TOKEN is set",
            "export GH_TOKEN=$(gh auth token) (a fine-grained token needs \"Contents: write\"), or leave out --github-release",
        ));
    }
    let notes = if args.generate_notes {
        Notes::Generated
    } else if let Some((path, text)) = notes_file {
        Notes::File(path, text)
    } else {
        Notes::TagMessage
    };
    Ok(GithubPlan {
        repo,
        api: args.api_url.trim_end_matches('/').to_owned(),
        notes,
        prerelease: version.any_prerelease(),
    })
}

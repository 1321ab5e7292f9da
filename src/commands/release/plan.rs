//! Everything `relgate release` will do, decided before anything is written: the preconditions (a clean tree on
//! a branch that is not behind its upstream, a new tag, a version greater than the last release), the new
//! version, the one line of the one file that changes, the commit, the tag, the push and the GitHub release.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;

use crate::bump::{self, Bump, Request};
use crate::cli::ReleaseArgs;
use crate::error::hinted;
use crate::git::{self, CommitId};
use crate::github::{self, RepoName};
use crate::project::rewrite;
use crate::project::{Declared, VersionSource};
use crate::release::Release;

/// The largest notes file read.
const MAX_NOTES: u64 = 1 << 20;

pub struct Plan {
    pub name: Option<String>,
    /// The version before the release: the declared one, or for a `vcs` project the last release tag's.
    pub current: Option<Version>,
    pub version: Version,
    pub request: Request,
    pub tag: String,
    pub branch: String,
    pub head: CommitId,
    pub remote: String,
    pub remote_branch: String,
    /// The one file that changes; `None` when the tag goes on HEAD as it is.
    pub edit: Option<FileEdit>,
    /// Why nothing is written, when nothing is.
    pub no_edit: Option<String>,
    pub commit_message: String,
    pub tag_message: String,
    pub github: Option<GithubPlan>,
    /// Untracked files, which the release leaves out (the commit holds only committed content).
    pub untracked: Vec<String>,
}

pub struct FileEdit {
    /// Relative to the top of the repository.
    pub path: PathBuf,
    /// As the project names it (relative to the project directory), for messages.
    pub shown: String,
    pub line: u32,
    pub before: String,
    pub after: String,
    pub old_bytes: Vec<u8>,
    pub new_bytes: Vec<u8>,
}

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

impl Plan {
    /// `git push --atomic` refspecs: the branch (to its name on the remote) and the tag.
    pub fn refspecs(&self) -> Vec<String> {
        vec![
            format!(
                "refs/heads/{}:refs/heads/{}",
                self.branch, self.remote_branch
            ),
            format!("refs/tags/{}", self.tag),
        ]
    }

    /// The push as the user would type it.
    pub fn push_command(&self) -> String {
        let branch = if self.branch == self.remote_branch {
            self.branch.clone()
        } else {
            format!("{}:{}", self.branch, self.remote_branch)
        };
        format!("git push --atomic {} {branch} {}", self.remote, self.tag)
    }

    /// The plan as a numbered list of steps, for the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let name = self.name.as_deref().unwrap_or("the project");
        let from = self
            .current
            .as_ref()
            .map_or_else(|| "(no release yet)".to_owned(), ToString::to_string);
        let how = match &self.request {
            Request::Bump(b) => format!(" ({})", b.as_str()),
            Request::Exact(_) => String::new(),
        };
        let _ = writeln!(
            out,
            "relgate release: {name} {from} -> {}{how}",
            self.version
        );
        let _ = writeln!(
            out,
            "  1. gate     the whole release gate on the release commit, as tag {}: nothing below happens unless it passes",
            self.tag
        );
        match &self.edit {
            Some(edit) => {
                let _ = writeln!(out, "  2. write    {}:{}", edit.shown, edit.line);
                let _ = writeln!(out, "                 - {}", edit.before.trim_end());
                let _ = writeln!(out, "                 + {}", edit.after.trim_end());
                let _ = writeln!(
                    out,
                    "  3. commit   {:?} on {} (parent {})",
                    self.commit_message,
                    self.branch,
                    git::short(self.head)
                );
            }
            None => {
                let why = self.no_edit.as_deref().unwrap_or("nothing to change");
                let _ = writeln!(out, "  2. write    nothing: {why}");
                let _ = writeln!(
                    out,
                    "  3. commit   none: the tag goes on HEAD ({}, {})",
                    git::short(self.head),
                    self.branch
                );
            }
        }
        let first = self.tag_message.lines().next().unwrap_or_default();
        let _ = writeln!(out, "  4. tag      {}, annotated ({first:?})", self.tag);
        let _ = writeln!(out, "  5. push     {}", self.push_command());
        if let Some(gh) = &self.github {
            let notes = match &gh.notes {
                Notes::TagMessage => "the tag message".to_owned(),
                Notes::File(path, _) => path.display().to_string(),
                Notes::Generated => "generated by GitHub".to_owned(),
            };
            let _ = writeln!(
                out,
                "  6. release  GitHub release {} on {} (notes: {notes}; pre-release: {})",
                self.tag,
                gh.repo,
                if gh.prerelease { "yes" } else { "no" }
            );
        }
        if !self.untracked.is_empty() {
            let _ = writeln!(
                out,
                "  note: untracked files are not part of the release: {}",
                crate::report::name_list(
                    &self
                        .untracked
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                    3
                )
            );
        }
        out
    }
}

/// Check every precondition and decide every step. Nothing is written.
pub fn prepare(release: &Release, args: &ReleaseArgs, request: Request) -> anyhow::Result<Plan> {
    let repo = &release.repo;
    let head = release.require_head()?;
    let Some(branch) = repo.current_branch()? else {
        return Err(hinted(
            format!(
                "HEAD is detached (at {}): a release is committed on a branch and pushed with it",
                git::short(head)
            ),
            "switch to the branch to release from (git switch main), then run relgate release again",
        ));
    };
    let difference = repo.difference_from(head)?;
    if !difference.modified.is_empty() {
        let shown: Vec<&str> = difference.modified.iter().map(String::as_str).collect();
        return Err(hinted(
            format!(
                "the working tree has uncommitted changes ({}): the release commit would not hold them",
                crate::report::name_list(&shown, 3)
            ),
            "commit or stash them (git stash), then run relgate release again",
        ));
    }
    let upstream = repo.upstream(&branch);
    let remote = match (&args.remote, &upstream) {
        (Some(remote), _) => remote.clone(),
        (None, Some(up)) => up.remote.clone(),
        (None, None) => "origin".to_owned(),
    };
    if !repo.has_remote(&remote) {
        return Err(hinted(
            format!("there is no remote named {remote:?} to push the release to"),
            format!(
                "add it (git remote add {remote} URL), or name another with --remote NAME (git remote -v lists them)"
            ),
        ));
    }
    let remote_branch = upstream
        .filter(|up| up.remote == remote)
        .map_or_else(|| branch.clone(), |up| up.branch);
    let tracking = format!("refs/remotes/{remote}/{remote_branch}");
    if let Some(theirs) = repo.ref_commit(&tracking) {
        if !repo.is_ancestor(theirs, head) {
            return Err(hinted(
                format!(
                    "{branch} is behind {remote}/{remote_branch} (as of the last fetch): {remote}/{remote_branch} has commits that {branch} does not, so the push would be refused"
                ),
                format!(
                    "bring them in first (git pull --rebase {remote} {remote_branch}), then run relgate release again; relgate does not fetch: git fetch shows the remote's latest state"
                ),
            ));
        }
    }

    let declared = release.declared(Some((head, "HEAD")))?;
    let history = repo.history(head)?;
    let all_tags = repo.tag_refs()?;
    let mut released: Vec<(Version, String)> = Vec::new();
    for tag in &all_tags {
        let Some(version) = release.format.version_of(&tag.name) else {
            continue;
        };
        if repo
            .tag_commit(tag)?
            .is_some_and(|commit| history.contains(&commit))
        {
            released.push((version, tag.name.clone()));
        }
    }
    released.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
    let last = released.last().cloned();

    let declared_version = declared
        .version
        .as_deref()
        .map(|v| (v, Version::from_str(v)));
    let current = match (&declared_version, &last) {
        (Some((_, Ok(v))), _) | (None, Some((v, _))) => Some(v.clone()),
        _ => None,
    };
    let version = match &request {
        Request::Exact(v) => v.clone(),
        Request::Bump(b) => {
            let Some(current) = &current else {
                return Err(no_current_version(&declared, declared_version.as_ref(), *b));
            };
            bump::next(current, *b).map_err(|e| {
                hinted(
                    e.to_string(),
                    "name the version instead: relgate release 1.3.0rc1",
                )
            })?
        }
    };
    if let Some((last_version, last_tag)) = &last {
        if version <= *last_version {
            let suggestion = bump::next(last_version, Bump::Patch)
                .map(|v| format!(" (relgate release {v})"))
                .unwrap_or_default();
            return Err(hinted(
                format!(
                    "{version} is not greater than the last release, {last_version} (tag {last_tag})"
                ),
                format!("release a later version{suggestion}"),
            ));
        }
    }

    // The repository's own convention: the form of its latest release tag.
    let form = last
        .as_ref()
        .and_then(|(_, name)| release.format.form_of(name))
        .unwrap_or(0);
    let tag = release.format.render(form, &version.to_string());
    if let Some(existing) = repo.find_tag(&tag)? {
        let at = repo
            .tag_commit(&existing)?
            .map_or_else(String::new, |c| format!(" (at {})", git::short(c)));
        return Err(hinted(
            format!("tag {tag} already exists{at}"),
            format!(
                "release another version; if {tag} was never pushed and is a mistake, delete it first: git tag -d {tag}"
            ),
        ));
    }
    if let Some(other) = all_tags
        .iter()
        .find(|t| release.format.version_of(&t.name).as_ref() == Some(&version))
    {
        return Err(hinted(
            format!("{version} is already tagged, as {}", other.name),
            "release another version",
        ));
    }

    let (edit, no_edit) = if declared.source == VersionSource::Vcs {
        let tool = declared.vcs_tool.as_deref().unwrap_or("a VCS plugin");
        (
            None,
            Some(format!("the version comes from the tag ({tool})")),
        )
    } else if matches!(&declared_version, Some((_, Ok(v))) if *v == version) {
        let at = declared.file.as_deref().unwrap_or("the project");
        (None, Some(format!("{at} already declares {version}")))
    } else {
        (Some(file_edit(release, &declared, head, &version)?), None)
    };

    let commit_message = release.config.release_message(&version.to_string(), &tag);
    let notes_file = match &args.notes_file {
        Some(path) => Some((path.clone(), read_notes(path)?)),
        None => None,
    };
    let tag_message = match &notes_file {
        Some((_, notes)) if !notes.trim().is_empty() => {
            format!("{commit_message}\n\n{}", notes.trim_end())
        }
        _ => commit_message.clone(),
    };
    let github = if args.github_release {
        Some(github_plan(release, args, notes_file, &version)?)
    } else {
        None
    };
    Ok(Plan {
        name: declared.name.clone(),
        current,
        version,
        request,
        tag,
        branch,
        head,
        remote,
        remote_branch,
        edit,
        no_edit,
        commit_message,
        tag_message,
        github,
        untracked: difference.untracked,
    })
}

fn no_current_version(
    declared: &Declared,
    parsed: Option<&(&str, Result<Version, pep440_rs::VersionParseError>)>,
    bump: Bump,
) -> anyhow::Error {
    match parsed {
        Some((text, Err(_))) => hinted(
            format!(
                "{}:{} declares {text:?}, which is not a PEP 440 version: there is nothing to bump",
                declared.file.as_deref().unwrap_or("the project"),
                declared.line.unwrap_or(0)
            ),
            "name the new version: relgate release 1.0.0",
        ),
        _ => hinted(
            format!(
                "there is no release tag in HEAD's history to bump ({}) from: the version comes from git tags",
                bump.as_str()
            ),
            "name the first version: relgate release 0.1.0",
        ),
    }
}

/// The new content of the declared version's file, from HEAD's blob; the working tree's copy must hold the same
/// bytes (no line-ending conversion), since both get the same new bytes.
fn file_edit(
    release: &Release,
    declared: &Declared,
    head: CommitId,
    version: &Version,
) -> anyhow::Result<FileEdit> {
    let shown = declared.file.clone().unwrap_or_default();
    let path = inside_repository(&release.subdir.join(&shown)).ok_or_else(|| {
        hinted(
            format!("{shown} is outside the repository: relgate release does not write there"),
            "set the version by hand, commit, then run relgate release with that version",
        )
    })?;
    match release.repo.file_mode(head, &path)? {
        Some(0o100_644 | 0o100_755) => {}
        Some(_) => {
            return Err(hinted(
                format!("{shown} is a symbolic link: relgate release does not write through links"),
                "point the project at the real file, or set the version by hand",
            ));
        }
        None => {
            return Err(hinted(
                format!("{shown} is not committed: the release commit cannot change it"),
                "commit it first",
            ));
        }
    }
    let old_bytes = release
        .repo
        .read_file(head, &path)?
        .ok_or_else(|| anyhow::anyhow!("{shown} is missing from HEAD"))?;
    let text = String::from_utf8(old_bytes.clone()).map_err(|_| {
        hinted(
            format!("{shown} is not valid UTF-8"),
            "save it as UTF-8, commit, then run relgate release again",
        )
    })?;
    let written = rewrite::written_form(declared, version)?;
    let rewritten = rewrite::rewrite(declared, &text, &written)?;
    let on_disk = release.repo.workdir().join(&path);
    let regular = std::fs::symlink_metadata(&on_disk).is_ok_and(|m| m.file_type().is_file());
    if !regular || std::fs::read(&on_disk).ok().as_deref() != Some(old_bytes.as_slice()) {
        return Err(hinted(
            format!(
                "{shown} in the working tree is not byte for byte the committed file (git converts it: core.autocrlf, .gitattributes `eol`/filters)"
            ),
            "relgate release writes the same bytes into the commit and the working tree; set the version by hand, commit, then run relgate release with that version",
        ));
    }
    Ok(FileEdit {
        path,
        shown,
        line: rewritten.line,
        before: rewritten.before,
        after: rewritten.after,
        old_bytes,
        new_bytes: rewritten.text.into_bytes(),
    })
}

/// `path` with `.` and `..` resolved, when it stays inside the repository and names no `.git` directory.
fn inside_repository(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => {
                if c.eq_ignore_ascii_case(".git") {
                    return None;
                }
                out.push(c);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// The notes file: a regular file of at most 1 MiB of UTF-8.
fn read_notes(path: &Path) -> anyhow::Result<String> {
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
fn github_plan(
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

#[cfg(test)]
mod tests {
    use super::inside_repository;
    use std::path::{Path, PathBuf};

    #[test]
    fn paths_stay_inside_the_repository() {
        assert_eq!(
            inside_repository(Path::new("pkg/../Cargo.toml")),
            Some(PathBuf::from("Cargo.toml"))
        );
        assert_eq!(inside_repository(Path::new("../Cargo.toml")), None);
        assert_eq!(inside_repository(Path::new("a/.GIT/config")), None);
        assert_eq!(inside_repository(Path::new("/etc/passwd")), None);
    }
}

//! Finding the steps that upload to a package index, and how they authenticate.
//!
//! Trusted publishing (<https://docs.pypi.org/trusted-publishers/>) needs no secret: the uploader exchanges the
//! job's OIDC token for a short-lived upload token. pypa/gh-action-pypi-publish, `uv publish`, `twine upload`
//! (6.1+) and `pdm publish` do this when given no credentials; poetry, hatch and flit cannot.

use std::collections::BTreeMap;

use super::condition;
use super::workflow::{Job, Step, Workflow};
use crate::shell;

/// One upload step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub job: String,
    pub step: String,
    pub uploader: Uploader,
    pub auth: Auth,
    pub index: Index,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploader {
    PypiPublishAction,
    Twine,
    Uv,
    Poetry,
    Hatch,
    Flit,
    Pdm,
    /// A script of the project's own that is given upload credentials (`scripts/publish` with `TWINE_PASSWORD`).
    Script(String),
}

impl Uploader {
    pub fn label(&self) -> String {
        match self {
            Uploader::PypiPublishAction => "pypa/gh-action-pypi-publish".into(),
            Uploader::Twine => "twine upload".into(),
            Uploader::Uv => "uv publish".into(),
            Uploader::Poetry => "poetry publish".into(),
            Uploader::Hatch => "hatch publish".into(),
            Uploader::Flit => "flit publish".into(),
            Uploader::Pdm => "pdm publish".into(),
            Uploader::Script(s) => format!("`{s}`"),
        }
    }

    fn supports_trusted_publishing(&self) -> bool {
        matches!(
            self,
            Uploader::PypiPublishAction | Uploader::Twine | Uploader::Uv | Uploader::Pdm
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No credentials given: the OIDC exchange.
    Trusted,
    /// A credential from an expression, named by where it is given (`with: password`, `env TWINE_PASSWORD`).
    Token(String),
    /// A credential written into the file itself: public to anyone who can read the repository.
    Literal(String),
    /// No credentials and an uploader that cannot do trusted publishing (it may be configured elsewhere).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Index {
    Pypi,
    TestPypi,
    Other(String),
}

impl Index {
    pub fn label(&self) -> String {
        match self {
            Index::Pypi => "PyPI".into(),
            Index::TestPypi => "TestPyPI".into(),
            Index::Other(url) => crate::urls::redact(url),
        }
    }

    fn from_url(url: &str) -> Index {
        if url.contains("test.pypi.org") {
            Index::TestPypi
        } else if url.contains("upload.pypi.org") || url.trim().is_empty() {
            Index::Pypi
        } else {
            Index::Other(url.to_owned())
        }
    }
}

/// Environment variables that carry upload credentials, per uploader.
const CREDENTIAL_ENV: &[&str] = &[
    "TWINE_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_PUBLISH_PASSWORD",
    "POETRY_PYPI_TOKEN_PYPI",
    "HATCH_INDEX_AUTH",
    "FLIT_PASSWORD",
    "PDM_PUBLISH_PASSWORD",
];

/// The uploads of `workflow` that can run on a release, and those that never can, each with the reason
/// (`gates::publish::condition`): only the first are the release's publishers.
pub fn on_release(workflow: &Workflow) -> (Vec<Upload>, Vec<(Upload, String)>) {
    let mut publishers = Vec::new();
    let mut never = Vec::new();
    for upload in find_uploads(workflow)
        .into_iter()
        .chain(find_script_uploads(workflow))
    {
        let job = workflow.job(&upload.job);
        let step = job.and_then(|j| j.steps.iter().find(|s| s.label() == upload.step));
        match job {
            Some(job) if !condition::may_run_on_release(workflow, job, step) => {
                let why = condition::never_on_release(workflow, job, step);
                never.push((upload, why));
            }
            _ => publishers.push(upload),
        }
    }
    (publishers, never)
}

/// Every upload step in a workflow.
pub fn find_uploads(workflow: &Workflow) -> Vec<Upload> {
    let mut out = Vec::new();
    for job in &workflow.jobs {
        let mut earlier_runs = String::new();
        for step in &job.steps {
            if let Some(upload) = upload_of(workflow, job, step, &earlier_runs) {
                out.push(upload);
            }
            if let Some(run) = &step.run {
                earlier_runs.push_str(run);
                earlier_runs.push('\n');
            }
        }
    }
    out
}

fn upload_of(workflow: &Workflow, job: &Job, step: &Step, earlier_runs: &str) -> Option<Upload> {
    // Step env over job env over workflow env, as GitHub resolves them.
    let mut env: BTreeMap<&str, &str> = BTreeMap::new();
    for map in [&workflow.env, &job.env, &step.env] {
        env.extend(map.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    let make = |uploader: Uploader, auth: Auth, index: Index| Upload {
        job: job.id.clone(),
        step: step.label(),
        uploader,
        auth,
        index,
    };
    if let Some(uses) = &step.uses {
        let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
        if action != "pypa/gh-action-pypi-publish" {
            return None;
        }
        let url = step
            .with
            .get("repository-url")
            .or_else(|| step.with.get("repository_url"))
            .map_or("", String::as_str);
        let auth = match step.with.get("password").map(|p| p.trim()) {
            Some(p) if !p.is_empty() => credential("with: password", p),
            _ => Auth::Trusted,
        };
        return Some(make(
            Uploader::PypiPublishAction,
            auth,
            Index::from_url(url),
        ));
    }
    let run = step.run.as_deref()?;
    let (uploader, command) = uploader_in(run)?;
    let index = index_in(&command, &env);
    let from_env = CREDENTIAL_ENV
        .iter()
        .find_map(|k| env.get(k).map(|v| (*k, *v)))
        .or_else(|| {
            env.iter()
                .find(|(k, _)| k.starts_with("POETRY_PYPI_TOKEN_"))
                .map(|(k, v)| (*k, *v))
        });
    let flag = credential_flag(&command);
    let auth = if let Some((key, value)) = from_env {
        credential(&format!("env {key}"), value)
    } else if let Some((flag, value)) = flag {
        credential(&format!("`{flag}`"), &value)
    } else if uploader == Uploader::Poetry && earlier_runs.contains("poetry config pypi-token") {
        Auth::Token("`poetry config pypi-token` in an earlier step".into())
    } else if uploader.supports_trusted_publishing() {
        Auth::Trusted
    } else if matches!(uploader, Uploader::Script(_)) {
        return None;
    } else {
        Auth::Unknown
    };
    Some(make(uploader, auth, index))
}

/// The uploader a script calls (`twine upload`, `python -m twine upload`, `uv publish`...), and the command
/// that calls it.
fn uploader_in(run: &str) -> Option<(Uploader, String)> {
    shell::commands(run).into_iter().find_map(|command| {
        let words = shell::words(&command);
        let program = shell::program(&words)?;
        let sub = words.get(program.at + 1)?;
        let uploader = match (program.name.as_str(), sub.as_str()) {
            ("twine", "upload") => Uploader::Twine,
            ("uv", "publish") => Uploader::Uv,
            ("poetry", "publish") => Uploader::Poetry,
            ("hatch", "publish") => Uploader::Hatch,
            ("flit", "publish") => Uploader::Flit,
            ("pdm", "publish") => Uploader::Pdm,
            _ => return None,
        };
        Some((uploader, command))
    })
}

/// A credential passed on the command line: `--password X`, `-p X`, `--token X`, `-t X`, `-a X`.
fn credential_flag(command: &str) -> Option<(String, String)> {
    let words = shell::words(command);
    for (i, word) in words.iter().enumerate() {
        if let Some((flag, value)) = word.split_once('=') {
            if matches!(flag, "--password" | "--token" | "--auth") {
                return Some((flag.to_owned(), value.to_owned()));
            }
        }
        if matches!(
            word.as_str(),
            "--password" | "-p" | "--token" | "-t" | "--auth" | "-a"
        ) {
            let value = words.get(i + 1).map_or("", String::as_str);
            return Some((word.clone(), value.to_owned()));
        }
    }
    None
}

fn index_in(command: &str, env: &BTreeMap<&str, &str>) -> Index {
    let words = shell::words(command);
    for (i, word) in words.iter().enumerate() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (word.as_str(), None),
        };
        if matches!(
            flag,
            "--repository-url" | "--publish-url" | "--repository" | "-r" | "--index" | "--repo"
        ) {
            let value = inline
                .or_else(|| words.get(i + 1).map(String::as_str))
                .unwrap_or("");
            let value = value.trim_matches(['"', '\'']);
            return if value == "testpypi" {
                Index::TestPypi
            } else if value == "pypi" {
                Index::Pypi
            } else {
                Index::from_url(value)
            };
        }
    }
    for key in ["TWINE_REPOSITORY_URL", "UV_PUBLISH_URL"] {
        if let Some(url) = env.get(key) {
            return Index::from_url(url);
        }
    }
    if env.get("TWINE_REPOSITORY") == Some(&"testpypi") {
        return Index::TestPypi;
    }
    Index::Pypi
}

/// A value from `${{ ... }}` is a reference to a secret; anything else is the secret itself.
fn credential(place: &str, value: &str) -> Auth {
    let value = value.trim().trim_matches(['"', '\'']);
    if value.contains("${{") || value.starts_with('$') {
        Auth::Token(format!("{place} = {value}"))
    } else {
        Auth::Literal(place.to_owned())
    }
}

/// Steps that hand upload credentials to a script relgate cannot read (`scripts/publish` with `TWINE_PASSWORD`).
pub fn find_script_uploads(workflow: &Workflow) -> Vec<Upload> {
    let mut out = Vec::new();
    for job in &workflow.jobs {
        for step in &job.steps {
            let Some(run) = &step.run else { continue };
            if uploader_in(run).is_some() {
                continue;
            }
            let Some((key, value)) = CREDENTIAL_ENV.iter().find_map(|k| {
                step.env
                    .get(*k)
                    .or_else(|| job.env.get(*k))
                    .map(|v| (*k, v))
            }) else {
                continue;
            };
            let first = run
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            out.push(Upload {
                job: job.id.clone(),
                step: step.label(),
                uploader: Uploader::Script(first.to_owned()),
                auth: credential(&format!("env {key}"), value),
                index: Index::Pypi,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::publish::workflow::parse;

    fn uploads(text: &str) -> Vec<Upload> {
        let w = parse(".github/workflows/w.yml", text).unwrap();
        let mut all = find_uploads(&w);
        all.extend(find_script_uploads(&w));
        all
    }

    #[test]
    fn index_labels_hide_credentials_and_keep_paths() {
        let label = |url: &str| Index::Other(url.to_owned()).label();
        assert_eq!(
            label("https://pkgs.example/repo@main/legacy/"),
            "https://pkgs.example/repo@main/legacy/"
        );
        assert_eq!(
            label("https://u:tok@pkgs.example/repo@main/legacy/"),
            "https://pkgs.example/repo@main/legacy/"
        );
        assert_eq!(
            label("https://u:to/ken@pkgs.example/legacy/"),
            "https://pkgs.example/legacy/"
        );
    }

    #[test]
    fn action_with_and_without_password_and_testpypi() {
        let u = uploads(
            "on: push\njobs:\n  p:\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n",
        );
        assert_eq!(u.len(), 2);
        assert_eq!(
            (u[0].auth.clone(), u[0].index.clone()),
            (Auth::Trusted, Index::TestPypi)
        );
        assert_eq!(
            u[1].auth,
            Auth::Token("with: password = ${{ secrets.PYPI_API_TOKEN }}".into())
        );
        assert_eq!(u[1].index, Index::Pypi);
    }

    #[test]
    fn twine_with_token_env_and_uv_trusted() {
        let u = uploads(
            "on: push\njobs:\n  p:\n    steps:\n      - run: twine upload --repository testpypi dist/*\n        env:\n          TWINE_USERNAME: __token__\n          TWINE_PASSWORD: ${{ secrets.TEST_PYPI }}\n      - run: uv publish\n",
        );
        assert_eq!(u[0].uploader, Uploader::Twine);
        assert_eq!(
            u[0].auth,
            Auth::Token("env TWINE_PASSWORD = ${{ secrets.TEST_PYPI }}".into())
        );
        assert_eq!(u[0].index, Index::TestPypi);
        assert_eq!(
            (u[1].uploader.clone(), u[1].auth.clone()),
            (Uploader::Uv, Auth::Trusted)
        );
    }

    #[test]
    fn literal_token_and_poetry_config() {
        let u = uploads(
            "on: push\njobs:\n  p:\n    steps:\n      - run: uv publish --token pypi-AgEIcHlwaS5vcmcabc\n  q:\n    steps:\n      - run: poetry config pypi-token.pypi \"$TOKEN\"\n      - run: poetry publish --build\n  r:\n    steps:\n      - run: flit publish\n",
        );
        assert_eq!(u[0].auth, Auth::Literal("`--token`".into()));
        assert_eq!(
            u[1].auth,
            Auth::Token("`poetry config pypi-token` in an earlier step".into())
        );
        assert_eq!(
            (u[2].uploader.clone(), u[2].auth.clone()),
            (Uploader::Flit, Auth::Unknown)
        );
    }

    #[test]
    fn uploaders_behind_runners_and_in_scripts() {
        let u = uploads(
            "on: push\njobs:\n  p:\n    steps:\n      - run: echo \"twine upload comes later\"\n      - run: |\n          python -m build && python -m twine upload \\\n            --password \"${{ secrets.PYPI }}\" dist/*\n      - run: find dist -name '*.whl' | xargs -n 1 twine upload -r testpypi\n",
        );
        let found: Vec<(Uploader, Auth, Index)> = u
            .into_iter()
            .map(|u| (u.uploader, u.auth, u.index))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Uploader::Twine,
                    Auth::Token("`--password` = ${{ secrets.PYPI }}".into()),
                    Index::Pypi
                ),
                (Uploader::Twine, Auth::Trusted, Index::TestPypi),
            ]
        );
    }

    #[test]
    fn script_given_credentials_counts() {
        // encode/httpx's publish workflow, trimmed.
        let u = uploads(
            "on:\n  push:\n    tags: ['*']\njobs:\n  publish:\n    environment:\n      name: deploy\n    steps:\n      - run: scripts/build\n      - name: Publish to PyPI & deploy docs\n        run: scripts/publish\n        env:\n          TWINE_USERNAME: __token__\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n",
        );
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].uploader, Uploader::Script("scripts/publish".into()));
        assert_eq!(u[0].step, "Publish to PyPI & deploy docs");
    }
}

//! `relgate github workflow`: print the publishing workflow for the project (gate, build, publish), or write it
//! to `.github/workflows/NAME.yml` with `--write`, never over an existing file.

use std::io::Write as _;
use std::path::Path;

use super::emit;
use crate::Exit;
use crate::cli::WorkflowArgs;
use crate::commands::Output;
use crate::error::hinted;
use crate::pipeline::{self, Plan};
use crate::release::Release;

pub fn run(args: &WorkflowArgs, out: Output) -> anyhow::Result<Exit> {
    let stem = file_stem(&args.name)?;
    let release = Release::open(&args.project)?;
    let plan = pipeline::plan(&release, stem, args.on, args.project.tag_format.as_deref())?;
    let text = pipeline::render(&plan);
    if !args.write {
        emit(&text);
        return Ok(Exit::Pass);
    }
    let shown = format!(".github/workflows/{}", plan.file);
    write_new(release.repo.workdir(), &plan.file, &text, &shown)?;
    if !out.quiet {
        emit(&next_steps(&plan, &shown));
    }
    Ok(Exit::Pass)
}

/// `--name`, without a `.yml`/`.yaml` the user may have added: a plain file name.
fn file_stem(name: &str) -> anyhow::Result<&str> {
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
        .unwrap_or(name);
    let plain = !stem.is_empty()
        && stem.len() <= 100
        && stem.starts_with(|c: char| c.is_ascii_alphanumeric())
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        Ok(stem)
    } else {
        Err(hinted(
            format!(
                "--name {:?} is not a plain file name",
                crate::gates::github::printable(name)
            ),
            "use letters, digits, `.`, `_` and `-`, e.g. --name publish",
        ))
    }
}

/// Create `.github/workflows/<file>` under the repository root; an existing file (or anything at that path,
/// a symbolic link included) is left alone, and so are directories that are symbolic links.
fn write_new(root: &Path, file: &str, text: &str, shown: &str) -> anyhow::Result<()> {
    let mut dir = root.to_path_buf();
    for part in [".github", "workflows"] {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(hinted(
                    format!(
                        "{} is not a directory (a symbolic link or a file): relgate does not write through it",
                        dir.display()
                    ),
                    "print the workflow instead (relgate github workflow > FILE) and put it in place yourself",
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&dir).map_err(|e| {
                    hinted(
                        format!("cannot create {}: {e}", dir.display()),
                        "check the directory's permissions",
                    )
                })?;
            }
            Err(e) => {
                return Err(hinted(
                    format!("cannot read {}: {e}", dir.display()),
                    "check the directory's permissions",
                ));
            }
        }
    }
    let path = dir.join(file);
    let mut handle = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(hinted(
                format!("{shown} already exists: relgate does not overwrite a workflow"),
                "compare it with `relgate github workflow` (which prints the new one), or write it under another name: --name publish",
            ));
        }
        Err(e) => {
            return Err(hinted(
                format!("cannot create {shown}: {e}"),
                "check the directory's permissions",
            ));
        }
    };
    if let Err(e) = handle
        .write_all(text.as_bytes())
        .and_then(|()| handle.sync_all())
    {
        drop(handle);
        let _ = std::fs::remove_file(&path);
        return Err(hinted(
            format!("cannot write {shown}: {e}"),
            "check the free space and permissions, then run the command again",
        ));
    }
    Ok(())
}

/// What to do once the file is written.
fn next_steps(plan: &Plan, shown: &str) -> String {
    let starts = match plan.trigger {
        pipeline::Trigger::Tag => {
            format!("a pushed release tag ({})", plan.tag_patterns.join(", "))
        }
        pipeline::Trigger::Release => "a published GitHub release".to_owned(),
    };
    let pages = pipeline::publisher_pages(plan.project.as_deref())
        .iter()
        .fold(String::new(), |text, page| text + "\n     " + page);
    let publisher = match &plan.repository {
        Some(repo) => format!(
            "owner {}, repository {}, workflow {}, environment {}",
            repo.owner,
            repo.name,
            plan.file,
            pipeline::ENVIRONMENT
        ),
        None => format!(
            "your GitHub owner and repository, workflow {}, environment {}",
            plan.file,
            pipeline::ENVIRONMENT
        ),
    };
    format!(
        "wrote {shown}: {starts} runs job gate (relgate check), then build (sdist and wheel), then publish (PyPI, trusted publishing)\n\
         next:\n  \
         1. register the trusted publisher on PyPI: {publisher}{pages}\n  \
         2. relgate github protect: only release tags may deploy to environment {env}\n  \
         3. commit {shown}; relgate check gates it with the next release (publish-workflow)\n",
        env = pipeline::ENVIRONMENT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_file_names() {
        assert_eq!(file_stem("release").unwrap(), "release");
        assert_eq!(file_stem("publish.yml").unwrap(), "publish");
        assert_eq!(file_stem("pypi.yaml").unwrap(), "pypi");
        for bad in ["", "../x", "a/b", ".hidden", "a b", "x\n"] {
            assert!(file_stem(bad).is_err(), "{bad:?}");
        }
    }
}

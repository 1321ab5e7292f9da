//! `relgate version`: the declared version, where it comes from, and the tag it expects.

use serde::Serialize;

use crate::Exit;
use crate::cli::{Format, VersionArgs};
use crate::commands::Output;
use crate::output::{self, outln};
use crate::release::Release;

/// The `relgate version --format json` document.
#[derive(Serialize)]
struct VersionDoc {
    name: Option<String>,
    version: Option<String>,
    version_source: &'static str,
    file: Option<String>,
    line: Option<u32>,
    expected_tag: Option<String>,
}

pub fn run(args: &VersionArgs, out: Output) -> anyhow::Result<Exit> {
    let release = Release::open(&args.project)?;
    // The working tree, which is what the next tag will release; or, with --tag, what that tag released.
    let tag = args
        .tag
        .as_deref()
        .map(|name| release.explicit_tag(name))
        .transpose()?;
    let declared = release.declared(tag.as_ref().map(|t| (t.commit, t.name.as_str())))?;
    let tags = release.repo.tag_refs()?;
    // A version from git tags is the tag's, when a release tag is given.
    let from_tag = tag
        .as_ref()
        .filter(|_| declared.version.is_none())
        .and_then(|t| t.version.as_ref().map(|v| (v.to_string(), t.name.clone())));
    let doc = VersionDoc {
        expected_tag: match &from_tag {
            Some((_, name)) => Some(name.clone()),
            None => declared
                .version
                .as_deref()
                .map(|v| release.format.expected_following(v, &tags)),
        },
        name: declared.name,
        version: declared
            .version
            .or_else(|| from_tag.as_ref().map(|(v, _)| v.clone())),
        version_source: declared.source.as_str(),
        file: declared.file,
        line: declared.line,
    };
    if out.format == Format::Json {
        output::json(&doc)?;
        return Ok(Exit::Pass);
    }
    let name = doc.name.as_deref().unwrap_or("(unnamed project)");
    let at = match (&doc.file, doc.line) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.clone(),
        _ => String::new(),
    };
    let tool = declared.vcs_tool.as_deref().unwrap_or("a VCS plugin");
    match (&doc.version, &doc.expected_tag) {
        (Some(version), Some(tag)) if from_tag.is_some() => {
            outln!("{name} {version}");
            outln!("  source:       vcs (tag {tag}; {tool} derives the version from git tags)");
        }
        (Some(version), Some(tag)) => {
            outln!("{name} {version}");
            outln!("  source:       {} ({at})", doc.version_source);
            outln!("  expected tag: {tag}");
        }
        _ => {
            outln!("{name}: the version comes from git tags ({tool})");
            outln!("  source:       vcs");
            outln!(
                "  expected tag: any release tag matching {}",
                release.format.describe()
            );
        }
    }
    Ok(Exit::Pass)
}

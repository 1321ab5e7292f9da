//! `relgate version`: the declared version, where it comes from, and the tag it expects.

use serde::Serialize;

use crate::Exit;
use crate::cli::{Format, ProjectArgs};
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

pub fn run(args: &ProjectArgs, out: Output) -> anyhow::Result<Exit> {
    let release = Release::open(args)?;
    // The working tree: this is what the next tag will release.
    let declared = release.declared(None)?;
    let doc = VersionDoc {
        expected_tag: declared
            .version
            .as_deref()
            .map(|v| release.format.expected(v)),
        name: declared.name,
        version: declared.version,
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
    match (&doc.version, &doc.expected_tag) {
        (Some(version), Some(tag)) => {
            outln!("{name} {version}");
            outln!("  source:       {} ({at})", doc.version_source);
            outln!("  expected tag: {tag}");
        }
        _ => {
            let tool = declared.vcs_tool.as_deref().unwrap_or("a VCS plugin");
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

//! `relgate checks` and `relgate check --list`: what a run would do, with the resolved commands, without
//! running anything.

use serde::Serialize;

use crate::Exit;
use crate::cli::{CheckArgs, Format};
use crate::commands::Output;
use crate::gates::quality::{self, PlannedCheck};
use crate::gates::{GateContext, Selection, build, custom, metadata, publish};
use crate::outcome::Kind;
use crate::release::Release;
use crate::shell;

/// One listed check (the `--format json` document is an array of these).
#[derive(Debug, Serialize)]
struct Listed {
    name: String,
    kind: Kind,
    /// The resolved argument vector, for checks that run a command.
    command: Option<Vec<String>>,
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executable: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_s: Option<f64>,
    /// Why the check cannot run as things are (a missing tool), and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ListedError>,
    /// A check relgate detected: shown with its version, environment and reason.
    #[serde(skip)]
    detected: bool,
}

#[derive(Debug, Serialize)]
struct ListedError {
    message: String,
    hint: String,
}

pub fn run(args: &CheckArgs, out: Output) -> anyhow::Result<Exit> {
    let release = Release::open(&args.project)?;
    let head = match args.commit {
        Some(commit) => commit,
        None => release.require_head()?,
    };
    let selection = Selection::new(args, &release.config);
    let tag = match &args.tag {
        Some(name) => Some(match args.commit {
            Some(commit) => release.pinned_tag(name, commit),
            None => release.explicit_tag(name)?,
        }),
        None => release
            .tags_at(&release.repo.tag_refs()?, head)
            .into_iter()
            .next(),
    };
    let (workspace, info) = if selection.needs_files() {
        let (workspace, info, _) =
            super::check::prepare_workspace(&release, tag.as_ref(), head, args.commit)?;
        (workspace, info)
    } else {
        (
            None,
            crate::report::WorkspaceInfo {
                mode: "none",
                note: None,
            },
        )
    };
    let declared = release
        .declared(tag.as_ref().map(|t| (t.commit, t.name.as_str())))
        .ok();
    let ctx = GateContext {
        config: &release.config,
        local_project_dir: &release.project_dir,
        git_common_dir: release.repo.common_dir(),
        workspace: workspace.as_ref(),
        name: declared.as_ref().and_then(|d| d.name.as_deref()),
        version: None,
    };
    let planned = quality::plan(&ctx, &selection)?;
    let custom = custom::plan(&release.config)?;

    let fixed = |name: &str, kind: Kind, why: &str| Listed {
        name: name.to_owned(),
        kind,
        command: None,
        reason: why.to_owned(),
        version: None,
        executable: None,
        environment: None,
        required: release
            .config
            .checks
            .get(name)
            .and_then(|c| c.required)
            .unwrap_or(true),
        timeout_s: None,
        error: None,
        detected: false,
    };
    let mut rows = vec![
        fixed(
            "version",
            Kind::Version,
            "the tag names the declared version",
        ),
        fixed(
            "version-order",
            Kind::Version,
            "newer than every release tag in its history",
        ),
        fixed(
            "version-uploadable",
            Kind::Version,
            "no local or .dev version",
        ),
        fixed(
            "index",
            Kind::Index,
            "the version is new on the package index",
        ),
    ];
    rows.extend(planned.iter().map(listed));
    rows.extend([
        fixed(
            publish::WORKFLOW_CHECK,
            Kind::Publish,
            "the workflow that uploads to the index can authenticate",
        ),
        fixed(
            publish::TOOLS_CHECK,
            Kind::Publish,
            "the release workflow runs no quality tool the local gate skips",
        ),
        fixed(
            metadata::CHECK,
            Kind::Publish,
            "name, version, readme, license and requires-python are uploadable",
        ),
        fixed(
            build::CHECK,
            Kind::Build,
            "the built sdist and wheel carry the release's version",
        ),
    ]);
    rows.extend(custom.iter().map(|c| Listed {
        name: c.name.clone(),
        kind: c.kind,
        command: Some(c.run.clone()),
        reason: format!("configured in {}", release.config.locate_check(&c.name)),
        version: None,
        executable: None,
        environment: None,
        required: c.required,
        timeout_s: Some(c.timeout.as_secs_f64()),
        error: None,
        detected: false,
    }));
    rows.retain(|r| selection.check(&r.name, r.kind));

    if out.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(Exit::Pass);
    }
    if let Some(note) = info
        .note
        .filter(|_| info.mode == "export" || info.mode == "refused")
    {
        println!("workspace: {note}");
    }
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(18) + 2;
    let indent = " ".repeat(width + 10);
    for row in &rows {
        let first = match (&row.error, &row.command) {
            (Some(e), _) => format!("cannot run: {}", e.message),
            (None, Some(command)) if row.detected => {
                shown_command(row.executable.as_deref(), command)
            }
            (None, Some(command)) => crate::process::display(command),
            (None, None) => row.reason.clone(),
        };
        println!("{:<width$} {:<8} {first}", row.name, row.kind.as_str());
        if !row.detected {
            continue;
        }
        let mut about = Vec::new();
        about.push(match (&row.version, &row.executable) {
            (Some(v), _) => format!("{} {v}", program(row)),
            (None, Some(_)) => "version unknown".to_owned(),
            (None, None) => "not installed".to_owned(),
        });
        if let Some(env) = &row.environment {
            about.push(format!("from {env}"));
        }
        if !row.required {
            about.push("optional".into());
        }
        println!("{indent}{}", about.join(" · "));
        println!("{indent}why: {}", row.reason);
        if let Some(e) = &row.error {
            println!("{indent}{}", e.hint);
        }
    }
    Ok(Exit::Pass)
}

fn listed(check: &PlannedCheck) -> Listed {
    let reason = match &check.note {
        Some(note) => format!("{}; {note}", check.reason),
        None => check.reason.clone(),
    };
    Listed {
        name: check.name.clone(),
        kind: check.kind,
        command: Some(check.display_argv()),
        reason,
        version: check.version.clone(),
        executable: check.executable.clone(),
        environment: Some(check.environment.clone()),
        required: check.required,
        timeout_s: Some(check.timeout.as_secs_f64()),
        error: check
            .unavailable
            .as_ref()
            .map(|(message, hint)| ListedError {
                message: message.clone(),
                hint: hint.clone(),
            }),
        detected: true,
    }
}

/// The command as a shell line, the executable shown as the report shows it.
fn shown_command(executable: Option<&str>, argv: &[String]) -> String {
    let mut words: Vec<String> = Vec::with_capacity(argv.len());
    words.push(executable.map_or_else(|| shell::quote(&argv[0]), shell::quote));
    words.extend(argv[1..].iter().map(|w| {
        if w.ends_with("<temp file>") {
            w.clone()
        } else {
            shell::quote(w)
        }
    }));
    words.join(" ")
}

fn program(row: &Listed) -> String {
    quality::Tool::from_name(&row.name).map_or_else(|| row.name.clone(), |t| t.program().to_owned())
}

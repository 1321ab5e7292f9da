//! `relgate checks` and `relgate check --list`: what a run would do, with the resolved commands, without
//! running anything.

use serde::Serialize;

use super::check::{Request, Session};
use crate::cli::{Format, SelectArgs};
use crate::commands::Output;
use crate::gates::plan::Planned;
use crate::gates::quality::PlannedCheck;
use crate::gates::registry::Work;
use crate::gates::{index, version_tags};
use crate::outcome::{Exit, Kind};
use crate::output::{self, Text};
use crate::report::{WorkspaceInfo, WorkspaceMode};
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

pub fn run(select: &SelectArgs, out: Output) -> anyhow::Result<Exit> {
    let request = Request::from(select);
    let session = Session::open(&request)?;
    let ctx = session.context(None);
    let plan = session.plan(&ctx)?;
    let config = &session.release.config;
    let index = index::settings(request.index_url.as_deref(), request.offline, config);
    let several_tags =
        version_tags::check(session.target.tag.as_ref(), &session.target.others).is_some();
    let mut rows: Vec<Listed> = Vec::new();
    for planned in plan.checks() {
        rows.push(match planned {
            Planned::BuiltIn(check, _) if check.name == "version-tags" && !several_tags => continue,
            Planned::BuiltIn(check, settings) => {
                let reason = match check.work {
                    Work::Index if !index.asks() => index_not_asked(request.offline),
                    Work::Github if request.offline => "not asked: --offline".to_owned(),
                    _ => check.about.to_owned(),
                };
                Listed {
                    name: check.name.to_owned(),
                    kind: check.kind,
                    command: None,
                    reason,
                    version: None,
                    executable: None,
                    environment: None,
                    required: settings.required,
                    timeout_s: check.timed.then_some(settings.timeout.as_secs_f64()),
                    error: None,
                    detected: false,
                }
            }
            Planned::Tool(check) => listed(check),
            Planned::Custom(check) => Listed {
                name: check.name.clone(),
                kind: check.kind,
                command: Some(check.run.clone()),
                reason: format!("configured in {}", config.locate_check(&check.name)),
                version: None,
                executable: None,
                environment: None,
                required: check.required,
                timeout_s: Some(check.timeout.as_secs_f64()),
                error: None,
                detected: false,
            },
        });
    }

    if out.format == Format::Json {
        output::json(&rows)?;
        return Ok(Exit::Pass);
    }
    output::out(&render(&rows, &session.prepared.info));
    Ok(Exit::Pass)
}

/// Why the index is listed but will not be asked.
fn index_not_asked(offline: bool) -> String {
    if offline {
        "not asked: --offline".to_owned()
    } else {
        "not asked: index = \"off\" in [tool.relgate]".to_owned()
    }
}

/// The human listing: a line per check (name, kind, command or what it asks), and for a detected tool its
/// version, environment and why it runs.
fn render(rows: &[Listed], workspace: &WorkspaceInfo) -> Text {
    let mut text = Text::new();
    if let Some(note) = workspace.note.as_deref().filter(|_| {
        matches!(
            workspace.mode,
            WorkspaceMode::Export | WorkspaceMode::Refused
        )
    }) {
        text.line(format!("workspace: {note}"));
    }
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(18)
        + 2;
    let indent = " ".repeat(width + 10);
    for row in rows {
        let first = match (&row.error, &row.command) {
            (Some(e), _) => format!("cannot run: {}", e.message),
            (None, Some(command)) if row.detected => {
                shown_command(row.executable.as_deref(), command)
            }
            (None, Some(command)) => crate::process::display(command),
            (None, None) => row.reason.clone(),
        };
        text.line(format!(
            "{:<width$} {:<8} {first}",
            row.name,
            row.kind.as_str()
        ));
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
        text.line(format!("{indent}{}", about.join(" · ")));
        text.line(format!("{indent}why: {}", row.reason));
        if let Some(e) = &row.error {
            text.line(format!("{indent}{}", e.hint));
        }
    }
    text
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
    crate::tools::by_name(&row.name).map_or_else(|| row.name.clone(), |t| t.program.to_owned())
}

//! `relgate ci compare GOOD BAD`: reads the two runs (logs in any form, or runs through the API), finds each
//! run's workflow file at its commit in the local repository (to name the `if:` that skipped a step), compares
//! and prints.

use std::path::{Path, PathBuf};

use super::{WITHOUT_GITHUB, api_error, api_job, resolve_repo};
use crate::Exit;
use crate::cli::{CompareArgs, Format};
use crate::commands::Output;
use crate::error::hinted;
use crate::forensics::compare::{self, ApiRun, Side};
use crate::forensics::{Form, RunLog, input};
use crate::gates::publish::{self, DeclaredWorkflow};
use crate::git::{self, Repo};
use crate::github::{ApiError, Client, RepoName};

/// Jobs of one run downloaded at most.
const MAX_JOBS: usize = 50;
/// A workflow file larger than this is not read.
const MAX_WORKFLOW: usize = 1 << 20;
/// Workflow files of one commit read at most, looking for the run's.
const MAX_WORKFLOWS: usize = 100;

/// Where one side comes from.
enum Source {
    Path(PathBuf),
    Stdin,
    Run(u64),
}

/// Exit 0 when the bad run's failure was explained, 1 when the bad run holds no failed step.
pub fn run(args: &CompareArgs, out: Output) -> anyhow::Result<Exit> {
    let (good, bad) = sources(args)?;
    let mut api = None;
    let mut notes = Vec::new();
    let mut read = |source: &Source, which: &str| -> anyhow::Result<(RunLog, Option<ApiRun>)> {
        match source {
            Source::Path(path) => Ok((input::read_path(path)?, None)),
            Source::Stdin => Ok((input::read_stdin()?, None)),
            Source::Run(id) => {
                let (client, repo) = match &mut api {
                    Some(connected) => connected,
                    slot @ None => slot.insert(connect(args, *id)?),
                };
                download(client, repo, *id, which, &mut notes)
            }
        }
    };
    let (good_log, good_api) = read(&good, "good")?;
    let (bad_log, bad_api) = read(&bad, "bad")?;
    let cwd = std::env::current_dir()?;
    let repo = Repo::discover(&cwd).ok();
    let good_side = side(&good_log, good_api, repo.as_ref(), "good", &mut notes);
    let bad_side = side(&bad_log, bad_api, repo.as_ref(), "bad", &mut notes);
    let mut comparison = compare::compare(&good_side, &bad_side);
    for note in notes {
        if !comparison.notes.contains(&note) {
            comparison.notes.push(note);
        }
    }
    if out.format == Format::Json {
        crate::output::json(&compare::render::document(&comparison))?;
    } else {
        crate::output::out(&compare::render::human(&comparison, out.quiet));
    }
    Ok(if comparison.failures.is_empty() {
        Exit::Fail
    } else {
        Exit::Pass
    })
}

/// The good and the bad side from the positional logs and `--good-run`/`--bad-run`.
fn sources(args: &CompareArgs) -> anyhow::Result<(Source, Source)> {
    let mut logs = args.logs.iter().map(|p| {
        if p == Path::new("-") {
            Source::Stdin
        } else {
            Source::Path(p.clone())
        }
    });
    let wanted = 2 - usize::from(args.good_run.is_some()) - usize::from(args.bad_run.is_some());
    if args.logs.len() != wanted {
        return Err(hinted(
            format!(
                "ci compare needs two runs, the good one first; got {} log(s){}{}",
                args.logs.len(),
                if args.good_run.is_some() {
                    " and --good-run"
                } else {
                    ""
                },
                if args.bad_run.is_some() {
                    " and --bad-run"
                } else {
                    ""
                },
            ),
            "e.g. `relgate ci compare manual-run.log release-run.log`, or `relgate ci compare --good-run 123 --bad-run 456`",
        ));
    }
    if args.logs.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(hinted(
            "only one of the two logs can come from stdin (`-`)",
            "save one of them to a file first, e.g. `gh run view 123 --log > good.log`",
        ));
    }
    let good = match args.good_run {
        Some(id) => Source::Run(id),
        None => logs.next().ok_or_else(|| missing("good"))?,
    };
    let bad = match args.bad_run {
        Some(id) => Source::Run(id),
        None => logs.next().ok_or_else(|| missing("bad"))?,
    };
    Ok((good, bad))
}

fn missing(which: &str) -> anyhow::Error {
    hinted(
        format!("no log for the {which} run"),
        "pass two logs, the good one first, or --good-run/--bad-run",
    )
}

fn connect(args: &CompareArgs, id: u64) -> anyhow::Result<(Client, RepoName)> {
    let repo = resolve_repo(args.repo.as_deref(), &args.api_url)?;
    let hint = another_way(id);
    let client = Client::from_env(&args.api_url).map_err(|e| api_error(&e, &hint))?;
    Ok((client, repo))
}

fn another_way(id: u64) -> String {
    format!("get the log another way: `gh run view {id} --log > run-{id}.log`, then pass that file")
}

/// Every job of run `id`, each with its log (a job whose log cannot be had is kept, without steps, and noted).
fn download(
    client: &Client,
    repo: &RepoName,
    id: u64,
    which: &str,
    notes: &mut Vec<String>,
) -> anyhow::Result<(RunLog, Option<ApiRun>)> {
    let hint = another_way(id);
    let fail = |e: ApiError| api_error(&e, &hint);
    let run = client.run(repo, id).map_err(fail)?;
    let jobs = client.jobs(repo, id).map_err(fail)?;
    let mut log_jobs = Vec::new();
    for job in jobs.iter().take(MAX_JOBS) {
        let skipped = job.conclusion.as_deref() == Some("skipped");
        let parsed = if skipped {
            None
        } else {
            let why = match client.job_log(repo, job) {
                Ok(bytes) => {
                    match input::read_bytes(bytes, &format!("the log of job \"{}\"", job.name)) {
                        Ok(log) => Ok(log.jobs.into_iter().next()),
                        Err(e) => Err(e.to_string()),
                    }
                }
                Err(e @ (ApiError::NotFound { .. } | ApiError::Gone { .. })) => {
                    Err(format!("{e}; {WITHOUT_GITHUB}"))
                }
                Err(e) => return Err(fail(e)),
            };
            why.unwrap_or_else(|why| {
                notes.push(format!(
                    "the {which} run's job \"{}\" has no readable log ({why}): its steps are compared from the API's list only",
                    job.name
                ));
                None
            })
        };
        log_jobs.push(api_job(parsed.unwrap_or_default(), job));
    }
    let api = ApiRun {
        event: run.event.clone(),
        path: run.path.clone(),
        head_sha: Some(run.head_sha.clone()),
    };
    let log = RunLog {
        form: Form::Api,
        source: format!("run {id} of {repo}"),
        run_id: Some(id),
        event: Some(run.event),
        workflow: run.name,
        jobs: log_jobs,
    };
    Ok((log, Some(api)))
}

/// A side, with the workflow file at its commit when the local repository has it.
fn side<'a>(
    log: &'a RunLog,
    api: Option<ApiRun>,
    repo: Option<&Repo>,
    which: &str,
    notes: &mut Vec<String>,
) -> Side<'a> {
    let commit = api
        .as_ref()
        .and_then(|a| a.head_sha.clone())
        .or_else(|| fact(log, |f| f.checkout_commit.clone()));
    let path = api.as_ref().and_then(|a| a.path.clone()).or_else(|| {
        fact(log, |f| {
            f.claims
                .iter()
                .find(|(k, _)| k == "job_workflow_ref")
                .and_then(|(_, v)| compare::workflow_path(v))
        })
    });
    let workflow = match (repo, &commit) {
        (Some(repo), Some(commit)) => workflow_at(repo, commit, path.as_deref(), log, which, notes),
        (None, Some(_)) => {
            notes.push(
                "not in a git repository: the runs' workflow files cannot be read to name the conditions that skipped steps".into(),
            );
            None
        }
        (_, None) => None,
    };
    Side {
        log,
        api,
        workflow_read_at: workflow.as_ref().and(commit),
        workflow,
    }
}

/// The first fact of the run's steps that `get` finds.
fn fact<T>(log: &RunLog, get: impl Fn(&crate::forensics::facts::Facts) -> Option<T>) -> Option<T> {
    log.jobs
        .iter()
        .flat_map(|j| j.steps.iter())
        .find_map(|s| get(&s.facts))
}

/// The run's workflow file at `commit`: `path` when known, else the file whose jobs' steps match the log's.
fn workflow_at(
    repo: &Repo,
    commit: &str,
    path: Option<&str>,
    log: &RunLog,
    which: &str,
    notes: &mut Vec<String>,
) -> Option<DeclaredWorkflow> {
    let short: String = commit.chars().take(7).collect();
    let id = git::parse_id(commit).and_then(|id| repo.peel_to_commit(id).ok().flatten());
    let Some(id) = id else {
        notes.push(format!(
            "the {which} run's commit {short} is not in the local repository: fetch it (`git fetch origin {commit}`) to name the conditions that skipped steps"
        ));
        return None;
    };
    let read = |file: &str| -> Option<Result<DeclaredWorkflow, String>> {
        let bytes = crate::files::read_in_tree(repo, id, Path::new(file))
            .ok()
            .flatten()?;
        if bytes.len() > MAX_WORKFLOW {
            return Some(Err(format!("larger than {MAX_WORKFLOW} bytes")));
        }
        Some(publish::declare(file, &String::from_utf8_lossy(&bytes)))
    };
    if let Some(file) = path {
        return match read(file) {
            Some(Ok(w)) => Some(w),
            Some(Err(why)) => {
                notes.push(format!(
                    "{file} at {short} is not a workflow relgate can read: {why}"
                ));
                None
            }
            None => {
                notes.push(format!(
                    "{file} is not in the commit {short} of the {which} run"
                ));
                None
            }
        };
    }
    let names = repo
        .list_dir(id, Path::new(".github/workflows"))
        .ok()
        .flatten()
        .unwrap_or_default();
    let mut best: Option<(usize, DeclaredWorkflow)> = None;
    for (name, is_dir) in names.into_iter().take(MAX_WORKFLOWS) {
        let yaml = Path::new(&name)
            .extension()
            .is_some_and(|e| e == "yml" || e == "yaml");
        if is_dir || !yaml {
            continue;
        }
        let Some(Ok(w)) = read(&format!(".github/workflows/{name}")) else {
            continue;
        };
        let score = matching_steps(&w, log);
        if score > 0 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, w));
        }
    }
    best.map(|(_, w)| w)
}

/// How many of the log's steps the workflow's matching jobs declare.
fn matching_steps(w: &DeclaredWorkflow, log: &RunLog) -> usize {
    log.jobs
        .iter()
        .map(|job| {
            let name = crate::forensics::job_label(job);
            let Some(declared) = w.jobs.iter().find(|d| d.is(&name)).or_else(|| {
                // A single job's log may not name its job: any job of the file.
                (job.name.is_none()).then(|| w.jobs.first()).flatten()
            }) else {
                return 0;
            };
            job.steps
                .iter()
                .filter(|s| {
                    declared.steps.iter().any(|d| {
                        d.is(&s.name) || s.header().is_some_and(|h| d.is(&format!("Run {}", h.run)))
                    })
                })
                .count()
        })
        .sum()
}

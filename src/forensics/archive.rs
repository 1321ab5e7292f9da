//! The run's logs archive, as GitHub serves it (`logs_<run id>.zip`): a folder per job holding a file per step
//! (`build/3_Run ruff check .txt`), and at the top level one file per job with the whole job's log
//! (`0_build.txt`; a negative number in archives from the old service). Job names lose `/` and `:` and are
//! cut at 90 characters; per-step files are sometimes missing, and then the whole-job log is cut into steps.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use super::input::{Bounded, TooLarge, each_line, too_large};
use super::job::{Job, JobReader, Step};
use super::line::has_timestamp;
use super::{Form, RunLog};
use crate::error::hinted;

/// Bytes read of one entry at most (a hostile archive may claim any size, and inflating it takes time); a
/// larger entry is an error, never read in part.
pub const MAX_ENTRY: u64 = 512 << 20;

/// For an entry over the bound: the failed steps alone are much smaller.
const TOO_LARGE_HINT: &str = "pass the failed steps' log alone: `gh run view RUN_ID --log-failed > log.txt`, then `relgate ci explain log.txt`";

const ARCHIVE_HINT: &str = "pass the run's logs archive as GitHub serves it (the run page's \"Download log archive\", or `gh api repos/OWNER/NAME/actions/runs/RUN_ID/logs > logs.zip`), or a job's log";

/// Read a zip archive, each entry up to `max_entry` bytes ([`MAX_ENTRY`]).
pub fn read(reader: impl Read + Seek, shown: &str, max_entry: u64) -> anyhow::Result<RunLog> {
    let zip = ZipArchive::new(reader).map_err(|e| {
        hinted(
            format!("{shown} is not a readable zip archive: {e}"),
            ARCHIVE_HINT,
        )
    })?;
    let mut archive = Archive {
        store: Store::Zip(zip),
        max_entry,
    };
    read_from(&mut archive, shown, "a zip archive")
}

/// Read an unpacked archive: a directory in the archive's layout, each file up to `max_entry` bytes.
pub fn read_dir(dir: &Path, shown: &str, max_entry: u64) -> anyhow::Result<RunLog> {
    let mut names = Vec::new();
    let listing = |d: &Path| {
        std::fs::read_dir(d).map_err(|e| hinted(format!("cannot read {shown}: {e}"), ARCHIVE_HINT))
    };
    for entry in listing(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            for inner in listing(&entry.path())?.flatten() {
                names.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
            }
        } else {
            names.push(name);
        }
    }
    names.sort();
    let mut archive = Archive::<std::fs::File> {
        store: Store::Dir {
            root: dir.to_path_buf(),
            names,
        },
        max_entry,
    };
    read_from(&mut archive, shown, "a directory")
}

/// An archive, zipped or unpacked, and the most read of one entry.
struct Archive<R> {
    store: Store<R>,
    max_entry: u64,
}

enum Store<R> {
    Zip(ZipArchive<R>),
    Dir { root: PathBuf, names: Vec<String> },
}

impl<R: Read + Seek> Archive<R> {
    fn names(&self) -> Vec<String> {
        match &self.store {
            Store::Zip(zip) => (0..zip.len())
                .filter_map(|i| {
                    zip.name_for_index(i)?
                        .ok()
                        .map(std::borrow::Cow::into_owned)
                })
                .collect(),
            Store::Dir { names, .. } => names.clone(),
        }
    }

    /// Stream an entry (bounded) to `read`, telling it whether the entry starts with a timestamp.
    fn with_entry(
        &mut self,
        name: &str,
        shown: &str,
        read: impl FnOnce(bool, &mut dyn Read) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let max = self.max_entry;
        let fail = |e: &std::io::Error| match TooLarge::limit_of(e) {
            Some(limit) => too_large(&format!("{name} in {shown}"), limit, TOO_LARGE_HINT),
            None => hinted(format!("cannot read {name} in {shown}: {e}"), ARCHIVE_HINT),
        };
        let too_large_now = || fail(&std::io::Error::other(TooLarge(max)));
        // The size the archive declares refuses an honest large entry at once; the bounded reader catches one
        // that lies.
        let inner: Box<dyn Read + '_> = match &mut self.store {
            Store::Zip(zip) => {
                let entry = zip.by_name(name).map_err(|e| fail(&e.into()))?;
                if entry.size() > max {
                    return Err(too_large_now());
                }
                Box::new(entry)
            }
            Store::Dir { root, .. } => {
                let file = std::fs::File::open(root.join(name)).map_err(|e| fail(&e))?;
                if file.metadata().is_ok_and(|m| m.len() > max) {
                    return Err(too_large_now());
                }
                Box::new(file)
            }
        };
        let mut reader = BufReader::new(Bounded::new(inner, max));
        let head = reader.fill_buf().map_err(|e| fail(&e))?;
        let first = String::from_utf8_lossy(&head[..head.len().min(256)]).into_owned();
        let timestamped = head.is_empty() || has_timestamp(&first);
        read(timestamped, &mut reader).map_err(|e| fail(&e))
    }
}

fn read_from<R: Read + Seek>(
    archive: &mut Archive<R>,
    shown: &str,
    what: &str,
) -> anyhow::Result<RunLog> {
    // job folder (or whole-log name) -> (ordinal, whole-job entry, step entries by number)
    let mut jobs: BTreeMap<String, Entries> = BTreeMap::new();
    let mut others = Vec::new();
    for name in archive.names() {
        match layout(&name) {
            Some(Layout::Job { ordinal, job }) => {
                let entry = jobs.entry(job).or_default();
                entry.ordinal = Some(ordinal);
                entry.whole = Some(name);
            }
            Some(Layout::Step { job, number, step }) => {
                jobs.entry(job)
                    .or_default()
                    .steps
                    .push((number, step, name));
            }
            None => {
                if !name.ends_with('/') && !name.ends_with("/system.txt") {
                    others.push(name);
                }
            }
        }
    }
    if jobs.is_empty() {
        let listed: Vec<&str> = others.iter().take(5).map(String::as_str).collect();
        let more = if others.len() > 5 { ", ..." } else { "" };
        let holds = if listed.is_empty() {
            "nothing".to_string()
        } else {
            listed.join(", ")
        };
        return Err(hinted(
            format!(
                "{shown} is {what}, but not in GitHub's logs archive layout: no `<N>_<job>.txt` or `<job>/<N>_<step>.txt` (it holds {holds}{more})"
            ),
            ARCHIVE_HINT,
        ));
    }
    let mut ordered: Vec<(String, Entries)> = jobs.into_iter().collect();
    ordered.sort_by_key(|(name, e)| (e.ordinal.unwrap_or(i64::MAX), name.clone()));
    let mut out = Vec::new();
    for (folder, mut entries) in ordered {
        let job = if entries.steps.is_empty() {
            match &entries.whole {
                Some(name) => whole_job(archive, name, shown)?,
                None => continue,
            }
        } else {
            entries.steps.sort_by_key(|(n, _, _)| *n);
            let mut job = Job::default();
            for (number, step, name) in &entries.steps {
                let (job_name, steps) = step_file(archive, name, step, *number, shown)?;
                if job.name.is_none() {
                    job.name = job_name;
                }
                job.steps.extend(steps);
            }
            job
        };
        out.push(Job {
            name: job.name.or(Some(folder)),
            ..job
        });
    }
    Ok(RunLog {
        form: Form::LogsZip,
        source: shown.to_string(),
        run_id: None,
        event: None,
        workflow: None,
        jobs: out,
    })
}

#[derive(Default)]
struct Entries {
    ordinal: Option<i64>,
    whole: Option<String>,
    /// (step number, step name, entry name)
    steps: Vec<(u32, String, String)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Layout {
    Job {
        ordinal: i64,
        job: String,
    },
    Step {
        job: String,
        number: u32,
        step: String,
    },
}

/// `0_build.txt`, `-9999999999_build.txt` -> a whole-job log; `build/3_Run ruff check .txt` -> a step.
fn layout(name: &str) -> Option<Layout> {
    let stem = name.strip_suffix(".txt")?;
    match stem.split_once('/') {
        None => {
            let (number, job) = stem.split_once('_')?;
            let ordinal = number.parse().ok()?;
            Some(Layout::Job {
                ordinal,
                job: job.to_string(),
            })
        }
        Some((job, file)) if !file.contains('/') => {
            let (number, step_name) = file.split_once('_')?;
            Some(Layout::Step {
                job: job.to_string(),
                number: number.parse().ok()?,
                step: step_name.to_string(),
            })
        }
        Some(_) => None,
    }
}

fn whole_job<R: Read + Seek>(
    archive: &mut Archive<R>,
    entry: &str,
    shown: &str,
) -> anyhow::Result<Job> {
    let mut result = None;
    archive.with_entry(entry, shown, |timestamped, reader| {
        let mut job = JobReader::whole_job(timestamped, false);
        each_line(reader, |line| job.push(line))?;
        result = Some(job.finish());
        Ok(())
    })?;
    let (name, steps) = result.unwrap_or_default();
    Ok(Job {
        name,
        steps,
        ..Job::default()
    })
}

fn step_file<R: Read + Seek>(
    archive: &mut Archive<R>,
    entry: &str,
    name: &str,
    number: u32,
    shown: &str,
) -> anyhow::Result<(Option<String>, Vec<Step>)> {
    let mut result = None;
    archive.with_entry(entry, shown, |timestamped, reader| {
        let mut step = JobReader::single_step(name, Some(number), timestamped);
        each_line(reader, |line| step.push(line))?;
        result = Some(step.finish());
        Ok(())
    })?;
    let (job_name, mut steps) = result.unwrap_or_default();
    for step in &mut steps {
        // The file name lost the `/` of `Run actions/checkout@v4`: the step's header still has it.
        let full = step.header().map(|h| format!("Run {}", h.run));
        if let Some(full) = full {
            if full.replace(['/', ':'], "") == step.name {
                step.name = full;
            }
        }
    }
    Ok((job_name, steps))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write as _};

    use super::*;

    const JOB: &str = "2025-01-01T00:00:00.0000000Z ##[group]Run pytest\n\
        2025-01-01T00:00:01.0000000Z ##[endgroup]\n\
        2025-01-01T00:00:02.0000000Z ##[error]Process completed with exit code 1.\n";

    /// An entry over the bound is an error naming it, in a zip (its declared size) and unpacked (its file's);
    /// never a log read in part, which could answer "no failed step".
    #[test]
    fn an_entry_over_the_bound_is_an_error() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("build/1_Run pytest.txt", options).unwrap();
        zip.write_all(JOB.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let len = JOB.len() as u64;
        let log = read(Cursor::new(bytes.clone()), "logs.zip", len).unwrap();
        assert_eq!(log.jobs.len(), 1);
        let err = read(Cursor::new(bytes), "logs.zip", len - 1).unwrap_err();
        let message = format!(
            "build/1_Run pytest.txt in logs.zip is larger than {} bytes, more than relgate reads: a log cut there \
             could hide the failure, so there is no answer rather than a wrong one",
            len - 1
        );
        assert_eq!(err.to_string(), message);
        assert_eq!(crate::error::hint_of(&err), Some(TOO_LARGE_HINT));

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("build")).unwrap();
        std::fs::write(dir.path().join("build/1_Run pytest.txt"), JOB).unwrap();
        assert!(read_dir(dir.path(), "logs", len).is_ok());
        let err = read_dir(dir.path(), "logs", len - 1).unwrap_err();
        assert_eq!(err.to_string(), message.replace("logs.zip", "logs"));
    }

    #[test]
    fn github_layout() {
        assert_eq!(
            layout("0_build.txt"),
            Some(Layout::Job {
                ordinal: 0,
                job: "build".into()
            })
        );
        assert_eq!(
            layout("-2147483648_test (3.12, ubuntu-latest).txt"),
            Some(Layout::Job {
                ordinal: -2_147_483_648,
                job: "test (3.12, ubuntu-latest)".into()
            })
        );
        assert_eq!(
            layout("build/3_Run ruff check ..txt"),
            Some(Layout::Step {
                job: "build".into(),
                number: 3,
                step: "Run ruff check .".into()
            })
        );
        assert_eq!(layout("build/system.txt"), None);
        assert_eq!(layout("src/main.py"), None);
        assert_eq!(layout("README.txt"), None);
    }
}

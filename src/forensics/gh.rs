//! `gh run view --log-failed` (and `--log`): `<job>\t<step>\t<log line>` for every line of the failed steps,
//! each step's lines together. The step is `UNKNOWN STEP` when the archive gh read had no per-step files: the
//! whole job's log follows, cut into steps like any job log. A byte-order mark starts each step's first line.

use std::collections::HashMap;
use std::io::{self, Read};

use super::input::each_line;
use super::job::{Job, JobReader, kind_of};

/// Read the jobs, in the order gh printed them.
pub fn read(reader: impl Read) -> io::Result<Vec<Job>> {
    let mut jobs = Jobs::default();
    let mut current: Option<(String, String, JobReader)> = None;
    each_line(reader, |line| {
        let mut fields = line.splitn(3, '\t');
        let (Some(job), Some(step), Some(rest)) = (fields.next(), fields.next(), fields.next())
        else {
            // A line without gh's columns: part of the previous line (a message with a raw newline).
            if let Some((_, _, reader)) = &mut current {
                reader.push(line);
            }
            return;
        };
        let same = current
            .as_ref()
            .is_some_and(|(j, s, _)| j == job && s == step);
        if !same {
            if let Some((job_name, _, reader)) = current.take() {
                jobs.finish(job_name, reader);
            }
            let reader = if step == "UNKNOWN STEP" || step == "UNKNOWN" {
                JobReader::whole_job(true, false)
            } else {
                JobReader::single_step(step, None, true)
            };
            current = Some((job.to_string(), step.to_string(), reader));
        }
        if let Some((_, _, reader)) = &mut current {
            reader.push(rest);
        }
    })?;
    if let Some((job_name, _, reader)) = current.take() {
        jobs.finish(job_name, reader);
    }
    Ok(jobs.list)
}

/// The jobs in the order gh printed them, indexed by name: a job's steps may come in several runs of lines,
/// and a run with a hundred thousand jobs must not cost a search through all of them per step.
#[derive(Default)]
struct Jobs {
    list: Vec<Job>,
    by_name: HashMap<String, usize>,
}

impl Jobs {
    fn finish(&mut self, job_name: String, reader: JobReader) {
        let (_, steps) = reader.finish();
        let at = match self.by_name.get(&job_name) {
            Some(&at) => at,
            None => {
                self.list.push(Job {
                    name: Some(job_name.clone()),
                    ..Job::default()
                });
                self.by_name.insert(job_name, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let job = &mut self.list[at];
        for mut step in steps {
            step.kind = kind_of(&step.name);
            job.steps.push(step);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// Many jobs, and a job whose steps come in two separate runs of lines: each step under its job, the jobs in
    /// gh's order, and every job found through the index by name (not by a search through the list, which made
    /// 100,000 jobs cost minutes).
    #[test]
    fn jobs_are_indexed_by_name() {
        let mut log = String::new();
        for i in 0..2_000 {
            let _ = writeln!(
                log,
                "job {i}\tRun tests\t2024-01-15T10:00:00.1234567Z ##[group]Run pytest"
            );
        }
        log.push_str(
            "job 7\tBuild\t2024-01-15T10:00:02.1234567Z ##[error]Process completed with exit code 1.\n",
        );
        let list = read(log.as_bytes()).unwrap();
        assert_eq!(list.len(), 2_000);
        assert_eq!(list[1_999].name.as_deref(), Some("job 1999"));
        let steps: Vec<&str> = list[7].steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(steps, ["Run tests", "Build"]);

        let mut jobs = Jobs::default();
        for name in ["b", "a", "b"] {
            jobs.finish(name.into(), JobReader::single_step("step", None, true));
        }
        let names: Vec<_> = jobs.list.iter().map(|j| j.name.as_deref()).collect();
        assert_eq!(names, [Some("b"), Some("a")]);
        assert_eq!(
            jobs.by_name,
            HashMap::from([("b".into(), 0), ("a".into(), 1)])
        );
    }
}

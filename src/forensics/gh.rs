//! `gh run view --log-failed` (and `--log`): `<job>\t<step>\t<log line>` for every line of the failed steps,
//! each step's lines together. The step is `UNKNOWN STEP` when the archive gh read had no per-step files: the
//! whole job's log follows, cut into steps like any job log. A byte-order mark starts each step's first line.

use std::io::{self, Read};

use super::input::each_line;
use super::job::{Job, JobReader, kind_of};

/// Read the jobs, in the order gh printed them.
pub fn read(reader: impl Read) -> io::Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::new();
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
                finish(&mut jobs, job_name, reader);
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
        finish(&mut jobs, job_name, reader);
    }
    Ok(jobs)
}

fn finish(jobs: &mut Vec<Job>, job_name: String, reader: JobReader) {
    let (_, steps) = reader.finish();
    let job = match jobs
        .iter_mut()
        .position(|j| j.name.as_deref() == Some(&job_name))
    {
        Some(i) => &mut jobs[i],
        None => {
            jobs.push(Job {
                name: Some(job_name),
                ..Job::default()
            });
            let last = jobs.len() - 1;
            &mut jobs[last]
        }
    };
    for mut step in steps {
        step.kind = kind_of(&step.name);
        job.steps.push(step);
    }
}

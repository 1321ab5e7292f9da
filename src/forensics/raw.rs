//! A job log as one file: the browser's "Download log", the API's job log, a file of the logs archive, or the
//! web page's copy. One job, cut into steps by [`super::job::JobReader`].

use std::io::{self, Read};

use super::input::each_line;
use super::job::{Job, JobReader};

/// Read one job's log. `timestamped`: the lines start with the runner's timestamps; `plain`: a copy of the web
/// page.
pub fn read(reader: impl Read, timestamped: bool, plain: bool) -> io::Result<Job> {
    let mut job = JobReader::whole_job(timestamped, plain);
    each_line(reader, |line| job.push(line))?;
    let (name, steps) = job.finish();
    Ok(Job {
        name,
        steps,
        ..Job::default()
    })
}

//! The only duct call site: child processes in their own process group, with a timeout that kills the group.
//!
//! MINIMAL placeholder written by the publish helper so that the build gate compiles; the quality helper's
//! version (bounded streaming capture, interrupt handling, debug logging) replaces it at merge.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to run: an argument vector, never a shell string.
pub struct Spec {
    pub argv: Vec<OsString>,
    pub cwd: PathBuf,
    pub env: Vec<(OsString, OsString)>,
    pub env_remove: Vec<OsString>,
    pub timeout: Duration,
    pub max_output: usize,
}

/// How a child ended. `Interrupted` is relgate's own Ctrl-C/SIGTERM; `Cancelled` is `--fail-fast` stopping the
/// remaining checks after another one failed.
pub enum Ended {
    Exited(i32),
    Signaled(i32),
    TimedOut,
    Interrupted,
    Cancelled,
}

/// Output with stderr merged into stdout, cut to a head and a tail when larger than the bound.
pub struct Captured {
    pub text: String,
    pub dropped: u64,
    pub total: u64,
}

pub struct Finished {
    pub ended: Ended,
    pub output: Captured,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{0}: command not found")]
    NotFound(String),
    #[error("cannot start {program}: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
}

/// Variables that would point a child's git at the hook's repository instead of its own working directory.
const GIT_LOCAL_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
];

/// Runs in its own process group; on timeout the whole group gets SIGTERM, then SIGKILL after a short grace.
pub fn run(spec: &Spec) -> Result<Finished, SpawnError> {
    let Some((first, args)) = spec.argv.split_first() else {
        return Err(SpawnError::NotFound(String::new()));
    };
    let program = first.to_string_lossy().into_owned();
    let mut expr = duct::cmd(first, args)
        .dir(&spec.cwd)
        .stdin_null()
        .stderr_to_stdout()
        .stdout_capture()
        .unchecked()
        .before_spawn(|cmd| {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            Ok(())
        });
    for name in GIT_LOCAL_ENV {
        expr = expr.env_remove(name);
    }
    for name in &spec.env_remove {
        expr = expr.env_remove(name);
    }
    for (name, value) in &spec.env {
        expr = expr.env(name, value);
    }
    let start = Instant::now();
    let handle = expr.start().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SpawnError::NotFound(program.clone())
        } else {
            SpawnError::Io {
                program: program.clone(),
                source,
            }
        }
    })?;
    let pgid = handle.pids().first().copied();
    let deadline = start + spec.timeout;
    let mut timed_out = false;
    loop {
        match handle.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                if let Some(pgid) = pgid {
                    kill_group(pgid, libc::SIGTERM);
                    std::thread::sleep(Duration::from_millis(300));
                    kill_group(pgid, libc::SIGKILL);
                }
                let _ = handle.kill();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(source) => return Err(SpawnError::Io { program, source }),
        }
    }
    let output = handle.into_output().map_err(|source| SpawnError::Io {
        program: program.clone(),
        source,
    })?;
    let ended = if timed_out {
        Ended::TimedOut
    } else {
        use std::os::unix::process::ExitStatusExt;
        match (output.status.code(), output.status.signal()) {
            (Some(code), _) => Ended::Exited(code),
            (None, Some(signal)) => Ended::Signaled(signal),
            (None, None) => Ended::Exited(-1),
        }
    };
    Ok(Finished {
        ended,
        output: bound(&output.stdout, spec.max_output),
        elapsed: start.elapsed(),
    })
}

/// True once Ctrl-C/SIGTERM was received; the placeholder never sees one.
pub fn interrupted() -> bool {
    false
}

fn bound(bytes: &[u8], max: usize) -> Captured {
    let total = bytes.len() as u64;
    if bytes.len() <= max {
        return Captured {
            text: String::from_utf8_lossy(bytes).into_owned(),
            dropped: 0,
            total,
        };
    }
    let half = max / 2;
    let dropped = bytes.len() - 2 * half;
    let text = format!(
        "{}[... {dropped} bytes dropped ...]{}",
        String::from_utf8_lossy(&bytes[..half]),
        String::from_utf8_lossy(&bytes[bytes.len() - half..])
    );
    Captured {
        text,
        dropped: dropped as u64,
        total,
    }
}

#[allow(unsafe_code, reason = "kill(2) on our own child's process group")]
fn kill_group(pgid: u32, signal: i32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: kill(2) has no memory effects; a negative pid addresses the group we created.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

//! A child attached to relgate's terminal: for the git commands a user may have to answer (a password, a key's
//! passphrase) and whose progress they should see as it happens (`git push` and the remote's messages).
//!
//! It inherits stdin and stderr, and writes its stdout to relgate's stderr (relgate's stdout is its report). It
//! stays in relgate's process group, so that Ctrl-C reaches it as it reaches relgate; at its timeout, or when
//! relgate is stopped by SIGTERM, it gets SIGTERM, then SIGKILL after a grace period.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Ended, GIT_LOCAL_ENV, SpawnError, Spec, TERM_GRACE, TICK, VERBOSE, display};
use super::{hold_interrupts, interrupted, watch_interrupts};

/// Run `spec` attached to the terminal (its `max_output` is unused: nothing is captured).
pub fn run_attached(spec: &Spec) -> Result<Ended, SpawnError> {
    watch_interrupts();
    // The child is in relgate's own group, not in the registry of groups: a first signal waits for it here.
    let _held = hold_interrupts();
    let Some((first, args)) = spec.argv.split_first() else {
        return Err(SpawnError::NotFound(String::new()));
    };
    let program = first.to_string_lossy().into_owned();
    if interrupted() {
        return Ok(Ended::Interrupted);
    }
    if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) {
        crate::output::errln!(
            "relgate: run: {}  (in {})",
            display(&spec.argv),
            spec.cwd.display()
        );
    }
    let io_error = |source: std::io::Error| SpawnError::Io {
        program: program.clone(),
        source,
    };
    let stdout = os_pipe::dup_stderr().map_err(io_error)?;
    let mut command = Command::new(first);
    command
        .args(args)
        .current_dir(&spec.cwd)
        .stdin(Stdio::inherit())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::inherit());
    for name in GIT_LOCAL_ENV {
        command.env_remove(name);
    }
    for name in &spec.env_remove {
        command.env_remove(name);
    }
    for (name, value) in &spec.env {
        command.env(name, value);
    }
    let mut child = command.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SpawnError::NotFound(program.clone())
        } else {
            io_error(source)
        }
    })?;
    let deadline = Instant::now() + spec.timeout;
    let mut stopping: Option<(Ended, Instant)> = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(_) => break None,
        }
        match stopping {
            None => {
                let reason = if interrupted() {
                    Some(Ended::Interrupted)
                } else if Instant::now() >= deadline {
                    Some(Ended::TimedOut)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    terminate(child.id());
                    stopping = Some((reason, Instant::now()));
                }
            }
            Some((_, since)) if since.elapsed() >= TERM_GRACE => {
                let _ = child.kill();
            }
            Some(_) => {}
        }
        std::thread::sleep(TICK);
    };
    if let Some((reason, _)) = stopping {
        return Ok(reason);
    }
    if interrupted() {
        return Ok(Ended::Interrupted);
    }
    Ok(match status {
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => Ended::Exited(code),
            (None, Some(signal)) => Ended::Signaled(signal),
            (None, None) => Ended::Exited(-1),
        },
        None => Ended::Exited(-1),
    })
}

/// SIGTERM to the child relgate started (not yet reaped, so the pid is still its own).
fn terminate(pid: u32) {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

//! relgate's own Ctrl-C and SIGTERM.
//!
//! While checks run, the first signal stops them all (SIGTERM to every group, SIGKILL after the grace period)
//! and the command exits 130 once they are gone. While no child runs (relgate blocked reading stdin or a FIFO,
//! expanding a large document, waiting for the index), nothing needs stopping: relgate exits 130 at once
//! instead of waiting for work that may never end. Work that must not be cut short holds the signals off
//! ([`hold_interrupts`]): a child being started or attached to the terminal, the steps of `relgate release`
//! that write; the first signal then only raises the flag, which that work looks at. A second signal exits at
//! once in any case, after SIGKILL to every group, so that an impatient user is never ignored.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{live_groups, signal_group};

/// Set at the first signal: running children are being stopped and no new one starts.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Work under way that a first signal must not cut short (see [`Hold`]).
static HELD: AtomicUsize = AtomicUsize::new(0);

/// True once Ctrl-C/SIGTERM was received: every running child is being stopped and no new one starts.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Catch SIGINT and SIGTERM from now on (see the module's documentation). Idempotent.
pub fn watch_interrupts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
        ]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("relgate-signals".into())
            .spawn(move || {
                for received in (1..).zip(signals.forever()) {
                    on_signal(received.0);
                }
            });
        drop(spawned);
    });
}

/// Holds a first signal off for as long as it lives: the signal raises the [`interrupted`] flag, and the work
/// that holds it looks at the flag and stops in good order (a child being started registers its group, then
/// stops it; `relgate release` says what it had done). A second signal still exits at once.
pub struct Hold(());

/// Hold a first signal off until the returned value is dropped.
pub fn hold_interrupts() -> Hold {
    HELD.fetch_add(1, Ordering::SeqCst);
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        HELD.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The `count`th signal relgate received.
fn on_signal(count: u32) {
    // Set before looking at the holds, as a hold counts before looking at the flag: one of the two sides sees
    // the other.
    INTERRUPTED.store(true, Ordering::SeqCst);
    let groups = live_groups();
    if count > 1 {
        for pgid in groups {
            signal_group(pgid, libc::SIGKILL);
        }
        exit_now(
            "relgate: interrupted again: stopped at once, the checks still running were killed",
        );
    }
    if groups.is_empty() && HELD.load(Ordering::SeqCst) == 0 {
        exit_now("relgate: interrupted");
    }
    // The wait loops escalate to SIGKILL; this reaches every group at once, even one whose thread is busy
    // elsewhere.
    for pgid in groups {
        signal_group(pgid, libc::SIGTERM);
    }
}

/// Exit 130 from the signal thread, with a line saying so (after clearing a progress line on a terminal). The
/// line is written to the descriptor directly: another thread may hold stderr's lock, blocked on a full pipe.
fn exit_now(message: &str) -> ! {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    let stderr = std::io::stderr();
    let clear = if stderr.is_terminal() {
        "\r\x1b[2K"
    } else {
        ""
    };
    super::scratch::remove_all();
    let line = format!("{clear}{message}\n");
    let _ = rustix::io::write(stderr.as_fd(), line.as_bytes());
    std::process::exit(130)
}

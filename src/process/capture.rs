//! Reading a child's output as it arrives into a bounded buffer: the head and the tail are kept, the middle is
//! counted. A tool printing 100 MB costs relgate the bound, not 100 MB.

use std::cell::Cell;
use std::io::Read;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Captured;

/// The output, read on its own thread into a bounded buffer as it arrives.
pub(super) struct Capture {
    buffer: Arc<Mutex<Bounded>>,
    done: mpsc::Receiver<()>,
    ended: Cell<bool>,
}

impl Capture {
    pub(super) fn start(mut reader: os_pipe::PipeReader, max: usize) -> Capture {
        let buffer = Arc::new(Mutex::new(Bounded::new(max)));
        let (tx, done) = mpsc::channel();
        let shared = Arc::clone(&buffer);
        // Should the thread not start, the closure (and the read end) is dropped: the child gets SIGPIPE instead
        // of blocking on a full pipe, and the closed channel tells `wait_end` that the output ended.
        let _ = std::thread::Builder::new()
            .name("relgate-output".into())
            .spawn(move || {
                let mut chunk = vec![0u8; 64 * 1024];
                loop {
                    match reader.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            if let Ok(mut b) = shared.lock() {
                                b.push(&chunk[..n]);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                let _ = tx.send(());
            });
        Capture {
            buffer,
            done,
            ended: Cell::new(false),
        }
    }

    /// Whether the output reached its end within `grace`.
    pub(super) fn wait_end(&self, grace: Duration) -> bool {
        if self.ended.get() {
            return true;
        }
        let ended = match self.done.recv_timeout(grace) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
            Err(RecvTimeoutError::Timeout) => false,
        };
        self.ended.set(ended);
        ended
    }

    pub(super) fn finish(&self) -> Captured {
        self.buffer.lock().map(|b| b.captured()).unwrap_or_default()
    }
}

/// The first half of the bound, a ring of the last half, and a count of everything.
struct Bounded {
    head: Vec<u8>,
    head_max: usize,
    tail: Vec<u8>,
    tail_max: usize,
    /// Where the oldest byte of a full ring is.
    tail_start: usize,
    total: u64,
}

impl Bounded {
    fn new(max: usize) -> Bounded {
        let head_max = max / 2;
        Bounded {
            head: Vec::new(),
            head_max,
            tail: Vec::new(),
            tail_max: max - head_max,
            tail_start: 0,
            total: 0,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.head_max - self.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if self.tail_max == 0 || bytes.is_empty() {
            return;
        }
        if bytes.len() >= self.tail_max {
            self.tail.clear();
            self.tail
                .extend_from_slice(&bytes[bytes.len() - self.tail_max..]);
            self.tail_start = 0;
            return;
        }
        let room = self.tail_max - self.tail.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.tail.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        // The ring is full: overwrite the oldest bytes.
        while !bytes.is_empty() {
            let n = (self.tail_max - self.tail_start).min(bytes.len());
            self.tail[self.tail_start..self.tail_start + n].copy_from_slice(&bytes[..n]);
            self.tail_start = (self.tail_start + n) % self.tail_max;
            bytes = &bytes[n..];
        }
    }

    fn captured(&self) -> Captured {
        let mut tail = Vec::with_capacity(self.tail.len());
        tail.extend_from_slice(&self.tail[self.tail_start..]);
        tail.extend_from_slice(&self.tail[..self.tail_start]);
        let kept = (self.head.len() + tail.len()) as u64;
        let mut dropped = self.total - kept;
        if dropped == 0 {
            let mut all = self.head.clone();
            all.extend_from_slice(&tail);
            return Captured {
                text: String::from_utf8_lossy(&all).into_owned(),
                dropped: 0,
                total: self.total,
            };
        }
        // Start the tail at a line's beginning when one is in reach: a cut line reads as garbage.
        let cut = tail
            .iter()
            .position(|&b| b == b'\n')
            .filter(|&i| i + 1 < tail.len())
            .map_or(0, |i| i + 1);
        dropped += cut as u64;
        let head = String::from_utf8_lossy(&self.head);
        let newline = if head.ends_with('\n') || head.is_empty() {
            ""
        } else {
            "\n"
        };
        Captured {
            text: format!(
                "{head}{newline}[... {dropped} bytes of output not kept ...]\n{}",
                String::from_utf8_lossy(&tail[cut..])
            ),
            dropped,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_keeps_head_and_tail() {
        let mut b = Bounded::new(10);
        for chunk in [&b"abc"[..], b"defgh", b"ij\nklmnopq", b"rst"] {
            b.push(chunk);
        }
        let c = b.captured();
        assert_eq!(c.total, 21);
        assert_eq!(
            c.text,
            "abcde\n[... 11 bytes of output not kept ...]\npqrst"
        );
        assert_eq!(c.dropped, 11);

        // A line start within the tail: the partial line before it is dropped too.
        let mut b = Bounded::new(10);
        b.push(b"abcdefghijklm\nop");
        assert_eq!(
            b.captured().text,
            "abcde\n[... 9 bytes of output not kept ...]\nop"
        );

        let mut b = Bounded::new(100);
        b.push(b"short\n");
        let c = b.captured();
        assert_eq!((c.text.as_str(), c.dropped, c.total), ("short\n", 0, 6));
    }

    #[test]
    fn bounded_ring_wraps_in_order() {
        let mut b = Bounded::new(8);
        for byte in b"0123456789\nABCDEFG" {
            b.push(&[*byte]);
        }
        let c = b.captured();
        assert_eq!(c.text, "0123\n[... 10 bytes of output not kept ...]\nDEFG");
        let mut b = Bounded::new(0);
        b.push(b"all of it");
        assert_eq!(b.captured().dropped, 9);
    }
}

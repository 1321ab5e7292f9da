//! The progress of a run on stderr: on a terminal, the running checks and their elapsed time redrawn in place;
//! elsewhere, one line per finished check; nothing when silent.

use std::time::{Duration, Instant};

use super::Progress;
use crate::outcome::{CheckResult, Status};
use crate::output::{self, Text};
use crate::term;

/// The progress display on stderr.
pub(super) struct Board {
    mode: Progress,
    total: usize,
    finished: usize,
    running: Vec<(usize, String, Instant)>,
    drawn: bool,
}

impl Board {
    pub(super) fn new(mode: Progress, total: usize) -> Board {
        Board {
            mode,
            total,
            finished: 0,
            running: Vec::new(),
            drawn: false,
        }
    }

    pub(super) fn tick(&self) -> Duration {
        if self.mode == Progress::Live {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(250)
        }
    }

    pub(super) fn started(&mut self, i: usize, name: String) {
        self.running.push((i, name, Instant::now()));
    }

    pub(super) fn ended(&mut self, i: usize) {
        self.running.retain(|(j, _, _)| *j != i);
        self.finished += 1;
    }

    pub(super) fn finished(&mut self, results: &[CheckResult]) {
        if self.mode != Progress::Lines {
            return;
        }
        let mut text = Text::new();
        for r in results {
            text.line(finished_line(r));
        }
        output::err(&text);
    }

    pub(super) fn note(&mut self, text: &str) {
        if self.mode == Progress::Silent {
            return;
        }
        self.clear();
        output::errln!("relgate: warning: {text}");
    }

    pub(super) fn draw(&mut self) {
        if self.mode != Progress::Live || self.running.is_empty() {
            return;
        }
        let line = live_line(
            self.finished,
            self.total,
            &self.running,
            Instant::now(),
            term::stderr_columns(),
        );
        let mut text = Text::new();
        text.add(line);
        output::redraw(&text);
        self.drawn = true;
    }

    pub(super) fn clear(&mut self) {
        if self.drawn {
            output::clear_line();
            self.drawn = false;
        }
    }
}

/// `relgate: mypy: pass (1.2 s)`, `relgate: ruff: pass (cached)`.
fn finished_line(r: &CheckResult) -> String {
    let status = match r.status {
        Status::Fail | Status::Error if !r.required => "warn",
        status => status.as_str(),
    };
    let when = if r.cached {
        "cached".to_owned()
    } else {
        crate::duration::elapsed(Duration::from_millis(r.duration_ms))
    };
    format!("relgate: {}: {status} ({when})", r.name)
}

/// `relgate: 3/7 done · running mypy 2.1 s, pytest 0.4 s`, cut to the terminal's width.
fn live_line(
    finished: usize,
    total: usize,
    running: &[(usize, String, Instant)],
    now: Instant,
    columns: usize,
) -> String {
    let names: Vec<String> = running
        .iter()
        .map(|(_, name, since)| {
            format!(
                "{name} {}",
                crate::duration::elapsed(now.duration_since(*since))
            )
        })
        .collect();
    let line = format!(
        "relgate: {finished}/{total} done · running {}",
        names.join(", ")
    );
    let width = columns.saturating_sub(1).max(20);
    if line.chars().count() <= width {
        line
    } else {
        let cut: String = line.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Kind;

    #[test]
    fn progress_lines() {
        let mut r = CheckResult::pass("mypy", Kind::Type, "ok");
        r.duration_ms = 1234;
        assert_eq!(finished_line(&r), "relgate: mypy: pass (1.2 s)");
        r.cached = true;
        assert_eq!(finished_line(&r), "relgate: mypy: pass (cached)");
        let mut r = CheckResult::fail("docs", Kind::Build, "no");
        r.required = false;
        assert_eq!(finished_line(&r), "relgate: docs: warn (0 ms)");

        let now = Instant::now();
        let running = vec![
            (
                0,
                "mypy".to_owned(),
                now.checked_sub(Duration::from_millis(2100)).unwrap(),
            ),
            (
                1,
                "pytest".to_owned(),
                now.checked_sub(Duration::from_millis(400)).unwrap(),
            ),
        ];
        assert_eq!(
            live_line(3, 7, &running, now, 80),
            "relgate: 3/7 done · running mypy 2.1 s, pytest 400 ms"
        );
        assert_eq!(
            live_line(3, 7, &running, now, 30),
            "relgate: 3/7 done · running …"
        );
    }
}

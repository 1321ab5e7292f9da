//! Properties of the CI log reader: any bytes are read or refused, never a panic; what an explanation says is
//! bounded whatever the log's size (a 20-line excerpt of lines cut at 300 characters, one report per job); a
//! job log reads the same in UTF-8, UTF-16 of either byte order and with CRLF line ends.

use std::fmt::Write as _;

use proptest::prelude::*;

use super::input::read_bytes;
use super::{Explanation, explain};
use crate::fuzz::{config, hostile_text};

/// A job log: timestamped lines, steps opened by `##[group]Run`, output (with the telling lines of tools),
/// `##[error]` lines, and anything else.
fn job_log() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        // A NUL makes a UTF-8 file binary (refused), while UTF-16 is full of zero bytes: text logs have none.
        3 => hostile_text(12).prop_map(|t| t.replace(['\n', '\r', '\0'], " ")),
        1 => "[a-z]{1,8}( [a-z.]{1,8}){0,3}".prop_map(|s| format!("##[group]Run {s}")),
        1 => Just("##[endgroup]".to_owned()),
        1 => (0u8..4).prop_map(|n| format!("##[error]Process completed with exit code {n}.")),
        1 => Just("Found 3 errors.".to_owned()),
        1 => Just("FAILED tests/test_x.py::test_y - assert 0 == 1".to_owned()),
        1 => Just("src/x.py:3:1: F401 `os` imported but unused".to_owned()),
        1 => Just("HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/ File already exists".to_owned()),
        1 => Just("##[error]The operation was canceled.".to_owned()),
        1 => Just("shell: /usr/bin/bash -e {0}".to_owned()),
    ];
    prop::collection::vec(line, 1..40).prop_map(|lines| {
        let mut log = String::new();
        for (i, line) in lines.iter().enumerate() {
            let _ = writeln!(log, "2025-01-01T00:00:{:02}.0000000Z {line}", i % 60);
        }
        log
    })
}

#[track_caller]
fn assert_bounded(explanation: &Explanation, input_len: usize) {
    assert!(explanation.failures.len() <= input_len.max(1));
    for report in &explanation.failures {
        let lines = report.logs_excerpt.lines().count();
        assert!(lines <= 20, "{lines} excerpt lines");
        assert!(
            report
                .logs_excerpt
                .lines()
                .all(|l| l.chars().count() <= 301),
            "an excerpt line over 300 characters"
        );
        // The telling line(s) come from the log: never more than the log itself, and its lines are cut.
        assert!(
            report.error_message.len() <= input_len + 1024,
            "{}",
            report.error_message
        );
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(log) = read_bytes(bytes.clone(), "fuzz") {
            assert_bounded(&explain(&log), bytes.len());
        }
    }

    #[test]
    fn any_text_is_read_or_refused(text in hostile_text(300)) {
        if let Ok(log) = read_bytes(text.clone().into_bytes(), "fuzz") {
            assert_bounded(&explain(&log), text.len());
        }
    }

    #[test]
    fn a_job_log_reads_alike_in_every_encoding(log in job_log(), gh in any::<bool>()) {
        // As a job's log, or as `gh run view --log-failed` prints it (job and step columns).
        let log = if gh {
            log.lines().fold(String::new(), |mut out, l| {
                let _ = writeln!(out, "test (3.12)\tRun tests\t{l}");
                out
            })
        } else {
            log
        };
        let plain = read_bytes(log.clone().into_bytes(), "fuzz");
        let variants = [
            utf16(&log, false),
            utf16(&log, true),
            log.replace('\n', "\r\n").into_bytes(),
            format!("\u{feff}{log}").into_bytes(),
        ];
        for bytes in variants {
            let other = read_bytes(bytes, "fuzz");
            match (&plain, other) {
                (Ok(plain), Ok(other)) => {
                    let (a, b) = (explain(plain), explain(&other));
                    assert_bounded(&a, log.len());
                    prop_assert_eq!(a.failures, b.failures);
                    prop_assert_eq!(a.cancelled_jobs, b.cancelled_jobs);
                    prop_assert_eq!(a.notes, b.notes);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "read differently: {:?} / {:?}", a.as_ref().err(), b.err()),
            }
        }
    }
}

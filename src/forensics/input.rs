//! Reading a log from a file or stdin: which form it is (zip archive, `gh` columns, a timestamped job log, a
//! copy of the web page), and hostile input (missing, empty, binary, compressed, UTF-16, huge) turned into
//! errors that say what was read and how to get a log relgate can read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek};
use std::path::Path;

use super::{Form, RunLog, archive, gh, raw};
use crate::error::hinted;

/// The bytes looked at to decide the form.
const SNIFF: usize = 64 * 1024;
/// Longest raw line read; the rest of the line is skipped.
const MAX_RAW_LINE: usize = 64 * 1024;
/// A zip from stdin is read whole (a zip is read from its end): at most this much.
const MAX_IN_MEMORY: u64 = 1 << 30;

/// What to do next when a log cannot be read.
pub const GET_A_LOG: &str = "save the failed run's log with `gh run view RUN_ID --log-failed > log.txt` (or download the logs archive from the run's page) and pass that file";

/// Read the log at `path`.
pub fn read_path(path: &Path) -> anyhow::Result<RunLog> {
    let shown = path.display().to_string();
    let mut file = File::open(path).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        hinted(format!("cannot read {shown}: {why}"), GET_A_LOG)
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        // An unpacked logs archive.
        let mut log = archive::read_dir(path, &shown, archive::MAX_ENTRY)?;
        log.run_id = path
            .file_name()
            .and_then(|n| run_id_from_name(&format!("{}.zip", n.to_string_lossy())));
        return Ok(log);
    }
    let head =
        sniff(&mut file).map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
    file.rewind()
        .map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let run_id = name.as_deref().and_then(run_id_from_name);
    let mut log = match kind(&head, &shown)? {
        Kind::Zip => archive::read(file, &shown, archive::MAX_ENTRY)?,
        Kind::Utf16 => read_text(BufReader::new(utf16(file)), &shown)?,
        Kind::Text => read_text(BufReader::new(file), &shown)?,
    };
    log.run_id = log.run_id.or(run_id);
    Ok(log)
}

/// Read the log from stdin.
pub fn read_stdin() -> anyhow::Result<RunLog> {
    use std::io::IsTerminal;
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return Err(hinted(
            "no log on stdin: it is a terminal",
            "pipe a log in, e.g. `gh run view RUN_ID --log-failed | relgate ci explain -`",
        ));
    }
    read_stream(stdin.lock(), "stdin", MAX_IN_MEMORY)
}

/// Read a log from a stream, holding at most `in_memory` bytes of a zip archive.
fn read_stream(mut input: impl Read, shown: &str, in_memory: u64) -> anyhow::Result<RunLog> {
    let cannot_read = |e: io::Error| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG);
    let head = sniff(&mut input).map_err(cannot_read)?;
    match kind(&head, shown)? {
        Kind::Zip => {
            let mut bytes = head;
            input
                .take(in_memory.saturating_sub(bytes.len() as u64) + 1)
                .read_to_end(&mut bytes)
                .map_err(cannot_read)?;
            if bytes.len() as u64 > in_memory {
                return Err(too_large(
                    &format!("the zip archive on {shown}"),
                    in_memory,
                    "save the archive to a file and pass its path: relgate reads a file's entries one at a time",
                ));
            }
            archive::read(Cursor::new(bytes), shown, archive::MAX_ENTRY)
        }
        Kind::Utf16 => read_text(BufReader::new(utf16(Cursor::new(head).chain(input))), shown),
        Kind::Text => read_text(BufReader::new(Cursor::new(head).chain(input)), shown),
    }
}

/// Read a log held in memory (an API download): a zip archive or text.
pub fn read_bytes(bytes: Vec<u8>, source: &str) -> anyhow::Result<RunLog> {
    let head: Vec<u8> = bytes.iter().take(SNIFF).copied().collect();
    match kind(&head, source)? {
        Kind::Zip => archive::read(Cursor::new(bytes), source, archive::MAX_ENTRY),
        Kind::Utf16 => read_text(BufReader::new(utf16(Cursor::new(bytes))), source),
        Kind::Text => read_text(Cursor::new(bytes), source),
    }
}

/// The run id in the archive's name: `logs_12345.zip` (the browser's download), `run-log-12345-1717133454.zip`
/// (gh's cache).
pub fn run_id_from_name(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".zip")?;
    let digits = stem.strip_prefix("logs_").or_else(|| {
        stem.strip_prefix("run-log-")
            .and_then(|r| r.split('-').next())
    })?;
    digits.parse().ok()
}

/// Call `f` with each line of `reader` (lossy UTF-8, without the newline), a line longer than
/// [`MAX_RAW_LINE`] bytes cut there.
pub fn each_line(reader: impl Read, mut f: impl FnMut(&str)) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut line: Vec<u8> = Vec::new();
    let mut overflow = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !line.is_empty() {
                f(&String::from_utf8_lossy(&line));
            }
            return Ok(());
        }
        let (chunk, newline) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i)),
            None => (buf, None),
        };
        if !overflow {
            let room = MAX_RAW_LINE.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            overflow = chunk.len() > room;
        }
        let used = newline.map_or(buf.len(), |i| i + 1);
        reader.consume(used);
        if newline.is_some() {
            f(&String::from_utf8_lossy(&line));
            line.clear();
            overflow = false;
        }
    }
}

/// A reader that fails, rather than stops, past `limit` bytes: a cut log could hide its failure, and a wrong
/// "no failed step" is worse than no answer.
pub struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, limit: u64) -> Bounded<R> {
        Bounded {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a log of exactly `limit` bytes from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(TooLarge(self.limit))),
            };
        }
        let room = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// What [`Bounded`] fails with.
#[derive(Debug, thiserror::Error)]
#[error("larger than {}", size(*.0))]
pub struct TooLarge(pub u64);

impl TooLarge {
    /// The limit, when `err` is a [`TooLarge`].
    pub fn limit_of(err: &io::Error) -> Option<u64> {
        err.get_ref()
            .and_then(|inner| inner.downcast_ref::<TooLarge>())
            .map(|t| t.0)
    }
}

/// The error for a log larger than relgate reads: never an answer from part of it.
pub fn too_large(what: &str, limit: u64, hint: &str) -> anyhow::Error {
    hinted(
        format!(
            "{what} is larger than {}, more than relgate reads: a log cut there could hide the failure, so there is no \
             answer rather than a wrong one",
            size(limit)
        ),
        hint,
    )
}

/// `512 MiB`, `1 GiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

enum Kind {
    Zip,
    Utf16,
    Text,
}

fn sniff(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF);
    reader.take(SNIFF as u64).read_to_end(&mut head)?;
    Ok(head)
}

fn kind(head: &[u8], shown: &str) -> anyhow::Result<Kind> {
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(hinted(
            format!("{shown} is empty: there is no log to explain"),
            GET_A_LOG,
        ));
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Kind::Zip);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Err(hinted(
            format!("{shown} is gzip-compressed"),
            "decompress it first (`gunzip -k FILE`), then pass the log",
        ));
    }
    // PowerShell's `>` writes UTF-16 with a byte-order mark.
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Ok(Kind::Utf16);
    }
    if head.contains(&0) {
        return Err(hinted(
            format!("{shown} is not a text log or a zip archive: it holds binary data"),
            GET_A_LOG,
        ));
    }
    Ok(Kind::Text)
}

/// UTF-16 (either byte order, told by its byte-order mark, which is dropped) decoded to UTF-8 as it is read:
/// a log of any size in constant memory, like any other.
fn utf16(reader: impl Read) -> impl Read {
    encoding_rs_io::DecodeReaderBytes::new(reader)
}

/// A text log: `gh` columns, a timestamped job log, or the web page's copy.
fn read_text(mut reader: impl BufRead, shown: &str) -> anyhow::Result<RunLog> {
    let form = {
        let mut head = reader
            .fill_buf()
            .map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
        // A file's byte-order mark (an editor's, PowerShell's UTF-8) is no part of its first line: a job
        // named by gh's first column would carry it.
        if head.starts_with(b"\xef\xbb\xbf") {
            reader.consume(3);
            head = reader
                .fill_buf()
                .map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
        }
        text_form(&String::from_utf8_lossy(head))
    };
    let Some((form, timestamped)) = form else {
        return Err(hinted(
            format!(
                "{shown} does not look like a GitHub Actions log: no timestamped lines, no ##[group]/##[error] markers, no `gh run view` columns"
            ),
            GET_A_LOG,
        ));
    };
    let read_error = |e: io::Error| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG);
    let jobs = match form {
        Form::GhLog => gh::read(reader).map_err(read_error)?,
        Form::WebCopy => vec![raw::read(reader, false, true).map_err(read_error)?],
        _ => vec![raw::read(reader, timestamped, false).map_err(read_error)?],
    };
    Ok(RunLog {
        form,
        source: shown.to_string(),
        run_id: None,
        event: None,
        workflow: None,
        jobs,
    })
}

/// The form of a text log from its first lines, and whether its lines carry timestamps; `None` when it is not
/// a GitHub Actions log.
fn text_form(head: &str) -> Option<(Form, bool)> {
    let lines: Vec<&str> = head
        .lines()
        .map(|l| l.trim_start_matches('\u{feff}'))
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    lines.first()?;
    let gh_columns = |l: &&str| {
        let mut fields = l.splitn(3, '\t');
        let (job, step, rest) = (fields.next(), fields.next(), fields.next());
        matches!((job, step), (Some(j), Some(s)) if !j.is_empty() && !s.is_empty())
            && rest.is_some_and(super::line::has_timestamp)
    };
    if lines.iter().take(5).any(gh_columns) {
        return Some((Form::GhLog, true));
    }
    if lines.iter().take(5).any(|l| super::line::has_timestamp(l)) {
        return Some((Form::JobLog, true));
    }
    if head.contains("##[group]") || head.contains("##[error]") || head.contains("##[endgroup]") {
        // Markers without timestamps: a log whose timestamps were stripped.
        return Some((Form::JobLog, false));
    }
    // The web page's copy: the runner's own lines, without timestamps.
    let web = [
        "Process completed with exit code",
        "Docker run failed with exit code",
        "Complete job name: ",
        "Post job cleanup.",
        "The operation was canceled.",
    ]
    .iter()
    .any(|needle| head.contains(needle))
        || head.lines().any(|l| l.trim_start().starts_with("shell: "))
        || head
            .lines()
            .zip(head.lines().skip(1))
            .any(|(a, b)| a.starts_with("Run ") && b.trim() == "with:");
    web.then_some((Form::WebCopy, false))
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A failed job's log (one step, pytest failing).
    const JOB: &str = "2025-01-01T00:00:00.0000000Z Complete job name: test\n\
        2025-01-01T00:00:01.0000000Z ##[group]Run pytest\n\
        2025-01-01T00:00:01.0000001Z ##[endgroup]\n\
        2025-01-01T00:00:02.0000000Z FAILED tests/test_x.py::test_x - assert 0 == 1 \u{1f600}\n\
        2025-01-01T00:00:03.0000000Z ##[error]Process completed with exit code 1.\n";

    fn utf16_bytes(text: &str, big_endian: bool) -> Vec<u8> {
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

    #[test]
    fn utf16_in_either_byte_order_reads_as_utf8_does() {
        let expected = super::super::explain(&read_bytes(JOB.as_bytes().to_vec(), "log").unwrap());
        assert_eq!(expected.failures.len(), 1);
        for big_endian in [false, true] {
            let log = read_bytes(utf16_bytes(JOB, big_endian), "log").unwrap();
            assert_eq!(super::super::explain(&log).failures, expected.failures);
        }
    }

    /// The decoding streams: the first lines of an endless UTF-16 log come out without reading it to its end
    /// (it used to be read whole, up to 1 GiB, and cut there).
    #[test]
    fn utf16_is_decoded_as_it_is_read() {
        /// The same bytes over and over, for ever.
        struct Endless(Vec<u8>, usize);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                for byte in buf.iter_mut() {
                    *byte = self.0[self.1 % self.0.len()];
                    self.1 += 1;
                }
                Ok(buf.len())
            }
        }
        let line = utf16_bytes(
            "2025-01-01T00:00:02.0000000Z caf\u{e9} \u{1f600} ok\n",
            false,
        );
        let endless = Cursor::new(vec![0xff, 0xfe]).chain(Endless(line[2..].to_vec(), 0));
        let mut lines = BufReader::new(utf16(endless)).lines();
        for _ in 0..10_000 {
            assert_eq!(
                lines.next().unwrap().unwrap(),
                "2025-01-01T00:00:02.0000000Z caf\u{e9} \u{1f600} ok"
            );
        }
    }

    #[test]
    fn bounded_fails_past_its_limit_never_cuts() {
        let mut exact = Vec::new();
        Bounded::new(&b"0123456789"[..], 10)
            .read_to_end(&mut exact)
            .unwrap();
        assert_eq!(exact, b"0123456789");
        let err = Bounded::new(&b"0123456789x"[..], 10)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(TooLarge::limit_of(&err), Some(10));
        assert_eq!(err.to_string(), "larger than 10 bytes");
        assert_eq!(size(512 << 20), "512 MiB");
        assert_eq!(size(1 << 30), "1 GiB");
    }

    #[test]
    fn a_zip_on_stdin_over_the_memory_bound_is_an_error() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("0_test.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(JOB.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let len = bytes.len() as u64;
        let log = read_stream(Cursor::new(bytes.clone()), "stdin", len).unwrap();
        assert_eq!(super::super::explain(&log).failures.len(), 1);
        let err = read_stream(Cursor::new(bytes), "stdin", len - 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the zip archive on stdin is larger than {} bytes, more than relgate reads: a log cut there could \
                 hide the failure, so there is no answer rather than a wrong one",
                len - 1
            )
        );
        assert_eq!(
            crate::error::hint_of(&err),
            Some(
                "save the archive to a file and pass its path: relgate reads a file's entries one at a time"
            )
        );
    }

    #[test]
    fn run_ids_from_archive_names() {
        assert_eq!(run_id_from_name("logs_12345.zip"), Some(12345));
        assert_eq!(
            run_id_from_name("run-log-9313418737-1717133454.zip"),
            Some(9_313_418_737)
        );
        assert_eq!(run_id_from_name("logs.zip"), None);
        assert_eq!(run_id_from_name("logs_12345.txt"), None);
    }

    #[test]
    fn long_lines_are_cut_and_invalid_utf8_replaced() {
        let mut input = vec![b'a'; MAX_RAW_LINE * 3];
        input.extend_from_slice(b"\nsecond \xff line\nlast");
        let mut seen = Vec::new();
        each_line(Cursor::new(input), |l| seen.push(l.to_string())).unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].len(), MAX_RAW_LINE);
        assert_eq!(seen[1], "second \u{fffd} line");
        assert_eq!(seen[2], "last");
    }

    #[test]
    fn forms_from_first_lines() {
        assert_eq!(
            text_form("2024-01-15T10:00:00.1234567Z Current runner version\n"),
            Some((Form::JobLog, true))
        );
        assert_eq!(
            text_form("build\tRun ruff\t\u{feff}2024-01-15T10:00:00.1234567Z ##[group]Run ruff\n"),
            Some((Form::GhLog, true))
        );
        assert_eq!(
            text_form("##[group]Run ruff\n##[endgroup]\n"),
            Some((Form::JobLog, false))
        );
        assert_eq!(
            text_form(
                "Run ruff check .\nshell: /usr/bin/bash -e {0}\nError: Process completed with exit code 1.\n"
            ),
            Some((Form::WebCopy, false))
        );
        assert_eq!(text_form("# My project\n\nSome prose.\n"), None);
    }
}

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
/// A zip from stdin, or a UTF-16 file, is read whole: at most this much.
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
        let mut log = archive::read_dir(path, &shown)?;
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
        Kind::Zip => archive::read(file, &shown)?,
        Kind::Utf16(big_endian) => {
            let text = utf16(file, big_endian, &shown)?;
            read_text(Cursor::new(text.into_bytes()), &shown)?
        }
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
    let mut input = stdin.lock();
    let head =
        sniff(&mut input).map_err(|e| hinted(format!("cannot read stdin: {e}"), GET_A_LOG))?;
    match kind(&head, "stdin")? {
        Kind::Zip => {
            let mut bytes = head;
            input
                .take(MAX_IN_MEMORY)
                .read_to_end(&mut bytes)
                .map_err(|e| hinted(format!("cannot read stdin: {e}"), GET_A_LOG))?;
            archive::read(Cursor::new(bytes), "stdin")
        }
        Kind::Utf16(big_endian) => {
            let text = utf16(Cursor::new(head).chain(input), big_endian, "stdin")?;
            read_text(Cursor::new(text.into_bytes()), "stdin")
        }
        Kind::Text => read_text(BufReader::new(Cursor::new(head).chain(input)), "stdin"),
    }
}

/// Read a log held in memory (an API download): a zip archive or text.
pub fn read_bytes(bytes: Vec<u8>, source: &str) -> anyhow::Result<RunLog> {
    let head: Vec<u8> = bytes.iter().take(SNIFF).copied().collect();
    match kind(&head, source)? {
        Kind::Zip => archive::read(Cursor::new(bytes), source),
        Kind::Utf16(big_endian) => {
            let text = utf16(Cursor::new(bytes), big_endian, source)?;
            read_text(Cursor::new(text.into_bytes()), source)
        }
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

enum Kind {
    Zip,
    Utf16(bool),
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
    if head.starts_with(&[0xff, 0xfe]) {
        return Ok(Kind::Utf16(false));
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return Ok(Kind::Utf16(true));
    }
    if head.contains(&0) {
        return Err(hinted(
            format!("{shown} is not a text log or a zip archive: it holds binary data"),
            GET_A_LOG,
        ));
    }
    Ok(Kind::Text)
}

fn utf16(reader: impl Read, big_endian: bool, shown: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_IN_MEMORY)
        .read_to_end(&mut bytes)
        .map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .skip(1)
        .map(|c| {
            if big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        })
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// A text log: `gh` columns, a timestamped job log, or the web page's copy.
fn read_text(mut reader: impl BufRead, shown: &str) -> anyhow::Result<RunLog> {
    let form = {
        let head = reader
            .fill_buf()
            .map_err(|e| hinted(format!("cannot read {shown}: {e}"), GET_A_LOG))?;
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
    use super::*;

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

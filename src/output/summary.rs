//! The job summary (`--format github`): Markdown appended to the file GitHub Actions names in
//! `GITHUB_STEP_SUMMARY`, shown on the run's page
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary>).
//!
//! Untrusted text (a check's name or message, a job name, an error line) reaches the Markdown only through
//! [`escape`]: shown literally, it cannot end a table cell, start a table row, open an HTML tag or a link, or
//! make a code span. The file is only ever appended to, as `>>` does, and what relgate adds is bounded: GitHub
//! refuses a step's whole summary past 1 MiB, so relgate leaves it out rather than lose what others wrote.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::Write as _;

use super::{errln, sanitize};

/// GitHub's limit on one step's summary.
const GITHUB_LIMIT: u64 = 1 << 20;
/// At most this much Markdown of relgate's own per run.
const OWN_LIMIT: usize = 64 << 10;
/// A table cell longer than this (in characters) is cut.
const MAX_CELL: usize = 300;

/// `text` as Markdown that shows it literally, on one line: control characters as `sanitize` shows them, and
/// every ASCII punctuation character backslash-escaped (`CommonMark` lets any of them be; GitHub's tables read
/// `\|` as a `|` inside a cell), so that no `|`, `<`, `[`, `` ` ``, `*` or `&` in it acts.
pub fn escape(text: &str) -> String {
    let shown = sanitize::one_line(text);
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Markdown under construction, kept within relgate's share of the summary.
#[derive(Debug, Default)]
pub struct Summary {
    markdown: String,
}

impl Summary {
    pub fn new() -> Summary {
        Summary::default()
    }

    /// A third-level heading of untrusted text.
    pub fn heading(&mut self, text: &str) -> &mut Summary {
        self.block(&format!("### {}\n", escape(text)))
    }

    /// A paragraph of untrusted text.
    pub fn paragraph(&mut self, text: &str) -> &mut Summary {
        self.block(&format!("{}\n", escape(text)))
    }

    /// A table: `head` names the columns (relgate's own words); each cell of `rows` is untrusted text, cut
    /// past 300 characters. The rows that would pass the size limit are left out, and a line says how many.
    pub fn table(&mut self, head: &[&str], rows: &[Vec<String>]) -> &mut Summary {
        let mut table = String::new();
        let _ = writeln!(table, "| {} |", head.join(" | "));
        let _ = writeln!(table, "|{}", "---|".repeat(head.len()));
        let mut shown = 0;
        for row in rows {
            let mut line = String::from("|");
            for cell in row {
                let _ = write!(line, " {} |", escape(&clip(cell)));
            }
            line.push('\n');
            if self.markdown.len() + table.len() + line.len() + 200 > OWN_LIMIT {
                break;
            }
            table.push_str(&line);
            shown += 1;
        }
        if shown < rows.len() {
            let _ = writeln!(
                table,
                "\n{} more rows are left out of this summary: the step's log lists them.",
                rows.len() - shown
            );
        }
        self.block(&table)
    }

    /// The Markdown, each block separated by a blank line.
    pub fn markdown(&self) -> &str {
        &self.markdown
    }

    fn block(&mut self, block: &str) -> &mut Summary {
        if self.markdown.len() + block.len() < OWN_LIMIT {
            if !self.markdown.is_empty() {
                self.markdown.push('\n');
            }
            self.markdown.push_str(block);
        }
        self
    }
}

/// Append `summary` to the file `GITHUB_STEP_SUMMARY` names, when it names one (outside GitHub Actions it does
/// not: nothing is written). A summary that cannot be written is a warning on stderr, never a failure: the
/// gate's verdict does not depend on it.
pub fn append(summary: &Summary) {
    let Some(path) = crate::env::github_step_summary() else {
        return;
    };
    let shown = path.display().to_string();
    let markdown = format!("\n{}", summary.markdown());
    let existing = match std::fs::metadata(&path) {
        Ok(meta) if !meta.is_file() => {
            errln!(
                "relgate: warning: GITHUB_STEP_SUMMARY ({shown}) is not a regular file: the summary was not written"
            );
            return;
        }
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => {
            errln!(
                "relgate: warning: cannot read GITHUB_STEP_SUMMARY ({shown}): {e}: the summary was not written"
            );
            return;
        }
    };
    if existing + markdown.len() as u64 > GITHUB_LIMIT {
        errln!(
            "relgate: warning: the step summary ({shown}) already holds {existing} bytes: with relgate's table it would pass GitHub's limit of 1 MiB, and GitHub would show none of it; relgate's table was left out"
        );
        return;
    }
    let written = OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| file.write_all(markdown.as_bytes()));
    if let Err(e) = written {
        errln!("relgate: warning: cannot append the summary to GITHUB_STEP_SUMMARY ({shown}): {e}");
    }
}

/// `cell` cut to [`MAX_CELL`] characters, with an ellipsis when cut.
fn clip(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.chars().count() <= MAX_CELL {
        return cell.into();
    }
    let mut cut: String = cell.chars().take(MAX_CELL - 1).collect();
    cut.push('…');
    cut.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_shows_literally_and_stays_in_its_cell() {
        assert_eq!(escape("plain words 1.0"), "plain words 1\\.0");
        assert_eq!(
            escape("a | b\nc <script>x</script> [l](https://e) `c` *e* &amp;"),
            "a \\| b\\\\nc \\<script\\>x\\<\\/script\\> \\[l\\]\\(https\\:\\/\\/e\\) \\`c\\` \\*e\\* \\&amp\\;"
        );
        assert_eq!(escape("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(escape("\\|"), "\\\\\\|");
    }

    #[test]
    fn a_table_escapes_every_cell_and_is_bounded() {
        let mut summary = Summary::new();
        summary.table(
            &["Check", "Message"],
            &[vec!["x|y".into(), "line\nbreak".into()]],
        );
        assert_eq!(
            summary.markdown(),
            "| Check | Message |\n|---|---|\n| x\\|y | line\\\\nbreak |\n"
        );
        let rows: Vec<Vec<String>> = (0..10_000)
            .map(|i| vec![format!("check-{i}"), "m".repeat(100)])
            .collect();
        let mut big = Summary::new();
        big.heading("relgate").table(&["Check", "Message"], &rows);
        assert!(
            big.markdown().len() <= OWN_LIMIT,
            "{}",
            big.markdown().len()
        );
        assert!(
            big.markdown()
                .ends_with("more rows are left out of this summary: the step's log lists them.\n"),
            "{}",
            &big.markdown()[big.markdown().len() - 200..]
        );
    }
}

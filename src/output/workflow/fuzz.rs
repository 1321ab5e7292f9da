//! Properties of the workflow-command writer and the guard, on hostile text (`cargo test fuzz`): escaping
//! round-trips through the runner's own unescaping and never breaks the command's line; no text of words,
//! painted or not, split into words anyhow, is read by the runner as a command; an annotation is read as the
//! one command it was built as, with its parts; escaped Markdown stays in its table cell.

use proptest::prelude::*;

use super::tests::{runner_lines, runner_reads, unescape};
use super::*;
use crate::fuzz::{config, hostile_text};
use crate::output::{Style, Text};

/// Text a tool could print to fool the runner or the summary: its markers, escapes and separators, and anything.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        2 => hostile_text(4),
        3 => prop::sample::select(PIECES).prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

const PIECES: &[&str] = &[
    ":",
    "::",
    "#",
    "##",
    "[",
    "]",
    "##[",
    "%",
    "%25",
    "%0A",
    "%0D",
    "%3A",
    "%2C",
    ",",
    "=",
    "\n",
    "\r",
    "\r\n",
    " ",
    "\t",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{1b}",
    "\u{1b}[31m",
    "\u{85}",
    "\u{9b}",
    "\u{202e}",
    "set-output name=x",
    "add-mask",
    "stop-commands",
    "error",
    "|",
    "<",
    "`",
    "\\",
];

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn escaping_round_trips_through_the_runner_and_never_breaks_a_line(s in hostile()) {
        let data = escape_data(&s);
        let property = escape_property(&s);
        prop_assert!(!data.contains(['\r', '\n']));
        prop_assert!(!property.contains(['\r', '\n', ':', ',']));
        prop_assert_eq!(unescape(&data, false), s.clone());
        prop_assert_eq!(unescape(&property, true), s);
    }

    #[test]
    fn no_text_of_words_is_read_as_a_command(
        words in prop::collection::vec((0u8..4, hostile()), 0..8),
        colour in any::<bool>(),
    ) {
        let mut text = Text::new();
        for (how, word) in &words {
            match how {
                0 => text.add(word.as_str()),
                1 => text.paint(Style::Fail, word.as_str()),
                2 => text.end(),
                _ => text.lines("  ", word),
            };
        }
        let rendered = text.render(colour);
        for line in runner_lines(&rendered) {
            prop_assert_eq!(runner_reads(line), None, "{:?} in {:?}", line, rendered);
        }
    }

    #[test]
    fn an_annotation_is_read_as_built(file in hostile(), title in hostile(), message in hostile()) {
        let mut text = Text::new();
        text.command(Command::annotation(&Annotation {
            level: Level::Notice,
            file: Some(&file),
            line: Some(7),
            column: Some(1),
            title: Some(&title),
            message: &message,
        }));
        let rendered = text.render(false);
        let lines: Vec<&str> = runner_lines(&rendered).collect();
        prop_assert_eq!(lines.len(), 2, "{:?}", rendered);
        prop_assert!(!lines[0].contains("##["), "{:?}", rendered);
        let read = runner_reads(lines[0]).unwrap();
        prop_assert_eq!(read.name.as_str(), "notice");
        prop_assert_eq!(read.data, clip(&defuse(&sanitize::keep_lines(&message)), MAX_MESSAGE));
        let shown_file = defuse(&sanitize::keep_lines(&file));
        let expected_file = (!shown_file.is_empty() && shown_file.chars().count() <= MAX_PROPERTY)
            .then_some(shown_file);
        let read_file = read.properties.iter().find(|(k, _)| k == "file").map(|(_, v)| v.clone());
        prop_assert_eq!(read_file, expected_file);
    }

    #[test]
    fn escaped_markdown_stays_in_its_cell(s in hostile()) {
        let cell = crate::output::summary::escape(&s);
        prop_assert!(!cell.contains(['\n', '\r']));
        // Every ASCII punctuation character is escaped: none can end the cell, open a tag, a link or a span.
        let mut chars = cell.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                let next = chars.next();
                prop_assert!(next.is_some_and(|n| n.is_ascii_punctuation()), "{:?}", cell);
            } else {
                prop_assert!(!c.is_ascii_punctuation(), "{:?}", cell);
            }
        }
    }
}

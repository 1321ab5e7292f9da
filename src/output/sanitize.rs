//! Untrusted text made safe for a terminal: what a tool printed, a file or job name, a tag, an index's yank
//! reason, a run title. Everything relgate prints passes through [`one_line`] before relgate adds its own colour,
//! so the only escape sequences that reach the terminal are relgate's.
//!
//! Escape sequences (CSI such as `ESC[2J`, OSC 8 links, OSC 52 clipboard writes...) are removed, as a log viewer
//! does; any other control character (BEL, BS, CR, C1 controls such as U+009B, DEL) and the bidirectional
//! overrides that reorder what a line seems to say are shown as `\u{..}` escapes; a newline is shown as `\n`,
//! so that a name with a newline cannot forge a line of the report. Multi-line text (an output excerpt) is split
//! into lines by the renderer, which indents each one.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` as one line a terminal shows literally.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_care) {
        return Cow::Borrowed(text);
    }
    let stripped = anstream::adapter::strip_str(text).to_string();
    let mut out = String::with_capacity(stripped.len());
    for c in stripped.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if needs_care(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A character a terminal would act on instead of showing it, or that reorders the text around it.
fn needs_care(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            one_line("ruff: 3 findings · ok"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_are_removed_and_controls_shown() {
        let cases = [
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("a\u{1b}[2Jb", "ab"),
            ("x\u{1b}]52;c;ZXZpbA==\u{7}y", "xy"),
            (
                "x\u{1b}]8;;https://evil/\u{1b}\\link\u{1b}]8;;\u{1b}\\y",
                "xlinky",
            ),
            ("bell\u{7}", "bell"),
            ("file\nPASS forged", "file\\nPASS forged"),
            ("over\rwrite", "over\\u{d}write"),
            ("c1\u{9b}2J", "c1\\u{9b}2J"),
            ("del\u{7f}", "del"),
            ("bidi\u{202e}txt", "bidi\\u{202e}txt"),
            ("tab\tkept", "tab\tkept"),
            ("naïve ünïcode", "naïve ünïcode"),
        ];
        for (input, shown) in cases {
            assert_eq!(one_line(input), shown, "{input:?}");
        }
    }

    #[test]
    fn nothing_a_terminal_acts_on_survives() {
        // Every code point below 0x100 and the bidi controls, alone and around text.
        let mut all = String::new();
        for c in (0u32..0x100).filter_map(char::from_u32) {
            all.push(c);
            all.push('x');
        }
        all.push_str("\u{202e}\u{2066}");
        let shown = one_line(&all);
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() && c != '\t' || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{shown:?}"
        );
    }
}

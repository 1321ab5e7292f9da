//! Untrusted text made safe for a terminal: what a tool printed, a file or job name, a tag, an index's yank
//! reason, a run title. Everything relgate prints passes through [`one_line`] before relgate adds its own colour,
//! so the only control sequences that reach the terminal are relgate's.
//!
//! Colour codes (SGR, `ESC [ 1;31 m`: what tools print when they think they write to a terminal) are removed.
//! Any other control character is shown, never acted on and never removed with what follows it: an escape
//! sequence (a CSI such as `ESC[2J`, an OSC 8 link, an OSC 52 clipboard write) appears as `\u{1b}]52;c;...`,
//! BEL, BS, CR, DEL, the C1 controls (U+009B...) and the bidirectional overrides that reorder a line as
//! `\u{..}`, and a newline as `\n`, so that a name cannot forge a line of the report and one field cannot hide
//! the next. Multi-line text (an output excerpt) is split into lines by the renderer, which indents each one.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` as one line a terminal shows literally.
pub fn one_line(text: &str) -> Cow<'_, str> {
    shown(text, false)
}

/// `text` shown literally like [`one_line`], but its line breaks (LF, CR) kept, for a workflow command's
/// message that escapes them itself (`%0A`, `%0D`).
pub fn keep_lines(text: &str) -> Cow<'_, str> {
    shown(text, true)
}

fn shown(text: &str, keep_breaks: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_breaks && matches!(c, '\n' | '\r');
    if !text.chars().any(|c| needs_care(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = colour_code(rest) {
            rest = &rest[len..];
            continue;
        }
        match c {
            c if kept(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            c if needs_care(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// A character a terminal would act on instead of showing it (a tab only moves the cursor to the next stop), or
/// that reorders the text around it.
pub(super) fn needs_care(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The length of the colour code at the start of `text`: `ESC [`, digits, `;` or `:`, then `m`.
fn colour_code(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || matches!(b, b';' | b':'))
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
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
    fn colour_codes_are_removed_and_other_controls_shown() {
        let cases = [
            (
                "\u{1b}[31mred\u{1b}[0m \u{1b}[1;38:5:2mbold\u{1b}[m",
                "red bold",
            ),
            ("a\u{1b}[2Jb", "a\\u{1b}[2Jb"),
            (
                "x\u{1b}]52;c;ZXZpbA==\u{7}y",
                "x\\u{1b}]52;c;ZXZpbA==\\u{7}y",
            ),
            (
                "x\u{1b}]8;;https://evil/\u{1b}\\link",
                "x\\u{1b}]8;;https://evil/\\u{1b}\\link",
            ),
            // An unterminated sequence hides nothing that follows it.
            ("job \u{1b}]8;; › step", "job \\u{1b}]8;; › step"),
            ("bell\u{7}", "bell\\u{7}"),
            ("file\nPASS forged", "file\\nPASS forged"),
            ("over\rwrite", "over\\u{d}write"),
            ("c1\u{9b}2J", "c1\\u{9b}2J"),
            ("del\u{7f}", "del\\u{7f}"),
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

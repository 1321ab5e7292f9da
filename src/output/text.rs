//! [`Text`]: what a renderer hands the printer. Words and relgate's styles are kept apart until printed: every
//! word is sanitised as one line (see `sanitize`) and guarded (see `workflow`), line breaks are the renderer's
//! own, and colour is added last, so nothing a word contains can act on the terminal, start a line of its own
//! or be read as a GitHub Actions workflow command.

use std::fmt::{self, Write as _};

use super::sanitize;
use super::workflow::{Command, Guard};

/// relgate's own colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Pass,
    Fail,
    Warn,
    Hint,
    Dim,
}

impl Style {
    fn ansi(self) -> anstyle::Style {
        use anstyle::AnsiColor;
        let colour = |c: AnsiColor| anstyle::Style::new().fg_color(Some(c.into()));
        match self {
            Style::Pass => colour(AnsiColor::Green),
            Style::Fail => colour(AnsiColor::Red).bold(),
            Style::Warn => colour(AnsiColor::Yellow),
            Style::Hint => colour(AnsiColor::Cyan).bold(),
            Style::Dim => anstyle::Style::new().dimmed(),
        }
    }
}

#[derive(Debug, Clone)]
enum Span {
    Words(Option<Style>, String),
    /// One of relgate's own workflow commands, a line of its own.
    Command(Command),
    Break,
}

/// Lines of words, some painted.
#[derive(Debug, Clone, Default)]
pub struct Text {
    spans: Vec<Span>,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    /// Words on the current line; a newline or control character in them is shown, not acted on.
    pub fn add(&mut self, words: impl Into<String>) -> &mut Text {
        self.spans.push(Span::Words(None, words.into()));
        self
    }

    /// Words in one of relgate's colours.
    pub fn paint(&mut self, style: Style, words: impl Into<String>) -> &mut Text {
        self.spans.push(Span::Words(Some(style), words.into()));
        self
    }

    /// End the current line.
    pub fn end(&mut self) -> &mut Text {
        self.spans.push(Span::Break);
        self
    }

    /// Words, then the end of the line.
    pub fn line(&mut self, words: impl Into<String>) -> &mut Text {
        self.add(words).end()
    }

    /// Nothing to print.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Everything `other` holds, after what this one holds.
    pub fn append(&mut self, other: Text) -> &mut Text {
        self.spans.extend(other.spans);
        self
    }

    /// One of relgate's own workflow commands (`--format github`), on a line of its own.
    pub fn command(&mut self, command: Command) -> &mut Text {
        self.spans.push(Span::Command(command));
        self.end()
    }

    /// Every line of a multi-line text (a tool's output), each after `indent`.
    pub fn lines(&mut self, indent: &str, text: &str) -> &mut Text {
        for line in text.lines() {
            self.add(indent).line(line);
        }
        self
    }

    /// The text as the terminal gets it: sanitised and guarded words, relgate's own workflow commands, and
    /// relgate's colour codes when `colour` is on.
    pub fn render(&self, colour: bool) -> String {
        let mut out = String::new();
        let mut guard = Guard::default();
        // Nothing written on the current line yet: a command must start its line.
        let mut fresh = true;
        for span in &self.spans {
            match span {
                Span::Break => {
                    out.push('\n');
                    guard.end_line();
                    fresh = true;
                }
                Span::Command(command) => {
                    if !fresh {
                        out.push('\n');
                    }
                    let _ = write!(out, "{command}");
                    guard.command();
                    fresh = false;
                }
                Span::Words(style, words) => {
                    let words = sanitize::one_line(words);
                    fresh &= words.is_empty();
                    match style {
                        Some(style) if colour => {
                            let ansi = style.ansi();
                            let _ = write!(out, "{}", ansi.render());
                            guard.push(&mut out, &words);
                            let _ = write!(out, "{}", ansi.render_reset());
                        }
                        _ => guard.push(&mut out, &words),
                    }
                }
            }
        }
        out
    }
}

/// The plain form, for tests and messages.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_cannot_start_a_line_or_colour_the_terminal() {
        let mut text = Text::new();
        text.add("  src/x.py\nPASS forged ")
            .paint(Style::Fail, "FAIL\u{1b}[2J")
            .end()
            .lines("    | ", "one\ntwo\u{7}");
        assert_eq!(
            text.render(false),
            "  src/x.py\\nPASS forged FAIL\\u{1b}[2J\n    | one\n    | two\\u{7}\n"
        );
        assert_eq!(
            text.render(true),
            "  src/x.py\\nPASS forged \u{1b}[1m\u{1b}[31mFAIL\\u{1b}[2J\u{1b}[0m\n    | one\n    | two\\u{7}\n"
        );
    }
}

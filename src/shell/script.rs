//! The scanner behind [`super::commands`]: a script's characters read once, quotes, continuations, comments,
//! operators and heredocs tracked.

/// The simple commands of `script`, and whether its quotes pair up. With `multiline` off, a line end closes
/// an open quote.
pub(super) fn scan(script: &str, multiline: bool) -> (Vec<String>, bool) {
    let mut split = Split::default();
    let mut quote: Option<char> = None;
    let mut heredocs: Vec<String> = Vec::new();
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match (quote, c) {
            (Some(_), '\n') if !multiline => {
                quote = None;
                split.end();
                rest = skip_heredocs(rest, &mut heredocs);
            }
            (Some('"'), '\\') => match rest.chars().next() {
                Some('\n') => rest = &rest[1..],
                Some(n) => {
                    split.current.push(c);
                    split.current.push(n);
                    rest = &rest[n.len_utf8()..];
                }
                None => split.current.push(c),
            },
            (Some(q), c) => {
                split.current.push(c);
                if c == q {
                    quote = None;
                }
            }
            (None, '\\' | '`') if continues(rest) && (c == '\\' || split.at_word_start()) => {
                // A continuation: the next line belongs to this command.
                let line_end = rest.find('\n').map_or(rest.len(), |n| n + 1);
                rest = rest[line_end..].trim_start_matches([' ', '\t']);
                let kept = split.current.trim_end().len();
                split.current.truncate(kept);
                split.current.push(' ');
            }
            (None, '\\') => {
                split.current.push(c);
                if let Some(n) = rest.chars().next() {
                    split.current.push(n);
                    rest = &rest[n.len_utf8()..];
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                split.current.push(c);
            }
            (None, '$') if rest.starts_with("{{") => {
                // A GitHub expression (`${{ a && b }}`) is one word, whatever operators it holds.
                let end = rest.find("}}").map_or(rest.len(), |n| n + 2);
                split.current.push(c);
                split.current.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            (None, '#') if split.at_word_start() => {
                rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
            }
            (None, '&') if rest.starts_with('&') => {
                rest = &rest[1..];
                split.end();
            }
            // `2>&1` and `&>file` are redirections; a lone `&` runs the command in the background.
            (None, '&') if split.current.ends_with(['>', '<']) || rest.starts_with('>') => {
                split.current.push(c);
            }
            (None, ';' | '&') => split.end(),
            (None, '|') => {
                if rest.starts_with(['|', '&']) {
                    rest = &rest[1..];
                }
                split.end();
            }
            // `<<<` is a here-string, `<<` a heredoc.
            (None, '<') if rest.starts_with("<<") => {
                split.current.push_str("<<<");
                rest = &rest[2..];
            }
            (None, '<') if rest.starts_with('<') => {
                rest = heredoc(&rest[1..], &mut split.current, &mut heredocs);
            }
            (None, '\n') => {
                split.end();
                rest = skip_heredocs(rest, &mut heredocs);
            }
            (None, c) => split.current.push(c),
        }
    }
    split.end();
    (split.out, quote.is_none())
}

#[derive(Default)]
struct Split {
    out: Vec<String>,
    current: String,
}

impl Split {
    fn end(&mut self) {
        let command = self.current.trim();
        if !command.is_empty() {
            self.out.push(command.to_owned());
        }
        self.current.clear();
    }

    fn at_word_start(&self) -> bool {
        self.current.is_empty() || self.current.ends_with(char::is_whitespace)
    }
}

/// Whether only blanks are left on the line.
fn continues(rest: &str) -> bool {
    let line = rest.split('\n').next().unwrap_or(rest);
    line.trim().is_empty() && rest.contains('\n')
}

/// Reads a heredoc's delimiter after `<<` (kept in the command's text), records it, and returns the rest.
fn heredoc<'a>(rest: &'a str, current: &mut String, heredocs: &mut Vec<String>) -> &'a str {
    let after_dash = rest.strip_prefix('-').unwrap_or(rest);
    let word = after_dash.trim_start_matches([' ', '\t']);
    let len = word
        .find(|c: char| c.is_whitespace() || ";&|<>()".contains(c))
        .unwrap_or(word.len());
    let delimiter: String = word[..len]
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    let consumed = rest.len() - word.len() + len;
    current.push_str("<<");
    current.push_str(&rest[..consumed]);
    if !delimiter.is_empty() {
        heredocs.push(delimiter);
    }
    &rest[consumed..]
}

/// At the start of a line: past the bodies of the heredocs the last line opened. A delimiter that never
/// comes (`$((1 << 2))` is no heredoc) skips nothing.
fn skip_heredocs<'a>(mut rest: &'a str, heredocs: &mut Vec<String>) -> &'a str {
    for delimiter in heredocs.drain(..) {
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            offset += line.len();
            if line.trim() == delimiter {
                rest = &rest[offset..];
                break;
            }
        }
    }
    rest
}

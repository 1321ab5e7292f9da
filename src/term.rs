//! Facts about the terminal: whether stderr is one, and how wide it is; [`printable`] clips text from outside
//! before it is put into a message. Colour and writing are the printer's (`output`), which sanitises every word
//! anyway.

/// Whether stderr is an interactive terminal (live progress is drawn only there).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Text from outside (an index's or an API's error, a token's claims) made safe for a terminal: control
/// characters, escape sequences and line breaks become `?`, so that the text can neither move the cursor nor
/// forge a line of relgate's output. At most 500 characters.
pub fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(500)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(500).is_some() {
        out.push_str("...");
    }
    out
}

/// The width of the terminal on stderr, for progress lines that must fit on one line (80 when unknown).
pub fn stderr_columns() -> usize {
    match rustix::termios::tcgetwinsize(std::io::stderr()) {
        Ok(size) if size.ws_col > 0 => usize::from(size.ws_col),
        _ => 80,
    }
}

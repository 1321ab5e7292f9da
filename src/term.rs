//! Facts about the terminal: whether stderr is one, and how wide it is. Colour and writing are the printer's
//! (`output`).

/// Whether stderr is an interactive terminal (live progress is drawn only there).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// The width of the terminal on stderr, for progress lines that must fit on one line (80 when unknown).
#[allow(unsafe_code, reason = "ioctl(TIOCGWINSZ) fills a plain struct we own")]
pub fn stderr_columns() -> usize {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the pointer we pass, which lives for the call.
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &raw mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

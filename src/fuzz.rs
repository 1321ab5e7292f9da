//! Shared pieces of the property suite ("fuzz" suite) for the readers of untrusted text: the CI log reader
//! (`forensics::fuzz`), the simple-API parsers (`gates::index::fuzz`), the workflow reader
//! (`gates::publish::fuzz`) and the hooks' stdin parsers (`commands::hook::fuzz`); and for one writer, of
//! GitHub Actions workflow commands and the step summary (`output::workflow::fuzz`).
//!
//! Each asserts that arbitrary input never panics and that what comes out stays bounded, and, where a reader
//! has one, a round trip or an invariant on generated well-formed input. The runs are deterministic (a fixed
//! seed, no failure files written into the source tree) and small enough for `cargo test`: the whole suite
//! takes seconds.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// `cases` generated inputs from a fixed seed; a failure is reported (shrunk), never persisted to a file.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x0072_656c_6761_7465),
        ..Config::default()
    }
}

/// Text as a hostile source writes it: any characters (controls, escapes, NUL, non-ASCII, lone surrogates'
/// replacement), with the markup and separators the readers look for mixed in.
pub fn hostile_text(max_len: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => "[ -~]{0,12}",
        1 => Just("\n".to_owned()),
        1 => Just("\r\n".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just("\u{1b}[31m".to_owned()),
        1 => Just("\u{1b}]52;c;aGk=\u{7}".to_owned()),
        1 => Just("\u{0}".to_owned()),
        1 => Just("\u{feff}".to_owned()),
        1 => prop::sample::select(MARKUP).prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..max_len).prop_map(|pieces| pieces.concat())
}

/// Fragments the readers key on: log markers, HTML, YAML, hook lines.
const MARKUP: &[&str] = &[
    "2025-01-01T00:00:00.0000000Z ",
    "##[group]Run ",
    "##[endgroup]",
    "##[error]",
    "Process completed with exit code 1.",
    "<a href=\"",
    "</a>",
    "<meta name=\"pypi:repository-version\" content=\"1.0\">",
    "&amp;",
    "&#x",
    "data-yanked=",
    "\"",
    "'",
    "<",
    ">",
    "jobs:",
    "steps:",
    "- run: ",
    "  ",
    "uses: pypa/gh-action-pypi-publish@release/v1",
    "&anchor ",
    "*anchor",
    "{",
    "}",
    "[",
    "]",
    "refs/tags/",
    "0000000000000000000000000000000000000000",
    "ref:",
    "FAILED ",
    "error: ",
];

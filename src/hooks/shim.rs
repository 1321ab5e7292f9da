//! The shims git runs (hooks/pre-push, hooks/reference-transaction at the top of relgate's source): rendered
//! with the values `relgate install` records, and recognised by their marker line.
//!
//! A shim records the absolute path of the relgate that installed it (GUI git clients run hooks with a minimal
//! PATH; PATH is the fallback), the project's directory when it is not at the top of the working tree, and the
//! hook that was there before (moved aside and run first).

use std::path::Path;

use crate::error::hinted;

use super::Hook;

/// The line that marks a shim as relgate's: `# relgate-hook: <hook> <script version>`.
pub const MARKER: &str = "# relgate-hook: ";
/// Raised whenever the shims change (`install` upgrades a shim whose bytes differ); the tests hold the
/// templates to it.
#[cfg(test)]
pub const VERSION: u32 = 2;

const PRE_PUSH: &str = include_str!("../../hooks/pre-push");
const REFERENCE_TRANSACTION: &str = include_str!("../../hooks/reference-transaction");

/// What a shim records.
pub struct Values<'a> {
    /// The relgate binary to run.
    pub bin: &'a Path,
    /// The project's directory relative to the top of the working tree (empty at the top).
    pub project: &'a str,
    /// The hook that was there before, moved aside, and how to run it.
    pub chained: Option<Chained>,
}

pub struct Chained {
    /// Its file name, next to the shim.
    pub name: String,
    /// The shell that sources it with `$0` unchanged (`sh`, `bash -e`...), or `None` to execute it.
    pub shell: Option<String>,
}

/// The shim's text for these values.
pub fn render(hook: Hook, values: &Values) -> anyhow::Result<String> {
    let template = match hook {
        Hook::PrePush => PRE_PUSH,
        Hook::ReferenceTransaction => REFERENCE_TRANSACTION,
    };
    let (chained, shell) = match &values.chained {
        Some(c) => (c.name.clone(), c.shell.clone().unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let mut text = template.to_owned();
    for (name, value) in [
        ("relgate_bin", utf8(values.bin)?),
        ("relgate_project", values.project.to_owned()),
        ("relgate_chained", chained),
        ("relgate_chain_shell", shell),
    ] {
        let empty = format!("\n{name}=''\n");
        let set = format!("\n{name}={}\n", crate::shell::single_quoted(&value));
        if !text.contains(&empty) {
            // The templates are part of the binary: a missing line is a bug caught by the unit tests.
            return Err(anyhow::anyhow!(
                "the {} template has no `{name}=''` line",
                hook.name()
            ));
        }
        text = text.replacen(&empty, &set, 1);
    }
    Ok(text)
}

/// Whether a hook file's text is one of relgate's shims; returns its hook name and script version.
pub fn parse_marker(text: &[u8]) -> Option<(String, u32)> {
    let head = &text[..text.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let line = head.lines().take(3).find_map(|l| l.strip_prefix(MARKER))?;
    let (name, version) = line.trim().split_once(' ')?;
    Some((name.to_owned(), version.trim().parse().ok()?))
}

/// How to run a hook that was there before so that it still sees its own name in `$0`: POSIX sh and bash
/// scripts are sourced by their shell (`sh -c '. "$hook"' "$0" ...`); husky's dispatchers, for one, find the
/// user's script from `basename "$0"`. Anything else (Python, binaries, unusual shebangs) is executed.
pub fn chain_shell(first_bytes: &[u8]) -> Option<String> {
    let line = first_bytes.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let rest = line.strip_prefix("#!")?.trim();
    let mut words = rest.split_whitespace();
    let mut interpreter = words.next()?;
    if interpreter == "/usr/bin/env" || interpreter == "/bin/env" {
        interpreter = words.next()?;
    }
    let shell = match interpreter {
        "sh" | "/bin/sh" | "/usr/bin/sh" => "sh",
        "dash" | "/bin/dash" | "/usr/bin/dash" => "dash",
        "bash"
        | "/bin/bash"
        | "/usr/bin/bash"
        | "/usr/local/bin/bash"
        | "/opt/homebrew/bin/bash" => "bash",
        _ => return None,
    };
    let mut argv = vec![shell.to_owned()];
    for flag in words {
        let valid = flag.len() > 1
            && flag.starts_with('-')
            && flag[1..].chars().all(|c| c.is_ascii_alphabetic());
        if !valid {
            return None;
        }
        argv.push(flag.to_owned());
    }
    Some(argv.join(" "))
}

fn utf8(path: &Path) -> anyhow::Result<String> {
    path.to_str().map(str::to_owned).ok_or_else(|| {
        hinted(
            format!("{} is not a UTF-8 path", path.display()),
            "install relgate and the repository under paths without non-UTF-8 bytes",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_shims_record_their_values_and_carry_the_marker() {
        for hook in [Hook::PrePush, Hook::ReferenceTransaction] {
            let text = render(
                hook,
                &Values {
                    bin: Path::new("/opt/it's here/relgate"),
                    project: "pkg",
                    chained: Some(Chained {
                        name: "x.relgate-chained".into(),
                        shell: Some("sh -e".into()),
                    }),
                },
            )
            .unwrap();
            assert!(
                text.contains("\nrelgate_bin='/opt/it'\\''s here/relgate'\n"),
                "{text}"
            );
            assert!(text.contains("\nrelgate_project='pkg'\n"));
            assert!(text.contains("\nrelgate_chained='x.relgate-chained'\n"));
            assert!(text.contains("\nrelgate_chain_shell='sh -e'\n"));
            assert_eq!(
                parse_marker(text.as_bytes()),
                Some((hook.name().to_owned(), VERSION))
            );
        }
    }

    #[test]
    fn templates_are_the_current_version() {
        for (hook, text) in [
            (Hook::PrePush, PRE_PUSH),
            (Hook::ReferenceTransaction, REFERENCE_TRANSACTION),
        ] {
            assert_eq!(
                parse_marker(text.as_bytes()),
                Some((hook.name().to_owned(), VERSION))
            );
        }
    }

    #[test]
    fn foreign_hooks_have_no_marker() {
        assert_eq!(parse_marker(b"#!/bin/sh\necho relgate-hook\n"), None);
        assert_eq!(parse_marker(b""), None);
        assert_eq!(parse_marker(&[0xff, 0xfe, 0]), None);
    }

    #[test]
    fn shells_that_can_source_a_hook() {
        assert_eq!(
            chain_shell(b"#!/usr/bin/env sh\n. \"${0%/*}/h\""),
            Some("sh".into())
        );
        assert_eq!(chain_shell(b"#!/bin/sh -e\r\n"), Some("sh -e".into()));
        assert_eq!(chain_shell(b"#!/usr/bin/env bash\n"), Some("bash".into()));
        assert_eq!(chain_shell(b"#!/usr/bin/env python3\n"), None);
        assert_eq!(chain_shell(b"#!/usr/bin/env -S bash -e\n"), None);
        assert_eq!(chain_shell(b"#!/bin/sh -c 'x'\n"), None);
        assert_eq!(chain_shell(b"echo no shebang\n"), None);
        assert_eq!(chain_shell(b"\x7fELF"), None);
    }
}

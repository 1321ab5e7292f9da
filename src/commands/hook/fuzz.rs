//! Properties of the hooks' stdin parsers: any input is parsed or named as an error, never a panic, the error
//! shows a bounded part of the line; git's own lines come back field for field.

use std::fmt::Write as _;

use proptest::prelude::*;

use super::input::{parse_pre_push, parse_transaction};
use crate::fuzz::{config, hostile_text};

/// A full object name, SHA-1 or SHA-256.
fn object_name() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{40}", "[0-9a-f]{64}"]
}

/// A ref name as git allows it (no spaces).
fn ref_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "refs/(heads|tags)/[A-Za-z0-9._/-]{1,30}",
        Just("HEAD".to_owned()),
        "refs/remotes/origin/[a-z]{1,8}",
    ]
}

/// What the user typed as the local side of a push: a ref, `(delete)`, or an expression with spaces.
fn local_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        ref_name(),
        Just("(delete)".to_owned()),
        Just("HEAD@{1 day ago}".to_owned()),
        "HEAD~[0-9]",
    ]
}

#[track_caller]
fn assert_bounded_error(err: &anyhow::Error, hook: &str, lines: usize) {
    let message = err.to_string();
    let prefix = "line ";
    let rest = message
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{message}"));
    let n: usize = rest.split(' ').next().unwrap().parse().unwrap();
    assert!(n >= 1 && n <= lines.max(1), "{message}");
    assert!(
        message.contains(&format!("git's input to the {hook} hook")),
        "{message}"
    );
    // At most 200 characters of the line, escaped (each at most `\u{10ffff}`), plus the sentence.
    assert!(message.chars().count() < 200 * 10 + 200, "{message}");
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn pre_push_never_panics(input in hostile_text(64)) {
        match parse_pre_push(&input) {
            Ok(refs) => prop_assert!(refs.len() <= input.lines().count()),
            Err(err) => assert_bounded_error(&err, "pre-push", input.lines().count()),
        }
    }

    #[test]
    fn transaction_never_panics(input in hostile_text(64)) {
        match parse_transaction(&input) {
            Ok(tags) => {
                prop_assert!(tags.len() <= input.lines().count());
                for tag in &tags {
                    let needle = format!("refs/tags/{}", tag.name);
                    prop_assert!(input.contains(&needle));
                }
            }
            Err(err) => assert_bounded_error(&err, "reference-transaction", input.lines().count()),
        }
    }

    #[test]
    fn pre_push_lines_round_trip(
        refs in prop::collection::vec(
            (local_ref(), object_name(), "refs/(heads|tags)/[A-Za-z0-9._/-]{1,30}"),
            0..8,
        ),
        sha256 in any::<bool>(),
    ) {
        let len = if sha256 { 64 } else { 40 };
        let lines: Vec<(String, String, String, String)> = refs
            .into_iter()
            .map(|(local_ref, local, remote_ref)| {
                let local: String = local.chars().cycle().take(len).collect();
                let remote = "0".repeat(len);
                (local_ref, local, remote_ref, remote)
            })
            .collect();
        let input = lines.iter().fold(String::new(), |mut input, (a, b, c, d)| {
            let _ = writeln!(input, "{a} {b} {c} {d}");
            input
        });
        let parsed = parse_pre_push(&input).unwrap();
        let back: Vec<_> = parsed
            .into_iter()
            .map(|r| (r.local_ref, r.local, r.remote_ref, r.remote))
            .collect();
        prop_assert_eq!(back, lines);
    }

    #[test]
    fn transaction_lines_round_trip(
        updates in prop::collection::vec((object_name(), object_name(), ref_name()), 0..8),
    ) {
        let input = updates.iter().fold(String::new(), |mut input, (old, new, name)| {
            let _ = writeln!(input, "{old} {new} {name}");
            input
        });
        // As git writes it, and as the shim passes it on (one more newline).
        for input in [input.clone(), format!("{input}\n")] {
            let tags = parse_transaction(&input).unwrap();
            let expected: Vec<(String, String, String)> = updates
                .iter()
                .filter_map(|(old, new, name)| {
                    let tag = name.strip_prefix("refs/tags/")?;
                    Some((old.clone(), new.clone(), tag.to_owned()))
                })
                .collect();
            let back: Vec<_> = tags.into_iter().map(|t| (t.old, t.new, t.name)).collect();
            prop_assert_eq!(back, expected);
        }
    }
}

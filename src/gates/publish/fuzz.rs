//! Properties of the workflow reader: any file is read or refused, never a panic, and the verdicts stay short;
//! a generated workflow reads back with its jobs, in order, and is judged whatever its shape.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use proptest::prelude::*;

use super::{Release, analyze, workflow};
use crate::fuzz::{config, hostile_text};
use crate::outcome::CheckResult;

/// A workflow's text: triggers, permissions, jobs with `needs`, environments and steps, some that upload.
fn workflow_text() -> impl Strategy<Value = (String, Vec<String>)> {
    let step = prop_oneof![
        Just("      - uses: actions/checkout@v4".to_owned()),
        Just("      - uses: pypa/gh-action-pypi-publish@release/v1".to_owned()),
        Just("      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.PYPI_TOKEN }}".to_owned()),
        Just("      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: pypi-AgEIcHlwaS5vcmcC".to_owned()),
        Just("      - run: twine upload dist/*".to_owned()),
        Just("      - run: uv run ruff check .".to_owned()),
        Just("      - run: python -m pytest -x".to_owned()),
        Just("      - run: |\n          mypy src\n          uv publish".to_owned()),
        "[a-z0-9 ./=-]{0,30}".prop_map(|s| format!("      - run: '{s}'")),
        Just("      - uses: ./.github/workflows/release.yml".to_owned()),
    ];
    let job = (
        prop::option::of(prop_oneof![
            Just("    permissions:\n      id-token: write".to_owned()),
            Just("    permissions: write-all".to_owned()),
            Just("    permissions: {}".to_owned()),
        ]),
        prop::option::of(prop_oneof![Just("pypi".to_owned()), "[a-z]{1,8}"]),
        prop::collection::vec(step, 0..5),
        any::<bool>(),
    );
    let trigger = prop_oneof![
        Just("on:\n  push:\n    tags: ['v*']".to_owned()),
        Just("on:\n  release:\n    types: [published]".to_owned()),
        Just("on: [push, workflow_dispatch]".to_owned()),
        Just("on:\n  push:\n    tags-ignore: ['*-rc*']\n    branches: [main]".to_owned()),
        "[a-z*?!+\\[\\]-]{1,10}".prop_map(|p| format!("on:\n  push:\n    tags:\n      - '{p}'")),
        Just("on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]".to_owned()),
    ];
    (
        trigger,
        prop::option::of(Just("permissions:\n  id-token: write".to_owned())),
        prop::collection::btree_set("[a-z][a-z0-9_-]{0,8}", 1..5),
        prop::collection::vec(job, 5),
    )
        .prop_map(|(trigger, permissions, ids, jobs)| {
            let ids: Vec<String> = ids.into_iter().collect();
            let mut text = format!("name: Release\n{trigger}\n");
            if let Some(p) = permissions {
                text.push_str(&p);
                text.push('\n');
            }
            text.push_str("jobs:\n");
            for (i, (id, (permissions, environment, steps, needs_previous))) in
                ids.iter().zip(jobs).enumerate()
            {
                let _ = write!(text, "  {id}:\n    runs-on: ubuntu-latest\n");
                if needs_previous && i > 0 {
                    let _ = writeln!(text, "    needs: [{}]", ids[i - 1]);
                } else if needs_previous {
                    text.push_str("    needs: missing\n");
                }
                if let Some(p) = permissions {
                    text.push_str(&p);
                    text.push('\n');
                }
                if let Some(e) = environment {
                    let _ = writeln!(text, "    environment: {e}");
                }
                text.push_str("    steps:\n");
                if steps.is_empty() {
                    text.push_str("      - run: echo\n");
                }
                for s in steps {
                    text.push_str(&s);
                    text.push('\n');
                }
            }
            (text, ids)
        })
}

fn judge(files: &[(String, String)]) -> Vec<CheckResult> {
    let tags = ["v1.0.0".to_owned()];
    let release = Release {
        remote: Some("git@github.com:acme/widget.git"),
        project: Some("widget"),
        tags: &tags,
    };
    let local = vec!["ruff".to_owned()];
    let configured: BTreeSet<String> = ["ruff", "mypy", "pytest"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    analyze(files, &release, &local, &configured)
}

#[track_caller]
fn assert_short(results: &[CheckResult], input_len: usize) {
    assert_eq!(results.len(), 2);
    for result in results {
        // The message names files, jobs, steps and fixes: it grows with the file, never beyond it.
        assert!(
            result.message.len() <= 2 * input_len + 2048,
            "{}",
            result.message
        );
        assert!(result.details.len() <= 64, "{:?}", result.details);
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_file_is_read_or_refused(text in hostile_text(200)) {
        let _ = workflow::parse(".github/workflows/x.yml", &text);
        let files = vec![(".github/workflows/x.yml".to_owned(), text.clone())];
        assert_short(&judge(&files), text.len());
    }

    #[test]
    fn a_generated_workflow_reads_back_and_is_judged((text, ids) in workflow_text()) {
        let parsed = workflow::parse(".github/workflows/release.yml", &text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let read: Vec<&str> = parsed.jobs.iter().map(|j| j.id.as_str()).collect();
        prop_assert_eq!(read, ids.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(parsed.file, "release.yml");
        let files = vec![
            (".github/workflows/release.yml".to_owned(), text.clone()),
            (".github/workflows/other.yml".to_owned(), "on: push\njobs: {}\n".to_owned()),
        ];
        assert_short(&judge(&files), text.len());
    }
}

use std::fmt::Write as _;
use std::io::Cursor;

use super::*;
use crate::forensics::{Form, RunLog, gh, raw};

/// A job log from `steps`: each `(script, output lines)`, a step that prints `##[error]` failing.
fn log(source: &str, steps: &[(&str, &[&str])]) -> RunLog {
    let mut text = String::from("2025-01-01T00:00:00.0000000Z Complete job name: build\n");
    for (script, output) in steps {
        let _ = write!(
            text,
            "2025-01-01T00:00:01.0000000Z ##[group]Run {script}\n2025-01-01T00:00:01.0000000Z {script}\n2025-01-01T00:00:01.0000000Z shell: /usr/bin/bash -e {{0}}\n2025-01-01T00:00:01.0000000Z env:\n2025-01-01T00:00:01.0000000Z   pythonLocation: /opt/hostedtoolcache/Python/3.12.9/x64\n2025-01-01T00:00:01.0000000Z   FORCE_COLOR: 1\n2025-01-01T00:00:01.0000000Z ##[endgroup]\n"
        );
        for line in *output {
            let _ = writeln!(text, "2025-01-01T00:00:02.0000000Z {line}");
        }
    }
    let job = raw::read(Cursor::new(text), true, false).unwrap();
    RunLog {
        form: Form::JobLog,
        source: source.into(),
        run_id: None,
        event: None,
        workflow: None,
        jobs: vec![job],
    }
}

fn side(log: &RunLog) -> Side<'_> {
    Side {
        log,
        api: None,
        workflow: None,
        workflow_read_at: None,
    }
}

const FAIL: &str = "##[error]Process completed with exit code 1.";

#[test]
fn steps_align_in_order_with_the_others_between() {
    let good = log("good", &[("a", &[]), ("b", &[]), ("c", &[]), ("d", &[])]);
    let bad = log("bad", &[("a", &[]), ("c", &[]), ("e", &[FAIL]), ("d", &[])]);
    let c = compare(&side(&good), &side(&bad));
    let rows: Vec<String> = c.jobs[0]
        .steps
        .iter()
        .map(|s| format!("{} {} {}", s.step, s.good.as_str(), s.bad.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            "Run a passed passed",
            "Run b passed absent",
            "Run c passed passed",
            "Run e absent failed",
            "Run d passed passed"
        ]
    );
    let first = c.first_difference.unwrap();
    assert_eq!(
        (first.step.as_str(), first.good, first.bad),
        ("Run b", StepOutcome::Passed, StepOutcome::Absent)
    );
    assert_eq!(
        c.conclusion.map(|c| c.cause),
        Some("step \"Run e\" (other) failed in the bad run and did not run in the good run: the good run's success says nothing about it".to_string())
    );
}

#[test]
fn the_environment_of_the_failed_step_python_packages_and_env() {
    let good = log(
        "good",
        &[
            (
                "pip install mypy",
                &[
                    "Successfully set up CPython (3.11.9)",
                    "Successfully installed mypy-1.14.0 pytest-8.3.5",
                ],
            ),
            ("mypy src", &["Success: no issues found in 3 source files"]),
        ],
    );
    let mut bad_text = log(
        "bad",
        &[
            (
                "pip install mypy",
                &[
                    "Successfully set up CPython (3.12.9)",
                    "Successfully installed mypy-1.15.0 pytest-8.3.5 rich-13.9.4",
                ],
            ),
            (
                "mypy src",
                &[
                    "src/x.py:1: error: Name \"y\" is not defined  [name-defined]",
                    "Found 1 error in 1 file (checked 3 source files)",
                    FAIL,
                ],
            ),
        ],
    );
    // The failed step's header shows another env: the setup-python variables are left out, the others compared.
    if let Some(header) = bad_text.jobs[0].steps[2].headers.first_mut() {
        header.1.env.push(("MYPY_FORCE_COLOR".into(), "1".into()));
        header.1.env[0].1 = "/opt/hostedtoolcache/Python/3.12.9/x64".into();
    }
    let c = compare(&side(&good), &side(&bad_text));
    let shown: Vec<String> = c
        .environment
        .iter()
        .map(|d| {
            format!(
                "{} {} {} -> {}",
                d.kind.as_str(),
                d.name,
                d.good.as_deref().unwrap_or("?"),
                d.bad.as_deref().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "python python CPython 3.11.9 -> CPython 3.12.9",
            "package mypy 1.14.0 -> 1.15.0",
            "package rich (none) -> 13.9.4",
            "env MYPY_FORCE_COLOR (none) -> 1",
        ]
    );
    assert_eq!(
        c.conclusion.map(|c| (c.cause, c.check)),
        Some((
            "step \"Run mypy src\" (type) ran in both runs with a different mypy: 1.14.0 in the good run, 1.15.0 in the bad run; pin mypy to the version you check with, or fix what mypy 1.15.0 reports".to_string(),
            "relgate check --only type".to_string()
        ))
    );
}

/// `gh run view --log-failed` holds only the failed steps: a step missing from it is not a difference.
#[test]
fn a_log_of_failed_steps_only_is_partial() {
    let text = "build\tRun mypy src\t2025-01-01T00:00:01.0000000Z ##[group]Run mypy src\nbuild\tRun mypy src\t2025-01-01T00:00:01.0000000Z shell: /usr/bin/bash -e {0}\nbuild\tRun mypy src\t2025-01-01T00:00:01.0000000Z ##[endgroup]\nbuild\tRun mypy src\t2025-01-01T00:00:02.0000000Z ##[error]Process completed with exit code 1.\n";
    let bad = RunLog {
        form: Form::GhLog,
        source: "bad".into(),
        run_id: None,
        event: None,
        workflow: None,
        jobs: gh::read(Cursor::new(text)).unwrap(),
    };
    let good = log("good", &[("ruff check .", &[]), ("mypy src", &[])]);
    let c = compare(&side(&good), &side(&bad));
    let first = c.first_difference.unwrap();
    assert_eq!(
        (first.step.as_str(), first.bad),
        ("Run mypy src", StepOutcome::Failed)
    );
    assert!(
        c.notes[0].starts_with("the bad run's log holds only its failed steps"),
        "{:?}",
        c.notes
    );
}

#[test]
fn workflow_paths_from_claims() {
    assert_eq!(
        workflow_path("acme/demo/.github/workflows/release.yml@refs/tags/v1.4.0").as_deref(),
        Some(".github/workflows/release.yml")
    );
    assert_eq!(workflow_path("release.yml"), None);
}

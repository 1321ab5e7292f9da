use std::path::PathBuf;

use super::*;
use crate::outcome::{CheckResult, Finding, Kind, Severity, Verdict};
use crate::report::{ProjectInfo, TagInfo, VersionValidation, WorkspaceInfo, WorkspaceMode};

fn report(checks: Vec<CheckResult>, subdir: &str) -> Report {
    Report {
        relgate_version: "0.1.0",
        status: Verdict::Pass,
        project: ProjectInfo {
            name: Some("demo".into()),
            version: Some("1.0.0".into()),
            version_source: Some("static"),
            file: Some("pyproject.toml".into()),
            line: Some(3),
        },
        tag: Some(TagInfo {
            name: "v1.0.1".into(),
            version: Some("1.0.1".into()),
            commit: "0123456789abcdef".into(),
        }),
        workspace: WorkspaceInfo {
            mode: WorkspaceMode::InPlace,
            note: None,
        },
        checks,
        version_validation: VersionValidation::default(),
        subdir: PathBuf::from(subdir),
    }
    .finish()
}

fn finding(file: &str, line: u32, code: &str, severity: Severity) -> Finding {
    Finding {
        file: Some(file.into()),
        line: Some(line),
        column: Some(2),
        kind: "lint".into(),
        severity,
        code: Some(code.into()),
        message: format!("{code} here"),
        fix_suggestion: None,
    }
}

#[test]
fn checks_are_groups_findings_annotations_and_paths_start_at_the_repository_root() {
    let mut ruff = CheckResult::fail("ruff", Kind::Lint, "1 error: F401");
    ruff.issues.push(Finding {
        fix_suggestion: Some("ruff check --fix src/x.py".into()),
        ..finding("src/x.py", 1, "F401", Severity::Error)
    });
    ruff.issues.push(Finding {
        file: Some("/elsewhere/y.py".into()),
        ..finding("", 4, "E1", Severity::Warning)
    });
    let mut docs = CheckResult::fail("docs", Kind::Build, "`make docs` exited with 2");
    docs.required = false;
    docs.details
        .push("output:\n  ::set-output name=x::y\n  ##[error]z".into());
    let report = report(
        vec![
            CheckResult::fail("version", Kind::Version, "tag v1.0.1 says 1.0.1").detail("retag it"),
            CheckResult::pass("version-order", Kind::Version, "first"),
            ruff,
            docs,
        ],
        "pkg",
    );
    assert_eq!(
        render(&report, false, false).to_string(),
        "relgate 0.1.0 · demo 1.0.0 (pyproject.toml:3, static) · tag v1.0.1 at 0123456\n\
         ::group::version ......... FAIL     0 ms  tag v1.0.1 says 1.0.1\n  \
         retag it\n\
         ::endgroup::\n\
         version-order ... pass     0 ms  first\n\
         ::group::ruff ............ FAIL     0 ms  1 error: F401\n  \
         src/x.py:1:2 F401 F401 here  (fix: ruff check --fix src/x.py)\n  \
         /elsewhere/y.py:4:2 E1 E1 here\n\
         ::endgroup::\n\
         ::group::docs ............ warn     0 ms  `make docs` exited with 2\n  \
         output:\n    \
         \\::set-output name=x::y\n    \
         ##\\[error]z\n\
         ::endgroup::\n\
         ::error file=pkg/pyproject.toml,line=3,title=relgate version::tag v1.0.1 says 1.0.1%0Aretag it\n\
         ::error file=pkg/src/x.py,line=1,col=2,title=ruff F401::F401 here%0Afix: ruff check --fix src/x.py\n\
         ::warning title=ruff E1::/elsewhere/y.py:4: E1 here\n\
         ::warning title=relgate docs::`make docs` exited with 2%0Aoutput:%0A  ::set-output name=x::y%0A  ##\\[error]z\n\
         FAIL 2 of 4 checks did not pass, 1 optional with warnings: do not release\n  \
         next: retag it\n"
    );
}

#[test]
fn annotations_are_shared_between_checks_within_githubs_limit() {
    let check = |name: &str, n: u32| {
        let mut c = CheckResult::fail(name, Kind::Lint, format!("{n} errors"));
        c.issues = (1..=n)
            .map(|i| finding("a.py", i, name, Severity::Error))
            .collect();
        c
    };
    let mut notes = check("notes", 12);
    for f in &mut notes.issues {
        f.severity = Severity::Note;
    }
    let report = report(
        vec![check("a", 30), check("b", 5), check("c", 1), notes],
        "",
    );
    let (commands, left_out) = annotations(&report);
    let titles: Vec<String> = commands
        .iter()
        .map(|c| {
            let line = c.to_string();
            let level = &line[2..line.find(' ').unwrap()];
            let title = line.split("title=").nth(1).unwrap();
            format!("{level}: {}", &title[..title.find("::").unwrap()])
        })
        .collect();
    // Rounds: a b c notes, a b notes, a b notes, a b notes, notes...: each check's first annotation is in, in
    // the report's order; `notes` has only notices, so its failure is an error of its own, first.
    let mut expected = vec!["error: a a"; 4];
    expected.extend(vec!["error: b b"; 4]);
    expected.extend(["error: c c", "error: relgate notes"]);
    expected.extend(vec!["notice: notes notes"; 10]);
    assert_eq!(titles, expected);
    assert_eq!(left_out, 26 + 1 + 2);
}

#[test]
fn paths_outside_the_repository_are_not_given_to_github() {
    let sub = Path::new("pkg");
    assert_eq!(repo_path(sub, "src/x.py").as_deref(), Some("pkg/src/x.py"));
    assert_eq!(repo_path(sub, "./src/../x.py").as_deref(), Some("pkg/x.py"));
    assert_eq!(
        repo_path(sub, "../other/x.py").as_deref(),
        Some("other/x.py")
    );
    assert_eq!(repo_path(sub, "../../x.py"), None);
    assert_eq!(repo_path(sub, "/abs/x.py"), None);
    assert_eq!(repo_path(Path::new(""), "x.py").as_deref(), Some("x.py"));
    assert_eq!(repo_path(Path::new(""), "."), None);
}

#[test]
fn the_summary_is_a_table_of_the_checks_with_untrusted_text_escaped() {
    let mut evil = CheckResult::fail(
        "x|y",
        Kind::Test,
        "<img src=x> [a](https://e) `c`\n| forged | row |",
    );
    evil.required = false;
    let report = report(
        vec![CheckResult::pass("ruff", Kind::Lint, "no issues"), evil],
        "",
    );
    assert_eq!(
        summary(&report).markdown(),
        "### relgate check\\: PASS 2 checks passed\\, 1 optional with warnings\\: ready to release\n\
         \n\
         relgate 0\\.1\\.0 · demo 1\\.0\\.0 \\(pyproject\\.toml\\:3\\, static\\) · tag v1\\.0\\.1 at 0123456\n\
         \n\
         | Check | Kind | Status | Duration | Message |\n\
         |---|---|---|---|---|\n\
         | ruff | lint | ✅ pass | 0 ms | no issues |\n\
         | x\\|y | test | ⚠️ warn | 0 ms | \\<img src\\=x\\> \\[a\\]\\(https\\:\\/\\/e\\) \\`c\\`\\\\n\\| forged \\| row \\| |\n"
    );
}

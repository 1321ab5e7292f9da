//! The settings of relgate's own checks (`[tool.relgate.checks.NAME]`): each is honoured by `relgate check` and
//! reported as applied by `relgate checks`, or refused with an error; `--fail-fast` and optional checks; a
//! version that cannot be read; `relgate checks` with the selection options of `relgate check`.

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};
use crate::runner::{check, count, normalize, path_with_bin, script, v, verdicts};

/// A project declaring 1.0.0 whose history already holds v2.0.0: tag v1.0.0 at HEAD goes backwards.
/// `tables` are appended to pyproject.toml.
fn backwards(tables: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!("{}{tables}", pyproject("mypkg", "1.0.0")),
    )
    .commit("first")
    .tag("v2.0.0");
    repo.commit("second").tag("v1.0.0");
    repo
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `relgate ARGS` with `$HOME/bin` on PATH; the repository must be unchanged.
#[track_caller]
fn relgate(repo: &TestRepo, args: &[&str]) -> Out {
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .env("PATH", path_with_bin(repo))
        .env_remove("VIRTUAL_ENV")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout(&out),
        stderr: stderr(&out),
    }
}

#[track_caller]
fn json(repo: &TestRepo, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = relgate(repo, &all);
    let doc = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", out.stdout, out.stderr));
    (out.code, doc)
}

/// `(name, required, timeout_s)` of each check `relgate checks` lists.
fn listed(doc: &Value) -> Vec<(String, bool, Option<f64>)> {
    doc.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["required"].as_bool().unwrap(),
                c["timeout_s"].as_f64(),
            )
        })
        .collect()
}

fn l(name: &str, required: bool, timeout: Option<f64>) -> (String, bool, Option<f64>) {
    (name.to_owned(), required, timeout)
}

#[test]
fn an_optional_version_order_warns_and_checks_says_so() {
    let repo = backwards("\n[tool.relgate.checks.version-order]\nrequired = false\n");
    let out = relgate(&repo, &["check", "--only", "version"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
         version ............. pass N ms  tag v1.0.0 matches the declared version 1.0.0 (pyproject.toml:3)\n  \
         version-order ....... warn N ms  1.0.0 goes backwards: v2.0.0 (2.0.0, at <sha>) is a final release already in this commit's history\n      \
         a final release must be greater than every final release before it: release a version greater than 2.0.0 (a maintenance release goes on a branch that does not contain v2.0.0), or set [tool.relgate] monotonic = false\n  \
         version-uploadable .. pass N ms  1.0.0 is a final release\n\
         PASS 3 checks passed, 1 optional with warnings: ready to release\n"
    );
    let (code, doc) = json(&repo, &["check", "--only", "version"]);
    assert_eq!((code, &doc["status"]), (0, &"pass".into()));
    assert_eq!(doc["checks"][1]["required"], false);
    let (code, doc) = json(&repo, &["checks", "--only", "version"]);
    assert_eq!(code, 0);
    assert_eq!(
        listed(&doc),
        [
            l("version", true, None),
            l("version-order", false, None),
            l("version-uploadable", true, None),
        ]
    );
}

#[test]
fn required_false_is_honoured_by_every_version_check_and_the_index() {
    // The declared version disagrees with the tag, the release goes backwards, HEAD carries a second release
    // tag, and the index (a closed port) cannot be asked: every one is optional, so the gate passes.
    let tables = "\n[tool.relgate.checks.version]\nrequired = false\n\
                  [tool.relgate.checks.version-order]\nrequired = false\n\
                  [tool.relgate.checks.version-tags]\nrequired = false\n\
                  [tool.relgate.checks.index]\nrequired = false\n";
    let repo = backwards(tables);
    repo.tag("v1.0.1");
    let (code, doc) = json(
        &repo,
        &["check", "--only", "version,index", "--tag", "v1.0.1"],
    );
    assert_eq!(code, 0, "{doc:#}");
    let got: Vec<(String, String, bool)> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["required"].as_bool().unwrap(),
            )
        })
        .collect();
    let row = |n: &str, s: &str, r: bool| (n.to_owned(), s.to_owned(), r);
    assert_eq!(
        got,
        [
            row("version", "fail", false),
            row("version-order", "fail", false),
            row("version-uploadable", "pass", true),
            row("index", "error", false),
        ]
    );
    // Without --tag, HEAD's two tags disagree: version-tags fails, optionally.
    let (code, doc) = json(&repo, &["check", "--only", "version"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc)
            .into_iter()
            .map(|(name, status, _)| (name, status))
            .collect::<Vec<_>>(),
        [
            ("version".to_owned(), "fail".to_owned()),
            ("version-order".to_owned(), "fail".to_owned()),
            ("version-uploadable".to_owned(), "pass".to_owned()),
            ("version-tags".to_owned(), "fail".to_owned()),
        ]
    );
    assert_eq!(doc["checks"][3]["required"], false);
    let (_, doc) = json(&repo, &["checks", "--only", "version,index"]);
    assert_eq!(
        listed(&doc),
        [
            l("version", false, None),
            l("version-order", false, None),
            l("version-uploadable", true, None),
            l("version-tags", false, None),
            l("index", false, None),
        ]
    );
}

#[test]
fn enabled_false_leaves_a_check_out_of_the_run_and_the_listing() {
    let repo = backwards(
        "\n[tool.relgate.checks.version-order]\nenabled = false\n\
         [tool.relgate.checks.version-uploadable]\nenabled = false\n\
         [tool.relgate.checks.version-tags]\nenabled = false\n\
         [tool.relgate.checks.index]\nenabled = false\n",
    );
    // A second release tag at HEAD naming another version: version-tags would fail.
    repo.tag("v0.9.0");
    let (code, doc) = json(&repo, &["check", "--only", "version,index"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc),
        [v(
            "version",
            "pass",
            "tag v1.0.0 matches the declared version 1.0.0 (pyproject.toml:3)"
        )]
    );
    let (_, doc) = json(&repo, &["checks", "--only", "version,index"]);
    assert_eq!(listed(&doc), [l("version", true, None)]);

    // And the last one: with `version` off too, nothing of the kind is left.
    let repo = backwards("\n[tool.relgate.checks.version]\nenabled = false\n");
    let (code, doc) = json(&repo, &["check", "--only", "version"]);
    assert_eq!(code, 1, "{doc:#}");
    let names: Vec<String> = verdicts(&doc).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(names, ["version-order", "version-uploadable"]);
}

#[test]
fn a_setting_a_check_would_ignore_is_refused() {
    for (table, message, hint) in [
        (
            "[tool.relgate.checks.version-order]\ntimeout = 5\n",
            "error: pyproject.toml:5: tool.relgate.checks.version-order.timeout: `version-order` runs no command that a timeout could stop",
            "hint: remove the key: this check runs no command and takes milliseconds",
        ),
        (
            "[tool.relgate.checks.index]\ntimeout = 5\n",
            "error: pyproject.toml:5: tool.relgate.checks.index.timeout: `index` runs no command that a timeout could stop",
            "hint: remove the key; the index's time limit is tool.relgate.index-timeout",
        ),
        (
            "[tool.relgate.checks.metadata]\nkind = \"lint\"\n",
            "error: pyproject.toml:5: [tool.relgate.checks.metadata] kind = \"lint\" contradicts metadata, which relgate runs as a publish check",
            "hint: remove the key (the kind of metadata is publish), or give your check another name to make it a custom check",
        ),
        (
            "[tool.relgate.checks.version]\nrun = [\"true\"]\n",
            "error: pyproject.toml:5: tool.relgate.checks.version.run: `version` is relgate's own check; its command cannot be replaced",
            "hint: give your check another name, e.g. [tool.relgate.checks.my-version]",
        ),
        (
            "[tool.relgate]\nbuild = true\n[tool.relgate.checks.build]\nenabled = false\n",
            "error: pyproject.toml:7: tool.relgate.checks.build.enabled = false contradicts tool.relgate.build = true",
            "hint: keep one of the two settings",
        ),
        (
            "[tool.relgate]\nindex = \"required\"\n[tool.relgate.checks.index]\nrequired = false\n",
            "error: pyproject.toml:7: tool.relgate.checks.index.required = false contradicts tool.relgate.index = \"required\"",
            "hint: keep one of the two settings",
        ),
        (
            "[tool.relgate.checks.mypy]\nkind = \"test\"\n",
            "error: pyproject.toml:5: [tool.relgate.checks.mypy] kind = \"test\" contradicts mypy, which relgate runs as a type check",
            "hint: remove the key (the kind of mypy is type), or give your check another name to make it a custom check",
        ),
    ] {
        let repo = TestRepo::new();
        repo.write(
            "pyproject.toml",
            &format!("{}\n{table}", pyproject("mypkg", "1.0.0")),
        )
        .commit("release")
        .tag("v1.0.0");
        for command in ["check", "checks"] {
            let out = relgate(&repo, &[command, "--only", "version"]);
            assert_eq!(
                (out.code, out.stdout.as_str(), out.stderr.as_str()),
                (2, "", format!("{message}\n{hint}\n").as_str()),
                "{command} with {table}"
            );
        }
    }
}

#[test]
fn a_failed_optional_check_does_not_stop_the_others_under_fail_fast() {
    // version-order fails first (it is decided before the runner starts), then lint-a fails optionally:
    // neither may cancel the counting checks that come after them with one job at a time.
    let repo = backwards(&format!(
        "\n[tool.relgate.checks.version-order]\nrequired = false\n{}{}{}",
        check(
            "lint-a",
            "lint",
            r#""sh", "-c", "exit 1""#,
            "required = false\n"
        ),
        check("lint-b", "lint", r#""counter""#, ""),
        check("test-c", "test", r#""counter""#, ""),
    ));
    script(&repo, "counter", "echo run >> \"$HOME/count\"\n");
    let (code, doc) = json(
        &repo,
        &[
            "check",
            "--only",
            "version,lint,test",
            "-j",
            "1",
            "--fail-fast",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(count(&repo), 2);
    let statuses: Vec<(String, String)> =
        verdicts(&doc).into_iter().map(|(n, s, _)| (n, s)).collect();
    let s = |n: &str, st: &str| (n.to_owned(), st.to_owned());
    assert_eq!(
        statuses,
        [
            s("version", "pass"),
            s("version-order", "fail"),
            s("version-uploadable", "pass"),
            s("lint-a", "fail"),
            s("lint-b", "pass"),
            s("test-c", "pass"),
        ]
    );
}

/// A project whose version relgate cannot read (dynamic, no source it knows), with a lint check of its own.
fn unreadable_version() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"mypkg\"\ndynamic = [\"version\"]\n{}",
            check("lint", "lint", r#""true""#, "")
        ),
    )
    .commit("release");
    repo
}

#[test]
fn a_version_that_cannot_be_read_fails_only_the_version_checks() {
    let repo = unreadable_version();
    let out = relgate(&repo, &["check", "--only", "lint", "--no-cache"]);
    assert_eq!(
        (out.code, normalize(&out.stdout, &repo).as_str()),
        (
            0,
            "relgate 0.1.0 · the project's name and version could not be read · no release tag at HEAD\n  \
             workspace: no release tag at HEAD: the working tree was checked as it is\n  \
             lint ............ pass N ms  `true` exited with 0\n\
             PASS 1 checks passed: ready to release\n"
        ),
        "{}",
        out.stderr
    );

    let (code, doc) = json(&repo, &["check", "--only", "version,index,lint"]);
    assert_eq!((code, &doc["status"]), (1, &"error".into()), "{doc:#}");
    let got = verdicts(&doc);
    assert_eq!(got[0].0, "version");
    assert_eq!(got[0].1, "error");
    assert!(
        got[0].2.starts_with(
            "cannot determine the version statically (pyproject.toml names no build backend, so pip builds with setuptools): pyproject.toml lists the version in [project] dynamic"
        ),
        "{}",
        got[0].2
    );
    assert!(
        doc["checks"][0]["details"][0]
            .as_str()
            .unwrap()
            .starts_with("tell relgate where the version is: [tool.relgate] version-file"),
        "{doc:#}"
    );
    assert_eq!(
        got[1..],
        [
            v(
                "version-order",
                "skipped",
                "no release version to compare with the history"
            ),
            v(
                "version-uploadable",
                "skipped",
                "no release version to check"
            ),
            v(
                "index",
                "skipped",
                "no release version to look up on the package index (see the version checks)"
            ),
            v("lint", "pass", "`true` exited with 0"),
        ]
    );
}

#[test]
fn checks_takes_the_selection_options_of_check() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        &format!(
            "{}{}",
            pyproject("mypkg", "1.0.0"),
            check("lint", "lint", r#""true""#, "")
        ),
    )
    .commit("release")
    .tag("v1.0.0");
    repo.write(
        "pyproject.toml",
        &format!(
            "{}{}",
            pyproject("mypkg", "1.1.0"),
            check("lint", "lint", r#""true""#, "")
        ),
    )
    .commit("next");

    // --tag: the tag's content is listed (its lint check), from an isolated export.
    let out = relgate(
        &repo,
        &[
            "checks",
            "--tag",
            "v1.0.0",
            "--only",
            "version,lint",
            "--offline",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        normalize(&out.stdout, &repo),
        "workspace: tag v1.0.0 is at <sha>; HEAD is at <sha>: the checks ran on an isolated export of the tag\n\
         version              version  the tag names the declared version\n\
         version-order        version  newer than every release tag in its history\n\
         version-uploadable   version  no local or .dev version\n\
         lint                 lint     true\n"
    );
    // --skip, --offline, --index-url.
    let (code, doc) = json(
        &repo,
        &[
            "checks",
            "--tag",
            "v1.0.0",
            "--only",
            "version,index",
            "--skip",
            "version-order",
            "--offline",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        doc.as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["reason"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [
            ("version", "the tag names the declared version"),
            ("version-uploadable", "no local or .dev version"),
            ("index", "not asked: --offline"),
        ]
    );
    let out = relgate(&repo, &["checks", "--tag", "v9.9.9"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "error: there is no tag named \"v9.9.9\" in this repository\nhint: list the tags with `git tag --list`, or create it first\n"
        )
    );
}

#[test]
fn a_skip_that_names_nothing_is_refused() {
    let repo = backwards("");
    for command in ["check", "checks"] {
        let out = relgate(&repo, &[command, "--skip", "version-ordre"]);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (
                2,
                "",
                "error: --skip: \"version-ordre\" is neither a check nor a kind of check\n\
                 hint: give a kind (version, lint, format, type, test, index, publish, build) or a check's name (`relgate checks` lists this project's)\n"
            ),
            "{command}"
        );
    }
}

#[test]
fn the_github_audit_is_a_registered_advisory_check() {
    let repo = backwards("\n[tool.relgate]\ngithub-audit = true\n");
    let (code, doc) = json(&repo, &["checks", "--only", "publish", "--offline"]);
    assert_eq!(code, 0);
    let github = doc
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "github")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(
        (&github["reason"], &github["required"]),
        (&"not asked: --offline".into(), &false.into())
    );
    let (code, doc) = json(&repo, &["check", "--only", "publish", "--offline"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc).last().unwrap(),
        &v("github", "skipped", "--offline: GitHub is not asked")
    );
    // Switched on only by github-audit.
    let repo = backwards("\n[tool.relgate.checks.github]\nenabled = true\n");
    let out = relgate(&repo, &["checks"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "error: pyproject.toml:5: tool.relgate.checks.github.enabled = true: the GitHub audit is switched on by tool.relgate.github-audit = true\n\
             hint: set tool.relgate.github-audit = true instead\n"
        )
    );
}

//! `relgate check`: the version gate against real tags, the report, the exit codes, and bad input.

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};

/// A repository with one commit declaring `version`.
fn project(version: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("mypkg", version))
        .commit("release");
    repo
}

/// Run `relgate check --only version --format json`; returns the exit code and the document.
#[track_caller]
fn check_json(repo: &TestRepo, extra: &[&str]) -> (i32, Value) {
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .args(["check", "--only", "version", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
    (out.status.code().unwrap(), doc)
}

/// The status and message of each check, in order.
fn verdicts(doc: &Value) -> Vec<(String, String, String)> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn v(name: &str, status: &str, message: &str) -> (String, String, String) {
    (name.to_owned(), status.to_owned(), message.to_owned())
}

/// Human output with durations and commit ids made stable.
fn normalize(text: &str, repo: &TestRepo) -> String {
    let mut text = text.to_owned();
    for line in repo.git(&["log", "--all", "--format=%H"]).lines() {
        text = text.replace(line, "<sha>").replace(&line[..7], "<sha>");
    }
    regex_replace(&text, r" +\d+(\.\d)? (ms|s)  ", " N ms  ")
}

fn regex_replace(text: &str, pattern: &str, with: &str) -> String {
    regex::Regex::new(pattern)
        .unwrap()
        .replace_all(text, with)
        .into_owned()
}

#[test]
fn matching_v_prefixed_tag_passes_with_exact_report() {
    let repo = project("1.4.0");
    repo.tag("v1.4.0");
    let out = repo
        .relgate()
        .args(["check", "--only", "version"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · mypkg 1.4.0 (pyproject.toml:3, static) · tag v1.4.0 at <sha>\n  \
         version ............. pass N ms  tag v1.4.0 matches the declared version 1.4.0 (pyproject.toml:3)\n  \
         version-order ....... pass N ms  1.4.0 is the first release tag in its history\n  \
         version-uploadable .. pass N ms  1.4.0 is a final release\n\
         PASS 3 checks passed: ready to release\n"
    );
}

#[test]
fn bare_and_annotated_tags_are_release_tags() {
    let repo = project("1.4.0");
    repo.annotated_tag("1.4.0");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["tag"]["name"], "1.4.0");
    assert_eq!(
        doc["tag"]["commit"],
        repo.git(&["rev-parse", "HEAD"]).trim()
    );
    assert_eq!(doc["version_validation"]["is_synchronized"], true);
}

#[test]
fn mismatch_fails_with_the_fix() {
    let repo = project("1.3.9");
    repo.tag("v1.4.0");
    let out = repo
        .relgate()
        .args(["check", "--only", "version"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        normalize(&stdout(&out), &repo),
        "relgate 0.1.0 · mypkg 1.3.9 (pyproject.toml:3, static) · tag v1.4.0 at <sha>\n  \
         version ............. FAIL N ms  tag v1.4.0 says 1.4.0, but pyproject.toml:3 declares 1.3.9\n      \
         either set the version to 1.4.0 in pyproject.toml, commit and move the tag (git tag -f v1.4.0), or delete the tag (git tag -d v1.4.0) and tag the declared version (git tag v1.3.9)\n  \
         version-order ....... pass N ms  1.4.0 is the first release tag in its history\n  \
         version-uploadable .. pass N ms  1.4.0 is a final release\n\
         FAIL 1 of 3 checks did not pass: do not release\n  \
         next: either set the version to 1.4.0 in pyproject.toml, commit and move the tag (git tag -f v1.4.0), or delete the tag (git tag -d v1.4.0) and tag the declared version (git tag v1.3.9)\n"
    );
    let (_, doc) = check_json(&repo, &[]);
    assert_eq!(doc["status"], "fail");
    assert_eq!(doc["version_validation"]["is_synchronized"], false);
    assert_eq!(doc["version_validation"]["git_version"], "1.4.0");
    assert_eq!(doc["version_validation"]["package_version"], "1.3.9");
    assert_eq!(
        doc["version_validation"]["error_message"],
        "tag v1.4.0 says 1.4.0, but pyproject.toml:3 declares 1.3.9"
    );
}

#[test]
fn pep440_normalization_pre_post_and_calver() {
    for (declared, tag) in [
        ("1.0.0rc1", "v1.0.0-RC1"),
        ("1.0", "v1.0.0"),
        ("1.0.post1", "v1.0-post1"),
        ("2024.1", "2024.1"),
        ("1!2.0", "v1!2.0"),
    ] {
        let repo = project(declared);
        repo.tag(tag);
        let (code, doc) = check_json(&repo, &[]);
        assert_eq!(code, 0, "{declared} vs {tag}: {doc:#}");
    }
}

#[test]
fn dev_releases_warn_unless_configured_and_local_versions_are_not_uploadable() {
    // The index accepts .dev releases, and projects publish them: a warning, unless allow-dev decides.
    let repo = project("1.1.0.dev3");
    repo.tag("v1.1.0.dev3");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc)[2],
        v(
            "version-uploadable",
            "pass",
            "1.1.0.dev3 is a development release (installers skip it unless asked)"
        )
    );
    let uploadable = &doc["checks"][2];
    assert!(
        uploadable["details"][0]
            .as_str()
            .unwrap()
            .starts_with("warning: 1.1.0.dev3 is a development release"),
        "{uploadable:#}"
    );
    repo.write("relgate.toml", "allow-dev = false\n");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        verdicts(&doc)[2],
        v(
            "version-uploadable",
            "fail",
            "1.1.0.dev3 is a development release (.dev), and allow-dev = false"
        )
    );
    repo.write("relgate.toml", "allow-dev = true\n");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["checks"][2].get("details").is_none(), "{doc:#}");

    let local = project("1.0+abc");
    local.tag("v1.0+abc");
    let (code, doc) = check_json(&local, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&doc)[2],
        v(
            "version-uploadable",
            "fail",
            "1.0+abc is a local version: the package index refuses uploads of local versions (the part after `+`)"
        )
    );
}

#[test]
fn calver_must_move_forward() {
    let repo = project("2023.12");
    repo.tag("2023.12");
    repo.write("pyproject.toml", &pyproject("mypkg", "2024.1"))
        .commit("next");
    repo.tag("2024.1");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        verdicts(&doc)[1],
        v(
            "version-order",
            "pass",
            "2024.1 is newer than 2023.12, the latest release tag in its history"
        )
    );
}

#[test]
fn a_version_going_backwards_fails() {
    let repo = project("2.0.0");
    repo.tag("v2.0.0");
    repo.write("pyproject.toml", &pyproject("mypkg", "1.9.0"))
        .commit("oops");
    repo.tag("v1.9.0");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let order = &verdicts(&doc)[1];
    assert_eq!(order.1, "fail");
    assert!(
        order
            .2
            .starts_with("1.9.0 goes backwards: v2.0.0 (2.0.0, at "),
        "{}",
        order.2
    );
    // Configured otherwise, it passes.
    repo.write("relgate.toml", "monotonic = false\n");
    assert_eq!(check_json(&repo, &[]).0, 0);
}

#[test]
fn maintenance_release_on_an_older_line_passes() {
    let repo = project("1.8.3");
    repo.tag("v1.8.3");
    repo.write("pyproject.toml", &pyproject("mypkg", "2.0.0"))
        .commit("2.0");
    repo.tag("v2.0.0");
    repo.git(&["switch", "-q", "-c", "maint-1.8", "v1.8.3"]);
    repo.write("pyproject.toml", &pyproject("mypkg", "1.8.4"))
        .commit("fix");
    repo.tag("v1.8.4");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdicts(&doc)[1],
        v(
            "version-order",
            "pass",
            "1.8.4 is newer than v1.8.3, the latest release tag in its history (v2.0.0 on another line)"
        )
    );
}

#[test]
fn no_tag_at_head_checks_against_existing_tags() {
    let repo = project("1.3.9");
    repo.tag("v1.3.9");
    repo.write("pyproject.toml", &pyproject("mypkg", "1.4.0"))
        .commit("bump");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["tag"], Value::Null);
    assert_eq!(
        verdicts(&doc)[0],
        v(
            "version",
            "pass",
            "no release tag at HEAD; declared version 1.4.0 (pyproject.toml:3) checked against the existing tags; its tag will be v1.4.0"
        )
    );

    // Forgot to bump: the declared version is already tagged on an earlier commit.
    repo.write("pyproject.toml", &pyproject("mypkg", "1.3.9"))
        .commit("revert");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let order = &verdicts(&doc)[1];
    assert!(
        order.2.starts_with("1.3.9 is already tagged: v1.3.9 at "),
        "{}",
        order.2
    );
}

#[test]
fn monorepo_subproject_with_prefixed_tags() {
    let repo = TestRepo::new();
    repo.write(
        "packages/alpha/pyproject.toml",
        &pyproject("alpha", "0.2.0"),
    )
    .write(
        "packages/alpha/relgate.toml",
        "tag-format = \"alpha-v{version}\"\n",
    )
    .write("packages/beta/pyproject.toml", &pyproject("beta", "5.0.0"))
    .commit("both");
    repo.tag("alpha-v0.2.0").tag("beta-v5.0.0").tag("v9.0.0");
    let out = repo
        .relgate()
        .args([
            "check",
            "--only",
            "version",
            "--format",
            "json",
            "--path",
            "packages/alpha",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tag"]["name"], "alpha-v0.2.0");
    assert_eq!(doc["project"]["name"], "alpha");

    // The flag overrides the configuration; the other package's tag is not this project's release.
    let out = repo
        .relgate()
        .args([
            "check",
            "--only",
            "version",
            "--path",
            "packages/beta",
            "--tag-format",
            "beta-v{version}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = repo
        .relgate()
        .args(["version", "--path", "packages/alpha", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["expected_tag"], "alpha-v0.2.0");
}

#[test]
fn declared_version_is_read_from_the_tag_not_the_dirty_tree() {
    let repo = project("1.0.0");
    repo.tag("v1.0.0");
    // An uncommitted edit must not change the verdict about what the tag releases.
    repo.write("pyproject.toml", &pyproject("mypkg", "7.7.7"));
    let before = repo.snapshot();
    let out = repo
        .relgate()
        .args(["check", "--format", "json", "--offline"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["project"]["version"], "1.0.0");
    assert_eq!(verdicts(&doc)[0].1, "pass");
    assert_eq!(doc["workspace"]["mode"], "export");
    let note = doc["workspace"]["note"].as_str().unwrap();
    let sha = repo.git(&["rev-parse", "--short=7", "HEAD"]);
    assert_eq!(
        note,
        format!(
            "tag v1.0.0 is at {}; 1 tracked file modified (pyproject.toml): the checks ran on an isolated export of the tag",
            sha.trim()
        )
    );
    assert_eq!(repo.snapshot(), before, "relgate changed the repository");
}

#[test]
fn dirty_tree_refused_when_configured() {
    let repo = project("1.0.0");
    repo.write("relgate.toml", "isolation = \"refuse\"\n")
        .commit("config");
    repo.tag("v1.0.0");
    repo.write("src/new.py", "x = 1\n");
    let out = repo
        .relgate()
        .args(["check", "--format", "json", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["workspace"]["mode"], "refused");
    let refused = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "workspace")
        .unwrap();
    assert_eq!(refused["status"], "error");
    assert_eq!(
        refused["message"],
        "the project's checks were not run: tag v1.0.0 is at ".to_owned()
            + repo.git(&["rev-parse", "--short=7", "HEAD"]).trim()
            + "; 1 untracked directory (src/)"
    );
}

#[test]
fn tag_not_at_head() {
    let repo = project("1.0.0");
    repo.tag("v1.0.0");
    let tagged = repo
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    repo.write("CHANGES.md", "next\n").commit("after");
    let head = repo
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    let out = repo
        .relgate()
        .args(["check", "--tag", "v1.0.0", "--format", "json", "--offline"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tag"]["name"], "v1.0.0");
    assert_eq!(
        doc["workspace"]["note"],
        format!(
            "tag v1.0.0 is at {tagged}; HEAD is at {head}: the checks ran on an isolated export of the tag"
        )
    );
}

#[test]
fn invalid_declared_version() {
    let repo = project("1.0.x");
    repo.tag("v1.0.0");
    let (code, doc) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let version = &verdicts(&doc)[0];
    assert_eq!(version.1, "fail");
    assert!(
        version.2.starts_with(
            "the declared version \"1.0.x\" (pyproject.toml:3) is not a valid PEP 440 version"
        ),
        "{}",
        version.2
    );
}

#[test]
fn hostile_tag_name_is_data() {
    let repo = project("1.0.0");
    repo.tag("v1.0.0;touch${IFS}pwned");
    let out = repo
        .relgate()
        .args(["check", "--only", "version"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "tag v1.0.0;touch${IFS}pwned is not a release tag: it does not match v{version} or {version} with a PEP 440 version"
        ),
        "{}",
        stdout(&out)
    );
    assert!(!repo.path().join("pwned").exists());
    let out = repo
        .relgate()
        .args(["check", "--tag", "$(touch pwned)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!repo.path().join("pwned").exists());
}

#[test]
fn malformed_toml_names_file_line_and_column() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = 1.0.0\n",
    )
    .commit("bad");
    let out = repo.relgate().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: pyproject.toml:3:"), "{err}");
    assert!(err.contains("invalid TOML"), "{err}");
    assert!(
        err.contains("\nhint: fix the TOML syntax in pyproject.toml"),
        "{err}"
    );
}

#[test]
fn unknown_config_key_names_key_file_and_line() {
    let repo = project("1.0.0");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = \"1.0.0\"\n\n[tool.relgate]\ntag-format = \"v{version}\"\nindex-tiemout = 5\n",
    );
    let out = repo.relgate().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: pyproject.toml:7:1: invalid relgate configuration: unknown field `index-tiemout`"), "{err}");

    // Under --format json the error is a JSON document on stdout.
    let out = repo
        .relgate()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "error");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("index-tiemout")
    );
    assert!(doc["error"]["hint"].is_string());
}

#[test]
fn not_a_repository_and_no_commits() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), pyproject("x", "1.0")).unwrap();
    let out = assert_cmd::Command::cargo_bin("relgate")
        .unwrap()
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let canonical = dir.path().canonicalize().unwrap();
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is not inside a git repository\nhint: run relgate inside the project's git repository, or pass --path DIR\n",
            canonical.display()
        )
    );

    let repo = TestRepo::new();
    repo.write("pyproject.toml", &pyproject("x", "1.0"));
    let out = repo.relgate().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no commits yet: there is nothing to release"),
        "{}",
        stderr(&out)
    );
}

/// A repository in git's reftable format (`git init --ref-format=reftable`, git 2.45+), which libgit2 cannot open:
/// a configuration error that says how to convert it, not libgit2's words.
#[test]
fn reftable_repository_is_named_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let init = std::process::Command::new("git")
        .args(["init", "-q", "--ref-format=reftable"])
        .arg(dir.path())
        .output()
        .unwrap();
    if !init.status.success() {
        // git older than 2.45 has no reftable: nothing to test on this machine.
        assert!(
            String::from_utf8_lossy(&init.stderr).contains("ref-format"),
            "{init:?}"
        );
        return;
    }
    std::fs::write(dir.path().join("pyproject.toml"), pyproject("x", "1.0")).unwrap();
    let out = assert_cmd::Command::cargo_bin("relgate")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--only", "version"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("it stores its refs in the reftable format, which relgate cannot read yet"),
        "{err}"
    );
    assert!(
        err.contains("hint: convert it to git's files format (git 2.46 or later): git refs migrate --ref-format=files"),
        "{err}"
    );
}

#[test]
fn unknown_tag_and_bad_flags_are_usage_errors() {
    let repo = project("1.0.0");
    let out = repo
        .relgate()
        .args(["check", "--tag", "v3.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: there is no tag named \"v3.0.0\" in this repository\nhint: list the tags with `git tag --list`, or create it first\n"
    );
    let out = repo
        .relgate()
        .args(["check", "--only", "lnt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for format in ["release", "{version}{version}"] {
        let out = repo
            .relgate()
            .args(["check", "--tag-format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            stderr(&out),
            format!(
                "error: tag format {format:?} must contain {{version}} exactly once
\
                 hint: e.g. --tag-format 'v{{version}}' or 'mypkg-v{{version}}'\n"
            )
        );
    }
    // An empty list of formats in the configuration (it used to panic) names the file and line.
    repo.write(
        "pyproject.toml",
        &format!(
            "{}\n[tool.relgate]\ntag-format = []\n",
            pyproject("mypkg", "1.0.0")
        ),
    );
    let out = repo.relgate().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: pyproject.toml:6: tool.relgate.tag-format is an empty list: no tag could be a release\n\
         hint: name at least one form, e.g. tag-format = [\"v{version}\"], or remove the key for both v{version} and {version}\n"
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let repo = project("1.0.0");
    repo.tag("v1.0.0");
    let plain = repo
        .relgate()
        .args(["check", "--only", "version"])
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains('\u{1b}'));
    let forced = repo
        .relgate()
        .args(["check", "--only", "version", "--color", "always"])
        .output()
        .unwrap();
    assert!(
        stdout(&forced).contains("\u{1b}[32mpass"),
        "{}",
        stdout(&forced)
    );
    let never = repo
        .relgate()
        .args(["check", "--only", "version"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&never).contains('\u{1b}'));
}

#[test]
fn skip_removes_a_check() {
    let repo = project("1.0.0");
    repo.tag("v1.0.0");
    let (code, doc) = check_json(&repo, &["--skip", "version-order,version-uploadable"]);
    assert_eq!(code, 0);
    assert_eq!(verdicts(&doc).len(), 1);
}

#[test]
fn run_from_a_subdirectory_finds_the_project() {
    let repo = project("1.0.0");
    repo.write("src/mypkg/__init__.py", "").commit("code");
    repo.tag("v1.0.0");
    let out = repo
        .relgate()
        .current_dir(repo.path().join("src/mypkg"))
        .args(["check", "--only", "version", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["project"]["file"], "pyproject.toml");
}

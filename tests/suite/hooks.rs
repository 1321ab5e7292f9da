//! The installed hooks, for real: `relgate install`, then `git push` to a bare remote in the temp dir and
//! `git tag`, with the relgate binary under test found through the path the shims record.

use tempfile::TempDir;

use crate::common::{TestRepo, pyproject, stderr, stdout};

use crate::index::server::{Reply, Server};

/// Only the fast checks (the hooks' own behaviour is the subject, not the project's tools), and the index (a
/// closed port in these tests) advisory: its error is a warning line.
pub const FAST: &str = "\n[tool.relgate]\nindex = \"advisory\"\nskip = [\"lint\", \"format\", \"type\", \"test\", \"publish\", \"build\"]\n";
/// The same with the index required.
pub const INDEX_REQUIRED: &str =
    "\n[tool.relgate]\nskip = [\"lint\", \"format\", \"type\", \"test\", \"publish\", \"build\"]\n";
const CLOSED_INDEX_WARNING: &str = "relgate: warning: index: cannot ask the package index at http://127.0.0.1:9/simple/mypkg/: cannot connect: connection refused by 127.0.0.1:9; index = \"advisory\": this does not block the release";

/// A project with a bare remote `origin` and relgate's hooks installed.
pub struct Project {
    pub repo: TestRepo,
    pub remote: TempDir,
}

impl Project {
    /// `mypkg` declaring `version`, with `extra` appended to pyproject.toml, committed, hooks installed.
    pub fn new(version: &str, extra: &str) -> Project {
        let project = Project::bare(version, extra);
        project.install();
        project
    }

    /// The same without the hooks.
    pub fn bare(version: &str, extra: &str) -> Project {
        let repo = TestRepo::new();
        repo.write(
            "pyproject.toml",
            &format!("{}{extra}", pyproject("mypkg", version)),
        )
        .commit("release");
        let remote = tempfile::Builder::new()
            .prefix("relgate-remote-")
            .tempdir()
            .unwrap();
        let init = std::process::Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(remote.path())
            .output()
            .unwrap();
        assert!(init.status.success());
        repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        Project { repo, remote }
    }

    #[track_caller]
    pub fn install(&self) -> String {
        let out = self.repo.relgate().arg("install").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    }

    /// Run git with extra environment; returns the exit code and git's stderr, normalised.
    pub fn git(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
        let mut cmd = self.repo.git_command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            self.normalize(&stderr(&out)),
        )
    }

    /// Commit the project declaring `version`.
    pub fn release(&self, version: &str, extra: &str) {
        self.repo.write(
            "pyproject.toml",
            &format!("{}{extra}", pyproject("mypkg", version)),
        );
        self.repo.git(&["add", "-A"]);
        self.repo.git(&["commit", "-q", "-m", version]);
    }

    pub fn remote_tags(&self) -> Vec<String> {
        let out = std::process::Command::new("git")
            .args(["tag", "--list"])
            .current_dir(self.remote.path())
            .output()
            .unwrap();
        stdout(&out).lines().map(str::to_owned).collect()
    }

    pub fn local_tags(&self) -> Vec<String> {
        self.repo
            .git(&["tag", "--list"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Commit ids, durations and temporary paths made stable.
    pub fn normalize(&self, text: &str) -> String {
        let text = text.replace(self.remote.path().to_str().unwrap(), "<remote>");
        let text = text.replace(self.repo.path().to_str().unwrap(), "<repo>");
        let text = replace(&text, r"\b[0-9a-f]{40}\b", "<sha>");
        let text = replace(&text, r"\b[0-9a-f]{7}\b", "<sha>");
        replace(&text, r" +\d+(\.\d)? (ms|s)  ", " N ms  ")
    }
}

pub fn replace(text: &str, pattern: &str, with: &str) -> String {
    regex::Regex::new(pattern)
        .unwrap()
        .replace_all(text, with)
        .into_owned()
}

/// The report of the fast checks for tag `tag` (version `says`) on a commit declaring `declared`, when the
/// tag names another version: at push time the tag exists (move or delete it); at `git tag` time it does not.
fn mismatch_report(tag: &str, says: &str, declared: &str) -> String {
    let action = format!(
        "either set the version to {says} in pyproject.toml, commit and move the tag (git tag -f {tag}), or delete the tag (git tag -d {tag}) and tag the declared version (git tag v{declared})"
    );
    report_with_action(tag, says, declared, &action)
}

fn creation_report(tag: &str, says: &str, declared: &str) -> String {
    let action = format!(
        "either set the version to {says} in pyproject.toml and commit before tagging, or tag the declared version (git tag v{declared})"
    );
    report_with_action(tag, says, declared, &action)
}

fn report_with_action(tag: &str, says: &str, declared: &str, action: &str) -> String {
    format!(
        "relgate 0.1.0 · mypkg {declared} (pyproject.toml:3, static) · tag {tag} at <sha>\n  \
         version ............. FAIL N ms  tag {tag} says {says}, but pyproject.toml:3 declares {declared}\n      \
         {action}\n  \
         version-order ....... pass N ms  {says} is the first release tag in its history\n  \
         version-uploadable .. pass N ms  {says} is a final release\n  \
         index ............... warn N ms  cannot ask the package index at http://127.0.0.1:9/simple/mypkg/: cannot connect: connection refused by 127.0.0.1:9; index = \"advisory\": this does not block the release\n\
         FAIL 1 of 4 checks did not pass, 1 optional with warnings: do not release\n  \
         next: {action}\n"
    )
}

const PUSH_REFUSED: &str = "fix and push again, or push without the release gate: git push --no-verify (or RELGATE_SKIP=1 git push ...)";

#[test]
fn push_of_a_mismatched_tag_is_refused_and_the_remote_gets_no_tag() {
    let p = Project::new("1.0.0", FAST);
    let (code, err) = p.git(&["tag", "v9.9.9"], &[("RELGATE_SKIP", "1")]);
    assert_eq!(code, 0, "{err}");
    let before = p.repo.snapshot();
    let (code, err) = p.git(&["push", "origin", "--tags"], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "{}relgate: the push to origin is refused: v9.9.9 did not pass; {PUSH_REFUSED}\n\
             error: failed to push some refs to '<remote>'\n",
            mismatch_report("v9.9.9", "9.9.9", "1.0.0")
        )
    );
    assert_eq!(p.remote_tags(), Vec::<String>::new());
    assert_eq!(p.repo.snapshot(), before, "the hook changed the repository");
}

#[test]
fn push_of_a_good_tag_goes_through_with_one_line() {
    let p = Project::new("1.0.0", FAST);
    let (code, err) = p.git(&["tag", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        format!("relgate: tag v1.0.0 passed 4 checks\n{CLOSED_INDEX_WARNING}\n")
    );
    let (code, err) = p.git(&["push", "origin", "main", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        format!(
            "relgate: v1.0.0 passed 4 checks\n{CLOSED_INDEX_WARNING}\n\
             To <remote>\n * [new branch]      main -> main\n * [new tag]         v1.0.0 -> v1.0.0\n"
        )
    );
    assert_eq!(p.remote_tags(), ["v1.0.0"]);
}

#[test]
fn branch_pushes_and_tag_deletions_are_untouched() {
    // A configuration relgate cannot read: a push that gates nothing never reads it.
    let p = Project::new("1.0.0", "\n[tool.relgate]\nindex = \"nope\"\n");
    let (code, err) = p.git(&["tag", "v9.9.9"], &[("RELGATE_SKIP", "1")]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = p.git(&["push", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "To <remote>\n * [new branch]      main -> main\n");
    let (code, err) = p.git(&["push", "--no-verify", "origin", "v9.9.9"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.remote_tags(), ["v9.9.9"]);
    let (code, err) = p.git(&["push", "origin", "--delete", "v9.9.9"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "To <remote>\n - [deleted]         v9.9.9\n");
    assert_eq!(p.remote_tags(), Vec::<String>::new());
    // The same configuration, read when a tag is pushed, is an error that refuses the push.
    let (code, err) = p.git(&["push", "origin", "v9.9.9"], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "relgate: the push to origin is refused: relgate could not gate it (the error follows); fix it, or push without the release gate: git push --no-verify (or RELGATE_SKIP=1 git push ...)\n\
             error: pyproject.toml:6:9: invalid relgate configuration: unknown variant `nope`, expected one of `required`, `advisory`, `off`\n\
             hint: see the configuration section of relgate's README for the expected type\n\
             error: failed to push some refs to '<remote>'\n"
        )
    );
}

#[test]
fn two_tags_in_one_push_one_bad_refuse_the_whole_push() {
    let p = Project::new("1.0.0", FAST);
    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    p.release("1.1.0", FAST);
    assert_eq!(p.git(&["tag", "v1.2.0"], &[("RELGATE_SKIP", "1")]).0, 0);
    let (code, err) = p.git(&["push", "origin", "main", "--tags"], &[]);
    assert_eq!(code, 1, "{err}");
    let report = mismatch_report("v1.2.0", "1.2.0", "1.1.0").replace(
        "1.2.0 is the first release tag in its history",
        "1.2.0 is newer than v1.0.0, the latest release tag in its history",
    );
    assert_eq!(
        err,
        format!(
            "relgate: v1.0.0 passed 4 checks\n{CLOSED_INDEX_WARNING}\n\
             {report}relgate: the push to origin is refused: v1.2.0 did not pass; {PUSH_REFUSED}\n\
             error: failed to push some refs to '<remote>'\n"
        )
    );
    assert_eq!(p.remote_tags(), Vec::<String>::new());
}

#[test]
fn the_pushed_commit_is_gated_not_the_working_tree() {
    let p = Project::new("1.0.0", FAST);
    let first = p.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    p.release("1.1.0", FAST);
    // v1.0.0 on the older commit, which declares 1.0.0, while the working tree declares 1.1.0: it passes,
    // checked in an export of that commit.
    assert_eq!(p.git(&["tag", "v1.0.0", &first], &[]).0, 0);
    let (code, err) = p.git(&["push", "origin", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        format!(
            "relgate: v1.0.0 passed 4 checks\n{CLOSED_INDEX_WARNING}\nTo <remote>\n * [new tag]         v1.0.0 -> v1.0.0\n"
        )
    );
    // A tag that exists only on the remote side of the refspec: HEAD (declaring 1.1.0) pushed as v1.1.0
    // passes; the older commit pushed as v1.1.0 does not.
    let (code, err) = p.git(
        &["push", "origin", &format!("{first}:refs/tags/v1.1.0")],
        &[],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.1.0 at <sha>\n  version ............. FAIL N ms  tag v1.1.0 says 1.1.0, but pyproject.toml:3 declares 1.0.0\n"),
        "{err}"
    );
    let (code, err) = p.git(&["push", "origin", "HEAD:refs/tags/v1.1.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.remote_tags(), ["v1.0.0", "v1.1.0"]);
    assert_eq!(p.local_tags(), ["v1.0.0"]);
}

#[test]
fn non_release_tags_pass_without_a_word() {
    let p = Project::new("1.0.0", FAST);
    assert_eq!(p.git(&["tag", "latest"], &[]), (0, String::new()));
    let (code, err) = p.git(&["push", "origin", "latest"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "To <remote>\n * [new tag]         latest -> latest\n");
}

#[test]
fn an_unreachable_index_refuses_the_push_but_not_the_tag() {
    let p = Project::new("1.0.0", INDEX_REQUIRED);
    let (code, err) = p.git(&["tag", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "relgate: tag v1.0.0 passed 4 checks\n\
         relgate: warning: index: cannot ask the package index at http://127.0.0.1:9/simple/mypkg/: cannot connect: connection refused by 127.0.0.1:9; to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]\n\
         relgate: the tag is created anyway; the pre-push hook asks the index again before it is pushed\n"
    );
    let (code, err) = p.git(&["push", "origin", "v1.0.0"], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "relgate 0.1.0 · mypkg 1.0.0 (pyproject.toml:3, static) · tag v1.0.0 at <sha>\n  \
             version ............. pass N ms  tag v1.0.0 matches the declared version 1.0.0 (pyproject.toml:3)\n  \
             version-order ....... pass N ms  1.0.0 is the first release tag in its history\n  \
             version-uploadable .. pass N ms  1.0.0 is a final release\n  \
             index ............... ERROR N ms  cannot ask the package index at http://127.0.0.1:9/simple/mypkg/: cannot connect: connection refused by 127.0.0.1:9; to release without asking the index, run `relgate check --offline` or set index = \"advisory\" in [tool.relgate]\n\
             ERROR 1 of 4 checks did not pass: do not release\n\
             relgate: the push to origin is refused: v1.0.0 did not pass; {PUSH_REFUSED}\n\
             error: failed to push some refs to '<remote>'\n"
        )
    );
    assert_eq!(p.remote_tags(), Vec::<String>::new());
}

#[test]
fn a_published_version_refuses_the_tag_and_the_push() {
    let server = Server::start(vec![Reply::fixture("pluggy")]);
    let index = server.url("/simple");
    let p = Project::bare("1.5.0", INDEX_REQUIRED);
    p.repo.write(
        "pyproject.toml",
        &format!("{}{INDEX_REQUIRED}", pyproject("pluggy", "1.5.0")),
    );
    p.repo.commit("pluggy");
    p.install();
    let env = [("RELGATE_INDEX_URL", index.as_str())];
    let (code, err) = p.git(&["tag", "v1.5.0"], &env);
    assert_eq!(code, 128, "{err}");
    let published = format!(
        "index ............... FAIL N ms  1.5.0 is already on {index}/pluggy/: a published version can never be uploaded again; bump the version and tag again"
    );
    assert!(err.contains(&published), "{err}");
    assert!(
        err.ends_with("relgate: v1.5.0 not created; fix the release and tag again, or tag without the release gate: RELGATE_SKIP=1 git tag ...\nfatal: ref updates aborted by hook\n"),
        "{err}"
    );
    assert_eq!(p.local_tags(), Vec::<String>::new());
    assert_eq!(p.git(&["tag", "v1.5.0"], &[("RELGATE_SKIP", "1")]).0, 0);
    let (code, err) = p.git(&["push", "origin", "v1.5.0"], &env);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&published), "{err}");
    assert_eq!(p.remote_tags(), Vec::<String>::new());
}

#[test]
fn git_tag_of_a_mismatched_version_fails_and_leaves_no_tag() {
    let p = Project::new("1.0.0", FAST);
    let before = p.repo.snapshot();
    let (code, err) = p.git(&["tag", "v9.9.9"], &[]);
    assert_eq!(code, 128, "{err}");
    assert_eq!(
        err,
        format!(
            "{}relgate: v9.9.9 not created; fix the release and tag again, or tag without the release gate: RELGATE_SKIP=1 git tag ...\n\
             fatal: ref updates aborted by hook\n",
            creation_report("v9.9.9", "9.9.9", "1.0.0")
        )
    );
    assert_eq!(p.local_tags(), Vec::<String>::new());
    assert_eq!(p.repo.snapshot(), before);
    // Annotated tags are gated on the commit they name.
    let (code, _) = p.git(&["tag", "-a", "-m", "release", "v9.9.9"], &[]);
    assert_eq!(code, 128);
    let (code, err) = p.git(&["tag", "-a", "-m", "release", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.local_tags(), ["v1.0.0"]);
}

#[test]
fn moving_a_release_tag_is_gated_and_deleting_one_is_not() {
    let p = Project::new("1.0.0", FAST);
    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    let tagged = p.repo.git(&["rev-parse", "v1.0.0"]);
    p.release("1.1.0", FAST);
    // `git tag -f` to a commit declaring another version is refused: the tag stays where it was.
    let (code, err) = p.git(&["tag", "-f", "v1.0.0"], &[]);
    assert_eq!(code, 128, "{err}");
    assert!(
        err.contains("version ............. FAIL N ms  tag v1.0.0 says 1.0.0, but pyproject.toml:3 declares 1.1.0\n"),
        "{err}"
    );
    assert_eq!(p.repo.git(&["rev-parse", "v1.0.0"]), tagged);
    // Through an alias too.
    p.repo.git(&["config", "alias.retag", "tag -f"]);
    let (code, _) = p.git(&["retag", "v1.0.0"], &[]);
    assert_eq!(code, 128);
    assert_eq!(p.repo.git(&["rev-parse", "v1.0.0"]), tagged);
    // Deleting passes without a word; so does moving the tag where it already is.
    assert_eq!(p.git(&["tag", "-f", "v1.0.0", "v1.0.0^{}"], &[]).0, 0);
    let (code, err) = p.git(&["tag", "-d", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(replace(&err, "was <sha>", "was X"), "");
    assert_eq!(p.local_tags(), Vec::<String>::new());
}

#[test]
fn commits_and_fetched_tags_are_never_gated() {
    // Upstream publishes v5.0.0 on a commit declaring 4.0.0: gated, it would fail.
    let upstream = Project::bare("4.0.0", INDEX_REQUIRED);
    upstream.repo.tag("v5.0.0");
    let (code, err) = upstream.git(&["push", "-q", "origin", "main", "v5.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    let clone = Project::bare("1.0.0", INDEX_REQUIRED);
    clone.repo.git(&[
        "remote",
        "set-url",
        "origin",
        upstream.remote.path().to_str().unwrap(),
    ]);
    clone
        .repo
        .git(&["fetch", "-q", "--no-tags", "origin", "main"]);
    clone.repo.git(&["reset", "-q", "--hard", "FETCH_HEAD"]);
    clone.install();
    let (code, err) = clone.git(&["commit", "-q", "--allow-empty", "-m", "work"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    clone.repo.git(&["reset", "-q", "--hard", "HEAD~"]);
    let (code, err) = clone.git(&["fetch", "-q", "--tags", "origin"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(clone.local_tags(), ["v5.0.0"]);
    // pack-refs and gc rewrite every tag as if creating it.
    let (code, err) = clone.git(&["pack-refs", "--all"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, err) = clone.git(&["gc", "-q"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    // `git pull` brings tags through its own `git fetch`.
    upstream.repo.write("more.txt", "y\n").commit("more");
    upstream.repo.tag("v6.0.0");
    assert_eq!(
        upstream
            .git(&["push", "-q", "origin", "main", "v6.0.0"], &[])
            .0,
        0
    );
    let (code, err) = clone.git(
        &["pull", "-q", "--ff-only", "--tags", "origin", "main"],
        &[],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(clone.local_tags(), ["v5.0.0", "v6.0.0"]);
    // A push into this repository (git receive-pack) brings someone else's tag too.
    upstream.repo.tag("v7.0.0");
    let (code, err) = upstream.git(
        &["push", "-q", clone.repo.path().to_str().unwrap(), "v7.0.0"],
        &[],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(clone.local_tags(), ["v5.0.0", "v6.0.0", "v7.0.0"]);
}

#[test]
fn fetched_tags_pass_in_the_shim_without_starting_relgate() {
    let upstream = Project::bare("1.0.0", FAST);
    upstream.repo.tag("v1.0.0");
    assert_eq!(
        upstream
            .git(&["push", "-q", "origin", "main", "v1.0.0"], &[])
            .0,
        0
    );
    let clone = Project::bare("1.0.0", FAST);
    let remote = upstream.remote.path().to_str().unwrap();
    clone.repo.git(&["remote", "set-url", "origin", remote]);
    // The clone shares upstream's history: its own first commit only matches upstream's when both were made in
    // the same second, and `pull --ff-only` below needs a common history.
    clone.repo.git(&["fetch", "-q", "origin"]);
    clone.repo.git(&["reset", "-q", "--hard", "origin/main"]);
    // The hooks run a stand-in for relgate that only records that it was started and refuses.
    let bin = tempfile::tempdir().unwrap();
    let stand_in = bin.path().join("relgate");
    let log = bin.path().join("started");
    crate::common::copy_executable(
        std::path::Path::new(env!("CARGO_BIN_EXE_relgate")),
        &stand_in,
    );
    let out = std::process::Command::new(&stand_in)
        .arg("install")
        .current_dir(clone.repo.path())
        .envs(clone.repo.envs())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    crate::common::write_executable(
        &stand_in,
        format!(
            "#!/bin/sh
echo \"$*\" >> '{}'
exit 1
",
            log.display()
        )
        .as_bytes(),
        0o755,
    );
    let started = || std::fs::read_to_string(&log).unwrap_or_default();
    for fetch in [
        &["fetch", "-q", "origin"][..],
        &["fetch", "-q", "--tags", "origin"],
        &["pull", "-q", "--ff-only", "--tags", "origin", "main"],
    ] {
        upstream
            .repo
            .write("more.txt", &format!("{fetch:?}\n"))
            .commit("more");
        let tag = format!("v1.0.{}", upstream.local_tags().len());
        upstream.repo.tag(&tag);
        assert_eq!(
            upstream.git(&["push", "-q", "origin", "main", &tag], &[]).0,
            0
        );
        // Plain `git fetch`, as people type it (the test helpers add `-c` options, which the shim leaves to
        // relgate).
        let out = std::process::Command::new("git")
            .args(fetch)
            .current_dir(clone.repo.path())
            .envs(clone.repo.envs())
            .output()
            .unwrap();
        assert_eq!(
            (out.status.code(), stderr(&out).as_str()),
            (Some(0), ""),
            "{fetch:?}"
        );
        assert!(clone.local_tags().contains(&tag), "{fetch:?}");
        assert_eq!(started(), "", "{fetch:?} started relgate");
    }
    // `git tag` does start it (and the stand-in refuses).
    let (code, _) = clone.git(&["tag", "v2.0.0"], &[]);
    assert_eq!(code, 128);
    assert!(
        started().starts_with("hook reference-transaction"),
        "{}",
        started()
    );
}

#[test]
fn relgate_skip_lets_tags_through_with_a_warning_and_no_verify_skips_the_hook() {
    let p = Project::new("1.0.0", FAST);
    let (code, err) = p.git(&["tag", "v9.9.9"], &[("RELGATE_SKIP", "1")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "relgate: warning: RELGATE_SKIP is set: v9.9.9 created without the release gate\n"
    );
    let (code, err) = p.git(&["push", "origin", "v9.9.9"], &[("RELGATE_SKIP", "yes")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "relgate: warning: RELGATE_SKIP is set: pushing v9.9.9 to origin without the release gate\n\
         To <remote>\n * [new tag]         v9.9.9 -> v9.9.9\n"
    );
    assert_eq!(p.git(&["tag", "v9.9.8"], &[("RELGATE_SKIP", "1")]).0, 0);
    // RELGATE_SKIP=0 gates.
    let (code, _) = p.git(&["push", "origin", "v9.9.8"], &[("RELGATE_SKIP", "0")]);
    assert_eq!(code, 1);
    let (code, err) = p.git(&["push", "--no-verify", "origin", "v9.9.8"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "To <remote>\n * [new tag]         v9.9.8 -> v9.9.8\n");
    assert_eq!(p.remote_tags(), ["v9.9.8", "v9.9.9"]);
}

#[test]
fn hostile_tag_names_are_data() {
    let p = Project::new("1.0.0", FAST);
    for name in [
        // git refuses spaces in ref names; ${IFS} stands for one in a shell.
        "v1.0.0;touch${IFS}pwned",
        "v1.0.0$(touch${IFS}pwned)",
        "v1.0.0`touch${IFS}pwned`",
        "v1.0.0'\";touch${IFS}pwned;'",
        "v1.0.0&&touch${IFS}pwned",
        "v1.0.0|touch${IFS}pwned>x",
    ] {
        let (code, err) = p.git(&["tag", name], &[]);
        assert_eq!(code, 128, "{name}: {err}");
        assert!(
            err.contains(&format!(
                "  version ............. FAIL N ms  tag {name} is not a release tag: it does not match v{{version}} or {{version}} with a PEP 440 version\n"
            )),
            "{name}: {err}"
        );
        assert_eq!(p.git(&["tag", name], &[("RELGATE_SKIP", "1")]).0, 0);
        let (code, err) = p.git(&["push", "origin", &format!("refs/tags/{name}")], &[]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(
            err.contains(&format!(
                "relgate: the push to origin is refused: {name} did not pass;"
            )),
            "{name}: {err}"
        );
    }
    for dir in [
        p.repo.path(),
        &p.repo.path().join(".git"),
        &p.repo.path().join(".git/hooks"),
        p.remote.path(),
    ] {
        for file in ["pwned", "x"] {
            assert!(!dir.join(file).exists(), "{} has {file}", dir.display());
        }
    }
}

#[test]
fn the_shims_fail_closed_without_relgate_but_never_block_commits_or_fetches() {
    let upstream = Project::bare("2.0.0", FAST);
    upstream.repo.tag("v2.0.0");
    assert_eq!(
        upstream
            .git(&["push", "-q", "origin", "main", "v2.0.0"], &[])
            .0,
        0
    );
    let p = Project::bare("1.0.0", FAST);
    // Installed by a copy of relgate that then disappears (and none is on PATH).
    let gone = tempfile::tempdir().unwrap();
    let copy = gone.path().join("relgate");
    crate::common::copy_executable(std::path::Path::new(env!("CARGO_BIN_EXE_relgate")), &copy);
    let out = std::process::Command::new(&copy)
        .arg("install")
        .current_dir(p.repo.path())
        .envs(p.repo.envs())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    drop(gone);
    // The machine may have relgate installed (a maintainer running the suite): git runs without it.
    let path = std::env::join_paths(
        std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .filter(|dir| !dir.join("relgate").is_file()),
    )
    .unwrap()
    .into_string()
    .unwrap();
    assert!(which_relgate(&path).is_none(), "relgate is on PATH: {path}");
    let git = |args: &[&str], env: &[(&str, &str)]| {
        let mut env = env.to_vec();
        env.push(("PATH", path.as_str()));
        p.git(args, &env)
    };

    let recorded = copy.display().to_string();
    let (code, err) = git(&["tag", "v1.0.0"], &[]);
    assert_eq!(code, 128, "{err}");
    assert_eq!(
        err.replace(&recorded, "<gone>"),
        "relgate: the reference-transaction hook cannot find relgate (not at <gone>, not on PATH): the tag is refused\n\
         relgate: install relgate again (./install.sh), or tag without the release gate: RELGATE_SKIP=1 git tag ...\n\
         fatal: ref updates aborted by hook\n"
    );
    let (code, err) = git(&["tag", "v1.0.0"], &[("RELGATE_SKIP", "1")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "relgate: warning: RELGATE_SKIP is set: tagging without the release gate (relgate is not installed)\n"
    );
    assert_eq!(
        git(&["commit", "-q", "--allow-empty", "-m", "more"], &[]),
        (0, String::new())
    );
    let (code, err) = git(&["push", "-q", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.replace(&recorded, "<gone>"),
        "relgate: warning: relgate is not installed (not at <gone>, not on PATH); this push creates no tag: it goes through\n"
    );
    let (code, err) = git(&["push", "origin", "v1.0.0"], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err.replace(&recorded, "<gone>"),
        "relgate: the pre-push hook cannot find relgate (not at <gone>, not on PATH): the push is refused\n\
         relgate: install relgate again (./install.sh), or push without the release gate: git push --no-verify\n\
         error: failed to push some refs to '<remote>'\n"
    );
    assert_eq!(
        git(&["push", "-q", "--no-verify", "origin", "v1.0.0"], &[]).0,
        0
    );
    // Tags arriving by fetch pass.
    p.repo.git(&[
        "remote",
        "add",
        "upstream",
        upstream.remote.path().to_str().unwrap(),
    ]);
    let (code, err) = git(&["fetch", "-q", "--tags", "upstream"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(p.local_tags(), ["v1.0.0", "v2.0.0"]);
}

fn which_relgate(path: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join("relgate"))
        .find(|candidate| candidate.is_file())
}

#[test]
fn odd_input_to_the_hook_commands_is_named() {
    let p = Project::new("1.0.0", FAST);
    let zero = "0".repeat(40);
    for (input, line, shown) in [
        ("garbage\n".to_owned(), 1, "\"garbage\"".to_owned()),
        (
            format!("refs/tags/v1 {zero} refs/tags/v1 {zero}\n\n"),
            2,
            "\"\"".to_owned(),
        ),
        (
            format!("refs/tags/v1 ABC refs/tags/v1 {zero}\n"),
            1,
            format!("\"refs/tags/v1 ABC refs/tags/v1 {zero}\""),
        ),
    ] {
        let out = p
            .repo
            .relgate()
            .args(["hook", "pre-push", "origin", "url"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            stderr(&out),
            format!(
                "relgate: the push to origin is refused: relgate could not gate it (the error follows); fix it, or push without the release gate: git push --no-verify (or RELGATE_SKIP=1 git push ...)\n\
                 error: line {line} of git's input to the pre-push hook is not `<local ref> <local object name> <remote ref> <remote object name>`: {shown}\n\
                 hint: this input comes from git; if another hook or a script feeds relgate, make it pass git's lines unchanged\n"
            )
        );
    }
    // A malformed line is refused whatever ref it names (it used to pass when it named no tag).
    for (input, line, shown) in [
        (
            format!("{zero} nope refs/tags/v1.0.0\n"),
            1,
            format!("\"{zero} nope refs/tags/v1.0.0\""),
        ),
        (
            format!("{zero} {zero} refs/tags/v1.0.0\ngarbage\n"),
            2,
            "\"garbage\"".to_owned(),
        ),
    ] {
        let out = p
            .repo
            .relgate()
            .args(["hook", "reference-transaction", "prepared"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            stderr(&out),
            format!(
                "error: line {line} of git's input to the reference-transaction hook is not `<old value> <new value> <ref name>`: {shown}\n\
                 hint: this input comes from git; if another hook or a script feeds relgate, make it pass git's lines unchanged\n"
            )
        );
    }
}

#[test]
fn gate_branches_gates_branch_pushes_on_the_pushed_commit() {
    let p = Project::new(
        "1.0.0",
        "\n[tool.relgate]\nindex = \"advisory\"\ngate-branches = true\n",
    );
    let (code, err) = p.git(&["push", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    // The project's checks (lint, format, type, test) on the branch: none is configured in this project.
    assert_eq!(
        err,
        "relgate: main passed 0 checks\nTo <remote>\n * [new branch]      main -> main\n"
    );
    let quiet = Project::new("1.0.0", FAST);
    let (code, err) = quiet.git(&["push", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "To <remote>\n * [new branch]      main -> main\n");
}

#[test]
fn relgate_check_then_git_push_runs_the_suite_once() {
    let runs = tempfile::tempdir().unwrap();
    let log = runs.path().join("suite-runs");
    let config = format!(
        "\n[tool.relgate]\nindex = \"advisory\"\nskip = [\"publish\", \"build\"]\n\n\
         [tool.relgate.checks.suite]\nrun = [\"sh\", \"-c\", \"echo ran >> '{}'\"]\nkind = \"test\"\n",
        log.display()
    );
    let p = Project::new("1.0.0", &config);
    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap_or_default(),
        "",
        "git tag runs only the fast checks"
    );
    let out = p.repo.relgate().args(["check", "-q"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\n");
    let (code, err) = p.git(&["push", "origin", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "ran\n",
        "the push ran the suite again"
    );
    assert_eq!(
        err,
        format!(
            "relgate: v1.0.0 passed 5 checks (1 remembered from an earlier pass of the same tree)\n{CLOSED_INDEX_WARNING}\n\
             To <remote>\n * [new tag]         v1.0.0 -> v1.0.0\n"
        )
    );
}

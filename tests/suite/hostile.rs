//! Hostile input, attacked for real: crafted trees exported by `relgate check --tag` and by the pre-push hook of
//! a real `git push`, with HOME and TMPDIR pointed at test directories to see whether anything lands outside
//! relgate's own temporary directory.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tempfile::TempDir;

use crate::common::{TestRepo, stderr};
use crate::hooks::Project;

/// git reading `input` on stdin in `repo`; its trimmed stdout.
#[track_caller]
fn git_stdin(repo: &TestRepo, args: &[&str], input: &[u8]) -> String {
    let mut child = repo
        .git_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn blob(repo: &TestRepo, content: &str) -> String {
    git_stdin(repo, &["hash-object", "-w", "--stdin"], content.as_bytes())
}

/// A tree object with exactly these entries, whatever git thinks of them: `hash-object --literally`, as an
/// attacker builds one.
fn tree(repo: &TestRepo, entries: &[(&str, &str, &str)]) -> String {
    // In git's order (a directory sorts as if its name ended in `/`), as an attacker would write it: libgit2
    // looks names up by bisection.
    let mut entries = entries.to_vec();
    entries.sort_by_key(|(mode, name, _)| {
        format!("{name}{}", if *mode == "40000" { "/" } else { "" })
    });
    let mut raw = Vec::new();
    for (mode, name, id) in entries {
        raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        let bytes: Vec<u8> = (0..id.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
            .collect();
        raw.extend_from_slice(&bytes);
    }
    git_stdin(
        repo,
        &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        &raw,
    )
}

/// Where an attack aims: a HOME with a `.profile` to overwrite, and a TMPDIR for relgate's export.
struct Targets {
    home: TempDir,
    tmp: TempDir,
}

impl Targets {
    fn new() -> Targets {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join(".profile"), "original").unwrap();
        Targets {
            home,
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn env(&self) -> [(&'static str, PathBuf); 2] {
        [
            ("HOME", self.home.path().to_path_buf()),
            ("TMPDIR", self.tmp.path().to_path_buf()),
        ]
    }

    /// HOME holds only its `.profile`, unchanged; TMPDIR holds nothing (relgate removed its export).
    #[track_caller]
    fn assert_untouched(&self, case: &str) {
        assert_eq!(listing(self.home.path()), [".profile"], "{case}");
        assert_eq!(
            std::fs::read_to_string(self.home.path().join(".profile")).unwrap(),
            "original",
            "{case}"
        );
        assert_eq!(listing(self.tmp.path()), Vec::<String>::new(), "{case}");
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The crafted trees, each a `pkg/` directory beside the project's real files, with what relgate says of it.
/// Each aims at the test's HOME or TMPDIR: `pkg/../../x` in an export at `$TMPDIR/relgate-export-*/` is
/// `$TMPDIR/x`.
fn attacks(repo: &TestRepo, targets: &Targets) -> Vec<(&'static str, String, String)> {
    let pwned = blob(repo, "pwned");
    let home = targets.home.path().to_str().unwrap();
    let holding = |name: &str| tree(repo, &[("100644", name, &pwned)]);
    let dotdot_up = tree(repo, &[("40000", "..", &holding("sentinel"))]);
    let link_home = blob(repo, home);
    let link_profile = blob(repo, &format!("{home}/.profile"));
    vec![
        (
            "..",
            tree(repo, &[("40000", "..", &dotdot_up)]),
            "an entry named `..`, which would write into the parent directory at \"pkg/..\"".into(),
        ),
        (
            "a name with /",
            tree(repo, &[("100644", "../../sentinel", &pwned)]),
            "a `/` inside an entry's name at \"pkg/../../sentinel\"".into(),
        ),
        (
            ".GIT",
            tree(repo, &[("40000", ".GIT", &holding("config"))]),
            "a `.git` entry (in some spelling that a case-insensitive, HFS+ or NTFS file system takes for `.git`), which would plant a git directory at \"pkg/.GIT\"".into(),
        ),
        (
            "a symlink beside a directory of the same name",
            tree(
                repo,
                &[("120000", "home", &link_home), ("40000", "home", &holding(".bashrc"))],
            ),
            "two entries of the same name (e.g. a symbolic link beside a directory), so that one would be written through the other at \"pkg/home\"".into(),
        ),
        (
            "an absolute symlink to a file outside, then a file of that name",
            tree(
                repo,
                &[("120000", "profile", &link_profile), ("100644", "profile", &pwned)],
            ),
            "two entries of the same name (e.g. a symbolic link beside a directory), so that one would be written through the other at \"pkg/profile\"".into(),
        ),
    ]
}

/// A commit whose tree is HEAD's plus the crafted `pkg/`, child of HEAD.
fn crafted_commit(repo: &TestRepo, pkg: &str) -> String {
    let head_tree = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let mut entries: Vec<(String, String, String)> = repo
        .git(&["ls-tree", &head_tree])
        .lines()
        .map(|line| {
            let (meta, name) = line.split_once('\t').unwrap();
            let mut meta = meta.split(' ');
            let mode = meta.next().unwrap().trim_start_matches('0').to_owned();
            let id = meta.nth(1).unwrap().to_owned();
            (mode, name.to_owned(), id)
        })
        .collect();
    entries.push(("40000".into(), "pkg".into(), pkg.to_owned()));
    let borrowed: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|(m, n, i)| (m.as_str(), n.as_str(), i.as_str()))
        .collect();
    let root = tree(repo, &borrowed);
    repo.git(&["commit-tree", &root, "-p", "HEAD", "-m", "crafted"])
        .trim()
        .to_owned()
}

/// The hooks' fast checks, plus the publish checks, which read the files: a tag off HEAD is exported.
const EXPORTING: &str = "\n[tool.relgate]\nindex = \"advisory\"\nskip = [\"lint\", \"format\", \"type\", \"test\", \"build\"]\n";

const HINT: &str = "hint: git itself refuses to check out such a tree (`git fsck` reports it), so it was crafted, not committed: do not release tag v1.0.0: delete it (git tag -d v1.0.0), and release a commit made by git\n";

#[test]
fn a_crafted_tag_is_refused_by_check_and_writes_nothing_outside() {
    let p = Project::bare("1.0.0", EXPORTING);
    let targets = Targets::new();
    for (case, pkg, holds) in attacks(&p.repo, &targets) {
        let commit = crafted_commit(&p.repo, &pkg);
        p.repo.git(&["tag", "-f", "v1.0.0", &commit]);
        let out = p
            .repo
            .relgate()
            .args(["check", "--tag", "v1.0.0", "--offline"])
            .envs(targets.env())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{case}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!("error: refusing tag v1.0.0: its tree holds {holds}\n{HINT}"),
            "{case}"
        );
        targets.assert_untouched(case);
    }
}

#[test]
fn a_crafted_tag_pushed_through_the_hook_is_refused_and_writes_nothing_outside() {
    let p = Project::new("1.0.0", EXPORTING);
    let targets = Targets::new();
    let env: Vec<(&str, String)> = targets
        .env()
        .iter()
        .map(|(k, v)| (*k, v.to_str().unwrap().to_owned()))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (case, pkg, holds) in attacks(&p.repo, &targets) {
        let commit = crafted_commit(&p.repo, &pkg);
        // As a fetch would bring it: not made by `git tag`, so not gated on creation.
        p.repo.git(&["update-ref", "refs/tags/v1.0.0", &commit]);
        let (code, err) = p.git(&["push", "origin", "v1.0.0"], &env);
        assert_eq!(code, 1, "{case}: {err}");
        assert_eq!(
            err,
            format!(
                "relgate: the push to origin is refused: relgate could not gate it (the error follows); fix it, or push without the release gate: git push --no-verify (or RELGATE_SKIP=1 git push ...)\n\
                 error: refusing tag v1.0.0: its tree holds {holds}\n{HINT}\
                 error: failed to push some refs to '<remote>'\n"
            ),
            "{case}"
        );
        targets.assert_untouched(case);
        assert_eq!(p.remote_tags(), Vec::<String>::new(), "{case}");
    }
}

#[test]
fn a_crafted_tree_at_the_top_is_refused_when_its_files_are_read_and_when_exported() {
    let p = Project::bare("1.0.0", EXPORTING);
    let targets = Targets::new();
    let pwned = blob(&p.repo, "pwned");
    let pyproject = p
        .repo
        .git(&["rev-parse", "HEAD:pyproject.toml"])
        .trim()
        .to_owned();
    let root = tree(
        &p.repo,
        &[
            ("100644", ".git", &pwned),
            ("100644", "pyproject.toml", &pyproject),
        ],
    );
    let commit = p
        .repo
        .git(&["commit-tree", &root, "-p", "HEAD", "-m", "crafted"])
        .trim()
        .to_owned();
    p.repo.git(&["tag", "v1.0.0", &commit]);
    let short = &commit[..7];
    let holds = "a `.git` entry (in some spelling that a case-insensitive, HFS+ or NTFS file system takes for `.git`), which would plant a git directory at \".git\"";
    // Reading the declared version out of the tag: the version check has no verdict, and says why.
    let out = p
        .repo
        .relgate()
        .args([
            "check", "--tag", "v1.0.0", "--only", "version", "--format", "json",
        ])
        .envs(targets.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
    let version = &doc["checks"][0];
    assert_eq!(
        (&version["name"], &version["status"]),
        (&"version".into(), &"error".into())
    );
    assert_eq!(
        version["message"],
        format!("cannot read pyproject.toml: refusing commit {short}: its tree holds {holds}")
            .as_str()
    );
    assert_eq!(
        version["details"][0],
        format!(
            "git itself refuses to check out such a tree (`git fsck` reports it), so it was crafted, not committed: do not release commit {short}, and release a commit made by git"
        )
        .as_str()
    );
    // The whole gate: the export refuses the tag.
    let out = p
        .repo
        .relgate()
        .args(["check", "--tag", "v1.0.0", "--offline"])
        .envs(targets.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("error: refusing tag v1.0.0: its tree holds {holds}\n{HINT}")
    );
    targets.assert_untouched(".git at the top");
}

//! `relgate install` / `relgate uninstall` beside the hooks a repository already has (a plain hook, a symlinked
//! dispatcher, a team's core.hooksPath, husky, pre-commit), in linked worktrees, and `install.sh`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{TestRepo, pyproject, stderr, stdout};
use crate::hooks::{FAST, Project};

pub const BIN: &str = env!("CARGO_BIN_EXE_relgate");

/// Every file of a directory: name, bytes (a symlink's target), mode.
pub fn listing(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let path = e.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let bytes = if meta.file_type().is_symlink() {
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap()
            };
            (
                e.file_name().to_string_lossy().into_owned(),
                bytes,
                meta.permissions().mode(),
            )
        })
        .collect();
    files.sort();
    files
}

pub fn relgate(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let out = repo.relgate().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        stdout(&out).replace(BIN, "<relgate>"),
        stderr(&out),
    )
}

/// A hook that logs its name (`basename $0`), its arguments and its stdin to `log`, then exits with `status`.
pub fn logging_hook(log: &Path, status: i32) -> String {
    format!(
        "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> '{log}'\ncat >> '{log}'\nexit {status}\n",
        log = log.display()
    )
}

pub fn write_hook(path: &Path, text: &str, mode: u32) {
    crate::common::write_executable(path, text.as_bytes(), mode);
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn install_writes_both_shims_and_a_second_install_changes_nothing() {
    let p = Project::bare("1.0.0", FAST);
    let (code, out, err) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "pre-push: installed in .git/hooks\n\
         reference-transaction: installed in .git/hooks\n\
         the hooks run <relgate>; `relgate uninstall` puts back what was there\n"
    );
    let hooks = p.repo.path().join(".git/hooks");
    let first = listing(&hooks);
    for name in ["pre-push", "reference-transaction"] {
        let (_, bytes, mode) = first.iter().find(|(n, ..)| n == name).unwrap();
        assert_eq!(mode & 0o777, 0o755);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with(&format!("#!/bin/sh\n# relgate-hook: {name} 2\n")));
        assert!(text.contains(&format!("\nrelgate_bin='{BIN}'\n")));
    }
    let (code, out, _) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "pre-push: already installed in .git/hooks\n\
         reference-transaction: already installed in .git/hooks\n\
         the hooks run <relgate>; `relgate uninstall` puts back what was there\n"
    );
    assert_eq!(listing(&hooks), first);
    let (code, out, _) = relgate(&p.repo, &["uninstall"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "pre-push: removed from .git/hooks\nreference-transaction: removed from .git/hooks\n"
    );
    assert!(!hooks.join("pre-push").exists() && !hooks.join("reference-transaction").exists());
    let (_, out, _) = relgate(&p.repo, &["uninstall"]);
    assert_eq!(
        out,
        "pre-push: not installed in .git/hooks\nreference-transaction: not installed in .git/hooks\n"
    );
}

#[test]
fn one_hook_can_be_installed_alone_and_an_older_shim_is_upgraded() {
    let p = Project::bare("1.0.0", FAST);
    let (_, out, _) = relgate(&p.repo, &["install", "--hook", "pre-push"]);
    assert_eq!(
        out,
        "pre-push: installed in .git/hooks\nthe hooks run <relgate>; `relgate uninstall` puts back what was there\n"
    );
    let hook = p.repo.path().join(".git/hooks/pre-push");
    assert!(
        !p.repo
            .path()
            .join(".git/hooks/reference-transaction")
            .exists()
    );
    let current = read(&hook);
    std::fs::write(
        &hook,
        current.replace("# relgate-hook: pre-push 2", "# relgate-hook: pre-push 1"),
    )
    .unwrap();
    let (_, out, _) = relgate(&p.repo, &["install", "--hook", "pre-push"]);
    assert_eq!(
        out,
        "pre-push: updated in .git/hooks\nthe hooks run <relgate>; `relgate uninstall` puts back what was there\n"
    );
    assert_eq!(read(&hook), current);
}

#[test]
fn an_existing_hook_keeps_running_first_with_the_same_input_and_comes_back_byte_for_byte() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    let hooks = p.repo.path().join(".git/hooks");
    write_hook(&hooks.join("pre-push"), &logging_hook(&log, 0), 0o750);
    let before = listing(&hooks);

    let (code, out, err) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "pre-push: installed in .git/hooks; the hook that was there runs first, with the same input (moved to .git/hooks/pre-push.relgate-chained)\n\
         reference-transaction: installed in .git/hooks\n\
         the hooks run <relgate>; `relgate uninstall` puts back what was there\n"
    );
    assert_eq!(
        relgate(&p.repo, &["install"]).1.lines().next(),
        Some("pre-push: already installed in .git/hooks")
    );

    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    let (code, err) = p.git(&["push", "origin", "main", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("relgate: v1.0.0 passed 4 checks\n"),
        "{err}"
    );
    let head = p.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let zero = "0".repeat(40);
    let remote = p.remote.path().display();
    // The hook saw its own name, git's arguments and git's stdin, byte for byte.
    assert_eq!(
        read(&log),
        format!(
            "pre-push origin {remote}\nrefs/heads/main {head} refs/heads/main {zero}\nrefs/tags/v1.0.0 {head} refs/tags/v1.0.0 {zero}\n"
        )
    );

    // Its failure stops the push before relgate runs.
    write_hook(
        &hooks.join("pre-push.relgate-chained"),
        &logging_hook(&log, 3),
        0o750,
    );
    assert_eq!(p.git(&["tag", "v1.0.1"], &[("RELGATE_SKIP", "1")]).0, 0);
    let (code, err) = p.git(&["push", "origin", "v1.0.1"], &[]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: failed to push some refs to '<remote>'\n");
    write_hook(
        &hooks.join("pre-push.relgate-chained"),
        &logging_hook(&log, 0),
        0o750,
    );

    let (code, out, _) = relgate(&p.repo, &["uninstall"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "pre-push: removed; the hook that was there before is back at .git/hooks/pre-push\n\
         reference-transaction: removed from .git/hooks\n"
    );
    assert_eq!(listing(&hooks), before);
}

#[test]
fn a_symlinked_dispatcher_still_sees_its_own_name() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    // A dispatcher shared by several hooks, which acts on the name it was run under.
    write_hook(
        &p.repo.path().join("scripts/dispatch"),
        &format!(
            "#!/bin/sh\ncase $(basename \"$0\") in pre-push) cat > '{log}' ;; *) echo \"wrong name: $0\" > '{log}'; exit 1 ;; esac\n",
            log = log.display()
        ),
        0o755,
    );
    p.repo.commit("scripts");
    let hook = p.repo.path().join(".git/hooks/pre-push");
    std::os::unix::fs::symlink("../../scripts/dispatch", &hook).unwrap();
    assert_eq!(relgate(&p.repo, &["install"]).0, 0);
    let (code, err) = p.git(&["push", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(read(&log).starts_with("refs/heads/main "), "{}", read(&log));
    assert_eq!(relgate(&p.repo, &["uninstall"]).0, 0);
    assert_eq!(
        std::fs::read_link(&hook).unwrap(),
        Path::new("../../scripts/dispatch")
    );
}

#[test]
fn a_team_hooks_directory_in_the_working_tree_gets_the_hooks_and_stays_clean() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    write_hook(
        &p.repo.path().join(".githooks/pre-commit"),
        &logging_hook(&log, 0),
        0o755,
    );
    p.repo.commit("team hooks");
    p.repo.git(&["config", "core.hooksPath", ".githooks"]);
    let tracked = listing(&p.repo.path().join(".githooks"));
    let exclude = p.repo.path().join(".git/info/exclude");
    let exclude_before = std::fs::read(&exclude).unwrap();

    let (code, out, err) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "git takes this repository's hooks from core.hooksPath = .githooks ({}/.githooks): relgate's hooks are there\n\
             pre-push: installed in .githooks\n\
             reference-transaction: installed in .githooks\n\
             added /.githooks/pre-push, /.githooks/reference-transaction to .git/info/exclude so that git status (and relgate's check of the working tree) ignore them\n\
             the hooks run <relgate>; `relgate uninstall` puts back what was there\n",
            p.repo.path().display()
        )
    );
    assert_eq!(p.repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        relgate(&p.repo, &["install"]).1.lines().nth(1),
        Some("pre-push: already installed in .githooks")
    );
    assert_eq!(read(&exclude).matches("/.githooks/pre-push").count(), 1);
    // The team's hook still runs; relgate gates tags.
    let (code, err) = p.git(&["commit", "-q", "--allow-empty", "-m", "x"], &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(read(&log), "pre-commit \n");
    assert_eq!(p.git(&["tag", "v9.9.9"], &[]).0, 128);

    let (code, out, _) = relgate(&p.repo, &["uninstall"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "pre-push: removed from .githooks\n\
         reference-transaction: removed from .githooks\n\
         removed /.githooks/pre-push, /.githooks/reference-transaction from .git/info/exclude\n"
    );
    assert_eq!(listing(&p.repo.path().join(".githooks")), tracked);
    assert_eq!(std::fs::read(&exclude).unwrap(), exclude_before);
    assert_eq!(p.repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_tracked_hook_is_never_replaced() {
    let p = Project::bare("1.0.0", FAST);
    write_hook(
        &p.repo.path().join(".githooks/pre-push"),
        "#!/bin/sh\nexit 0\n",
        0o755,
    );
    p.repo.commit("team hooks");
    p.repo.git(&["config", "core.hooksPath", ".githooks"]);
    let before = p.repo.snapshot();
    let git_hooks = listing(&p.repo.path().join(".git/hooks"));
    let (code, out, err) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: .githooks/pre-push is tracked in this repository (core.hooksPath = .githooks, shared through git): relgate will not replace a file of the working tree\n\
         hint: call relgate from that hook: add `relgate hook pre-push --path . \"$@\"` to it (it reads the same stdin git gives the hook), or install for this clone only with `git config core.hooksPath .git/hooks` and relgate install\n"
    );
    assert_eq!(p.repo.snapshot(), before);
    assert_eq!(listing(&p.repo.path().join(".git/hooks")), git_hooks);
    assert!(
        !p.repo
            .path()
            .join(".githooks/reference-transaction")
            .exists(),
        "nothing was installed"
    );
}

#[test]
fn a_linked_worktree_uses_the_common_hooks_directory() {
    let p = Project::bare("1.0.0", FAST);
    let worktree = tempfile::tempdir().unwrap();
    let linked = worktree.path().join("linked");
    p.repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        linked.to_str().unwrap(),
    ]);
    let out = p
        .repo
        .relgate()
        .arg("install")
        .current_dir(&linked)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let common = p.repo.path().join(".git/hooks").canonicalize().unwrap();
    assert_eq!(
        stdout(&out).replace(BIN, "<relgate>"),
        format!(
            "pre-push: installed in {0}\nreference-transaction: installed in {0}\nthe hooks run <relgate>; `relgate uninstall` puts back what was there\n",
            common.display()
        )
    );
    let git_says = p
        .repo
        .git_command(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .current_dir(&linked)
        .output()
        .unwrap();
    assert_eq!(
        Path::new(stdout(&git_says).trim()).canonicalize().unwrap(),
        common
    );
    let tag = |dir: &Path, name: &str| {
        p.repo
            .git_command(&["tag", name])
            .current_dir(dir)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(tag(&linked, "v9.9.9"), Some(128));
    assert_eq!(tag(p.repo.path(), "v9.9.9"), Some(128));
    assert_eq!(tag(&linked, "v1.0.0"), Some(0));
}

#[test]
fn a_project_in_a_subdirectory_is_recorded() {
    let repo = TestRepo::new();
    repo.write("README.md", "monorepo\n").write(
        "pkg/pyproject.toml",
        &format!(
            "{}\n[tool.relgate]\ntag-format = \"pkg-v{{version}}\"\nindex = \"advisory\"\n",
            pyproject("pkg", "1.0.0")
        ),
    );
    repo.commit("pkg");
    let out = repo
        .relgate()
        .args(["install", "--path", "pkg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().last().map(|l| l.replace(BIN, "<relgate>")),
        Some("the hooks run <relgate> for the project in pkg/; `relgate uninstall` puts back what was there".to_owned())
    );
    assert!(read(&repo.path().join(".git/hooks/pre-push")).contains("\nrelgate_project='pkg'\n"));
    let tag = |name: &str| repo.git_output(&["tag", name]);
    let bad = tag("pkg-v9.9.9");
    assert_eq!(bad.status.code(), Some(128));
    assert!(
        stderr(&bad)
            .contains("relgate 0.1.0 · pkg 1.0.0 (pyproject.toml:3, static) · tag pkg-v9.9.9 at "),
        "{}",
        stderr(&bad)
    );
    let good = tag("pkg-v1.0.0");
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    // Tags of another format are not this project's releases.
    assert_eq!(tag("v9.9.9").status.code(), Some(0));
}

#[test]
fn install_refuses_a_bare_repository_a_directory_outside_git_and_a_global_hooks_path() {
    let bare = tempfile::tempdir().unwrap();
    assert!(
        std::process::Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(bare.path())
            .status()
            .unwrap()
            .success()
    );
    let repo = TestRepo::new();
    let out = repo
        .relgate()
        .arg("install")
        .current_dir(bare.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out)
            .replace(
                &bare.path().canonicalize().unwrap().display().to_string(),
                "<bare>"
            )
            .replace(&bare.path().display().to_string(), "<bare>"),
        "error: <bare>/ is a bare repository: release tags are made and pushed from a clone with a working tree\nhint: run relgate install in the clone you release from\n"
    );
    let outside = tempfile::tempdir().unwrap();
    let out = repo
        .relgate()
        .arg("install")
        .current_dir(outside.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).replace(
            &outside.path().canonicalize().unwrap().display().to_string(),
            "<dir>"
        ),
        "error: <dir> is not inside a git repository\nhint: run relgate inside the project's git repository, or pass --path DIR\n"
    );
    std::fs::write(
        repo.home.path().join(".gitconfig"),
        "[core]\n\thooksPath = ~/.githooks\n",
    )
    .unwrap();
    let (code, out, err) = relgate(&repo, &["install"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "error: core.hooksPath is set to ~/.githooks in your global git configuration: every repository runs its hooks from there, and relgate's hooks gate one project\n\
         hint: give this repository its own hooks directory (`git config core.hooksPath .git/hooks`; copy there the shared hooks it still needs) and run relgate install again, or call `relgate hook pre-push \"$@\"` from the shared pre-push hook\n"
    );
    assert!(!repo.home.path().join(".githooks").exists());
    // Set for this repository alone, a directory outside it is used, with a note.
    let shared = tempfile::tempdir().unwrap();
    repo.git(&["config", "core.hooksPath", shared.path().to_str().unwrap()]);
    let (code, out, err) = relgate(&repo, &["install", "--hook", "pre-push"]);
    assert_eq!(code, 0, "{err}");
    let dir = shared.path().display().to_string();
    assert_eq!(
        out,
        format!(
            "git takes this repository's hooks from core.hooksPath = {dir} ({dir}): relgate's hooks are there\n\
             note: that directory is outside this repository: other repositories that take their hooks from it get relgate's hooks too\n\
             pre-push: installed in {dir}\n\
             the hooks run <relgate>; `relgate uninstall` puts back what was there\n"
        )
    );
}

#[test]
fn a_hook_that_differs_from_the_one_moved_aside_is_left_for_the_user_to_decide() {
    let p = Project::bare("1.0.0", FAST);
    let hooks = p.repo.path().join(".git/hooks");
    write_hook(&hooks.join("pre-push"), "#!/bin/sh\necho one\n", 0o755);
    assert_eq!(relgate(&p.repo, &["install", "--hook", "pre-push"]).0, 0);
    // Another tool writes its own hook over relgate's.
    write_hook(&hooks.join("pre-push"), "#!/bin/sh\necho two\n", 0o755);
    let before = listing(&hooks);
    let (code, _, err) = relgate(&p.repo, &["install", "--hook", "pre-push"]);
    assert_eq!(code, 2);
    let hooks_abs = hooks.canonicalize().unwrap().display().to_string();
    assert_eq!(
        err.replace(&hooks_abs, "<hooks>")
            .replace(&hooks.display().to_string(), "<hooks>"),
        "error: .git/hooks/pre-push is not relgate's hook, and .git/hooks/pre-push.relgate-chained (the hook relgate moved aside before) differs from it\n\
         hint: decide which one to keep: remove or rename the other, then run relgate install again (`diff <hooks>/pre-push <hooks>/pre-push.relgate-chained` shows the difference)\n"
    );
    let (code, out, _) = relgate(&p.repo, &["uninstall", "--hook", "pre-push"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "pre-push: warning: .git/hooks/pre-push is no longer relgate's hook, and .git/hooks/pre-push.relgate-chained (the hook relgate moved aside) differs from it: both left as they are; keep the one you want\n"
    );
    assert_eq!(listing(&hooks), before);
}

#[test]
fn an_existing_reference_transaction_hook_runs_first_in_every_state() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    let hook = p.repo.path().join(".git/hooks/reference-transaction");
    // It logs each state and the refs, and refuses any transaction touching refs/tags/blocked.
    write_hook(
        &hook,
        &format!(
            "#!/bin/sh\nwhile read -r old new ref; do echo \"$1 $ref\" >> '{log}'; case $ref in refs/tags/blocked) [ \"$1\" = prepared ] && exit 1 ;; esac; done\nexit 0\n",
            log = log.display()
        ),
        0o755,
    );
    let original = std::fs::read(&hook).unwrap();
    let commit = || {
        let (code, err) = p.git(&["commit", "-q", "--allow-empty", "-m", "x"], &[]);
        assert_eq!((code, err.as_str()), (0, ""));
        let seen = read(&log);
        std::fs::remove_file(&log).unwrap();
        seen
    };
    let alone = commit();
    assert!(alone.contains("prepared refs/heads/main\n"), "{alone}");
    assert_eq!(relgate(&p.repo, &["install"]).0, 0);
    // A commit: the hook sees every state and ref as it did alone.
    assert_eq!(commit(), alone);
    // relgate refuses the tag after the hook let it through; git then runs the hook with `aborted`.
    let (code, _) = p.git(&["tag", "v9.9.9"], &[]);
    assert_eq!(code, 128);
    assert_eq!(
        read(&log),
        "prepared refs/tags/v9.9.9\naborted refs/tags/v9.9.9\n"
    );
    std::fs::remove_file(&log).unwrap();
    // The hook's own refusal aborts the transaction before relgate runs.
    let (code, err) = p.git(&["tag", "blocked"], &[]);
    assert_eq!(
        (code, err.as_str()),
        (128, "fatal: ref updates aborted by hook\n")
    );
    assert_eq!(p.local_tags(), Vec::<String>::new());

    assert_eq!(relgate(&p.repo, &["uninstall"]).0, 0);
    assert_eq!(std::fs::read(&hook).unwrap(), original);
}

#[test]
fn large_transactions_and_pushes_reach_the_chained_hooks_byte_for_byte() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    let hooks = p.repo.path().join(".git/hooks");
    let raw_logger = format!(
        "#!/bin/sh\necho \"== $1\" >> '{0}'\ncat >> '{0}'\n",
        log.display()
    );
    write_hook(&hooks.join("reference-transaction"), &raw_logger, 0o755);
    write_hook(&hooks.join("pre-push"), &raw_logger, 0o755);
    let head = p.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let refs: Vec<String> = (0..40)
        .map(|i| format!("refs/heads/b{i:02}"))
        .chain(["refs/tags/t0".to_owned()])
        .collect();
    let transaction = |verb: &str| {
        let script: String = refs
            .iter()
            .map(|r| match verb {
                "create" => format!("create {r} {head}\n"),
                _ => format!("delete {r}\n"),
            })
            .collect();
        let mut cmd = p.repo.git_command(&["update-ref", "--stdin"]);
        cmd.stdin(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        let seen = read(&log);
        std::fs::remove_file(&log).unwrap();
        seen
    };
    let push = |remote: &Path| {
        let (code, err) = p.git(
            &[
                "push",
                "-q",
                remote.to_str().unwrap(),
                "refs/heads/*:refs/heads/*",
            ],
            &[],
        );
        assert_eq!(code, 0, "{err}");
        let seen = read(&log).replace(remote.to_str().unwrap(), "<remote>");
        std::fs::remove_file(&log).unwrap();
        seen
    };
    let created_alone = transaction("create");
    assert_eq!(
        created_alone.matches(" refs/heads/b").count(),
        80,
        "{created_alone}"
    );
    let first_remote = tempfile::tempdir().unwrap();
    let second_remote = tempfile::tempdir().unwrap();
    for remote in [&first_remote, &second_remote] {
        let init = p
            .repo
            .git_output(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
        assert!(init.status.success());
    }
    let pushed_alone = push(first_remote.path());
    transaction("delete");

    assert_eq!(relgate(&p.repo, &["install"]).0, 0);
    assert_eq!(transaction("create"), created_alone);
    assert_eq!(push(second_remote.path()), pushed_alone);
}

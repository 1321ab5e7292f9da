//! `relgate install` beside hook managers, for real: husky 9's generated dispatchers and pre-commit's own
//! `pre-commit install`, in either order.

use std::path::PathBuf;

use crate::common::{TestRepo, stderr, stdout, test_venv};
use crate::hooks::{FAST, Project};
use crate::install::{listing, read, relgate, write_hook};

/// husky 9's files, as its installer writes them: a dispatcher per hook in `.husky/_`, which runs the user's
/// `.husky/<hook>` found from the dispatcher's own name, and a .gitignore that hides the directory.
fn husky(repo: &TestRepo) -> (PathBuf, String) {
    let generated = repo.path().join(".husky/_");
    write_hook(&generated.join(".gitignore"), "*", 0o644);
    let stub = "#!/usr/bin/env sh\n. \"${0%/*}/h\"".to_owned();
    write_hook(&generated.join("pre-push"), &stub, 0o755);
    write_hook(&generated.join("pre-commit"), &stub, 0o755);
    write_hook(
        &generated.join("h"),
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\n[ \"${HUSKY-}\" = \"0\" ] && exit 0\nsh -e \"$s\" \"$@\"\nc=$?\n[ $c != 0 ] && echo \"husky - $n script failed (code $c)\"\nexit $c\n",
        0o644,
    );
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    (generated, stub)
}

#[test]
fn husky_hooks_keep_running_beside_relgate() {
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    std::fs::create_dir_all(p.repo.path().join(".husky")).unwrap();
    std::fs::write(
        p.repo.path().join(".husky/pre-push"),
        format!(
            "echo \"husky pre-push $1\" >> '{0}'\ncat >> '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    p.repo.commit("husky");
    let (generated, stub) = husky(&p.repo);
    assert_eq!(p.repo.git(&["status", "--porcelain"]), "");
    let before = listing(&generated);

    let (code, out, err) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "git takes this repository's hooks from core.hooksPath = .husky/_ ({}/.husky/_): relgate's hooks are there\n\
             pre-push: installed in .husky/_; the hook that was there runs first, with the same input (moved to .husky/_/pre-push.relgate-chained)\n\
             reference-transaction: installed in .husky/_\n\
             husky writes .husky/_ anew when it installs (npm install runs it): run relgate install again after that\n\
             the hooks run <relgate>; `relgate uninstall` puts back what was there\n",
            p.repo.path().display()
        )
    );
    assert_eq!(p.repo.git(&["status", "--porcelain"]), "");
    let (code, err) = p.git(&["push", "origin", "main"], &[]);
    assert_eq!(code, 0, "{err}");
    let head = p.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let zero = "0".repeat(40);
    let pushed = format!("husky pre-push origin\nrefs/heads/main {head} refs/heads/main {zero}\n");
    assert_eq!(read(&log), pushed);

    // `npm install` runs husky, which writes its dispatcher again over relgate's: install again.
    write_hook(&generated.join("pre-push"), &stub, 0o755);
    let (code, out, _) = relgate(&p.repo, &["install"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().nth(1),
        Some(
            "pre-push: installed in .husky/_ again, in place of a copy of the hook moved aside earlier (.husky/_/pre-push.relgate-chained), which runs first"
        )
    );
    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    let (code, err) = p.git(&["push", "origin", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("relgate: v1.0.0 passed 4 checks\n"),
        "{err}"
    );
    assert_eq!(
        read(&log),
        format!("{pushed}husky pre-push origin\nrefs/tags/v1.0.0 {head} refs/tags/v1.0.0 {zero}\n")
    );

    assert_eq!(relgate(&p.repo, &["uninstall"]).0, 0);
    assert_eq!(listing(&generated), before);
}

#[test]
fn pre_commit_hooks_keep_running_beside_relgate_in_either_order() {
    let venv = test_venv();
    let pre_commit = venv.join("bin/pre-commit");
    assert!(
        pre_commit.exists(),
        "pre-commit is missing from {}: run scripts/test.sh, which installs tests/requirements.txt",
        venv.display()
    );
    let p = Project::bare("1.0.0", FAST);
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("log");
    p.repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: local\n  hooks:\n  - id: log\n    name: log\n    language: system\n    entry: sh -c 'echo pre-commit ran >> {}'\n    pass_filenames: false\n    always_run: true\n    stages: [pre-push]\n",
            log.display()
        ),
    );
    p.repo.commit("pre-commit");
    let run_pre_commit = |args: &[&str]| {
        let out = std::process::Command::new(&pre_commit)
            .args(args)
            .current_dir(p.repo.path())
            .envs(p.repo.envs())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    };
    let hooks = p.repo.path().join(".git/hooks");

    // pre-commit first, then relgate: pre-commit's script is chained.
    run_pre_commit(&["install", "-t", "pre-push"]);
    let pre_commit_script = listing(&hooks);
    assert_eq!(relgate(&p.repo, &["install"]).0, 0);
    assert_eq!(p.git(&["tag", "v1.0.0"], &[]).0, 0);
    let (code, err) = p.git(&["push", "origin", "main", "v1.0.0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&log), "pre-commit ran\n");
    assert!(err.contains("relgate: v1.0.0 passed 4 checks\n"), "{err}");
    assert_eq!(relgate(&p.repo, &["uninstall"]).0, 0);
    assert_eq!(listing(&hooks), pre_commit_script);

    // relgate first, then pre-commit, which moves relgate's shim to pre-push.legacy and runs it first.
    run_pre_commit(&["uninstall", "-t", "pre-push"]);
    assert_eq!(relgate(&p.repo, &["install", "--hook", "pre-push"]).0, 0);
    run_pre_commit(&["install", "-t", "pre-push"]);
    assert!(hooks.join("pre-push.legacy").exists());
    let (code, out, _) = relgate(&p.repo, &["install", "--hook", "pre-push"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some(
            "pre-push: already installed (pre-commit runs it first, as .git/hooks/pre-push.legacy)"
        )
    );
    p.repo.git(&["commit", "-q", "--allow-empty", "-m", "next"]);
    assert_eq!(p.git(&["tag", "v1.0.1"], &[("RELGATE_SKIP", "1")]).0, 0);
    let (code, err) = p.git(&["push", "origin", "main", "v1.0.1"], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err.matches("relgate: the push to origin is refused: v1.0.1 did not pass")
            .count(),
        1,
        "{err}"
    );
    let (code, out, _) = relgate(&p.repo, &["uninstall", "--hook", "pre-push"]);
    assert_eq!(code, 0);
    assert_eq!(out, "pre-push: removed from .git/hooks\n");
    assert!(!hooks.join("pre-push.legacy").exists());
    assert_eq!(listing(&hooks), pre_commit_script);
}

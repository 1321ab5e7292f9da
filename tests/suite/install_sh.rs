//! `install.sh`: a missing cargo, a build through cargo (a stand-in that records how it is called), an
//! already-built binary, re-runs, and where the hooks go.

use std::path::Path;

use crate::common::stderr;
use crate::common::stdout;
use crate::hooks::{FAST, Project};

const BIN: &str = env!("CARGO_BIN_EXE_relgate");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn write_executable(path: &Path, text: &str) {
    crate::common::write_executable(path, text.as_bytes(), 0o755);
}

fn hooks_listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Run install.sh with `path` as PATH and a fresh HOME.
fn install_sh(args: &[&str], cwd: &Path, path: &str, home: &Path) -> (i32, String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let out = std::process::Command::new("/bin/sh")
        .arg(&script)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("RELGATE_INDEX_URL", "http://127.0.0.1:9/simple")
        .output()
        .unwrap();
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

/// A PATH directory with links to the given programs only.
fn tools(dir: &Path, names: &[&str]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    for name in names {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{name} is not on PATH"));
        std::os::unix::fs::symlink(found, dir.join(name)).unwrap();
    }
    dir.display().to_string()
}

const SH_TOOLS: &[&str] = &["git", "dirname", "mkdir", "cp", "chmod", "mv", "sed", "ps"];

#[test]
fn install_sh_without_cargo_says_what_to_do() {
    let temp = tempfile::tempdir().unwrap();
    let path = tools(&temp.path().join("tools"), SH_TOOLS);
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let p = Project::bare("1.0.0", FAST);
    let (code, out, err) = install_sh(&[], p.repo.path(), &path, &home);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "install.sh: cannot build relgate: cargo (Rust's build tool) is not installed, or not on PATH\n\
         install.sh: install Rust with rustup (https://rustup.rs), open a new shell and run ./install.sh again,\n\
         install.sh: or install an already-built relgate: ./install.sh --binary PATH/TO/relgate\n"
    );
    assert!(!home.join(".cargo").exists(), "nothing is created");
    assert!(!p.repo.path().join(".git/hooks/pre-push").exists());
}

#[test]
fn install_sh_builds_with_cargo_installs_the_hooks_and_is_safe_to_rerun() {
    let temp = tempfile::tempdir().unwrap();
    let tool_dir = temp.path().join("tools");
    let path = tools(&tool_dir, SH_TOOLS);
    // A cargo that records how it is called and installs the relgate under test where it is asked to: the
    // real `cargo install` of this crate takes minutes on two cores.
    let calls = temp.path().join("cargo-calls");
    write_executable(
        &tool_dir.join("cargo"),
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{calls}'\nwhile [ $# -gt 1 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && cp '{BIN}' \"$root/bin/relgate\"\n",
            calls = calls.display()
        ),
    );
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let p = Project::bare("1.0.0", FAST);
    let root = temp.path().join("root");
    let installed = root.join("bin/relgate");
    let (code, out, err) = install_sh(
        &["--root", root.to_str().unwrap()],
        p.repo.path(),
        &path,
        &home,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err, "");
    let src = env!("CARGO_MANIFEST_DIR");
    let root_s = root.display();
    assert_eq!(
        out,
        format!(
            "install.sh: building relgate with {tool}/cargo install --path {src} --locked --root {root_s} (a minute or two the first time)\n\
             install.sh: installed {root_s}/bin/relgate\n\
             pre-push: installed in .git/hooks\n\
             reference-transaction: installed in .git/hooks\n\
             the hooks run {root_s}/bin/relgate; `relgate uninstall` puts back what was there\n\
             install.sh: {root_s}/bin is not on PATH: add it in this shell (and in your shell's profile, e.g. ~/.profile):\n  \
             export PATH=\"{root_s}/bin:$PATH\"\n",
            tool = tool_dir.display()
        )
    );
    assert_eq!(
        read(&calls),
        format!("install --quiet --path {src} --locked --root {root_s}\n")
    );
    assert!(
        read(&p.repo.path().join(".git/hooks/pre-push"))
            .contains(&format!("\nrelgate_bin='{}'\n", installed.display()))
    );
    // The installed hooks work with the installed binary.
    assert_eq!(p.git(&["tag", "v9.9.9"], &[]).0, 128);

    // Again, with the bin directory on PATH: the same hooks, and relgate is found.
    let hooks_before = hooks_listing(&p.repo.path().join(".git/hooks"));
    let path = format!("{}/bin:{path}", root.display());
    let (code, out, err) = install_sh(
        &["--root", root.to_str().unwrap()],
        p.repo.path(),
        &path,
        &home,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("pre-push: already installed in .git/hooks\n"),
        "{out}"
    );
    assert!(
        out.ends_with("install.sh: relgate is on PATH: run relgate check in your project\n"),
        "{out}"
    );
    assert_eq!(
        hooks_listing(&p.repo.path().join(".git/hooks")),
        hooks_before
    );
}

#[test]
fn install_sh_takes_a_built_binary_and_skips_hooks_outside_a_project() {
    let temp = tempfile::tempdir().unwrap();
    let path = tools(&temp.path().join("tools"), SH_TOOLS);
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let root = temp.path().join("root");
    let outside = temp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let root_s = root.display();
    let (code, out, err) = install_sh(
        &["--binary", BIN, "--root", root.to_str().unwrap()],
        &outside,
        &path,
        &home,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        format!(
            "install.sh: installed {BIN} as {root_s}/bin/relgate\n\
             install.sh: not inside a git repository: no hooks installed (run relgate install in your project's repository)\n\
             install.sh: {root_s}/bin is not on PATH: add it in this shell (and in your shell's profile, e.g. ~/.profile):\n  \
             export PATH=\"{root_s}/bin:$PATH\"\n"
        )
    );
    assert_eq!(
        std::fs::read(root.join("bin/relgate")).unwrap(),
        std::fs::read(BIN).unwrap()
    );
    // In relgate's own source, no hooks either.
    let (code, out, _) = install_sh(
        &["--binary", BIN, "--root", root.to_str().unwrap()],
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &path,
        &home,
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("install.sh: this is relgate's own source: no hooks installed here"),
        "{out}"
    );
    // A repository named on the command line gets them.
    let p = Project::bare("1.0.0", FAST);
    let (code, out, err) = install_sh(
        &[
            "--binary",
            BIN,
            "--root",
            root.to_str().unwrap(),
            p.repo.path().to_str().unwrap(),
        ],
        &outside,
        &path,
        &home,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("pre-push: installed in .git/hooks\n"), "{out}");
    let (code, _, err) = install_sh(&["--bogus"], &outside, &path, &home);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "install.sh: unknown option --bogus (see ./install.sh --help)\n"
        )
    );
}

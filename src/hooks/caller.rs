//! Which git command a hook runs for: the nearest `git` process among relgate's ancestors.
//!
//! git tells a reference-transaction hook nothing about the command behind the transaction (no variable is
//! set for `git fetch` or `git tag`), yet `git fetch`, `git clone`, `git receive-pack`, `git pack-refs` and
//! `git gc` all create tags in that hook's eyes: only the command line of the process that runs the hook
//! tells them apart.

use std::path::Path;
use std::time::Duration;

/// The nearest git ancestor's command: its subcommand as typed (an alias stays an alias).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommand {
    pub subcommand: String,
}

/// The git command that (directly or through a hook manager) started this process; `None` when no ancestor
/// is git or the process table cannot be read.
pub fn git_command() -> Option<GitCommand> {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..12 {
        if pid <= 1 {
            return None;
        }
        let (parent, argv) = process_info(pid)?;
        if let Some(subcommand) = subcommand(&argv) {
            return Some(GitCommand { subcommand });
        }
        pid = parent;
    }
    None
}

/// The subcommand of a git command line (`git -C dir -c k=v tag v1` is `tag`; `git-receive-pack` is
/// `receive-pack`); `None` when the program is not git.
pub fn subcommand(argv: &[String]) -> Option<String> {
    let program = Path::new(argv.first()?).file_name()?.to_str()?;
    if let Some(dashed) = program.strip_prefix("git-") {
        return Some(dashed.to_owned());
    }
    if program != "git" {
        return None;
    }
    let mut rest = argv[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            // Global options that take their value as the next argument (git(1)).
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env"
            | "--super-prefix" | "--attr-source" | "--exec-path"
                if !arg.contains('=') =>
            {
                if arg != "--exec-path" {
                    rest.next();
                }
            }
            a if a.starts_with('-') => {}
            a => return Some(a.to_owned()),
        }
    }
    Some(String::new())
}

/// The parent pid and command line of a process.
fn process_info(pid: u32) -> Option<(u32, Vec<String>)> {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    if proc_dir.is_dir() {
        let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last `)`.
        let after = &stat[stat.rfind(')')? + 1..];
        let parent = after.split_whitespace().nth(1)?.parse().ok()?;
        let cmdline = std::fs::read(proc_dir.join("cmdline")).ok()?;
        let argv = cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        return Some((parent, argv));
    }
    // Without /proc (macOS, the BSDs): ps(1), whose `args` joins the arguments with spaces.
    let spec = crate::process::Spec {
        argv: vec![
            "ps".into(),
            "-o".into(),
            "ppid=".into(),
            "-o".into(),
            "args=".into(),
            "-p".into(),
            pid.to_string().into(),
        ],
        cwd: std::env::temp_dir(),
        env: Vec::new(),
        env_remove: Vec::new(),
        timeout: Duration::from_secs(5),
        max_output: 64 * 1024,
    };
    let finished = crate::process::run(&spec).ok()?;
    if !matches!(finished.ended, crate::process::Ended::Exited(0)) {
        return None;
    }
    let text = finished.output.text;
    let mut words = text.split_whitespace();
    let parent = words.next()?.parse().ok()?;
    Some((parent, words.map(str::to_owned).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(line: &str) -> Option<String> {
        subcommand(&line.split(' ').map(str::to_owned).collect::<Vec<_>>())
    }

    #[test]
    fn subcommands_after_global_options() {
        assert_eq!(sub("git tag v1.0"), Some("tag".into()));
        assert_eq!(
            sub("/usr/lib/git-core/git fetch --update-head-ok -q"),
            Some("fetch".into())
        );
        assert_eq!(
            sub("git -C /x -c user.name=a --no-pager tag -a v1"),
            Some("tag".into())
        );
        assert_eq!(
            sub("git --git-dir /x/.git --work-tree=/x tag v1"),
            Some("tag".into())
        );
        assert_eq!(sub("git --exec-path fetch"), Some("fetch".into()));
        assert_eq!(
            sub("git-receive-pack /srv/repo.git"),
            Some("receive-pack".into())
        );
        assert_eq!(sub("git fetch origin tag v1.0"), Some("fetch".into()));
        assert_eq!(sub("git"), Some(String::new()));
        assert_eq!(
            sub("/bin/sh .git/hooks/reference-transaction prepared"),
            None
        );
        assert_eq!(sub("python3 -m pre_commit hook-impl"), None);
    }

    #[test]
    fn reads_this_process_from_the_process_table() {
        let (parent, argv) = process_info(std::process::id()).unwrap();
        assert_eq!(parent, std::os::unix::process::parent_id());
        let exe = std::env::current_exe().unwrap();
        let name = exe.file_name().unwrap().to_str().unwrap();
        assert!(argv[0].ends_with(name), "{argv:?}");
    }
}

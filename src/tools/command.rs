//! How a tool is run: what relgate adds to its command line (machine-readable output, check mode, caches out of
//! the tree), what it drops from the project's arguments, the variables and files it needs, and the GitHub
//! actions that stand for a command.

use std::path::Path;

use super::verdict::Counts;

/// What a tool's command is built from.
pub struct Context<'a> {
    /// The repository's root (or the export's): no file outside it is read.
    pub root: &'a Path,
    /// The project's directory, where the tool runs.
    pub project_dir: &'a Path,
    /// The project's declared name, to find its package.
    pub name: Option<&'a str>,
    /// relgate's own directory (`<git common dir>/relgate`), for the tools' caches.
    pub state_dir: &'a Path,
    /// The tool's version, when known.
    pub version: Option<&'a str>,
    /// The interpreter of the project's environment, when it has one.
    pub python: Option<&'a Path>,
    /// Whether a distribution is installed beside the tool (pytest-cov, whose options relgate adds).
    pub installed: &'a dyn Fn(&str) -> bool,
}

/// relgate's part of a tool's command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arguments {
    /// relgate's own, after the program and its subcommand: output format, check mode, caches.
    pub own: Vec<String>,
    /// What it checks when the project's command names nothing (black's `.`, mypy's packages).
    pub targets: Vec<String>,
    /// Why the targets are these, when relgate chose them.
    pub note: Option<String>,
}

impl Arguments {
    pub fn own(words: &[&str]) -> Arguments {
        Arguments {
            own: words.iter().map(|w| (*w).to_owned()).collect(),
            ..Arguments::default()
        }
    }
}

/// A GitHub action that runs a tool, and the command it stands for.
pub struct Action {
    /// `owner/name`, as `uses:` names it before the `@`.
    pub uses: &'static str,
    /// The command line the step runs, from the action's inputs.
    pub command: fn(Inputs) -> String,
}

/// A step's inputs (`with:`), by name.
pub type Inputs<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A variable that moves a tool's cache out of the tree.
#[derive(Debug, Clone, Copy)]
pub struct CacheEnv {
    pub var: &'static str,
    /// The cache is keyed by file path: kept warm in relgate's state directory for checks run in place, it goes
    /// with the run's scratch directory for an export (whose paths are new every time).
    pub by_path: bool,
}

/// A report file relgate asks a tool to write.
#[derive(Debug, Clone, Copy)]
pub struct ReportFile {
    /// The arguments that make the tool write it to the path given.
    pub args: fn(&str) -> Vec<String>,
    /// What the report counts: (tests, failed or erroring, skipped).
    pub counts: fn(&str) -> Option<Counts>,
}

/// The project's arguments without the options a tool's `drops` names (flag, whether it takes a separate
/// value): `--fix`, `--output-format github`, `--junit-xml=x.xml`.
pub fn sanitize(drops: &[(&str, bool)], args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((f, _)) if f.starts_with('-') => (f, true),
            _ => (arg.as_str(), false),
        };
        if let Some((_, takes_value)) = drops.iter().find(|(f, _)| *f == flag) {
            if *takes_value && !inline_value {
                iter.next();
            }
            continue;
        }
        out.push(arg.clone());
    }
    out
}

/// Whether a `MAJOR.MINOR...` version is at least `(major, minor)`.
pub fn at_least(version: &str, (major, minor): (u32, u32)) -> bool {
    let mut parts = version.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .unwrap_or(0)
    });
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
}

/// Owned words.
pub fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// No arguments of relgate's own.
pub fn no_arguments(_: &Context) -> Arguments {
    Arguments::default()
}

/// No variables of the tool's own.
pub fn no_env(_: &Path) -> Vec<(String, String)> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_options_take_their_values_with_them() {
        let drops = [("--fix", false), ("--output-format", true), ("-O", true)];
        assert_eq!(
            sanitize(
                &drops,
                &words(&["--fix", "--output-format", "github", "-O=json", "src"])
            ),
            ["src"]
        );
    }

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert!(at_least("1.11.0", (1, 11)));
        assert!(at_least("2.4.1", (1, 11)));
        assert!(!at_least("1.10.1", (1, 11)));
        assert!(at_least("0.17.6", (0, 15)));
        assert!(!at_least("0.9.10", (0, 15)));
        assert!(at_least("1.0rc1", (1, 0)));
    }
}

//! Which tree entry names relgate accepts: git's own rules for what may be checked out.
//!
//! git does not check fetched objects by default, and `git hash-object --literally` builds trees with any
//! names, so a tag from a remote may hold an entry named `..`, a name with `/` in it, a second entry of the
//! same name (a symlink beside a directory), or `.git` spelled so that a case-insensitive file system takes
//! it for the real one. Writing such a tree naively writes outside the export, or plants a git directory
//! that a tool run there would obey. The rules are git's `verify_path` (read-cache.c) with `core.protectHFS`
//! and `core.protectNTFS` on, as git sets them on macOS and Windows, whatever the system relgate runs on, and
//! fsck's duplicate-entry check (<https://git-scm.com/docs/git-fsck>).
//!
//! Glossary: *HFS-ignorable* code points are the zero-width and direction-control characters HFS+ drops when
//! it compares names (`.g\u{200c}it` is `.git` there); an *NTFS alias* is a name NTFS resolves to another
//! one: trailing dots and spaces are dropped (`.git.`), `NAME:STREAM` names a stream of `NAME`
//! (`.git::$INDEX_ALLOCATION`), and `GIT~1` is the 8.3 short name of `.git`.

/// Why a name is refused, in words for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    Dot,
    DotDot,
    Slash,
    Nul,
    DotGit,
    GitmodulesLink,
    Duplicate,
}

impl Refusal {
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::Empty => "an entry with an empty name",
            Refusal::Dot => "an entry named `.`",
            Refusal::DotDot => "an entry named `..`, which would write into the parent directory",
            Refusal::Slash => "a `/` inside an entry's name",
            Refusal::Nul => "a NUL byte inside an entry's name",
            Refusal::DotGit => {
                "a `.git` entry (in some spelling that a case-insensitive, HFS+ or NTFS file system takes for \
                 `.git`), which would plant a git directory"
            }
            Refusal::GitmodulesLink => "a symbolic link named `.gitmodules`",
            Refusal::Duplicate => {
                "two entries of the same name (e.g. a symbolic link beside a directory), so that one would be \
                 written through the other"
            }
        }
    }
}

/// Whether git would check out an entry of this name; `symlink` for entries of mode 120000.
pub fn verify(name: &[u8], symlink: bool) -> Result<(), Refusal> {
    match name {
        [] => return Err(Refusal::Empty),
        b"." => return Err(Refusal::Dot),
        b".." => return Err(Refusal::DotDot),
        _ => {}
    }
    if name.contains(&b'/') {
        return Err(Refusal::Slash);
    }
    if name.contains(&0) {
        return Err(Refusal::Nul);
    }
    if is_alias_of(name, "git", &[("git", 1)]) {
        return Err(Refusal::DotGit);
    }
    // git refuses a symlinked .gitmodules (CVE-2018-11235); its NTFS short names are `gitmod~N` and the
    // hashed `gi7eba~N`.
    if symlink && is_alias_of(name, "gitmodules", &[("gitmod", 4), ("gi7eba", 9)]) {
        return Err(Refusal::GitmodulesLink);
    }
    Ok(())
}

/// Whether `name` is `.{needle}` on some file system: compared case-insensitively, without HFS-ignorable code
/// points, or as NTFS resolves it (each `\`-separated part, as Windows reads a backslash). `short_names`: the
/// NTFS 8.3 prefixes and the highest `~N` of each.
fn is_alias_of(name: &[u8], needle: &str, short_names: &[(&str, u8)]) -> bool {
    hfs_equals(name, needle)
        || name
            .split(|&b| b == b'\\')
            .any(|part| ntfs_equals(part, needle, short_names))
}

/// HFS+ compares names case-insensitively and ignores some code points entirely (git's `next_hfs_char`).
fn hfs_equals(name: &[u8], needle: &str) -> bool {
    let Ok(name) = std::str::from_utf8(name) else {
        return false;
    };
    let mut kept = name.chars().filter(|c| !is_hfs_ignorable(*c));
    if kept.next() != Some('.') {
        return false;
    }
    let rest: String = kept.collect();
    rest.eq_ignore_ascii_case(needle)
}

fn is_hfs_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}'
    )
}

/// NTFS drops a stream suffix (`:...`) and trailing dots and spaces, compares case-insensitively, and knows
/// 8.3 short names (`GIT~1`).
fn ntfs_equals(part: &[u8], needle: &str, short_names: &[(&str, u8)]) -> bool {
    let base = part.split(|&b| b == b':').next().unwrap_or_default();
    let end = base
        .iter()
        .rposition(|&b| b != b'.' && b != b' ')
        .map_or(0, |i| i + 1);
    let base = &base[..end];
    if let Some(rest) = base.strip_prefix(b".") {
        if rest.eq_ignore_ascii_case(needle.as_bytes()) {
            return true;
        }
    }
    short_names.iter().any(|(prefix, highest)| {
        let Some(rest) = strip_prefix_ignore_case(base, prefix.as_bytes()) else {
            return false;
        };
        matches!(rest, [b'~', digit @ b'1'..=b'9'] if *digit <= b'0' + highest)
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_git_refuses() {
        let cases: [(&[u8], Refusal); 17] = [
            (b"", Refusal::Empty),
            (b".", Refusal::Dot),
            (b"..", Refusal::DotDot),
            (b"a/b", Refusal::Slash),
            (b"../x", Refusal::Slash),
            (b"/etc", Refusal::Slash),
            (b"a\0b", Refusal::Nul),
            (b".git", Refusal::DotGit),
            (b".GIT", Refusal::DotGit),
            (b".Git", Refusal::DotGit),
            (b".git.", Refusal::DotGit),
            (b".git . .", Refusal::DotGit),
            (b"git~1", Refusal::DotGit),
            (b"GIT~1", Refusal::DotGit),
            (b".git::$INDEX_ALLOCATION", Refusal::DotGit),
            (".g\u{200c}i\u{feff}t".as_bytes(), Refusal::DotGit),
            (b"sub\\.git", Refusal::DotGit),
        ];
        for (name, refusal) in cases {
            assert_eq!(
                verify(name, false),
                Err(refusal),
                "{}",
                String::from_utf8_lossy(name)
            );
        }
        for name in [
            &b".gitmodules"[..],
            b".GITMODULES",
            b".gitmodules.",
            b"gitmod~1",
            b"GI7EBA~3",
        ] {
            assert_eq!(verify(name, true), Err(Refusal::GitmodulesLink));
            assert_eq!(verify(name, false), Ok(()), "only as a symlink");
        }
    }

    #[test]
    fn ordinary_names_pass() {
        for name in [
            &b"pyproject.toml"[..],
            b".github",
            b".gitignore",
            b".gitattributes",
            b".git-blame-ignore-revs",
            b"...",
            b".gitx",
            b"git",
            b"git~2",
            b"a:b.txt",
            b"\xff\xfe not utf-8",
            "caf\u{e9}.py".as_bytes(),
            b"back\\slash",
        ] {
            assert_eq!(
                verify(name, false),
                Ok(()),
                "{}",
                String::from_utf8_lossy(name)
            );
        }
        assert_eq!(verify(b".gitignore", true), Ok(()));
    }
}

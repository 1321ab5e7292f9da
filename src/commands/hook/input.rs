//! What git writes to a hook's stdin, read strictly: an unexpected line is an error naming it, never guessed at.
//!
//! pre-push (githooks(5)): `<local ref> SP <local object name> SP <remote ref> SP <remote object name> LF`,
//! where `<local ref>` is `(delete)` for a deletion and may be an expression as typed (`HEAD~`, which may hold
//! spaces: `HEAD@{1 day ago}`), so the line is split from the right.
//! reference-transaction: `<old value> SP <new value> SP <ref name> LF`; a value is an object name, or
//! `ref:<target>` for a symbolic ref.

use std::io::Read;

use crate::error::hinted;

/// The most a hook reads from git: a push of a few hundred thousand refs.
const MAX_INPUT: u64 = 64 << 20;

/// One ref a push updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
    pub local_ref: String,
    pub local: String,
    pub remote_ref: String,
    pub remote: String,
}

impl PushedRef {
    pub fn is_deletion(&self) -> bool {
        is_zero(&self.local)
    }

    /// The tag name, when the push creates or moves a tag on the remote.
    pub fn tag(&self) -> Option<&str> {
        self.remote_ref.strip_prefix("refs/tags/")
    }
}

/// One tag a reference transaction updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagUpdate {
    pub old: String,
    pub new: String,
    /// The tag's name, without `refs/tags/`.
    pub name: String,
}

impl TagUpdate {
    /// A deletion, or an update that leaves the tag where it is (`git tag -f` to the same commit).
    pub fn changes_nothing_to_gate(&self) -> bool {
        is_zero(&self.new) || self.old == self.new
    }
}

/// Read all of stdin. A terminal is refused: relgate's hook commands are run by git, which pipes their input.
pub fn read_stdin(hook: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(hinted(
            format!(
                "relgate hook {hook} reads the refs from git on stdin, and stdin is a terminal"
            ),
            "git runs this command from the installed hook (relgate install); to gate a tag by hand, run relgate check --tag NAME",
        ));
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read git's input to the {hook} hook: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(hinted(
            format!(
                "git's input to the {hook} hook is larger than {} MiB",
                MAX_INPUT >> 20
            ),
            "push fewer refs at once, or push without the gate: git push --no-verify",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .split(|&b| b == b'\n')
            .count();
        hinted(
            format!("line {line} of git's input to the {hook} hook is not UTF-8"),
            "relgate reads ref names as UTF-8: rename the ref, or push without the gate: git push --no-verify",
        )
    })
}

pub fn parse_pre_push(input: &str) -> anyhow::Result<Vec<PushedRef>> {
    let mut refs = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let mut fields = line.rsplitn(4, ' ');
        let (remote, remote_ref, local, local_ref) =
            (fields.next(), fields.next(), fields.next(), fields.next());
        let parsed = match (local_ref, local, remote_ref, remote) {
            (Some(local_ref), Some(local), Some(remote_ref), Some(remote))
                if !local_ref.is_empty()
                    && is_object_name(local)
                    && remote_ref.starts_with("refs/")
                    && is_object_name(remote)
                    && local.len() == remote.len() =>
            {
                PushedRef {
                    local_ref: local_ref.to_owned(),
                    local: local.to_owned(),
                    remote_ref: remote_ref.to_owned(),
                    remote: remote.to_owned(),
                }
            }
            _ => {
                return Err(bad_line(
                    "pre-push",
                    n + 1,
                    line,
                    "<local ref> <local object name> <remote ref> <remote object name>",
                ));
            }
        };
        refs.push(parsed);
    }
    Ok(refs)
}

/// The tag lines of a reference transaction. Every line is read strictly, as pre-push's are: git writes only
/// well-formed lines, so anything else comes from somewhere else and is an error (status 2), never let through.
pub fn parse_transaction(input: &str) -> anyhow::Result<Vec<TagUpdate>> {
    let mut tags = Vec::new();
    // The shim hands git's lines over in a here-document, which ends them with one more newline: an empty last
    // line is the shim's, not git's.
    let input = match input.strip_suffix("\n\n") {
        Some(kept) => &input[..=kept.len()],
        None if input == "\n" => "",
        None => input,
    };
    for (n, line) in input.lines().enumerate() {
        let mut fields = line.splitn(3, ' ');
        let (old, new, name) = (fields.next(), fields.next(), fields.next());
        let (Some(old), Some(new), Some(name)) = (old, new, name) else {
            return Err(bad_transaction_line(n, line));
        };
        if !is_value(old) || !is_value(new) || name.is_empty() || name.contains(' ') {
            return Err(bad_transaction_line(n, line));
        }
        if let Some(tag) = name.strip_prefix("refs/tags/") {
            if tag.is_empty() {
                return Err(bad_transaction_line(n, line));
            }
            tags.push(TagUpdate {
                old: old.to_owned(),
                new: new.to_owned(),
                name: tag.to_owned(),
            });
        }
    }
    Ok(tags)
}

fn bad_transaction_line(n: usize, line: &str) -> anyhow::Error {
    bad_line(
        "reference-transaction",
        n + 1,
        line,
        "<old value> <new value> <ref name>",
    )
}

fn bad_line(hook: &str, n: usize, line: &str, shape: &str) -> anyhow::Error {
    let shown: String = line.chars().take(200).collect();
    hinted(
        format!("line {n} of git's input to the {hook} hook is not `{shape}`: {shown:?}"),
        "this input comes from git; if another hook or a script feeds relgate, make it pass git's lines unchanged",
    )
}

/// A full object name: 40 (SHA-1) or 64 (SHA-256) lowercase hexadecimal digits.
fn is_object_name(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_value(s: &str) -> bool {
    is_object_name(s) || s.strip_prefix("ref:").is_some_and(|r| !r.is_empty())
}

fn is_zero(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn pre_push_lines() {
        let input = format!(
            "refs/tags/v1.0 {A} refs/tags/v1.0 {Z}\n(delete) {Z} refs/heads/old {A}\nHEAD@{{1 day ago}} {A} refs/heads/main {A}\n"
        );
        let refs = parse_pre_push(&input).unwrap();
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[0].tag(), Some("v1.0"));
        assert!(!refs[0].is_deletion());
        assert!(refs[1].is_deletion());
        assert_eq!(refs[2].local_ref, "HEAD@{1 day ago}");
        assert_eq!(refs[2].tag(), None);
        assert_eq!(parse_pre_push("").unwrap(), Vec::new());
    }

    #[test]
    fn odd_pre_push_lines_are_named() {
        for (input, line) in [
            (format!("refs/tags/v1 {A} refs/tags/v1 {Z}\n\n"), 2),
            (format!("refs/tags/v1 {A} refs/tags/v1\n"), 1),
            (format!("refs/tags/v1 xyz refs/tags/v1 {Z}\n"), 1),
            (format!("refs/tags/v1 {A} v1 {Z}\n"), 1),
            (
                format!("refs/tags/v1 {} refs/tags/v1 {Z}\n", A.to_uppercase()),
                1,
            ),
        ] {
            let err = parse_pre_push(&input).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("line {line} of git's input to the pre-push hook is not `<local ref> <local object name> <remote ref> <remote object name>`: ")),
                "{err}"
            );
        }
    }

    #[test]
    fn transaction_lines() {
        let input = format!(
            "{Z} {A} refs/heads/main\n{Z} {A} refs/tags/v1.0\n{A} {Z} refs/tags/old\nref:refs/heads/a ref:refs/heads/b HEAD\n"
        );
        let tags = parse_transaction(&input).unwrap();
        assert_eq!(tags.len(), 2);
        // As the shim passes them on: with one more newline.
        assert_eq!(parse_transaction(&format!("{input}\n")).unwrap(), tags);
        assert_eq!(tags[0].name, "v1.0");
        assert!(!tags[0].changes_nothing_to_gate());
        assert!(tags[1].changes_nothing_to_gate());
        let err = parse_transaction(&format!("{Z} oops refs/tags/v1\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "line 1 of git's input to the reference-transaction hook is not `<old value> <new value> <ref name>`: \"{Z} oops refs/tags/v1\""
            )
        );
    }

    #[test]
    fn odd_transaction_lines_are_named_whatever_the_ref() {
        for (input, line) in [
            ("not even close\n".to_owned(), 1),
            (
                format!("{Z} {A} refs/heads/main\n\n{Z} {A} refs/heads/b\n"),
                2,
            ),
            (format!("{Z} {A} refs/heads/main\n\n\n"), 2),
            (format!("{Z} {A}\n"), 1),
            (format!("{Z} {A} \n"), 1),
            (format!("{Z} {A} refs/heads/a b\n"), 1),
            (format!("{Z} xyz refs/heads/main\n"), 1),
            (format!("{Z} {A} refs/tags/\n"), 1),
        ] {
            let err = parse_transaction(&input).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!(
                    "line {line} of git's input to the reference-transaction hook is not `<old value> <new value> <ref name>`: "
                )),
                "{input:?}: {err}"
            );
        }
    }
}

//! The next release version under PEP 440: what `relgate release major|minor|patch|alpha|beta|rc|post|dev` (or
//! an explicit version) asks for.
//!
//! The components rank major > minor > patch > pre-release (alpha < beta < rc) > post > dev, as in `uv version
//! --bump` and hatch's standard scheme: bumping one resets every lower one, and a missing component starts at 1
//! (<https://peps.python.org/pep-0440/>). Two rules differ from uv's, so that one word always names a *later*
//! version that a maintainer would expect:
//! - a version that is already on its way to the asked release finishes it (cargo-release's and npm's rule):
//!   `1.2.0rc1` + patch = `1.2.0` (uv: `1.2.1`), `2.0.0b3` + major = `2.0.0`, `1.2.0rc1.dev2` + rc = `1.2.0rc1`;
//! - a pre-release or dev bump of a final version starts the next patch's cycle: `1.2.0` + rc = `1.2.1rc1`
//!   (uv refuses: `1.2.0rc1` would come before `1.2.0`). For another line, name the version: `1.3.0rc1`.
//!
//! The local segment (`+abc`) never survives: the package index refuses local versions.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Prerelease, PrereleaseKind, Version};

/// One component to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    Major,
    Minor,
    Patch,
    Alpha,
    Beta,
    Rc,
    Post,
    Dev,
}

impl Bump {
    pub const WORDS: &'static str = "major, minor, patch, alpha, beta, rc, post, dev";

    fn parse(word: &str) -> Option<Bump> {
        Some(match word.to_ascii_lowercase().as_str() {
            "major" => Bump::Major,
            "minor" => Bump::Minor,
            "patch" | "micro" | "fix" => Bump::Patch,
            "alpha" | "a" => Bump::Alpha,
            "beta" | "b" => Bump::Beta,
            "rc" | "c" | "pre" | "preview" => Bump::Rc,
            "post" => Bump::Post,
            "dev" => Bump::Dev,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::Alpha => "alpha",
            Bump::Beta => "beta",
            Bump::Rc => "rc",
            Bump::Post => "post",
            Bump::Dev => "dev",
        }
    }
}

/// What the user asked for: a version, or a component to bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Exact(Version),
    Bump(Bump),
}

/// Why no next version can be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BumpError {
    #[error(
        "{0:?} is neither a PEP 440 version nor one of {words}",
        words = Bump::WORDS
    )]
    Unrecognised(String),
    #[error("{0} is a local version (`+...`): the package index refuses local versions")]
    Local(String),
    #[error(
        "{current} is past the {want} stage (it is at {have}): that version would come before it"
    )]
    Backwards {
        current: String,
        have: &'static str,
        want: &'static str,
    },
}

impl FromStr for Request {
    type Err = BumpError;

    fn from_str(text: &str) -> Result<Request, BumpError> {
        let text = text.trim();
        if let Some(bump) = Bump::parse(text) {
            return Ok(Request::Bump(bump));
        }
        let version =
            Version::from_str(text).map_err(|_| BumpError::Unrecognised(text.to_owned()))?;
        if version.is_local() {
            return Err(BumpError::Local(text.to_owned()));
        }
        Ok(Request::Exact(version))
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Exact(v) => write!(f, "{v}"),
            Request::Bump(b) => f.write_str(b.as_str()),
        }
    }
}

/// The version after `current` for `bump`; always greater than `current` (PEP 440 order).
pub fn next(current: &Version, bump: Bump) -> Result<Version, BumpError> {
    let current = current.clone().without_local();
    let next = match bump {
        Bump::Major => release(&current, 0),
        Bump::Minor => release(&current, 1),
        Bump::Patch => release(&current, 2),
        Bump::Alpha => pre(&current, PrereleaseKind::Alpha)?,
        Bump::Beta => pre(&current, PrereleaseKind::Beta)?,
        Bump::Rc => pre(&current, PrereleaseKind::Rc)?,
        Bump::Post => post(&current),
        Bump::Dev => dev(&current),
    };
    debug_assert!(next > current, "{current} + {bump:?} gave {next}");
    Ok(next)
}

/// The final release `current` belongs to: its release numbers only.
fn final_of(current: &Version) -> Version {
    current
        .clone()
        .with_pre(None)
        .with_post(None)
        .with_dev(None)
}

/// Bump release component `index` (0 major, 1 minor, 2 patch), or finish the pre-release heading there.
fn release(current: &Version, index: usize) -> Version {
    let finished = final_of(current);
    let lower_are_zero = current.release().iter().skip(index + 1).all(|&n| n == 0);
    if lower_are_zero && finished > *current {
        return finished;
    }
    increment(current, index)
}

/// The release numbers with `index` incremented and every later one zeroed (at least `index + 1` of them).
fn increment(current: &Version, index: usize) -> Version {
    let old = current.release();
    let len = old.len().max(index + 1);
    let numbers: Vec<u64> = (0..len)
        .map(|i| match i.cmp(&index) {
            Ordering::Less => old.get(i).copied().unwrap_or(0),
            Ordering::Equal => old.get(i).copied().unwrap_or(0) + 1,
            Ordering::Greater => 0,
        })
        .collect();
    final_of(current).with_release(numbers)
}

fn pre(current: &Version, kind: PrereleaseKind) -> Result<Version, BumpError> {
    let with = |v: Version, number: u64| {
        v.with_pre(Some(Prerelease { kind, number }))
            .with_post(None)
            .with_dev(None)
    };
    match current.pre() {
        Some(have) if have.kind == kind => {
            let same = with(current.clone(), have.number);
            Ok(if same > *current {
                same
            } else {
                with(current.clone(), have.number + 1)
            })
        }
        Some(have) if have.kind > kind => Err(BumpError::Backwards {
            current: current.to_string(),
            have: kind_name(have.kind),
            want: kind_name(kind),
        }),
        Some(_) => Ok(with(current.clone(), 1)),
        None => {
            let first = with(final_of(current), 1);
            Ok(if first > *current {
                first
            } else {
                with(increment(current, 2), 1)
            })
        }
    }
}

fn post(current: &Version) -> Version {
    let number = match current.post() {
        // `1.2.0.post1.dev3` is on its way to `1.2.0.post1`.
        Some(n) if current.is_dev() => n,
        Some(n) => n + 1,
        None => 1,
    };
    current.clone().with_post(Some(number)).with_dev(None)
}

/// The next dev release: the next of the current one's, or the first of the version after `current`.
fn dev(current: &Version) -> Version {
    if let Some(n) = current.dev() {
        return current.clone().with_dev(Some(n + 1));
    }
    let base = if let Some(n) = current.post() {
        current.clone().with_post(Some(n + 1))
    } else if let Some(have) = current.pre() {
        current.clone().with_pre(Some(Prerelease {
            kind: have.kind,
            number: have.number + 1,
        }))
    } else {
        increment(current, 2)
    };
    base.with_dev(Some(1))
}

fn kind_name(kind: PrereleaseKind) -> &'static str {
    match kind {
        PrereleaseKind::Alpha => "alpha",
        PrereleaseKind::Beta => "beta",
        PrereleaseKind::Rc => "rc",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bumped(from: &str, bump: &str) -> String {
        let Ok(Request::Bump(bump)) = bump.parse::<Request>() else {
            panic!("{bump} is not a bump")
        };
        next(&Version::from_str(from).unwrap(), bump)
            .map_or_else(|e| format!("error: {e}"), |v| v.to_string())
    }

    #[test]
    fn release_components_reset_the_lower_ones() {
        for (from, bump, to) in [
            ("1.2.3", "major", "2.0.0"),
            ("1.2.3", "minor", "1.3.0"),
            ("1.2.3", "patch", "1.2.4"),
            ("0.2", "minor", "0.3"),
            ("0.2", "patch", "0.2.1"),
            ("1", "minor", "1.1"),
            ("1.2.3.4", "minor", "1.3.0.0"),
            ("1!1.2.3", "patch", "1!1.2.4"),
            ("1.2.3+local.1", "patch", "1.2.4"),
            ("1.2.3.post2", "patch", "1.2.4"),
            ("1.2.3.post2.dev1", "patch", "1.2.4"),
        ] {
            assert_eq!(bumped(from, bump), to, "{from} + {bump}");
        }
    }

    #[test]
    fn a_pre_release_cycle_finishes_at_its_release() {
        for (from, bump, to) in [
            ("1.2.0rc1", "rc", "1.2.0rc2"),
            ("1.2.0rc1", "patch", "1.2.0"),
            ("1.2.0rc1", "minor", "1.2.0"),
            ("1.2.1rc1", "minor", "1.3.0"),
            ("2.0.0b3", "major", "2.0.0"),
            ("2.1.0b3", "major", "3.0.0"),
            ("1.2.0a2", "beta", "1.2.0b1"),
            ("1.2.0a2", "alpha", "1.2.0a3"),
            ("1.2.0b1", "rc", "1.2.0rc1"),
            ("1.2.0rc1.dev2", "rc", "1.2.0rc1"),
            ("1.2.0rc1.post1", "rc", "1.2.0rc2"),
            ("1.2.0.dev3", "patch", "1.2.0"),
            ("1.2.0.dev3", "alpha", "1.2.0a1"),
            ("1.2.0", "rc", "1.2.1rc1"),
            ("1.2.0.post1", "beta", "1.2.1b1"),
        ] {
            assert_eq!(bumped(from, bump), to, "{from} + {bump}");
        }
        assert_eq!(
            bumped("1.2.0rc1", "alpha"),
            "error: 1.2.0rc1 is past the alpha stage (it is at rc): that version would come before it"
        );
    }

    #[test]
    fn post_and_dev_releases() {
        for (from, bump, to) in [
            ("1.2.0", "post", "1.2.0.post1"),
            ("1.2.0.post1", "post", "1.2.0.post2"),
            ("1.2.0.post1.dev3", "post", "1.2.0.post1"),
            ("1.2.0rc1", "post", "1.2.0rc1.post1"),
            ("1.2.0.dev1", "post", "1.2.0.post1"),
            ("1.2.0", "dev", "1.2.1.dev1"),
            ("1.2.0.dev1", "dev", "1.2.0.dev2"),
            ("1.2.0rc1", "dev", "1.2.0rc2.dev1"),
            ("1.2.0.post1", "dev", "1.2.0.post2.dev1"),
            ("1.2.3a4.dev6", "dev", "1.2.3a4.dev7"),
        ] {
            assert_eq!(bumped(from, bump), to, "{from} + {bump}");
        }
    }

    #[test]
    fn requests() {
        assert_eq!("MINOR".parse(), Ok(Request::Bump(Bump::Minor)));
        assert_eq!(
            "v1.3.0-RC1".parse::<Request>().map(|r| r.to_string()),
            Ok("1.3.0rc1".into())
        );
        assert_eq!(
            "1.3.0+abc".parse::<Request>(),
            Err(BumpError::Local("1.3.0+abc".into()))
        );
        assert_eq!(
            "next".parse::<Request>().unwrap_err().to_string(),
            "\"next\" is neither a PEP 440 version nor one of major, minor, patch, alpha, beta, rc, post, dev"
        );
    }
}

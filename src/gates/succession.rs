//! Which earlier releases a new release must be greater than: the rule that the `version-order` check (the
//! release tags in the tagged commit's history) and the `index` check (what is published) share.
//!
//! Installers choose among final releases unless asked for pre-releases (pip's `--pre`), so:
//! - a final release not greater than an earlier final release goes backwards (it fails);
//! - a final release below a pre-release of a higher line is the normal flow (`0.28.1` after `1.0.0b0`, a beta of
//!   the next major beside maintenance of the current one): it passes;
//! - a pre-release below a final release (`2.59.0a2` after `2.59.0`) is odd but harmless, since installers
//!   prefer the final: it warns;
//! - a pre-release not greater than an earlier pre-release of the same version (`2.0.0b1` after `2.0.0b2`) goes
//!   backwards for everyone who tests that version's pre-releases: it fails.
//!
//! Development releases (`.dev`) count as pre-releases, post-releases as finals (PEP 440).

use pep440_rs::Version;

/// How a release stands against one earlier release with a greater version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// It goes backwards: fails.
    Backwards,
    /// A pre-release below a final release: warns.
    PreBelowFinal,
    /// Below a pre-release of another line: passes.
    OtherLine,
}

/// How `release` stands against `greater`, an earlier release with a greater version.
pub fn standing(release: &Version, greater: &Version) -> Standing {
    match (is_final(release), is_final(greater)) {
        (true, true) => Standing::Backwards,
        (false, true) => Standing::PreBelowFinal,
        (false, false) if same_version(release, greater) => Standing::Backwards,
        (_, false) => Standing::OtherLine,
    }
}

/// A final release: neither a pre-release nor a development release (post-releases are finals).
pub fn is_final(version: &Version) -> bool {
    !version.any_prerelease()
}

/// The same epoch and release numbers (`2.0.0b1` and `2.0rc1` are pre-releases of one version).
pub fn same_version(a: &Version, b: &Version) -> bool {
    a.epoch() == b.epoch() && a.only_release() == b.only_release()
}

/// The warning for a pre-release below a final release, which is found `at` (" on https://...", " (tag v3.0.0,
/// in this commit's history)").
pub fn pre_below_final(release: &Version, final_release: &Version, at: &str) -> String {
    let what = if same_version(release, final_release) {
        format!("a pre-release of {final_release}, which is already released{at}")
    } else {
        format!("a pre-release below the final release {final_release}{at}")
    };
    format!("warning: {release} is {what}: harmless, but installers choose {final_release} over it")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn finals_go_backwards_only_against_finals() {
        assert_eq!(standing(&v("1.4.3"), &v("1.4.5")), Standing::Backwards);
        assert_eq!(
            standing(&v("1.4.3"), &v("1.4.3.post1")),
            Standing::Backwards
        );
        assert_eq!(standing(&v("0.28.1"), &v("1.0.0b0")), Standing::OtherLine);
        assert_eq!(standing(&v("1.9.0"), &v("2.0.0.dev3")), Standing::OtherLine);
    }

    #[test]
    fn pre_releases() {
        assert_eq!(
            standing(&v("2.59.0a2"), &v("2.59.0")),
            Standing::PreBelowFinal
        );
        assert_eq!(
            standing(&v("1.0.0b1"), &v("1.1.0")),
            Standing::PreBelowFinal
        );
        assert_eq!(standing(&v("2.0.0b1"), &v("2.0.0b2")), Standing::Backwards);
        assert_eq!(standing(&v("2.0b1"), &v("2.0.0rc1")), Standing::Backwards);
        assert_eq!(
            standing(&v("0.29.0rc1"), &v("1.0.0b0")),
            Standing::OtherLine
        );
    }
}

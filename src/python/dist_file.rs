//! Distribution file names: sdists (`name-version.tar.gz`, and the older archive suffixes indexes still list),
//! wheels (`name-version(-build)?-python-abi-platform.whl`) and eggs (`name-version-pyX.Y(-platform)?.egg`),
//! and the version each carries.
//! <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>,
//! <https://packaging.python.org/en/latest/specifications/source-distribution-format/>

use std::str::FromStr;

use pep440_rs::Version;

use super::name;

/// Sdist archive suffixes seen on indexes, old ones included.
const SDIST_SUFFIXES: [&str; 8] = [
    ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".txz", ".tar",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sdist,
    Wheel,
    Egg,
}

/// A distribution file name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile<'a> {
    pub kind: Kind,
    /// The project name as the file spells it.
    pub name: &'a str,
    /// The version as the file spells it.
    pub spelled: &'a str,
    pub version: Version,
}

/// A file of the project `project` (any spelling): the name may hold `-`, `_` or `.` and differ in case,
/// and an old sdist's version may hold a `-` (`foo-1.0-1.tar.gz` is 1.0.post1). `None` for other files and
/// other projects' files.
pub fn parse_for<'a>(filename: &'a str, project: &str) -> Option<DistFile<'a>> {
    let (kind, stem) = split_suffix(filename)?;
    stem.match_indices('-').find_map(|(at, _)| {
        if !name::same(&stem[..at], project) {
            return None;
        }
        let rest = &stem[at + 1..];
        let spelled = match kind {
            Kind::Sdist => rest,
            Kind::Wheel | Kind::Egg => rest.split('-').next()?,
        };
        let version = Version::from_str(spelled).ok()?;
        Some(DistFile {
            kind,
            name: &stem[..at],
            spelled,
            version,
        })
    })
}

/// A distribution file of any project: a wheel's or egg's second field; an sdist's version after the first `-`
/// that leaves a PEP 440 version (`demo-pkg-1.2.0rc1.tar.gz` is `demo-pkg` 1.2.0rc1).
pub fn parse(filename: &str) -> Option<DistFile<'_>> {
    let (kind, stem) = split_suffix(filename)?;
    let (name, spelled) = match kind {
        Kind::Wheel => {
            let parts: Vec<&str> = stem.split('-').collect();
            if parts.len() != 5 && parts.len() != 6 {
                return None;
            }
            (parts[0], parts[1])
        }
        Kind::Egg => {
            let mut parts = stem.split('-');
            (parts.next()?, parts.next()?)
        }
        Kind::Sdist => stem.match_indices('-').find_map(|(at, _)| {
            let (name, rest) = (&stem[..at], &stem[at + 1..]);
            (name::is_valid(name) && Version::from_str(rest).is_ok()).then_some((name, rest))
        })?,
    };
    if !name::is_valid(name) {
        return None;
    }
    let version = Version::from_str(spelled).ok()?;
    Some(DistFile {
        kind,
        name,
        spelled,
        version,
    })
}

/// Whether a word names a distribution file by its suffix (`.whl`, `.egg`, `.tar.gz`, `.zip`...).
pub fn has_dist_suffix(word: &str) -> bool {
    split_suffix(word).is_some_and(|(_, stem)| !stem.is_empty())
}

/// The kind and the name without its suffix (matched case-insensitively).
fn split_suffix(filename: &str) -> Option<(Kind, &str)> {
    let ends = |suffix: &str| {
        filename.len() > suffix.len()
            && filename
                .get(filename.len() - suffix.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
    };
    let (kind, suffix) = if ends(".whl") {
        (Kind::Wheel, ".whl")
    } else if ends(".egg") {
        (Kind::Egg, ".egg")
    } else {
        (Kind::Sdist, *SDIST_SUFFIXES.iter().find(|s| ends(s))?)
    };
    Some((kind, &filename[..filename.len() - suffix.len()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_a_known_project() {
        let cases = [
            (
                "zope.interface-5.4.0.tar.gz",
                "zope-interface",
                Some("5.4.0"),
            ),
            ("Zope.Interface-5.4.0.zip", "zope-interface", Some("5.4.0")),
            (
                "zope_interface-6.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "zope-interface",
                Some("6.0"),
            ),
            ("my_pkg-1.0rc1-1-py3-none-any.whl", "my-pkg", Some("1.0rc1")),
            ("my-pkg-2.0.post1.tar.gz", "my-pkg", Some("2.0.post1")),
            ("foo-1.0-1.tar.gz", "foo", Some("1.0-1")),
            ("foo-0.3-py2.7.egg", "foo", Some("0.3")),
            ("FOO-1.0.TAR.GZ", "foo", Some("1.0")),
            ("foo-bar-1.0.tar.gz", "foo", None),
            ("foo-1.0.win32.exe", "foo", None),
            ("foo-notaversion.tar.gz", "foo", None),
            ("other-1.0.tar.gz", "foo", None),
        ];
        for (file, project, expected) in cases {
            assert_eq!(
                parse_for(file, project).map(|d| d.spelled),
                expected,
                "{file}"
            );
        }
    }

    #[test]
    fn files_of_any_project() {
        fn read(f: &str) -> Option<(Kind, &str, &str)> {
            parse(f).map(|d| (d.kind, d.name, d.spelled))
        }
        assert_eq!(
            read("demo_pkg-1.2.0-py3-none-any.whl"),
            Some((Kind::Wheel, "demo_pkg", "1.2.0"))
        );
        assert_eq!(
            read("my_pkg-2.0-1-cp312-cp312-manylinux_2_17_x86_64.whl"),
            Some((Kind::Wheel, "my_pkg", "2.0"))
        );
        assert_eq!(
            read("demo-pkg-1.2.0rc1.tar.gz"),
            Some((Kind::Sdist, "demo-pkg", "1.2.0rc1"))
        );
        assert_eq!(
            read("my_pkg-1.0.0.tar.gz"),
            Some((Kind::Sdist, "my_pkg", "1.0.0"))
        );
        assert_eq!(read("foo-0.3-py2.7.egg"), Some((Kind::Egg, "foo", "0.3")));
        assert_eq!(read("broken.whl"), None);
        assert_eq!(read("README.md"), None);
        assert!(has_dist_suffix("pkg-1.0.tar.gz") && has_dist_suffix("x.WHL"));
        assert!(!has_dist_suffix(".whl") && !has_dist_suffix("notes.txt"));
    }
}

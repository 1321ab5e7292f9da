//! How release tags are named (`v{version}`, `{version}`, `mypkg-v{version}`), and the version a tag names.
//!
//! The version part is parsed under PEP 440, so `v1.0.0-RC1` names 1.0.0rc1, the same release as `1.0.0rc1`.

use std::str::FromStr;

use pep440_rs::Version;

use crate::config::Config;
use crate::git::TagRef;

#[derive(Debug, Clone)]
pub struct TagFormat {
    /// (prefix, suffix) around `{version}`, in order of preference.
    forms: Vec<(String, String)>,
}

impl TagFormat {
    /// `--tag-format`, else `[tool.relgate] tag-format`, else both `v{version}` and `{version}`.
    pub fn new(cli: Option<&str>, config: &Config) -> anyhow::Result<TagFormat> {
        let formats = match cli {
            Some(format) => vec![format.to_owned()],
            None => config
                .tag_formats()
                .unwrap_or_else(|| vec!["v{version}".into(), "{version}".into()]),
        };
        let mut forms = Vec::new();
        for format in formats {
            let (Some((prefix, suffix)), 1) = (
                format.split_once("{version}"),
                format.matches("{version}").count(),
            ) else {
                return Err(crate::error::hinted(
                    format!("tag format {format:?} must contain {{version}} exactly once"),
                    "e.g. --tag-format 'v{version}' or 'mypkg-v{version}'",
                ));
            };
            forms.push((prefix.to_owned(), suffix.to_owned()));
        }
        // `expected` names the first form: an empty list would leave no release tag at all.
        if forms.is_empty() {
            return Err(crate::error::hinted(
                "no tag format: the list of tag formats is empty",
                "name at least one form, e.g. tag-format = [\"v{version}\"]",
            ));
        }
        Ok(TagFormat { forms })
    }

    /// The version a tag names, if it is a release tag of this format.
    pub fn version_of(&self, tag: &str) -> Option<Version> {
        self.forms
            .iter()
            .find_map(|(prefix, suffix)| version_in(prefix, suffix, tag))
    }

    /// Whether the name has the shape of a release tag of this format, whatever follows the prefix.
    pub fn looks_like_release(&self, tag: &str) -> bool {
        self.forms.iter().any(|(prefix, suffix)| {
            !prefix.is_empty()
                && tag.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                    rest.starts_with(|c: char| c.is_ascii_digit())
                        && rest.ends_with(suffix.as_str())
                })
        })
    }

    /// The tag a version should have, in the form the repository's newest release tag uses: a project whose
    /// tags are `8.5.0` expects `8.5.1`, not `v8.5.1`. With one form, or no release tag yet, the preferred form.
    pub fn expected_following(&self, version: &str, tags: &[TagRef]) -> String {
        let newest_form = tags
            .iter()
            .filter_map(|t| Some((self.version_of(&t.name)?, self.form_of(&t.name)?)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map_or(0, |(_, form)| form);
        self.render(newest_form, version)
    }

    /// Each form as a name pattern for GitHub's rule sets and deployment policies (fnmatch, without
    /// `refs/tags/`): `v{version}` -> `v*`, `mypkg-v{version}` -> `mypkg-v*`. A form without a prefix needs a
    /// digit first (`[0-9]*`), so that its pattern does not select every tag.
    pub fn globs(&self) -> Vec<String> {
        self.forms
            .iter()
            .map(|(prefix, suffix)| {
                let start = if prefix.is_empty() { "[0-9]" } else { "" };
                format!("{}{start}*{}", escape_glob(prefix), escape_glob(suffix))
            })
            .collect()
    }

    /// The tag each form gives `version`, in order of preference.
    pub fn names_for(&self, version: &str) -> Vec<String> {
        self.forms
            .iter()
            .map(|(prefix, suffix)| format!("{prefix}{version}{suffix}"))
            .collect()
    }

    /// Which of the accepted forms a release tag has (0 is the preferred one): the most specific form that
    /// reads it (`v1.0` is written in `v{version}`, although `{version}` reads it too).
    pub fn form_of(&self, tag: &str) -> Option<usize> {
        self.forms
            .iter()
            .enumerate()
            .filter(|(_, (prefix, suffix))| version_in(prefix, suffix, tag).is_some())
            .max_by_key(|(i, (prefix, suffix))| (prefix.len() + suffix.len(), usize::MAX - i))
            .map(|(i, _)| i)
    }

    /// The tag of `version` in form `form` (as [`TagFormat::form_of`] numbers them; the preferred one when out
    /// of range).
    pub fn render(&self, form: usize, version: &str) -> String {
        let (prefix, suffix) = self.forms.get(form).unwrap_or(&self.forms[0]);
        format!("{prefix}{version}{suffix}")
    }

    /// For messages: "v{version} or {version}".
    pub fn describe(&self) -> String {
        self.forms
            .iter()
            .map(|(p, s)| format!("{p}{{version}}{s}"))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// The version in `tag` between `prefix` and `suffix`.
fn version_in(prefix: &str, suffix: &str, tag: &str) -> Option<Version> {
    let inner = tag.strip_prefix(prefix)?.strip_suffix(suffix)?;
    // An empty prefix must not swallow another package's prefixed tags (`other-v1.0`): PEP 440 refuses those
    // anyway, and a leading `v` is PEP 440's own optional prefix.
    if inner.is_empty() || !inner.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V')
    {
        return None;
    }
    Version::from_str(inner).ok()
}

/// fnmatch's special characters taken literally.
fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> TagFormat {
        TagFormat::new(None, &Config::default()).unwrap()
    }

    #[test]
    fn pep440_normalization() {
        let f = default();
        assert_eq!(
            f.version_of("v1.0.0-RC1"),
            Version::from_str("1.0.0rc1").ok()
        );
        assert_eq!(f.version_of("1.0"), Version::from_str("1.0.0").ok());
        assert_eq!(f.version_of("2024.1"), Version::from_str("2024.1").ok());
        assert_eq!(
            f.version_of("v1.0.post1"),
            Version::from_str("1.0.post1").ok()
        );
        assert_eq!(f.version_of("mypkg-v1.0"), None);
        assert_eq!(f.version_of("latest"), None);
        assert_eq!(f.version_of("v"), None);
    }

    #[test]
    fn version_exactly_once() {
        for format in ["{version}{version}", "v", "v{version}-{version}"] {
            let err = TagFormat::new(Some(format), &Config::default()).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("tag format {format:?} must contain {{version}} exactly once")
            );
        }
    }

    #[test]
    fn prefixed_format() {
        let f = TagFormat::new(Some("mypkg-v{version}"), &Config::default()).unwrap();
        assert_eq!(
            f.version_of("mypkg-v1.2.3"),
            Version::from_str("1.2.3").ok()
        );
        assert_eq!(f.version_of("v1.2.3"), None);
        assert_eq!(f.version_of("other-v1.2.3"), None);
        assert_eq!(f.expected_following("1.2.3", &[]), "mypkg-v1.2.3");
        assert_eq!(f.globs(), ["mypkg-v*"]);
    }

    #[test]
    fn globs_and_names_per_form() {
        let f = default();
        assert_eq!(f.globs(), ["v*", "[0-9]*"]);
        assert_eq!(f.names_for("1.0"), ["v1.0", "1.0"]);
        let f = TagFormat::new(Some("release-{version}-final"), &Config::default()).unwrap();
        assert_eq!(f.globs(), ["release-*-final"]);
    }

    #[test]
    fn forms_follow_the_repository() {
        let f = default();
        assert_eq!(f.form_of("v1.2.3"), Some(0));
        assert_eq!(f.form_of("1.2.3"), Some(1));
        assert_eq!(f.form_of("latest"), None);
        assert_eq!(f.render(1, "1.3.0"), "1.3.0");
        assert_eq!(f.render(0, "1.3.0"), "v1.3.0");
    }

    #[test]
    fn expected_tags_follow_the_newest_release_tag() {
        let tag = |name: &str| TagRef {
            name: name.to_owned(),
            target: git2::Oid::ZERO_SHA1,
            peeled: None,
        };
        let f = default();
        assert_eq!(f.expected_following("8.5.1", &[]), "v8.5.1");
        let bare = [tag("v1.0.0"), tag("8.5.0"), tag("latest"), tag("8.4.0")];
        assert_eq!(f.expected_following("8.5.1", &bare), "8.5.1");
        let prefixed = [tag("1.0.0"), tag("v2.0.0")];
        assert_eq!(f.expected_following("2.0.1", &prefixed), "v2.0.1");
        let reversed = TagFormat::new(
            None,
            &Config {
                tag_format: Some(crate::config::OneOrMany::Many(vec![
                    "{version}".into(),
                    "v{version}".into(),
                ])),
                ..Config::default()
            },
        )
        .unwrap();
        assert_eq!(reversed.expected_following("2.0.1", &prefixed), "v2.0.1");
    }
}

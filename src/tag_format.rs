//! How release tags are named (`v{version}`, `{version}`, `mypkg-v{version}`), and the version a tag names.
//!
//! The version part is parsed under PEP 440, so `v1.0.0-RC1` names 1.0.0rc1, the same release as `1.0.0rc1`.

use std::str::FromStr;

use pep440_rs::Version;

use crate::config::Config;

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
        self.forms.iter().find_map(|(prefix, suffix)| {
            let inner = tag
                .strip_prefix(prefix.as_str())?
                .strip_suffix(suffix.as_str())?;
            // An empty prefix must not swallow another package's prefixed tags (`other-v1.0`): PEP 440 refuses
            // those anyway, and a leading `v` is PEP 440's own optional prefix.
            if inner.is_empty()
                || !inner.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V')
            {
                return None;
            }
            Version::from_str(inner).ok()
        })
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

    /// The tag a version should have (the preferred form).
    pub fn expected(&self, version: &str) -> String {
        let (prefix, suffix) = &self.forms[0];
        format!("{prefix}{version}{suffix}")
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

    /// Which of the accepted forms a release tag has (0 is the preferred one).
    pub fn form_of(&self, tag: &str) -> Option<usize> {
        self.forms.iter().position(|(prefix, suffix)| {
            tag.strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_suffix(suffix.as_str()))
                .is_some_and(|inner| Version::from_str(inner).is_ok())
        })
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
        assert_eq!(f.expected("1.2.3"), "mypkg-v1.2.3");
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
}

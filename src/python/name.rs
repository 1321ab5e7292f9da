//! Project names: what PEP 508 allows and PEP 503's normal form, by `pep508_rs` (uv's own crate), so that every
//! comparison of two spellings (`Zope.Interface`, `zope_interface`, `zope-interface`) agrees.
//! <https://packaging.python.org/en/latest/specifications/name-normalization/>

use std::str::FromStr;

use pep508_rs::{PackageName, Requirement};

/// The normal form of a project name (`Zope.Interface` is `zope-interface`); `None` for text that is not a
/// valid name (PEP 508: ASCII letters and digits, with `.`, `_` and `-` inside).
pub fn normalize(name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    PackageName::from_str(name).ok().map(|n| n.to_string())
}

/// Whether two spellings name the same project (never for invalid names).
pub fn same(a: &str, b: &str) -> bool {
    matches!((normalize(a), normalize(b)), (Some(a), Some(b)) if a == b)
}

/// Whether `name` is a valid project name (PEP 508).
pub fn is_valid(name: &str) -> bool {
    normalize(name).is_some()
}

/// The normalized name a requirement string starts with (`Flake8[toml]>=7 ; python_version<"3.12"` is
/// `flake8`): a PEP 508 requirement, else (a Poetry constraint, a pip option line) its leading name.
pub fn requirement_name(requirement: &str) -> Option<String> {
    if let Ok(parsed) = Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement.trim()) {
        return Some(parsed.name.to_string());
    }
    let leading: String = requirement
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    normalize(leading.trim_end_matches(['-', '_', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(
            normalize("Zope.Interface").as_deref(),
            Some("zope-interface")
        );
        assert_eq!(normalize("foo__Bar-._baz").as_deref(), Some("foo-bar-baz"));
        assert_eq!(normalize("pluggy").as_deref(), Some("pluggy"));
        assert_eq!(normalize("-bad"), None);
        assert_eq!(normalize(""), None);
        assert!(same("zope_interface", "Zope.Interface"));
        assert!(!same("-x", "-x"));
        assert!(is_valid("my.pkg_2") && !is_valid("my pkg"));
    }

    #[test]
    fn requirement_names() {
        for (requirement, name) in [
            ("Flake8[toml]>=7 ; python_version < \"3.12\"", "flake8"),
            ("setuptools_scm[toml]>=8", "setuptools-scm"),
            (" hatch-vcs ", "hatch-vcs"),
            ("Poetry.Core>=1", "poetry-core"),
            ("Typing_Extensions.x>=4", "typing-extensions-x"),
            ("pytest = \"^8\"", "pytest"),
            ("ruff==0.6.*", "ruff"),
        ] {
            assert_eq!(
                requirement_name(requirement).as_deref(),
                Some(name),
                "{requirement}"
            );
        }
        assert_eq!(requirement_name("-e ."), None);
    }
}

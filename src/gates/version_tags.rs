//! The `version-tags` check: several release tags on the commit gated must name the same version (only one
//! of `v1.4.0` and `v1.5.0` on one commit can be right).

use crate::gates::version::ReleaseTag;
use crate::outcome::{CheckResult, Kind};

/// `None` when `tag` is the only release tag, or the others name its version too.
pub fn check(tag: Option<&ReleaseTag>, others: &[ReleaseTag]) -> Option<CheckResult> {
    let tag = tag?;
    let differing: Vec<&str> = others
        .iter()
        .filter(|o| o.version != tag.version)
        .map(|o| o.name.as_str())
        .collect();
    if differing.is_empty() {
        return None;
    }
    Some(
        CheckResult::fail(
            "version-tags",
            Kind::Version,
            format!(
                "HEAD carries several release tags with different versions: {} and {}",
                tag.name,
                name_list(&differing, 5)
            ),
        )
        .detail("delete the wrong tag (git tag -d NAME) before pushing"),
    )
}

/// "a, b, c and 7 more": long lists of names stay one readable line.
fn name_list(names: &[&str], at_most: usize) -> String {
    if names.len() <= at_most {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..at_most].join(", "),
        names.len() - at_most
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lists_are_cut() {
        let names = ["a", "b", "c", "d"];
        assert_eq!(super::name_list(&names[..2], 3), "a, b");
        assert_eq!(super::name_list(&names, 2), "a, b and 2 more");
    }
}

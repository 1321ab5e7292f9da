//! The `version-tags` check: several release tags on the commit gated must name the same version (only one
//! of `v1.4.0` and `v1.5.0` on one commit can be right).

use crate::gates::name_list;
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

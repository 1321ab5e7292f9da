//! `actions-token`: the `GITHUB_TOKEN` of the repository's workflows is read-only by default, so that a
//! workflow that needs `contents: write` (to push a tag) or `id-token: write` (trusted publishing) asks for it
//! in its `permissions:`, and every other workflow, a compromised action included, cannot push or tag.

use super::{Observed, TOKEN, printable, unreadable};
use crate::outcome::{CheckResult, Kind};

pub fn check(observed: &Observed) -> CheckResult {
    let permissions = match &observed.workflow_permissions {
        Ok(p) => p,
        Err(e) => {
            return unreadable(
                TOKEN,
                "the default permissions of the Actions token",
                e,
                "Administration: read",
            );
        }
    };
    match permissions.default_workflow_permissions.as_str() {
        "read" => CheckResult::pass(
            TOKEN,
            Kind::Publish,
            "workflows get a read-only GITHUB_TOKEN unless they ask for more in `permissions:`",
        ),
        "write" => CheckResult::fail(
            TOKEN,
            Kind::Publish,
            "every workflow's GITHUB_TOKEN may write (push commits and tags, publish releases) unless it asks for less",
        )
        .detail("fix: `relgate github protect` (default workflow permissions: read); a workflow that pushes or publishes then asks for `contents: write` or `id-token: write` in `permissions:`"),
        other => CheckResult::error(
            TOKEN,
            Kind::Publish,
            format!(
                "GitHub answered an unknown default token permission `{}`",
                printable(other)
            ),
        ),
    }
}

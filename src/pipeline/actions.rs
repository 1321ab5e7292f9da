//! The actions the generated workflow runs, each pinned to a full commit SHA with its release in a comment.
//!
//! A tag like `v4` or a branch like `release/v1` can be moved by whoever controls the action's repository, and
//! the publishing job holds the token that uploads to the index: a pin by SHA runs exactly the code reviewed
//! (GitHub's "security hardening for GitHub Actions" guide). Dependabot and Renovate update such pins and
//! their comments. Each SHA is the commit its release tag points at, read from the action's repository.

/// One pinned action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// `owner/name`
    pub repo: &'static str,
    /// The 40-hex commit the release tag points at.
    pub sha: &'static str,
    /// The release tag, for the comment.
    pub version: &'static str,
}

impl Action {
    /// The `uses:` value with its comment: `actions/checkout@<sha> # v7.0.1`.
    pub fn uses(self) -> String {
        format!("{}@{} # {}", self.repo, self.sha, self.version)
    }
}

pub const CHECKOUT: Action = Action {
    repo: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
};
pub const SETUP_PYTHON: Action = Action {
    repo: "actions/setup-python",
    sha: "5fda3b95a4ea91299a34e894583c3862153e4b97",
    version: "v7.0.0",
};
pub const SETUP_UV: Action = Action {
    repo: "astral-sh/setup-uv",
    sha: "20cfd1bf945f4377ade1205e4dbc17946fc9a30d",
    version: "v10.0.1",
};
pub const UPLOAD_ARTIFACT: Action = Action {
    repo: "actions/upload-artifact",
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    version: "v7.0.0",
};
pub const DOWNLOAD_ARTIFACT: Action = Action {
    repo: "actions/download-artifact",
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    version: "v8.0.1",
};
pub const PYPI_PUBLISH: Action = Action {
    repo: "pypa/gh-action-pypi-publish",
    sha: "dc37677b2e1c63e2034f94d8a5b11f265b73ba33",
    version: "v1.14.2",
};

/// Every action above, for the test that every pin is a full SHA with its release.
#[cfg(test)]
const ALL: [Action; 6] = [
    CHECKOUT,
    SETUP_PYTHON,
    SETUP_UV,
    UPLOAD_ARTIFACT,
    DOWNLOAD_ARTIFACT,
    PYPI_PUBLISH,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pin_is_a_full_sha_with_a_release() {
        for action in ALL {
            assert_eq!(action.sha.len(), 40, "{}", action.repo);
            assert!(
                action
                    .sha
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{}",
                action.repo
            );
            assert!(action.version.starts_with('v'), "{}", action.repo);
        }
        assert_eq!(
            CHECKOUT.uses(),
            "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
        );
    }
}

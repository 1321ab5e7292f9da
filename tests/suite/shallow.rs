//! A shallow clone (`git clone --depth 1`, as actions/checkout makes by default): the release tags beyond its
//! history are missing, so the version-order check cannot pass there; it says how to get the whole history.

use serde_json::Value;

use crate::common::{TestRepo, pyproject, stderr, stdout};

/// `relgate check --tag TAG --only version --format json` in `repo`: exit code and the version-order check.
#[track_caller]
fn version_order(repo: &TestRepo, tag: &str) -> (i32, Value) {
    let out = repo
        .relgate()
        .args([
            "check", "--tag", tag, "--only", "version", "--format", "json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(&out)));
    let check = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "version-order")
        .cloned()
        .unwrap();
    (out.status.code().unwrap(), check)
}

#[test]
fn a_backwards_release_in_a_shallow_clone_is_an_error_not_a_first_release() {
    // 2.0.0 released, then a commit going back to 1.5.0, tagged.
    let upstream = TestRepo::new();
    upstream
        .write("pyproject.toml", &pyproject("mypkg", "2.0.0"))
        .commit("2.0.0")
        .tag("v2.0.0");
    upstream
        .write("pyproject.toml", &pyproject("mypkg", "1.5.0"))
        .commit("1.5.0")
        .tag("v1.5.0");
    let (code, check) = version_order(&upstream, "v1.5.0");
    assert_eq!((code, &check["status"]), (1, &"fail".into()), "{check}");

    // The same release in a clone of depth 1 (a file:// URL, so that git honours the depth).
    let clone = TestRepo {
        dir: tempfile::Builder::new()
            .prefix("relgate-shallow-")
            .tempdir()
            .unwrap(),
        home: tempfile::tempdir().unwrap(),
    };
    let url = format!("file://{}", upstream.path().display());
    upstream.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        clone.path().to_str().unwrap(),
    ]);
    assert_eq!(
        clone.git(&["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    assert_eq!(
        clone.git(&["tag", "--list"]).trim(),
        "v1.5.0",
        "v2.0.0 is beyond the cut"
    );
    let cut = clone
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    let (code, check) = version_order(&clone, "v1.5.0");
    assert_eq!(code, 1, "{check}");
    assert_eq!(check["status"], "error");
    assert_eq!(
        check["message"],
        format!(
            "cannot tell whether 1.5.0 goes backwards: this clone is shallow, its history stops at {cut}, and the \
             release tags beyond are missing"
        )
        .as_str()
    );
    assert_eq!(
        check["details"][0],
        "fetch the whole history: git fetch --unshallow --tags (in GitHub Actions: actions/checkout with \
         fetch-depth: 0), or set [tool.relgate] monotonic = false"
    );

    // As the error says: with the whole history, the release is seen going backwards.
    clone.git(&["fetch", "-q", "--unshallow", "--tags"]);
    let (code, check) = version_order(&clone, "v1.5.0");
    assert_eq!((code, &check["status"]), (1, &"fail".into()), "{check}");
    assert!(
        check["message"]
            .as_str()
            .unwrap()
            .starts_with("1.5.0 goes backwards: v2.0.0 (2.0.0, at "),
        "{check}"
    );
}

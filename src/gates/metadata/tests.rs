//! The metadata check over trimmed real pyproject.toml files (pallets/flask, encode/httpx, pypa/sampleproject,
//! Textualize/rich) and the mistakes that make an upload or a build fail.

use super::*;
use crate::outcome::Status;

/// The check on a plain directory, its files listed by a walk (the check itself lists them from git).
fn check_here(dir: &Path) -> CheckResult {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    check_dir(dir, dir, &|| {
        let mut out = Vec::new();
        walk(dir, "", &mut out);
        Ok(out)
    })
}

fn check(pyproject: &str, files: &[&str]) -> CheckResult {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    for f in files {
        std::fs::write(dir.path().join(f), "text\n").unwrap();
    }
    check_here(dir.path())
}

const FLASK: &str = r#"[project]
name = "Flask"
version = "3.1.1.dev"
description = "A simple framework for building complex web applications."
readme = "README.md"
license = "BSD-3-Clause"
license-files = ["LICENSE.txt"]
classifiers = [
    "Framework :: Flask",
    "Typing :: Typed",
]
requires-python = ">=3.9"

[build-system]
requires = ["flit_core<4"]
build-backend = "flit_core.buildapi"
"#;

#[test]
fn flask_passes() {
    let r = check(FLASK, &["README.md", "LICENSE.txt"]);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.message,
        "name Flask, version 3.1.1.dev, readme README.md (text/markdown), license BSD-3-Clause, requires-python >=3.9"
    );
    assert!(r.details.is_empty(), "{:?}", r.details);
}

#[test]
fn missing_readme_and_license_file_fail_with_lines() {
    let r = check(FLASK, &[]);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.message,
        "pyproject.toml:5: readme \"README.md\" does not exist in the released tree (and 1 more)"
    );
    assert_eq!(
        r.details,
        ["fix: commit README.md, or point `readme` at the file that exists"]
    );
    let issues: Vec<(Option<u32>, &str, Option<&str>)> = r
        .issues
        .iter()
        .map(|i| (i.line, i.message.as_str(), i.fix_suggestion.as_deref()))
        .collect();
    assert_eq!(
        issues,
        [
            (
                Some(5),
                "readme \"README.md\" does not exist in the released tree",
                Some("commit README.md, or point `readme` at the file that exists")
            ),
            (
                Some(7),
                "license-files names \"LICENSE.txt\", which does not exist in the released tree",
                Some("commit LICENSE.txt, or remove it from `license-files`")
            ),
        ]
    );
    assert_eq!(r.issues[0].line, Some(5));
}

/// encode/httpx: dynamic version and readme (hatch-fancy-pypi-readme), a license classifier beside the string.
#[test]
fn httpx_dynamic_fields_pass_with_a_classifier_warning() {
    let text = r#"[build-system]
requires = ["hatchling", "hatch-fancy-pypi-readme"]
build-backend = "hatchling.build"

[project]
name = "httpx"
description = "The next generation HTTP client."
license = "BSD-3-Clause"
requires-python = ">=3.7"
classifiers = [
    "License :: OSI Approved :: BSD License",
    "Programming Language :: Python :: 3",
]
dynamic = ["readme", "version"]

[tool.hatch.version]
path = "httpx/__version__.py"
"#;
    let r = check(text, &[]);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.message,
        "name httpx, version (dynamic), readme (dynamic), license BSD-3-Clause, requires-python >=3.7"
    );
    assert_eq!(
        r.details,
        [
            "warning: `License ::` classifiers next to a license expression are deprecated (PEP 639), and hatchling still accepts them: remove \"License :: OSI Approved :: BSD License\""
        ]
    );
}

/// pypa/sampleproject: the legacy license table.
#[test]
fn sampleproject_license_table() {
    let text = "[project]\nname = \"sampleproject\"\nversion = \"3.0.0\"\nreadme = \"README.md\"\nrequires-python = \">=3.7\"\nlicense = {file = \"LICENSE.txt\"}\n";
    let r = check(text, &["README.md", "LICENSE.txt"]);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.details,
        [
            "warning: the `license` table is deprecated (PEP 639): use an SPDX string and `license-files`"
        ]
    );
    let r = check(text, &["README.md"]);
    assert_eq!(
        r.message,
        "pyproject.toml:6: license file \"LICENSE.txt\" does not exist in the released tree"
    );
}

/// Textualize/rich (Poetry 1): metadata in [tool.poetry].
#[test]
fn poetry_project() {
    let text = "[tool.poetry]\nname = \"rich\"\nversion = \"10.16.1\"\nlicense = \"MIT\"\nreadme = \"README.md\"\n\n[tool.poetry.dependencies]\npython = \"^3.6.2\"\n\n[build-system]\nrequires = [\"poetry-core>=1.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n";
    let r = check(text, &["README.md"]);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.message,
        "name rich, version 10.16.1, readme README.md (text/markdown), license MIT"
    );
    let r = check(&text.replace("\"MIT\"", "\"Proprietary\""), &["README.md"]);
    assert_eq!(r.status, Status::Pass);
    assert_eq!(
        r.details,
        [
            "warning: pyproject.toml:4: `license` \"Proprietary\" is not an SPDX expression (`Proprietary` is not an SPDX license identifier); the index will show it as free text"
        ]
    );
}

#[test]
fn every_upload_blocker_is_reported() {
    let text = "[project]\nname = \"-bad\"\nversion = \"1.0-final-x\"\nreadme = \"README.adoc\"\nlicense = \"MIT License\"\nrequires-python = \"^3.9\"\n";
    let r = check(text, &["README.adoc"]);
    assert_eq!(r.status, Status::Fail);
    let lines: Vec<Option<u32>> = r.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5), Some(6)]);
    let messages: Vec<&str> = r.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages[0],
        "`name` \"-bad\" is not a valid distribution name"
    );
    assert!(
        messages[1].starts_with("`version` \"1.0-final-x\" is not a PEP 440 version: "),
        "{}",
        messages[1]
    );
    assert_eq!(
        messages[2],
        "readme \"README.adoc\" has an extension with no known content type (.md, .rst, .txt)"
    );
    assert_eq!(
        messages[3],
        "`license` \"MIT License\" is not a valid SPDX expression: expected AND, OR or WITH after `MIT`, found `License`"
    );
    assert!(
        messages[4].starts_with("`requires-python` \"^3.9\" is not a PEP 440 specifier set: "),
        "{}",
        messages[4]
    );
    assert_eq!(
        r.message,
        format!("pyproject.toml:2: {} (and 4 more)", messages[0])
    );
}

#[test]
fn version_both_static_and_dynamic_or_missing() {
    let r = check(
        "[project]\nname = \"x\"\nversion = \"1.0\"\ndynamic = [\"version\"]\nrequires-python = \">=3.9\"\n",
        &[],
    );
    assert_eq!(
        r.message,
        "pyproject.toml:4: `version` is both given and listed in `dynamic`; backends refuse that (PEP 621)"
    );
    let r = check("[project]\nname = \"x\"\n", &[]);
    assert_eq!(
        r.message,
        "pyproject.toml:1: [project] has no `version` and does not list it in `dynamic`"
    );
}

#[test]
fn readme_tables() {
    let base = "[project]\nname = \"x\"\nversion = \"1.0\"\nrequires-python = \">=3.9\"\n";
    let r = check(
        &format!(
            "{base}readme = {{file = \"README\", content-type = \"text/markdown; charset=UTF-8; variant=GFM\"}}\n"
        ),
        &["README"],
    );
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let r = check(
        &format!("{base}readme = {{text = \"hi\", content-type = \"text/asciidoc\"}}\n"),
        &[],
    );
    assert_eq!(
        r.message,
        "pyproject.toml:5: readme content-type \"text/asciidoc\" is not one the index renders"
    );
    let r = check(
        &format!("{base}readme = {{file = \"README.md\"}}\n"),
        &["README.md"],
    );
    assert_eq!(
        r.message,
        "pyproject.toml:5: the `readme` table has no `content-type`"
    );
}

#[test]
fn no_project_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[build-system]\nrequires = [\"setuptools\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("setup.py"),
        "from setuptools import setup\nsetup()\n",
    )
    .unwrap();
    let r = check_here(dir.path());
    assert_eq!(r.status, Status::Skipped);
    std::fs::remove_file(dir.path().join("setup.py")).unwrap();
    assert_eq!(check_here(dir.path()).status, Status::Fail);
}

#[test]
fn license_file_globs_must_match() {
    let text = "[project]\nname = \"x\"\nversion = \"1.0\"\nrequires-python = \">=3.9\"\nlicense = \"MIT\"\nlicense-files = [\"LICEN[CS]E*\", \"licenses/**/*.txt\"]\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
    std::fs::write(dir.path().join("COPYING"), "MIT\n").unwrap();
    let r = check_here(dir.path());
    assert_eq!(r.status, Status::Fail);
    let messages: Vec<&str> = r.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "license-files pattern \"LICEN[CS]E*\" matches no file in the released tree",
            "license-files pattern \"licenses/**/*.txt\" matches no file in the released tree",
        ]
    );
    std::fs::write(dir.path().join("LICENSE.md"), "MIT\n").unwrap();
    std::fs::create_dir_all(dir.path().join("licenses/vendored/a")).unwrap();
    std::fs::write(dir.path().join("licenses/vendored/a/BSD.txt"), "BSD\n").unwrap();
    let r = check_here(dir.path());
    assert_eq!(r.status, Status::Pass, "{r:#?}");
}

/// The classifier warning names what the build backend actually used does with them.
#[test]
fn the_classifier_warning_names_the_build_backend_used() {
    for (backend, verdict) in [
        (
            "setuptools.build_meta",
            "setuptools (77 and later) refuses to build with them",
        ),
        ("flit_core.buildapi", "flit_core refuses to build with them"),
        ("poetry.core.masonry.api", "poetry-core warns about them"),
        ("pdm.backend", "pdm-backend may refuse them"),
        (
            "custom_backend",
            "the build backend \"custom_backend\" may refuse them",
        ),
    ] {
        let text = format!(
            "[build-system]\nbuild-backend = \"{backend}\"\n\n[project]\nname = \"p\"\nversion = \"1.0\"\nreadme = \"README.md\"\nrequires-python = \">=3.9\"\nlicense = \"MIT\"\nclassifiers = [\"License :: OSI Approved :: MIT License\"]\n"
        );
        let r = check(&text, &["README.md"]);
        assert_eq!(
            r.details,
            [format!(
                "warning: `License ::` classifiers next to a license expression are deprecated (PEP 639), and {verdict}: remove \"License :: OSI Approved :: MIT License\""
            )],
            "{backend}"
        );
    }
}

#[test]
fn license_globs_follow_pep_639() {
    let matches = |pattern: &str, file: &str| license_glob(pattern).unwrap().is_match(file);
    assert!(matches("LICEN[CS]E*", "LICENSE.md"));
    assert!(!matches("LICEN[CS]E*", "docs/LICENSE"));
    assert!(matches("licenses/**/*.txt", "licenses/a/b/c/d/MIT.txt"));
    assert!(matches("licenses/**/*.txt", "licenses/MIT.txt"));
    assert!(matches("build/LICENSE", "build/LICENSE"));
    assert!(!matches("*.txt", "a/b.txt"));
    assert!(matches("LICENSE?", "LICENSE2"));
    for (pattern, why) in [
        (
            "/LICENSE",
            "it starts with `/`; patterns are relative to the directory of pyproject.toml",
        ),
        ("../LICENSE", "`..` would leave the project directory"),
        ("a\\b", "`\\` is not a path separator here; use `/`"),
    ] {
        assert_eq!(license_glob(pattern).unwrap_err(), why, "{pattern}");
    }
    assert!(license_glob("LICEN[SE").is_err());
}

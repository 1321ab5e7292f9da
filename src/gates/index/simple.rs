//! Reading a project page of the simple repository API: PEP 691 JSON and PEP 503 HTML, into the set of
//! published versions with their yanked state.
//!
//! Glossary: a *project page* is `<index root>/<normalized name>/`, listing one entry per uploaded file; a
//! *yanked* file (PEP 592) is still published but ignored by installers unless pinned exactly; PEP 700 adds
//! a `versions` list to the JSON form, a superset of the versions the files show (it keeps versions whose
//! files are all gone).
//! Specs: <https://packaging.python.org/en/latest/specifications/simple-repository-api/>.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep440_rs::Version;
use serde_json::Value;

use super::html::{anchors, repository_version};
use crate::python::{dist_file, name};

/// PEP 691's media type for the JSON form, version 1.
pub const JSON_TYPE: &str = "application/vnd.pypi.simple.v1+json";
/// PEP 691's name for the HTML form; `text/html` is its PEP 503 spelling.
const HTML_TYPE: &str = "application/vnd.pypi.simple.v1+html";
/// What to ask for: JSON first, HTML from indexes that only speak PEP 503 (pip sends the same preference).
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The published versions of one project.
#[derive(Debug, Default)]
pub struct Page {
    /// Keyed by PEP 440 value: `1.0` and `1.0.0` are one key.
    pub releases: BTreeMap<Version, Release>,
    /// Which form the index answered in (the parsers' tests hold them to it).
    #[cfg_attr(not(test), expect(dead_code, reason = "only the tests read it"))]
    pub form: Form,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    #[default]
    Json,
    Html,
}

#[derive(Debug, Default, Clone)]
pub struct Release {
    /// The version as the index spells it.
    pub spelled: String,
    pub files: usize,
    pub yanked_files: usize,
    /// The first non-empty yank reason among its files.
    pub yank_reason: Option<String>,
}

impl Release {
    /// PEP 592 yanks whole releases: a release is yanked when every file of it is.
    pub fn yanked(&self) -> bool {
        self.files > 0 && self.yanked_files == self.files
    }
}

/// Parse a project page by its `Content-Type`. `Err` says what is wrong with the answer, for the report.
pub fn parse(content_type: Option<&str>, body: &[u8], project: &str) -> Result<Page, String> {
    let Some(content_type) = content_type else {
        return Err(
            "the answer has no Content-Type, so it is neither PEP 691 JSON nor PEP 503 HTML".into(),
        );
    };
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        // `latest` is for requests, but an answer labelled so is read by its own api-version.
        JSON_TYPE | "application/vnd.pypi.simple.latest+json" => parse_json(body, project),
        HTML_TYPE | "application/vnd.pypi.simple.latest+html" | "text/html" => {
            parse_html(body, project)
        }
        other if other.starts_with("application/vnd.pypi.simple.") => Err(format!(
            "the answer is {other}, a version of the simple API relgate does not know (it reads v1)"
        )),
        _ => Err(format!(
            "the answer is {content_type}, neither PEP 691 JSON ({JSON_TYPE}) nor PEP 503 HTML (text/html)"
        )),
    }
}

fn parse_json(body: &[u8], project: &str) -> Result<Page, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("the JSON answer does not parse: {e}"))?;
    let api_version = doc
        .pointer("/meta/api-version")
        .and_then(Value::as_str)
        .ok_or("the JSON answer has no meta.api-version (PEP 691)")?;
    if api_version.split('.').next() != Some("1") {
        return Err(format!(
            "the JSON answer is API version {api_version}; relgate reads version 1"
        ));
    }
    if let Some(name) = doc.get("name").and_then(Value::as_str) {
        if !name::same(name, project) {
            return Err(format!(
                "the JSON answer describes the project {name:?}, not {project:?}"
            ));
        }
    }
    let files = doc
        .get("files")
        .and_then(Value::as_array)
        .ok_or("the JSON answer has no files list (PEP 691)")?;
    let mut page = Page {
        form: Form::Json,
        ..Page::default()
    };
    for file in files {
        let filename = file
            .get("filename")
            .and_then(Value::as_str)
            .ok_or("a file in the JSON answer has no filename")?;
        let yanked = match file.get("yanked") {
            None | Some(Value::Bool(false) | Value::Null) => None,
            Some(Value::Bool(true)) => Some(String::new()),
            Some(Value::String(reason)) => Some(reason.clone()),
            Some(other) => {
                return Err(format!(
                    "{filename} has a yanked value of {other}, not a boolean or a reason"
                ));
            }
        };
        page.add_file(filename, project, yanked);
    }
    if let Some(versions) = doc.get("versions") {
        let versions = versions
            .as_array()
            .ok_or("the JSON answer's versions is not a list (PEP 700)")?;
        for spelled in versions.iter().filter_map(Value::as_str) {
            if let Ok(version) = Version::from_str(spelled) {
                page.releases.entry(version).or_insert_with(|| Release {
                    spelled: spelled.to_string(),
                    ..Release::default()
                });
            }
        }
    }
    Ok(page)
}

fn parse_html(body: &[u8], project: &str) -> Result<Page, String> {
    let text =
        std::str::from_utf8(body).map_err(|_| "the HTML answer is not UTF-8 text".to_string())?;
    if !text.contains('<') {
        return Err("the HTML answer holds no markup at all".into());
    }
    // PEP 629: a page may declare its API version; a major version other than 1 is not ours to read.
    let declared = repository_version(text);
    if let Some(version) = &declared {
        if version.split('.').next().map(str::trim) != Some("1") {
            return Err(format!(
                "the HTML answer is API version {version}; relgate reads version 1"
            ));
        }
    }
    let mut page = Page {
        form: Form::Html,
        ..Page::default()
    };
    let mut files = 0usize;
    for anchor in anchors(text) {
        let filename = if anchor.text.trim().is_empty() {
            let href = anchor.attr("href").unwrap_or_default();
            let path = href.split(['#', '?']).next().unwrap_or_default();
            path.rsplit('/').next().unwrap_or_default().to_string()
        } else {
            anchor.text.trim().to_string()
        };
        if page.add_file(&filename, project, anchor.attr("data-yanked")) {
            files += 1;
        }
    }
    // Any page with a `<` used to be read as a project page without releases, so a sign-in page, a web filter's
    // "access denied" or the index's root page answered "new version": a page counts only with evidence.
    if declared.is_none() && files == 0 {
        return Err(format!(
            "an HTML page with neither PEP 629's pypi:repository-version meta tag nor a link to a distribution \
             file of {project} (a sign-in page, a proxy's or web filter's page, or the index's root page?)"
        ));
    }
    Ok(page)
}

impl Page {
    /// Count a file of the project's; `false` for any other file name.
    fn add_file(&mut self, filename: &str, project: &str, yanked: Option<String>) -> bool {
        let Some(file) = dist_file::parse_for(filename, project) else {
            return false;
        };
        let release = self
            .releases
            .entry(file.version)
            .or_insert_with(|| Release {
                spelled: file.spelled.to_string(),
                ..Release::default()
            });
        release.files += 1;
        if let Some(reason) = yanked {
            release.yanked_files += 1;
            if release.yank_reason.is_none() && !reason.trim().is_empty() {
                release.yank_reason = Some(reason.trim().to_string());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLUGGY_JSON: &str = include_str!("../../../tests/fixtures/index/pluggy.simple.json");
    const PLUGGY_HTML: &str = include_str!("../../../tests/fixtures/index/pluggy.simple.html");
    const INICONFIG_JSON: &str =
        include_str!("../../../tests/fixtures/index/iniconfig.simple.json");
    const INICONFIG_HTML: &str =
        include_str!("../../../tests/fixtures/index/iniconfig.simple.html");

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    fn spelled(page: &Page) -> Vec<&str> {
        page.releases.values().map(|r| r.spelled.as_str()).collect()
    }

    #[test]
    fn pluggy_json_and_html_agree() {
        let json = parse(Some(JSON_TYPE), PLUGGY_JSON.as_bytes(), "pluggy").unwrap();
        let html = parse(Some("text/html"), PLUGGY_HTML.as_bytes(), "pluggy").unwrap();
        assert_eq!((json.form, html.form), (Form::Json, Form::Html));
        let expected = [
            "0.3.0",
            "0.3.1",
            "0.4.0",
            "0.5.0",
            "0.5.1",
            "0.5.2",
            "0.6.0",
            "0.7.1",
            "0.8.0",
            "0.8.1",
            "0.9.0",
            "0.10.0",
            "0.11.0",
            "0.12.0",
            "0.13.0",
            "0.13.1",
            "1.0.0.dev0",
            "1.0.0",
            "1.1.0",
            "1.2.0",
            "1.3.0",
            "1.4.0",
            "1.5.0",
            "1.6.0",
            "1.7.0",
        ];
        assert_eq!(spelled(&json), expected);
        assert_eq!(spelled(&html), expected);
        for page in [&json, &html] {
            let yanked: Vec<_> = page
                .releases
                .iter()
                .filter(|(_, r)| r.yanked())
                .map(|(v, _)| v.to_string())
                .collect();
            assert_eq!(yanked, ["1.1.0"]);
            let release = &page.releases[&v("1.1")];
            assert_eq!((release.files, release.yanked_files), (2, 2));
            assert_eq!(
                release.yank_reason.as_deref(),
                Some("Caused breakage due to new style hook wrappers. Team will reevaluate.")
            );
            assert_eq!(page.releases[&v("0.4.0")].files, 2, "the .zip sdist counts");
        }
    }

    #[test]
    fn iniconfig_versions_list_adds_versions_without_files() {
        let json = parse(Some(JSON_TYPE), INICONFIG_JSON.as_bytes(), "iniconfig").unwrap();
        let html = parse(
            Some("text/html; charset=utf-8"),
            INICONFIG_HTML.as_bytes(),
            "iniconfig",
        )
        .unwrap();
        // PEP 700's list has 0.0, whose files are gone; the HTML form cannot know it.
        assert_eq!(json.releases[&v("0.0")].files, 0);
        assert!(!html.releases.contains_key(&v("0.0")));
        assert_eq!(json.releases.len(), html.releases.len() + 1);
        assert!(json.releases.values().all(|r| !r.yanked()));
        assert_eq!(json.releases.keys().next_back(), Some(&v("2.3.1")));
    }

    #[test]
    fn html_details() {
        let html = r#"<!DOCTYPE html><html><body>
            <A HREF="../../p/foo-1.0.tar.gz#sha256=ab" data-yanked="">foo-1.0.tar.gz</A>
            <a href='foo-1.1-py3-none-any.whl' data-yanked='bad &amp; broken'>foo-1.1-py3-none-any.whl</a>
            <a href="https://files/foo-1.1.tar.gz?x=1"></a>
            <abbr>not a link</abbr><a href=foo-1.2.tar.gz>foo-1.2.tar.gz</a>
            </body></html>"#;
        let page = parse(Some("text/html"), html.as_bytes(), "foo").unwrap();
        assert_eq!(spelled(&page), ["1.0", "1.1", "1.2"]);
        assert!(page.releases[&v("1.0")].yanked());
        assert_eq!(page.releases[&v("1.0")].yank_reason, None);
        let r11 = &page.releases[&v("1.1")];
        assert_eq!((r11.files, r11.yanked_files, r11.yanked()), (2, 1, false));
        assert_eq!(r11.yank_reason.as_deref(), Some("bad & broken"));
    }

    #[test]
    fn empty_page_is_a_project_without_releases_only_when_it_says_it_is_one() {
        let page = parse(
            Some("text/html"),
            b"<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"></head><body></body></html>",
            "foo",
        )
        .unwrap();
        assert!(page.releases.is_empty());
        let not_evidence = [
            "<html><body></body></html>",
            // The index's root page: links to projects, not to files.
            "<html><body><a href=\"/simple/foo/\">foo</a><a href=\"/simple/bar/\">bar</a></body></html>",
            // Another project's files.
            "<html><body><a href=\"foobar-1.0.tar.gz\">foobar-1.0.tar.gz</a></body></html>",
            // A sign-in page naming the project.
            "<html><title>Sign in</title><form action=\"/login?next=/simple/foo/\"><a href=\"/help\">foo</a></form></html>",
        ];
        for html in not_evidence {
            assert_eq!(
                parse(Some("text/html"), html.as_bytes(), "foo").unwrap_err(),
                "an HTML page with neither PEP 629's pypi:repository-version meta tag nor a link to a distribution \
                 file of foo (a sign-in page, a proxy's or web filter's page, or the index's root page?)",
                "{html}"
            );
        }
    }

    #[test]
    fn garbage_is_explained() {
        let cases: [(Option<&str>, &[u8], &str); 8] = [
            (
                Some(JSON_TYPE),
                b"<html>",
                "the JSON answer does not parse: expected value at line 1 column 1",
            ),
            (
                Some(JSON_TYPE),
                b"{\"files\": []}",
                "the JSON answer has no meta.api-version (PEP 691)",
            ),
            (
                Some(JSON_TYPE),
                b"{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}",
                "the JSON answer is API version 2.0; relgate reads version 1",
            ),
            (
                Some(JSON_TYPE),
                b"{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"bar\", \"files\": []}",
                "the JSON answer describes the project \"bar\", not \"foo\"",
            ),
            (
                Some("text/html"),
                b"\xff\xfe garbage",
                "the HTML answer is not UTF-8 text",
            ),
            (
                Some("text/html"),
                b"Service temporarily moved",
                "the HTML answer holds no markup at all",
            ),
            (
                Some("application/octet-stream"),
                b"x",
                "the answer is application/octet-stream, neither PEP 691 JSON (application/vnd.pypi.simple.v1+json) nor PEP 503 HTML (text/html)",
            ),
            (
                None,
                b"x",
                "the answer has no Content-Type, so it is neither PEP 691 JSON nor PEP 503 HTML",
            ),
        ];
        for (content_type, body, expected) in cases {
            assert_eq!(parse(content_type, body, "foo").unwrap_err(), expected);
        }
    }

    #[test]
    fn html_api_version() {
        let page = |version: &str| {
            format!(
                "<html><head><meta name=\"pypi:repository-version\" content=\"{version}\"></head><body><a href=\"foo-1.0.tar.gz\">foo-1.0.tar.gz</a></body></html>"
            )
        };
        assert_eq!(
            parse(Some("text/html"), page("1.1").as_bytes(), "foo")
                .unwrap()
                .releases
                .len(),
            1
        );
        assert_eq!(
            parse(Some("text/html"), page("2.0").as_bytes(), "foo").unwrap_err(),
            "the HTML answer is API version 2.0; relgate reads version 1"
        );
    }
}

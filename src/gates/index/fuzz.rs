//! Properties of the simple-API parsers: any answer is read or refused, never a panic; a page lists at most
//! the files it links; a project's releases written as PEP 691 JSON or PEP 503 HTML (quoted, escaped and cased
//! as index software does, among other links) read back exactly, and alike in both forms.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use pep440_rs::Version;
use proptest::prelude::*;

use super::html::anchors;
use super::simple::{JSON_TYPE, Page, parse};
use crate::fuzz::{config, hostile_text};

/// A release: its version, and per file whether it is yanked (with a reason, maybe).
type Release = (String, Vec<Option<String>>);

fn version() -> impl Strategy<Value = String> {
    (
        0u32..30,
        0u32..30,
        0u32..30,
        prop::option::of(prop_oneof![
            "a[0-9]",
            "rc[0-9]",
            r"\.post[0-9]",
            r"\.dev[0-9]"
        ]),
    )
        .prop_map(|(a, b, c, pre)| format!("{a}.{b}.{c}{}", pre.unwrap_or_default()))
}

fn releases() -> impl Strategy<Value = Vec<Release>> {
    prop::collection::vec(
        (
            version(),
            prop::collection::vec(
                prop::option::of(prop_oneof![Just(String::new()), "[ -~]{1,20}"]),
                1..4,
            ),
        ),
        0..6,
    )
    .prop_map(|list| {
        // One entry per version (the map keeps the last), as an index lists them.
        let by_version: BTreeMap<Version, Release> = list
            .into_iter()
            .map(|(v, files)| (Version::from_str(&v).unwrap(), (v, files)))
            .collect();
        by_version.into_values().collect()
    })
}

/// The files of a release: an sdist, then wheels.
fn file_names(project: &str, version: &str, count: usize) -> Vec<String> {
    let stem = project.replace('-', "_");
    (0..count)
        .map(|i| match i {
            0 => format!("{project}-{version}.tar.gz"),
            n => format!("{stem}-{version}-py3-none-any{n}.whl").replace("any1.whl", "any.whl"),
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The PEP 503 page, with links to other projects' files and pages around the project's own.
fn html_page(project: &str, releases: &[Release], meta: bool, upper: bool, single: bool) -> String {
    let a = if upper { "A" } else { "a" };
    let q = if single { '\'' } else { '"' };
    let mut page = String::from("<!DOCTYPE html><html><head><title>Links</title>");
    if meta {
        page.push_str("<meta name=\"pypi:repository-version\" content=\"1.1\">");
    }
    page.push_str("</head><body><h1>Links</h1>\n<a href=\"/simple/other/\">other</a>\n");
    let _ = writeln!(
        page,
        "<a href=\"https://f.invalid/{project}x-9.9.tar.gz\">{project}x-9.9.tar.gz</a>"
    );
    for (version, files) in releases {
        for (name, yanked) in file_names(project, version, files.len()).iter().zip(files) {
            let yank = match yanked {
                None => String::new(),
                Some(reason) => format!(" data-yanked={q}{}{q}", escape(reason)),
            };
            let _ = writeln!(
                page,
                "<{a} href={q}https://f.invalid/p/{name}#sha256=00{q}{yank}>{name}</{a}><br/>"
            );
        }
    }
    page.push_str("</body></html>\n");
    page
}

fn json_page(project: &str, releases: &[Release]) -> String {
    let mut files = Vec::new();
    for (version, yanks) in releases {
        for (name, yanked) in file_names(project, version, yanks.len())
            .into_iter()
            .zip(yanks)
        {
            let yanked = match yanked {
                None => serde_json::Value::Bool(false),
                Some(reason) if reason.is_empty() => serde_json::Value::Bool(true),
                Some(reason) => serde_json::Value::String(reason.clone()),
            };
            files.push(serde_json::json!({"filename": name, "url": "https://f.invalid/", "hashes": {}, "yanked": yanked}));
        }
    }
    serde_json::json!({"meta": {"api-version": "1.1"}, "name": project, "files": files}).to_string()
}

/// What a page says of each release: (version, files, yanked files, yank reason).
fn summary(page: &Page) -> Vec<(String, usize, usize, Option<String>)> {
    page.releases
        .iter()
        .map(|(v, r)| {
            (
                v.to_string(),
                r.files,
                r.yanked_files,
                r.yank_reason.clone(),
            )
        })
        .collect()
}

fn expected(releases: &[Release]) -> Vec<(String, usize, usize, Option<String>)> {
    releases
        .iter()
        .map(|(v, files)| {
            let reason = files
                .iter()
                .flatten()
                .map(|r| r.trim())
                .find(|r| !r.is_empty())
                .map(str::to_owned);
            let yanked = files.iter().filter(|f| f.is_some()).count();
            (
                Version::from_str(v).unwrap().to_string(),
                files.len(),
                yanked,
                reason,
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_answer_is_read_or_refused(
        body in hostile_text(200),
        content_type in prop::option::of(prop_oneof![
            Just("text/html".to_owned()),
            Just(JSON_TYPE.to_owned()),
            Just("application/vnd.pypi.simple.v1+html; charset=utf-8".to_owned()),
            "[ -~]{0,30}",
        ]),
    ) {
        if let Ok(page) = parse(content_type.as_deref(), body.as_bytes(), "foo") {
            // A page lists at most the files it names.
            let files: usize = page.releases.values().map(|r| r.files).sum();
            prop_assert!(files <= body.matches("foo").count());
        }
        prop_assert!(anchors(&body).len() <= body.to_ascii_lowercase().matches("<a").count());
    }

    #[test]
    fn any_bytes_are_read_or_refused(body in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(Some("text/html"), &body, "foo");
        let _ = parse(Some(JSON_TYPE), &body, "foo");
    }

    #[test]
    fn releases_read_back_from_both_forms(
        releases in releases(),
        meta in any::<bool>(),
        upper in any::<bool>(),
        single in any::<bool>(),
    ) {
        let project = "my-pkg";
        let html = html_page(project, &releases, meta, upper, single);
        let json = json_page(project, &releases);
        let from_json = parse(Some(JSON_TYPE), json.as_bytes(), project).unwrap();
        prop_assert_eq!(summary(&from_json), expected(&releases));
        match parse(Some("text/html"), html.as_bytes(), project) {
            Ok(from_html) => prop_assert_eq!(summary(&from_html), summary(&from_json)),
            // Without the meta tag and without any file of the project, the page proves nothing.
            Err(why) => prop_assert!(!meta && releases.is_empty(), "{}", why),
        }
    }
}

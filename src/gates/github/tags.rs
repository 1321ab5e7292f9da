//! `release-tags`: an active tag rule set selects every release tag the tag format names and restricts
//! creating, moving and deleting them, so that only its bypass actors (admins, a release app) can make a
//! release tag: not a collaborator's push, not the web page's "create a new release" form.

use super::refs::{self, selects_tag};
use super::{Expectations, Observed, RELEASE_TAGS, TAG_RULESET, printable, unreadable};
use crate::github::settings::Ruleset;
use crate::outcome::{CheckResult, Kind};

/// The rules that keep release tags from being created, moved or deleted.
pub const RULES: [&str; 3] = ["creation", "update", "deletion"];

pub fn check(expect: &Expectations, observed: &Observed) -> CheckResult {
    let rulesets = match &observed.rulesets {
        Ok(all) => all,
        Err(e) => {
            return unreadable(
                RELEASE_TAGS,
                &format!("the rule sets of {}", observed.repo),
                e,
                "Metadata: read",
            );
        }
    };
    let tag_sets: Vec<&Ruleset> = rulesets
        .iter()
        .filter(|r| r.target.as_deref() == Some("tag"))
        .collect();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut summaries = Vec::new();
    let mut used: Vec<&Ruleset> = Vec::new();
    for (glob, samples) in expect.tag_globs.iter().zip(&expect.sample_tags) {
        let covering = |r: &&&Ruleset| samples.iter().all(|s| selects_tag(r, s));
        let active: Vec<&Ruleset> = tag_sets
            .iter()
            .filter(covering)
            .filter(|r| r.enforcement == "active")
            .copied()
            .collect();
        for idle in tag_sets
            .iter()
            .filter(covering)
            .filter(|r| r.enforcement != "active")
        {
            notes.push(format!(
                "rule set \"{}\" covers refs/tags/{glob} but its enforcement is `{}`: it blocks nothing",
                printable(&idle.name),
                printable(&idle.enforcement)
            ));
        }
        if active.is_empty() {
            problems.push(format!(
                "no active tag rule set covers the release tags (refs/tags/{glob}): anyone who may push can create, move or delete them"
            ));
            continue;
        }
        let missing: Vec<&str> = RULES
            .iter()
            .filter(|kind| {
                !active
                    .iter()
                    .any(|r| r.rules.iter().flatten().any(|rule| rule.kind == **kind))
            })
            .copied()
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "the tag rule sets covering refs/tags/{glob} do not restrict {} of release tags",
                missing.join(", ")
            ));
        }
        let names: Vec<String> = active
            .iter()
            .map(|r| format!("\"{}\"", printable(&r.name)))
            .collect();
        summaries.push(format!("refs/tags/{glob} ({})", names.join(", ")));
        for r in active {
            if !used.iter().any(|u| u.id == r.id) {
                used.push(r);
            }
        }
    }

    let mut bypass = Vec::new();
    for r in &used {
        match &r.bypass_actors {
            None => notes.push(format!(
                "who may bypass rule set \"{}\" is shown only to a token that may edit it",
                printable(&r.name)
            )),
            Some(actors) => {
                for actor in actors {
                    let who = refs::describe(actor);
                    if refs::too_wide(actor) {
                        problems.push(format!(
                            "rule set \"{}\" lets {who} bypass it: then it restricts nobody who can push",
                            printable(&r.name)
                        ));
                    }
                    if !bypass.contains(&who) {
                        bypass.push(who);
                    }
                }
            }
        }
    }
    let bypass_text = if bypass.is_empty() {
        "no bypass".to_owned()
    } else {
        format!("bypass: {}", bypass.join(", "))
    };
    if problems.is_empty() {
        let mut result = CheckResult::pass(
            RELEASE_TAGS,
            Kind::Publish,
            format!(
                "creating, moving and deleting release tags is restricted: {}; {bypass_text}",
                summaries.join(", ")
            ),
        );
        result.details = notes;
        return result;
    }
    let patterns: Vec<String> = expect
        .tag_globs
        .iter()
        .map(|g| format!("refs/tags/{g}"))
        .collect();
    let mut result = CheckResult::fail(RELEASE_TAGS, Kind::Publish, problems[0].clone());
    result.details.push(format!(
        "fix: `relgate github protect` (rule set \"{TAG_RULESET}\": {} restricted to creation, update and deletion by repository admins); a bot that tags releases needs its app in the bypass list",
        patterns.join(", ")
    ));
    result.details.extend(problems.into_iter().skip(1));
    result.details.extend(notes);
    if !used.is_empty() {
        result.details.push(bypass_text);
    }
    result
}

//! Which refs a rule set's `conditions.ref_name` or a deployment policy's name pattern selects, and who may
//! bypass a rule set.
//!
//! GitHub matches these patterns with fnmatch: `*` is any run of characters but `/`, `**` any run, `?` one
//! character but `/`, `[...]` a class, `\` escapes; `~ALL` selects every branch or tag, `~DEFAULT_BRANCH` the
//! default branch. <https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax>

use crate::github::settings::{BypassActor, Ruleset};

/// The repository role id of admins in a rule set's bypass list (`RepositoryRole` 5; 4 is write, 2 maintain).
pub const ADMIN_ROLE: u64 = 5;
const WRITE_ROLE: u64 = 4;
const MAINTAIN_ROLE: u64 = 2;

/// Whether fnmatch `pattern` matches `name` in whole.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    to_regex(pattern).is_some_and(|re| re.is_match(name))
}

fn to_regex(pattern: &str) -> Option<regex::Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex::escape(&chars[i].to_string()));
            }
            '[' => {
                let close = chars[i + 1..].iter().position(|&c| c == ']')? + i + 1;
                let mut class: String = chars[i + 1..close].iter().collect();
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                re.push('[');
                re.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                re.push(']');
                i = close;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// Whether `ruleset` (a tag rule set) selects the tag called `tag`.
pub fn selects_tag(ruleset: &Ruleset, tag: &str) -> bool {
    let full = format!("refs/tags/{tag}");
    let Some(ref_name) = ruleset
        .conditions
        .as_ref()
        .and_then(|c| c.ref_name.as_ref())
    else {
        return false;
    };
    let matches =
        |pattern: &String| pattern == "~ALL" || fnmatch(pattern, &full) || fnmatch(pattern, tag);
    ref_name.include.iter().any(matches) && !ref_name.exclude.iter().any(matches)
}

/// Whether every sample tag is selected by a tag (deployment policy) name pattern.
pub fn covers_all(pattern: &str, samples: &[String]) -> bool {
    samples.iter().all(|s| fnmatch(pattern, s))
}

/// Tags that are no release of any format: a pattern matching one of them lets more than releases through.
pub const NOT_RELEASES: &[&str] = &["latest", "nightly", "test", "docs/1", "x"];

/// A bypass actor in words, e.g. `repository admins (always)`.
pub fn describe(actor: &BypassActor) -> String {
    let who = match (actor.actor_type.as_str(), actor.actor_id) {
        ("RepositoryRole", Some(ADMIN_ROLE)) => "repository admins".to_owned(),
        ("RepositoryRole", Some(WRITE_ROLE)) => "everyone with write access".to_owned(),
        ("RepositoryRole", Some(MAINTAIN_ROLE)) => "maintainers".to_owned(),
        ("RepositoryRole", id) => format!("repository role {}", id.unwrap_or_default()),
        ("OrganizationAdmin", _) => "organization owners".to_owned(),
        ("Integration", Some(id)) => format!("GitHub App {id}"),
        ("Team", Some(id)) => format!("team {id}"),
        ("DeployKey", _) => "deploy keys".to_owned(),
        (other, id) => format!("{} {}", super::printable(other), id.unwrap_or_default()),
    };
    match actor.bypass_mode.as_deref() {
        Some(mode) if mode != "always" => format!("{who} ({})", super::printable(mode)),
        _ => who,
    }
}

/// Whether a bypass turns the rule set into a formality: anyone who may push, or any holder of a deploy key.
pub fn too_wide(actor: &BypassActor) -> bool {
    match actor.actor_type.as_str() {
        "RepositoryRole" => actor.actor_id == Some(WRITE_ROLE),
        "DeployKey" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::settings::{Conditions, RefName};

    #[test]
    fn fnmatch_as_github_reads_ref_patterns() {
        assert!(fnmatch("refs/tags/v*", "refs/tags/v1.0.0"));
        assert!(!fnmatch("refs/tags/v*", "refs/tags/1.0.0"));
        assert!(!fnmatch("refs/tags/v*", "refs/tags/v1/x"));
        assert!(fnmatch("refs/tags/**", "refs/tags/pkg/v1"));
        assert!(fnmatch("refs/tags/[0-9]*", "refs/tags/2.0"));
        assert!(!fnmatch("refs/tags/[!0-9]*", "refs/tags/2.0"));
        assert!(fnmatch("refs/tags/v?.0", "refs/tags/v2.0"));
        assert!(fnmatch("mypkg-v\\*", "mypkg-v*"));
        assert!(!fnmatch("mypkg-v\\*", "mypkg-v1"));
        assert!(
            !fnmatch("refs/tags/[0-9", "refs/tags/[0-9"),
            "an unclosed class matches nothing"
        );
        assert!(
            fnmatch("v1.(0)+", "v1.(0)+"),
            "regex characters are literal"
        );
    }

    #[test]
    fn tag_rule_sets_select_by_include_and_exclude() {
        let ruleset = |include: &[&str], exclude: &[&str]| Ruleset {
            id: 1,
            name: "tags".into(),
            target: Some("tag".into()),
            source_type: None,
            source: None,
            enforcement: "active".into(),
            bypass_actors: None,
            conditions: Some(Conditions {
                ref_name: Some(RefName {
                    include: include.iter().map(|s| (*s).to_owned()).collect(),
                    exclude: exclude.iter().map(|s| (*s).to_owned()).collect(),
                }),
            }),
            rules: None,
        };
        assert!(selects_tag(&ruleset(&["refs/tags/v*"], &[]), "v1.0"));
        assert!(selects_tag(&ruleset(&["~ALL"], &[]), "v1.0"));
        assert!(!selects_tag(&ruleset(&["~ALL"], &["refs/tags/v*"]), "v1.0"));
        assert!(!selects_tag(
            &ruleset(&["refs/tags/release-*"], &[]),
            "v1.0"
        ));
    }

    #[test]
    fn bypass_actors_in_words() {
        let actor = |kind: &str, id: Option<u64>, mode: &str| BypassActor {
            actor_id: id,
            actor_type: kind.into(),
            bypass_mode: Some(mode.into()),
        };
        assert_eq!(
            describe(&actor("RepositoryRole", Some(5), "always")),
            "repository admins"
        );
        assert_eq!(
            describe(&actor("Integration", Some(9), "pull_request")),
            "GitHub App 9 (pull_request)"
        );
        assert!(too_wide(&actor("RepositoryRole", Some(4), "always")));
        assert!(!too_wide(&actor("Integration", Some(9), "always")));
    }
}

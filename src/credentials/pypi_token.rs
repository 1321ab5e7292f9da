//! What an API token of `pypi.org` allows, read from its caveats, and whether the index would accept it for this
//! project now. Nothing is sent anywhere: the caveats are readable by anyone holding the token.
//!
//! Caveats as warehouse reads them (`warehouse/macaroons/caveats/`): JSON arrays `[tag, ...fields]` with
//! tag 0 expiry `[0, expires_at, not_before]` (Unix seconds), 1 project names `[1, [normalized names]]`,
//! 2 project ids `[2, [ids]]`, 3 the creating user `[3, user_id]`, 4 a trusted publisher `[4, publisher_id]`;
//! and the legacy JSON objects it adapts: `{"version": 1, "permissions": "user" | {"projects": [...]}}`,
//! `{"exp": ..., "nbf": ...}`, `{"project_ids": [...]}`. Warehouse refuses a token with a caveat it cannot
//! read; relgate says it cannot tell about one it does not know (a newer tag), and refuses a malformed one.

use serde_json::Value;

use super::macaroon::{self, DecodeError};

/// One restriction a token's caveats put on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restriction {
    /// Valid from `not_before` until before `expires_at` (Unix seconds).
    Expiry { expires_at: i64, not_before: i64 },
    /// Only these projects (normalized names).
    Projects(Vec<String>),
    /// Only the projects with these ids (which only the index can map to names).
    ProjectIds(Vec<String>),
    /// Any project of the user who created it.
    User,
    /// A token minted by trusted publishing for one publisher.
    Publisher,
    /// A caveat warehouse would refuse: the token can never be accepted.
    Invalid(String),
    /// A caveat relgate does not know (a newer kind); what it allows cannot be told.
    Unknown(String),
    /// A third-party caveat, which another service must discharge.
    ThirdParty,
}

/// A decoded `pypi-` token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The service that made it: `pypi.org`, `test.pypi.org`.
    pub location: Option<String>,
    pub restrictions: Vec<Restriction>,
}

/// Why a secret is not a `pypi-` token. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAToken {
    #[error("it does not start with `pypi-`")]
    NoPrefix,
    #[error("{0}")]
    Decode(#[from] DecodeError),
}

/// Decode `pypi-<base64 macaroon>`.
pub fn inspect(token: &str) -> Result<TokenInfo, NotAToken> {
    let body = token
        .trim()
        .strip_prefix("pypi-")
        .ok_or(NotAToken::NoPrefix)?;
    let macaroon = macaroon::decode(body)?;
    let restrictions = macaroon
        .caveats
        .iter()
        .map(|c| {
            if c.third_party {
                Restriction::ThirdParty
            } else {
                restriction(&c.id)
            }
        })
        .collect();
    Ok(TokenInfo {
        location: macaroon.location,
        restrictions,
    })
}

fn restriction(id: &[u8]) -> Restriction {
    let Ok(value) = serde_json::from_slice::<Value>(id) else {
        return Restriction::Invalid("a caveat that is not JSON".into());
    };
    match &value {
        Value::Array(items) => tagged(items),
        Value::Object(map) => {
            if map.get("version").and_then(Value::as_i64) == Some(1) {
                return match map.get("permissions") {
                    Some(Value::String(s)) if s == "user" => Restriction::User,
                    Some(Value::Object(p)) => match p.get("projects").and_then(strings) {
                        Some(names) => Restriction::Projects(names),
                        None => Restriction::Invalid(
                            "a legacy permissions caveat without projects".into(),
                        ),
                    },
                    _ => {
                        Restriction::Invalid("a legacy permissions caveat of no known form".into())
                    }
                };
            }
            if let (Some(exp), Some(nbf)) = (map.get("exp"), map.get("nbf")) {
                return match (exp.as_i64(), nbf.as_i64()) {
                    (Some(expires_at), Some(not_before)) => Restriction::Expiry {
                        expires_at,
                        not_before,
                    },
                    _ => Restriction::Invalid("a legacy expiry caveat without numbers".into()),
                };
            }
            if let Some(ids) = map.get("project_ids") {
                return strings(ids).map_or_else(
                    || Restriction::Invalid("a legacy project-ids caveat without ids".into()),
                    Restriction::ProjectIds,
                );
            }
            Restriction::Unknown("a legacy caveat of no known form".into())
        }
        _ => Restriction::Invalid("a caveat that is neither a list nor an object".into()),
    }
}

fn tagged(items: &[Value]) -> Restriction {
    let Some(tag) = items.first().and_then(Value::as_i64) else {
        return Restriction::Invalid("a caveat without a numeric tag".into());
    };
    let field = |i: usize| items.get(i);
    let invalid = |what: &str| Restriction::Invalid(format!("a malformed {what} caveat"));
    match tag {
        0 => match (
            field(1).and_then(Value::as_i64),
            field(2).and_then(Value::as_i64),
        ) {
            (Some(expires_at), Some(not_before)) => Restriction::Expiry {
                expires_at,
                not_before,
            },
            _ => invalid("expiry"),
        },
        1 => field(1)
            .and_then(strings)
            .map_or_else(|| invalid("project-name"), Restriction::Projects),
        2 => field(1)
            .and_then(strings)
            .map_or_else(|| invalid("project-id"), Restriction::ProjectIds),
        3 => match field(1) {
            Some(Value::String(_)) => Restriction::User,
            _ => invalid("user"),
        },
        4 => match field(1) {
            Some(Value::String(_)) => Restriction::Publisher,
            _ => invalid("trusted-publisher"),
        },
        other => Restriction::Unknown(format!(
            "a caveat of kind {other}, which relgate does not know"
        )),
    }
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The verdict on one token for one index, project and moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// What it allows (`scoped to project mypkg, valid until ...`).
    Accepted(String),
    /// Why the index would refuse it, and what to do.
    Refused { why: String, fix: String },
    /// Why relgate cannot tell.
    Unknown(String),
}

/// What the token is checked against.
pub struct Target<'a> {
    /// The index's host as tokens name it: `pypi.org`, `test.pypi.org` (an upload host `upload.pypi.org` is
    /// `pypi.org`).
    pub location: &'a str,
    /// The project's normalized name, when known.
    pub project: Option<&'a str>,
    /// Now, in Unix seconds.
    pub now: i64,
}

/// Would the index at `target` accept this token for the project, now?
pub fn judge(info: &TokenInfo, target: &Target) -> Verdict {
    let token_page = format!("https://{}/manage/account/token/", target.location);
    let kind = match target.location {
        "pypi.org" => "PyPI",
        "test.pypi.org" => "TestPyPI",
        other => other,
    };
    if let Some(location) = &info.location {
        if !location.eq_ignore_ascii_case(target.location) {
            let made_by = match location.as_str() {
                "test.pypi.org" => "a TestPyPI token".to_owned(),
                "pypi.org" => "a PyPI token".to_owned(),
                other => format!("a token of {}", crate::term::printable(other)),
            };
            return Verdict::Refused {
                why: format!(
                    "{made_by} (its location is {}), but the upload goes to {kind}: {kind} refuses it",
                    crate::term::printable(location)
                ),
                fix: format!(
                    "create a token on {token_page}, or upload to the index the token is for"
                ),
            };
        }
    }
    let mut scope: Option<String> = None;
    let mut validity = "no expiry".to_owned();
    let mut ids_only = None;
    for restriction in &info.restrictions {
        match restriction {
            Restriction::Expiry {
                expires_at,
                not_before,
            } => {
                if target.now < *not_before {
                    return Verdict::Refused {
                        why: format!(
                            "the token is not valid yet: not before {}",
                            utc(*not_before)
                        ),
                        fix: format!(
                            "wait until then, or create a token valid now on {token_page}"
                        ),
                    };
                }
                if target.now >= *expires_at {
                    return Verdict::Refused {
                        why: format!("the token expired on {}", utc(*expires_at)),
                        fix: format!("create a new token on {token_page}"),
                    };
                }
                validity = format!("valid until {}", utc(*expires_at));
            }
            Restriction::Projects(names) => {
                let shown = names
                    .iter()
                    .map(|n| crate::term::printable(n))
                    .collect::<Vec<_>>()
                    .join(", ");
                let Some(project) = target.project else {
                    return Verdict::Unknown(format!(
                        "the token is scoped to project {shown}, and relgate found no project name to compare (pass --path to the project)"
                    ));
                };
                if !names.iter().any(|n| crate::python::name::same(n, project)) {
                    return Verdict::Refused {
                        why: format!("the token is scoped to project {shown}, not {project}"),
                        fix: format!("create a token for {project} on {token_page}"),
                    };
                }
                scope = Some(format!("scoped to project {project}"));
            }
            Restriction::ProjectIds(ids) => ids_only = Some(ids.len()),
            Restriction::User => {
                scope.get_or_insert_with(|| {
                    "user-wide: it can upload to every project of the account that made it"
                        .to_owned()
                });
            }
            Restriction::Publisher => {
                scope.get_or_insert_with(|| {
                    "minted by trusted publishing for the projects of its publisher".to_owned()
                });
            }
            Restriction::Invalid(what) => {
                return Verdict::Refused {
                    why: format!("the token carries {what}: the index refuses it"),
                    fix: format!("create a new token on {token_page}"),
                };
            }
            Restriction::Unknown(what) => {
                return Verdict::Unknown(format!(
                    "the token carries {what}: only the index can tell whether it allows this upload"
                ));
            }
            Restriction::ThirdParty => {
                return Verdict::Unknown(
                    "the token carries a third-party caveat, which only another service can discharge".into(),
                );
            }
        }
    }
    let scope = match (scope, ids_only) {
        (Some(scope), _) => scope,
        (None, Some(_)) => {
            return Verdict::Unknown(
                "the token is scoped to a project by its id, which only the index can map to a name".into(),
            );
        }
        (None, None) => "user-wide: no project restriction".to_owned(),
    };
    Verdict::Accepted(format!("a {kind} API token, {scope}; {validity}"))
}

/// `2026-03-01 12:00 UTC` for Unix seconds (the proleptic Gregorian calendar; days from civil, H. Hinnant).
pub fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::super::macaroon::tests::{PYMACAROONS_V1, PYMACAROONS_V2, encode_v2};
    use super::*;

    const NOW: i64 = 1_750_000_000;

    fn token(location: &str, caveats: &[&str]) -> String {
        format!("pypi-{}", encode_v2(location, "id", caveats, [7; 32]))
    }

    fn verdict(token: &str, location: &str, project: Option<&str>) -> Verdict {
        judge(
            &inspect(token).unwrap(),
            &Target {
                location,
                project,
                now: NOW,
            },
        )
    }

    #[test]
    fn real_tokens() {
        let v2 = format!("pypi-{PYMACAROONS_V2}");
        assert_eq!(
            verdict(&v2, "pypi.org", Some("mypkg")),
            Verdict::Accepted(
                "a PyPI API token, scoped to project mypkg; valid until 2100-01-01 00:00 UTC"
                    .into()
            )
        );
        let v1 = format!("pypi-{PYMACAROONS_V1}");
        assert_eq!(
            inspect(&v1).unwrap().restrictions,
            [
                Restriction::User,
                Restriction::Expiry {
                    expires_at: 1_800_000_000,
                    not_before: 1_700_000_000
                }
            ]
        );
        assert_eq!(
            verdict(&v1, "test.pypi.org", Some("mypkg")),
            Verdict::Accepted("a TestPyPI API token, user-wide: it can upload to every project of the account that made it; valid until 2027-01-15 08:00 UTC".into())
        );
        let Verdict::Refused { why, .. } = verdict(&v1, "pypi.org", Some("mypkg")) else {
            panic!()
        };
        assert_eq!(
            why,
            "a TestPyPI token (its location is test.pypi.org), but the upload goes to PyPI: PyPI refuses it"
        );
    }

    #[test]
    fn every_caveat_kind() {
        let refused = |v: Verdict| match v {
            Verdict::Refused { why, .. } => why,
            other => panic!("{other:?}"),
        };
        let other = token("pypi.org", &[r#"[1,["other-pkg"]]"#]);
        assert_eq!(
            refused(verdict(&other, "pypi.org", Some("mypkg"))),
            "the token is scoped to project other-pkg, not mypkg"
        );
        let normalized = token(
            "pypi.org",
            &[r#"{"version": 1, "permissions": {"projects": ["My_Pkg"]}}"#],
        );
        assert!(matches!(
            verdict(&normalized, "pypi.org", Some("my-pkg")),
            Verdict::Accepted(_)
        ));
        let expired = token("pypi.org", &[&format!("[0,{},{}]", NOW - 1, NOW - 100)]);
        assert_eq!(
            refused(verdict(&expired, "pypi.org", Some("mypkg"))),
            "the token expired on 2025-06-15 15:06 UTC"
        );
        let early = token(
            "pypi.org",
            &[&format!(r#"{{"nbf": {}, "exp": {}}}"#, NOW + 60, NOW + 600)],
        );
        assert_eq!(
            refused(verdict(&early, "pypi.org", Some("mypkg"))),
            "the token is not valid yet: not before 2025-06-15 15:07 UTC"
        );
        let ids = token("pypi.org", &[r#"[2,["1234"]]"#]);
        assert!(matches!(
            verdict(&ids, "pypi.org", Some("mypkg")),
            Verdict::Unknown(_)
        ));
        let newer = token("pypi.org", &[r#"[9,"x"]"#]);
        assert_eq!(
            verdict(&newer, "pypi.org", Some("mypkg")),
            Verdict::Unknown("the token carries a caveat of kind 9, which relgate does not know: only the index can tell whether it allows this upload".into())
        );
        let broken = token("pypi.org", &["[0,\"soon\"]"]);
        assert_eq!(
            refused(verdict(&broken, "pypi.org", Some("mypkg"))),
            "the token carries a malformed expiry caveat: the index refuses it"
        );
        let user = token("pypi.org", &[r#"[3,"0b6a"]"#]);
        assert!(
            matches!(verdict(&user, "pypi.org", None), Verdict::Accepted(s) if s.contains("user-wide"))
        );
        assert_eq!(inspect("pypi"), Err(NotAToken::NoPrefix));
        assert_eq!(
            inspect("pypi-!!!"),
            Err(NotAToken::Decode(DecodeError::Base64))
        );
    }

    #[test]
    fn names_and_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(4_102_444_800), "2100-01-01 00:00 UTC");
    }
}

//! SPDX license expressions (PEP 639: a `license` string is one), validated by the `spdx` crate: the SPDX
//! license and exception lists and the expression grammar (`AND`, `OR`, `WITH`, parentheses, `LicenseRef-`).
//!
//! relgate adds what the `packaging` library (which build backends and the index use) adds on top: identifiers
//! and operators are matched whatever their case, and the canonical form (identifiers in their SPDX case,
//! operators upper-case) is what backends write into the metadata. Deprecated identifiers (`GPL-2.0+`) stay
//! valid, as in `packaging`.

use spdx::error::Reason;
use spdx::identifiers::{EXCEPTIONS, LICENSES};
use spdx::{Expression, ParseMode};

/// How `packaging` reads an expression: strict SPDX grammar and identifiers, deprecated ones allowed.
const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Validate an SPDX license expression; `Ok` carries its canonical form, `Err` says what is wrong in words.
pub fn validate_license(expression: &str) -> Result<String, String> {
    let tokens = canonical_tokens(expression);
    if tokens.is_empty() {
        return Err("it is empty".into());
    }
    let mut canonical = String::new();
    let mut starts = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let glued = i == 0 || token == ")" || tokens[i - 1] == "(";
        if !glued {
            canonical.push(' ');
        }
        starts.push(canonical.len());
        canonical.push_str(token);
    }
    match Expression::parse_mode(&canonical, MODE) {
        Ok(_) => Ok(canonical),
        Err(err) => {
            let at = starts.iter().rposition(|&s| s <= err.span.start);
            let token = at
                .filter(|_| err.span.start < canonical.len())
                .map(|i| tokens[i].as_str());
            let before = at
                .map(|i| if token.is_some() { i } else { i + 1 })
                .and_then(|i| i.checked_sub(1))
                .map(|i| tokens[i].as_str());
            Err(describe(&err.reason, token, before))
        }
    }
}

/// The reason in the words of relgate's other messages. `token`: the term at fault (`None` at the end);
/// `before`: the one before it.
fn describe(reason: &Reason, token: Option<&str>, before: Option<&str>) -> String {
    let is_operator = |t: &str| matches!(t, "AND" | "OR" | "WITH");
    let after_a_license = before.is_some_and(|b| b == ")" || !(is_operator(b) || b == "("));
    match (reason, token) {
        (Reason::Empty, _) => "it is empty".into(),
        (Reason::UnclosedParens, _) => "a `(` is not closed".into(),
        (Reason::UnopenedParens, _) => "unexpected `)`".into(),
        (_, None) => "it ends where a license identifier is expected".into(),
        (_, Some(token)) if before == Some("WITH") => {
            format!("`{token}` is not an SPDX license exception identifier")
        }
        (_, Some(token)) if is_operator(token) && !after_a_license => {
            format!("`{token}` where a license identifier is expected")
        }
        (Reason::UnknownTerm | Reason::UnknownLicense | Reason::Unexpected(_), Some(token))
            if after_a_license =>
        {
            format!(
                "expected AND, OR or WITH after `{}`, found `{token}`",
                before.unwrap_or_default()
            )
        }
        (Reason::UnknownTerm | Reason::UnknownLicense, Some(token)) => unknown_license(token),
        (reason, Some(token)) => format!("`{token}`: {reason}"),
    }
}

fn unknown_license(token: &str) -> String {
    let lower = token.trim_end_matches('+').to_ascii_lowercase();
    let near: Vec<&str> = LICENSES
        .iter()
        .map(|l| l.name)
        .filter(|id| id.to_ascii_lowercase().starts_with(&lower))
        .take(3)
        .collect();
    if near.is_empty() {
        format!("`{token}` is not an SPDX license identifier")
    } else {
        format!(
            "`{token}` is not an SPDX license identifier (did you mean {}?)",
            near.join(", ")
        )
    }
}

/// The expression's terms in their canonical case: operators upper-case, identifiers as the SPDX lists spell
/// them (an identifier after `WITH` from the exception list), anything unknown as written.
fn canonical_tokens(expression: &str) -> Vec<String> {
    let spaced = expression.replace('(', " ( ").replace(')', " ) ");
    let mut out: Vec<String> = Vec::new();
    for word in spaced.split_whitespace() {
        let upper = word.to_ascii_uppercase();
        let after_with = out.last().is_some_and(|t| t == "WITH");
        let token = if matches!(upper.as_str(), "AND" | "OR" | "WITH") {
            upper
        } else if after_with {
            EXCEPTIONS
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(word))
                .map_or_else(|| word.to_owned(), |e| e.name.to_owned())
        } else {
            let (base, plus) = word.strip_suffix('+').map_or((word, ""), |b| (b, "+"));
            LICENSES
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(base))
                .map_or_else(|| word.to_owned(), |l| format!("{}{plus}", l.name))
        };
        out.push(token);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_expressions() {
        for (input, canonical) in [
            ("MIT", "MIT"),
            ("mit", "MIT"),
            ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT"),
            (
                "(MIT or apache-2.0) AND BSD-3-Clause",
                "(MIT OR Apache-2.0) AND BSD-3-Clause",
            ),
            (
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
                "GPL-2.0-or-later WITH Classpath-exception-2.0",
            ),
            ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
            ("GPL-2.0+", "GPL-2.0+"),
            (
                "apache-2.0 with llvm-exception",
                "Apache-2.0 WITH LLVM-exception",
            ),
            ("(MIT)", "(MIT)"),
        ] {
            assert_eq!(validate_license(input).as_deref(), Ok(canonical), "{input}");
        }
        for (input, why) in [
            ("", "it is empty"),
            (
                "Apache-2",
                "`Apache-2` is not an SPDX license identifier (did you mean Apache-2.0?)",
            ),
            ("MIT AND", "it ends where a license identifier is expected"),
            ("(MIT", "a `(` is not closed"),
            (
                "MIT Apache-2.0",
                "expected AND, OR or WITH after `MIT`, found `Apache-2.0`",
            ),
            (
                "MIT WITH Nope",
                "`Nope` is not an SPDX license exception identifier",
            ),
            ("OR MIT", "`OR` where a license identifier is expected"),
            (
                "MIT AND OR BSD-3-Clause",
                "`OR` where a license identifier is expected",
            ),
            ("MIT)", "unexpected `)`"),
            (
                "Proprietary",
                "`Proprietary` is not an SPDX license identifier",
            ),
        ] {
            assert_eq!(validate_license(input), Err(why.to_owned()), "{input}");
        }
    }
}

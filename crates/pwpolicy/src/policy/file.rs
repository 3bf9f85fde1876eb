//! Reading a policy from TOML text, with errors that point at the line.

use std::collections::HashMap;

use toml::Spanned;

use super::Policy;
use crate::Error;

impl Policy {
    /// Parses and validates a policy from TOML text. Keys left out take their
    /// defaults, so an empty text is the default policy.
    ///
    /// # Errors
    ///
    /// [`Error::PolicySyntax`] for text that is not TOML, an unknown key or a
    /// value of the wrong type; [`Error::PolicyInvalid`] for a value out of range
    /// or a contradiction. Both name the line.
    ///
    /// ```
    /// let policy = pwpolicy::Policy::from_toml("[quality]\nmin_length = 12\n")?;
    /// assert_eq!(policy.quality.min_length, 12);
    ///
    /// let err = pwpolicy::Policy::from_toml("[quality]\nminlen = 12\n").unwrap_err();
    /// assert!(err.to_string().starts_with("policy file line 2"));
    /// # Ok::<(), pwpolicy::Error>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        let written: Policy = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let policy = match written.profile {
            None => written,
            Some(profile) => over(profile.policy(written.multi_factor), text)?,
        };
        policy.find_invalid().map_err(|e| Error::PolicyInvalid {
            // The key itself if written, else the key it depends on (e.g.
            // `max_age_days = 10` makes the default `warn_days = 14` wrong),
            // else its section: an error from text always names a line.
            line: line_of_key(text, e.key)
                .or_else(|| e.related.and_then(|r| line_of_key(text, r)))
                .or_else(|| line_of_section(text, e.key))
                .or(Some(1)),
            key: e.key,
            message: e.message,
        })?;
        Ok(policy)
    }
}

/// `base` with every key `text` writes laid over it. `text` has parsed as a
/// policy already, so the merged tables are one too.
fn over(base: Policy, text: &str) -> Result<Policy, Error> {
    let merged = toml::Table::try_from(&base)
        .and_then(|mut table| {
            let written: toml::Table = toml::from_str(text).map_err(serde::ser::Error::custom)?;
            lay(&mut table, written);
            Ok(table)
        })
        .map_err(|e| Error::PolicySyntax {
            line: 1,
            column: 1,
            message: format!("cannot apply the profile: {e}"),
        })?;
    merged
        .try_into()
        .map_err(|e: toml::de::Error| Error::PolicySyntax {
            line: 1,
            column: 1,
            message: format!("cannot apply the profile: {}", e.message()),
        })
}

/// Lays `top` over `base`, section by section.
fn lay(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(below)), toml::Value::Table(above)) => lay(below, above),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn syntax_error(text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e
        .span()
        .map(|span| line_and_column(text, span.start))
        .unwrap_or((1, 1));
    let key = text
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.split_once('='))
        .map(|(key, _)| key.trim());
    Error::PolicySyntax {
        line,
        column,
        message: in_plain_words(e.message().trim_end(), key),
    }
}

/// serde's words for a wrong value (`invalid type: string "three",
/// expected u8`) in an administrator's, naming the key: `min_classes must
/// be a whole number, not the text "three"`. Other messages unchanged but
/// for "field", which a policy file calls a key.
fn in_plain_words(message: &str, key: Option<&str>) -> String {
    let wrong = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    let Some((found, expected)) = wrong.and_then(|m| m.split_once(", expected ")) else {
        return message.replace("unknown field", "unknown key");
    };
    let expected = match expected {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" | "u64" | "usize" => "a whole number, 0 or more",
        "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a string" => "text in double quotes",
        "a sequence" => "a list in brackets, [ ... ]",
        other => other,
    };
    let found = if let Some(text) = found.strip_prefix("string ") {
        format!("the text {text}")
    } else if let Some(n) = found.strip_prefix("integer ") {
        n.trim_matches('`').to_owned()
    } else if let Some(b) = found.strip_prefix("boolean ") {
        b.trim_matches('`').to_owned()
    } else if found == "sequence" {
        "a list".to_owned()
    } else {
        found.to_owned()
    };
    match key {
        Some(key) => format!("{key} must be {expected}, not {found}"),
        None => format!("expected {expected}, not {found}"),
    }
}

/// Where `section.key` is written in `text`, if it is.
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    type Section = HashMap<String, Spanned<toml::Value>>;
    let (section, key) = dotted.split_once('.')?;
    let text = &sections_only(text);
    let sections: HashMap<String, Section> = toml::from_str(text).ok()?;
    let span = sections.get(section)?.get(key)?.span();
    Some(line_and_column(text, span.start).0)
}

/// `text` with its top-level keys that are not sections (`profile`,
/// `multi_factor`) blanked, lines kept, so it reads as tables only.
fn sections_only(text: &str) -> String {
    text.lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or_default().trim();
            if line.contains('=') && matches!(key, "profile" | "multi_factor") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the section of `section.key` starts in `text`, if it is written.
fn line_of_section(text: &str, dotted: &str) -> Option<usize> {
    let (section, _) = dotted.split_once('.')?;
    let sections: HashMap<String, Spanned<toml::Value>> = toml::from_str(text).ok()?;
    let span = sections.get(section)?.span();
    Some(line_and_column(text, span.start).0)
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_values_are_told_in_an_administrators_words() {
        for (toml, says) in [
            (
                "[quality]\nmin_classes = \"three\"\n",
                "min_classes must be a whole number from 0 to 255, not the text \"three\"",
            ),
            (
                "[quality]\nmin_length = -1\n",
                "min_length must be a whole number, 0 or more, not -1",
            ),
            (
                "[pam]\naudit = \"yes\"\n",
                "audit must be true or false, not the text \"yes\"",
            ),
            ("[quality]\nminlen = 8\n", "unknown key `minlen`"),
        ] {
            let e = Policy::from_toml(toml).unwrap_err().to_string();
            assert!(e.contains(says), "{toml:?}: {e}");
            assert!(e.contains("line 2"), "{toml:?}: {e}");
            assert!(!e.contains("expected u"), "{toml:?}: {e}");
        }
    }
    use crate::{NameCheck, Remember};

    #[test]
    fn empty_text_is_the_default_policy() {
        assert_eq!(Policy::from_toml("").unwrap(), Policy::default());
    }

    #[test]
    fn every_key_round_trips_through_toml() {
        let text = "[quality]\nmin_length = 10\nmax_length = 128\nmin_classes = 4\n\
                    other_letters_class = true\nname_check = \"strict\"\n\
                    [expiry]\nmax_age_days = 60\nwarn_days = 7\nmin_age_days = 1\n\
                    [history]\nremember = 5\nmemory_kib = 4096\niterations = 3\nparallelism = 2\n\
                    [store]\ndb = \"postgres://pwpolicy@db.example/pwpolicy\"\n\
                    [pam]\nretry = 5\nenforce_for_root = true\naudit = true\n\
                    on_error = \"ignore\"\nunknown_user = \"expire\"\n\
                    [filter]\ncheck_resets = false\naudit = true\n";
        let p = Policy::from_toml(text).unwrap();
        assert_eq!(p.quality.min_length, 10);
        assert_eq!(p.quality.name_check, NameCheck::Strict);
        assert_eq!(p.history.remember, Remember::Last(5));
        assert_eq!(
            p.store.db.as_deref(),
            Some("postgres://pwpolicy@db.example/pwpolicy")
        );
        assert_eq!(Policy::from_toml(&p.to_toml()).unwrap(), p);
        assert_eq!(
            Policy::from_toml(&Policy::default().to_toml()).unwrap(),
            Policy::default()
        );
    }

    #[test]
    fn reminder_settings_that_cannot_work_are_refused_at_their_line() {
        for (text, key, line) in [
            ("[notify]\ndays = []\n", "notify.days", 2),
            (
                "[notify]\nsmtp = \"smtp://m\"\ndays = [14, 0]\n",
                "notify.days",
                3,
            ),
            (
                "[notify]\nplatforms = [\"linux\", \"mac\"]\n",
                "notify.platforms",
                2,
            ),
            ("[notify]\nplatforms = [\"web\"]\n", "notify.platforms", 2),
            ("[notify]\nto = \"admin@example.org\"\n", "notify.to", 2),
            ("[notify]\nmax_per_run = 0\n", "notify.max_per_run", 2),
            (
                "[notify]\ntimeout_seconds = 0\n",
                "notify.timeout_seconds",
                2,
            ),
        ] {
            let err = Policy::from_toml(text).unwrap_err();
            assert!(
                matches!(&err, Error::PolicyInvalid { key: k, line: Some(l), .. } if *k == key && *l == line),
                "{text}: {err:?}"
            );
        }
        let ok = Policy::from_toml(
            "[notify]\ndays = [30, 7]\nto = \"{user}@example.org\"\n\
             platforms = [\"windows\", \"web\"]\nurl = \"https://pw.example.org\"\n",
        )
        .unwrap();
        assert_eq!(ok.notify.days, [30, 7]);
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = Policy::from_toml("# comment\n[quality]\nminlen = 8\n").unwrap_err();
        let shown = err.to_string();
        assert!(
            matches!(err, Error::PolicySyntax { line: 3, .. }),
            "{shown}"
        );
        assert!(shown.contains("minlen"), "{shown}");
    }

    #[test]
    fn wrong_type_names_line() {
        let err = Policy::from_toml("[expiry]\n\nmax_age_days = \"ninety\"\n").unwrap_err();
        assert!(matches!(err, Error::PolicySyntax { line: 3, .. }), "{err}");
    }

    #[test]
    fn unknown_section_is_refused() {
        let err = Policy::from_toml("[qualty]\nmin_length = 8\n").unwrap_err();
        assert!(matches!(err, Error::PolicySyntax { line: 1, .. }), "{err}");
        assert!(err.to_string().contains("qualty"), "{err}");
    }

    #[test]
    fn invalid_value_names_line_and_key() {
        let err = Policy::from_toml("[quality]\nmin_length = 8\n\nmin_classes = 5\n").unwrap_err();
        assert!(
            matches!(
                err,
                Error::PolicyInvalid {
                    line: Some(4),
                    key: "quality.min_classes",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("policy file line 4: `quality.min_classes`"),
            "{err}"
        );
    }

    #[test]
    fn an_invalid_default_points_at_the_key_that_made_it_so() {
        // Found by fuzzing: the refused key is not in the text at all.
        let err = Policy::from_toml("\n[expiry]\nmax_age_days = 10\n").unwrap_err();
        assert!(
            matches!(
                err,
                Error::PolicyInvalid {
                    line: Some(3),
                    key: "expiry.warn_days",
                    ..
                }
            ),
            "{err}"
        );
        let err = Policy::from_toml("quality.min_length = 1\n").unwrap_err();
        assert!(
            matches!(
                err,
                Error::PolicyInvalid {
                    line: Some(1),
                    key: "quality.min_classes",
                    ..
                }
            ),
            "{err}"
        );
        let err = Policy::from_toml("[history]\nparallelism = 16\nmemory_kib = 64\n").unwrap_err();
        assert!(
            matches!(
                err,
                Error::PolicyInvalid {
                    line: Some(3),
                    key: "history.memory_kib",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("policy file line 3"), "{err}");
    }

    #[test]
    fn remember_accepts_all_or_a_count_only() {
        assert_eq!(
            Policy::from_toml("[history]\nremember = \"all\"")
                .unwrap()
                .history
                .remember,
            Remember::All
        );
        assert_eq!(
            Policy::from_toml("[history]\nremember = 0")
                .unwrap()
                .history
                .remember,
            Remember::Last(0)
        );
        for bad in ["\"some\"", "-1", "1.5"] {
            let err = Policy::from_toml(&format!("[history]\nremember = {bad}")).unwrap_err();
            assert!(
                matches!(err, Error::PolicySyntax { line: 2, .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_profile_starts_the_policy_and_written_keys_override_it() {
        use crate::standards::Profile;
        let p = Policy::from_toml("profile = \"nist-800-63b-4\"\n").unwrap();
        assert_eq!(p.profile, Some(Profile::Nist80063b4));
        assert_eq!(
            (
                p.quality.min_length,
                p.quality.min_classes,
                p.expiry.max_age_days
            ),
            (15, 0, 0)
        );
        let p = Policy::from_toml("profile = \"nist-800-63b-4\"\nmulti_factor = true\n").unwrap();
        assert_eq!(p.quality.min_length, 8);
        let p = Policy::from_toml(
            "profile = \"pci-dss-4\"\n[quality]\nmin_length = 14\n[history]\nremember = \"all\"\n",
        )
        .unwrap();
        assert_eq!(
            (
                p.quality.min_length,
                p.quality.letters_and_digits,
                p.history.remember
            ),
            (14, true, Remember::All)
        );
        assert_eq!(p.expiry.max_age_days, 90, "untouched keys keep the default");
        assert_eq!(Policy::from_toml(&p.to_toml()).unwrap(), p);

        let err = Policy::from_toml("profile = \"nist\"\n").unwrap_err();
        assert!(matches!(err, Error::PolicySyntax { line: 1, .. }), "{err}");
        assert!(err.to_string().contains("nist-800-63b-4"), "{err}");
        // A profile's value the file makes impossible still points at the file.
        let err = Policy::from_toml("profile = \"nist-800-63b-4\"\n[quality]\nmax_length = 12\n")
            .unwrap_err();
        assert!(
            matches!(err, Error::PolicyInvalid { line: Some(3), .. }),
            "{err}"
        );
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_and_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_and_column("", 5), (1, 1));
    }
}

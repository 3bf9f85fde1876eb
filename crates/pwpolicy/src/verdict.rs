//! What a check found: a list of violations with stable codes.

use std::fmt;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use time::{Date, OffsetDateTime};

/// One of the character classes of the "3 of 4" rule (see [`crate::rules::classes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// Letters with case that are uppercase: `A`–`Z`, `É`, `Ж`, `Σ`.
    Uppercase,
    /// Letters with case that are lowercase: `a`–`z`, `é`, `ж`, `ß`.
    Lowercase,
    /// Decimal digits of any script: `0`–`9`, `٣`, `७`.
    Digit,
    /// Anything that is not a letter, digit or combining mark: punctuation,
    /// symbols, currency signs, spaces, emoji.
    NonAlphanumeric,
    /// Letters without case (`中`, `ש`, `ع`): a class only when the policy's
    /// `other_letters_class` is on.
    OtherLetter,
}

impl CharClass {
    /// All classes, in the order messages list them.
    pub const ALL: [CharClass; 5] = [
        CharClass::Uppercase,
        CharClass::Lowercase,
        CharClass::Digit,
        CharClass::NonAlphanumeric,
        CharClass::OtherLetter,
    ];

    /// How a user would name the class in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            CharClass::Uppercase => "uppercase letters",
            CharClass::Lowercase => "lowercase letters",
            CharClass::Digit => "digits",
            CharClass::NonAlphanumeric => "symbols",
            CharClass::OtherLetter => "letters without case",
        }
    }
}

/// One reason a password is refused. The [`Violation::code`] strings are a
/// stable contract shared by the CLI, the PAM module and the Windows filter.
///
/// No variant holds any part of the password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// Fewer code points than the policy's minimum.
    TooShort {
        /// The policy's minimum.
        min: u32,
        /// Code points the password has.
        actual: usize,
    },
    /// More code points than the policy's maximum.
    TooLong {
        /// The policy's maximum.
        max: u32,
        /// Code points the password has, or `None` when the input was cut off
        /// unread because it was far too long.
        actual: Option<usize>,
    },
    /// Too few character classes.
    TooFewClasses {
        /// Classes the policy requires.
        required: u8,
        /// Classes the password uses.
        actual: u8,
        /// Classes that would count and are absent.
        missing: Vec<CharClass>,
    },
    /// No letter, or no digit, where the policy wants both
    /// (`letters_and_digits`); its code is `too_few_classes`.
    NoLetterOrDigit {
        /// A letter is missing.
        letter: bool,
        /// A digit is missing.
        digit: bool,
    },
    /// The account name appears in the password (ignoring case).
    ContainsAccountName,
    /// A part of the user's full name appears in the password (ignoring case).
    ContainsNamePart,
    /// The password is in the user's history.
    Reused {
        /// It is the current password (the newest remembered), not only an
        /// earlier one: the user is told so, in those words.
        current: bool,
    },
    /// The password's stem is that of a remembered password (see
    /// [`crate::Stem`]), or of the old password the caller supplied.
    SimilarToHistory,
    /// The password is in the breached-password list the policy names.
    Breached,
    /// zxcvbn scores the password below the policy's `min_score`.
    TooGuessable {
        /// zxcvbn's score, 0 to 4.
        score: u8,
        /// The policy's minimum.
        min_score: u8,
        /// What zxcvbn found wrong, as a clause (`this is a top-10 common
        /// password`), when it says.
        warning: Option<String>,
        /// zxcvbn's advice, as clauses.
        suggestions: Vec<String>,
    },
    /// One character appears more than `max` times in a row
    /// (`[quality] max_repeat`).
    TooManyRepeats {
        /// The policy's maximum.
        max: u32,
    },
    /// More than `max` characters in a row step by one up or down
    /// (`[quality] max_sequence`).
    ContainsSequence {
        /// The policy's maximum.
        max: u32,
    },
    /// A word the policy bans appears in the password (case, look-alike
    /// characters and separators undone; see [`crate::rules::banned`]).
    ContainsBannedWord,
    /// The current password is younger than the policy's minimum age.
    TooRecent {
        /// The policy's minimum age in days.
        min_age_days: u32,
        /// When a change is allowed again.
        allowed_from: OffsetDateTime,
    },
}

impl Violation {
    /// The stable code: `too_short`, `too_long`, `too_few_classes`,
    /// `contains_account_name`, `contains_name_part`, `reused`, `too_recent`,
    /// `breached`, `too_guessable`, `contains_banned_word`, `similar_to_history`,
    /// `too_many_repeats`, `contains_sequence`.
    pub fn code(&self) -> &'static str {
        match self {
            Violation::TooShort { .. } => "too_short",
            Violation::TooLong { .. } => "too_long",
            Violation::TooFewClasses { .. } | Violation::NoLetterOrDigit { .. } => {
                "too_few_classes"
            }
            Violation::ContainsAccountName => "contains_account_name",
            Violation::ContainsNamePart => "contains_name_part",
            Violation::Reused { .. } => "reused",
            Violation::SimilarToHistory => "similar_to_history",
            Violation::TooRecent { .. } => "too_recent",
            Violation::Breached => "breached",
            Violation::TooGuessable { .. } => "too_guessable",
            Violation::ContainsBannedWord => "contains_banned_word",
            Violation::TooManyRepeats { .. } => "too_many_repeats",
            Violation::ContainsSequence { .. } => "contains_sequence",
        }
    }

    /// A short message that says what is wrong and what to do, e.g.
    /// `too short: use at least 8 characters (it has 6)`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::TooShort { min, actual } => {
                write!(
                    f,
                    "too short: use at least {min} characters (it has {actual})"
                )
            }
            Violation::TooLong {
                max,
                actual: Some(actual),
            } => {
                write!(
                    f,
                    "too long: use at most {max} characters (it has {actual})"
                )
            }
            Violation::TooLong { max, actual: None } => {
                write!(f, "far too long: use at most {max} characters")
            }
            Violation::TooFewClasses {
                required,
                actual,
                missing,
            } => {
                write!(
                    f,
                    "too few kinds of character: use at least {required} of uppercase letters, \
                     lowercase letters, digits and symbols (it has {actual}); add "
                )?;
                write_alternatives(f, missing)
            }
            Violation::NoLetterOrDigit { letter, digit } => f.write_str(match (letter, digit) {
                (true, true) => "needs both letters and digits: add a letter and a digit",
                (true, false) => "needs both letters and digits: add a letter",
                _ => "needs both letters and digits: add a digit",
            }),
            Violation::ContainsAccountName => {
                f.write_str("contains the account name: leave it out")
            }
            Violation::ContainsNamePart => f.write_str(
                "contains part of the user's full name: leave out every part of the name \
                 longer than two characters",
            ),
            Violation::Reused { current: true } => {
                f.write_str("is your current password: choose a new one")
            }
            Violation::Reused { current: false } => {
                f.write_str("was used before: choose a password that has not been used")
            }
            Violation::SimilarToHistory => f.write_str(
                "too like an earlier password (the same letters with other digits, symbols or \
                 case): choose a new one, not a variation",
            ),
            Violation::Breached => {
                f.write_str("appears in a list of breached passwords: choose another")
            }
            Violation::TooGuessable {
                score,
                min_score,
                warning,
                suggestions,
            } => {
                write!(
                    f,
                    "too easy to guess (strength {score} of 4, needs {min_score})"
                )?;
                // The warning and the first two pieces of advice: enough to
                // act on, short enough for a PAM prompt.
                let advice = warning.iter().chain(suggestions.iter().take(2));
                for (i, clause) in advice.enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    f.write_str(clause)?;
                }
                Ok(())
            }
            Violation::TooManyRepeats { max } => write!(
                f,
                "has one character more than {max} times in a row: break up the run"
            ),
            Violation::ContainsSequence { max } => write!(
                f,
                "has a run of more than {max} characters in order (like abcd or 4321): \
                 break it up"
            ),
            Violation::ContainsBannedWord => f.write_str(
                "contains a word banned here (such as the organisation's own names, also \
                 with look-alike characters like @ for a): leave it out",
            ),
            Violation::TooRecent {
                min_age_days,
                allowed_from,
            } => write!(
                f,
                "changed too recently: passwords must be kept {min_age_days} days; \
                 try again from {}",
                format_date(allowed_from.date())
            ),
        }
    }
}

fn write_alternatives(f: &mut fmt::Formatter<'_>, classes: &[CharClass]) -> fmt::Result {
    for (i, class) in classes.iter().enumerate() {
        if i > 0 {
            f.write_str(if i + 1 == classes.len() { " or " } else { ", " })?;
        }
        f.write_str(class.describe())?;
    }
    Ok(())
}

/// `YYYY-MM-DD`, the only date format pwpolicy prints.
///
/// Written digit by digit: a million-row report formats two dates a row,
/// and the formatting machinery was a sixth of its time.
pub fn format_date(date: Date) -> String {
    let mut out = String::with_capacity(10);
    let year = date.year();
    if (0..=9999).contains(&year) {
        push_digits(&mut out, year.unsigned_abs(), 4);
    } else {
        // Outside what four digits hold (the `time` crate allows ±9999 and
        // more with a feature): the general path, sign and all.
        out = format!("{year:04}");
    }
    out.push('-');
    push_digits(&mut out, u32::from(u8::from(date.month())), 2);
    out.push('-');
    push_digits(&mut out, u32::from(date.day()), 2);
    out
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

impl Serialize for Violation {
    /// `{"code": .., "message": .., <parameters>}`, parameters flattened.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.message())?;
        match self {
            Violation::TooShort { min, actual } => {
                map.serialize_entry("min", min)?;
                map.serialize_entry("actual", actual)?;
            }
            Violation::TooLong { max, actual } => {
                map.serialize_entry("max", max)?;
                map.serialize_entry("actual", actual)?;
            }
            Violation::TooFewClasses {
                required,
                actual,
                missing,
            } => {
                map.serialize_entry("required", required)?;
                map.serialize_entry("actual", actual)?;
                map.serialize_entry("missing", missing)?;
            }
            Violation::NoLetterOrDigit { letter, digit } => {
                let missing: Vec<&str> = [(*letter, "letter"), (*digit, "digit")]
                    .into_iter()
                    .filter_map(|(gone, name)| gone.then_some(name))
                    .collect();
                map.serialize_entry("missing", &missing)?;
            }
            Violation::TooRecent {
                min_age_days,
                allowed_from,
            } => {
                map.serialize_entry("min_age_days", min_age_days)?;
                map.serialize_entry("allowed_from", &format_date(allowed_from.date()))?;
            }
            Violation::TooGuessable {
                score,
                min_score,
                warning,
                suggestions,
            } => {
                map.serialize_entry("score", score)?;
                map.serialize_entry("min_score", min_score)?;
                map.serialize_entry("warning", warning)?;
                map.serialize_entry("suggestions", suggestions)?;
            }
            Violation::Reused { current } => {
                map.serialize_entry("current", current)?;
            }
            Violation::TooManyRepeats { max } | Violation::ContainsSequence { max } => {
                map.serialize_entry("max", max)?;
            }
            Violation::ContainsAccountName
            | Violation::ContainsNamePart
            | Violation::SimilarToHistory
            | Violation::Breached
            | Violation::ContainsBannedWord => {}
        }
        map.end()
    }
}

/// A violation as its JSON says it: the code and every parameter any code
/// has (the message is made again from them, so it is never trusted).
#[derive(Deserialize)]
struct Said {
    code: String,
    #[serde(default)]
    min: Option<u32>,
    #[serde(default)]
    max: Option<u32>,
    #[serde(default)]
    actual: Option<u64>,
    #[serde(default)]
    required: Option<u8>,
    #[serde(default)]
    missing: Option<Vec<String>>,
    #[serde(default)]
    min_age_days: Option<u32>,
    #[serde(default)]
    allowed_from: Option<String>,
    #[serde(default)]
    score: Option<u8>,
    #[serde(default)]
    min_score: Option<u8>,
    #[serde(default)]
    warning: Option<String>,
    #[serde(default)]
    suggestions: Vec<String>,
    #[serde(default)]
    current: bool,
}

impl<'de> Deserialize<'de> for Violation {
    /// The JSON [`Violation`]'s `Serialize` writes, read back (pwpolicyd's
    /// answers): the same violation, its message made again.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Violation, D::Error> {
        use serde::de::Error as _;
        let said = Said::deserialize(d)?;
        let need =
            |what: Option<u64>, key: &'static str| what.ok_or_else(|| D::Error::missing_field(key));
        let count =
            |n: u64| usize::try_from(n).map_err(|_| D::Error::custom("a count out of range"));
        Ok(match said.code.as_str() {
            "too_short" => Violation::TooShort {
                min: said.min.ok_or_else(|| D::Error::missing_field("min"))?,
                actual: count(need(said.actual, "actual")?)?,
            },
            "too_long" => Violation::TooLong {
                max: said.max.ok_or_else(|| D::Error::missing_field("max"))?,
                actual: said.actual.map(count).transpose()?,
            },
            "too_few_classes" => {
                let missing = said.missing.unwrap_or_default();
                match said.required {
                    Some(required) => Violation::TooFewClasses {
                        required,
                        actual: u8::try_from(need(said.actual, "actual")?)
                            .map_err(|_| D::Error::custom("a class count out of range"))?,
                        missing: missing
                            .iter()
                            .map(|m| {
                                CharClass::deserialize(
                                    serde::de::value::StrDeserializer::<D::Error>::new(m),
                                )
                            })
                            .collect::<Result<_, _>>()?,
                    },
                    None => Violation::NoLetterOrDigit {
                        letter: missing.iter().any(|m| m == "letter"),
                        digit: missing.iter().any(|m| m == "digit"),
                    },
                }
            }
            "contains_account_name" => Violation::ContainsAccountName,
            "contains_name_part" => Violation::ContainsNamePart,
            "reused" => Violation::Reused {
                current: said.current,
            },
            "similar_to_history" => Violation::SimilarToHistory,
            "breached" => Violation::Breached,
            "contains_banned_word" => Violation::ContainsBannedWord,
            "too_many_repeats" => Violation::TooManyRepeats {
                max: said.max.ok_or_else(|| D::Error::missing_field("max"))?,
            },
            "contains_sequence" => Violation::ContainsSequence {
                max: said.max.ok_or_else(|| D::Error::missing_field("max"))?,
            },
            "too_guessable" => Violation::TooGuessable {
                score: said.score.ok_or_else(|| D::Error::missing_field("score"))?,
                min_score: said
                    .min_score
                    .ok_or_else(|| D::Error::missing_field("min_score"))?,
                warning: said.warning,
                suggestions: said.suggestions,
            },
            "too_recent" => {
                let day = said
                    .allowed_from
                    .ok_or_else(|| D::Error::missing_field("allowed_from"))?;
                let date = Date::parse(
                    &day,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| D::Error::custom("allowed_from is not YYYY-MM-DD"))?;
                Violation::TooRecent {
                    min_age_days: said
                        .min_age_days
                        .ok_or_else(|| D::Error::missing_field("min_age_days"))?,
                    allowed_from: date.midnight().assume_utc(),
                }
            }
            other => {
                return Err(D::Error::unknown_variant(
                    other,
                    &[
                        "too_short",
                        "too_long",
                        "too_few_classes",
                        "contains_account_name",
                        "contains_name_part",
                        "reused",
                        "too_recent",
                        "breached",
                        "too_guessable",
                        "contains_banned_word",
                        "similar_to_history",
                        "too_many_repeats",
                        "contains_sequence",
                    ],
                ));
            }
        })
    }
}

/// The outcome of a check: accepted when there is no violation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    violations: Vec<Violation>,
}

impl Verdict {
    /// A verdict with no violations yet.
    pub fn new() -> Self {
        Verdict::default()
    }

    /// Whether the password passed every rule checked.
    pub fn is_accepted(&self) -> bool {
        self.violations.is_empty()
    }

    /// Every violation found, in rule order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether a violation with this code was found.
    pub fn has(&self, code: &str) -> bool {
        self.violations.iter().any(|v| v.code() == code)
    }

    /// Adds a violation found by a check outside the text rules (history, age).
    pub fn push(&mut self, violation: Violation) {
        self.violations.push(violation);
    }
}

impl Serialize for Verdict {
    /// `{"accepted": bool, "violations": [..]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("accepted", &self.is_accepted())?;
        map.serialize_entry("violations", &self.violations)?;
        map.end()
    }
}

impl IntoIterator for Verdict {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.violations.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_print_as_the_formatter_would() {
        let mut date = Date::from_calendar_date(-3, time::Month::December, 25).unwrap();
        let end = Date::from_calendar_date(2200, time::Month::January, 1).unwrap();
        while date < end {
            let expected = format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            );
            assert_eq!(format_date(date), expected);
            date += time::Duration::days(13);
        }
    }

    #[test]
    fn every_violation_reads_back_from_its_json() {
        let all = [
            Violation::TooShort { min: 8, actual: 5 },
            Violation::TooLong {
                max: 64,
                actual: Some(70),
            },
            Violation::TooLong {
                max: 64,
                actual: None,
            },
            Violation::TooFewClasses {
                required: 3,
                actual: 2,
                missing: vec![CharClass::Digit, CharClass::NonAlphanumeric],
            },
            Violation::NoLetterOrDigit {
                letter: false,
                digit: true,
            },
            Violation::ContainsAccountName,
            Violation::ContainsNamePart,
            Violation::Reused { current: false },
            Violation::Reused { current: true },
            Violation::TooManyRepeats { max: 3 },
            Violation::ContainsSequence { max: 4 },
            Violation::SimilarToHistory,
            Violation::Breached,
            Violation::TooGuessable {
                score: 1,
                min_score: 3,
                warning: Some("this is a top-100 common password".into()),
                suggestions: vec!["Add another word or two.".into()],
            },
            Violation::ContainsBannedWord,
            Violation::TooRecent {
                min_age_days: 1,
                allowed_from: datetime!(2026-12-08 00:00 UTC),
            },
        ];
        for v in all {
            let json = serde_json::to_string(&v).unwrap();
            let back: Violation = serde_json::from_str(&json).unwrap();
            assert_eq!(back, v, "{json}");
        }
        let err = serde_json::from_str::<Violation>(r#"{"code": "too_weird"}"#).unwrap_err();
        assert!(err.to_string().contains("too_weird"), "{err}");
        assert!(serde_json::from_str::<Violation>(r#"{"code": "too_short"}"#).is_err());
    }
}

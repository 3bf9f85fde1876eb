//! The typed answers every backend gives, the same whether they come from
//! the store, from pwpolicyd (which sends exactly these over the wire) or
//! from a directory: the core's violations, and where a password stands.

use pwpolicy::{Coverage, Prehashed, Reminder, Standing, Violation, format_date};
use serde::{Deserialize, Serialize};

pub use pwpolicy::State;

/// What shadow says of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShadowView {
    /// `YYYY-MM-DD`, `must_change` (`sp_lstchg = 0`), or `None` (ageing off).
    pub last_changed: Option<String>,
    /// The password is locked (`!`/`*`).
    pub locked: bool,
}

/// One account's standing, as `pwpolicy status --json` prints it and as
/// each row of `list` and `report` is (a report's rows without `shadow`,
/// `shadow_agrees` and `note`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// The account.
    pub user: String,
    /// Its uid, when the host (of the store, or of the service) has it.
    #[serde(default)]
    pub uid: Option<u32>,
    /// Its full name (GECOS, or a directory's `displayName`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// The state.
    pub state: State,
    /// Last change, `YYYY-MM-DD`.
    pub last_changed: Option<String>,
    /// Expiry, `YYYY-MM-DD`; `None` when it never expires or is unknown.
    pub expires: Option<String>,
    /// UTC calendar days to the expiry date.
    pub days_left: Option<i64>,
    /// A change is forced.
    pub must_change: bool,
    /// Remembered passwords.
    pub history_entries: u64,
    /// The maximum age that applies to the user (their class's; 0: never).
    pub max_age_days: u32,
    /// The warning window that applies to the user.
    pub warn_days: u32,
    /// `person`, `system` or a class of the policy file.
    pub class: String,
    /// The class is exempt from the policy.
    pub exempt: bool,
    /// What the local shadow file says, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<ShadowView>,
    /// Whether shadow's last change agrees with the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow_agrees: Option<bool>,
    /// What an administrator should know (a disagreement and its fix, or
    /// why expiry does not apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The administrator's command that resolves what the note says (such
    /// as adopting shadow's date), apart from the note so that a caller who
    /// cannot run it is not told to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// What the directory says of a directory user (`--directory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryView>,
    /// The reminder due now, unless it was sent already (`pwpolicy notify`
    /// sends it once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<Reminder>,
}

/// Declares [`StatusRow`] and its conversions from one list of
/// [`Status`]'s fields, in order: the tuple's types, and the moves both
/// ways, cannot disagree with each other.
macro_rules! status_row {
    ($($field:ident: $ty:ty),+ $(,)?) => {
        /// A [`Status`] as a JSON array of its fields in declared order:
        /// how the rows of a big `report` or `list` cross pwpolicyd's
        /// socket when the client asks for them `compact`. The field names
        /// are most of a row's bytes and of the time spent reading it (a
        /// million rows is 130 MB with names). Converted both ways by
        /// moving each field; a field added to [`Status`] fails to compile
        /// here until the row carries it too.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct StatusRow($($ty),+);

        impl From<Status> for StatusRow {
            fn from(status: Status) -> StatusRow {
                let Status { $($field),+ } = status;
                StatusRow($($field),+)
            }
        }

        impl From<StatusRow> for Status {
            fn from(row: StatusRow) -> Status {
                let StatusRow($($field),+) = row;
                Status { $($field),+ }
            }
        }
    };
}

status_row!(
    user: String,
    uid: Option<u32>,
    full_name: Option<String>,
    state: State,
    last_changed: Option<String>,
    expires: Option<String>,
    days_left: Option<i64>,
    must_change: bool,
    history_entries: u64,
    max_age_days: u32,
    warn_days: u32,
    class: String,
    exempt: bool,
    shadow: Option<ShadowView>,
    shadow_agrees: Option<bool>,
    note: Option<String>,
    remedy: Option<String>,
    directory: Option<DirectoryView>,
    reminder: Option<Reminder>,
);

impl Status {
    /// The status of `user`, covered by `coverage`, standing at `standing`,
    /// with `history_entries` remembered passwords: the one way every verb
    /// and backend builds it.
    pub fn of(
        user: &str,
        coverage: &Coverage<'_>,
        standing: &Standing,
        history_entries: usize,
    ) -> Status {
        let expiry = coverage.expiry();
        Status {
            history_entries: u64::try_from(history_entries).unwrap_or(u64::MAX),
            max_age_days: expiry.max_age_days,
            warn_days: expiry.warn_days,
            exempt: coverage.exempt,
            ..Status::in_class(user, standing, coverage.class.as_str())
        }
    }

    /// The status of `user` at `standing`, with nothing known of a class
    /// (a person, no maximum age, no history): for the caller to fill in.
    pub fn standing(user: &str, standing: &Standing) -> Status {
        Status::in_class(user, standing, "person")
    }

    /// [`Status::standing`] in a named class (one allocation for the name,
    /// not two: a report builds a million of these).
    fn in_class(user: &str, standing: &Standing, class: &str) -> Status {
        Status {
            user: user.to_owned(),
            uid: None,
            full_name: None,
            state: standing.state,
            last_changed: standing.last_change.map(|t| format_date(t.date())),
            expires: standing.expires.map(|t| format_date(t.date())),
            days_left: standing.days_left,
            must_change: standing.must_change,
            history_entries: 0,
            max_age_days: 0,
            warn_days: 0,
            class: class.to_owned(),
            exempt: false,
            shadow: None,
            shadow_agrees: None,
            note: None,
            remedy: None,
            directory: None,
            reminder: None,
        }
    }

    /// The status as a report row: without what only `status` and `list`
    /// show (shadow's view and the note).
    pub fn into_row(self) -> Status {
        Status {
            shadow: None,
            shadow_agrees: None,
            note: None,
            remedy: None,
            ..self
        }
    }
}

/// What a directory (Active Directory) says of one of its users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryView {
    /// The account's DN.
    pub dn: String,
    /// The account is disabled.
    pub disabled: bool,
    /// Its password never expires: DONT_EXPIRE_PASSWORD, a smart card
    /// required, or settings whose maximum age is never.
    pub never_expires: bool,
    /// Whose settings govern it: `domain`, or a PSO's name.
    pub settings: String,
    /// Its `mail` attribute, where reminders go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    /// When it was created (`whenCreated`), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The verdict on a candidate password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckAnswer {
    /// No violation.
    pub accepted: bool,
    /// Every reason to refuse it, as the core found them.
    pub violations: Vec<Violation>,
    /// The history (reuse, minimum age) was consulted.
    pub history_checked: bool,
    /// The candidate's history entries, when the request asked to
    /// [`prepare`](crate::CheckRequest::prepare) and the user has a history
    /// to hash against: for the commit that follows. Absent from the JSON
    /// otherwise, so older clients never see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prehashed: Option<Prehashed>,
}

impl CheckAnswer {
    /// The answer for these violations.
    pub fn of(violations: Vec<Violation>, history_checked: bool) -> CheckAnswer {
        CheckAnswer {
            accepted: violations.is_empty(),
            violations,
            history_checked,
            prehashed: None,
        }
    }

    /// Whether the history answered: the candidate, or its stem, was used
    /// before.
    pub fn tells_of_history(&self) -> bool {
        self.violations
            .iter()
            .any(|v| matches!(v, Violation::Reused { .. } | Violation::SimilarToHistory))
    }
}

/// The outcome of recording a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitAnswer {
    /// Recorded (history, last change, must-change cleared).
    pub changed: bool,
    /// Why not, when not (`reused`, `too_recent`).
    pub violations: Vec<Violation>,
}

/// What `pwpolicy change` learns: the verdict (every reason, when refused)
/// and whether the change was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeAnswer {
    /// The verdict on the candidate.
    pub verdict: CheckAnswer,
    /// Recorded (history, last change, must-change cleared).
    pub changed: bool,
}

impl ChangeAnswer {
    /// The answer after a record was attempted: changed, or refused by the
    /// history or the minimum age for `commit.violations`.
    pub fn recorded(commit: CommitAnswer) -> ChangeAnswer {
        ChangeAnswer {
            changed: commit.changed,
            verdict: CheckAnswer::of(commit.violations, true),
        }
    }
}

/// The outcome of a change through PAM (`pam_change`), in the order the
/// service decides it: authentication, the policy, then PAM's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum PamChange {
    /// pam_unix wrote the new password and pam_pwpolicy recorded it.
    Changed,
    /// Authentication failed: a wrong current password, or no such
    /// account (the same answer, after the same work). Nothing written.
    WrongCredentials,
    /// The policy refuses the new password: the core's violations, as the
    /// `check` request gives them. Nothing written.
    Rejected {
        /// Every reason to refuse it.
        violations: Vec<Violation>,
    },
    /// PAM refused the change for another reason after authentication
    /// (pam_unix's own rules, an account that may not change now).
    Refused {
        /// What PAM said, made printable.
        message: String,
    },
    /// Too many failed attempts on this account lately: nothing was tried.
    TooManyAttempts {
        /// Seconds until the next attempt is taken.
        retry_after_secs: u64,
    },
    /// PAM or the store could not be used (the service's log says why).
    Unavailable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_the_cores_violations_through_json() {
        let answer = CheckAnswer::of(
            vec![
                Violation::TooShort { min: 8, actual: 5 },
                Violation::Reused { current: false },
            ],
            true,
        );
        let json = serde_json::to_string(&answer).unwrap();
        assert!(json.contains(r#""code":"too_short""#), "{json}");
        let back: CheckAnswer = serde_json::from_str(&json).unwrap();
        assert_eq!(back, answer);
        assert!(back.tells_of_history());
    }

    #[test]
    fn pam_change_outcomes_are_tagged_and_keep_the_cores_violations() {
        let rejected = PamChange::Rejected {
            violations: vec![Violation::ContainsAccountName],
        };
        let json = serde_json::to_string(&rejected).unwrap();
        assert!(json.contains(r#""outcome":"rejected""#), "{json}");
        assert!(json.contains(r#""code":"contains_account_name""#), "{json}");
        assert_eq!(serde_json::from_str::<PamChange>(&json).unwrap(), rejected);
        assert_eq!(
            serde_json::to_string(&PamChange::WrongCredentials).unwrap(),
            r#"{"outcome":"wrong_credentials"}"#
        );
    }

    /// Every field of a status, each set, crosses as an array and comes
    /// back equal: a compact report row loses nothing.
    #[test]
    fn a_status_row_is_an_array_and_comes_back_whole() {
        let status = Status {
            user: "erin".into(),
            uid: Some(1001),
            full_name: Some("Erin \"E\" Hagens".into()),
            state: State::Warning,
            last_changed: Some("2026-10-01".into()),
            expires: Some("2026-12-30".into()),
            days_left: Some(-3),
            must_change: true,
            history_entries: 7,
            max_age_days: 90,
            warn_days: 14,
            class: "staff".into(),
            exempt: true,
            shadow: Some(ShadowView {
                last_changed: Some("must_change".into()),
                locked: true,
            }),
            shadow_agrees: Some(false),
            note: Some("a note".into()),
            remedy: Some("pwpolicy set-changed".into()),
            directory: Some(DirectoryView {
                dn: "CN=Erin,DC=example".into(),
                disabled: true,
                never_expires: true,
                settings: "domain".into(),
                mail: Some("erin@example.org".into()),
                created: Some("2020-01-01".into()),
            }),
            reminder: Some(Reminder {
                reason: pwpolicy::Reason::Expiring,
                step: 7,
                cycle: 1_790_000_000,
            }),
        };
        let json = serde_json::to_string(&StatusRow::from(status.clone())).unwrap();
        assert!(
            json.starts_with(r#"["erin",1001,"Erin \"E\" Hagens","warning""#),
            "{json}"
        );
        assert!(!json.contains("history_entries"), "{json}");
        let back: StatusRow = serde_json::from_str(&json).unwrap();
        assert_eq!(Status::from(back), status);
        // The full form of the same status is more than twice the size.
        assert!(serde_json::to_string(&status).unwrap().len() > json.len() + 150);
    }

    #[test]
    fn states_have_their_stable_names() {
        for s in [
            State::Ok,
            State::Warning,
            State::Expired,
            State::MustChange,
            State::Unknown,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}

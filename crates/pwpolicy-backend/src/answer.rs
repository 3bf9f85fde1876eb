//! The typed answers every backend gives, the same whether they come from
//! the store or from pwpolicyd (which sends exactly these over the wire).

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Where a password stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Valid, outside the warning window (or never expires).
    Ok,
    /// Valid, but expires within the warning window.
    Warning,
    /// Past its expiry: must be changed at the next login.
    Expired,
    /// An administrator forced a change at the next login.
    MustChange,
    /// No record of the user.
    Unknown,
}

impl State {
    /// The stable name: `ok`, `warning`, `expired`, `must_change`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warning => "warning",
            State::Expired => "expired",
            State::MustChange => "must_change",
            State::Unknown => "unknown",
        }
    }
}

impl From<pwpolicy::ExpiryState> for State {
    fn from(s: pwpolicy::ExpiryState) -> State {
        match s {
            pwpolicy::ExpiryState::Ok => State::Ok,
            pwpolicy::ExpiryState::Warning => State::Warning,
            pwpolicy::ExpiryState::Expired => State::Expired,
            pwpolicy::ExpiryState::MustChange => State::MustChange,
        }
    }
}

/// What shadow says of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShadowView {
    /// `YYYY-MM-DD`, `must_change` (`sp_lstchg = 0`), or `None` (ageing off).
    pub last_changed: Option<String>,
    /// The password is locked (`!`/`*`).
    pub locked: bool,
}

/// One user's standing, as `pwpolicy status --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// The account.
    pub user: String,
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
    /// The maximum age that applies to the user (their class's).
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
    /// What an administrator should know (a disagreement and its fix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the directory says of a directory user (`--directory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryView>,
}

impl Status {
    /// The status a report row stands for, with `warn_days`; the rest is
    /// what little is known without a store (no history, a `person` with
    /// no maximum age), for the caller to fill in.
    pub fn from_row(row: ReportRow, warn_days: u32) -> Status {
        Status {
            user: row.user,
            state: row.state,
            last_changed: row.last_changed,
            expires: row.expires,
            days_left: row.days_left,
            must_change: row.must_change,
            history_entries: 0,
            max_age_days: 0,
            warn_days,
            class: "person".into(),
            exempt: false,
            shadow: None,
            shadow_agrees: None,
            note: None,
            directory: row.directory,
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
}

/// One row of `report`: a user who must change or whose password expires soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRow {
    /// The account.
    pub user: String,
    /// The state.
    pub state: State,
    /// Last change, `YYYY-MM-DD`.
    pub last_changed: Option<String>,
    /// Expiry, `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// UTC calendar days to the expiry date.
    pub days_left: Option<i64>,
    /// A change is forced.
    pub must_change: bool,
    /// What the directory says of a directory user (`--directory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryView>,
}

/// One reason a password is refused: its stable code, the message, and the
/// violation's parameters (`min`, `actual`, …) in the core's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable code (`too_short`, `reused`, …).
    pub code: String,
    /// The message, for people.
    pub message: String,
    /// The parameters, as the core serialises them.
    pub details: Map<String, Value>,
}

impl From<&pwpolicy::Violation> for Finding {
    fn from(v: &pwpolicy::Violation) -> Finding {
        let mut details = match serde_json::to_value(v) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        // `retain` keeps the order (`remove` may swap entries).
        details.retain(|k, _| k != "code" && k != "message");
        Finding {
            code: v.code().to_owned(),
            message: v.message(),
            details,
        }
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2 + self.details.len()))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("message", &self.message)?;
        for (k, v) in &self.details {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Finding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Finding, D::Error> {
        struct FindingVisitor;
        impl<'de> Visitor<'de> for FindingVisitor {
            type Value = Finding;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a violation: {\"code\", \"message\", ...}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Finding, A::Error> {
                let (mut code, mut message, mut details) = (None, None, Map::new());
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "code" => code = Some(map.next_value()?),
                        "message" => message = Some(map.next_value()?),
                        _ => {
                            details.insert(key, map.next_value()?);
                        }
                    }
                }
                Ok(Finding {
                    code: code.ok_or_else(|| serde::de::Error::missing_field("code"))?,
                    message: message.ok_or_else(|| serde::de::Error::missing_field("message"))?,
                    details,
                })
            }
        }
        d.deserialize_map(FindingVisitor)
    }
}

/// The verdict on a candidate password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckAnswer {
    /// No finding.
    pub accepted: bool,
    /// Every reason to refuse it.
    pub violations: Vec<Finding>,
    /// The history (reuse, minimum age) was consulted.
    pub history_checked: bool,
}

impl CheckAnswer {
    /// The answer for these findings.
    pub fn of(violations: Vec<Finding>, history_checked: bool) -> CheckAnswer {
        CheckAnswer {
            accepted: violations.is_empty(),
            violations,
            history_checked,
        }
    }
}

/// The outcome of recording a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitAnswer {
    /// Recorded (history, last change, must-change cleared).
    pub changed: bool,
    /// Why not, when not (`reused`, `too_recent`).
    pub violations: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_keep_the_cores_json_exactly() {
        let v = pwpolicy::Violation::TooShort { min: 8, actual: 5 };
        let finding = Finding::from(&v);
        assert_eq!(
            serde_json::to_string(&finding).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        let back: Finding =
            serde_json::from_str(&serde_json::to_string(&finding).unwrap()).unwrap();
        assert_eq!(back, finding);
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

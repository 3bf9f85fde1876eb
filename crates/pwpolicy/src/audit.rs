//! What `pwpolicy policy audit` reports: the points where a policy, or what
//! should enforce it (a directory's own settings), falls short. Audits of
//! different things (a domain, a published standard) give the same shape,
//! so scripts read them the same way.

use serde::Serialize;

/// A value on either side of a finding: a number of characters or days, a
/// switch, or a word such as `all` or `never`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Setting {
    /// A count (characters, days, passwords, classes).
    Number(u64),
    /// On or off.
    Flag(bool),
    /// A word (`all`, `never`).
    Text(String),
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Number(n) => write!(f, "{n}"),
            Setting::Flag(true) => f.write_str("on"),
            Setting::Flag(false) => f.write_str("off"),
            Setting::Text(t) => f.write_str(t),
        }
    }
}

/// One point of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The policy-file key at issue (`min_length`, `max_age_days`, …).
    pub key: &'static str,
    /// What the policy file says.
    pub policy: Setting,
    /// What conforming takes (the least the other side must be set to, or
    /// the standard's value).
    pub required: Setting,
    /// Where the requirement or the setting comes from (a directory object
    /// and attribute, a standard's clause).
    pub source: String,
    /// For people: what is wrong and how to put it right.
    pub message: String,
    /// What the audited side has, when it has a value (a directory's setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Setting>,
    /// The class of accounts the point is about (`[[accounts.class]]`
    /// `name`); absent for the policy itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

impl Finding {
    /// A point about `key`: the policy's value, what conforming takes,
    /// where that comes from, and what to do.
    pub fn new(
        key: &'static str,
        policy: Setting,
        required: Setting,
        source: impl Into<String>,
        message: String,
    ) -> Finding {
        Finding {
            key,
            policy,
            required,
            source: source.into(),
            message,
            actual: None,
            class: None,
        }
    }

    /// The point, about the class `name`.
    pub fn in_class(self, name: &str) -> Finding {
        Finding {
            class: Some(name.to_owned()),
            ..self
        }
    }

    /// The point with the audited side's own value.
    pub fn with_actual(self, actual: Setting) -> Finding {
        Finding {
            actual: Some(actual),
            ..self
        }
    }
}

/// The outcome of an audit: `findings` make it fail; `notes` are stricter
/// settings and other facts worth knowing that do not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Audit {
    /// Nothing was found.
    pub conforms: bool,
    /// Each point that does not conform.
    pub findings: Vec<Finding>,
    /// Points that conform but differ (stricter), or could not be checked.
    pub notes: Vec<Finding>,
}

impl Audit {
    /// The audit of these findings and notes.
    pub fn of(findings: Vec<Finding>, notes: Vec<Finding>) -> Audit {
        Audit {
            conforms: findings.is_empty(),
            findings,
            notes,
        }
    }
}

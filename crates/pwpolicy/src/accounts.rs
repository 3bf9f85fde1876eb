//! Which accounts the policy applies to, and classes of accounts with their
//! own settings.
//!
//! The policy is for people. System accounts (uid below `UID_MIN`, root
//! included) are not expired unless `include_system` says so: an expired
//! `postgres` or `root` breaks `su`, cron and key-only SSH, and nobody is
//! there to pick a new password. Classes, matched in file order (first match
//! wins), give groups, uid ranges or named users their own length and expiry,
//! or exempt them:
//!
//! ```toml
//! [accounts]
//! uid_min = 1000            # else UID_MIN of /etc/login.defs, else 1000
//!
//! [[accounts.class]]
//! name = "admins"
//! groups = ["sudo"]
//! min_length = 14
//! max_age_days = 60
//!
//! [[accounts.class]]
//! name = "mail-only"
//! groups = ["mail-users"]
//! max_age_days = 365
//! ```
//!
//! This module only decides; looking accounts up (NSS, login.defs) is the
//! edges' job.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::policy::Policy;

/// `UID_MIN` when neither the policy nor `/etc/login.defs` gives one.
pub const DEFAULT_UID_MIN: u32 = 1000;

/// The `[accounts]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AccountRules {
    /// The first uid of a person's account; below it are system accounts.
    /// Unset: `UID_MIN` of `/etc/login.defs`, else 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_min: Option<u32>,
    /// Expire system accounts (root included) like people.
    pub include_system: bool,
    /// Classes of accounts with their own settings; the first match wins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class: Vec<ClassRules>,
}

/// One `[[accounts.class]]`: which accounts it takes and what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ClassRules {
    /// The class's name, shown by `status` and `list`.
    pub name: String,
    /// Members of any of these groups (primary or supplementary).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Accounts whose uid is in this range: `"0"`, or `"1000-1999"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uids: Option<UidRange>,
    /// These accounts by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// The policy does not apply to the class at all: no checks, no history,
    /// no expiry.
    pub exempt: bool,
    /// Overrides `quality.min_length`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Overrides `quality.min_classes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_classes: Option<u8>,
    /// Overrides `expiry.max_age_days` (0: never expires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// Overrides `expiry.warn_days`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_days: Option<u32>,
    /// Overrides `expiry.min_age_days`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_age_days: Option<u32>,
}

/// An inclusive range of uids, written `"N"` or `"FIRST-LAST"` in TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UidRange {
    /// The first uid.
    pub first: u32,
    /// The last uid (inclusive).
    pub last: u32,
}

impl UidRange {
    /// Whether `uid` is in the range.
    pub fn contains(self, uid: u32) -> bool {
        (self.first..=self.last).contains(&uid)
    }

    /// Parses `"N"` or `"FIRST-LAST"`.
    pub fn parse(text: &str) -> Option<UidRange> {
        let (first, last) = text.split_once('-').unwrap_or((text, text));
        let first = first.trim().parse().ok()?;
        let last = last.trim().parse().ok()?;
        (first <= last).then_some(UidRange { first, last })
    }
}

impl Serialize for UidRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.first == self.last {
            s.serialize_str(&self.first.to_string())
        } else {
            s.serialize_str(&format!("{}-{}", self.first, self.last))
        }
    }
}

impl<'de> Deserialize<'de> for UidRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        UidRange::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"a uid (\"0\") or an inclusive range (\"1000-1999\")",
            )
        })
    }
}

/// What the edges know about an account.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    /// The account name.
    pub name: &'a str,
    /// Its uid, when the account database knows it (`None`: a directory or
    /// store user this host cannot resolve, treated as a person).
    pub uid: Option<u32>,
    /// Its groups, primary and supplementary, by name.
    pub groups: &'a [String],
}

/// Which class an account falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountClass<'p> {
    /// A person under the policy itself.
    Person,
    /// A system account (uid below `UID_MIN`) the expiry leaves alone.
    System,
    /// A class of the policy file, by name.
    Named(&'p str),
}

impl AccountClass<'_> {
    /// `person`, `system` or the class's name.
    pub fn as_str(&self) -> &str {
        match self {
            AccountClass::Person => "person",
            AccountClass::System => "system",
            AccountClass::Named(name) => name,
        }
    }
}

/// How the policy applies to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage<'p> {
    /// The account's class.
    pub class: AccountClass<'p>,
    /// The class is exempt from the whole policy.
    pub exempt: bool,
    /// The policy for this account, with the class's settings laid over it.
    pub policy: Cow<'p, Policy>,
}

impl Coverage<'_> {
    /// Whether the password is checked and remembered when it is set.
    pub fn checks_passwords(&self) -> bool {
        !self.exempt
    }

    /// Whether login-time expiry (expired, forced, warning) applies: not to
    /// exempt classes nor to system accounts.
    pub fn expires(&self) -> bool {
        !self.exempt && self.class != AccountClass::System
    }
}

impl Policy {
    /// How this policy applies to `account`. `login_defs_uid_min` is
    /// `UID_MIN` as the host's `/etc/login.defs` says it (used when the
    /// policy sets no `accounts.uid_min`).
    ///
    /// ```
    /// use pwpolicy::{Account, AccountClass, Policy};
    ///
    /// let policy = Policy::default();
    /// let root = Account { name: "root", uid: Some(0), groups: &[] };
    /// let erin = Account { name: "erin", uid: Some(1001), groups: &[] };
    /// assert_eq!(policy.for_account(&root, None).class, AccountClass::System);
    /// assert!(!policy.for_account(&root, None).expires());
    /// assert!(policy.for_account(&erin, None).expires());
    /// ```
    pub fn for_account(
        &self,
        account: &Account<'_>,
        login_defs_uid_min: Option<u32>,
    ) -> Coverage<'_> {
        let rules = &self.accounts;
        if let Some(class) = rules.class.iter().find(|c| c.matches(account)) {
            return Coverage {
                class: AccountClass::Named(&class.name),
                exempt: class.exempt,
                policy: Cow::Owned(class.apply(self)),
            };
        }
        let uid_min = self.uid_min(login_defs_uid_min);
        let system = account.uid.is_some_and(|uid| uid < uid_min);
        Coverage {
            class: if system && !rules.include_system {
                AccountClass::System
            } else {
                AccountClass::Person
            },
            exempt: false,
            policy: Cow::Borrowed(self),
        }
    }

    /// The first uid of a person: the policy's, else login.defs', else 1000.
    pub fn uid_min(&self, login_defs_uid_min: Option<u32>) -> u32 {
        self.accounts
            .uid_min
            .or(login_defs_uid_min)
            .unwrap_or(DEFAULT_UID_MIN)
    }
}

impl ClassRules {
    /// Whether `account` belongs to this class.
    pub fn matches(&self, account: &Account<'_>) -> bool {
        self.users.iter().any(|u| u == account.name)
            || self
                .uids
                .zip(account.uid)
                .is_some_and(|(range, uid)| range.contains(uid))
            || self.groups.iter().any(|g| account.groups.contains(g))
    }

    /// `policy` with this class's settings laid over it.
    pub fn apply(&self, policy: &Policy) -> Policy {
        let mut p = policy.clone();
        let q = &mut p.quality;
        q.min_length = self.min_length.unwrap_or(q.min_length);
        q.min_classes = self.min_classes.unwrap_or(q.min_classes);
        let e = &mut p.expiry;
        e.max_age_days = self.max_age_days.unwrap_or(e.max_age_days);
        e.warn_days = self.warn_days.unwrap_or(e.warn_days);
        e.min_age_days = self.min_age_days.unwrap_or(e.min_age_days);
        // A forced warning window longer than a class's shorter maximum age
        // would be refused; keep the class usable by clamping the inherited one.
        if self.warn_days.is_none() && e.max_age_days > 0 {
            e.warn_days = e.warn_days.min(e.max_age_days);
        }
        p
    }
}

/// `UID_MIN` from the text of a login.defs(5) file, if it sets one.
///
/// ```
/// assert_eq!(pwpolicy::uid_min_from_login_defs("# c\nUID_MIN\t\t 500\n"), Some(500));
/// assert_eq!(pwpolicy::uid_min_from_login_defs("UID_MAX 60000\n"), None);
/// ```
pub fn uid_min_from_login_defs(text: &str) -> Option<u32> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("UID_MIN"))
                .then(|| words.next()?.parse().ok())
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account<'a>(name: &'a str, uid: Option<u32>, groups: &'a [String]) -> Account<'a> {
        Account { name, uid, groups }
    }

    #[test]
    fn system_accounts_do_not_expire_unless_included() {
        let p = Policy::default();
        for (uid, class) in [
            (Some(0), AccountClass::System),
            (Some(999), AccountClass::System),
            (Some(1000), AccountClass::Person),
            (None, AccountClass::Person),
        ] {
            assert_eq!(
                p.for_account(&account("x", uid, &[]), None).class,
                class,
                "{uid:?}"
            );
        }
        assert_eq!(
            p.for_account(&account("x", Some(999), &[]), Some(500))
                .class,
            AccountClass::Person
        );
        let mut p = Policy::default();
        p.accounts.include_system = true;
        assert!(
            p.for_account(&account("root", Some(0), &[]), None)
                .expires()
        );
    }

    #[test]
    fn the_first_matching_class_wins_and_lays_its_settings_over() {
        let p = Policy::from_toml(
            "[[accounts.class]]\nname = \"admins\"\ngroups = [\"sudo\"]\nmin_length = 14\nmax_age_days = 60\n\
             [[accounts.class]]\nname = \"svc\"\nuids = \"2000-2999\"\nexempt = true\n\
             [[accounts.class]]\nname = \"mail\"\ngroups = [\"mail-users\"]\nmax_age_days = 365\n",
        )
        .unwrap();
        let both = ["mail-users".to_owned(), "sudo".to_owned()];
        let c = p.for_account(&account("erin", Some(1001), &both), None);
        assert_eq!(c.class, AccountClass::Named("admins"));
        assert_eq!(
            (c.policy.quality.min_length, c.policy.expiry.max_age_days),
            (14, 60)
        );
        assert_eq!(
            c.policy.quality.min_classes, 3,
            "unset keys keep the policy's"
        );
        let c = p.for_account(&account("bot", Some(2500), &[]), None);
        assert!(c.exempt && !c.checks_passwords() && !c.expires());
        let c = p.for_account(&account("max", Some(1002), &both[..1]), None);
        assert_eq!(c.policy.expiry.max_age_days, 365);
        // A class can bring a system account in.
        let p =
            Policy::from_toml("[[accounts.class]]\nname = \"root\"\nusers = [\"root\"]\n").unwrap();
        assert!(
            p.for_account(&account("root", Some(0), &[]), None)
                .expires()
        );
    }

    #[test]
    fn uid_ranges() {
        assert_eq!(UidRange::parse("0"), Some(UidRange { first: 0, last: 0 }));
        assert_eq!(
            UidRange::parse("10-20"),
            Some(UidRange {
                first: 10,
                last: 20
            })
        );
        for bad in ["", "20-10", "a", "1-", "-1"] {
            assert_eq!(UidRange::parse(bad), None, "{bad}");
        }
        let err =
            Policy::from_toml("[[accounts.class]]\nname = \"x\"\nuids = \"9-1\"\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn login_defs() {
        assert_eq!(uid_min_from_login_defs("UID_MIN 1000\n"), Some(1000));
        assert_eq!(uid_min_from_login_defs("#UID_MIN 5\nUID_MIN x\n"), None);
        assert_eq!(uid_min_from_login_defs(""), None);
    }
}

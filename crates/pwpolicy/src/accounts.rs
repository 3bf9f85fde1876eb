//! Which accounts the policy applies to, and classes of accounts with their
//! own settings.
//!
//! The policy is for people. System accounts (uid below `UID_MIN`, root
//! included, or in the range Debian reserves above `UID_MAX`, `nobody`
//! included) are not expired unless `include_system` says so, and nor are
//! accounts whose password shadow locks: an expired
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

use crate::policy::{ExpiryRules, Policy};

/// `UID_MIN` when neither the policy nor `/etc/login.defs` gives one.
pub const DEFAULT_UID_MIN: u32 = 1000;
/// `UID_MAX` when neither the policy nor `/etc/login.defs` gives one.
pub const DEFAULT_UID_MAX: u32 = 60_000;
/// The last uid of the 16-bit range Debian reserves above `UID_MAX`.
const LAST_RESERVED_UID: u32 = 65_535;

/// The `[accounts]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AccountRules {
    /// The first uid of a person's account; below it are system accounts.
    /// Unset: `UID_MIN` of `/etc/login.defs`, else 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_min: Option<u32>,
    /// The last uid `useradd` gives a person; uids above it up to 65535
    /// (`nobody`, Debian's reserved ones) are system accounts. Unset:
    /// `UID_MAX` of `/etc/login.defs`, else 60000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_max: Option<u32>,
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
    /// Remind the class's members to change a password this many days old
    /// (`annual`, or `never_changed` for the one the account was made
    /// with), whether or not it expires: for passwords that never do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remind_after_days: Option<u32>,
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

/// What the edges know about an account: everything the core needs to
/// decide whether and how the policy covers it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Account<'a> {
    /// The account name.
    pub name: &'a str,
    /// Its uid, when the account database knows it (`None`: a directory or
    /// store user this host cannot resolve, treated as a person).
    pub uid: Option<u32>,
    /// Its groups, primary and supplementary, by name.
    pub groups: &'a [String],
    /// Shadow says its password is locked (`!` or `*` in field 2): nobody
    /// logs in with a password, so there is none to expire.
    pub locked: bool,
    /// Shadow forces a change at the next login (`passwd -e`, `chage -d 0`).
    pub forced_by_shadow: bool,
}

impl<'a> Account<'a> {
    /// An account known by name only (a store or directory user this host
    /// cannot resolve): a person unless a class names it.
    pub fn named(name: &'a str) -> Account<'a> {
        Account {
            name,
            ..Account::default()
        }
    }
}

/// What login.defs(5) says of uids: where people's accounts begin and end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginDefs {
    /// `UID_MIN`, if set.
    pub uid_min: Option<u32>,
    /// `UID_MAX`, if set.
    pub uid_max: Option<u32>,
}

impl LoginDefs {
    /// `UID_MIN` and `UID_MAX` from the text of a login.defs(5) file.
    ///
    /// ```
    /// let defs = pwpolicy::LoginDefs::parse("# c\nUID_MIN\t\t 500\nUID_MAX 6000\n");
    /// assert_eq!((defs.uid_min, defs.uid_max), (Some(500), Some(6000)));
    /// ```
    pub fn parse(text: &str) -> LoginDefs {
        let value = |key: &str| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.starts_with('#'))
                .find_map(|l| {
                    let mut words = l.split_whitespace();
                    (words.next() == Some(key))
                        .then(|| words.next()?.parse().ok())
                        .flatten()
                })
        };
        LoginDefs {
            uid_min: value("UID_MIN"),
            uid_max: value("UID_MAX"),
        }
    }
}

/// Which class an account falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountClass<'p> {
    /// A person under the policy itself.
    Person,
    /// A system account (uid below `UID_MIN`, or in the reserved range above
    /// `UID_MAX`) the expiry leaves alone.
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

/// How the policy applies to one account: its class, whether it is exempt
/// or locked, and the rules in force for it. The one answer to "who is this
/// account to the policy" that every verb and surface asks.
#[derive(Debug, Clone, Copy)]
pub struct Coverage<'p> {
    /// The account's class.
    pub class: AccountClass<'p>,
    /// The class is exempt from the whole policy.
    pub exempt: bool,
    /// Its password is locked in shadow: expiry does not apply.
    pub locked: bool,
    /// Shadow forces a change at the next login.
    pub forced_by_shadow: bool,
    policy: &'p Policy,
    rules: Option<&'p ClassRules>,
}

impl<'p> Coverage<'p> {
    /// Whether the password is checked and remembered when it is set.
    pub fn checks_passwords(&self) -> bool {
        !self.exempt
    }

    /// Whether expiry (expired, forced, warning) applies: not to exempt
    /// classes, system accounts or locked passwords.
    pub fn expires(&self) -> bool {
        !self.exempt && !self.locked && self.class != AccountClass::System
    }

    /// The policy for this account: the policy itself, or a copy with the
    /// class's settings laid over it.
    pub fn policy(&self) -> Cow<'p, Policy> {
        match self.rules {
            Some(class) => Cow::Owned(class.apply(self.policy)),
            None => Cow::Borrowed(self.policy),
        }
    }

    /// Days after which the class reminds its members of an old password
    /// (`remind_after_days`), if it does.
    pub fn remind_after_days(&self) -> Option<u32> {
        self.rules
            .and_then(|c| c.remind_after_days)
            .filter(|&n| n > 0)
    }

    /// The reminder thresholds of the policy (`[notify] days`).
    pub fn reminder_days(&self) -> &'p [u32] {
        &self.policy.notify.days
    }

    /// The expiry rules in force for this account (cheap: no copy of the
    /// whole policy), as [`Coverage::policy`] would have them.
    pub fn expiry(&self) -> ExpiryRules {
        match self.rules {
            Some(class) => class.apply_expiry(&self.policy.expiry),
            None => self.policy.expiry.clone(),
        }
    }

    /// Why expiry does not apply, in a few words, if it does not.
    pub fn why_no_expiry(&self) -> Option<&'static str> {
        if self.exempt {
            Some("exempt from the policy")
        } else if self.class == AccountClass::System {
            Some("system account: expiry does not apply")
        } else if self.locked {
            Some("password locked in shadow: expiry does not apply (key logins only)")
        } else {
            None
        }
    }
}

impl Policy {
    /// How this policy applies to `account`. `defs` is what the host's
    /// `/etc/login.defs` says (used where the policy sets no
    /// `accounts.uid_min` or `uid_max`).
    ///
    /// ```
    /// use pwpolicy::{Account, AccountClass, LoginDefs, Policy};
    ///
    /// let policy = Policy::default();
    /// let root = Account { uid: Some(0), ..Account::named("root") };
    /// let erin = Account { uid: Some(1001), ..Account::named("erin") };
    /// let nobody = Account { uid: Some(65534), ..Account::named("nobody") };
    /// assert_eq!(policy.for_account(&root, LoginDefs::default()).class, AccountClass::System);
    /// assert_eq!(policy.for_account(&nobody, LoginDefs::default()).class, AccountClass::System);
    /// assert!(!policy.for_account(&root, LoginDefs::default()).expires());
    /// assert!(policy.for_account(&erin, LoginDefs::default()).expires());
    /// ```
    pub fn for_account(&self, account: &Account<'_>, defs: LoginDefs) -> Coverage<'_> {
        let rules = &self.accounts;
        let class = rules.class.iter().find(|c| c.matches(account));
        let system = account.uid.is_some_and(|uid| self.is_system_uid(uid, defs));
        Coverage {
            class: match class {
                Some(class) => AccountClass::Named(&class.name),
                None if system && !rules.include_system => AccountClass::System,
                None => AccountClass::Person,
            },
            exempt: class.is_some_and(|c| c.exempt),
            locked: account.locked,
            forced_by_shadow: account.forced_by_shadow,
            policy: self,
            rules: class,
        }
    }

    /// The first uid of a person: the policy's, else login.defs', else 1000.
    pub fn uid_min(&self, defs: LoginDefs) -> u32 {
        self.accounts
            .uid_min
            .or(defs.uid_min)
            .unwrap_or(DEFAULT_UID_MIN)
    }

    /// The last uid `useradd` gives a person: the policy's, else
    /// login.defs', else 60000.
    pub fn uid_max(&self, defs: LoginDefs) -> u32 {
        self.accounts
            .uid_max
            .or(defs.uid_max)
            .unwrap_or(DEFAULT_UID_MAX)
    }

    /// Whether `uid` is a system account's: below `UID_MIN`, or above
    /// `UID_MAX` within the 16-bit range Debian reserves (policy §9.2.2:
    /// 60000-64999 allocated by Debian, 65534 `nobody`, 65535 reserved).
    /// Uids past 65535 are directory users (sssd, winbind): people.
    pub fn is_system_uid(&self, uid: u32, defs: LoginDefs) -> bool {
        uid < self.uid_min(defs) || (uid > self.uid_max(defs) && uid <= LAST_RESERVED_UID)
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
        p.expiry = self.apply_expiry(&policy.expiry);
        p
    }

    /// The policy-file keys this class sets for its members.
    pub fn overridden_keys(&self) -> Vec<&'static str> {
        [
            ("min_length", self.min_length.is_some()),
            ("min_classes", self.min_classes.is_some()),
            ("max_age_days", self.max_age_days.is_some()),
            ("warn_days", self.warn_days.is_some()),
            ("min_age_days", self.min_age_days.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
    }

    /// `expiry` with this class's expiry settings laid over it.
    pub fn apply_expiry(&self, expiry: &ExpiryRules) -> ExpiryRules {
        let mut e = expiry.clone();
        e.max_age_days = self.max_age_days.unwrap_or(e.max_age_days);
        e.warn_days = self.warn_days.unwrap_or(e.warn_days);
        e.min_age_days = self.min_age_days.unwrap_or(e.min_age_days);
        // A forced warning window longer than a class's shorter maximum age
        // would be refused; keep the class usable by clamping the inherited one.
        if self.warn_days.is_none() && e.max_age_days > 0 {
            e.warn_days = e.warn_days.min(e.max_age_days);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account<'a>(name: &'a str, uid: Option<u32>, groups: &'a [String]) -> Account<'a> {
        Account {
            uid,
            groups,
            ..Account::named(name)
        }
    }

    const NO_DEFS: LoginDefs = LoginDefs {
        uid_min: None,
        uid_max: None,
    };

    #[test]
    fn system_accounts_do_not_expire_unless_included() {
        let p = Policy::default();
        for (uid, class) in [
            (Some(0), AccountClass::System),
            (Some(999), AccountClass::System),
            (Some(1000), AccountClass::Person),
            (Some(60_000), AccountClass::Person),
            (Some(60_001), AccountClass::System),
            (Some(65_534), AccountClass::System),
            (Some(65_536), AccountClass::Person),
            (Some(1_668_400_500), AccountClass::Person),
            (None, AccountClass::Person),
        ] {
            assert_eq!(
                p.for_account(&account("x", uid, &[]), NO_DEFS).class,
                class,
                "{uid:?}"
            );
        }
        let defs = LoginDefs {
            uid_min: Some(500),
            uid_max: Some(70_000),
        };
        assert_eq!(
            p.for_account(&account("x", Some(999), &[]), defs).class,
            AccountClass::Person
        );
        assert_eq!(
            p.for_account(&account("x", Some(65_534), &[]), defs).class,
            AccountClass::Person,
            "UID_MAX above the reserved range leaves nobody a person"
        );
        let mut p = Policy::default();
        p.accounts.include_system = true;
        assert!(
            p.for_account(&account("root", Some(0), &[]), NO_DEFS)
                .expires()
        );
    }

    #[test]
    fn a_locked_password_does_not_expire_but_is_still_checked() {
        let p = Policy::default();
        let locked = Account {
            locked: true,
            ..account("erin", Some(1001), &[])
        };
        let c = p.for_account(&locked, NO_DEFS);
        assert_eq!(c.class, AccountClass::Person);
        assert!(!c.expires() && c.checks_passwords());
        assert!(c.why_no_expiry().is_some_and(|w| w.contains("locked")));
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
        let c = p.for_account(&account("erin", Some(1001), &both), NO_DEFS);
        assert_eq!(c.class, AccountClass::Named("admins"));
        let policy = c.policy();
        assert_eq!(
            (policy.quality.min_length, policy.expiry.max_age_days),
            (14, 60)
        );
        assert_eq!(
            c.expiry(),
            policy.expiry,
            "the cheap expiry is the policy's"
        );
        assert_eq!(
            policy.quality.min_classes, 3,
            "unset keys keep the policy's"
        );
        let c = p.for_account(&account("bot", Some(2500), &[]), NO_DEFS);
        assert!(c.exempt && !c.checks_passwords() && !c.expires());
        let c = p.for_account(&account("max", Some(1002), &both[..1]), NO_DEFS);
        assert_eq!(c.expiry().max_age_days, 365);
        // A class can bring a system account in.
        let p =
            Policy::from_toml("[[accounts.class]]\nname = \"root\"\nusers = [\"root\"]\n").unwrap();
        assert!(
            p.for_account(&account("root", Some(0), &[]), NO_DEFS)
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
        assert_eq!(LoginDefs::parse("UID_MIN 1000\n").uid_min, Some(1000));
        assert_eq!(LoginDefs::parse("#UID_MIN 5\nUID_MIN x\n").uid_min, None);
        assert_eq!(LoginDefs::parse(""), LoginDefs::default());
        assert_eq!(LoginDefs::parse("UID_MAX\t 6000\n").uid_max, Some(6000));
    }
}

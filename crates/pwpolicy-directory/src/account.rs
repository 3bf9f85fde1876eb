//! A directory user and when their password expires, worked out as the
//! DC works out `msDS-UserPasswordExpiryTimeComputed` (MS-ADTS 3.1.1.4.4):
//! never for DONT_EXPIRE_PASSWORD and smart-card-only accounts or a domain
//! whose passwords never expire, "must change" when `pwdLastSet` is 0, and
//! otherwise `pwdLastSet` plus the maximum age of the PSO that governs the
//! user, else the domain's. When the DC sends its own computed time, that
//! is what the user will meet, so it wins.

use time::{Duration, OffsetDateTime};

use crate::entry::Entry;
use crate::error::AttrError;
use crate::nttime;
use crate::settings::{Domain, Pso};

/// The search filter for people (not computers, not contacts).
pub const USER_FILTER: &str = "(&(objectCategory=person)(objectClass=user))";

/// The attributes of a user to ask for.
pub const USER_ATTRS: &[&str] = &[
    "sAMAccountName",
    "pwdLastSet",
    "userAccountControl",
    "msDS-UserPasswordExpiryTimeComputed",
    "msDS-ResultantPSO",
    "mail",
    "whenCreated",
    "displayName",
];

/// `userAccountControl`: the account is disabled.
pub const UF_ACCOUNTDISABLE: u32 = 0x0002;
/// `userAccountControl`: the password never expires.
pub const UF_DONT_EXPIRE_PASSWD: u32 = 0x1_0000;
/// `userAccountControl`: logon needs a smart card (the password is random
/// and never expires).
pub const UF_SMARTCARD_REQUIRED: u32 = 0x4_0000;

/// What the directory says of one user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The logon name (`sAMAccountName`).
    pub name: String,
    /// Its DN.
    pub dn: String,
    /// `pwdLastSet`: 0 forces a change at the next logon.
    pub pwd_last_set: i64,
    /// `userAccountControl`.
    pub uac: u32,
    /// `msDS-UserPasswordExpiryTimeComputed`, when the DC sent it.
    pub computed_expiry: Option<i64>,
    /// `msDS-ResultantPSO`: the PSO that governs the user, if any and if
    /// the DC told.
    pub resultant_pso: Option<String>,
    /// `mail`: where reminders go, when set.
    pub mail: Option<String>,
    /// `displayName`: the full name, when set.
    pub display_name: Option<String>,
    /// `whenCreated`: when the account was made.
    pub created: Option<OffsetDateTime>,
}

/// Which settings govern a user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Governed {
    /// The domain's.
    Domain,
    /// A PSO's, by name.
    Pso(String),
    /// A PSO this reader may not read (only its DN is known).
    UnreadablePso(String),
}

impl Governed {
    /// `domain`, or the PSO's name or DN.
    pub fn label(&self) -> &str {
        match self {
            Governed::Domain => "domain",
            Governed::Pso(name) | Governed::UnreadablePso(name) => name,
        }
    }
}

/// When a user's password expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// The last change; `None` when a change is forced (`pwdLastSet` 0).
    pub last_changed: Option<OffsetDateTime>,
    /// When it expires; `None` when it never does, a change is forced, or
    /// it cannot be known.
    pub expires: Option<OffsetDateTime>,
    /// A change is forced at the next logon.
    pub must_change: bool,
    /// It never expires (the account's flags, or a maximum age of never).
    pub never_expires: bool,
    /// The account is disabled.
    pub disabled: bool,
    /// Whose settings apply.
    pub governed: Governed,
    /// The maximum age that applies; `None`: never, or unknown.
    pub max_age: Option<Duration>,
}

impl Account {
    /// A user from a search entry.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when `sAMAccountName` is missing or a value malformed.
    pub fn from_entry(e: &Entry) -> Result<Account, AttrError> {
        let name = e
            .single("sAMAccountName")?
            .ok_or_else(|| AttrError::new(&e.dn, "sAMAccountName", "is missing"))?
            .to_owned();
        let uac = e.integer("userAccountControl")?.unwrap_or(0);
        let uac = u32::try_from(uac).map_err(|_| {
            AttrError::new(&e.dn, "userAccountControl", "is not a 32-bit set of flags")
        })?;
        Ok(Account {
            name,
            dn: e.dn.clone(),
            // An account never given a password has no pwdLastSet: it is 0.
            pwd_last_set: e.integer("pwdLastSet")?.unwrap_or(0),
            uac,
            computed_expiry: e.integer("msDS-UserPasswordExpiryTimeComputed")?,
            resultant_pso: e.single("msDS-ResultantPSO")?.map(str::to_owned),
            mail: e.single("mail")?.map(str::to_owned),
            display_name: e.single("displayName")?.map(str::to_owned),
            created: match e.single("whenCreated")? {
                None => None,
                Some(text) => Some(nttime::generalized_time(text).ok_or_else(|| {
                    AttrError::new(&e.dn, "whenCreated", "is not a GeneralizedTime")
                })?),
            },
        })
    }

    /// When this user's password expires under `domain` and its `psos`.
    pub fn expiry(&self, domain: &Domain, psos: &[Pso]) -> Expiry {
        let (governed, settings) = match &self.resultant_pso {
            None => (Governed::Domain, Some(&domain.settings)),
            Some(dn) => match psos.iter().find(|p| p.dn.eq_ignore_ascii_case(dn)) {
                Some(pso) => (Governed::Pso(pso.name.clone()), Some(&pso.settings)),
                None => (Governed::UnreadablePso(dn.clone()), None),
            },
        };
        let max_age = settings.and_then(|s| s.max_age);
        let flags_say_never = self.uac & (UF_DONT_EXPIRE_PASSWD | UF_SMARTCARD_REQUIRED) != 0;
        let must_change = self.pwd_last_set == 0;
        let last_changed = nttime::instant(self.pwd_last_set);
        let ours = last_changed
            .zip(max_age)
            .and_then(|(t, age)| t.checked_add(age));
        let (expires, never_expires) = match self.computed_expiry {
            Some(nttime::NEVER) => (None, true),
            Some(ticks) if ticks > 0 => (nttime::instant(ticks), false),
            // 0: a forced change; absent: work it out as the DC would.
            Some(_) => (None, false),
            None if flags_say_never => (None, true),
            None if settings.is_some() && max_age.is_none() => (None, true),
            None => (ours, false),
        };
        Expiry {
            last_changed,
            expires: if must_change { None } else { expires },
            must_change,
            never_expires: never_expires || flags_say_never,
            disabled: self.uac & UF_ACCOUNTDISABLE != 0,
            governed,
            max_age,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::PasswordSettings;
    use time::macros::datetime;

    fn domain(max_days: Option<i64>) -> Domain {
        Domain {
            dn: "DC=pwtest,DC=lan".into(),
            settings: PasswordSettings {
                min_length: 7,
                complexity: true,
                reversible: false,
                max_age: max_days.map(Duration::days),
                min_age: Some(Duration::days(1)),
                history: 24,
            },
        }
    }

    fn pso(max_days: i64) -> Pso {
        Pso {
            dn: "CN=Admins,CN=Password Settings Container,CN=System,DC=pwtest,DC=lan".into(),
            name: "Admins".into(),
            precedence: 1,
            settings: PasswordSettings {
                max_age: Some(Duration::days(max_days)),
                ..domain(None).settings
            },
            applies_to: vec![],
        }
    }

    fn user(last: OffsetDateTime, uac: u32) -> Account {
        Account {
            name: "erin".into(),
            dn: "CN=erin,CN=Users,DC=pwtest,DC=lan".into(),
            pwd_last_set: nttime::filetime(last),
            uac,
            computed_expiry: None,
            resultant_pso: None,
            mail: None,
            display_name: None,
            created: None,
        }
    }

    const CHANGED: OffsetDateTime = datetime!(2026-11-01 09:30 UTC);

    #[test]
    fn the_domains_maximum_age() {
        let e = user(CHANGED, 0x200).expiry(&domain(Some(42)), &[]);
        assert_eq!(e.expires, Some(CHANGED + Duration::days(42)));
        assert_eq!(
            (e.must_change, e.never_expires, e.disabled),
            (false, false, false)
        );
        assert_eq!(e.governed, Governed::Domain);
        // A domain whose passwords never expire.
        let e = user(CHANGED, 0x200).expiry(&domain(None), &[]);
        assert_eq!((e.expires, e.never_expires), (None, true));
    }

    #[test]
    fn flags_and_forced_changes() {
        let never = user(CHANGED, 0x200 | UF_DONT_EXPIRE_PASSWD).expiry(&domain(Some(42)), &[]);
        assert_eq!((never.expires, never.never_expires), (None, true));
        let card = user(CHANGED, 0x200 | UF_SMARTCARD_REQUIRED).expiry(&domain(Some(42)), &[]);
        assert!(card.never_expires);
        let off = user(CHANGED, 0x202).expiry(&domain(Some(42)), &[]);
        assert!(off.disabled && off.expires.is_some());
        let mut forced = user(CHANGED, 0x200);
        forced.pwd_last_set = 0;
        let e = forced.expiry(&domain(Some(42)), &[]);
        assert_eq!(
            (e.must_change, e.last_changed, e.expires),
            (true, None, None)
        );
    }

    #[test]
    fn a_pso_governs_and_the_dcs_own_time_wins() {
        let mut u = user(CHANGED, 0x200);
        u.resultant_pso = Some(pso(7).dn.to_uppercase());
        let e = u.expiry(&domain(Some(42)), &[pso(7)]);
        assert_eq!(e.expires, Some(CHANGED + Duration::days(7)));
        assert_eq!(e.governed, Governed::Pso("Admins".into()));
        // A PSO this reader cannot see: only the DC's time can tell.
        let e = u.expiry(&domain(Some(42)), &[]);
        assert_eq!((e.expires, e.never_expires), (None, false));
        assert!(matches!(e.governed, Governed::UnreadablePso(_)));
        u.computed_expiry = Some(nttime::filetime(CHANGED + Duration::days(7)));
        assert_eq!(
            u.expiry(&domain(Some(42)), &[]).expires,
            Some(CHANGED + Duration::days(7))
        );
        u.computed_expiry = Some(nttime::NEVER);
        assert!(u.expiry(&domain(Some(42)), &[]).never_expires);
    }

    #[test]
    fn entries_are_read_strictly() {
        let e = Entry::new(
            "CN=erin,CN=Users,DC=pwtest,DC=lan",
            &[
                ("sAMAccountName", "erin"),
                ("pwdLastSet", "0"),
                ("userAccountControl", "66048"),
            ],
        );
        let a = Account::from_entry(&e).unwrap();
        assert_eq!((a.pwd_last_set, a.uac), (0, 66048));
        let no_name = Entry::new("CN=x", &[("pwdLastSet", "0")]);
        assert_eq!(
            Account::from_entry(&no_name).unwrap_err().attr,
            "sAMAccountName"
        );
        let bad = Entry::new(
            "CN=x",
            &[("sAMAccountName", "x"), ("userAccountControl", "-1")],
        );
        assert!(Account::from_entry(&bad).is_err());
    }
}

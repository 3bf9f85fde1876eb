//! A domain's password settings (on the domain object) and its
//! fine-grained Password Settings Objects (PSOs, `msDS-PasswordSettings`),
//! read into one shape.

use time::Duration;

use crate::entry::Entry;
use crate::error::AttrError;
use crate::nttime;

/// `pwdProperties` bit: passwords must be complex (and, on a Samba DC,
/// the `check password script` runs).
pub const DOMAIN_PASSWORD_COMPLEX: i64 = 0x1;
/// `pwdProperties` bit: passwords are kept with reversible encryption.
pub const DOMAIN_PASSWORD_STORE_CLEARTEXT: i64 = 0x10;

/// The attributes of the domain object to ask for.
pub const DOMAIN_ATTRS: &[&str] = &[
    "minPwdLength",
    "pwdProperties",
    "maxPwdAge",
    "minPwdAge",
    "pwdHistoryLength",
];

/// The attributes of a PSO to ask for.
pub const PSO_ATTRS: &[&str] = &[
    "cn",
    "msDS-PasswordSettingsPrecedence",
    "msDS-MinimumPasswordLength",
    "msDS-PasswordComplexityEnabled",
    "msDS-PasswordReversibleEncryptionEnabled",
    "msDS-MaximumPasswordAge",
    "msDS-MinimumPasswordAge",
    "msDS-PasswordHistoryLength",
    "msDS-PSOAppliesTo",
];

/// What a domain or a PSO requires of passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordSettings {
    /// Fewest characters.
    pub min_length: u32,
    /// Complexity on (3 of 5 categories, no account or display name).
    pub complexity: bool,
    /// Passwords kept with reversible encryption.
    pub reversible: bool,
    /// When passwords expire; `None`: never.
    pub max_age: Option<Duration>,
    /// How long a password must be kept; `None`: no minimum.
    pub min_age: Option<Duration>,
    /// How many earlier passwords may not come back.
    pub history: u32,
}

/// The domain object and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// The domain's DN (`DC=example,DC=com`).
    pub dn: String,
    /// Its settings, for every user no PSO governs.
    pub settings: PasswordSettings,
}

/// A fine-grained password policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pso {
    /// Its DN.
    pub dn: String,
    /// Its name (`cn`).
    pub name: String,
    /// Lower wins when several apply to a user.
    pub precedence: u32,
    /// Its settings, for the users it governs.
    pub settings: PasswordSettings,
    /// The users and groups it applies to (DNs).
    pub applies_to: Vec<String>,
}

/// A span attribute that must be present.
fn span_of(e: &Entry, attr: &'static str) -> Result<Option<Duration>, AttrError> {
    nttime::span(e.required_integer(attr)?).map_err(|nttime::PositiveSpan| {
        AttrError::new(
            &e.dn,
            attr,
            "is positive: AD writes spans as negative 100 ns counts",
        )
    })
}

/// A count attribute that must be present, from 0 to `u32::MAX`.
fn count_of(e: &Entry, attr: &'static str) -> Result<u32, AttrError> {
    u32::try_from(e.required_integer(attr)?)
        .map_err(|_| AttrError::new(&e.dn, attr, "is not a count from 0 to 4294967295"))
}

impl Domain {
    /// The domain's settings from its object.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when an attribute is missing or malformed.
    pub fn from_entry(e: &Entry) -> Result<Domain, AttrError> {
        let properties = e.required_integer("pwdProperties")?;
        Ok(Domain {
            dn: e.dn.clone(),
            settings: PasswordSettings {
                min_length: count_of(e, "minPwdLength")?,
                complexity: properties & DOMAIN_PASSWORD_COMPLEX != 0,
                reversible: properties & DOMAIN_PASSWORD_STORE_CLEARTEXT != 0,
                max_age: span_of(e, "maxPwdAge")?,
                min_age: span_of(e, "minPwdAge")?,
                history: count_of(e, "pwdHistoryLength")?,
            },
        })
    }
}

impl Pso {
    /// A PSO from its object.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when an attribute is missing or malformed.
    pub fn from_entry(e: &Entry) -> Result<Pso, AttrError> {
        let flag = |attr| {
            e.boolean(attr)?
                .ok_or_else(|| AttrError::new(&e.dn, attr, "is missing"))
        };
        Ok(Pso {
            dn: e.dn.clone(),
            name: e.single("cn")?.map_or_else(|| e.dn.clone(), str::to_owned),
            precedence: count_of(e, "msDS-PasswordSettingsPrecedence")?,
            settings: PasswordSettings {
                min_length: count_of(e, "msDS-MinimumPasswordLength")?,
                complexity: flag("msDS-PasswordComplexityEnabled")?,
                reversible: flag("msDS-PasswordReversibleEncryptionEnabled")?,
                max_age: span_of(e, "msDS-MaximumPasswordAge")?,
                min_age: span_of(e, "msDS-MinimumPasswordAge")?,
                history: count_of(e, "msDS-PasswordHistoryLength")?,
            },
            applies_to: e.values("msDS-PSOAppliesTo").to_vec(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The domain object of a freshly provisioned Samba 4.17 DC.
    pub(crate) fn samba_defaults() -> Entry {
        Entry::new(
            "DC=pwtest,DC=lan",
            &[
                ("minPwdLength", "7"),
                ("pwdProperties", "1"),
                ("maxPwdAge", "-36288000000000"),
                ("minPwdAge", "-864000000000"),
                ("pwdHistoryLength", "24"),
            ],
        )
    }

    #[test]
    fn a_provisioned_domain() {
        let d = Domain::from_entry(&samba_defaults()).unwrap();
        assert_eq!(
            d.settings,
            PasswordSettings {
                min_length: 7,
                complexity: true,
                reversible: false,
                max_age: Some(Duration::days(42)),
                min_age: Some(Duration::days(1)),
                history: 24,
            }
        );
        let mut never = samba_defaults();
        never.attrs[2].1 = vec!["-9223372036854775808".into()];
        assert_eq!(Domain::from_entry(&never).unwrap().settings.max_age, None);
    }

    #[test]
    fn missing_and_malformed_attributes_are_named() {
        let mut e = samba_defaults();
        e.attrs.remove(0);
        let err = Domain::from_entry(&e).unwrap_err();
        assert_eq!(err.attr, "minPwdLength");
        let mut e = samba_defaults();
        e.attrs[2].1 = vec!["36288000000000".into()];
        assert_eq!(Domain::from_entry(&e).unwrap_err().attr, "maxPwdAge");
        let mut e = samba_defaults();
        e.attrs[4].1 = vec!["-1".into()];
        assert_eq!(Domain::from_entry(&e).unwrap_err().attr, "pwdHistoryLength");
    }

    #[test]
    fn a_pso() {
        let mut e = Entry::new(
            "CN=admins,CN=Password Settings Container,CN=System,DC=pwtest,DC=lan",
            &[
                ("cn", "admins"),
                ("msDS-PasswordSettingsPrecedence", "10"),
                ("msDS-MinimumPasswordLength", "15"),
                ("msDS-PasswordComplexityEnabled", "TRUE"),
                ("msDS-PasswordReversibleEncryptionEnabled", "FALSE"),
                ("msDS-MaximumPasswordAge", "-51840000000000"),
                ("msDS-MinimumPasswordAge", "-864000000000"),
                ("msDS-PasswordHistoryLength", "24"),
            ],
        );
        e.attrs.push((
            "msDS-PSOAppliesTo".into(),
            vec![
                "CN=erin,CN=Users,DC=pwtest,DC=lan".into(),
                "CN=ops,DC=pwtest,DC=lan".into(),
            ],
        ));
        let p = Pso::from_entry(&e).unwrap();
        assert_eq!((p.name.as_str(), p.precedence), ("admins", 10));
        assert_eq!(p.settings.max_age, Some(Duration::days(60)));
        assert_eq!(p.applies_to.len(), 2);
    }
}

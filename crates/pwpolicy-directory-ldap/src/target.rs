//! Which directory, and how to reach it: the policy's `[directory]`
//! section with the command line's options over it.

use std::path::PathBuf;
use std::time::Duration;

use pwpolicy::DirectorySettings;

use crate::error::DirectoryError;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// `ldaps://`: TLS from the first byte.
    Tls,
    /// `ldap://` upgraded by StartTLS before the bind.
    StartTls,
    /// `ldap://` in clear (`starttls = false`): the bind password crosses
    /// the network readable.
    Clear,
    /// `ldapi://`: a local socket.
    Local,
}

/// A directory to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `ldaps://HOST[:PORT]`, `ldap://…` or `ldapi://…`.
    pub url: String,
    /// Who to bind as; `None` binds anonymously.
    pub bind_dn: Option<String>,
    /// The file with the bind password.
    pub bind_password_file: Option<PathBuf>,
    /// Where users are searched; `None`: the domain's naming context.
    pub base: Option<String>,
    /// More CAs to trust.
    pub ca_file: Option<PathBuf>,
    /// How the connection is protected.
    pub protection: Protection,
    /// How long to wait for a connection or an answer.
    pub timeout: Duration,
}

impl Target {
    /// The target the settings name, or `None` when they name no URL.
    ///
    /// # Errors
    ///
    /// [`DirectoryError::Url`] for a URL of another scheme, and for a
    /// password file without a bind DN.
    pub fn from_settings(s: &DirectorySettings) -> Result<Option<Target>, DirectoryError> {
        let Some(url) = &s.url else {
            return Ok(None);
        };
        let fail = |why: &str| DirectoryError::Url {
            url: url.clone(),
            why: why.to_owned(),
        };
        let scheme = url
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        let protection = match scheme.as_deref() {
            Some("ldaps") => Protection::Tls,
            Some("ldap") if s.starttls => Protection::StartTls,
            Some("ldap") => Protection::Clear,
            Some("ldapi") => Protection::Local,
            _ => return Err(fail("must start ldaps://, ldap:// or ldapi://")),
        };
        if s.bind_password_file.is_some() && s.bind_dn.is_none() {
            return Err(fail("a bind password file needs a bind DN"));
        }
        Ok(Some(Target {
            url: url.clone(),
            bind_dn: s.bind_dn.clone(),
            bind_password_file: s.bind_password_file.as_ref().map(PathBuf::from),
            base: s.base.clone(),
            ca_file: s.ca_file.as_ref().map(PathBuf::from),
            protection,
            timeout: Duration::from_secs(u64::from(s.timeout_seconds.max(1))),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, starttls: bool) -> DirectorySettings {
        let mut s = DirectorySettings::default();
        s.url = Some(url.into());
        s.starttls = starttls;
        s
    }

    #[test]
    fn schemes_decide_the_protection() {
        let p = |url, starttls| {
            Target::from_settings(&settings(url, starttls))
                .unwrap()
                .unwrap()
                .protection
        };
        assert_eq!(p("ldaps://dc1.example.com", true), Protection::Tls);
        assert_eq!(p("LDAP://dc1.example.com", true), Protection::StartTls);
        assert_eq!(p("ldap://dc1.example.com", false), Protection::Clear);
        assert_eq!(p("ldapi://%2fvar%2frun%2fldapi", true), Protection::Local);
        assert!(Target::from_settings(&settings("https://dc", true)).is_err());
        assert!(
            Target::from_settings(&DirectorySettings::default())
                .unwrap()
                .is_none()
        );
    }
}

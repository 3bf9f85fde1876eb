//! Refusing policies that are impossible or contradict themselves.

use super::{MAX_MAX_LENGTH, MIN_MAX_LENGTH, Policy};
use crate::Error;

/// Largest argon2 memory cost accepted, in KiB (1 GiB): more would let a
/// typo stall every login.
const MAX_ARGON2_MEMORY_KIB: u32 = 1 << 20;
/// Largest argon2 pass count accepted.
const MAX_ARGON2_ITERATIONS: u32 = 64;
/// Largest argon2 lane count accepted.
const MAX_ARGON2_PARALLELISM: u32 = 16;

impl Policy {
    /// Checks that the policy can be met and does not contradict itself.
    ///
    /// # Errors
    ///
    /// [`Error::PolicyInvalid`] naming the first offending key (without a line:
    /// [`Policy::from_toml`] adds it).
    pub fn validate(&self) -> Result<(), Error> {
        self.find_invalid().map_err(|e| Error::PolicyInvalid {
            line: None,
            key: e.key,
            message: e.message,
        })
    }

    /// The first refused value, with the key it depends on.
    pub(super) fn find_invalid(&self) -> Result<(), Invalid> {
        self.find_invalid_rules()?;
        self.find_invalid_class()?;
        self.find_invalid_notify()?;
        self.find_invalid_web()
    }

    /// The page's limits must let someone in, and its address must parse.
    fn find_invalid_web(&self) -> Result<(), Invalid> {
        let web = &self.web;
        if web.listen.parse::<std::net::SocketAddr>().is_err() {
            return invalid(
                "web.listen",
                None,
                format!(
                    "is {:?}: give an address and port, such as \"[::]:8443\" or \"127.0.0.1:8443\"",
                    web.listen
                ),
            );
        }
        for (key, value) in [
            (
                "web.account_attempts_per_hour",
                web.account_attempts_per_hour,
            ),
            (
                "web.address_requests_per_minute",
                web.address_requests_per_minute,
            ),
            ("web.max_connections", web.max_connections),
            ("web.client_timeout_seconds", web.client_timeout_seconds),
        ] {
            if value == 0 || value > 100_000 {
                return invalid(key, None, format!("is {value}: must be 1 to 100000"));
            }
        }
        if let Some(url) = &web.url
            && !url.starts_with("https://")
        {
            return invalid(
                "web.url",
                None,
                format!(
                    "is {url:?}: the page is served over HTTPS only, so its address starts with https://"
                ),
            );
        }
        if let Some(service) = &web.pam_service
            && (service.is_empty()
                || !service
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                || service.starts_with('.'))
        {
            return invalid(
                "web.pam_service",
                None,
                format!("is {service:?}: a PAM service name is letters, digits, '-', '_' and '.'"),
            );
        }
        Ok(())
    }

    /// Reminders need thresholds that can be met, platforms the default
    /// text knows and a recipient template that names the user.
    fn find_invalid_notify(&self) -> Result<(), Invalid> {
        let notify = &self.notify;
        if notify.days.is_empty() {
            return invalid(
                "notify.days",
                None,
                "is empty: give the days before expiry a reminder goes out, such as [14, 7, 3, 1]"
                    .into(),
            );
        }
        if let Some(d) = notify.days.iter().find(|&&d| d == 0 || d > 366) {
            return invalid(
                "notify.days",
                None,
                format!("holds {d}: each must be 1 to 366 days before expiry"),
            );
        }
        if let Some(p) = notify
            .platforms
            .iter()
            .find(|p| !crate::policy::PLATFORMS.contains(&p.as_str()))
        {
            return invalid(
                "notify.platforms",
                None,
                format!(
                    "holds {p:?}: each must be one of {}",
                    crate::policy::PLATFORMS.join(", ")
                ),
            );
        }
        if notify.platforms.iter().any(|p| p == "web") && self.page_url().is_none() {
            return invalid(
                "notify.platforms",
                None,
                "names \"web\" but neither notify.url nor web.url (the self-service page) is set"
                    .into(),
            );
        }
        if notify.timeout_seconds == 0 || notify.timeout_seconds > 600 {
            return invalid(
                "notify.timeout_seconds",
                None,
                "must be 1 to 600 seconds".into(),
            );
        }
        if let Some(to) = &notify.to
            && (!to.contains("{user}") || !to.contains('@'))
        {
            return invalid(
                "notify.to",
                None,
                "must be an address template with {user}, such as \"{user}@example.org\"".into(),
            );
        }
        if notify.max_per_run == Some(0) {
            return invalid(
                "notify.max_per_run",
                None,
                "is 0: no reminder would ever go (leave it unset for no cap)".into(),
            );
        }
        for class in &self.accounts.class {
            if class.remind_after_days == Some(0) {
                return invalid(
                    "accounts.class",
                    None,
                    format!(
                        "class `{}`: remind_after_days = 0 would remind every day (leave it unset for no reminder)",
                        class.name
                    ),
                );
            }
        }
        Ok(())
    }

    /// Each class must say whom it takes, once, and leave a policy that can be met.
    fn find_invalid_class(&self) -> Result<(), Invalid> {
        if let (Some(min), Some(max)) = (self.accounts.uid_min, self.accounts.uid_max)
            && max < min
        {
            return invalid(
                "accounts.uid_max",
                None,
                format!("is below accounts.uid_min ({min}): nobody would be a person"),
            );
        }
        for (i, class) in self.accounts.class.iter().enumerate() {
            let named = if class.name.trim().is_empty() {
                format!("class {}", i + 1)
            } else {
                format!("class `{}`", class.name)
            };
            if class.name.trim().is_empty() {
                return invalid("accounts.class", None, format!("{named} needs a `name`"));
            }
            if self.accounts.class[..i]
                .iter()
                .any(|c| c.name == class.name)
            {
                return invalid("accounts.class", None, format!("{named} is defined twice"));
            }
            if class.groups.is_empty() && class.uids.is_none() && class.users.is_empty() {
                return invalid(
                    "accounts.class",
                    None,
                    format!("{named} matches nobody: give `groups`, `uids` or `users`"),
                );
            }
            if let Err(e) = class.apply(self).find_invalid_rules() {
                return invalid(
                    "accounts.class",
                    None,
                    format!("{named}: with its settings, `{}` {}", e.key, e.message),
                );
            }
        }
        Ok(())
    }

    /// The rules on text, expiry, PAM and hashing.
    fn find_invalid_rules(&self) -> Result<(), Invalid> {
        let q = &self.quality;
        if !(MIN_MAX_LENGTH..=MAX_MAX_LENGTH).contains(&q.max_length) {
            return invalid(
                "quality.max_length",
                None,
                format!(
                    "must be from {MIN_MAX_LENGTH} to {MAX_MAX_LENGTH}, not {}",
                    q.max_length
                ),
            );
        }
        if q.min_length > q.max_length {
            return invalid(
                "quality.min_length",
                Some("quality.max_length"),
                format!(
                    "is {} but quality.max_length is {}: no password could pass",
                    q.min_length, q.max_length
                ),
            );
        }
        let classes = q.class_count();
        if q.min_classes > classes {
            let hint = if q.other_letters_class {
                ""
            } else {
                " (5 needs `other_letters_class = true`)"
            };
            return invalid(
                "quality.min_classes",
                Some("quality.other_letters_class"),
                format!(
                    "asks for {} classes but only {classes} exist{hint}",
                    q.min_classes
                ),
            );
        }
        if u32::from(q.min_classes) > q.min_length.max(1) && q.min_length > 0 {
            return invalid(
                "quality.min_classes",
                Some("quality.min_length"),
                format!(
                    "asks for {} classes, more than quality.min_length ({}) characters can hold",
                    q.min_classes, q.min_length
                ),
            );
        }

        let e = &self.expiry;
        if e.max_age_days > 0 && e.warn_days > e.max_age_days {
            return invalid(
                "expiry.warn_days",
                Some("expiry.max_age_days"),
                format!(
                    "is {} but passwords expire after expiry.max_age_days = {}",
                    e.warn_days, e.max_age_days
                ),
            );
        }
        if e.max_age_days > 0 && e.min_age_days >= e.max_age_days {
            return invalid(
                "expiry.min_age_days",
                Some("expiry.max_age_days"),
                format!(
                    "is {} but passwords expire after expiry.max_age_days = {}: \
                     users could never change in time",
                    e.min_age_days, e.max_age_days
                ),
            );
        }

        if !(1..=20).contains(&self.pam.retry) {
            return invalid(
                "pam.retry",
                None,
                format!("must be from 1 to 20, not {}", self.pam.retry),
            );
        }

        let h = &self.history;
        if !(1..=MAX_ARGON2_PARALLELISM).contains(&h.parallelism) {
            return invalid(
                "history.parallelism",
                None,
                format!(
                    "must be from 1 to {MAX_ARGON2_PARALLELISM}, not {}",
                    h.parallelism
                ),
            );
        }
        if !(1..=MAX_ARGON2_ITERATIONS).contains(&h.iterations) {
            return invalid(
                "history.iterations",
                None,
                format!(
                    "must be from 1 to {MAX_ARGON2_ITERATIONS}, not {}",
                    h.iterations
                ),
            );
        }
        let min_memory = 8 * h.parallelism;
        if !(min_memory..=MAX_ARGON2_MEMORY_KIB).contains(&h.memory_kib) {
            return invalid(
                "history.memory_kib",
                Some("history.parallelism"),
                format!(
                    "must be from {min_memory} (8 per lane) to {MAX_ARGON2_MEMORY_KIB}, not {}",
                    h.memory_kib
                ),
            );
        }
        let b = &self.breached;
        if b.file.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return invalid(
                "breached.file",
                None,
                "is empty: name a filter built with `pwpolicy breach build`, or leave it out"
                    .into(),
            );
        }
        if b.file
            .as_deref()
            .is_some_and(|f| !std::path::Path::new(f).is_absolute())
        {
            return invalid(
                "breached.file",
                None,
                "must be an absolute path: PAM and the services run from any directory".into(),
            );
        }
        if b.min_count == Some(0) {
            return invalid("breached.min_count", None, "must be at least 1".into());
        }
        if b.min_count.is_some() && b.file.is_none() {
            return invalid(
                "breached.min_count",
                None,
                "needs `file`: the list it applies to".into(),
            );
        }
        self.find_invalid_screens()?;
        self.find_invalid_directory()
    }

    /// Guessability and banned words.
    fn find_invalid_screens(&self) -> Result<(), Invalid> {
        if let Some(score) = self.guessability.min_score
            && score > crate::rules::guessability::MAX_SCORE
        {
            return invalid(
                "guessability.min_score",
                None,
                format!("must be from 0 to 4 (zxcvbn's scores), not {score}"),
            );
        }
        if self
            .history
            .pepper_file
            .as_deref()
            .is_some_and(|f| !std::path::Path::new(f).is_absolute())
        {
            return invalid(
                "history.pepper_file",
                None,
                "must be an absolute path: PAM and the services run from any directory".into(),
            );
        }
        if self.history.similarity && !self.history.remember.is_enabled() {
            return invalid(
                "history.similarity",
                Some("history.remember"),
                "needs a history to compare with: remember = 0 keeps none".into(),
            );
        }
        if self
            .banned
            .file
            .as_deref()
            .is_some_and(|f| !std::path::Path::new(f).is_absolute())
        {
            return invalid(
                "banned.file",
                None,
                "must be an absolute path: PAM and the services run from any directory".into(),
            );
        }
        if let Some(i) = self
            .banned
            .words
            .iter()
            .position(|w| crate::rules::banned::skeleton(w).is_empty())
        {
            return invalid(
                "banned.words",
                None,
                format!(
                    "word {} has no letters once look-alikes are read: it would match nothing",
                    i + 1
                ),
            );
        }
        Ok(())
    }

    /// The directory's URL, files and timeout.
    fn find_invalid_directory(&self) -> Result<(), Invalid> {
        let d = &self.directory;
        if let Some(url) = &d.url {
            let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
            if !matches!(scheme.as_deref(), Some("ldap" | "ldaps" | "ldapi")) {
                return invalid(
                    "directory.url",
                    None,
                    format!("must start ldaps://, ldap:// or ldapi://, not `{url}`"),
                );
            }
        }
        for (key, path) in [
            ("directory.bind_password_file", &d.bind_password_file),
            ("directory.ca_file", &d.ca_file),
        ] {
            if path
                .as_deref()
                .is_some_and(|f| !std::path::Path::new(f).is_absolute())
            {
                return invalid(
                    key,
                    None,
                    "must be an absolute path: the CLI runs from any directory".into(),
                );
            }
        }
        if d.bind_password_file.is_some() && d.bind_dn.is_none() {
            return invalid(
                "directory.bind_password_file",
                None,
                "needs `bind_dn`: whom the password is for".into(),
            );
        }
        if !(1..=3600).contains(&d.timeout_seconds) {
            return invalid(
                "directory.timeout_seconds",
                None,
                format!("must be from 1 to 3600, not {}", d.timeout_seconds),
            );
        }
        Ok(())
    }
}

/// A refused value: its key, another key the refusal depends on (to point at
/// when only that one is written), and why.
pub(super) struct Invalid {
    pub key: &'static str,
    pub related: Option<&'static str>,
    pub message: String,
}

fn invalid(
    key: &'static str,
    related: Option<&'static str>,
    message: String,
) -> Result<(), Invalid> {
    Err(Invalid {
        key,
        related,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(p: &Policy) -> &'static str {
        match p.validate() {
            Err(Error::PolicyInvalid { key, .. }) => key,
            other => panic!("expected PolicyInvalid, got {other:?}"),
        }
    }

    #[test]
    fn default_policy_is_valid() {
        Policy::default().validate().unwrap();
    }

    #[test]
    fn impossible_policies_are_refused() {
        let mut p = Policy::default();
        p.quality.min_classes = 5;
        assert_eq!(key_of(&p), "quality.min_classes");
        p.quality.other_letters_class = true;
        p.validate().unwrap();

        let mut p = Policy::default();
        p.quality.min_length = 300;
        assert_eq!(key_of(&p), "quality.min_length");

        let mut p = Policy::default();
        p.quality.max_length = 63;
        assert_eq!(key_of(&p), "quality.max_length");

        let mut p = Policy::default();
        p.quality.min_length = 2;
        assert_eq!(key_of(&p), "quality.min_classes");

        let mut p = Policy::default();
        p.expiry.warn_days = 91;
        assert_eq!(key_of(&p), "expiry.warn_days");

        let mut p = Policy::default();
        p.expiry.min_age_days = 90;
        assert_eq!(key_of(&p), "expiry.min_age_days");

        let mut p = Policy::default();
        p.history.memory_kib = 7;
        assert_eq!(key_of(&p), "history.memory_kib");
    }

    #[test]
    fn classes_must_match_someone_and_leave_a_possible_policy() {
        for (text, says) in [
            ("[[accounts.class]]\nname = \"a\"\n", "matches nobody"),
            ("[[accounts.class]]\ngroups = [\"g\"]\n", "needs a `name`"),
            (
                "[[accounts.class]]\nname = \"a\"\nusers = [\"x\"]\n[[accounts.class]]\nname = \"a\"\nusers = [\"y\"]\n",
                "defined twice",
            ),
            (
                "[[accounts.class]]\nname = \"a\"\nusers = [\"x\"]\nmin_length = 2\n",
                "quality.min_classes",
            ),
        ] {
            let err = Policy::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
            assert!(err.starts_with("policy file line "), "{err}");
        }
        // A shorter maximum age clamps the inherited warning window.
        Policy::from_toml("[[accounts.class]]\nname = \"a\"\nusers = [\"x\"]\nmax_age_days = 7\n")
            .unwrap();
    }

    #[test]
    fn a_directory_needs_an_ldap_url_and_absolute_files() {
        for (text, key) in [
            ("[directory]\nurl = \"https://dc\"\n", "directory.url"),
            ("[directory]\nurl = \"dc.example.com\"\n", "directory.url"),
            (
                "[directory]\nbind_dn = \"cn=r\"\nbind_password_file = \"pw\"\n",
                "directory.bind_password_file",
            ),
            (
                "[directory]\nbind_password_file = \"/etc/pw\"\n",
                "directory.bind_password_file",
            ),
            ("[directory]\nca_file = \"ca.pem\"\n", "directory.ca_file"),
            (
                "[directory]\ntimeout_seconds = 0\n",
                "directory.timeout_seconds",
            ),
        ] {
            match Policy::from_toml(text) {
                Err(crate::Error::PolicyInvalid { key: k, .. }) => assert_eq!(k, key, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        let p = Policy::from_toml(
            "[directory]\nurl = \"LDAPS://dc1.example.com\"\nbind_dn = \"svc@EXAMPLE.COM\"\nbind_password_file = \"/etc/pwpolicy/ldap.pw\"\n",
        )
        .unwrap();
        assert!(p.directory.starttls);
    }

    #[test]
    fn a_breached_list_needs_an_absolute_path_and_a_real_count() {
        for (text, says) in [
            ("[breached]\nfile = \"\"\n", "is empty"),
            ("[breached]\nfile = \"lists/hibp.pwbf\"\n", "absolute path"),
            (
                "[breached]\nfile = \"/l.pwbf\"\nmin_count = 0\n",
                "at least 1",
            ),
            ("[breached]\nmin_count = 10\n", "needs `file`"),
            (
                "[breached]\nfile = \"/l.pwbf\"\nmincount = 10\n",
                "unknown key",
            ),
        ] {
            let err = Policy::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains("line "), "{text}: {err}");
        }
        let p =
            Policy::from_toml("[breached]\nfile = \"/var/lib/pwpolicy/b.pwbf\"\nmin_count = 5\n")
                .unwrap();
        assert_eq!((p.breached.min_count, p.breached.nfkc), (Some(5), true));
    }

    #[test]
    fn disabled_expiry_allows_any_warn_and_min_age() {
        let mut p = Policy::default();
        p.expiry.max_age_days = 0;
        p.expiry.warn_days = 500;
        p.expiry.min_age_days = 500;
        p.validate().unwrap();
    }
}

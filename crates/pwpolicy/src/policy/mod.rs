//! The policy: what an organisation requires of a password, with defaults that
//! are exactly the organisation's ICT policy (see `DESIGN.md`).

mod file;
mod validate;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::accounts::AccountRules;
use crate::rules::banned::BannedWords;
use crate::standards::Profile;

/// Default minimum length, in code points after NFKC normalisation.
pub const DEFAULT_MIN_LENGTH: u32 = 8;
/// Default maximum length, in code points after NFKC normalisation.
pub const DEFAULT_MAX_LENGTH: u32 = 256;
/// The smallest maximum length a policy may set: a cap below this would forbid
/// good passphrases (NIST SP 800-63B asks for at least 64).
pub const MIN_MAX_LENGTH: u32 = 64;
/// The largest maximum length a policy may set.
pub const MAX_MAX_LENGTH: u32 = 1024;
/// Default number of character classes a password must use.
pub const DEFAULT_MIN_CLASSES: u8 = 3;
/// Default days between required changes.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 90;
/// Default days of warning before a password expires.
pub const DEFAULT_WARN_DAYS: u32 = 14;
/// Default days a password must be kept before it may be changed again.
pub const DEFAULT_MIN_AGE_DAYS: u32 = 0;
/// Default argon2id memory cost in KiB (OWASP's 19 MiB profile).
pub const DEFAULT_ARGON2_MEMORY_KIB: u32 = 19_456;
/// Default argon2id passes.
pub const DEFAULT_ARGON2_ITERATIONS: u32 = 2;
/// Default argon2id lanes.
pub const DEFAULT_ARGON2_PARALLELISM: u32 = 1;

/// A complete password policy. `Policy::default()` is the organisation's policy.
///
/// Build one from TOML with [`Policy::from_toml`], or start from the default
/// and change fields, then call [`Policy::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Policy {
    /// The published standard whose values this policy starts from; the
    /// file's own keys override them. Unset: the organisation's policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// Passwords are one factor of several (multi-factor authentication):
    /// what the standards ask of them depends on it (see
    /// [`crate::standards`]).
    pub multi_factor: bool,
    /// Rules on the password text itself.
    pub quality: QualityRules,
    /// How long a password lives.
    pub expiry: ExpiryRules,
    /// Which earlier passwords may not come back, and how they are hashed.
    pub history: HistoryRules,
    /// Where the per-user state lives (read by the edges, not by this crate).
    pub store: StoreSettings,
    /// How the PAM module behaves (read by the PAM module, not by this crate).
    pub pam: PamSettings,
    /// How the Windows password filter behaves (read by the filter, not by this crate).
    pub filter: FilterSettings,
    /// The local policy service, `pwpolicyd` (read by the service and its clients).
    pub service: ServiceSettings,
    /// Which accounts the policy applies to, and classes with their own settings.
    pub accounts: AccountRules,
    /// Screening against a list of breached passwords (off unless a file is named).
    pub breached: BreachedRules,
    /// Scoring with zxcvbn (off unless `min_score` is set).
    pub guessability: GuessabilityRules,
    /// Words that may not appear in a password, however written (none by default).
    pub banned: BannedRules,
    /// The directory (Active Directory) whose users `status` and `report`
    /// answer for, and whose settings `policy audit --directory` reads.
    pub directory: DirectorySettings,
    /// Reminders by mail (`pwpolicy notify`; read by the CLI).
    pub notify: NotifySettings,
    /// The self-service page, `pwpolicy-web` (read by it alone).
    pub web: WebSettings,
}

impl Policy {
    /// The self-service page's address as reminders give it: `[notify]
    /// url`, else `[web] url`; `None` when neither is set.
    pub fn page_url(&self) -> Option<&str> {
        self.notify.url.as_deref().or(self.web.url.as_deref())
    }
}

/// Where `pwpolicy-web` listens, the certificate it serves, and where the
/// changes it takes go. Nothing here is read until `pwpolicy-web` starts:
/// the page is off until `cert_file` and `key_file` are set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WebSettings {
    /// The address and port to listen on (HTTPS only).
    pub listen: String,
    /// The server's certificate chain, PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The certificate's private key, PEM, readable by its owner only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// The page's public address, given in reminder mails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The PAM service a local account's change goes through (pwpolicyd
    /// runs it as the user's `passwd` would); unset: local accounts are not
    /// changed here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pam_service: Option<String>,
    /// The account `pwpolicy-web` runs as: pwpolicyd takes changes through
    /// PAM from it and from root, from no one else.
    pub user: String,
    /// Where the page's files (HTML, script, the WebAssembly core) are.
    pub assets: String,
    /// Change attempts one account may make in an hour, from anywhere.
    pub account_attempts_per_hour: u32,
    /// Requests (rule lookups and attempts) one address may make in a minute.
    pub address_requests_per_minute: u32,
    /// Connections open at once; more wait in the kernel's backlog.
    pub max_connections: u32,
    /// Seconds a client has for the TLS handshake, and then for each
    /// request's headers: a slow client is cut off, not waited for.
    pub client_timeout_seconds: u32,
}

/// Where the package installs the page's files.
pub const DEFAULT_WEB_ASSETS: &str = "/usr/share/pwpolicy/web";

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            listen: "[::]:8443".to_owned(),
            cert_file: None,
            key_file: None,
            url: None,
            pam_service: None,
            user: "pwpolicy-web".to_owned(),
            assets: DEFAULT_WEB_ASSETS.to_owned(),
            account_attempts_per_hour: 10,
            address_requests_per_minute: 60,
            max_connections: 256,
            client_timeout_seconds: 10,
        }
    }
}

/// Where people can change their password, as `[notify] platforms` names
/// them for the default reminder's text.
pub const PLATFORMS: [&str; 3] = ["linux", "windows", "web"];

/// The days before expiry a reminder goes out, by default.
pub const DEFAULT_NOTIFY_DAYS: [u32; 4] = [14, 7, 3, 1];

/// Reminders by mail: when they go, and through which mail server (the
/// core decides who is due from `days` and the classes'
/// `remind_after_days`; the CLI reads the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NotifySettings {
    /// `smtp://HOST:PORT` (STARTTLS required) or `smtps://HOST:PORT`
    /// (implicit TLS); unset: no mail can be sent (a dry run still lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<String>,
    /// PEM certificates of CAs to trust besides the system's (a mail
    /// server with its own CA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// Who to log in as (SMTP AUTH); unset: no login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A file holding the SMTP password (its first line), readable by its
    /// owner only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_file: Option<String>,
    /// Upgrade `smtp://` with STARTTLS, certificates checked; `false` sends
    /// mail (and any password) in clear, and says so at every run.
    pub starttls: bool,
    /// The sender, `Name <address>` or an address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The recipient of a user's reminder, with `{user}` for the account
    /// name (`"{user}@example.org"`); a directory user's `mail` comes first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Days before expiry when a reminder goes out, once each per password.
    pub days: Vec<u32>,
    /// The most reminders one run sends; the rest wait for the next run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_per_run: Option<u32>,
    /// Who gets one summary of each run, with the HTML report attached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<String>,
    /// A file holding the subject's template (unset: the built-in one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_file: Option<String>,
    /// A file holding the body's template (unset: the built-in one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_file: Option<String>,
    /// Where people change their password, as the default text says it:
    /// `linux` (`passwd`), `windows` (Ctrl+Alt+Del), `web` (the
    /// self-service page's `url`).
    pub platforms: Vec<String>,
    /// The self-service page's address, shown in reminders when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Seconds to wait for the mail server to connect or answer.
    pub timeout_seconds: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            smtp: None,
            ca_file: None,
            username: None,
            password_file: None,
            starttls: true,
            from: None,
            to: None,
            days: DEFAULT_NOTIFY_DAYS.to_vec(),
            max_per_run: None,
            admin: None,
            subject_file: None,
            body_file: None,
            platforms: vec!["linux".to_owned()],
            url: None,
            timeout_seconds: 30,
        }
    }
}

/// Where the directory is and how to reach it (read by the CLI, not by
/// this crate). The bind password lives in its own file, never here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DirectorySettings {
    /// `ldaps://HOST`, `ldap://HOST` (with StartTLS) or `ldapi://PATH`;
    /// unset means no directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who to bind as (a DN, or `user@REALM` on Active Directory); unset
    /// binds anonymously.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_dn: Option<String>,
    /// A file holding the bind password (its first line), readable by its
    /// owner only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_password_file: Option<String>,
    /// Where users are searched [default: the domain's naming context].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// PEM certificates of the CAs to trust besides the system's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// Upgrade `ldap://` connections with StartTLS (certificates checked);
    /// `false` sends the bind password in clear, and is logged each time.
    pub starttls: bool,
    /// Seconds to wait for the directory to connect or answer.
    pub timeout_seconds: u32,
}

impl Default for DirectorySettings {
    fn default() -> Self {
        DirectorySettings {
            url: None,
            bind_dn: None,
            bind_password_file: None,
            base: None,
            ca_file: None,
            starttls: true,
            timeout_seconds: 30,
        }
    }
}

/// Screening against a list of breached passwords, built with
/// `pwpolicy breach build` (read by the edges, which map the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct BreachedRules {
    /// The filter file; unset means no screening.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The list must hold every password seen at least this many times: a
    /// filter built with a higher `--min-count` is refused as too sparse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u64>,
    /// Look a password up as typed and also in its NFKC form (what the other
    /// rules see), so `ｐａｓｓｗｏｒｄ` is found as `password`.
    pub nfkc: bool,
}

impl Default for BreachedRules {
    fn default() -> Self {
        BreachedRules {
            file: None,
            min_count: None,
            nfkc: true,
        }
    }
}

/// Scoring how guessable a password is with zxcvbn (see
/// [`crate::rules::guessability`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct GuessabilityRules {
    /// The lowest zxcvbn score accepted, 0 to 4 (3: "safely unguessable",
    /// 10⁸ guesses or more); unset scores nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_score: Option<u8>,
}

/// Words that may not appear in a password (see [`crate::rules::banned`]):
/// written here, and/or one a line in a file the edges read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct BannedRules {
    /// Words and phrases, matched in any case and with look-alike
    /// characters; these also count against a password in zxcvbn's score.
    pub words: Vec<String>,
    /// A file of more words, one a line (`#` comments); unset means none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The words of `file`, once an edge has read it.
    #[serde(skip)]
    listed: BannedWords,
    /// `words` compiled, at the first check.
    #[serde(skip)]
    written: Compiled,
}

/// `words` as compiled at the first check, with the words it was compiled
/// from: building the matcher costs 100 times a check, and `words` is a
/// public field that may change after. A cache, so never part of equality.
#[derive(Debug, Clone, Default)]
struct Compiled(std::sync::OnceLock<(Vec<String>, BannedWords)>);

impl PartialEq for Compiled {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Compiled {}

impl BannedRules {
    /// Adds the words of the list in `file`, whose text an edge has read.
    /// Returns how many distinct words the list holds.
    ///
    /// # Errors
    ///
    /// [`Error::BannedList`] naming the first bad line.
    pub fn load_list(&mut self, text: &str) -> Result<usize, Error> {
        let list = BannedWords::new(BannedWords::parse(text)?);
        let count = list.len();
        self.listed.extend(&list);
        Ok(count)
    }

    /// [`BannedRules::load_list`] on the file's bytes, as an edge read them.
    ///
    /// # Errors
    ///
    /// A message for people: the bytes are not UTF-8 (and where), or a line
    /// is bad (which).
    pub fn load_list_bytes(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()))?;
        self.load_list(text).map_err(|e| e.to_string())
    }

    /// Whether `password` (NFKC) contains a banned word, written here or
    /// in the loaded list.
    pub fn is_found_in(&self, password: &str) -> bool {
        let compile = || BannedWords::new(self.words.iter().map(String::as_str));
        let written = || {
            let (from, list) = self
                .written
                .0
                .get_or_init(|| (self.words.clone(), compile()));
            if *from == self.words {
                list.is_found_in(password)
            } else {
                compile().is_found_in(password)
            }
        };
        self.listed.is_found_in(password) || (!self.words.is_empty() && written())
    }
}

/// Where the local policy service listens and who administers it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ServiceSettings {
    /// The service's socket; when set, the CLI and the PAM module ask the
    /// service instead of opening the store themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// Members of this group may do everything root may through the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_group: Option<String>,
}

/// Settings of the Windows password filter (`pwpolicyfilt.dll`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FilterSettings {
    /// Check passwords an administrator sets (`SetOperation = TRUE`) too.
    pub check_resets: bool,
    /// Report what would be refused, refuse nothing.
    pub audit: bool,
    /// What to do when the breached-password list cannot be read: `fail`
    /// refuses the change, `ignore` skips the list (logged).
    pub on_error: OnError,
}

impl Default for FilterSettings {
    fn default() -> Self {
        FilterSettings {
            check_resets: true,
            audit: false,
            on_error: OnError::Fail,
        }
    }
}

/// Settings of the PAM module; its arguments override them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PamSettings {
    /// How many times a user may try a new password before `PAM_MAXTRIES`.
    pub retry: u32,
    /// Refuse bad passwords set by root too (else root only sees warnings).
    pub enforce_for_root: bool,
    /// Report what would be refused, but refuse nothing (a gradual roll-out).
    pub audit: bool,
    /// What to do when the store cannot be reached.
    pub on_error: OnError,
    /// What the account phase (logins) does when the store cannot be
    /// reached; unset means `on_error`. System accounts never need the store
    /// there, so `fail` locks out people, not root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_on_error: Option<OnError>,
    /// What the account phase does for a user the store has never seen.
    pub unknown_user: UnknownUser,
    /// Tell the rules once before the first "New password:" prompt (and in
    /// `pwpolicy change` on a terminal), as passwdqc's intro does.
    pub show_rules: bool,
}

impl PamSettings {
    /// What the account phase does when the store cannot be reached.
    pub fn account_on_error(&self) -> OnError {
        self.account_on_error.unwrap_or(self.on_error)
    }
}

impl Default for PamSettings {
    fn default() -> Self {
        PamSettings {
            retry: 3,
            enforce_for_root: false,
            audit: false,
            on_error: OnError::Fail,
            account_on_error: None,
            unknown_user: UnknownUser::Enrol,
            show_rules: true,
        }
    }
}

/// What the PAM module (or the Windows filter) does when the store or the
/// breached-password list cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Fail closed: refuse the change or the login.
    Fail,
    /// Carry on without history or expiry (logged).
    Ignore,
}

/// What the account phase does for a user the store has never seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownUser {
    /// Record today as the last change: the 90 days start now.
    Enrol,
    /// Let them in and record nothing.
    Ignore,
    /// Force a change at this login.
    Expire,
}

/// Where the edges keep per-user state. This crate only carries the setting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct StoreSettings {
    /// A SQLite file path or a `postgres://` URL; unset means the default
    /// path `/var/lib/pwpolicy/state.db`. Keep database passwords out of this
    /// file (it is usually world-readable): use peer authentication or a
    /// `.pgpass` file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<String>,
}

/// Rules on the text of a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct QualityRules {
    /// Fewest code points allowed (after NFKC). 0 disables the minimum.
    pub min_length: u32,
    /// Most code points allowed (after NFKC), from 64 to 1024.
    pub max_length: u32,
    /// How many character classes must appear (0 disables the rule).
    pub min_classes: u8,
    /// Count letters without case (CJK, Arabic, Hebrew, …) as a fifth class, as
    /// Windows does. Off by default: such letters then count towards no class.
    pub other_letters_class: bool,
    /// Require at least one letter and one digit (PCI DSS 8.3.6's "numeric
    /// and alphabetic"), besides any class count.
    pub letters_and_digits: bool,
    /// How the account name and the full name are kept out of passwords.
    pub name_check: NameCheck,
    /// Most times one character may appear in a row (pam_pwquality's
    /// `maxrepeat`); 0 is off.
    pub max_repeat: u32,
    /// Longest run of characters stepping by one (`abcd`, `4321`)
    /// allowed (pam_pwquality's `maxsequence`); 0 is off.
    pub max_sequence: u32,
}

impl Default for QualityRules {
    fn default() -> Self {
        QualityRules {
            min_length: DEFAULT_MIN_LENGTH,
            max_length: DEFAULT_MAX_LENGTH,
            min_classes: DEFAULT_MIN_CLASSES,
            other_letters_class: false,
            letters_and_digits: false,
            name_check: NameCheck::Windows,
            max_repeat: 0,
            max_sequence: 0,
        }
    }
}

/// How names are kept out of passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameCheck {
    /// Microsoft's rule: the whole account name (if 3 or more characters), and
    /// every full-name token of 3 or more characters, may not appear.
    Windows,
    /// Stricter: no 3 consecutive characters of the account name or of any
    /// full-name token may appear.
    Strict,
    /// Names are not checked.
    Off,
}

/// Expiry and minimum age, in whole days; 0 disables each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ExpiryRules {
    /// Days after a change when the password expires (0: never).
    pub max_age_days: u32,
    /// Days before expiry when users are warned (0: no warning).
    pub warn_days: u32,
    /// Days after a change before another change is allowed (0: any time).
    pub min_age_days: u32,
}

impl Default for ExpiryRules {
    fn default() -> Self {
        ExpiryRules {
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            warn_days: DEFAULT_WARN_DAYS,
            min_age_days: DEFAULT_MIN_AGE_DAYS,
        }
    }
}

/// Password history: how many earlier passwords are remembered and the argon2id
/// cost of remembering them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HistoryRules {
    /// How many earlier passwords may not be reused.
    pub remember: Remember,
    /// argon2id memory cost in KiB.
    pub memory_kib: u32,
    /// argon2id passes over memory.
    pub iterations: u32,
    /// argon2id lanes.
    pub parallelism: u32,
    /// Also refuse a password whose stem (its letters, with digits, symbols
    /// and case taken away; see [`crate::Stem`]) is that of a remembered
    /// one: `Summer#2025` after `Summer#2024`. Costs one more argon2 run per
    /// check against the history and per change, and stores a hash of each
    /// stem.
    pub similarity: bool,
    /// A file holding the pepper: a secret key mixed into every new history
    /// and stem hash, kept out of the store (readable by its owner only;
    /// the edges refuse anything else). Unset: no pepper.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pepper_file: Option<String>,
}

impl Default for HistoryRules {
    fn default() -> Self {
        HistoryRules {
            remember: Remember::All,
            memory_kib: DEFAULT_ARGON2_MEMORY_KIB,
            iterations: DEFAULT_ARGON2_ITERATIONS,
            parallelism: DEFAULT_ARGON2_PARALLELISM,
            similarity: false,
            pepper_file: None,
        }
    }
}

/// How deep the password history goes.
///
/// In TOML: `remember = "all"` (the default: "never repeated"), or a count,
/// with `remember = 0` switching history off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remember {
    /// Every earlier password is remembered.
    All,
    /// The last `n` passwords (including the current one) are remembered.
    Last(u32),
}

impl Remember {
    /// Whether any history is kept.
    pub fn is_enabled(self) -> bool {
        self != Remember::Last(0)
    }

    /// How many entries to keep, `None` for all of them.
    pub fn depth(self) -> Option<u32> {
        match self {
            Remember::All => None,
            Remember::Last(n) => Some(n),
        }
    }
}

impl Serialize for Remember {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Remember::All => s.serialize_str("all"),
            Remember::Last(n) => s.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for Remember {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Remember;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"all\" or a number of passwords from 0 to 1000000")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Remember, E> {
                match v {
                    "all" => Ok(Remember::All),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Remember, E> {
                match u32::try_from(v) {
                    Ok(n) if n <= 1_000_000 => Ok(Remember::Last(n)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Remember, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Policy {
    /// Number of character classes this policy recognises: 4, or 5 with
    /// [`QualityRules::other_letters_class`].
    pub fn class_count(&self) -> u8 {
        self.quality.class_count()
    }

    /// The policy as TOML with every key written out, defaults included.
    pub fn to_toml(&self) -> String {
        // Serialising plain structs of numbers, booleans and strings cannot fail.
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot render policy: {e}\n"))
    }
}

impl QualityRules {
    /// Number of character classes these rules recognise: 4, or 5 with
    /// [`QualityRules::other_letters_class`].
    pub fn class_count(&self) -> u8 {
        if self.other_letters_class { 5 } else { 4 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_banned_words_are_compiled_once_and_follow_changes() {
        let mut policy = Policy::from_toml("[banned]\nwords = [\"Acme\"]\n").unwrap();
        assert!(policy.banned.is_found_in("my-acme-1"));
        let compiled = policy.clone();
        assert_eq!(
            compiled,
            Policy::from_toml("[banned]\nwords = [\"Acme\"]\n").unwrap()
        );
        // The field changed after the first check: the cache is not used.
        policy.banned.words = vec!["Oakfield".into()];
        assert!(!policy.banned.is_found_in("my-acme-1"));
        assert!(policy.banned.is_found_in("0akf1eld!"));
    }
}

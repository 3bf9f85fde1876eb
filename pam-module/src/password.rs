//! The password phase (`pam_sm_chauthtok`): ask for the new password (or take
//! it from an earlier module), check it against the policy and the history,
//! hand it on in `PAM_AUTHTOK`; and, in a `commit` entry below the modules
//! that really change the password, record it.

use pwpolicy::{OnError, Prehashed, Violation};
use pwpolicy_host::Facts;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::backend::{Answers, Unavailable, text_rules};
use crate::conversation::Conversation;
use crate::ffi::Priority;
use crate::options::Options;
use crate::outcome::Outcome;

/// Prompts, as pam_unix words them.
const PROMPT_NEW: &str = "New password: ";
const PROMPT_RETYPE: &str = "Retype new password: ";
const MISMATCH: &str = "Sorry, passwords do not match.";
/// What an ordinary user sees when the store is unreachable.
const STORE_DOWN: &str = "The password history is unavailable. Please contact your administrator.";
/// What root is told when resetting a password through an outage.
const ROOT_THROUGH_OUTAGE: &str = "pwpolicy: warning: the password history is unavailable: \
     this password is checked against the rules only, and the change will not be recorded";

/// Who is changing the password, which decides whether a refusal is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The real uid of the process is 0 (`passwd alice` by root, but also
    /// `login`, `sshd` and display managers).
    pub root: bool,
    /// The application passed `PAM_CHANGE_EXPIRED_AUTHTOK`: a user forced to
    /// change at login (login, sshd, su), whatever uid the process has.
    pub forced_change: bool,
}

impl Caller {
    /// Whether a refusal stands: as pam_pwquality decides it,
    /// `getuid() || enforce_for_root || (flags & PAM_CHANGE_EXPIRED_AUTHTOK)`.
    pub fn enforced(self, enforce_for_root: bool) -> bool {
        !self.root || enforce_for_root || self.forced_change
    }

    /// Whether the minimum age applies: to users changing their own password,
    /// not to root resetting someone's.
    pub fn min_age_applies(self) -> bool {
        !self.root || self.forced_change
    }
}

/// What the check entry hashed of the password it handed on, kept in the
/// PAM handle for the commit entry below it, so a change costs one argon2
/// run: the commit records these entries instead of hashing again, if
/// `PAM_AUTHTOK` is still this password (a module in between may have
/// changed it) and the account is still this one.
#[derive(Clone)]
pub struct Checked {
    user: String,
    password: Zeroizing<String>,
    prehashed: Prehashed,
}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Checked {
    /// The entries, if they were made of `password` for `user`; the
    /// password is compared in constant time.
    fn entries_of(self, user: &str, password: &str) -> Option<Prehashed> {
        let same =
            self.user == user && bool::from(self.password.as_bytes().ct_eq(password.as_bytes()));
        same.then_some(self.prehashed)
    }
}

/// `PAM_UPDATE_AUTHTOK` in a checking entry: ask, check at once (before the
/// retype, as pam_pwquality does), and only then ask for the retype.
pub fn check(conv: &mut Conversation<'_>, opts: &Options, caller: Caller) -> Outcome {
    let user = match conv.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let facts = Facts::lookup(&user);
    let coverage = facts.coverage(&opts.policy);
    let pam = &opts.policy.pam;
    if !coverage.checks_passwords() {
        conv.log(
            Priority::Info,
            &format!(
                "{user} is in class {}, exempt from the policy: not checked",
                coverage.class.as_str()
            ),
        );
        return match ask(conv, opts) {
            Ok(Some(password)) => hand_on(conv, &password, &user, "exempt"),
            Ok(None) => Outcome::TriesExhausted,
            Err(outcome) => outcome,
        };
    }
    let policy = &*coverage.policy();
    let enforced = caller.enforced(pam.enforce_for_root);
    let mut backend = Answers::open(opts);
    let tries = if opts.use_authtok { 1 } else { pam.retry };
    // Once, before the first prompt: the rules of the user's class. Not
    // with use_authtok, where another module has asked already.
    if pam.show_rules && !opts.use_authtok {
        let intro = policy.rules_before_prompt();
        if !intro.is_empty() {
            conv.info(&intro);
        }
    }
    for attempt in 1..=tries {
        let password = match new_password(conv, opts) {
            Ok(p) => p,
            Err(outcome) => return outcome,
        };
        let mut prehashed = None;
        let mut found = match backend.judge(&user, &password, caller.min_age_applies()) {
            Ok((found, made)) => {
                prehashed = made;
                found
            }
            Err(e) => match unavailable(conv, opts, enforced, &e) {
                // on_error=ignore: the text rules still apply, and the
                // breached list if it is the store that failed.
                Outcome::Ignore => match text_rules(policy, &user, &facts.full_name, &password) {
                    Ok(found) => found,
                    Err((found, why)) => {
                        conv.log(
                            Priority::Err,
                            &format!("{why}; on_error=ignore: not screened against it"),
                        );
                        found
                    }
                },
                outcome => return outcome,
            },
        };
        if let Some(similar) = similar_to_old(conv, policy, &password, &found) {
            found.push(similar);
        }
        let why = if found.is_empty() {
            "accepted"
        } else {
            for f in &found {
                conv.error(&format!("BAD PASSWORD: {f}"));
            }
            let codes = codes(&found);
            if pam.audit {
                conv.log(
                    Priority::Notice,
                    &format!("audit: would refuse the new password of {user}: {codes}"),
                );
                "accepted in audit mode"
            } else if !enforced {
                // Root's word goes, as with pam_pwquality; the log says so and
                // the commit entry records it, so expiry restarts.
                conv.log(
                    Priority::Notice,
                    &format!("root set a password for {user} that the policy refuses: {codes}"),
                );
                "set by root despite the policy"
            } else {
                conv.clear_authtok();
                conv.log(
                    Priority::Notice,
                    &format!(
                        "refused the new password of {user} (try {attempt} of {tries}): {codes}"
                    ),
                );
                continue;
            }
        };
        match retype(conv, opts, &password) {
            Ok(true) => {
                let outcome = hand_on(conv, &password, &user, why);
                if let (Outcome::Success, Some(prehashed)) = (&outcome, prehashed) {
                    conv.keep_checked(Checked {
                        user,
                        password,
                        prehashed,
                    });
                }
                return outcome;
            }
            Ok(false) => continue,
            Err(outcome) => return outcome,
        }
    }
    if opts.use_authtok {
        Outcome::Refused
    } else {
        Outcome::TriesExhausted
    }
}

/// `similar_to_history` when the policy compares stems and the application
/// supplied the current password (`PAM_OLDAUTHTOK`, which pam_unix sets in
/// its preliminary pass) whose stem is the new one's: caught even where the
/// history holds no stem of it, and without a hash. Nothing when a history
/// finding already says so.
fn similar_to_old(
    conv: &Conversation<'_>,
    policy: &pwpolicy::Policy,
    password: &str,
    found: &[Violation],
) -> Option<Violation> {
    if !policy.history.similarity
        || found
            .iter()
            .any(|v| matches!(v, Violation::Reused { .. } | Violation::SimilarToHistory))
    {
        return None;
    }
    let old = conv.old_authtok()?;
    let (new, old) = (
        pwpolicy::Password::new(password),
        pwpolicy::Password::new(&old),
    );
    // The same password is the history's, or pam_unix's, to refuse.
    if new.expose() == old.expose() {
        return None;
    }
    let similar = pwpolicy::Stem::of(&new).is_some_and(|s| Some(s) == pwpolicy::Stem::of(&old));
    similar.then_some(Violation::SimilarToHistory)
}

fn codes(found: &[Violation]) -> String {
    found
        .iter()
        .map(Violation::code)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate: from `PAM_AUTHTOK` with `use_authtok`, else asked once
/// (the retype comes after the check).
fn new_password(conv: &Conversation<'_>, opts: &Options) -> Result<Zeroizing<String>, Outcome> {
    if opts.use_authtok {
        return match conv.authtok() {
            Ok(Some(token)) => Ok(token),
            Ok(None) => {
                conv.log(
                    Priority::Err,
                    "use_authtok: no password from an earlier module",
                );
                Err(Outcome::Refused)
            }
            Err(code) => Err(code.into()),
        };
    }
    conv.prompt_secret(PROMPT_NEW).map_err(Outcome::from)
}

/// Asks for the retype of an accepted password (not with `use_authtok`:
/// the module that asked has verified it). `Ok(false)` for a mismatch.
fn retype(conv: &Conversation<'_>, opts: &Options, password: &str) -> Result<bool, Outcome> {
    if opts.use_authtok {
        return Ok(true);
    }
    let second = conv.prompt_secret(PROMPT_RETYPE).map_err(Outcome::from)?;
    if *second != *password {
        conv.error(MISMATCH);
        return Ok(false);
    }
    Ok(true)
}

/// A password for an account the policy exempts: asked and retyped, unchecked.
fn ask(conv: &Conversation<'_>, opts: &Options) -> Result<Option<Zeroizing<String>>, Outcome> {
    let tries = if opts.use_authtok {
        1
    } else {
        opts.policy.pam.retry
    };
    for _ in 0..tries {
        let password = new_password(conv, opts)?;
        if retype(conv, opts, &password)? {
            return Ok(Some(password));
        }
    }
    Ok(None)
}

/// Hands the password on exactly as typed: the system must store what the
/// user will type at login (only our checks and hashes use the NFKC form).
fn hand_on(conv: &mut Conversation<'_>, password: &str, user: &str, why: &str) -> Outcome {
    match conv.set_authtok(password) {
        Ok(()) => {
            conv.log(Priority::Debug, &format!("new password of {user} {why}"));
            Outcome::Success
        }
        Err(code) => code.into(),
    }
}

/// The store or service failed: fail closed, or carry on without it
/// (`on_error=ignore`). Root's reset is not enforced, so it carries on
/// through any outage, warned that the history will not record it.
fn unavailable(
    conv: &Conversation<'_>,
    opts: &Options,
    enforced: bool,
    e: &Unavailable,
) -> Outcome {
    conv.log(
        Priority::Err,
        &format!("cannot check the new password: {}", e.0),
    );
    if !enforced {
        conv.error(&format!("pwpolicy: {}", e.0));
        conv.error(ROOT_THROUGH_OUTAGE);
        return Outcome::Ignore;
    }
    match opts.policy.pam.on_error {
        OnError::Fail => {
            conv.error_for(&e.0, STORE_DOWN);
            Outcome::StoreUnavailable
        }
        OnError::Ignore => Outcome::Ignore,
    }
}

/// `PAM_UPDATE_AUTHTOK` in a `commit` entry: the modules above succeeded
/// (they must be `requisite`), so the new password in `PAM_AUTHTOK` is now
/// the user's. Record it in the history and move the last-change time.
pub fn commit(conv: &mut Conversation<'_>, opts: &Options, caller: Caller) -> Outcome {
    let user = match conv.user() {
        Ok(user) => user,
        Err(code) => return code.into(),
    };
    let facts = Facts::lookup(&user);
    let coverage = facts.coverage(&opts.policy);
    if !coverage.checks_passwords() {
        return Outcome::Ignore;
    }
    // The check entry refused reuse unless root overrode it (or in audit
    // mode): then the system already uses this password, and the record must
    // follow, or the user would be forced to change again at every login.
    let pam = &opts.policy.pam;
    let allow_reuse = pam.audit || !caller.enforced(pam.enforce_for_root);
    let token = match conv.authtok() {
        Ok(Some(token)) => token,
        Ok(None) => {
            conv.log(
                Priority::Err,
                &format!("commit: no new password for {user} in PAM_AUTHTOK; nothing recorded"),
            );
            return Outcome::Ignore;
        }
        Err(code) => return code.into(),
    };
    let prehashed = conv
        .take_checked()
        .and_then(|checked| checked.entries_of(&user, &token));
    match Answers::open(opts).commit(&user, &token, allow_reuse, prehashed.as_ref()) {
        Ok(Ok(())) => {
            conv.log(
                Priority::Info,
                &format!("recorded a password change for {user}"),
            );
            Outcome::Success
        }
        Ok(Err(found)) => {
            // Only a race can get here (the check entry refused reuse).
            conv.log(
                Priority::Warning,
                &format!(
                    "password of {user} changed but not recorded: {}",
                    codes(&found)
                ),
            );
            Outcome::Success
        }
        Err(e) => {
            // The password is already changed; failing now would only
            // mislead. The administrator must see this in the log.
            conv.log(
                Priority::Err,
                &format!("password of {user} changed but not recorded: {}", e.0),
            );
            Outcome::Success
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commit uses the check's entries only for the password and the
    /// account they were made of: a module between the two that changed
    /// `PAM_AUTHTOK`, or another account, gets a fresh hash.
    #[test]
    fn entries_go_only_with_their_own_password_and_account() {
        let mut policy = pwpolicy::Policy::default();
        policy.history.memory_kib = 64;
        let hasher = pwpolicy::Hasher::new(&policy.history, None).unwrap();
        let salt = pwpolicy::UserSalt::from_bytes([4; 16]);
        let entry = hasher
            .hash(&pwpolicy::Password::new("Blue-Kettle-42"), &salt)
            .unwrap();
        let checked = Checked {
            user: "erin".into(),
            password: Zeroizing::new("Blue-Kettle-42".into()),
            prehashed: Prehashed { entry, stem: None },
        };
        assert!(
            checked
                .clone()
                .entries_of("erin", "Blue-Kettle-42")
                .is_some()
        );
        assert!(
            checked
                .clone()
                .entries_of("erin", "Blue-Kettle-43")
                .is_none()
        );
        assert!(
            checked
                .clone()
                .entries_of("erin", "Blue-Kettle-4")
                .is_none()
        );
        assert!(
            checked
                .clone()
                .entries_of("john", "Blue-Kettle-42")
                .is_none()
        );
        assert!(!format!("{checked:?}").contains("Kettle"));
    }
}

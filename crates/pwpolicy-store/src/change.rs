//! The rules of a password change that every database applies the same way:
//! minimum age, reuse, and how deep the history stays.

use pwpolicy::{HistoryEntry, Prehashed, Remember, Stem, UserSalt, Violation};

use crate::StoreError;
use crate::record::{HistoryScope, PasswordChange, UserHistory};

/// Largest user name, in bytes.
const MAX_USER_BYTES: usize = 256;

/// Refuses user names no system uses: empty, overlong, or with control characters.
pub fn validate_user(name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        Err(StoreError::InvalidUser("it is empty"))
    } else if name.len() > MAX_USER_BYTES {
        Err(StoreError::InvalidUser("it is longer than 256 bytes"))
    } else if name.chars().any(char::is_control) {
        Err(StoreError::InvalidUser("it contains control characters"))
    } else {
        Ok(())
    }
}

/// A fresh per-user salt from the operating system.
pub fn new_salt() -> Result<UserSalt, StoreError> {
    let mut bytes = [0u8; pwpolicy::SALT_LEN];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(UserSalt::from_bytes(bytes))
}

/// The entries that count for reuse: the newest `remember` ones.
pub fn window<T>(entries: &[T], remember: Remember) -> &[T] {
    match remember.depth() {
        Some(n) => &entries[entries.len().saturating_sub(n as usize)..],
        None => entries,
    }
}

/// The entries (or their stems) a check compares with: the window first,
/// then, for [`HistoryScope::ExceptCurrent`], the newest left out, so that
/// the ones compared are those a change would be refused for, less the
/// current password.
fn counted<T>(entries: &[T], remember: Remember, scope: HistoryScope) -> &[T] {
    let counted = window(entries, remember);
    match scope {
        HistoryScope::Whole => counted,
        HistoryScope::ExceptCurrent => &counted[..counted.len().saturating_sub(1)],
    }
}

/// The stems of the counted entries that have one.
fn counted_stems(
    state: &UserHistory,
    remember: Remember,
    scope: HistoryScope,
) -> Vec<HistoryEntry> {
    counted(&state.stems, remember, scope)
        .iter()
        .flatten()
        .cloned()
        .collect()
}

/// What to write for an accepted change.
pub struct Commit {
    /// The new history entry, unless history is off.
    pub entry: Option<HistoryEntry>,
    /// The new entry's similarity stem, when the policy compares stems and
    /// the password has one.
    pub stem: Option<HistoryEntry>,
    /// Keep only this many newest entries after appending (`None`: all).
    pub keep: Option<usize>,
}

/// `too_recent`, when the minimum age applies and has not passed.
fn min_age(state: &UserHistory, change: &PasswordChange<'_>) -> Option<Violation> {
    let last = state.last_change.filter(|_| change.enforce_min_age)?;
    change
        .policy
        .expiry
        .check_min_age(last, state.must_change, change.now)
}

/// Decides a change against the user's current state (a fresh salt and no
/// entries for a new user): `Err` for store trouble, `Ok(Err(violations))`
/// for a refusal, `Ok(Ok(commit))` for what to write.
pub fn decide(
    state: &UserHistory,
    change: &PasswordChange<'_>,
) -> Result<Result<Commit, Vec<Violation>>, StoreError> {
    let mut violations: Vec<Violation> = min_age(state, change).into_iter().collect();
    let remember = change.policy.history.remember;
    let mut reused = false;
    let entry = if remember.is_enabled() {
        let (found, entry) = change.hasher.check_and_hash(
            window(&state.entries, remember),
            change.password,
            &state.salt,
            change.prehashed.map(|p| &p.entry),
        )?;
        reused = found;
        if reused && !change.allow_reuse {
            violations.push(Violation::Reused {
                current: is_current(state, change)?,
            });
        }
        Some(entry)
    } else {
        None
    };
    // One more argon2 run: the new stem's entry doubles as its lookup.
    let stem = match similarity_stem(change) {
        Some(stem) => {
            let (similar, entry) = change.hasher.check_and_hash_stem(
                &counted_stems(state, remember, HistoryScope::Whole),
                &stem,
                &state.salt,
                change.prehashed.and_then(|p| p.stem.as_ref()),
            )?;
            if similar && !reused && !change.allow_reuse {
                violations.push(Violation::SimilarToHistory);
            }
            Some(entry)
        }
        None => None,
    };
    if !violations.is_empty() {
        return Ok(Err(violations));
    }
    Ok(Ok(Commit {
        entry,
        stem,
        keep: remember.depth().map(|n| n as usize),
    }))
}

/// What a read-only review found, and what it hashed for a commit.
#[derive(Debug, Default)]
pub struct Reviewed {
    /// `too_recent`, `reused`, `similar_to_history`.
    pub violations: Vec<Violation>,
    /// The candidate's entries under the user's salt, when asked for and
    /// the history is kept.
    pub prehashed: Option<Prehashed>,
}

/// The read-only review `check --user` does: minimum age and reuse (over
/// `scope` of the history), with no write. With `prepare` (PAM's check,
/// which a commit follows) the candidate is hashed into the entries the
/// commit will record, at the same cost as the lookup: the hash made for
/// the user's salt and today's cost is the one compared with that group.
pub fn review(
    state: &UserHistory,
    change: &PasswordChange<'_>,
    scope: HistoryScope,
    prepare: bool,
) -> Result<Reviewed, StoreError> {
    let mut violations: Vec<Violation> = min_age(state, change).into_iter().collect();
    let remember = change.policy.history.remember;
    let counted_entries = counted(&state.entries, remember, scope);
    let (reused, entry) = match (remember.is_enabled(), prepare) {
        (false, _) => (false, None),
        (true, false) => (
            change.hasher.contains(counted_entries, change.password)?,
            None,
        ),
        (true, true) => {
            let (found, entry) = change.hasher.check_and_hash(
                counted_entries,
                change.password,
                &state.salt,
                None,
            )?;
            (found, Some(entry))
        }
    };
    if reused {
        let current = scope == HistoryScope::Whole && is_current(state, change)?;
        violations.push(Violation::Reused { current });
    }
    let mut stem_entry = None;
    if let Some(stem) = similarity_stem(change) {
        let stems = counted_stems(state, remember, scope);
        let similar = if prepare {
            let (similar, entry) =
                change
                    .hasher
                    .check_and_hash_stem(&stems, &stem, &state.salt, None)?;
            stem_entry = Some(entry);
            similar
        } else {
            !reused && change.hasher.contains_stem(&stems, &stem)?
        };
        if similar && !reused {
            violations.push(Violation::SimilarToHistory);
        }
    }
    Ok(Reviewed {
        violations,
        prehashed: entry.map(|entry| Prehashed {
            entry,
            stem: stem_entry,
        }),
    })
}

/// Whether a reused candidate is the current password (the newest entry),
/// so the user is told that rather than "used before". One more argon2
/// run, on the refusal path only.
fn is_current(state: &UserHistory, change: &PasswordChange<'_>) -> Result<bool, StoreError> {
    match state.entries.last() {
        Some(newest) => Ok(change
            .hasher
            .contains(std::slice::from_ref(newest), change.password)?),
        None => Ok(false),
    }
}

/// The candidate's stem, when the policy compares stems (and history is
/// kept to compare them with) and the candidate has one.
fn similarity_stem(change: &PasswordChange<'_>) -> Option<Stem> {
    let history = &change.policy.history;
    (history.similarity && history.remember.is_enabled())
        .then(|| Stem::of(change.password))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert!(validate_user("erin").is_ok());
        assert!(validate_user("DOMAIN\\erin.hagens@example").is_ok());
        assert!(validate_user("").is_err());
        assert!(validate_user("a\nb").is_err());
        assert!(validate_user("a\0b").is_err());
        assert!(validate_user(&"x".repeat(257)).is_err());
    }

    #[test]
    fn a_review_except_current_leaves_out_only_the_newest_counted_entry() {
        let mut policy = pwpolicy::Policy::default();
        (policy.history.memory_kib, policy.history.iterations) = (64, 1);
        policy.history.remember = Remember::Last(2);
        let hasher = pwpolicy::Hasher::new(&policy.history, None).unwrap();
        let salt = new_salt().unwrap();
        let hash = |p: &str| hasher.hash(&pwpolicy::Password::new(p), &salt).unwrap();
        let state = UserHistory {
            entries: vec![hash("Oldest-1a!"), hash("Older-2b!"), hash("Current-3c!")],
            stems: vec![None, None, None],
            salt,
            last_change: None,
            must_change: false,
        };
        let told = |candidate: &str, scope| {
            let password = pwpolicy::Password::new(candidate);
            let change = PasswordChange {
                user: "erin",
                password: &password,
                policy: &policy,
                hasher: &hasher,
                now: time::OffsetDateTime::now_utc(),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: None,
            };
            review(&state, &change, scope, false).unwrap().violations
        };
        let reused = |candidate: &str, scope| {
            told(candidate, scope)
                .iter()
                .any(|v| matches!(v, Violation::Reused { .. }))
        };
        assert!(reused("Current-3c!", HistoryScope::Whole));
        assert!(!reused("Current-3c!", HistoryScope::ExceptCurrent));
        // The window stays the newest two: leaving the current one out does
        // not bring the oldest back in.
        assert!(reused("Older-2b!", HistoryScope::ExceptCurrent));
        assert!(!reused("Oldest-1a!", HistoryScope::ExceptCurrent));
        // The current password is told as such; an earlier one is not.
        let whole = HistoryScope::Whole;
        assert_eq!(
            told("Current-3c!", whole),
            [Violation::Reused { current: true }]
        );
        assert_eq!(
            told("Older-2b!", whole),
            [Violation::Reused { current: false }]
        );
    }

    #[test]
    fn salts_differ() {
        assert_ne!(
            new_salt().unwrap().as_bytes(),
            new_salt().unwrap().as_bytes()
        );
    }
}

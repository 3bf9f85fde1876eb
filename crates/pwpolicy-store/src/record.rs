//! What the store holds and answers, database-neutral.

use std::fmt;

use pwpolicy::{Hasher, HistoryEntry, Password, Policy, Prehashed, UserSalt, Violation};
use time::OffsetDateTime;

use crate::engine::StoredUser;
use crate::{StoreError, time_from};

/// What the store knows about one user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserRecord {
    /// Account name.
    pub name: String,
    /// When the password last changed; `None` when no change was recorded.
    pub last_change: Option<OffsetDateTime>,
    /// An administrator forced a change at the next login.
    pub must_change: bool,
    /// When the store first recorded this user.
    pub first_seen: OffsetDateTime,
    /// How many history entries are kept.
    pub history_len: usize,
}

/// A user's salt and history, for a read-only reuse check.
#[non_exhaustive]
pub struct UserHistory {
    /// The user's history salt.
    pub salt: UserSalt,
    /// History entries, oldest first.
    pub entries: Vec<HistoryEntry>,
    /// The similarity stem of each entry, where one was recorded (one per
    /// entry, in the same order).
    pub stems: Vec<Option<HistoryEntry>>,
    /// When the password last changed.
    pub last_change: Option<OffsetDateTime>,
    /// Whether a change is forced.
    pub must_change: bool,
}

impl UserHistory {
    /// Rebuilds a user's state from stored columns, whichever database read
    /// them.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] for a salt of the wrong length or an
    /// out-of-range time; a bad PHC string names its position.
    pub(crate) fn from_stored(
        location: &str,
        stored: StoredUser,
    ) -> Result<UserHistory, StoreError> {
        let salt: [u8; pwpolicy::SALT_LEN] =
            stored.salt.try_into().map_err(|_| StoreError::Corrupt {
                location: location.to_owned(),
                detail: "a user's salt has the wrong length".into(),
            })?;
        let at = |index: usize| {
            move |e| match e {
                pwpolicy::Error::BadHistoryEntry { reason, .. } => {
                    pwpolicy::Error::BadHistoryEntry { index, reason }
                }
                other => other,
            }
        };
        let entries = stored
            .history
            .iter()
            .enumerate()
            .map(|(index, entry)| HistoryEntry::parse(&entry.phc).map_err(at(index)))
            .collect::<Result<_, _>>()?;
        let stems = stored
            .history
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                entry
                    .stem
                    .as_deref()
                    .map(|phc| HistoryEntry::parse(phc).map_err(at(index)))
                    .transpose()
            })
            .collect::<Result<_, _>>()?;
        Ok(UserHistory {
            salt: UserSalt::from_bytes(salt),
            entries,
            stems,
            last_change: stored
                .last_change
                .map(|t| time_from(location, t))
                .transpose()?,
            must_change: stored.must_change,
        })
    }
}

impl fmt::Debug for UserHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserHistory")
            .field("entries", &self.entries.len())
            .field("last_change", &self.last_change)
            .field("must_change", &self.must_change)
            .finish_non_exhaustive()
    }
}

/// Which history entries a read-only check compares a candidate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryScope {
    /// Every entry that counts for reuse.
    #[default]
    Whole,
    /// All but the newest, which is the current password: for a caller who
    /// has not proved they know it, so that the answer cannot confirm a guess
    /// of it. The change itself is still held to the whole history.
    ExceptCurrent,
}

/// A password change to record, if the history and minimum age allow it.
/// The text rules (length, classes, names) are the caller's to check first.
#[derive(Debug)]
pub struct PasswordChange<'a> {
    /// Account name.
    pub user: &'a str,
    /// The new password.
    pub password: &'a Password,
    /// The policy (history depth, minimum age).
    pub policy: &'a Policy,
    /// The history hasher (argon2id parameters, pepper).
    pub hasher: &'a Hasher,
    /// The time of the change.
    pub now: OffsetDateTime,
    /// Refuse a change before `min_age_days` (users: yes; admin resets: no).
    pub enforce_min_age: bool,
    /// Record a reused password instead of refusing it: root has set it
    /// despite the policy, the system already uses it, and the record must
    /// follow (expiry restarts, a forced change is cleared).
    pub allow_reuse: bool,
    /// The entries a check made of this same password (PAM's check before
    /// its commit): recorded instead of hashing again, when the user's salt
    /// and the cost are still those they were made with.
    pub prehashed: Option<&'a Prehashed>,
}

/// The result of [`crate::Store::change_password`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Recorded: history appended and trimmed, last change set, must-change cleared.
    Changed,
    /// Not recorded, for these reasons (`reused`, `too_recent`).
    Rejected(Vec<Violation>),
}

/// One reminder, as the store remembers it was sent: to whom, about which
/// password (`cycle`), why and at which threshold or period (`step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderKey<'a> {
    /// The account.
    pub user: &'a str,
    /// The password's last change, Unix seconds (0: none recorded).
    pub cycle: i64,
    /// `expiring`, `expired`, `must_change`, `annual`, `never_changed`.
    pub reason: &'a str,
    /// The threshold or period.
    pub step: u32,
}

/// Which users [`crate::Store::records`] visits. Users who must change
/// come first either way, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// A report's window: then users whose last change is at or before
    /// `changed_before` (oldest first); `None`, forced changes only.
    Due {
        /// The latest last change that can be due.
        changed_before: Option<OffsetDateTime>,
    },
    /// A listing: then every other user, oldest change first, those with no
    /// change recorded last.
    All,
}

/// A last-change date to seed, e.g. from a shadow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// Account name.
    pub name: String,
    /// The last change, or `None` for "must change at next login" (shadow's 0).
    pub last_change: Option<OffsetDateTime>,
}

/// What [`crate::Store::seed`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// Users the store did not know, now added.
    pub added: usize,
    /// Known users whose date was replaced (only with `overwrite`).
    pub updated: usize,
    /// Known users left as they were.
    pub kept: usize,
}

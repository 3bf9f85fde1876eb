//! pwpolicy's breached-password set (the file `[breached] file` names): a
//! compact, memory-mappable set of password hashes (HIBP's SHA-1 or NTLM sets, or plain lists) that answers
//! "has this password been breached?" reading two pages.
//!
//! A set stores each key's 64-bit hash prefix scaled to a fingerprint, sorted
//! and Rice-coded in 4 KiB pages ([`mod@format`]): about 31.7 bits an entry at a
//! false-positive rate of one in a billion. It is a set, not a map: counts are
//! only used at build time (`min_count`).
//!
//! What it deliberately does not do: open, map or watch files, sort inputs
//! bigger than memory, or show progress. The edges do (the CLI builds, the
//! host crate and the Windows password filter map); this crate works on
//! bytes and on any `Write + Seek`, so the same code reads a set in LSASS
//! and in PAM. ("Filter" in pwpolicy names the Windows password filter
//! only.)
//!
//! ```
//! use std::io::Cursor;
//! use pwpolicy_breach::{Encoder, BreachedSet, KeyKind, Settings};
//!
//! let kind = KeyKind::Sha1;
//! let mut keys: Vec<u64> = ["password", "123456", "qwerty"].iter().map(|p| kind.prefix_of(p)).collect();
//! keys.sort_unstable();
//! let settings = Settings { kind, one_in: 1_000_000_000, min_count: 1, created: 0 };
//! let mut encoder = Encoder::new(Cursor::new(Vec::new()), settings, keys.len() as u64)?;
//! for key in keys {
//!     encoder.push(key)?;
//! }
//! let (_, file) = encoder.finish()?;
//! let bytes = file.into_inner();
//!
//! let set = BreachedSet::open(&bytes)?;
//! assert!(set.contains_password("qwerty", true)?);
//! assert!(!set.contains_password("Blue-Kettle-42", true)?);
//! # Ok::<(), pwpolicy_breach::SetError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bits;
mod encode;
pub mod format;
mod hash;
mod key;
pub mod lines;
mod set;

pub use encode::{Encoder, Settings};
pub use format::Header;
pub use key::{KeyKind, hex_prefix};
pub use set::BreachedSet;

use pwpolicy::{Verdict, Violation};
use thiserror::Error;

/// What can go wrong reading or writing a filter. No variant holds a password.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SetError {
    /// The file has no bytes at all.
    #[error("the file is empty")]
    Empty,
    /// The file does not start like a filter.
    #[error("not a pwpolicy breached-password filter")]
    NotAFilter,
    /// A filter of another format version.
    #[error("format version {0}, and this pwpolicy reads version {v}: rebuild it with `pwpolicy breach build`", v = format::VERSION)]
    Version(u32),
    /// The file is shorter or longer than its header says.
    #[error("truncated or extended: its header says {expected} bytes, the file has {actual}")]
    Truncated {
        /// Bytes the header says.
        expected: u64,
        /// Bytes there are.
        actual: u64,
    },
    /// A checksum or a structure does not match.
    #[error("damaged ({0}): rebuild it or copy it again")]
    Damaged(&'static str),
    /// A filter with nothing in it would pass every password.
    #[error("holds no entries")]
    NoEntries,
    /// Built leaving out passwords the policy wants refused.
    #[error(
        "built with --min-count {built}, but the policy's min_count is {required}: \
         rebuild it with --min-count {required} or lower"
    )]
    TooSparse {
        /// The filter's `--min-count`.
        built: u64,
        /// The policy's `min_count`.
        required: u64,
    },
    /// More keys than the format or the stated bound holds.
    #[error("too many entries for this false-positive rate")]
    TooLarge,
    /// Keys were pushed out of order (a bug in the caller).
    #[error("keys were not sorted")]
    Unsorted,
    /// The output could not be written.
    #[error("cannot write the filter: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether a filter built with `header` holds what a policy asking for
/// `min_count` wants refused: every password seen that often.
///
/// # Errors
///
/// [`SetError::TooSparse`] when it was built with a higher `--min-count`.
pub fn meets(header: &Header, min_count: Option<u64>) -> Result<(), SetError> {
    match min_count {
        Some(required) if header.min_count > required => Err(SetError::TooSparse {
            built: header.min_count,
            required,
        }),
        _ => Ok(()),
    }
}

/// Adds [`Violation::Breached`] to `verdict` when `password` (as typed, and
/// with `nfkc` also its NFKC form) is in `filter`: the one place every front
/// end asks.
///
/// # Errors
///
/// [`SetError::Damaged`] when a page the lookup reads is damaged; the
/// verdict is then unchanged and the caller must fail closed or say why not.
pub fn screen<B: AsRef<[u8]>>(
    verdict: &mut Verdict,
    filter: &BreachedSet<B>,
    password: &str,
    nfkc: bool,
) -> Result<(), SetError> {
    if filter.contains_password(password, nfkc)? {
        verdict.push(Violation::Breached);
    }
    Ok(())
}

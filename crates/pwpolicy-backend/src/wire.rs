//! The wire protocol between pwpolicyd and its clients: length-prefixed
//! JSON over a Unix stream socket, with the same typed answers the local
//! backend gives.
//!
//! A frame is a 4-byte big-endian length and that many bytes of JSON, at
//! most [`MAX_FRAME`]. Version 3:
//!
//! - request: `{"v": 3, "request": {"check": {"user": …, "password": …}}}`
//!   (one key naming the operation; see [`Request`]);
//! - answer: `{"v": 3, "ok": {"status": {…}}}` or
//!   `{"v": 3, "error": {"kind": "forbidden", "message": "…"}}`; a check's
//!   violations are the core's, as `check --json` prints them;
//! - `report` and `list` answer with as many `{"ok": {"rows": {"rows":
//!   […], "more": true}}}` frames as it takes (each row a status object),
//!   the last with `"more": false`, so a million rows never sit in one
//!   buffer; with `"compact": true` in the request the frames are
//!   `{"ok": {"table": {"rows": [[…], …], "more": …}}}`, each row an array
//!   of the status's fields in order ([`StatusRow`]).
//!
//! Passwords travel as base64 of their UTF-8 bytes: the JSON parser then
//! never unescapes them into a scratch buffer of its own that nobody wipes.
//! Requests are plain structs and an externally tagged enum, which serde
//! parses without buffering. Clients of another version get an
//! `unsupported_version` error that names version 3.

use std::fmt;
use std::io::{self, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

use crate::answer::{ChangeAnswer, CheckAnswer, CommitAnswer, PamChange, Status, StatusRow};
use pwpolicy::{Prehashed, Reminder};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 3;
/// The largest frame accepted, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;
/// Where the service listens unless told otherwise.
pub const DEFAULT_SOCKET: &str = "/run/pwpolicy/pwpolicyd.sock";
/// A page of rows is sent once its rows reach about this many bytes.
pub const PAGE_BYTES: usize = 32 * 1024;

/// A password on the wire: wiped on drop, never printed, base64 in JSON.
#[derive(Clone)]
pub struct Secret(pub Zeroizing<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Sized up front: the encoding never reallocates (and leaves no copy).
        let mut encoded = Zeroizing::new(String::with_capacity(
            base64::encoded_len(self.0.len(), true).unwrap_or(0),
        ));
        BASE64.encode_string(self.0.as_bytes(), &mut encoded);
        s.serialize_str(&encoded)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SecretVisitor;
        impl Visitor<'_> for SecretVisitor {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a password as base64 of its UTF-8 bytes")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Secret, E> {
                let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
                BASE64
                    .decode_vec(text, &mut bytes)
                    .map_err(|_| E::custom("a password that is not base64"))?;
                let bytes = std::mem::take(&mut *bytes);
                match String::from_utf8(bytes) {
                    Ok(text) => Ok(Secret(Zeroizing::new(text))),
                    Err(e) => {
                        e.into_bytes().zeroize();
                        Err(E::custom("a password that is not UTF-8"))
                    }
                }
            }
            fn visit_string<E: serde::de::Error>(self, mut text: String) -> Result<Secret, E> {
                let secret = self.visit_str(&text);
                text.zeroize();
                secret
            }
        }
        d.deserialize_str(SecretVisitor)
    }
}

/// What a client asks. In JSON one key names the operation.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Check a candidate password (policy, history, minimum age); writes nothing.
    Check {
        /// The account; absent means the caller (an administrator's check
        /// without an account is of the text rules alone).
        #[serde(default)]
        user: Option<String>,
        /// The full name; absent: the account's own (GECOS). Only an
        /// administrator's is used: anyone else's names are the passwd
        /// database's.
        #[serde(default)]
        full_name: Option<String>,
        /// The candidate.
        password: Secret,
        /// Count the minimum age (a user's own change) or not (an admin reset).
        #[serde(default)]
        enforce_min_age: bool,
        /// Answer with the candidate's history entries for the commit that
        /// follows (administrators only; see `CheckRequest::prepare`). Left
        /// out when false, so the request reads as before to an older
        /// pwpolicyd.
        #[serde(default, skip_serializing_if = "is_false")]
        prepare: bool,
    },
    /// Record a password change (history, last change). Root and admins only.
    Commit {
        /// The account.
        user: String,
        /// The new password.
        password: Secret,
        /// Refuse a change before the minimum age.
        #[serde(default)]
        enforce_min_age: bool,
        /// Record the password even if the history refuses it: root set it
        /// despite the policy.
        #[serde(default)]
        allow_reuse: bool,
        /// The entries a `prepare` check of this password answered with:
        /// recorded instead of hashing again (see `CommitRequest::prehashed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prehashed: Option<Prehashed>,
    },
    /// Check a candidate and, if accepted, record it: `pwpolicy change`,
    /// one argon2 run for an accepted change. Root and admins only.
    Change {
        /// The account.
        user: String,
        /// The full name; absent: the account's own (GECOS).
        #[serde(default)]
        full_name: Option<String>,
        /// The new password.
        password: Secret,
        /// Refuse a change before the minimum age.
        #[serde(default)]
        enforce_min_age: bool,
    },
    /// Expiry status of a user (yourself when `user` is absent).
    Status {
        /// The account; absent means the caller.
        #[serde(default)]
        user: Option<String>,
    },
    /// Users who must change or whose passwords expire within the days given.
    Report {
        /// The window, in days.
        expiring_within: u32,
        /// Answer in [`Answer::Table`] pages, each row an array. Left out
        /// when false, so the request reads as before to an older pwpolicyd.
        #[serde(default, skip_serializing_if = "is_false")]
        compact: bool,
    },
    /// Every account: the service host's, then those only the store knows.
    List {
        /// As for `report`.
        #[serde(default, skip_serializing_if = "is_false")]
        compact: bool,
    },
    /// Claim, mark sent, release or ask after a reminder of `user`.
    Reminder {
        /// The account.
        user: String,
        /// The reminder.
        reminder: Reminder,
        /// What to do with it.
        action: ReminderAction,
    },
    /// Force a change at the next login.
    Expire {
        /// The account.
        user: String,
        /// Add a record even for an account neither the service's host nor
        /// the store knows.
        #[serde(default)]
        create: bool,
    },
    /// Change a local account's password through PAM as the user, as
    /// `passwd` run by them would: authenticate with `current`, check `new`
    /// with the policy, then `pam_chauthtok` through `[web] pam_service`
    /// (pam_unix writes shadow, pam_pwpolicy records the history). Root
    /// and the `[web] user` only; refused while `pam_service` is unset.
    PamChange {
        /// The account.
        user: String,
        /// Its current password.
        current: Secret,
        /// The new password.
        new: Secret,
    },
    /// Set the last change to midnight UTC of `date` (`YYYY-MM-DD` or `today`).
    SetChanged {
        /// The account.
        user: String,
        /// The day.
        date: String,
        /// As for `expire`.
        #[serde(default)]
        create: bool,
    },
}

fn is_false(value: &bool) -> bool {
    !value
}

impl Request {
    /// The operation's name, for logs.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Check { .. } => "check",
            Request::Commit { .. } => "commit",
            Request::Change { .. } => "change",
            Request::Status { .. } => "status",
            Request::Report { .. } => "report",
            Request::List { .. } => "list",
            Request::Reminder { .. } => "reminder",
            Request::Expire { .. } => "expire",
            Request::SetChanged { .. } => "set_changed",
            Request::PamChange { .. } => "pam_change",
        }
    }
}

/// What a `reminder` request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderAction {
    /// Claim it for this run.
    Claim,
    /// It went out.
    Sent,
    /// Give the claim up: it stays due.
    Release,
    /// Was it sent already?
    WasSent,
}

/// A request with its version, as sent.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The protocol version.
    pub v: u32,
    /// The request.
    pub request: Request,
}

/// Only the version of a frame: to tell an old client what it got wrong.
#[derive(Debug, Deserialize)]
pub struct VersionOnly {
    /// The protocol version the client spoke.
    pub v: u32,
}

/// What the service answers, one per frame.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The protocol version.
    pub v: u32,
    /// The answer, when the request succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Answer>,
    /// Why not, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Refusal>,
}

/// A successful answer, by operation.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// To `check`.
    Check(CheckAnswer),
    /// To `commit`.
    Commit(CommitAnswer),
    /// To `change`.
    Change(ChangeAnswer),
    /// To `status`.
    Status(Box<Status>),
    /// One page of a `report` or a `list`.
    Rows(RowsPage),
    /// One page of a `compact` `report` or `list`.
    Table(TablePage),
    /// To `expire` and `set_changed`, and a reminder's `sent` and `release`.
    Done,
    /// To a reminder's `claim` (whether this run holds it) and `was_sent`.
    Yes(bool),
    /// To `pam_change`.
    PamChange(PamChange),
}

/// One page of rows of a report or listing.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowsPage {
    /// The rows, in order.
    pub rows: Vec<Status>,
    /// More pages follow.
    pub more: bool,
}

/// One page of rows of a `compact` report or listing: each row a
/// [`StatusRow`], an array of a status's fields.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TablePage {
    /// The rows, in order.
    pub rows: Vec<StatusRow>,
    /// More pages follow.
    pub more: bool,
}

/// Why a request failed, as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The service's explanation (never a password).
    pub message: String,
}

/// Kinds of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Not valid JSON, not a known request, or too large.
    BadRequest,
    /// A protocol version this service does not speak.
    UnsupportedVersion,
    /// The caller may not do this (or see this user).
    Forbidden,
    /// The store could not be reached or read.
    StoreUnavailable,
    /// The policy's breached-password list could not be read.
    ListUnavailable,
    /// The account is known neither to the service's host nor to the store.
    UnknownAccount,
    /// Too many connections: try again.
    Busy,
    /// Something else went wrong in the service.
    Internal,
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
///
/// # Errors
///
/// I/O errors, and `InvalidData` for a frame over [`MAX_FRAME`].
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the {MAX_FRAME}-byte limit"),
        ));
    }
    let mut buf = Zeroizing::new(vec![0u8; len]);
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

/// Serialises `value` as one frame (length prefix included) into a buffer
/// sized for the largest frame, which never grows: no reallocation leaves a
/// copy of a password behind, and the buffer is wiped on drop.
///
/// # Errors
///
/// `InvalidInput` when the value does not fit in [`MAX_FRAME`].
pub fn encode_frame(value: &impl Serialize) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut frame = Zeroizing::new(Vec::with_capacity(4 + MAX_FRAME));
    frame.extend_from_slice(&[0; 4]);
    serde_json::to_writer(Bounded(&mut frame), value).map_err(|e| {
        if e.is_io() {
            io::Error::new(io::ErrorKind::InvalidInput, "frame too large")
        } else {
            io::Error::other("cannot encode a frame")
        }
    })?;
    let len = u32::try_from(frame.len() - 4).unwrap_or(u32::MAX);
    frame[..4].copy_from_slice(&len.to_be_bytes());
    Ok(frame)
}

/// Serialises an answer (which never holds a password) as one frame,
/// length prefix included, in a buffer sized to fit.
///
/// # Errors
///
/// `InvalidInput` when the answer does not fit in [`MAX_FRAME`].
pub fn encode_answer(response: &Response) -> io::Result<Vec<u8>> {
    let mut frame = vec![0; 4];
    serde_json::to_writer(&mut frame, response)
        .map_err(|_| io::Error::other("cannot encode a frame"))?;
    let len = frame.len() - 4;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "frame too large",
        ));
    }
    frame[..4].copy_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
    Ok(frame)
}

/// Writes one frame made by [`encode_frame`] or [`encode_answer`].
///
/// # Errors
///
/// I/O errors.
pub fn write_frame(w: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    w.write_all(frame)?;
    w.flush()
}

/// A writer into a vector that refuses to grow past its capacity.
struct Bounded<'a>(&'a mut Vec<u8>);

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0.len() + buf.len() > self.0.capacity() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "frame too large",
            ));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret(Zeroizing::new(s.to_owned()))
    }

    #[test]
    fn frames_round_trip_and_are_bounded() {
        let frame = encode_frame(&VersionOnly2 { v: 2 }).unwrap();
        let mut r = &frame[..];
        assert_eq!(
            read_frame(&mut r).unwrap().unwrap().as_slice(),
            b"{\"v\":2}"
        );
        assert!(read_frame(&mut r).unwrap().is_none());
        let huge = ((MAX_FRAME + 1) as u32).to_be_bytes();
        assert_eq!(
            read_frame(&mut &huge[..]).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let too_big = "x".repeat(MAX_FRAME);
        assert_eq!(
            encode_frame(&too_big).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[derive(Serialize)]
    struct VersionOnly2 {
        v: u32,
    }

    /// A check's entries cross the socket as PHC strings and come back
    /// whole; anything else in their place is a bad request, not an entry.
    #[test]
    fn prehashed_entries_cross_as_phc_strings() {
        let mut policy = pwpolicy::Policy::default();
        policy.history.memory_kib = 64;
        let hasher = pwpolicy::Hasher::new(&policy.history, None).unwrap();
        let salt = pwpolicy::UserSalt::from_bytes([9; 16]);
        let entry = hasher
            .hash(&pwpolicy::Password::new("Blue-Kettle-42"), &salt)
            .unwrap();
        let request = Envelope {
            v: 3,
            request: Request::Commit {
                user: "erin".into(),
                password: secret("Blue-Kettle-42"),
                enforce_min_age: false,
                allow_reuse: false,
                prehashed: Some(Prehashed { entry, stem: None }),
            },
        };
        let frame = encode_frame(&request).unwrap();
        let back: Envelope = serde_json::from_slice(&frame[4..]).unwrap();
        let (
            Request::Commit {
                prehashed: Some(back),
                ..
            },
            Request::Commit {
                prehashed: Some(sent),
                ..
            },
        ) = (back.request, request.request)
        else {
            panic!("no entries came back");
        };
        assert_eq!(back, sent);
        let forged = r#"{"v":3,"request":{"commit":{"user":"erin","password":"eA==","prehashed":{"entry":"$argon2id$v=19$m=64,t=1,p=1$nope"}}}}"#;
        assert!(serde_json::from_str::<Envelope>(forged).is_err());
    }

    #[test]
    fn requests_parse_and_hide_their_passwords() {
        let request = Envelope {
            v: 3,
            request: Request::Check {
                user: Some("erin".into()),
                full_name: None,
                password: secret("Sek\"rit\\-1é"),
                enforce_min_age: true,
                prepare: false,
            },
        };
        let frame = encode_frame(&request).unwrap();
        let text = std::str::from_utf8(&frame[4..]).unwrap();
        assert!(
            !text.contains("Sek"),
            "the password is base64 on the wire: {text}"
        );
        assert!(
            !text.contains("prepare"),
            "an older pwpolicyd refuses fields it does not know: {text}"
        );
        assert!(text.starts_with(r#"{"v":3,"request":{"check":{"#), "{text}");
        let back: Envelope = serde_json::from_slice(&frame[4..]).unwrap();
        match back.request {
            Request::Check { password, .. } => assert_eq!(password.0.as_str(), "Sek\"rit\\-1é"),
            other => panic!("{other:?}"),
        }
        assert!(!format!("{request:?}").contains("Sek"));
        for bad in [
            r#"{"v":3,"request":{"drop_tables":{}}}"#,
            r#"{"v":3,"request":{"status":{"user":"x","extra":1}}}"#,
            r#"{"v":3,"request":{"check":{"password":"not base64!"}}}"#,
            r#"{"v":1,"op":"status"}"#,
        ] {
            assert!(serde_json::from_str::<Envelope>(bad).is_err(), "{bad}");
        }
        let old: VersionOnly = serde_json::from_str(r#"{"v":1,"op":"status"}"#).unwrap();
        assert_eq!(old.v, 1);
    }
}

//! The wire protocol: length-prefixed JSON over a Unix stream socket.
//!
//! A frame is a 4-byte big-endian length and that many bytes of JSON, at
//! most [`MAX_FRAME`]. A request is `{"v": 1, "op": "...", ...}`; a response
//! is `{"v": 1, "ok": true, ...}` or `{"v": 1, "ok": false, "error":
//! {"kind": "...", "message": "..."}}`. A connection may carry many requests.

use std::fmt;
use std::io::{self, Read, Write};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The largest frame accepted, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;
/// Where the service listens unless told otherwise.
pub const DEFAULT_SOCKET: &str = "/run/pwpolicy/pwpolicyd.sock";

/// A password on the wire: wiped on drop, never printed.
#[derive(Clone)]
pub struct Secret(pub Zeroizing<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Secret(Zeroizing::new(s)))
    }
}

/// What a client asks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Check a candidate password (policy, history, minimum age); writes nothing.
    Check {
        /// The account.
        user: String,
        /// The full name (GECOS), if known.
        #[serde(default)]
        full_name: String,
        /// The candidate.
        password: Secret,
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
        /// despite the policy (logged as an override).
        #[serde(default)]
        allow_reuse: bool,
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
    },
    /// Force a change at the next login.
    Expire {
        /// The account.
        user: String,
    },
    /// Set the last change to midnight UTC of `date` (`YYYY-MM-DD`).
    SetChanged {
        /// The account.
        user: String,
        /// The day.
        date: String,
    },
}

/// A request with its version, as sent.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The protocol version.
    pub v: u32,
    /// The request.
    #[serde(flatten)]
    pub request: Request,
}

/// Why a request failed, as clients see it.
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

/// Writes one frame.
///
/// # Errors
///
/// I/O errors, and `InvalidInput` for a body over [`MAX_FRAME`].
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> io::Result<()> {
    if body.len() > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "frame too large",
        ));
    }
    let mut frame = Zeroizing::new(Vec::with_capacity(4 + body.len()));
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body);
    w.write_all(&frame)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_are_bounded() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"{\"v\":1}").unwrap();
        let mut r = &buf[..];
        assert_eq!(
            read_frame(&mut r).unwrap().unwrap().as_slice(),
            b"{\"v\":1}"
        );
        assert!(read_frame(&mut r).unwrap().is_none());
        let huge = ((MAX_FRAME + 1) as u32).to_be_bytes();
        assert_eq!(
            read_frame(&mut &huge[..]).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn requests_parse_and_hide_their_passwords() {
        let e: Envelope =
            serde_json::from_str(r#"{"v":1,"op":"check","user":"erin","password":"Sekrit-1"}"#)
                .unwrap();
        assert!(matches!(e.request, Request::Check { .. }));
        assert!(!format!("{e:?}").contains("Sekrit"));
        assert!(serde_json::from_str::<Envelope>(r#"{"v":1,"op":"drop_tables"}"#).is_err());
        assert!(
            serde_json::from_str::<Envelope>(r#"{"v":1,"op":"status","user":"x","extra":1}"#)
                .is_err()
        );
    }
}

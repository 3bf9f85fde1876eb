//! A blocking client for the CLI and the PAM module (no async runtime).

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use thiserror::Error;

use crate::protocol::{Envelope, ErrorKind, PROTOCOL_VERSION, Request, read_frame, write_frame};

/// How long a client waits for the service to answer.
const TIMEOUT: Duration = Duration::from_secs(15);

/// What can go wrong asking the service. No variant holds a password.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The service is not running or the socket cannot be reached.
    #[error("cannot reach the pwpolicy service at {}: {source}", .socket.display())]
    Unreachable {
        /// The socket.
        socket: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The connection failed mid-request (e.g. the service was killed).
    #[error("the pwpolicy service at {} stopped answering: {source}", .socket.display())]
    Lost {
        /// The socket.
        socket: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The service answered with an error.
    #[error("the pwpolicy service refused: {message}")]
    Refused {
        /// What kind of error.
        kind: ErrorKind,
        /// The service's explanation.
        message: String,
    },
    /// The answer was not a response of this protocol.
    #[error("the pwpolicy service sent an invalid response")]
    Protocol,
}

impl ClientError {
    /// Whether the store or service is unavailable (as opposed to a refusal).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            ClientError::Unreachable { .. }
                | ClientError::Lost { .. }
                | ClientError::Protocol
                | ClientError::Refused {
                    kind: ErrorKind::StoreUnavailable | ErrorKind::Busy | ErrorKind::Internal,
                    ..
                }
        )
    }
}

/// A connection to the service.
pub struct Client {
    stream: UnixStream,
    socket: PathBuf,
}

impl Client {
    /// Connects to the service's socket.
    ///
    /// # Errors
    ///
    /// [`ClientError::Unreachable`] when nothing listens there.
    pub fn connect(socket: &Path) -> Result<Client, ClientError> {
        let unreachable = |source| ClientError::Unreachable {
            socket: socket.to_owned(),
            source,
        };
        let stream = UnixStream::connect(socket).map_err(unreachable)?;
        stream
            .set_read_timeout(Some(TIMEOUT))
            .map_err(unreachable)?;
        stream
            .set_write_timeout(Some(TIMEOUT))
            .map_err(unreachable)?;
        Ok(Client {
            stream,
            socket: socket.to_owned(),
        })
    }

    /// Sends one request and returns the response body (`ok` checked).
    ///
    /// # Errors
    ///
    /// [`ClientError`] for a lost connection, a refusal or a garbled answer.
    pub fn call(&mut self, request: Request) -> Result<Value, ClientError> {
        let lost = |source| ClientError::Lost {
            socket: self.socket.clone(),
            source,
        };
        let body = zeroize::Zeroizing::new(
            serde_json::to_vec(&Envelope {
                v: PROTOCOL_VERSION,
                request,
            })
            .map_err(|_| ClientError::Protocol)?,
        );
        // A service at its connection limit answers `busy` and closes at
        // once, so our write may fail: its answer is still there to read.
        let written = write_frame(&mut self.stream, &body);
        let reply = match read_frame(&mut self.stream) {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                return Err(lost(
                    written
                        .err()
                        .unwrap_or_else(|| io::ErrorKind::UnexpectedEof.into()),
                ));
            }
            Err(e) => return Err(lost(written.err().unwrap_or(e))),
        };
        let value: Value = serde_json::from_slice(&reply).map_err(|_| ClientError::Protocol)?;
        if value["ok"] == true {
            return Ok(value);
        }
        let kind = serde_json::from_value(value["error"]["kind"].clone())
            .map_err(|_| ClientError::Protocol)?;
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Err(ClientError::Refused { kind, message })
    }
}

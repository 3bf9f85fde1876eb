//! What can go wrong talking to a directory. Every message names the
//! server, the DN or the file; none can hold the bind password, which is
//! only ever passed to the bind call.

use std::path::PathBuf;

use pwpolicy_directory::AttrError;
use thiserror::Error;

/// A directory that cannot be reached, bound to or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The URL is not one this client speaks.
    #[error("directory URL `{url}`: {why}")]
    Url {
        /// The URL.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// No connection (refused, timed out, TLS handshake or certificate).
    #[error("cannot connect to {url}: {why}")]
    Connect {
        /// The server.
        url: String,
        /// Why, from the LDAP or TLS layer.
        why: String,
    },
    /// The server refused the bind.
    #[error("{url} refused the bind as {dn}: {why}")]
    Bind {
        /// The server.
        url: String,
        /// Who.
        dn: String,
        /// The server's answer, and what to do.
        why: String,
    },
    /// A search failed.
    #[error("cannot read {base} on {url}: {why}")]
    Search {
        /// The server.
        url: String,
        /// Where.
        base: String,
        /// The server's answer.
        why: String,
    },
    /// The server is not an Active Directory DC.
    #[error("{url} {why}")]
    NotActiveDirectory {
        /// The server.
        url: String,
        /// What it lacks.
        why: String,
    },
    /// The bind password file cannot be used.
    #[error("bind password file {}: {why}", .path.display())]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// Why not.
        why: String,
    },
    /// The CA file cannot be used.
    #[error("CA file {}: {why}", .path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why not.
        why: String,
    },
    /// An entry the server sent has a value AD does not write.
    #[error("{url}: {source}")]
    Attr {
        /// The server.
        url: String,
        /// The entry and attribute.
        source: AttrError,
    },
}

impl From<pwpolicy_host::directory_files::DirectoryFileError> for DirectoryError {
    fn from(e: pwpolicy_host::directory_files::DirectoryFileError) -> DirectoryError {
        use pwpolicy_host::directory_files::DirectoryFileError as E;
        match e {
            E::PasswordFile { path, why } => DirectoryError::PasswordFile { path, why },
            E::CaFile { path, why } => DirectoryError::CaFile { path, why },
            _ => DirectoryError::CaFile {
                path: std::path::PathBuf::new(),
                why: e.to_string(),
            },
        }
    }
}

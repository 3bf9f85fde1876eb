//! The server's certificate and key, read under the trust rules of every
//! other file pwpolicy reads (the key as a secret: no one else may read or
//! write it), and the TLS settings: TLS 1.2 and 1.3 only, HTTP/1.1.

use std::path::Path;
use std::sync::Arc;

use pwpolicy_host::files::{self, Rule};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

/// The largest certificate or key file read.
const MAX_PEM_BYTES: u64 = 1 << 20;

/// Why the certificate or key cannot be used. Never holds the key.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file cannot be read, or breaks the ownership rules.
    #[error("{what} {}: {error}", .path.display())]
    File {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        error: files::FileError,
    },
    /// The file holds no PEM of the kind expected.
    #[error("{what} {}: {reason}", .path.display())]
    Pem {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the pair (a key that does not match the certificate).
    #[error("certificate and key: {0}")]
    Config(String),
}

/// A TLS server configuration from a PEM certificate chain and its key.
///
/// # Errors
///
/// [`TlsError`] for a file that is missing, untrusted, not PEM, or a key
/// that does not fit the certificate.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem =
        files::read(cert_file, Rule::Trusted, MAX_PEM_BYTES).map_err(|error| TlsError::File {
            what: "certificate",
            path: cert_file.to_owned(),
            error,
        })?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Pem {
            what: "certificate",
            path: cert_file.to_owned(),
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::Pem {
            what: "certificate",
            path: cert_file.to_owned(),
            reason: "holds no CERTIFICATE block".to_owned(),
        });
    }
    let key_pem = Zeroizing::new(files::read(key_file, Rule::Secret, MAX_PEM_BYTES).map_err(
        |error| TlsError::File {
            what: "key",
            path: key_file.to_owned(),
            error,
        },
    )?);
    // The parser's error names the section kind, never the key's bytes.
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::Pem {
        what: "key",
        path: key_file.to_owned(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

//! TLS for `ldaps://` and StartTLS: rustls with the system's CAs plus the
//! administrator's own (a DC's self-signed CA), certificates and names
//! always checked.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

use crate::error::DirectoryError;

/// The client configuration: the system's CAs and those in `ca_file`.
///
/// # Errors
///
/// [`DirectoryError::CaFile`] when the file cannot be read or holds no
/// certificate.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, DirectoryError> {
    let mut roots = RootCertStore::empty();
    // A system store that cannot be read leaves only `ca_file` to trust.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let fail = |why: String| DirectoryError::CaFile {
            path: path.to_owned(),
            why,
        };
        // Read under the rules for trusted files: a CA someone else could
        // write would let them stand in for the DC and take the bind password.
        let pem = pwpolicy_host::directory_files::ca_file(path)?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certs.is_empty() {
            return Err(fail("holds no PEM certificate".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| fail(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DirectoryError::Connect {
            url: String::new(),
            why: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

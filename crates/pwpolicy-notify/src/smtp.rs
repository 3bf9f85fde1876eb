//! The mail server, the one edge of reminders that talks to the network:
//! `smtp://HOST[:PORT]` (587 unless given) upgraded with STARTTLS, which is
//! required (a server that does not offer it is refused before any
//! password or mail is sent), or `smtps://HOST[:PORT]` (465) with TLS from
//! the first byte; certificates and names checked against the system's CAs
//! and `[notify] ca_file` (which nobody else may write); AUTH with the
//! first line of `[notify] password_file` (owner-only, as for the other
//! secrets). Plain text only when the file says `starttls = false`.
//!
//! One connection serves the whole run (a pool of one), and a run that
//! cannot connect, or cannot verify the server, sends nothing.

use std::path::Path;
use std::time::Duration;

use lettre::Transport;
use lettre::message::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{PoolConfig, SmtpTransport};
use pwpolicy::NotifySettings;
use pwpolicy_host::files::{self, Rule};
use thiserror::Error;
use zeroize::Zeroizing;

/// The most bytes read from the SMTP password file.
const MAX_PASSWORD_FILE: u64 = 4096;
/// The most bytes read from the CA file.
const MAX_CA_FILE: u64 = 4 << 20;

/// What went wrong with the mail server. Never holds the password.
#[derive(Debug, Error)]
pub enum MailError {
    /// The `[notify]` settings cannot be used (exit 2).
    #[error("[notify] {0}")]
    Config(String),
    /// The server cannot be reached, does not speak TLS as required, or
    /// cannot be verified or logged in to (exit 2: nothing was sent).
    #[error("the mail server {url}: {why}")]
    Unreachable {
        /// The server.
        url: String,
        /// Why.
        why: String,
    },
    /// One message was not taken (it stays due): the server refused this
    /// message for good (a 5xx answer to it).
    #[error("{0}")]
    Refused(String),
    /// The server stopped taking mail mid-run (the connection failed, or a
    /// 4xx "try later"): a run sends nothing more, as ipa-epn does, and
    /// what is left stays due for the next run.
    #[error("{0}")]
    Stopped(String),
}

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` upgraded by STARTTLS, which the server must offer.
    StartTls,
    /// `smtp://` with `starttls = false`: everything crosses in clear.
    Clear,
}

/// The mail server a run sends through.
pub struct Mailer {
    transport: SmtpTransport,
    url: String,
    protection: Protection,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("url", &self.url)
            .field("protection", &self.protection)
            .finish_non_exhaustive()
    }
}

/// Host and port of an `smtp://` or `smtps://` URL.
fn parse_url(url: &str, starttls: bool) -> Result<(String, u16, Protection), MailError> {
    let bad = |why: &str| MailError::Config(format!("smtp = {url:?}: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("write smtp://HOST:PORT or smtps://HOST:PORT"))?;
    let (protection, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "smtps" => (Protection::Tls, 465),
        "smtp" if starttls => (Protection::StartTls, 587),
        "smtp" => (Protection::Clear, 587),
        _ => return Err(bad("the scheme must be smtp:// or smtps://")),
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
        return Err(bad("give only HOST or HOST:PORT after the scheme"));
    }
    let bracketed = authority.starts_with('[') && authority.ends_with(']');
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !bracketed => (
            host,
            port.parse::<u16>()
                .map_err(|_| bad("the port is not a number"))?,
        ),
        _ => (authority, default_port),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok((host.to_owned(), port, protection))
}

impl Mailer {
    /// The mail server `settings` name, ready (nothing is connected yet).
    ///
    /// # Errors
    ///
    /// [`MailError::Config`] for a URL, CA file or password file that
    /// cannot be used.
    pub fn new(settings: &NotifySettings) -> Result<Mailer, MailError> {
        let url = settings.smtp.clone().ok_or_else(|| {
            MailError::Config("smtp is not set: no mail server to send through".into())
        })?;
        let (host, port, protection) = parse_url(&url, settings.starttls)?;
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(path) = settings.ca_file.as_deref() {
            let pem = files::read(Path::new(path), Rule::Trusted, MAX_CA_FILE)
                .map_err(|e| MailError::Config(format!("ca_file: {e}")))?;
            let cert = Certificate::from_pem(&pem).map_err(|_| {
                MailError::Config(format!("ca_file {path}: holds no PEM certificate"))
            })?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls
            .build_rustls()
            .map_err(|e| MailError::Config(format!("TLS: {e}")))?;
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(u64::from(
                settings.timeout_seconds.max(1),
            ))))
            .tls(match protection {
                Protection::Tls => Tls::Wrapper(tls),
                Protection::StartTls => Tls::Required(tls),
                Protection::Clear => Tls::None,
            })
            // One session for the whole run.
            .pool_config(PoolConfig::new().max_size(1).min_idle(0));
        match (&settings.username, &settings.password_file) {
            (Some(user), Some(file)) => {
                let password = secret(Path::new(file))?;
                builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
            }
            (Some(_), None) => {
                return Err(MailError::Config(
                    "username is set but password_file is not".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(MailError::Config(
                    "password_file is set but username is not".into(),
                ));
            }
            (None, None) => {}
        }
        Ok(Mailer {
            transport: builder.build(),
            url,
            protection,
        })
    }

    /// How the connection is protected.
    pub fn protection(&self) -> Protection {
        self.protection
    }

    /// The server's URL, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connects (TLS, certificate, login) and asks the server whether it
    /// is there: what a run does before it claims any reminder.
    ///
    /// # Errors
    ///
    /// [`MailError::Unreachable`] naming what failed.
    pub fn verify(&self) -> Result<(), MailError> {
        match self.transport.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Unreachable {
                url: self.url.clone(),
                why: "it does not answer".into(),
            }),
            Err(e) => Err(MailError::Unreachable {
                url: self.url.clone(),
                why: describe(&e),
            }),
        }
    }

    /// Sends one message.
    ///
    /// # Errors
    ///
    /// [`MailError::Refused`] with the server's word when it refused this
    /// message, [`MailError::Stopped`] when it stopped taking mail at all.
    pub fn send(&self, message: &Message) -> Result<(), MailError> {
        self.transport.send(message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                MailError::Refused(describe(&e))
            } else {
                MailError::Stopped(describe(&e))
            }
        })
    }
}

/// The first line of the password file, under the secret rules.
fn secret(path: &Path) -> Result<Zeroizing<String>, MailError> {
    let fail = |why: String| MailError::Config(format!("password_file {}: {why}", path.display()));
    let line = files::read_secret_line(path, MAX_PASSWORD_FILE).map_err(|e| fail(e.to_string()))?;
    if line.is_empty() {
        return Err(fail("is empty: its first line is the password".into()));
    }
    let text = std::str::from_utf8(&line).map_err(|_| fail("is not UTF-8".into()))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// lettre's error, said plainly (it never holds the password).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    if e.is_tls() || text.contains("certificate") {
        text.push_str(" (a server with its own CA: name its certificate in [notify] ca_file)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("smtp://mail.example.org", true).unwrap(),
            ("mail.example.org".into(), 587, Protection::StartTls)
        );
        assert_eq!(
            parse_url("smtps://mail.example.org:2465/", true).unwrap(),
            ("mail.example.org".into(), 2465, Protection::Tls)
        );
        assert_eq!(
            parse_url("SMTP://127.0.0.1:2525", false).unwrap(),
            ("127.0.0.1".into(), 2525, Protection::Clear)
        );
        assert_eq!(
            parse_url("smtp://[::1]:25", true).unwrap(),
            ("::1".into(), 25, Protection::StartTls)
        );
        for bad in [
            "mail.example.org",
            "http://mail.example.org",
            "smtp://user:pw@mail.example.org",
            "smtp://mail.example.org:x",
            "smtp://",
        ] {
            assert!(parse_url(bad, true).is_err(), "{bad}");
        }
    }
}

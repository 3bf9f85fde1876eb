//! The command line of `pwpolicy-web`, a library item so that the packaging
//! can generate pwpolicy-web(8) from it.

use std::path::PathBuf;

use clap::Parser;

/// The self-service page: change your password and see which rules it meets as you type.
#[derive(Debug, Parser)]
#[command(
    name = "pwpolicy-web",
    version,
    about = "The pwpolicy self-service page: change your password and see which rules it meets as you type",
    long_about = "The pwpolicy self-service page, over HTTPS only. People name their account, give \
their current password and choose a new one; each rule of their class ticks off as they type, \
decided in the browser by the pwpolicy core compiled to WebAssembly, and what only the server can \
know (the history, the breached list, the minimum age) is told on submit in the same words. A \
local account is changed through PAM by pwpolicyd (the [web] pam_service, as passwd would); a \
directory account over LDAPS with its current password, which works for expired and must-change \
passwords. Settings are the policy file's [web] section: listen, cert_file, key_file, url, \
pam_service, user, assets and the limits; the page is off until cert_file and key_file are set. \
Runs unprivileged (as [web] user under systemd: pwpolicy-web.service, not enabled until \
configured). Logs go to standard error (PWPOLICY_LOG sets the level); no password is ever \
logged. See /usr/share/doc/pwpolicy/security.md for what it holds against whom."
)]
pub struct Args {
    /// The policy file [default: /etc/security/pwpolicy.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the page's files are [default: the policy's `[web] assets`, else /usr/share/pwpolicy/web].
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,
}

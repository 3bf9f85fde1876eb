//! The command line of `pwpolicyd`, a library item so that the packaging can
//! generate pwpolicyd(8) from it.

use std::path::PathBuf;

use clap::Parser;

/// The pwpolicy service: answers policy, history and expiry questions on a Unix socket.
#[derive(Debug, Parser)]
#[command(
    name = "pwpolicyd",
    version,
    about = "The pwpolicy service: password policy, history and expiry answers on a Unix socket",
    long_about = "The pwpolicy service: one per host, it owns the password history store (a \
SQLite file or a PostgreSQL database) and answers the PAM module and the pwpolicy command over a \
Unix socket. Who may ask what is decided from the kernel's peer credentials: root and the admin \
group may do everything; anyone else may check a candidate for, and read the status of, their own \
account. Root and the self-service page's account ([web] user) may change a local account's \
password through PAM (the pam_change request: the current password authenticated, the new one \
checked, then pam_chauthtok through the [web] pam_service stack, as the user's own passwd would), \
from a helper process of pwpolicyd's own binary; at most 5 failed authentications per account in \
15 minutes. Under systemd the socket comes from pwpolicyd.socket (socket activation). SIGTERM or \
SIGINT stop it gracefully. Checks and commits are rate-limited per caller and share a fair gate of \
argon2 slots; see /usr/share/doc/pwpolicy/security.md."
)]
pub struct Args {
    /// Socket to listen on (ignored under socket activation) [default: the policy's `[service] socket`, else /run/pwpolicy/pwpolicyd.sock].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Store: a SQLite file or a postgres:// URL [default: the policy's `[store] db`, else /var/lib/pwpolicy/state.db].
    #[arg(long, value_name = "FILE|URL")]
    pub db: Option<String>,
    /// Members of this group may do everything root may [default: the policy's `[service] admin_group`].
    #[arg(long, value_name = "NAME")]
    pub admin_group: Option<String>,
    /// Connections served at once.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// Connections one non-root user may hold at once.
    #[arg(long, default_value_t = 16)]
    pub max_per_user: usize,
    /// Seconds a connection may idle, or take to send one request.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// argon2 runs (checks, commits) at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub hash_slots: Option<usize>,
    /// Checks and commits one ordinary user may make back to back.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub user_burst: u32,
    /// Checks and commits per second for one ordinary user, after the burst.
    #[arg(long, default_value_t = 1.0, value_name = "PER_SECOND")]
    pub user_rate: f64,
    /// Checks and commits root (every setuid PAM client) or an administrator may make back to back.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub admin_burst: u32,
    /// Checks and commits per second for root or an administrator, after the burst.
    #[arg(long, default_value_t = 50.0, value_name = "PER_SECOND")]
    pub admin_rate: f64,
}

//! Command-line syntax. Passwords are never accepted as arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Check passwords against the organisation's password policy.
#[derive(Debug, Parser)]
#[command(name = "pwpolicy", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a password read from standard input (first line) against the policy.
    ///
    /// Exits 0 when accepted, 1 when rejected, 2 on usage, configuration or input errors.
    Check(CheckArgs),
    /// Show or validate policy files.
    Policy {
        /// What to do with the policy.
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

/// Arguments of `pwpolicy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Account name the password is for (checked whole, as Windows does).
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// The user's full name (e.g. the GECOS field); its parts may not appear.
    #[arg(long, value_name = "F")]
    pub full_name: Option<String>,
    /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// History store [default: /var/lib/pwpolicy/state.db, skipped if absent].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read JSON Lines {"user", "full_name", "password"} and write one JSON verdict per line.
    #[arg(long, conflicts_with_all = ["user", "full_name"])]
    pub batch: bool,
}

/// `pwpolicy policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the effective policy as TOML, every key with its value.
    Show {
        /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Validate a policy file: exit 0 if valid, 1 (naming the line) if not.
    Check {
        /// The policy file to validate.
        file: PathBuf,
    },
}

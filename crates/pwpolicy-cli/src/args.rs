//! Command-line syntax. Passwords are never accepted as arguments.
//!
//! A library module as well as the binary's, so that the packaging can
//! generate pwpolicy(1) and the completions from the one definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Check passwords against the organisation's password policy, and manage
/// password history and expiry.
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
    /// Check a password from standard input and, if accepted, record it as the user's new one.
    Change(ChangeArgs),
    /// Show when a user's password last changed and when it expires.
    Status(StatusArgs),
    /// Set the date of a user's last password change (like `chage -d`).
    SetChanged(SetChangedArgs),
    /// Force a user to change their password at the next login.
    Expire(UserArgs),
    /// List users whose passwords expire within DAYS days, or have expired.
    Report(ReportArgs),
    /// List every account's password state, like `passwd -S -a` and `chage -l`:
    /// the host's accounts (with their class and what shadow says), then users
    /// only the store knows.
    List(ListArgs),
    /// Manage a user's password history.
    History {
        /// What to do with the history.
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Manage users in the store.
    User {
        /// What to do with the user.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Seed last-change dates from a shadow(5)-format file (field 3).
    ImportShadow(ImportShadowArgs),
    /// Show or validate policy files.
    Policy {
        /// What to do with the policy.
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Print shell completions for pwpolicy (e.g. `pwpolicy completions bash >
    /// /etc/bash_completion.d/pwpolicy`; the Debian package installs them).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Where the policy and the store are.
#[derive(Debug, Args, Clone)]
pub struct Sources {
    /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Store: a SQLite file or a postgres:// URL [default: the policy's `[store] db`, else /var/lib/pwpolicy/state.db].
    #[arg(long, value_name = "FILE|URL", conflicts_with = "socket")]
    pub db: Option<String>,
    /// Ask the pwpolicyd service at this socket instead of opening the store
    /// [default: the policy's `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
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
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read JSON Lines {"user", "full_name", "password"} and write one JSON verdict per line.
    #[arg(long, conflicts_with_all = ["user", "full_name"])]
    pub batch: bool,
}

/// Arguments of `pwpolicy change`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Account whose password changes.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// The user's full name; its parts may not appear.
    #[arg(long, value_name = "F")]
    pub full_name: Option<String>,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
    /// Allow the change even before the policy's minimum age (an administrator's reset).
    #[arg(long)]
    pub ignore_min_age: bool,
}

/// Arguments naming one user.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The account.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
}

/// Arguments of `pwpolicy status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The account [default with the service: yourself].
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `pwpolicy set-changed`.
#[derive(Debug, Args)]
pub struct SetChangedArgs {
    /// The account.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// The day of the last change (UTC), as YYYY-MM-DD, or `today`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
}

/// Output formats of `pwpolicy report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// An aligned table.
    Table,
    /// A JSON array of status objects.
    Json,
    /// CSV with a header line.
    Csv,
}

/// Arguments of `pwpolicy report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// List passwords that expire within this many days (and those already expired or forced).
    #[arg(long, value_name = "DAYS")]
    pub expiring_within: u32,
    /// How to print the rows.
    #[command(flatten)]
    pub output: Output,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
}

/// How `report` and `list` print their rows.
#[derive(Debug, Args)]
pub struct Output {
    /// Print JSON (same as --format json).
    #[arg(long, conflicts_with_all = ["csv", "format"])]
    pub json: bool,
    /// Print CSV (same as --format csv).
    #[arg(long, conflicts_with = "format")]
    pub csv: bool,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

impl Output {
    /// The format asked for.
    pub fn format(&self) -> ReportFormat {
        match (self.json, self.csv, self.format) {
            (true, _, _) => ReportFormat::Json,
            (_, true, _) => ReportFormat::Csv,
            (_, _, Some(f)) => f,
            _ => ReportFormat::Table,
        }
    }
}

/// Arguments of `pwpolicy list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// How to print the rows.
    #[command(flatten)]
    pub output: Output,
    /// The host's passwd file; `group`, `login.defs` and (if readable)
    /// `shadow` are read from beside it.
    #[arg(long, value_name = "FILE", default_value = "/etc/passwd")]
    pub passwd: PathBuf,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
}

/// `pwpolicy history …`
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Forget a user's password history (earlier passwords become allowed again).
    Clear(UserArgs),
}

/// `pwpolicy user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Remove a user's record and history from the store.
    Remove(UserArgs),
}

/// Arguments of `pwpolicy import-shadow`.
#[derive(Debug, Args)]
pub struct ImportShadowArgs {
    /// A shadow(5)-format file, e.g. /etc/shadow.
    pub file: PathBuf,
    /// Replace the dates of users the store already knows.
    #[arg(long)]
    pub overwrite: bool,
    /// The passwd file that tells people from system accounts (uids)
    /// [default: `passwd` beside FILE; `group` and `login.defs` are read from
    /// beside it too].
    #[arg(long, value_name = "FILE")]
    pub passwd: Option<PathBuf>,
    /// Import every account, system accounts and exempt classes included.
    #[arg(long, conflicts_with = "passwd")]
    pub all: bool,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
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

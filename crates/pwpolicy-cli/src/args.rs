//! Command-line syntax. Passwords are never accepted as arguments.
//!
//! A library module as well as the binary's, so that the packaging can
//! generate pwpolicy(1) and the completions from the one definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Check passwords against the organisation's password policy, and manage
/// password history and expiry.
#[derive(Debug, Parser)]
#[command(name = "pwpolicy", version, after_help = BEFORE_THE_VERB)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const BEFORE_THE_VERB: &str = "--config, --db, --socket, --directory and --json may also come \
     before the command: `pwpolicy --socket S status` is `pwpolicy status --socket S`.";

/// Options that say where to look (and `--json`): an admin types them
/// first (`pwpolicy --socket S status`), as with git's `-C`. Each verb
/// that takes them declares them itself, so they are moved to the end of
/// the line (before a `--`) and the verb decides; one it does not take is
/// refused by the verb's own parser, naming it.
const HOISTED: &[&str] = &["--config", "--db", "--socket", "--directory"];
/// Hoisted flags, which take no value.
const HOISTED_FLAGS: &[&str] = &["--json"];

/// The command line with the options of `HOISTED` that come before the
/// verb moved after it.
pub fn hoist(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut args = args.into_iter();
    let mut line: Vec<std::ffi::OsString> = args.next().into_iter().collect();
    let mut moved = Vec::new();
    let mut rest: Vec<std::ffi::OsString> = args.collect();
    while let Some(arg) = rest.first().and_then(|a| a.to_str()).map(str::to_owned) {
        let name = arg.split_once('=').map_or(arg.as_str(), |(name, _)| name);
        if HOISTED_FLAGS.contains(&arg.as_str()) {
            moved.push(rest.remove(0));
        } else if HOISTED.contains(&name) {
            moved.push(rest.remove(0));
            if !arg.contains('=') && !rest.is_empty() {
                moved.push(rest.remove(0));
            }
        } else {
            break;
        }
    }
    let end = rest.iter().position(|a| a == "--").unwrap_or(rest.len());
    let after: Vec<_> = rest.split_off(end);
    line.extend(rest);
    line.extend(moved);
    line.extend(after);
    line
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
    Expire(ExpireArgs),
    /// List users whose passwords expire within DAYS days, or have expired.
    Report(ReportArgs),
    /// List every account's password state, like `passwd -S -a` and `chage -l`:
    /// the host's accounts (with their class and what shadow says), then users
    /// only the store knows.
    List(ListArgs),
    /// Remind people by mail before their passwords expire (and of old ones
    /// a class asks to be reminded of): a dry run that lists what would be
    /// sent, unless --send. Each reminder goes once per threshold per
    /// password, recorded in the store.
    Notify(NotifyArgs),
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
    /// Build, inspect and use breached-password filters (HIBP's Pwned
    /// Passwords files, or plain lists).
    Breach {
        /// What to do with a filter.
        #[command(subcommand)]
        command: BreachCommand,
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
    /// Be Samba AD DC's `check password script`: the account from
    /// SAMBA_CPS_ACCOUNT_NAME, the full name from SAMBA_CPS_FULL_NAME, the
    /// principal name from SAMBA_CPS_USER_PRINCIPAL_NAME, the password all of
    /// standard input (no newline); exit 0 accepts, anything else refuses.
    #[arg(long, conflicts_with_all = ["user", "full_name", "batch", "db", "socket"])]
    pub samba: bool,
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

/// Arguments naming one user, for a verb that works on the store itself.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The account.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// Policy and store.
    #[command(flatten)]
    pub sources: StoreOnly,
}

/// Policy and store for the verbs pwpolicyd does not offer (they work on
/// the store itself, so there is no `--socket` to offer them).
#[derive(Debug, Args)]
pub struct StoreOnly {
    /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Store: a SQLite file or a postgres:// URL [default: the policy's `[store] db`, else /var/lib/pwpolicy/state.db].
    #[arg(long, value_name = "FILE|URL")]
    pub db: Option<String>,
}

impl StoreOnly {
    /// As the sources every verb takes, with no service named.
    pub fn sources(&self) -> Sources {
        Sources {
            config: self.config.clone(),
            db: self.db.clone(),
            socket: None,
        }
    }
}

/// Arguments of `pwpolicy expire`.
#[derive(Debug, Args)]
pub struct ExpireArgs {
    /// The account.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// Record it even if neither this host nor the store knows the account
    /// (a fleet's user of other hosts); without it such a name is refused.
    #[arg(long)]
    pub create: bool,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
}

/// Which directory to read users from, over the policy's `[directory]`.
#[derive(Debug, Args, Clone, Default)]
pub struct DirectoryArgs {
    /// Answer for Active Directory users from this DC: ldaps://HOST,
    /// ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the
    /// policy's `[directory] url`, if set].
    #[arg(long, value_name = "URL")]
    pub directory: Option<String>,
    /// Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously].
    #[arg(long, value_name = "DN")]
    pub bind_dn: Option<String>,
    /// The bind password: this file's first line; the file must be readable
    /// by its owner only [default: `[directory] bind_password_file`].
    #[arg(long, value_name = "FILE")]
    pub bind_password_file: Option<PathBuf>,
    /// Search users under this DN [default: `[directory] base`, else the whole domain].
    #[arg(long, value_name = "DN")]
    pub base: Option<String>,
    /// Trust the CA certificates in this PEM file as well as the system's
    /// (a DC's own CA) [default: `[directory] ca_file`].
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
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
    /// A directory instead of the store.
    #[command(flatten)]
    pub directory: DirectoryArgs,
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
    /// Record it even if neither this host nor the store knows the account
    /// (a fleet's user of other hosts); without it such a name is refused.
    #[arg(long)]
    pub create: bool,
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
    /// One self-contained HTML page (report only).
    Html,
}

/// Arguments of `pwpolicy report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// List passwords that expire within this many days (and those already
    /// expired or forced) [required, but with --html: the longest of
    /// `[notify] days`, 14 by default].
    #[arg(long, value_name = "DAYS", required_unless_present_any = ["html", "format"])]
    pub expiring_within: Option<u32>,
    /// How to print the rows.
    #[command(flatten)]
    pub output: Output,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
    /// A directory instead of the store.
    #[command(flatten)]
    pub directory: DirectoryArgs,
    /// With a directory: list the store's users too, before the directory's.
    #[arg(long)]
    pub with_store: bool,
    /// With a directory: list disabled accounts too.
    #[arg(long)]
    pub include_disabled: bool,
}

/// What `pwpolicy notify --help` (and its man page) says after the options.
const NOTIFY_AFTER: &str = "\
Setup: the [notify] section of the policy file names the mail server (smtp, \
STARTTLS required; ca_file, username, password_file), from, to (\"{user}@example.org\"; \
a directory user's mail attribute comes first), days, max_per_run, admin; see \
pwpolicy.toml(5). Run without --send first to see what would go, then once \
with --send, then enable the daily timer: systemctl enable --now pwpolicy-notify.timer.

Reasons: expiring (a threshold of [notify] days reached), expired, must_change, \
annual and never_changed (a class's remind_after_days).

Exit status: 0 every due reminder sent (or listed); 1 some not sent (they \
stay due); 2 a configuration error, or the mail server cannot be reached, \
verified or logged in to (nothing sent or recorded).";

/// Arguments of `pwpolicy notify`.
#[derive(Debug, Args)]
#[command(after_long_help = NOTIFY_AFTER)]
pub struct NotifyArgs {
    /// Send the mail (without it, only list what would be sent).
    #[arg(long)]
    pub send: bool,
    /// Print {"dry_run", "messages": [{"user", "to", "reason", "days_left",
    /// "expires"}], "failed": [{"user", "error"}], "waiting"}.
    #[arg(long)]
    pub json: bool,
    /// Policy and store (where what was sent is recorded).
    #[command(flatten)]
    pub sources: Sources,
    /// A directory's users instead of the store's (what was sent is still
    /// recorded in the store: --db, or the default).
    #[command(flatten)]
    pub directory: DirectoryArgs,
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
    /// Print one self-contained HTML page (same as --format html): counts
    /// by state and class, a chart of the next 13 weeks' expiries, and the
    /// table (report only).
    #[arg(long, conflicts_with_all = ["json", "csv", "format"])]
    pub html: bool,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

impl Output {
    /// The format asked for.
    pub fn format(&self) -> ReportFormat {
        match (self.json, self.csv, self.html, self.format) {
            (true, _, _, _) => ReportFormat::Json,
            (_, true, _, _) => ReportFormat::Csv,
            (_, _, true, _) => ReportFormat::Html,
            (_, _, _, Some(f)) => f,
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
    /// List another host's accounts: its passwd file, with `group`,
    /// `login.defs` and (if readable) `shadow` read from beside it
    /// [default: this host's accounts, from its name service].
    #[arg(long, value_name = "FILE", conflicts_with = "directory")]
    pub passwd: Option<PathBuf>,
    /// Policy and store.
    #[command(flatten)]
    pub sources: Sources,
    /// A directory's users instead of the store's and this host's.
    #[command(flatten)]
    pub directory: DirectoryArgs,
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
    pub sources: StoreOnly,
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
        /// The policy file to validate [default: /etc/security/pwpolicy.toml].
        file: Option<PathBuf>,
    },
    /// Say whether the policy meets a published standard (--against
    /// nist-800-63b-4 | pci-dss-4), or whether a domain's own settings
    /// enforce the policy (--directory). Exits 0 when it conforms, 1 with
    /// findings, 2 on errors.
    Audit(PolicyAuditArgs),
}

/// Arguments of `pwpolicy policy audit`.
#[derive(Debug, Args)]
pub struct PolicyAuditArgs {
    /// Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Audit the policy against this standard: nist-800-63b-4 (NIST SP
    /// 800-63B-4, 2025) or pci-dss-4 (PCI DSS v4.0.1). The policy's
    /// `multi_factor` says whether passwords are the only factor.
    #[arg(long, value_name = "PROFILE", value_parser = profile_name, conflicts_with = "directory")]
    pub against: Option<pwpolicy::Profile>,
    /// The directory whose settings are audited.
    #[command(flatten)]
    pub directory: DirectoryArgs,
    /// Print JSON: {"conforms", "findings": [{"key", "policy", "required", "source", "message", "actual"}], "notes": [...]}.
    #[arg(long)]
    pub json: bool,
}

/// `pwpolicy breach` verbs.
#[derive(Debug, Subcommand)]
pub enum BreachCommand {
    /// Build a filter from HIBP `HASH:COUNT` files (SHA-1 or NTLM, either
    /// case, LF or CRLF) or plain password lists, one a line.
    ///
    /// Each input's format is detected from its first line. The filter is
    /// written to a temporary file beside FILE and renamed over it when
    /// complete, so readers never see half a filter.
    Build(BreachBuildArgs),
    /// Show what a filter holds, and check every byte of it.
    Info(BreachInfoArgs),
    /// Look up a password read from standard input (first line): exit 1 if
    /// the filter has it, 0 if not.
    Lookup(BreachFilterArgs),
    /// List the accounts whose NT hash is in an NTLM filter, from pwdump
    /// lines (`user:rid:lmhash:nthash:::`): exit 1 if any is, 0 if none.
    Audit(BreachAuditArgs),
}

/// What the inputs of `breach build` are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Detect per file from its first line.
    Auto,
    /// HIBP SHA-1 `HASH:COUNT` lines.
    Sha1,
    /// HIBP NTLM `HASH:COUNT` lines.
    Ntlm,
    /// Passwords, one a line.
    Plain,
}

/// The hash a filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyArg {
    /// SHA-1 of the UTF-8 password (HIBP's SHA-1 set).
    Sha1,
    /// NTLM: MD4 of the UTF-16LE password (HIBP's NTLM set; what Active Directory stores).
    Ntlm,
}

/// Arguments of `pwpolicy breach build`.
#[derive(Debug, Args)]
pub struct BreachBuildArgs {
    /// The filter to write (replaced atomically).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// HIBP files or password lists.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The inputs' format [default: detected per file].
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub format: InputFormatArg,
    /// The hash the filter keeps when every input is a plain list [default:
    /// sha1]; HIBP inputs decide it themselves.
    #[arg(long, value_enum)]
    pub key: Option<KeyArg>,
    /// Keep only hashes seen at least N times (the `:COUNT` of HIBP lines;
    /// lines without a count count once, plain passwords are always kept).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_count: u64,
    /// The false-positive rate: the chance that a password not in the
    /// inputs is reported as breached.
    #[arg(long, value_name = "RATE", default_value = "1e-9")]
    pub fp_rate: f64,
    /// Memory for sorting [default: 1G]; larger inputs are sorted in runs
    /// on disk (8 bytes an entry, in --tmp-dir).
    #[arg(long, value_name = "SIZE", default_value = "1G")]
    pub memory: String,
    /// Where sorted runs go [default: the output's directory].
    #[arg(long, value_name = "DIR")]
    pub tmp_dir: Option<PathBuf>,
    /// Build even when some lines are bad (they are still listed).
    #[arg(long)]
    pub skip_bad_lines: bool,
}

/// Arguments of `pwpolicy breach info`.
#[derive(Debug, Args)]
pub struct BreachInfoArgs {
    /// The filter.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Check only the header and the top index, not every page.
    #[arg(long)]
    pub quick: bool,
}

/// Which filter `breach lookup` asks.
#[derive(Debug, Args)]
pub struct BreachFilterArgs {
    /// The filter [default: the policy's `[breached] file`].
    #[arg(long, value_name = "FILE")]
    pub filter: Option<PathBuf>,
    /// Policy file, for its `[breached]` section.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Arguments of `pwpolicy breach audit`.
#[derive(Debug, Args)]
pub struct BreachAuditArgs {
    /// The NTLM filter [default: the policy's `[breached] file`].
    #[arg(long, value_name = "FILE")]
    pub filter: Option<PathBuf>,
    /// Policy file, for its `[breached]` section.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// pwdump-format lines (`user:rid:lmhash:nthash:::`; `-` for standard input).
    #[arg(value_name = "HASHFILE")]
    pub hashes: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// A profile's name, for `--against`.
fn profile_name(name: &str) -> Result<pwpolicy::Profile, String> {
    pwpolicy::Profile::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = pwpolicy::Profile::ALL.iter().map(|p| p.name()).collect();
        format!("no such profile; use one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoisted(line: &str) -> String {
        let args = line.split(' ').map(std::ffi::OsString::from);
        let out: Vec<String> = hoist(args)
            .into_iter()
            .map(|a| a.into_string().unwrap_or_default())
            .collect();
        out.join(" ")
    }

    #[test]
    fn options_before_the_verb_move_after_it() {
        assert_eq!(
            hoisted("pwpolicy --socket /s status --user a"),
            "pwpolicy status --user a --socket /s"
        );
        assert_eq!(
            hoisted("pwpolicy --config=/c.toml --json policy show"),
            "pwpolicy policy show --config=/c.toml --json"
        );
        assert_eq!(
            hoisted("pwpolicy --db /d history clear --user a -- x"),
            "pwpolicy history clear --user a --db /d -- x"
        );
        // Nothing before the verb, or an option that is not hoisted: as typed.
        for line in [
            "pwpolicy status --socket /s",
            "pwpolicy --version",
            "pwpolicy",
        ] {
            assert_eq!(hoisted(line), line);
        }
    }

    #[test]
    fn every_hoisted_option_is_one_some_verb_takes() {
        use clap::CommandFactory;
        let cli = Cli::command();
        for name in HOISTED.iter().chain(HOISTED_FLAGS) {
            let long = name.trim_start_matches("--");
            let taken = cli.get_subcommands().any(|verb| {
                verb.get_arguments().any(|a| a.get_long() == Some(long))
                    || verb
                        .get_subcommands()
                        .any(|sub| sub.get_arguments().any(|a| a.get_long() == Some(long)))
            });
            assert!(taken, "no verb takes {name}");
        }
    }
}

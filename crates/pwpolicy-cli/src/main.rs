//! `pwpolicy`: check passwords against the organisation's policy, and manage
//! password history and expiry, from the shell.
//!
//! Exit codes: 0 accepted / done, 1 rejected / nothing to do, 2 usage,
//! configuration, store or input error.

#![forbid(unsafe_code)]

/// `println!` that returns the write's error instead of panicking: a
/// reader that closed the pipe (`pwpolicy list | head`) ends the command
/// quietly (see `main`), not with a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that returns the write's error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// One line on standard error: `pwpolicy: ` and the message, made
/// printable whole ([`pwpolicy::printable`]). Messages quote account names,
/// paths from the policy, the directory's values and errors that hold them;
/// none of those may end the line, forge another or send the terminal an
/// escape.
macro_rules! errln {
    ($($arg:tt)*) => {
        eprintln!("pwpolicy: {}", pwpolicy::printable(&format!($($arg)*)))
    };
}

mod admin;
mod batch;
mod breach;
mod change;
mod check;
mod config;
mod input;
mod list;
mod notify;
mod policy_cmd;
mod render;
mod samba;
mod status;
mod store_access;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use pwpolicy_cli::args;
use pwpolicy_cli::args::{BreachCommand, Cli, Command, HistoryCommand, PolicyCommand, UserCommand};

/// Exit code for an accepted password (and for success in general).
const EXIT_ACCEPTED: u8 = 0;
/// Exit code for a rejected password, an invalid policy file, or an unknown user.
const EXIT_REJECTED: u8 = 1;
/// Exit code for usage, configuration, store and input errors.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse_from(args::hoist(std::env::args_os()));
    let json = wants_json(&cli.command);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`pwpolicy list | head`): end quietly, as
        // a C tool killed by SIGPIPE does, and with its status (128 + 13),
        // never with one that claims a verdict nobody saw.
        Err(err) if broken_pipe(&err) => ExitCode::from(EXIT_BROKEN_PIPE),
        Err(err) => {
            let said = say(&err);
            errln!("{said}");
            if json {
                // Scripts that asked for JSON get it for errors too.
                let error = serde_json::json!({ "error": said });
                let _ = render::json_line(&mut std::io::stdout().lock(), &error);
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The exit status of a command whose reader closed the pipe.
const EXIT_BROKEN_PIPE: u8 = 141;

/// Whether `err` is (or was caused by) writing to a closed pipe.
fn broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            })
            == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// An error and its causes on one line, each said once and plainly: the
/// same words pwpolicyd and the PAM module log.
fn say(err: &anyhow::Error) -> String {
    pwpolicy_host::say(err.as_ref())
}

/// Whether the command asked for JSON output.
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Check(a) => a.json || a.batch,
        Command::Change(a) => a.json,
        Command::Status(a) => a.json,
        Command::Report(a) => a.output.format() == args::ReportFormat::Json,
        Command::List(a) => a.output.format() == args::ReportFormat::Json,
        Command::Notify(a) => a.json,
        Command::Policy {
            command: PolicyCommand::Audit(a),
        } => a.json,
        Command::Breach {
            command: BreachCommand::Info(a),
        } => a.json,
        Command::Breach {
            command: BreachCommand::Audit(a),
        } => a.json,
        _ => false,
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Change(args) => change::run(&args),
        Command::Status(args) => status::status(&args),
        Command::SetChanged(args) => admin::set_changed(&args),
        Command::Expire(args) => admin::expire(&args),
        Command::Report(args) => status::report(&args),
        Command::List(args) => list::run(&args),
        Command::Notify(args) => notify::run(&args),
        Command::History {
            command: HistoryCommand::Clear(args),
        } => admin::clear_history(&args),
        Command::User {
            command: UserCommand::Remove(args),
        } => admin::remove_user(&args),
        Command::ImportShadow(args) => admin::import_shadow(&args),
        Command::Policy {
            command: PolicyCommand::Show { config },
        } => policy_cmd::show(config.as_deref()),
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => policy_cmd::check(file.as_deref()),
        Command::Policy {
            command: PolicyCommand::Audit(args),
        } => policy_cmd::audit(&args),
        Command::Breach { command } => breach::run(command),
        Command::Completions { shell } => {
            // Into a buffer first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pwpolicy", &mut script);
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&script)?;
            stdout.flush()?;
            Ok(EXIT_ACCEPTED)
        }
    }
}

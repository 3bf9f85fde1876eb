//! `pwpolicy`: check passwords against the organisation's policy, and manage
//! password history and expiry, from the shell.
//!
//! Exit codes: 0 accepted / done, 1 rejected / nothing to do, 2 usage,
//! configuration, store or input error.

#![forbid(unsafe_code)]

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
    let cli = Cli::parse();
    let json = wants_json(&cli.command);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let said = say(&err);
            eprintln!("pwpolicy: {said}");
            if json {
                // Scripts that asked for JSON get it for errors too.
                let error = serde_json::json!({ "error": said });
                let _ = render::json_line(&mut std::io::stdout().lock(), &error);
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// An error and its causes on one line, each cause said once: many of
/// our errors already name their cause in their own message (so that a
/// log with `{}` alone has it), and a chain would repeat it.
fn say(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
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
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "pwpolicy",
                &mut std::io::stdout(),
            );
            Ok(EXIT_ACCEPTED)
        }
    }
}

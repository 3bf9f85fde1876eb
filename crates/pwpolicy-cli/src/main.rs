//! `pwpolicy`: check passwords against the organisation's policy from the shell.
//!
//! Exit codes: 0 accepted, 1 rejected, 2 usage, configuration or input error.

mod args;
mod check;
mod config;
mod input;
mod policy_cmd;
mod render;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, PolicyCommand};

/// Exit code for an accepted password (and for success in general).
const EXIT_ACCEPTED: u8 = 0;
/// Exit code for a rejected password or an invalid policy file.
const EXIT_REJECTED: u8 = 1;
/// Exit code for usage, configuration and input errors.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("pwpolicy: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Policy {
            command: PolicyCommand::Show { config },
        } => policy_cmd::show(config.as_deref()),
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => policy_cmd::check(&file),
    }
}

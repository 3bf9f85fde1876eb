//! `pwpolicy-web --config FILE`: the self-service page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The self-service page: change your password and see, as you type, which
/// of the policy's rules it meets. Settings in the policy file's `[web]`.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The policy file [default: /etc/security/pwpolicy.toml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the page's files are [default: `[web] assets`].
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: in the journal they would be raw escapes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PWPOLICY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    match pwpolicy_web::run::run(args.config.as_deref(), args.assets.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pwpolicy-web: {}", pwpolicy::printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

//! `pwpolicy-web --config FILE`: the self-service page.

use std::process::ExitCode;

use clap::Parser;
use pwpolicy_web::cli::Args;

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

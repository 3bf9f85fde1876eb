//! A client of pwpolicyd's `pam_change` for the tests, as the self-service
//! page calls it: `pam_change_client SOCKET USER`, the current and the new
//! password on standard input (one line each, never argv). Prints the answer
//! as JSON (`{"outcome": …}`, or `{"error": {"kind", "message"}}`) and exits
//! 0, or 2 when the service could not be asked.

#![deny(unsafe_code)]

use std::io::BufRead;
use std::process::ExitCode;

use pwpolicy_backend::{BackendError, Service};
use zeroize::Zeroizing;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, socket, user] = args.as_slice() else {
        eprintln!("usage: pam_change_client SOCKET USER < current-and-new");
        return ExitCode::from(2);
    };
    let mut lines = std::io::stdin().lock();
    let mut read = || {
        let mut line = Zeroizing::new(String::new());
        let _ = lines.read_line(&mut line);
        let trimmed = line.trim_end_matches('\n').len();
        line.truncate(trimmed);
        line
    };
    let (current, new) = (read(), read());
    let mut service = Service::new(socket.into());
    let answer = service.change_through_pam(user, &current, &new);
    match answer {
        Ok(outcome) => {
            println!("{}", serde_json::to_string(&outcome).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(BackendError::Refused { kind, message }) => {
            let error = serde_json::json!({"error": {"kind": kind, "message": message}});
            println!("{error}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pam_change_client: {e}");
            ExitCode::from(2)
        }
    }
}

//! `pwpolicy-packaging OUT`: writes the generated man pages to `OUT/man/`
//! and the completions to `OUT/share/` (see `scripts/build-deb.sh`).

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    // An option is not a directory: `--help` once wrote a `--help/` tree
    // into the work tree.
    let Some(out) = std::env::args_os()
        .nth(1)
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .map(PathBuf::from)
    else {
        eprintln!("usage: pwpolicy-packaging OUT-DIR");
        return ExitCode::from(2);
    };
    let result = pwpolicy_packaging::write_man_pages(&out.join("man"))
        .and_then(|_| pwpolicy_packaging::write_completions(&out.join("share")));
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pwpolicy-packaging: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

//! pwpolicy's side of the breached-filter lookup run (`benches/peers/breach.sh`):
//! the counterpart of `pwqfilter -f FILTER --pre-hashed -c`.
//!
//! Usage: `breach_lookup FILTER < hashes`
//!
//! Maps `FILTER` as pwpolicy does (`pwpolicy-breach-file`), reads hashes
//! one a line from standard input (hex, either case; a HIBP `:COUNT` is
//! ignored), looks each up with [`pwpolicy_breach::BreachedSet::contains`] and
//! prints one line:
//!
//! ```text
//! pwpolicy lookups=<N> found=<K> seconds=<S> lookups_per_sec=<R>
//! ```
//!
//! `seconds` is the reading, parsing and lookup loop alone (the map is
//! opened before it starts); the peer script also times the whole process,
//! the same way for both tools. Exit 0, or 2 on a bad line or a damaged
//! filter.

use std::io::{self, BufRead};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use pwpolicy_breach::hex_prefix;
use pwpolicy_breach_file::{MappedSet, open_plain};

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("breach_lookup: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, path] = args.as_slice() else {
        return Err("usage: breach_lookup FILTER < hashes".to_owned());
    };
    let mapped = MappedSet::open(Path::new(path), open_plain).map_err(|e| e.to_string())?;
    let filter = mapped.set();
    let hex_len = filter.header().kind.hex_len();

    let start = Instant::now();
    let mut stdin = io::stdin().lock();
    let mut line = Vec::with_capacity(128);
    let (mut lookups, mut found) = (0u64, 0u64);
    loop {
        line.clear();
        if stdin
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("cannot read standard input: {e}"))?
            == 0
        {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            continue;
        }
        let hash = text.split(|&b| b == b':').next().unwrap_or(text);
        let prefix = hex_prefix(hash)
            .filter(|_| hash.len() == hex_len)
            .ok_or_else(|| format!("line {}: not a {}-digit hex hash", lookups + 1, hex_len))?;
        lookups += 1;
        if filter
            .contains(prefix)
            .map_err(|e| mapped.error(e).to_string())?
        {
            found += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(format!(
        "pwpolicy lookups={lookups} found={found} seconds={seconds:.6} lookups_per_sec={:.0}",
        lookups as f64 / seconds.max(1e-9)
    ))
}

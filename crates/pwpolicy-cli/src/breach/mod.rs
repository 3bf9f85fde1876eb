//! `pwpolicy breach`: build a breached-password filter, show one, look a
//! password up in one, and audit accounts' NT hashes against one.

mod audit;
mod build;
mod runs;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use pwpolicy_breach::BreachedSet;
use pwpolicy_breach_file::{MappedSet, open_plain};
use serde_json::json;

use crate::args::{BreachCommand, BreachFilterArgs, BreachInfoArgs};
use crate::check::read_password;
use crate::input::Line;
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED, config, render};

/// Runs a `pwpolicy breach` verb.
pub fn run(command: BreachCommand) -> anyhow::Result<u8> {
    match command {
        BreachCommand::Build(args) => build::run(&args),
        BreachCommand::Info(args) => info(&args),
        BreachCommand::Lookup(args) => lookup(&args),
        BreachCommand::Audit(args) => audit::run(&args),
    }
}

/// The filter a verb names with `--filter`, else the policy's, with the
/// policy's NFKC setting.
fn chosen_filter(
    filter: Option<&Path>,
    config: Option<&Path>,
) -> anyhow::Result<(MappedSet, bool)> {
    let policy = config::load(config)?.policy;
    let path = match (filter, &policy.breached.file) {
        (Some(path), _) => path.to_owned(),
        (None, Some(file)) => PathBuf::from(file),
        (None, None) => {
            bail!("no filter: give --filter FILE, or set [breached] file in the policy")
        }
    };
    let mapped = MappedSet::open(&path, open_plain)?;
    Ok((mapped, policy.breached.nfkc))
}

/// `pwpolicy breach info`.
fn info(args: &BreachInfoArgs) -> anyhow::Result<u8> {
    let mapped = MappedSet::open(&args.file, open_plain)?;
    let filter = mapped.set();
    let verified = if args.quick {
        false
    } else {
        mapped.verify()?;
        true
    };
    let h = filter.header();
    if args.json {
        let value = json!({
            "file": args.file.display().to_string(),
            "key": h.kind.name(),
            "entries": h.entries,
            "bytes": h.file_len,
            "bits_per_entry": filter.bits_per_entry(),
            "false_positive_rate": filter.false_positive_rate(),
            "one_in": h.one_in,
            "min_count": h.min_count,
            "created": created(h.created),
            "format_version": pwpolicy_breach::format::VERSION,
            "verified": verified,
        });
        render::json_line(&mut std::io::stdout().lock(), &value)?;
    } else {
        outln!("{}: {} keys", shown(&args.file), h.kind)?;
        outln!("{}", describe(filter))?;
        if h.min_count > 1 {
            outln!("hashes seen fewer than {} times left out", h.min_count)?;
        }
        outln!("built {}", created(h.created))?;
        outln!(
            "{}",
            if verified {
                "every page checked: intact"
            } else {
                "header and top index checked (--quick); pages are checked as lookups read them"
            }
        )?;
    }
    Ok(EXIT_ACCEPTED)
}

/// `pwpolicy breach lookup`.
fn lookup(args: &BreachFilterArgs) -> anyhow::Result<u8> {
    let (mapped, nfkc) = chosen_filter(args.filter.as_deref(), args.config.as_deref())?;
    let line = read_password(&pwpolicy::Policy::default(), "Password: ")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Line::Text(password) = line else {
        errln!("the password is longer than any policy accepts");
        return Ok(EXIT_ERROR);
    };
    let found = mapped
        .set()
        .contains_password(&password, nfkc)
        .map_err(|e| mapped.error(e))
        .context("cannot look the password up")?;
    Ok(if found {
        outln!("breached: in {}", shown(mapped.path()))?;
        EXIT_REJECTED
    } else {
        outln!("not in {}", shown(mapped.path()))?;
        EXIT_ACCEPTED
    })
}

/// A path for a line of output: made printable, since it may come from the
/// policy file or from a name a shell glob found.
pub fn shown(path: &Path) -> String {
    pwpolicy::printable(&path.display().to_string()).into_owned()
}

/// Entries, size and false-positive rate, one line.
pub fn describe<B: AsRef<[u8]>>(filter: &BreachedSet<B>) -> String {
    let h = filter.header();
    format!(
        "{} entries in {} bytes: {:.2} bits an entry, false positives 1 in {} (asked: 1 in {})",
        thousands(h.entries),
        thousands(h.file_len),
        filter.bits_per_entry(),
        thousands((1.0 / filter.false_positive_rate()).round() as u64),
        thousands(h.one_in),
    )
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A build time as `YYYY-MM-DD HH:MM UTC`.
fn created(secs: u64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0)) else {
        return "at an unknown time".into();
    };
    format!(
        "{} {:02}:{:02} UTC",
        pwpolicy::format_date(at.date()),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}

//! `pwpolicy breach audit`: which accounts already have a breached
//! password, from their NT hashes, without knowing any password (what
//! Lithnet's `Test-IsADUserPasswordCompromised` does for one user).
//!
//! Input is pwdump's format, one account a line: `user:rid:lmhash:nthash:::`
//! (what secretsdump, `samba-tool` scripts and DSInternals export).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use anyhow::{Context, bail};
use pwpolicy_breach::{KeyKind, hex_prefix};
use serde_json::json;
use zeroize::Zeroizing;

use super::{chosen_filter, thousands};
use crate::args::BreachAuditArgs;
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED, render};

/// What pwdump writes for an account with no NT hash.
const NO_PASSWORD: &str = "NO PASSWORD";
/// Longest line read; pwdump lines are about 100 bytes.
const LINE_LIMIT: u64 = 64 * 1024;

/// One line, understood.
#[derive(Debug, PartialEq, Eq)]
enum Account<'a> {
    /// A user and the first 64 bits of their NT hash.
    Hash(&'a str, u64),
    /// A user with no NT hash stored.
    NoHash(&'a str),
}

fn parse(line: &str) -> Option<Account<'_>> {
    let mut fields = line.trim_end_matches(['\r', '\n']).split(':');
    let user = fields.next().filter(|u| !u.is_empty())?;
    let _rid = fields.next()?;
    let _lm = fields.next()?;
    let nt = fields.next()?;
    if nt.starts_with(NO_PASSWORD) {
        return Some(Account::NoHash(user));
    }
    if nt.len() != KeyKind::Ntlm.hex_len() {
        return None;
    }
    hex_prefix(nt.as_bytes()).map(|p| Account::Hash(user, p))
}

/// Runs `pwpolicy breach audit`.
pub fn run(args: &BreachAuditArgs) -> anyhow::Result<u8> {
    let (mapped, _) = chosen_filter(args.filter.as_deref(), args.config.as_deref())?;
    let filter = mapped.set();
    if filter.header().kind != KeyKind::Ntlm {
        bail!(
            "{} holds {} keys; auditing NT hashes needs an NTLM filter \
             (build one from HIBP's NTLM set)",
            mapped.path().display(),
            filter.header().kind
        );
    }
    let input: Box<dyn Read> = if args.hashes.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            File::open(&args.hashes)
                .with_context(|| format!("cannot read {}", args.hashes.display()))?,
        )
    };
    let mut reader = BufReader::new(input);
    let mut line = Zeroizing::new(Vec::new());
    let (mut breached, mut checked, mut no_hash, mut bad) = (Vec::new(), 0u64, 0u64, Vec::new());
    for number in 1u64.. {
        line.clear();
        let n = (&mut reader)
            .take(LINE_LIMIT)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {}", args.hashes.display()))?;
        if n == 0 {
            break;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            bad.push(number);
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse(text) {
            Some(Account::Hash(user, prefix)) => {
                checked += 1;
                if filter.contains(prefix).map_err(|e| mapped.error(e))? {
                    breached.push(user.to_owned());
                }
            }
            Some(Account::NoHash(_)) => no_hash += 1,
            None => bad.push(number),
        }
    }
    for number in bad.iter().take(10) {
        errln!(
            "{}: line {number}: not `user:rid:lmhash:nthash:::`",
            args.hashes.display()
        );
    }
    if args.json {
        let value = json!({
            "filter": mapped.path().display().to_string(),
            "checked": checked,
            "breached": breached,
            "no_hash": no_hash,
            "bad_lines": bad,
        });
        render::json_line(&mut std::io::stdout().lock(), &value)?;
    } else {
        // Names from the directory's dump: printable, one a line.
        for user in &breached {
            outln!("{}", pwpolicy::printable(user))?;
        }
        errln!(
            "{} of {} accounts have a password in {}{}",
            thousands(breached.len() as u64),
            thousands(checked),
            mapped.path().display(),
            if no_hash > 0 {
                format!(" ({no_hash} without an NT hash not checked)")
            } else {
                String::new()
            }
        );
    }
    Ok(if !breached.is_empty() {
        EXIT_REJECTED
    } else if !bad.is_empty() {
        EXIT_ERROR
    } else {
        EXIT_ACCEPTED
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pwdump_lines() {
        let p = KeyKind::Ntlm.prefix_of("password");
        assert_eq!(
            parse(
                "erin:1104:aad3b435b51404eeaad3b435b51404ee:8846F7EAEE8FB117AD06BDD830B7586C:::\r\n"
            ),
            Some(Account::Hash("erin", p))
        );
        assert_eq!(
            parse(
                "DOM\\erin:1104:aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::"
            ),
            Some(Account::Hash("DOM\\erin", p))
        );
        assert_eq!(
            parse("guest:501:NO PASSWORD*********************:NO PASSWORD*********************:::"),
            Some(Account::NoHash("guest"))
        );
        assert_eq!(parse("erin:1104:aad3:8846F7EAEE8F:::"), None);
        assert_eq!(parse("just a line"), None);
        assert_eq!(parse(":1104:x:8846F7EAEE8FB117AD06BDD830B7586C:::"), None);
    }
}

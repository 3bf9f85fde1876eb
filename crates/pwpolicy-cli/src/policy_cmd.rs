//! `pwpolicy policy show`, `pwpolicy policy check FILE` and `pwpolicy
//! policy audit`.

use std::path::Path;

use pwpolicy::Policy;

use crate::args::PolicyAuditArgs;
use crate::config::{self, DEFAULT_POLICY_PATH};
use crate::store_access;
use crate::{EXIT_ACCEPTED, EXIT_REJECTED};
use pwpolicy_host::PolicyFileError;

/// Keys with no value unless set: their section, whether `policy` leaves
/// them unset, and the commented line `policy show` prints then, with what
/// applies instead, so that it prints every key.
type UnsetKey = (&'static str, fn(&Policy) -> bool, &'static str);

const UNSET_KEYS: &[UnsetKey] = &[
    (
        "store",
        |p| p.store.db.is_none(),
        "# db = \"/var/lib/pwpolicy/state.db\"   (unset: this default SQLite store)",
    ),
    (
        "pam",
        |p| p.pam.account_on_error.is_none(),
        "# account_on_error = \"fail\"   (unset: as on_error)",
    ),
    (
        "service",
        |p| p.service.socket.is_none(),
        "# socket = \"/run/pwpolicy/pwpolicyd.sock\"   (unset: this default, used if it exists)",
    ),
    (
        "service",
        |p| p.service.admin_group.is_none(),
        "# admin_group = \"GROUP\"   (unset: only root administers through pwpolicyd)",
    ),
    (
        "accounts",
        |p| p.accounts.uid_min.is_none(),
        "# uid_min = 1000   (unset: UID_MIN of /etc/login.defs, 1000 if it has none)",
    ),
    (
        "accounts",
        |p| p.accounts.uid_max.is_none(),
        "# uid_max = 60000   (unset: UID_MAX of /etc/login.defs, 60000 if it has none; above it to 65535: system accounts)",
    ),
    (
        "breached",
        |p| p.breached.file.is_none(),
        "# file = \"/var/lib/pwpolicy/breached.pwbf\"   (unset: no breached-password screening)",
    ),
    (
        "breached",
        |p| p.breached.min_count.is_none(),
        "# min_count = 1   (unset: a filter built with any --min-count will do)",
    ),
    (
        "guessability",
        |p| p.guessability.min_score.is_none(),
        "# min_score = 3   (unset: no zxcvbn scoring; 0-4, 3 is 10^8 guesses or more)",
    ),
    (
        "banned",
        |p| p.banned.file.is_none(),
        "# file = \"/etc/security/pwpolicy-banned.txt\"   (unset: only `words`; one word a line)",
    ),
    (
        "directory",
        |p| p.directory.url.is_none(),
        "# url = \"ldaps://dc1.example.com\"   (unset: no directory; status and report read the store)",
    ),
    (
        "directory",
        |p| p.directory.bind_dn.is_none(),
        "# bind_dn = \"pwpolicy-reader@EXAMPLE.COM\"   (unset: bind anonymously)",
    ),
    (
        "directory",
        |p| p.directory.bind_password_file.is_none(),
        "# bind_password_file = \"/etc/pwpolicy/ldap.pw\"   (unset: no password; its first line is the password, mode 0600)",
    ),
    (
        "directory",
        |p| p.directory.base.is_none(),
        "# base = \"CN=Users,DC=example,DC=com\"   (unset: the whole domain)",
    ),
    (
        "directory",
        |p| p.directory.ca_file.is_none(),
        "# ca_file = \"/etc/pwpolicy/dc-ca.pem\"   (unset: the system's CAs only)",
    ),
];

/// Prints the effective policy as TOML — every key, the unset ones commented
/// out — with where it came from as a comment.
pub fn show(config_path: Option<&Path>) -> anyhow::Result<u8> {
    let loaded = config::load(config_path)?;
    // Said from what was read, so that `policy show > FILE` (which empties
    // FILE before it is read) does not claim FILE's settings.
    match &loaded.source {
        Some(path) if !loaded.sets_nothing => {
            outln!("# effective policy, read from {}", path.display())?;
        }
        Some(path) => outln!(
            "# effective policy: the built-in default ({} sets nothing)",
            path.display()
        )?,
        None => {
            outln!("# effective policy: the built-in default ({DEFAULT_POLICY_PATH} is absent)")?;
        }
    }
    let mut policy = loaded.policy;
    // A database URL may carry a password: never print it.
    if let Some(db) = policy.store.db.as_mut() {
        *db = pwpolicy_store::Location::parse(db).to_string();
    }
    out!("{}", with_unset_keys(&policy, &policy.to_toml()))?;
    Ok(EXIT_ACCEPTED)
}

/// `toml` with a commented line for each of [`UNSET_KEYS`] the policy leaves unset.
fn with_unset_keys(policy: &Policy, toml: &str) -> String {
    let mut out = String::with_capacity(toml.len() + 512);
    for line in toml.lines() {
        out.push_str(line);
        out.push('\n');
        let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            continue;
        };
        for (_, unset, comment) in UNSET_KEYS.iter().filter(|(s, _, _)| *s == section) {
            if unset(policy) {
                out.push_str(comment);
                out.push('\n');
            }
        }
    }
    out
}

/// Validates a policy file as every program loads it: the file and its
/// banned-word list under the trust rules that apply to this user (as root,
/// root's: what PAM and pwpolicyd apply), then every other file it names
/// (the breached list, the pepper, the directory's files) opened as the
/// programs that use them open them. Valid means they will load it. An
/// unreadable file is an error (exit 2); an invalid one a rejection (exit
/// 1) that names the line, or the file and its fix.
pub fn check(named: Option<&Path>) -> anyhow::Result<u8> {
    let path = named.unwrap_or(Path::new(DEFAULT_POLICY_PATH));
    // The loader PAM and every verb use: no file at the default path is
    // the built-in policy, which is valid.
    let loaded = match config::load(named) {
        Ok(loaded) if loaded.source.is_none() => {
            outln!(
                "{}: no such file: the built-in default policy applies (valid)",
                path.display()
            )?;
            return Ok(EXIT_ACCEPTED);
        }
        Ok(loaded) => loaded,
        Err(PolicyFileError::Read {
            path,
            error: source,
        }) if source.kind() != std::io::ErrorKind::PermissionDenied => {
            return Err(anyhow::anyhow!(
                "cannot read policy file {}: {}",
                path.display(),
                pwpolicy_host::plainly(&source)
            ));
        }
        // Problems name files the policy names, and quote its lines.
        Err(e) => {
            outln!("{}", pwpolicy::printable(&e.to_string()))?;
            return Ok(EXIT_REJECTED);
        }
    };
    let problems = config::verify_named_files(&loaded.policy);
    if problems.is_empty() {
        outln!("{}: valid", path.display())?;
        return Ok(EXIT_ACCEPTED);
    }
    for problem in &problems {
        outln!("{}", pwpolicy::printable(&problem.to_string()))?;
    }
    Ok(EXIT_REJECTED)
}

/// Audits what enforces passwords against the policy: exit 0 when it
/// conforms, 1 with findings.
pub fn audit(args: &PolicyAuditArgs) -> anyhow::Result<u8> {
    let policy = config::load(args.config.as_deref())?.policy;
    let (audit, what, against) = match args.against {
        Some(profile) => (
            pwpolicy::standards::audit(&policy, profile),
            "the policy".to_owned(),
            profile.name().to_owned(),
        ),
        None => {
            let settings =
                store_access::directory_settings(&args.directory, &policy).or_else(|| {
                    policy
                        .directory
                        .url
                        .is_some()
                        .then(|| policy.directory.clone())
                });
            let Some(settings) = settings else {
                anyhow::bail!(
                    "nothing to audit against: give --against PROFILE, or --directory \
                     ldaps://HOST (or set [directory] url)"
                );
            };
            let target = store_access::target(&settings)?;
            let url = target.url.clone();
            let audit = store_access::directory_backend(target, &policy, false).audit()?;
            (audit, url, "the policy".to_owned())
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::render::json_line(&mut out, &audit)?;
    } else {
        use std::io::Write as _;
        // A standard's points cite their clause; a directory's name their
        // object in the message already.
        let cite = |source: &str| match args.against {
            Some(_) => format!(" ({source})"),
            None => String::new(),
        };
        for f in &audit.findings {
            let key = match &f.class {
                Some(class) => format!("{} (class {class})", f.key),
                None => f.key.to_owned(),
            };
            writeln!(out, "finding {key}: {}{}", f.message, cite(&f.source))?;
        }
        for n in &audit.notes {
            writeln!(out, "note    {}: {}{}", n.key, n.message, cite(&n.source))?;
        }
        match audit.findings.len() {
            0 => writeln!(out, "{what}: conforms to {against}")?,
            n => writeln!(
                out,
                "{what}: does not conform to {against} ({n} finding{})",
                if n == 1 { "" } else { "s" }
            )?,
        }
    }
    Ok(if audit.conforms {
        EXIT_ACCEPTED
    } else {
        EXIT_REJECTED
    })
}

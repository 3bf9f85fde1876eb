//! What clap cannot say about a command, for its generated page: the exit
//! status and examples, per page (`pwpolicy-check`, …), in roff. Every
//! generated page gets both sections; a test holds this table to the
//! commands, so a new verb fails the build of its page until it has them.

/// The statuses every `pwpolicy` command shares, after its own.
const COMMON: &str = ".TP\n.B 2\nA usage, configuration, store or input error (the message says which \
file or line, and what to do).\n.TP\n.B 141\nThe reader of standard output went away \
(\\fBpwpolicy list | head\\fR); nothing else is printed.\n";

/// `(page, its own exit statuses, its examples)`. Statuses are `.TP` items;
/// examples are shell lines, `#` for root's prompt, each after a comment.
const PAGES: &[(&str, &str, &str)] = &[
    (
        "pwpolicy",
        ".TP\n.B 0\nThe command did what it was asked (a password accepted, a record written, \
         a policy valid).\n.TP\n.B 1\nA verdict or a \"no\": a password refused, a policy \
         with findings, an account nobody knows.\n",
        "# Is this password acceptable for alice (read from the terminal, never argv)?\n\
         pwpolicy check --user alice\n\
         # Whose password expires in the next two weeks?\n\
         pwpolicy report --expiring-within 14\n\
         # Options that say where to look may come first.\n\
         pwpolicy --socket /run/pwpolicy/pwpolicyd.sock status --user alice\n",
    ),
    (
        "pwpolicy-check",
        ".TP\n.B 0\nAccepted (with \\fB\\-\\-batch\\fR: every line accepted).\n.TP\n.B 1\n\
         Refused (with \\fB\\-\\-batch\\fR: at least one line refused).\n",
        "# Check a candidate for alice, her full name from the passwd database.\n\
         printf '%s\\n' 'Tulip-Garden-71' | pwpolicy check --user alice\n\
         # The verdict as JSON, for a script.\n\
         pwpolicy check --user alice --json < candidate.txt\n\
         # Samba's check password script (smb.conf).\n\
         check password script = /usr/bin/pwpolicy check --samba\n",
    ),
    (
        "pwpolicy-change",
        ".TP\n.B 0\nAccepted and recorded.\n.TP\n.B 1\nRefused; nothing recorded.\n",
        "# Record a new password for alice (asked twice on a terminal, after her rules).\n\
         pwpolicy change --user alice\n\
         # From a provisioning script, through the service.\n\
         pwpolicy change --user alice --socket /run/pwpolicy/pwpolicyd.sock --json < new.txt\n",
    ),
    (
        "pwpolicy-status",
        ".TP\n.B 0\nThe status was shown (\\fBunknown\\fR included).\n",
        "pwpolicy status --user alice\n\
         # A directory user, from Active Directory.\n\
         pwpolicy status --user erin --directory ldaps://dc1.example.org --json\n",
    ),
    (
        "pwpolicy-set-changed",
        ".TP\n.B 0\nRecorded.\n.TP\n.B 1\nThe store has no record of the account and \
         \\fB\\-\\-create\\fR was not given; nothing recorded.\n",
        "# Adopt the date shadow has (see the note of pwpolicy status).\n\
         # pwpolicy set-changed --user alice --date 2026-10-01\n",
    ),
    (
        "pwpolicy-expire",
        ".TP\n.B 0\nThe account must change its password at the next login.\n.TP\n.B 1\nThe \
         store has no record of the account and \\fB\\-\\-create\\fR was not given.\n",
        "# pwpolicy expire --user alice\n",
    ),
    (
        "pwpolicy-import-shadow",
        ".TP\n.B 0\nImported.\n",
        "# Start every person's clock from shadow's last change.\n\
         # pwpolicy import-shadow /etc/shadow\n",
    ),
    (
        "pwpolicy-report",
        ".TP\n.B 0\nThe report was written (empty included).\n",
        "# pwpolicy report --expiring-within 14\n\
         # pwpolicy report --expiring-within 30 --csv > due.csv\n\
         # pwpolicy report --html > expiry.html\n",
    ),
    (
        "pwpolicy-list",
        ".TP\n.B 0\nThe list was written.\n",
        "# pwpolicy list\n# pwpolicy list --json | jq '.[] | select(.state == \"expired\")'\n",
    ),
    (
        "pwpolicy-notify",
        ".TP\n.B 0\nEverything due was listed (a dry run) or sent.\n.TP\n.B 1\nA message or \
         the administrator's summary was refused; it stays due for the next run.\n",
        "# What would be sent today (nothing is).\n\
         # pwpolicy notify\n\
         # Send it (the timer pwpolicy-notify.timer does this daily).\n\
         # pwpolicy notify --send\n",
    ),
    (
        "pwpolicy-policy",
        ".TP\n.B 0\nSee the subcommand.\n",
        "# pwpolicy policy check\n# pwpolicy policy audit --against nist-800-63b-4\n",
    ),
    (
        "pwpolicy-policy-check",
        ".TP\n.B 0\nValid: PAM, pwpolicyd and the filter will load it (no file at the \
         default path means the built-in policy, which is valid).\n.TP\n.B 1\nInvalid: \
         each problem is printed with its line.\n",
        "# After every edit, as root (the module's trust rules are root's).\n\
         # pwpolicy policy check\n\
         # pwpolicy policy check /etc/security/pwpolicy.toml.new\n",
    ),
    (
        "pwpolicy-policy-show",
        ".TP\n.B 0\nShown.\n",
        "# The policy in force, every key, defaults filled in.\npwpolicy policy show\n",
    ),
    (
        "pwpolicy-policy-audit",
        ".TP\n.B 0\nConforms.\n.TP\n.B 1\nFindings (each names the key at issue).\n",
        "pwpolicy policy audit --against pci-dss-4\n\
         pwpolicy policy audit --directory ldaps://dc1.example.org --json\n",
    ),
    (
        "pwpolicy-breach",
        ".TP\n.B 0\nSee the subcommand.\n",
        "# pwpolicy breach build --format sha1 -o /var/lib/pwpolicy/hibp.pwbf \
         pwnedpasswords.txt\n",
    ),
    (
        "pwpolicy-breach-build",
        ".TP\n.B 0\nBuilt (\\fB\\-\\-skip\\-bad\\-lines\\fR: the count of skipped lines is \
         printed).\n",
        "pwpolicy breach build --format sha1 -o hibp.pwbf pwnedpasswords.txt\n\
         # A plain list of passwords, one per line.\n\
         pwpolicy breach build --format plain -o local.pwbf banned-passwords.txt\n",
    ),
    (
        "pwpolicy-breach-info",
        ".TP\n.B 0\nThe list is sound (\\fB\\-\\-quick\\fR: its header).\n",
        "pwpolicy breach info /var/lib/pwpolicy/hibp.pwbf\n",
    ),
    (
        "pwpolicy-breach-lookup",
        ".TP\n.B 0\nNot in the list.\n.TP\n.B 1\nIn the list.\n",
        "printf '%s\\n' 'Winter2025!' | pwpolicy breach lookup --filter hibp.pwbf\n",
    ),
    (
        "pwpolicy-breach-audit",
        ".TP\n.B 0\nNo hash is in the list.\n.TP\n.B 1\nAt least one is (each is printed).\n",
        "pwpolicy breach audit --filter hibp.pwbf nt-hashes.txt\n",
    ),
    (
        "pwpolicy-history",
        ".TP\n.B 0\nSee the subcommand.\n",
        "# pwpolicy history clear --user alice\n",
    ),
    (
        "pwpolicy-history-clear",
        ".TP\n.B 0\nCleared.\n.TP\n.B 1\nThe store has no record of the account.\n",
        "# pwpolicy history clear --user alice\n",
    ),
    (
        "pwpolicy-user",
        ".TP\n.B 0\nSee the subcommand.\n",
        "# pwpolicy user remove --user alice\n",
    ),
    (
        "pwpolicy-user-remove",
        ".TP\n.B 0\nRemoved.\n.TP\n.B 1\nThe store has no record of the account.\n",
        "# After userdel: forget the account's history and expiry.\n\
         # pwpolicy user remove --user alice\n",
    ),
    (
        "pwpolicy-completions",
        ".TP\n.B 0\nWritten.\n",
        "pwpolicy completions bash > ~/.local/share/bash-completion/completions/pwpolicy\n",
    ),
    (
        "pwpolicyd",
        ".TP\n.B 0\nStopped by SIGTERM or SIGINT after finishing the requests in hand.\n.TP\n\
         .B 1\nCould not start: the message (in the journal) says why.\n",
        "# Under systemd (the package's unit).\n\
         # systemctl enable --now pwpolicyd\n\
         # By hand, on the fleet's PostgreSQL store, for the group pwadmin.\n\
         # pwpolicyd --db postgresql://pwpolicy@db.example.org/pwpolicy --admin-group pwadmin\n",
    ),
    (
        "pwpolicy-web",
        ".TP\n.B 0\nStopped by a signal.\n.TP\n.B 2\nCould not start: the policy file, \
         the certificate or key, the page's files or the listen address cannot be used; \
         the message says which.\n",
        "# Set [web] cert_file and key_file (the key owned by pwpolicy-web, mode 0600),\n\
         # pam_service for local accounts and/or [directory] for AD, then:\n\
         # systemctl enable --now pwpolicy-web\n\
         # By hand, on another port, with the page's files from a build tree.\n\
         # pwpolicy-web --config /etc/security/pwpolicy.toml --assets target/web\n",
    ),
];

/// The names of the pages this table covers.
pub fn pages() -> impl Iterator<Item = &'static str> {
    PAGES.iter().map(|(name, _, _)| *name)
}

/// The EXIT STATUS and EXAMPLES sections of page `name` (as clap_mangen
/// names it: `pwpolicy-policy-check`), or `None` for a page not in the
/// table.
pub fn exit_status_and_examples(name: &str) -> Option<String> {
    let (_, statuses, examples) = PAGES.iter().find(|(page, _, _)| *page == name)?;
    let common = if name == "pwpolicyd" || name == "pwpolicy-web" {
        ""
    } else {
        COMMON
    };
    let mut roff = format!(".SH \"EXIT STATUS\"\n{statuses}{common}.SH EXAMPLES\n");
    for line in examples.lines() {
        roff.push_str(&example_line(line));
    }
    Some(roff)
}

/// One example line in roff: comments in roman, commands in bold; dashes
/// and backslashes escaped, lines never starting with a control character.
fn example_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    let (comment, command) = match line.strip_prefix("# ") {
        Some(rest) if rest.starts_with("pwpolicy") || rest.starts_with("systemctl") => {
            (false, format!("# {}", &escaped[2..]))
        }
        Some(_) => (true, escaped),
        None => (false, escaped),
    };
    if comment {
        format!(".PP\n\\&{command}\n")
    } else {
        format!(".nf\n\\&\\fB{command}\\fR\n.fi\n")
    }
}

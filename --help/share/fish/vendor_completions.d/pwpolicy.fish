# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pwpolicy_global_optspecs
    string join \n h/help V/version
end

function __fish_pwpolicy_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pwpolicy_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pwpolicy_using_subcommand
    set -l cmd (__fish_pwpolicy_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -s V -l version -d 'Print version'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "check" -d 'Check a password read from standard input (first line) against the policy'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "change" -d 'Check a password from standard input and, if accepted, record it as the user\'s new one'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "status" -d 'Show when a user\'s password last changed and when it expires'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "set-changed" -d 'Set the date of a user\'s last password change (like `chage -d`)'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "expire" -d 'Force a user to change their password at the next login'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "report" -d 'List users whose passwords expire within DAYS days, or have expired'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "list" -d 'List every account\'s password state, like `passwd -S -a` and `chage -l`: the host\'s accounts (with their class and what shadow says), then users only the store knows'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "notify" -d 'Remind people by mail before their passwords expire (and of old ones a class asks to be reminded of): a dry run that lists what would be sent, unless --send. Each reminder goes once per threshold per password, recorded in the store'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "history" -d 'Manage a user\'s password history'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "user" -d 'Manage users in the store'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "import-shadow" -d 'Seed last-change dates from a shadow(5)-format file (field 3)'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "policy" -d 'Show or validate policy files'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "breach" -d 'Build, inspect and use breached-password filters (HIBP\'s Pwned Passwords files, or plain lists)'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "completions" -d 'Print shell completions for pwpolicy (e.g. `pwpolicy completions bash > /etc/bash_completion.d/pwpolicy`; the Debian package installs them)'
complete -c pwpolicy -n "__fish_pwpolicy_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l user -d 'Account name the password is for (checked whole, as Windows does)' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l full-name -d 'The user\'s full name (e.g. the GECOS field); its parts may not appear' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l json -d 'Print the verdict as JSON'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l batch -d 'Read JSON Lines {"user", "full_name", "password"} and write one JSON verdict per line'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -l samba -d 'Be Samba AD DC\'s `check password script`: the account from SAMBA_CPS_ACCOUNT_NAME, the full name from SAMBA_CPS_FULL_NAME, the principal name from SAMBA_CPS_USER_PRINCIPAL_NAME, the password all of standard input (no newline); exit 0 accepts, anything else refuses'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l user -d 'Account whose password changes' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l full-name -d 'The user\'s full name; its parts may not appear' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l json -d 'Print the verdict as JSON'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -l ignore-min-age -d 'Allow the change even before the policy\'s minimum age (an administrator\'s reset)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand change" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l user -d 'The account [default with the service: yourself]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l directory -d 'Answer for Active Directory users from this DC: ldaps://HOST, ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the policy\'s `[directory] url`, if set]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l bind-dn -d 'Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l bind-password-file -d 'The bind password: this file\'s first line; the file must be readable by its owner only [default: `[directory] bind_password_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l base -d 'Search users under this DN [default: `[directory] base`, else the whole domain]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l ca-file -d 'Trust the CA certificates in this PEM file as well as the system\'s (a DC\'s own CA) [default: `[directory] ca_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -l json -d 'Print the status as JSON'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand status" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l user -d 'The account' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l date -d 'The day of the last change (UTC), as YYYY-MM-DD, or `today`' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -l create -d 'Record it even if neither this host nor the store knows the account (a fleet\'s user of other hosts); without it such a name is refused'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand set-changed" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -l user -d 'The account' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -l create -d 'Record it even if neither this host nor the store knows the account (a fleet\'s user of other hosts); without it such a name is refused'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand expire" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l expiring-within -d 'List passwords that expire within this many days (and those already expired or forced) [required, but with --html: the longest of `[notify] days`, 14 by default]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l format -d 'Output format' -r -f -a "table\t'An aligned table'
json\t'A JSON array of status objects'
csv\t'CSV with a header line'
html\t'One self-contained HTML page (report only)'"
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l directory -d 'Answer for Active Directory users from this DC: ldaps://HOST, ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the policy\'s `[directory] url`, if set]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l bind-dn -d 'Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l bind-password-file -d 'The bind password: this file\'s first line; the file must be readable by its owner only [default: `[directory] bind_password_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l base -d 'Search users under this DN [default: `[directory] base`, else the whole domain]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l ca-file -d 'Trust the CA certificates in this PEM file as well as the system\'s (a DC\'s own CA) [default: `[directory] ca_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l json -d 'Print JSON (same as --format json)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l csv -d 'Print CSV (same as --format csv)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l html -d 'Print one self-contained HTML page (same as --format html): counts by state and class, a chart of the next 13 weeks\' expiries, and the table (report only)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l with-store -d 'With a directory: list the store\'s users too, before the directory\'s'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -l include-disabled -d 'With a directory: list disabled accounts too'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l format -d 'Output format' -r -f -a "table\t'An aligned table'
json\t'A JSON array of status objects'
csv\t'CSV with a header line'
html\t'One self-contained HTML page (report only)'"
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l passwd -d 'List another host\'s accounts: its passwd file, with `group`, `login.defs` and (if readable) `shadow` read from beside it [default: this host\'s accounts, from its name service]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l directory -d 'Answer for Active Directory users from this DC: ldaps://HOST, ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the policy\'s `[directory] url`, if set]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l bind-dn -d 'Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l bind-password-file -d 'The bind password: this file\'s first line; the file must be readable by its owner only [default: `[directory] bind_password_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l base -d 'Search users under this DN [default: `[directory] base`, else the whole domain]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l ca-file -d 'Trust the CA certificates in this PEM file as well as the system\'s (a DC\'s own CA) [default: `[directory] ca_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l json -d 'Print JSON (same as --format json)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l csv -d 'Print CSV (same as --format csv)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -l html -d 'Print one self-contained HTML page (same as --format html): counts by state and class, a chart of the next 13 weeks\' expiries, and the table (report only)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l socket -d 'Ask the pwpolicyd service at this socket instead of opening the store [default: the policy\'s `[service] socket`, or /run/pwpolicy/pwpolicyd.sock if it exists and no store is named]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l directory -d 'Answer for Active Directory users from this DC: ldaps://HOST, ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the policy\'s `[directory] url`, if set]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l bind-dn -d 'Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l bind-password-file -d 'The bind password: this file\'s first line; the file must be readable by its owner only [default: `[directory] bind_password_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l base -d 'Search users under this DN [default: `[directory] base`, else the whole domain]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l ca-file -d 'Trust the CA certificates in this PEM file as well as the system\'s (a DC\'s own CA) [default: `[directory] ca_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l send -d 'Send the mail (without it, only list what would be sent)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -l json -d 'Print {"dry_run", "messages": [{"user", "to", "reason", "days_left", "expires"}], "failed": [{"user", "error"}], "waiting"}'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand notify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and not __fish_seen_subcommand_from clear help" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and not __fish_seen_subcommand_from clear help" -f -a "clear" -d 'Forget a user\'s password history (earlier passwords become allowed again)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and not __fish_seen_subcommand_from clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from clear" -l user -d 'The account' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from clear" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from clear" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Forget a user\'s password history (earlier passwords become allowed again)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and not __fish_seen_subcommand_from remove help" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and not __fish_seen_subcommand_from remove help" -f -a "remove" -d 'Remove a user\'s record and history from the store'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and not __fish_seen_subcommand_from remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from remove" -l user -d 'The account' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from remove" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from remove" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a user\'s record and history from the store'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -l passwd -d 'The passwd file that tells people from system accounts (uids) [default: `passwd` beside FILE; `group` and `login.defs` are read from beside it too]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -l db -d 'Store: a SQLite file or a postgres:// URL [default: the policy\'s `[store] db`, else /var/lib/pwpolicy/state.db]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -l overwrite -d 'Replace the dates of users the store already knows'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -l all -d 'Import every account, system accounts and exempt classes included'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand import-shadow" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and not __fish_seen_subcommand_from show check audit help" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and not __fish_seen_subcommand_from show check audit help" -f -a "show" -d 'Print the effective policy as TOML, every key with its value'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and not __fish_seen_subcommand_from show check audit help" -f -a "check" -d 'Validate a policy file: exit 0 if valid, 1 (naming the line) if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and not __fish_seen_subcommand_from show check audit help" -f -a "audit" -d 'Say whether the policy meets a published standard (--against nist-800-63b-4 | pci-dss-4), or whether a domain\'s own settings enforce the policy (--directory). Exits 0 when it conforms, 1 with findings, 2 on errors'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and not __fish_seen_subcommand_from show check audit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from show" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l config -d 'Policy file [default: /etc/security/pwpolicy.toml, or the built-in policy if absent]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l against -d 'Audit the policy against this standard: nist-800-63b-4 (NIST SP 800-63B-4, 2025) or pci-dss-4 (PCI DSS v4.0.1). The policy\'s `multi_factor` says whether passwords are the only factor' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l directory -d 'Answer for Active Directory users from this DC: ldaps://HOST, ldap://HOST (upgraded with StartTLS) or ldapi://PATH [default: the policy\'s `[directory] url`, if set]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l bind-dn -d 'Bind as this DN, or user@REALM [default: `[directory] bind_dn`; else anonymously]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l bind-password-file -d 'The bind password: this file\'s first line; the file must be readable by its owner only [default: `[directory] bind_password_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l base -d 'Search users under this DN [default: `[directory] base`, else the whole domain]' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l ca-file -d 'Trust the CA certificates in this PEM file as well as the system\'s (a DC\'s own CA) [default: `[directory] ca_file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -l json -d 'Print JSON: {"conforms", "findings": [{"key", "policy", "required", "source", "message", "actual"}], "notes": [...]}'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from audit" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective policy as TOML, every key with its value'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a policy file: exit 0 if valid, 1 (naming the line) if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "audit" -d 'Say whether the policy meets a published standard (--against nist-800-63b-4 | pci-dss-4), or whether a domain\'s own settings enforce the policy (--directory). Exits 0 when it conforms, 1 with findings, 2 on errors'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -f -a "build" -d 'Build a filter from HIBP `HASH:COUNT` files (SHA-1 or NTLM, either case, LF or CRLF) or plain password lists, one a line'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -f -a "info" -d 'Show what a filter holds, and check every byte of it'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -f -a "lookup" -d 'Look up a password read from standard input (first line): exit 1 if the filter has it, 0 if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -f -a "audit" -d 'List the accounts whose NT hash is in an NTLM filter, from pwdump lines (`user:rid:lmhash:nthash:::`): exit 1 if any is, 0 if none'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and not __fish_seen_subcommand_from build info lookup audit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -s o -l output -d 'The filter to write (replaced atomically)' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l format -d 'The inputs\' format [default: detected per file]' -r -f -a "auto\t'Detect per file from its first line'
sha1\t'HIBP SHA-1 `HASH:COUNT` lines'
ntlm\t'HIBP NTLM `HASH:COUNT` lines'
plain\t'Passwords, one a line'"
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l key -d 'The hash the filter keeps when every input is a plain list [default: sha1]; HIBP inputs decide it themselves' -r -f -a "sha1\t'SHA-1 of the UTF-8 password (HIBP\'s SHA-1 set)'
ntlm\t'NTLM: MD4 of the UTF-16LE password (HIBP\'s NTLM set; what Active Directory stores)'"
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l min-count -d 'Keep only hashes seen at least N times (the `:COUNT` of HIBP lines; lines without a count count once, plain passwords are always kept)' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l fp-rate -d 'The false-positive rate: the chance that a password not in the inputs is reported as breached' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l memory -d 'Memory for sorting [default: 1G]; larger inputs are sorted in runs on disk (8 bytes an entry, in --tmp-dir)' -r
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l tmp-dir -d 'Where sorted runs go [default: the output\'s directory]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -l skip-bad-lines -d 'Build even when some lines are bad (they are still listed)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from info" -l json -d 'Print JSON'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from info" -l quick -d 'Check only the header and the top index, not every page'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from lookup" -l filter -d 'The filter [default: the policy\'s `[breached] file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from lookup" -l config -d 'Policy file, for its `[breached]` section' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from lookup" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from audit" -l filter -d 'The NTLM filter [default: the policy\'s `[breached] file`]' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from audit" -l config -d 'Policy file, for its `[breached]` section' -r -F
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from audit" -l json -d 'Print JSON'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from audit" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build a filter from HIBP `HASH:COUNT` files (SHA-1 or NTLM, either case, LF or CRLF) or plain password lists, one a line'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from help" -f -a "info" -d 'Show what a filter holds, and check every byte of it'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from help" -f -a "lookup" -d 'Look up a password read from standard input (first line): exit 1 if the filter has it, 0 if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from help" -f -a "audit" -d 'List the accounts whose NT hash is in an NTLM filter, from pwdump lines (`user:rid:lmhash:nthash:::`): exit 1 if any is, 0 if none'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand breach; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "check" -d 'Check a password read from standard input (first line) against the policy'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "change" -d 'Check a password from standard input and, if accepted, record it as the user\'s new one'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "status" -d 'Show when a user\'s password last changed and when it expires'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "set-changed" -d 'Set the date of a user\'s last password change (like `chage -d`)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "expire" -d 'Force a user to change their password at the next login'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "report" -d 'List users whose passwords expire within DAYS days, or have expired'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "list" -d 'List every account\'s password state, like `passwd -S -a` and `chage -l`: the host\'s accounts (with their class and what shadow says), then users only the store knows'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "notify" -d 'Remind people by mail before their passwords expire (and of old ones a class asks to be reminded of): a dry run that lists what would be sent, unless --send. Each reminder goes once per threshold per password, recorded in the store'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "history" -d 'Manage a user\'s password history'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "user" -d 'Manage users in the store'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "import-shadow" -d 'Seed last-change dates from a shadow(5)-format file (field 3)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "policy" -d 'Show or validate policy files'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "breach" -d 'Build, inspect and use breached-password filters (HIBP\'s Pwned Passwords files, or plain lists)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "completions" -d 'Print shell completions for pwpolicy (e.g. `pwpolicy completions bash > /etc/bash_completion.d/pwpolicy`; the Debian package installs them)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and not __fish_seen_subcommand_from check change status set-changed expire report list notify history user import-shadow policy breach completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "clear" -d 'Forget a user\'s password history (earlier passwords become allowed again)'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "remove" -d 'Remove a user\'s record and history from the store'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Print the effective policy as TOML, every key with its value'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Validate a policy file: exit 0 if valid, 1 (naming the line) if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "audit" -d 'Say whether the policy meets a published standard (--against nist-800-63b-4 | pci-dss-4), or whether a domain\'s own settings enforce the policy (--directory). Exits 0 when it conforms, 1 with findings, 2 on errors'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from breach" -f -a "build" -d 'Build a filter from HIBP `HASH:COUNT` files (SHA-1 or NTLM, either case, LF or CRLF) or plain password lists, one a line'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from breach" -f -a "info" -d 'Show what a filter holds, and check every byte of it'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from breach" -f -a "lookup" -d 'Look up a password read from standard input (first line): exit 1 if the filter has it, 0 if not'
complete -c pwpolicy -n "__fish_pwpolicy_using_subcommand help; and __fish_seen_subcommand_from breach" -f -a "audit" -d 'List the accounts whose NT hash is in an NTLM filter, from pwdump lines (`user:rid:lmhash:nthash:::`): exit 1 if any is, 0 if none'

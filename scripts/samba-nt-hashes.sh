#!/usr/bin/env bash
# Prints every account of a Samba AD DC with its NT hash, in pwdump's
# `user:rid:lmhash:nthash:::` format, for `pwpolicy breach audit`:
#
#   scripts/samba-nt-hashes.sh | pwpolicy breach audit --filter ntlm.pwbf -
#   scripts/samba-nt-hashes.sh --configfile /path/to/smb.conf > hashes.txt
#
# Run as root on the DC (samba-tool reads sam.ldb directly; the samba service
# need not run). Arguments are passed to every samba-tool call. The output
# holds password hashes: keep it off shared disks and delete it after use.
# Accounts without an NT hash are written as NO PASSWORD, as pwdump does.
set -euo pipefail
umask 077

samba-tool user list "$@" | sort | while read -r user; do
    [ -n "$user" ] || continue
    b64=$(samba-tool user getpassword "$user" --attributes=unicodePwd "$@" 2>/dev/null |
        sed -n 's/^unicodePwd:: //p')
    if [ -n "$b64" ]; then
        nt=$(printf '%s' "$b64" | base64 -d | od -An -tx1 | tr -d ' \n')
    else
        nt="NO PASSWORD*********************"
    fi
    # pwdump's RID field; the audit does not use it.
    echo "$user:0:aad3b435b51404eeaad3b435b51404ee:$nt:::"
done

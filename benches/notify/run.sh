#!/usr/bin/env bash
# pwpolicy notify at size: N accounts in a SQLite store (every one due a
# reminder), a real SMTP server on loopback (tests/src/smtp_server.py on
# Debian's python3-aiosmtpd, STARTTLS and AUTH required, certificates from
# a CA made here). Prints the dry run's time and peak memory over all N,
# and the reminders per second of a --send capped at SEND.
#
#   benches/notify/run.sh                 N=100000 SEND=5000
#   N=1000000 SEND=20000 benches/notify/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-100000}"
SEND="${SEND:-5000}"

cargo build --release --quiet -p pwpolicy-cli
pwpolicy="$PWD/target/release/pwpolicy"
dir="$(mktemp -d)"
chmod 700 "$dir"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

# The test CA and a certificate for localhost.
(
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out req.csr -subj /CN=localhost 2>/dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem \
        -days 2 -extfile ext.cnf 2>/dev/null
)

# N accounts, each changed 83 days ago: 7 days left, one reminder each.
day=$(( $(date +%s) / 86400 - 83 ))
awk -v n="$N" -v d="$day" 'BEGIN { for (i = 0; i < n; i++) printf "user%07d:$6$s$h:%d:0:99999:7:::\n", i, d }' >"$dir/shadow"
"$pwpolicy" import-shadow --all "$dir/shadow" --db "$dir/state.db" --config /dev/null >/dev/null

mkdir "$dir/mail"
coproc SMTP { exec /usr/bin/python3 tests/src/smtp_server.py --dir "$dir/mail" --mode starttls \
    --cert "$dir/cert.pem" --key "$dir/key.pem" --user bench --password Bench-Secret-1; }
server=$SMTP_PID
read -r ready port <&"${SMTP[0]}"
[ "$ready" = READY ]
printf 'Bench-Secret-1\n' >"$dir/smtp.pw"
chmod 600 "$dir/smtp.pw"
cat >"$dir/policy.toml" <<TOML
[notify]
smtp = "smtp://localhost:$port"
ca_file = "$dir/ca.pem"
username = "bench"
password_file = "$dir/smtp.pw"
to = "{user}@example.org"
max_per_run = $SEND
TOML

echo "notify, $N accounts all due (SQLite, release build):"
/usr/bin/time -f '  dry run, --json to /dev/null: %e s, peak RSS %M KiB' \
    "$pwpolicy" notify --json --db "$dir/state.db" --config "$dir/policy.toml" >/dev/null
start=$(date +%s.%N)
/usr/bin/time -f "  --send of $SEND (max_per_run), STARTTLS + AUTH: %e s, peak RSS %M KiB" \
    "$pwpolicy" notify --send --json --db "$dir/state.db" --config "$dir/policy.toml" >/dev/null 2>"$dir/err" \
    || { cat "$dir/err"; exit 1; }
grep -v "wait for the next run" "$dir/err" >&2 || true
end=$(date +%s.%N)
got=$(find "$dir/mail" -name '*.json' | wc -l)
awk -v n="$got" -v s="$start" -v e="$end" 'BEGIN { printf "  %d messages taken by the server: %.0f reminders/s\n", n, n / (e - s) }'

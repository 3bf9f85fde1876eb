#!/usr/bin/env bash
# Side-by-side run: checks the same corpus with pwpolicy, libpwquality and
# passwdqc in one go and prints checks per second for each and the ratios.
#
# Usage: benches/peers/run.sh            (from any directory)
#   ROUNDS=N   passes over the corpus per tool (default 20)
#   CORPUS=F   corpus to check (default benches/corpus/mixed.tsv)
#
# On Debian/Ubuntu it installs what is missing (gcc, libc6-dev,
# libpwquality-dev, libpasswdqc-dev) with apt-get, as root or through sudo.
# It needs cargo (the workspace's rust-toolchain.toml picks the version).
#
# Each harness times only its check loop, after one untimed warm-up pass, and
# prints: <name> checks=<N> seconds=<S> checks_per_sec=<R> rejected=<K>
# where K is the rejections in one pass. The three tools do not enforce the
# same rules (see the comments at the top of each harness), so K differs.
# They do the same work: each takes a record's account and full name from the
# corpus in memory and none looks a user up (libpwquality asks getpwnam_r for
# the full name, which its harness answers from the record, never NSS).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
rounds="${ROUNDS:-20}"
corpus="${CORPUS:-$here/../corpus/mixed.tsv}"

die() {
    echo "run.sh: $*" >&2
    exit 1
}

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$rounds'"
[[ -r "$corpus" ]] || die "cannot read corpus $corpus"
corpus="$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")"

# --- packages -------------------------------------------------------------
# shellcheck source=packages.sh
source "$here/packages.sh"
# cracklib-runtime: the dictionary libpwquality's dictcheck reads (second table).
need_packages run.sh gcc libc6-dev libpwquality-dev libpasswdqc-dev cracklib-runtime
command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"

# --- build ----------------------------------------------------------------
build="$(mktemp -d "${TMPDIR:-/tmp}/pwpolicy-peers.XXXXXX")"
trap 'rm -rf "$build"' EXIT

cflags=(-O2 -Wall -Wextra -std=c99)
gcc "${cflags[@]}" -o "$build/pwquality_bench" "$here/pwquality_bench.c" -lpwquality
gcc "${cflags[@]}" -o "$build/passwdqc_bench" "$here/passwdqc_bench.c" -lpasswdqc

# Run cargo from the workspace so rustup honours rust-toolchain.toml, and ask
# it where the binary is rather than guessing the target directory.
# The whole workspace: its features resolved as for the package, so this
# reuses that build instead of compiling a variant of its own.
artifacts="$(cd "$workspace" && cargo build --release --workspace \
    --message-format=json-render-diagnostics)"
pwpolicy_bin="$(grep -o '"executable":"[^"]*peer_pwpolicy"' <<<"$artifacts" \
    | tail -n 1 | sed 's/^"executable":"//; s/"$//')"
[[ -x "$pwpolicy_bin" ]] || die "cargo built no peer_pwpolicy executable"

# --- run ------------------------------------------------------------------
records="$(awk -F'\t' 'NF >= 3' "$corpus" | wc -l)"
echo "corpus: $corpus ($records records), rounds: $rounds"

run_one() {
    local name line
    name="$(basename "$1")${2:+ $2}"
    if ! line="$("$1" "$corpus" "$rounds" ${2:+"$2"})"; then
        die "$name failed"
    fi
    [[ "$line" =~ ^[a-z]+\ checks=[0-9]+\ seconds=[0-9.]+\ checks_per_sec=[0-9]+\ rejected=[0-9]+$ ]] \
        || die "$name printed an unexpected line: $line"
    echo "$line"
    results+=("$line")
}

results=()
for harness in "$pwpolicy_bin" "$build/pwquality_bench" "$build/passwdqc_bench"; do
    run_one "$harness"
done
# The dictionaries: pwpolicy's opt-in zxcvbn (min_score = 3) beside
# libpwquality's cracklib check; passwdqc's built-in word list is always on.
run_one "$pwpolicy_bin" zxcvbn
run_one "$build/pwquality_bench" dict

# --- summary --------------------------------------------------------------
printf '%s\n' "${results[@]}" | awk '
    {
        name = $1
        for (i = 2; i <= NF; i++) {
            split($i, kv, "=")
            value[name, kv[1]] = kv[2]
        }
        order[++n] = name
    }
    END {
        print ""
        printf "%-15s %14s %10s %14s\n", "tool", "checks/s", "seconds", "rejected/pass"
        for (i = 1; i <= n; i++)
            printf "%-15s %14d %10.3f %14d\n", order[i], value[order[i], "checks_per_sec"],
                value[order[i], "seconds"], value[order[i], "rejected"]
        ours = value["pwpolicy", "checks_per_sec"]
        pwq = value["pwquality", "checks_per_sec"]
        qc = value["passwdqc", "checks_per_sec"]
        faster = pwq >= qc ? "pwquality" : "passwdqc"
        print ""
        printf "pwpolicy / pwquality:   %10.2fx\n", ours / pwq
        printf "pwpolicy / passwdqc:    %10.2fx\n", ours / qc
        printf "pwpolicy / faster peer: %10.2fx (%s)\n", ours / value[faster, "checks_per_sec"], faster
        z = value["pwpolicyzxcvbn", "checks_per_sec"]
        d = value["pwqualitydict", "checks_per_sec"]
        print ""
        print "with a dictionary (pwpolicy: zxcvbn min_score 3; pwquality: cracklib; passwdqc: its word list):"
        printf "pwpolicyzxcvbn / pwqualitydict: %10.2fx\n", z / d
        printf "pwpolicyzxcvbn / passwdqc:      %10.2fx\n", z / qc
    }'

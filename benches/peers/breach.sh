#!/usr/bin/env bash
# Side-by-side run of two breached-password filters on the same HIBP-format
# SHA-1 corpus in one go: pwpolicy's (`pwpolicy breach build`, looked up by
# the breach_lookup harness) and passwdqc's pwqfilter (`--create`, looked up
# with `--pre-hashed -c`). Prints, for each: build time (wall) and peak RSS,
# file size, bits an entry, stated false-positive rate, and lookups a second
# for member and non-member hashes; then the ratios.
#
# Usage: benches/peers/breach.sh            (from any directory)
#   N=LINES     corpus lines, SHA-1 of bench-0 .. bench-{N-1} (default 1000000)
#   LOOKUPS=K   member and non-member hashes looked up (default 200000;
#               members are bench-0 .. bench-{min(K,N)-1}, in password order,
#               which is random in hash order; non-members are absent-0 ..)
#   ROUNDS=R    runs of each build and lookup; the fastest counts (default 3)
#   CORPUS=F    use this corpus (breach_corpus or corpus/hibp.py output, SHA-1
#               of bench-*) instead of generating one; N is its line count
#   WORK=DIR    keep corpus and filters in DIR (default: a temporary
#               directory, removed at the end)
#
# On Debian/Ubuntu it installs what is missing (passwdqc, for pwqfilter)
# with apt-get, as root or through sudo. It needs cargo. Peak RSS is measured
# with GNU time (/usr/bin/time) when it is there.
#
# Both tools are timed the same way: the whole process, wall clock, stdin
# from a file in the page cache. pwpolicy's build also sorts, fsyncs, renames
# and then reads back every page it wrote; pwqfilter's does none of that, and
# pwqfilter loads its whole filter into memory before a lookup where
# pwpolicy maps its file. pwqfilter states no false-positive rate: the one
# printed is its cuckoo filter's estimate, 2 × bucket size × load / 2^bits,
# from `pwqfilter --status` (its --test-fp-rate takes minutes; on 1M lines it
# measured 1 in 1.17e9, against the estimate's 1 in 1.1e9).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
lines="${N:-1000000}"
lookups="${LOOKUPS:-200000}"
rounds="${ROUNDS:-3}"

die() {
    echo "breach.sh: $*" >&2
    exit 1
}

[[ "$lines" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$lines'"
[[ "$lookups" =~ ^[1-9][0-9]*$ ]] || die "LOOKUPS must be a positive integer, got '$lookups'"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$rounds'"

# --- packages -------------------------------------------------------------
# shellcheck source=packages.sh
source "$here/packages.sh"
need_packages breach.sh passwdqc
command -v pwqfilter >/dev/null || die "passwdqc is installed but pwqfilter is not on PATH"
command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"
gnu_time=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
    gnu_time=/usr/bin/time
fi

# --- build ----------------------------------------------------------------
# Run cargo from the workspace so rustup honours rust-toolchain.toml, and ask
# it where the binaries are rather than guessing the target directory. The
# whole workspace each time: its features resolved as for the package, so
# the binaries measured are the ones shipped and nothing is compiled twice.
executable() { # package, binary
    local artifacts path
    artifacts="$(cd "$workspace" && cargo build --release --workspace \
        --message-format=json-render-diagnostics)"
    path="$(grep -o "\"executable\":\"[^\"]*/$2\"" <<<"$artifacts" \
        | tail -n 1 | sed 's/^"executable":"//; s/"$//')"
    [[ -x "$path" ]] || die "cargo built no $2 executable"
    echo "$path"
}
pwpolicy_bin="$(executable pwpolicy-cli pwpolicy)"
corpus_bin="$(executable pwpolicy-benches breach_corpus)"
lookup_bin="$(executable pwpolicy-benches breach_lookup)"

if [[ -n "${WORK:-}" ]]; then
    mkdir -p "$WORK"
    work="$(cd "$WORK" && pwd)"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/pwpolicy-breach.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi

# --- corpus ---------------------------------------------------------------
if [[ -n "${CORPUS:-}" ]]; then
    [[ -r "$CORPUS" ]] || die "cannot read corpus $CORPUS"
    corpus="$(cd "$(dirname "$CORPUS")" && pwd)/$(basename "$CORPUS")"
    lines="$(wc -l <"$corpus")"
else
    corpus="$work/corpus-sha1-$lines.txt"
    if [[ ! -s "$corpus" ]]; then
        "$corpus_bin" "$lines" >"$corpus.part"
        mv "$corpus.part" "$corpus"
    fi
fi
members=$((lookups < lines ? lookups : lines))
"$corpus_bin" --order index --bare "$members" >"$work/members.txt"
"$corpus_bin" --order index --bare --prefix absent- "$lookups" >"$work/non-members.txt"
cat "$corpus" >/dev/null # into the page cache, for both tools alike
echo "corpus: $corpus ($lines lines, $(stat -c %s "$corpus") bytes), lookups: $members members," \
    "$lookups non-members, best of $rounds"

# --- measuring ------------------------------------------------------------
# measure STDIN OUT COMMAND...: runs COMMAND $rounds times with STDIN, its
# output to OUT (standard error to OUT.err); sets seconds (the fastest wall
# time) and rss_kb (the largest peak RSS, or "n/a" without GNU time). An exit
# status above $max_status (default 0) fails the run.
measure() {
    local stdin="$1" out="$2"
    shift 2
    seconds="" rss_kb="n/a"
    local round start end elapsed peak status
    for ((round = 0; round < rounds; round++)); do
        status=0
        start="$EPOCHREALTIME"
        if [[ -n "$gnu_time" ]]; then
            "$gnu_time" -f '%M' -o "$work/rss" "$@" <"$stdin" >"$out" 2>"$out.err" || status=$?
        else
            "$@" <"$stdin" >"$out" 2>"$out.err" || status=$?
        fi
        end="$EPOCHREALTIME"
        if ((status > ${max_status:-0})); then
            cat "$out.err" >&2
            die "failed (exit $status): $*"
        fi
        elapsed="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')"
        if [[ -z "$seconds" ]] || awk -v e="$elapsed" -v s="$seconds" 'BEGIN { exit !(e < s) }'; then
            seconds="$elapsed"
        fi
        if [[ -n "$gnu_time" ]]; then
            peak="$(tail -n 1 "$work/rss")"
            if [[ "$rss_kb" == n/a ]] || ((peak > rss_kb)); then rss_kb="$peak"; fi
        fi
    done
}

per_sec() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

results=()

# --- pwpolicy -------------------------------------------------------------
ours="$work/filter.pwp"
measure /dev/null "$work/pwpolicy-build.out" \
    "$pwpolicy_bin" breach build --output "$ours" "$corpus"
build_s="$seconds" build_rss="$rss_kb"
info="$("$pwpolicy_bin" breach info --quick --json "$ours")"
json_field() { grep -o "\"$1\":[^,}]*" <<<"$info" | head -n 1 | cut -d: -f2; }
entries="$(json_field entries)"
[[ "$entries" == "$lines" ]] || die "pwpolicy kept $entries entries of $lines lines"
bytes="$(stat -c %s "$ours")"
fp_one_in="$(awk -v p="$(json_field false_positive_rate)" 'BEGIN { printf "%.0f", 1 / p }')"
bits="$(awk -v b="$bytes" -v n="$lines" 'BEGIN { printf "%.2f", b * 8 / n }')"
results+=("pwpolicy build_s=$build_s peak_rss_kb=$build_rss bytes=$bytes bits_per_entry=$bits fp_one_in=$fp_one_in")

lookup_ours() { # hashes, expected-or-empty -> found, per_sec, loop_per_sec
    measure "$1" "$work/pwpolicy-lookup.out" "$lookup_bin" "$ours"
    local line
    line="$(cat "$work/pwpolicy-lookup.out")"
    [[ "$line" =~ ^pwpolicy\ lookups=([0-9]+)\ found=([0-9]+)\ seconds=[0-9.]+\ lookups_per_sec=([0-9]+)$ ]] \
        || die "breach_lookup printed an unexpected line: $line"
    found="${BASH_REMATCH[2]}" loop_per_sec="${BASH_REMATCH[3]}"
    per_sec="$(per_sec "${BASH_REMATCH[1]}" "$seconds")"
}
lookup_ours "$work/members.txt"
((found == members)) || die "pwpolicy found $found of $members members"
m_found="$found" m_rate="$per_sec" m_loop="$loop_per_sec" m_rss="$rss_kb"
lookup_ours "$work/non-members.txt"
results+=("pwpolicy lookup_members_per_sec=$m_rate members_found=$m_found/$members\
 lookup_non_members_per_sec=$per_sec non_members_found=$found/$lookups\
 loop_members_per_sec=$m_loop loop_non_members_per_sec=$loop_per_sec lookup_peak_rss_kb=$m_rss")

# --- pwqfilter ------------------------------------------------------------
theirs="$work/filter.pwq"
capacity=$(((lines * 103 + 99) / 100)) # full at ~98%: 3% headroom, as its docs advise
measure "$corpus" "$work/pwqfilter-build.out" \
    pwqfilter --create="$capacity" --pre-hashed -o "$theirs"
build_s="$seconds" build_rss="$rss_kb"
status="$(pwqfilter -f "$theirs" --status)"
[[ "$status" =~ usage\ ([0-9]+)\ .*load\ ([0-9.]+)%.*buckets\ of\ ([0-9]+)\ at\ least\ ([0-9]+)-bit ]] \
    || die "pwqfilter --status printed an unexpected report: $status"
[[ "${BASH_REMATCH[1]}" == "$lines" ]] || die "pwqfilter kept ${BASH_REMATCH[1]} entries of $lines lines"
bytes="$(stat -c %s "$theirs")"
fp_one_in="$(awk -v l="${BASH_REMATCH[2]}" -v b="${BASH_REMATCH[3]}" -v f="${BASH_REMATCH[4]}" \
    'BEGIN { printf "%.0f", 2 ^ f / (2 * b * l / 100) }')"
bits="$(awk -v b="$bytes" -v n="$lines" 'BEGIN { printf "%.2f", b * 8 / n }')"
results+=("pwqfilter build_s=$build_s peak_rss_kb=$build_rss bytes=$bytes bits_per_entry=$bits fp_one_in=$fp_one_in")

lookup_theirs() { # hashes -> found, per_sec
    # Like grep -c, it exits 1 when no line matched.
    max_status=1 measure "$1" "$work/pwqfilter-lookup.out" pwqfilter -f "$theirs" --pre-hashed -c
    found="$(cat "$work/pwqfilter-lookup.out")"
    [[ "$found" =~ ^[0-9]+$ ]] || die "pwqfilter -c printed an unexpected count: $found"
    per_sec="$(per_sec "$(wc -l <"$1")" "$seconds")"
}
lookup_theirs "$work/members.txt"
((found == members)) || die "pwqfilter found $found of $members members"
m_found="$found" m_rate="$per_sec" m_rss="$rss_kb"
lookup_theirs "$work/non-members.txt"
results+=("pwqfilter lookup_members_per_sec=$m_rate members_found=$m_found/$members\
 lookup_non_members_per_sec=$per_sec non_members_found=$found/$lookups lookup_peak_rss_kb=$m_rss")

# --- summary --------------------------------------------------------------
printf '%s\n' "${results[@]}" | awk '
    /^(pwpolicy|pwqfilter) / { name = $1; print }
    {
        for (i = 1; i <= NF; i++)
            if (split($i, kv, "=") == 2)
                value[name, kv[1]] = kv[2]
    }
    END {
        print ""
        printf "%-10s %9s %12s %12s %9s %14s %14s %14s\n", "tool", "build s", "build RSS kB",
            "bytes", "bits/key", "FP 1 in", "members/s", "non-members/s"
        split("pwpolicy pwqfilter", tools, " ")
        for (i = 1; i <= 2; i++) {
            t = tools[i]
            printf "%-10s %9.3f %12s %12d %9.2f %14.3g %14d %14d\n", t, value[t, "build_s"],
                value[t, "peak_rss_kb"], value[t, "bytes"], value[t, "bits_per_entry"],
                value[t, "fp_one_in"], value[t, "lookup_members_per_sec"],
                value[t, "lookup_non_members_per_sec"]
        }
        print ""
        r = "pwpolicy / pwqfilter"
        printf "%s build time:          %8.2fx\n", r, value["pwpolicy", "build_s"] / value["pwqfilter", "build_s"]
        if (value["pwqfilter", "peak_rss_kb"] != "n/a")
            printf "%s build peak RSS:      %8.2fx\n", r, value["pwpolicy", "peak_rss_kb"] / value["pwqfilter", "peak_rss_kb"]
        printf "%s file size:           %8.2fx\n", r, value["pwpolicy", "bytes"] / value["pwqfilter", "bytes"]
        printf "%s member lookups/s:    %8.2fx\n", r, value["pwpolicy", "lookup_members_per_sec"] / value["pwqfilter", "lookup_members_per_sec"]
        printf "%s non-member lookups/s:%8.2fx\n", r, value["pwpolicy", "lookup_non_members_per_sec"] / value["pwqfilter", "lookup_non_members_per_sec"]
    }'

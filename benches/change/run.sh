#!/usr/bin/env bash
# `pwpolicy change` beside `pwpolicy check` for a user with remembered
# passwords, release build, default argon2id: an accepted change should cost
# one argon2 run, about what a check costs. Each change starts from the same
# store (copied before the timer starts), so every run does the same work.
#
# Usage: benches/change/run.sh        N=9 runs each (medians printed)
#        SIMILARITY=1 benches/change/run.sh   with [history] similarity = true
#        PAM=1 benches/change/run.sh  the change through PAM instead: the
#            check entry, pam_permit, the commit entry (tests' pam_driver
#            answering the prompts), beside the same `pwpolicy check`
#        BIN_DIR=… benches/change/run.sh   binaries of another build (no build)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
n="${N:-9}"
if [[ -z "${BIN_DIR:-}" ]]; then
    # The workspace as one, as the package builds it: no second variant.
    cargo build --quiet --release --locked --manifest-path "$workspace/Cargo.toml" --workspace
fi
bins="${BIN_DIR:-$workspace/target/release}"
bin="$bins/pwpolicy"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
if [[ "${SIMILARITY:-}" == 1 ]]; then
    printf '[history]\nsimilarity = true\n' > "$dir/policy.toml"
else
    : > "$dir/policy.toml"
fi
for i in 1 2 3 4 5; do
    printf 'Start%dPass-%d!x\n' "$i" "$i" |
        "$bin" change --user erin --db "$dir/base.db" --config "$dir/policy.toml" --ignore-min-age >/dev/null
done
mkdir "$dir/pam.d"
module="$bins/libpam_pwpolicy.so config=$dir/policy.toml db=$dir/t.db"
printf 'password requisite %s enforce_for_root retry=1\npassword requisite pam_permit.so\npassword optional %s commit\n' \
    "$module" "$module" > "$dir/pam.d/pw"

# One timed run of VERB with a fresh password; prints milliseconds.
run() {
    local verb="$1" i="$2" start end extra=()
    cp "$dir/base.db" "$dir/t.db"
    rm -f "$dir/t.db-wal" "$dir/t.db-shm"
    [[ "$verb" == change ]] && extra=(--ignore-min-age)
    start=$(date +%s%N)
    if [[ "$verb" == change && "${PAM:-}" == 1 ]]; then
        "$bins/pam_driver" "$dir/pam.d" pw erin chauthtok "Fresh-Kettle-${i}7!" "Fresh-Kettle-${i}7!" |
            grep -q '"result":0,' || { echo "PAM refused the change" >&2; exit 1; }
    else
        printf 'Fresh-Kettle-%d7!\n' "$i" |
            "$bin" "$verb" --user erin --db "$dir/t.db" --config "$dir/policy.toml" "${extra[@]}" >/dev/null || true
    fi
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

checks=() changes=()
for i in $(seq 1 "$n"); do
    checks+=("$(run check "$i")")
    changes+=("$(run change "$i")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${checks[@]}")
h=$(median "${changes[@]}")
what=change
[[ "${PAM:-}" == 1 ]] && what="change through PAM"
echo "check:  median ${c} ms over $n runs"
echo "$what: median ${h} ms over $n runs"
awk -v c="$c" -v h="$h" -v w="$what" 'BEGIN { printf "%s / check: %.2fx\n", w, h / c }'

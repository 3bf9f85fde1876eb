#!/usr/bin/env bash
# The whole test suite, as CI runs it. Works on a fresh Debian 12 machine:
# installs what it needs (as root, or via sudo) and then runs, in order:
# format, lint, unit/integration/end-to-end tests, benchmark build, fuzz smoke
# and the side-by-side peer run in smoke size.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=60 scripts/test.sh   longer fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the tests and benches build against.
PACKAGES=(gcc pkg-config python3 postgresql systemd libpam0g-dev libpam-modules libpam-pwquality pamtester util-linux
    libpwquality-dev libpasswdqc-dev passwdqc gcc-mingw-w64-x86-64 wine64 wine
    # the peer run's second table: libpwquality with cracklib's dictionary
    cracklib-runtime
    # tests/tests/real_callers.rs drives the real PAM callers in a sandbox
    login passwd libpam-runtime openssh-server openssh-client
    # the Debian package: built, linted, installed into a debootstrapped root
    debootstrap lintian man-db groff-base
    # tests/tests/samba.rs provisions a Samba AD DC for the run
    samba samba-ad-dc samba-ad-provision winbind
    # tests/tests/directory.rs: thousands of users in one ldbadd, TLS
    # certificates for the DC, the DC in its own network namespace
    ldb-tools openssl iproute2
    # tests/tests/notify.rs: a real SMTP server (STARTTLS, AUTH) on loopback
    python3-aiosmtpd
    # tests/tests/report_html.rs: the HTML report in a real browser
    chromium
    # tests/tests/breach.rs measures a build's peak memory with GNU time
    time
    # tests count argon2 runs by the memory each maps (pam.rs, service.rs)
    strace)

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        step "installing ${missing[*]}"
        as_root apt-get update -qq
        # The tests start their own sshd and PostgreSQL: keep the packages'
        # maintainer scripts from starting the host's (policy-rc.d, exit 101).
        local no_start=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
            as_root chmod 0755 /usr/sbin/policy-rc.d
            no_start=1
        fi
        local rc=0
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
        if [ -n "$no_start" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
        [ "$rc" -eq 0 ] || exit "$rc"
    fi
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
    # The Windows password filter is cross-built and tested under Wine.
    rustup target list --installed | grep -qx x86_64-pc-windows-gnu \
        || rustup target add x86_64-pc-windows-gnu
}

install_packages

# A throwaway PostgreSQL server for the store tests, stopped on exit.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/pwpolicy-test.XXXXXX")"
chmod 0711 "$scratch"
cleanup() {
    scripts/pg-test-server.sh stop "$scratch/pg"
    rm -rf "$scratch"
}
trap cleanup EXIT
step "starting a PostgreSQL test server"
PWPOLICY_TEST_PG_URL="$(scripts/pg-test-server.sh start "$scratch/pg")"
export PWPOLICY_TEST_PG_URL

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Debian package (scripts/build-deb.sh, lintian)"
scripts/build-deb.sh
# Errors and warnings fail the run; packaging/debian/lintian-overrides says
# why each overridden tag does not apply.
lintian --fail-on error,warning --tag-display-limit 0 target/debian/pwpolicy_*.deb

step "cargo test (workspace)"
# Every test that cannot run here says so through pwpolicy_require (under
# CI=true it fails instead); any skip recorded here fails the run too: a
# skipped test is never counted as passed.
export PWPOLICY_TEST_SKIPS="$scratch/skipped-tests"
: > "$PWPOLICY_TEST_SKIPS"
cargo test --workspace --locked 2>&1 | tee "$scratch/cargo-test.log"
if [ -s "$PWPOLICY_TEST_SKIPS" ]; then
    echo "tests were skipped; the suite fails until they can run here:" >&2
    sort -u "$PWPOLICY_TEST_SKIPS" >&2
    exit 1
fi

step "cargo doc (missing docs and broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "benchmarks compile"
# The benches only (`--bench '*'`): without it cargo also builds every
# library's unit tests as a benchmark harness in release, which holds no
# benchmark and took 9 minutes. The workspace as one, as the package built
# it, so the libraries are the package's build.
cargo bench --workspace --locked --no-run --bench '*'

if [ -x fuzz/smoke.sh ]; then
    step "fuzz smoke (${FUZZ_SECONDS:-10}s per target)"
    FUZZ_SECONDS="${FUZZ_SECONDS:-10}" fuzz/smoke.sh
fi

if [ -x benches/peers/run.sh ]; then
    step "side-by-side peer run (smoke size)"
    ROUNDS="${PEER_ROUNDS:-1}" benches/peers/run.sh
fi

if [ -x benches/peers/breach.sh ]; then
    step "breached-filter peer run against pwqfilter (smoke size)"
    N="${PEER_BREACH_N:-100000}" LOOKUPS=100000 ROUNDS=1 benches/peers/breach.sh
fi

step "all checks passed"
# One closing line for the whole suite (cargo prints one per test binary,
# and its last one is often a crate with no doctests).
awk '/^test result:/ { passed += $4; failed += $6 }
     END { printf "tests: %d passed, %d failed\n", passed, failed }' "$scratch/cargo-test.log"

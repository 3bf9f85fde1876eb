#!/usr/bin/env bash
# Runs every cargo-fuzz target of the core crate briefly: the fuzz smoke test CI calls.
#
#   fuzz/smoke.sh                 # every target, 20 s each
#   FUZZ_SECONDS=300 fuzz/smoke.sh check policy_parse
#
# Environment:
#   FUZZ_SECONDS    seconds of fuzzing per target (default 20)
#   FUZZ_SANITIZER  address (default) or none; see "Toolchain" below
#
# Works from any directory. Installs cargo-fuzz when `cargo fuzz` is missing.
# Seeds come from fuzz/seeds/<target>/ (committed) and are copied into
# fuzz/corpus/<target>/, which keeps what the fuzzer learns between runs (both
# corpus/ and artifacts/ are gitignored). Seeds named regression-* are inputs that
# once failed: every run loads them before it fuzzes, so a known bug fails the run every
# time instead of when the fuzzer happens to find it. fuzz/<target>.dict, when
# present, is passed as the libFuzzer dictionary. Exits non-zero when a target crashes
# (a panic or a failed invariant), printing the input saved under
# fuzz/artifacts/<target>/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
#
# Toolchain: the repository pins stable Rust (rust-toolchain.toml), and cargo-fuzz
# needs nightly-only flags (-Zsanitizer, sancov passes). RUSTC_BOOTSTRAP=1 lets the
# pinned stable compiler accept them, so CI needs no nightly toolchain. AddressSanitizer
# works that way on x86_64 Linux (stable ships its runtime); on a platform where the
# ASan build fails the script falls back to `--sanitizer none` and says so: the
# targets are safe Rust, so what they catch (panics, failed invariants) does not
# depend on ASan.
set -euo pipefail

fuzz_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
seconds="${FUZZ_SECONDS:-20}"
sanitizer="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1
# Run from the repository root so rust-toolchain.toml picks the toolchain.
cd -- "$fuzz_dir/.."

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=(check policy_parse expiry password_filter service_request service_response shadow accounts file_paths breach_filter breach_roundtrip breach_lines directory_entry banned_list reminder_mail web_form web_rules)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

started=$SECONDS
if ! cargo fuzz build --fuzz-dir "$fuzz_dir" --sanitizer "$sanitizer"; then
    if [[ "$sanitizer" == none ]]; then
        echo "smoke: the fuzz targets do not build" >&2
        exit 1
    fi
    # ASan needs the sanitizer runtime of the target platform; fuzz without it.
    echo "smoke: building with --sanitizer $sanitizer failed; falling back to --sanitizer none" >&2
    sanitizer=none
    cargo fuzz build --fuzz-dir "$fuzz_dir" --sanitizer none
fi
echo "smoke: built in $((SECONDS - started)) s with --sanitizer $sanitizer"

logs="$(mktemp -d "${TMPDIR:-/tmp}/pwpolicy-fuzz.XXXXXX")"
failed=()
summary=()
for target in "${targets[@]}"; do
    corpus="$fuzz_dir/corpus/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p -- "$corpus" "$artifacts"
    if [[ -d "$fuzz_dir/seeds/$target" ]]; then
        cp -R -- "$fuzz_dir/seeds/$target/." "$corpus/"
    fi
    extra=()
    if [[ -f "$fuzz_dir/$target.dict" ]]; then
        extra+=("-dict=$fuzz_dir/$target.dict")
    fi
    marker="$logs/$target.start"
    touch -- "$marker"
    log="$logs/$target.log"
    echo "smoke: fuzzing $target for $seconds s (log: $log)"
    status=0
    cargo fuzz run --fuzz-dir "$fuzz_dir" --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${extra[@]}" >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    summary+=("$(printf '%-14s %10s runs %8s exec/s  corpus %s' \
        "$target" "${runs:-?}" "${rate:-?}" "$(find "$corpus" -type f | wc -l)")")
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        echo "smoke: $target FAILED (exit $status); what it found (full log: $log):" >&2
        # The panic message, sanitizer summaries, and the input as `Debug`.
        awk '/panicked at/ { show = 1 }
             /^stack backtrace:|^note: / { show = 0 }
             /ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|^SUMMARY:/ { print }
             /Output of `std::fmt::Debug`:/ { show = 1 }
             /^Reproduce with:/ { show = 0 }
             show' "$log" >&2
        find "$artifacts" -type f -newer "$marker" -printf 'smoke: crash input: %p\n' >&2
        echo "smoke: reproduce: cd '$PWD' && RUSTC_BOOTSTRAP=1 cargo fuzz run" \
            "--fuzz-dir fuzz --sanitizer $sanitizer $target <crash input>" >&2
    fi
done

echo "smoke: done in $((SECONDS - started)) s (build included), --sanitizer $sanitizer"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "smoke: crashes in: ${failed[*]}" >&2
    exit 1
fi

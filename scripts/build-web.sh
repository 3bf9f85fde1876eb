#!/usr/bin/env bash
# Builds the self-service page's browser side into OUT_DIR (default
# target/web):
#
#   OUT_DIR/index.html, app.js, style.css      crates/pwpolicy-web/assets/
#   OUT_DIR/pkg/pwpolicy_wasm.js                the wasm-bindgen glue (ES module)
#   OUT_DIR/pkg/pwpolicy_wasm_bg.wasm           crates/pwpolicy-wasm, the core's check
#
#   scripts/build-web.sh [OUT_DIR]
#
# The module is built for wasm32-unknown-unknown in the wasm-release profile
# (size over speed; see the root Cargo.toml). The wasm-bindgen CLI must be
# the version of the wasm-bindgen crate in Cargo.lock; it is installed once
# into the user's cache (${XDG_CACHE_HOME:-~/.cache}/pwpolicy/tools) unless
# one of that version is on PATH. Nothing is rebuilt when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-target/web}"
WASM_BINDGEN_VERSION=0.2.130
assets=crates/pwpolicy-web/assets
target_dir="${CARGO_TARGET_DIR:-target}"

if ! grep -A1 -x 'name = "wasm-bindgen"' Cargo.lock | grep -qx "version = \"$WASM_BINDGEN_VERSION\""; then
    echo "build-web.sh: Cargo.lock's wasm-bindgen is not $WASM_BINDGEN_VERSION: update WASM_BINDGEN_VERSION here" >&2
    exit 1
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown

bindgen=wasm-bindgen
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    tools="${XDG_CACHE_HOME:-$HOME/.cache}/pwpolicy/tools"
    bindgen="$tools/bin/wasm-bindgen"
    if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
        echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $tools" >&2
        # Not --locked: the lock file published with this version does not build.
        cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$tools"
    fi
fi

cargo build --quiet --locked -p pwpolicy-wasm --lib \
    --target wasm32-unknown-unknown --profile wasm-release
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/pwpolicy_wasm.wasm"

mkdir -p "$out/pkg"
# The name section (function names, ~300 KB) only helps a debugger.
bindgen_args=(--target web --no-typescript --remove-name-section --remove-producers-section)
stamp="$out/pkg/.built-with"
# wasm-bindgen rewrites the module (about a second): only when it or these
# arguments changed.
if [ ! -e "$out/pkg/pwpolicy_wasm_bg.wasm" ] || [ ! -e "$out/pkg/pwpolicy_wasm.js" ] \
    || [ "$wasm" -nt "$out/pkg/pwpolicy_wasm_bg.wasm" ] \
    || [ "$(cat "$stamp" 2>/dev/null)" != "$WASM_BINDGEN_VERSION ${bindgen_args[*]}" ]; then
    "$bindgen" "${bindgen_args[@]}" --out-dir "$out/pkg" "$wasm"
    echo "$WASM_BINDGEN_VERSION ${bindgen_args[*]}" > "$stamp"
fi
# Compressed once here (2.7 MB -> 1.0 MB); pwpolicy-web serves it to
# browsers that take gzip. -n: no name or time inside, reproducible.
if [ ! -e "$out/pkg/pwpolicy_wasm_bg.wasm.gz" ] \
    || [ "$out/pkg/pwpolicy_wasm_bg.wasm" -nt "$out/pkg/pwpolicy_wasm_bg.wasm.gz" ]; then
    gzip -9 -n -k -f "$out/pkg/pwpolicy_wasm_bg.wasm"
fi
cp -pR "$assets"/. "$out/"

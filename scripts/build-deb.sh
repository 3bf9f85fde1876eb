#!/usr/bin/env bash
# Builds the Debian package: target/debian/pwpolicy_<version>-1_amd64.deb.
#
#   scripts/build-deb.sh
#
# Release build (stripped by cargo-deb), man pages and completions generated
# from the code (packaging/, target/release/packaging/), maintainer scripts in
# packaging/debian/. cargo-deb is installed once into the user's cache
# (${XDG_CACHE_HOME:-~/.cache}/pwpolicy/tools) at a pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
tools="${XDG_CACHE_HOME:-$HOME/.cache}/pwpolicy/tools"
if ! "$tools/bin/cargo-deb" --version 2>/dev/null | grep -qx "cargo-deb $CARGO_DEB_VERSION"; then
    echo "installing cargo-deb $CARGO_DEB_VERSION into $tools"
    cargo install --quiet --locked cargo-deb --version "$CARGO_DEB_VERSION" --root "$tools"
fi

# The whole workspace, with the features it resolves to together: the same
# build the benches, the peer runs and the release tests use, so CI compiles
# the release graph once (a `-p` list resolves features of its own, and
# every crate whose features differ would be compiled a second time).
cargo build --release --locked --workspace
# The self-service page's browser side (its own target, wasm32).
scripts/build-web.sh target/release/web

gen=target/release/packaging
rm -rf "$gen"
target/release/pwpolicy-packaging "$gen"
mkdir -p "$gen/man/man5"
cp packaging/man/pam_pwpolicy.8 "$gen/man/man8/"
cp packaging/man/pwpolicy.toml.5 "$gen/man/man5/"
# Debian compresses man pages, reproducibly (-n: no name or time stamp).
find "$gen/man" -type f -name '*.[158]' -exec gzip -9nf {} +

rm -f target/debian/pwpolicy_*.deb
"$tools/bin/cargo-deb" -p pwpolicy-packaging --no-build --locked --output target/debian/
ls target/debian/pwpolicy_*.deb

#!/usr/bin/env bash
# Prints the path of a minimal Debian 12 root as a tarball, made once with
# debootstrap and cached under ${XDG_CACHE_HOME:-~/.cache}/pwpolicy/ (about a
# minute the first time). The package test unpacks a fresh copy per run.
#
#   scripts/debian-root.sh        # -> .../debian12-minbase-v1.tar
#
# The cache's name carries the package list: change one, bump the other.
set -euo pipefail

INCLUDE=systemd,man-db,login,passwd,libpam-runtime,libpam-modules
NAME=debian12-minbase-v1.tar
cache="${XDG_CACHE_HOME:-$HOME/.cache}/pwpolicy"
tarball="$cache/$NAME"

if [ ! -s "$tarball" ]; then
    mkdir -p "$cache"
    work="$(mktemp -d "$cache/debootstrap.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    echo "debootstrap: a Debian 12 root into $tarball" >&2
    debootstrap --variant=minbase --include="$INCLUDE" bookworm "$work/root" \
        http://deb.debian.org/debian >"$work/log" 2>&1 || {
        tail -20 "$work/log" >&2
        exit 1
    }
    # No daemon may start inside the root when packages are installed there.
    printf '#!/bin/sh\nexit 101\n' >"$work/root/usr/sbin/policy-rc.d"
    chmod 0755 "$work/root/usr/sbin/policy-rc.d"
    rm -rf "$work/root/var/cache/apt/archives/"*.deb
    tar -C "$work/root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
fi
echo "$tarball"

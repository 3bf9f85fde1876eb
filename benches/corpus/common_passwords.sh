#!/usr/bin/env bash
# Prints the 30,000 common passwords zxcvbn ships (its `PASSWORDS` list,
# MIT-licensed, from the crate in cargo's registry), one a line: a corpus of
# real passwords for `similarity_corpus`, with nothing committed here.
#
#   benches/corpus/common_passwords.sh > /tmp/common.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
manifest="$(cargo metadata --format-version 1 --locked \
    | python3 -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "zxcvbn"))')"
sed -n 's/^const PASSWORDS: &str = "\(.*\)";$/\1/p' "$(dirname "$manifest")/src/frequency_lists.rs" | tr ',' '\n'

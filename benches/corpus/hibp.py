#!/usr/bin/env python3
"""Writes a HIBP-format corpus: N lines `HASH:COUNT`, uppercase, CRLF, sorted
by hash, as the Pwned Passwords downloader does.

    hibp.py N [sha1|ntlm] > corpus.txt

SHA-1 lines are the hashes of the passwords `bench-0` .. `bench-{N-1}`, so a
run can look members up by password; NTLM lines are random (Python's
hashlib has no MD4 under OpenSSL 3). Counts follow a rough power law, so
`--min-count` has something to drop. Deterministic: the same N, the same file.

It holds every hash in memory: for millions of lines use the Rust generator,
`cargo run --release -p pwpolicy-benches --bin breach_corpus -- N` (the same
SHA-1 hashes, sorted in bounded memory; counts drawn differently).
"""
import hashlib
import random
import sys


def main():
    n = int(sys.argv[1])
    kind = sys.argv[2] if len(sys.argv) > 2 else "sha1"
    rng = random.Random(20261201)
    if kind == "sha1":
        hashes = [hashlib.sha1(f"bench-{i}".encode()).hexdigest().upper() for i in range(n)]
    elif kind == "ntlm":
        hashes = ["%032X" % rng.getrandbits(128) for _ in range(n)]
    else:
        sys.exit("kind: sha1 or ntlm")
    hashes.sort()
    out = sys.stdout.buffer
    for h in hashes:
        count = max(1, int(1 / (rng.random() ** 1.5 + 1e-9)) % 1_000_000)
        out.write(f"{h}:{count}\r\n".encode())


if __name__ == "__main__":
    main()

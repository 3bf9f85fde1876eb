#!/usr/bin/env python3
"""Writes mixed.tsv: the fixed benchmark corpus shared by the criterion benches
and the side-by-side run against libpwquality and passwdqc.

One record a line: user <TAB> full name <TAB> password. The mix covers short
and long passwords, one to four character classes, passwords that embed the
account or full name, and non-ASCII text (accented Latin, Cyrillic, CJK,
emoji, full-width forms). Deterministic: the same seed gives the same file.
"""
import random

USERS = [
    ("ehagens", "Erin M. Hagens"), ("jsmith", "John Smith"), ("mmuller", "Marta Müller"),
    ("ivanov", "Иван Иванов"), ("lwang", "Wang Li"), ("abc", "A B C"), ("rootadmin", ""),
    ("dlopez-garcia", "Diego López-García"), ("kowalski", "Anna Kowalska"), ("zz", "Zoë Z"),
]
WORDS = ["summer", "winter", "dragon", "monkey", "letmein", "kettle", "purple", "harbor",
         "correct", "horse", "battery", "staple", "Straße", "пароль", "密码", "café"]
SYMBOLS = "!@#$%^&*()-_=+[]{};:,.<>/?~"
EXOTIC = ["é", "Ж", "中", "😀", "Ａ", "１", "€", "ß", "Σ", "٣"]


def password(rng, user, full):
    kind = rng.randrange(8)
    if kind == 0:  # short
        return "".join(rng.choice("abcdefgh1234") for _ in range(rng.randrange(1, 8)))
    if kind == 1:  # embeds a name
        name = rng.choice([user] + [t for t in full.replace(".", " ").split() if len(t) > 2] or [user])
        return rng.choice([name, name.upper(), name.title()]) + str(rng.randrange(100, 10000)) + rng.choice(SYMBOLS)
    if kind == 2:  # passphrase
        return "-".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 6)))
    if kind == 3:  # non-ASCII mix
        return "".join(rng.choice(EXOTIC + list("abcXYZ12!")) for _ in range(rng.randrange(6, 16)))
    if kind == 4:  # long
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789!?") for _ in range(rng.randrange(40, 120)))
    if kind == 5:  # one class
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(8, 20)))
    # typical: word + digits + symbol, sometimes capitalised
    w = rng.choice(WORDS)
    return (w.title() if rng.random() < 0.6 else w) + str(rng.randrange(10, 9999)) + (rng.choice(SYMBOLS) if rng.random() < 0.7 else "")


def main():
    rng = random.Random(20261123)
    with open("mixed.tsv", "w", encoding="utf-8") as out:
        for _ in range(2000):
            user, full = rng.choice(USERS)
            out.write(f"{user}\t{full}\t{password(rng, user, full)}\n")


if __name__ == "__main__":
    main()

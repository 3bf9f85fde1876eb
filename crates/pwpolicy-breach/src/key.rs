//! What a filter's keys are: SHA-1 of the UTF-8 password (HIBP's SHA-1 set)
//! or NTLM, MD4 of the UTF-16LE password (HIBP's NTLM set, and what Active
//! Directory stores). A filter keeps the first 64 bits of each.

use std::fmt;

use zeroize::Zeroizing;

use crate::hash;

/// The hash a filter's keys are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// SHA-1 of the password's UTF-8 bytes (40 hex digits).
    Sha1,
    /// MD4 of the password's UTF-16LE code units (32 hex digits).
    Ntlm,
}

impl KeyKind {
    /// The name in messages and `breach info`: `sha1` or `ntlm`.
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Sha1 => "sha1",
            KeyKind::Ntlm => "ntlm",
        }
    }

    /// Hex digits of a whole hash of this kind.
    pub fn hex_len(self) -> usize {
        match self {
            KeyKind::Sha1 => 40,
            KeyKind::Ntlm => 32,
        }
    }

    /// The kind of `name` (`sha1`, `ntlm`).
    pub fn from_name(name: &str) -> Option<KeyKind> {
        match name {
            "sha1" => Some(KeyKind::Sha1),
            "ntlm" => Some(KeyKind::Ntlm),
            _ => None,
        }
    }

    pub(crate) fn tag(self) -> u8 {
        match self {
            KeyKind::Sha1 => 1,
            KeyKind::Ntlm => 2,
        }
    }

    pub(crate) fn from_tag(tag: u8) -> Option<KeyKind> {
        match tag {
            1 => Some(KeyKind::Sha1),
            2 => Some(KeyKind::Ntlm),
            _ => None,
        }
    }

    /// The first 64 bits of this kind's hash of `password`, exactly as typed.
    pub fn prefix_of(self, password: &str) -> u64 {
        let digest: [u8; 8] = match self {
            KeyKind::Sha1 => first8(&hash::sha1(password.as_bytes())),
            KeyKind::Ntlm => {
                let mut units = Zeroizing::new(Vec::with_capacity(password.len() * 2));
                units.extend(password.encode_utf16().flat_map(u16::to_le_bytes));
                first8(&hash::md4(&units))
            }
        };
        u64::from_be_bytes(digest)
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn first8(digest: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// The first 64 bits of a hash written in hex (either case), when all of
/// `hex` is hex digits; the caller checks the length.
pub fn hex_prefix(hex: &[u8]) -> Option<u64> {
    if hex.len() < 16 {
        return None;
    }
    // Every digit checked (a table lookup each), the first 16 kept: two
    // loops without a branch in either, since a lookup reads one per line.
    let (head, tail) = hex.split_at(16);
    let mut invalid = 0u8;
    let mut acc = 0u64;
    for &c in head {
        let v = HEX[usize::from(c)];
        invalid |= v;
        acc = (acc << 4) | u64::from(v & 0x0F);
    }
    for &c in tail {
        invalid |= HEX[usize::from(c)];
    }
    (invalid & 0xF0 == 0).then_some(acc)
}

/// Each byte's hex value, or `0xFF` for a byte that is not a hex digit.
const HEX: [u8; 256] = {
    let mut table = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // echo -n password | sha1sum; HIBP's NTLM of "password".
        assert_eq!(
            KeyKind::Sha1.prefix_of("password"),
            hex_prefix(b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8").unwrap()
        );
        assert_eq!(
            KeyKind::Ntlm.prefix_of("password"),
            hex_prefix(b"8846F7EAEE8FB117AD06BDD830B7586C").unwrap()
        );
        // Outside the BMP: UTF-16 surrogate pairs.
        assert_ne!(KeyKind::Ntlm.prefix_of("🔑"), KeyKind::Ntlm.prefix_of("?"));
    }

    #[test]
    fn hex_in_either_case_and_nothing_else() {
        assert_eq!(hex_prefix(b"00000000000000ff"), Some(255));
        assert_eq!(hex_prefix(b"00000000000000FF"), Some(255));
        assert_eq!(hex_prefix(b"00000000000000fg"), None);
        assert_eq!(hex_prefix(b"0000"), None);
    }
}

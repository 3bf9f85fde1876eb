//! UTF-16 as LSASS hands it over, to UTF-8 the core understands.

use zeroize::Zeroizing;

use crate::error::Error;

/// Decodes a password, refusing unpaired surrogates
/// ([`Error::UnpairedSurrogate`]: a high surrogate without its low
/// surrogate, or a lone low surrogate). The output buffer is
/// sized once (3 UTF-8 bytes per UTF-16 unit at most) so no reallocation
/// leaves an unwiped copy behind.
pub fn password(units: &[u16]) -> Result<Zeroizing<String>, Error> {
    let mut out = Zeroizing::new(String::with_capacity(units.len() * 3));
    for c in char::decode_utf16(units.iter().copied()) {
        out.push(c.map_err(|_| Error::UnpairedSurrogate)?);
    }
    Ok(out)
}

/// Decodes a name; an unpaired surrogate becomes U+FFFD (names are not
/// secrets, and a damaged name must not stop the password check).
pub fn name(units: &[u16]) -> String {
    String::from_utf16_lossy(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn decodes_every_plane() {
        assert_eq!(
            password(&utf16("Blue-Kettle-42")).unwrap().as_str(),
            "Blue-Kettle-42"
        );
        assert_eq!(password(&utf16("Ж😀é")).unwrap().as_str(), "Ж😀é");
        assert_eq!(password(&[]).unwrap().as_str(), "");
    }

    #[test]
    fn unpaired_surrogates_are_refused_in_passwords_and_replaced_in_names() {
        for bad in [
            &[0xD800u16][..],
            &[0xDC00],
            &[0x41, 0xD800, 0x41],
            &[0xD800, 0xD800],
        ] {
            assert_eq!(password(bad), Err(Error::UnpairedSurrogate), "{bad:x?}");
        }
        assert_eq!(name(&[0x41, 0xD800]), "A\u{FFFD}");
    }
}

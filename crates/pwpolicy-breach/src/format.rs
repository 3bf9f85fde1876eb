//! The on-disk layout of a filter file, written once here for the encoder and
//! the reader. Everything is little-endian and in 4 KiB pages:
//!
//! ```text
//! page 0                header: magic, version, key kind, parameters, counts, checksums
//! pages 1 ..= D         data pages: sorted fingerprints, Rice-coded gaps in sub-ranges
//! pages D+1 ..= D+R     directory pages: the first fingerprint of each data page
//! tail                  top index: the first fingerprint of each directory page
//! ```
//!
//! A fingerprint is the first 64 bits of the key's hash scaled into
//! `0..universe`, where `universe = bound × one_in`: a non-member collides
//! with one of `entries` fingerprints with probability `entries / universe ≤
//! 1 / one_in`. Sorted, the gaps between fingerprints are nearly geometric,
//! which a Rice code with `k = ⌊log2(one_in · ln 2)⌋` stores in about
//! `log2(one_in) + 1.5` bits.
//!
//! A lookup reads one directory page and one data page; the header and the top
//! index are read (and checksummed) when the file is opened. Every data and
//! directory page carries its own checksum, checked when it is read, so a
//! damaged page is an error and never a silent "not breached".

use crate::SetError;
use crate::key::KeyKind;

/// Bytes in a page.
pub const PAGE: usize = 4096;
/// The first bytes of every filter file. `\x89` catches 7-bit transfers and
/// `\r\n` newline conversion, as PNG's signature does.
pub const MAGIC: [u8; 8] = *b"\x89PWBF\r\n\x1a";
/// The format this crate writes and reads.
pub const VERSION: u32 = 1;

/// Bytes at the start of a data page before its sub-range table: checksum,
/// entry count, stream length in bits, number of sub-ranges after the first.
pub const DATA_HEAD: usize = 9;
/// Expected entries in a sub-range. A page's keys fall in sub-ranges of
/// fixed width (`SUB_ENTRIES` mean gaps) from its first key; the first code
/// of each sub-range is counted from the sub-range's start, not from the
/// key before (gaps are memoryless, so this costs no bits), and the page
/// records where each sub-range's codes begin (2 bytes). A lookup decodes
/// only its own sub-range: 32 codes on average.
pub const SUB_ENTRIES: u64 = 64;
/// Most sub-ranges after the first in a page (the count is a `u8`).
pub const MAX_SUBS: usize = u8::MAX as usize;
/// Most entries in a data page (the count is a `u16`).
pub const MAX_PAGE_ENTRIES: usize = u16::MAX as usize;

/// Bytes at the start of a directory page before its keys.
pub const DIR_HEAD: usize = 8;
/// First keys per directory page.
pub const DIR_ENTRIES: usize = (PAGE - DIR_HEAD) / 8;

/// The default false-positive rate: 1 in this many non-members is reported
/// as breached (NIST asks for no rate; this keeps it far below a user's
/// chance of ever meeting one).
pub const DEFAULT_ONE_IN: u64 = 1_000_000_000;
/// The largest Rice parameter (the remainder is read in one 64-bit window).
pub const MAX_RICE_K: u8 = 48;

/// Where the header's own checksum sits; it covers the bytes before it.
pub const HEADER_SUM_AT: usize = 120;
/// Where the header keeps the top index's checksum.
pub const TOP_SUM_AT: usize = 80;

/// The header of a filter file: what it holds and how it is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Which hash the keys are.
    pub kind: KeyKind,
    /// The Rice parameter of the data pages.
    pub rice_k: u8,
    /// Distinct fingerprints stored.
    pub entries: u64,
    /// Fingerprints lie in `0..universe`.
    pub universe: u64,
    /// The false-positive rate asked for: 1 in `one_in`.
    pub one_in: u64,
    /// `HASH:COUNT` lines seen fewer times than this were left out (1: none).
    pub min_count: u64,
    /// Data pages.
    pub data_pages: u64,
    /// Directory pages.
    pub dir_pages: u64,
    /// The whole file's length in bytes.
    pub file_len: u64,
    /// xxh3-64 of every byte after the header page.
    pub body_sum: u64,
    /// xxh3-64 of the top index.
    pub top_sum: u64,
    /// When it was built, seconds since the Unix epoch (informational).
    pub created: u64,
    /// The width of a data page's sub-ranges, in fingerprints.
    pub sub_width: u64,
}

impl Header {
    /// The byte where the top index starts.
    pub fn top_offset(&self) -> u64 {
        (1 + self.data_pages + self.dir_pages) * PAGE as u64
    }

    /// The file length these counts imply.
    pub fn expected_len(&self) -> Option<u64> {
        let pages = 1u64
            .checked_add(self.data_pages)?
            .checked_add(self.dir_pages)?;
        pages
            .checked_mul(PAGE as u64)?
            .checked_add(self.dir_pages.checked_mul(8)?)
    }

    /// The header page.
    pub fn encode(&self) -> [u8; PAGE] {
        let mut page = [0u8; PAGE];
        page[0..8].copy_from_slice(&MAGIC);
        page[8..12].copy_from_slice(&VERSION.to_le_bytes());
        page[12] = self.kind.tag();
        page[13] = self.rice_k;
        let fields = [
            self.entries,
            self.universe,
            self.one_in,
            self.min_count,
            self.data_pages,
            self.dir_pages,
            self.file_len,
            self.body_sum,
            self.top_sum,
            self.created,
            self.sub_width,
        ];
        for (i, v) in fields.iter().enumerate() {
            let at = 16 + i * 8;
            page[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&page[..HEADER_SUM_AT]);
        page[HEADER_SUM_AT..HEADER_SUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
        page
    }

    /// Reads and checks the header at the start of `bytes` (a whole file).
    ///
    /// # Errors
    ///
    /// [`SetError`] when the bytes are not a filter of this version, or the
    /// header is damaged or disagrees with the file's length.
    pub fn decode(bytes: &[u8]) -> Result<Header, SetError> {
        if bytes.is_empty() {
            return Err(SetError::Empty);
        }
        if bytes.len() < PAGE || bytes[0..8] != MAGIC {
            return Err(SetError::NotAFilter);
        }
        // The version first: another version may keep its checksum elsewhere.
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != VERSION {
            return Err(SetError::Version(version));
        }
        let sum = u64_at(bytes, HEADER_SUM_AT);
        if sum != xxhash_rust::xxh3::xxh3_64(&bytes[..HEADER_SUM_AT]) {
            return Err(SetError::Damaged("header checksum"));
        }
        let kind = KeyKind::from_tag(bytes[12]).ok_or(SetError::Damaged("key kind"))?;
        let field = |i: usize| u64_at(bytes, 16 + i * 8);
        let header = Header {
            kind,
            rice_k: bytes[13],
            entries: field(0),
            universe: field(1),
            one_in: field(2),
            min_count: field(3),
            data_pages: field(4),
            dir_pages: field(5),
            file_len: field(6),
            body_sum: field(7),
            top_sum: field(8),
            created: field(9),
            sub_width: field(10),
        };
        header.check(bytes.len() as u64)?;
        Ok(header)
    }

    fn check(&self, actual_len: u64) -> Result<(), SetError> {
        if self.entries == 0 {
            return Err(SetError::NoEntries);
        }
        let consistent = self.rice_k <= MAX_RICE_K
            && self.one_in >= 2
            && self.sub_width >= 1
            && self.universe >= self.entries
            && self.data_pages >= 1
            && self.data_pages <= self.entries
            && self.dir_pages == self.data_pages.div_ceil(DIR_ENTRIES as u64)
            && self.expected_len() == Some(self.file_len);
        if !consistent {
            return Err(SetError::Damaged("header fields"));
        }
        if actual_len != self.file_len {
            return Err(SetError::Truncated {
                expected: self.file_len,
                actual: actual_len,
            });
        }
        Ok(())
    }
}

/// The sub-range width for a false-positive rate of 1 in `one_in`: gaps
/// average `one_in`, so a sub-range holds [`SUB_ENTRIES`] keys on average.
pub fn sub_width(one_in: u64) -> u64 {
    one_in.saturating_mul(SUB_ENTRIES)
}

/// The Rice parameter for a false-positive rate of 1 in `one_in`: gaps then
/// average `one_in`, and Golomb's optimum is `one_in · ln 2`.
pub fn rice_k(one_in: u64) -> u8 {
    let ideal = (one_in as f64 * std::f64::consts::LN_2).log2().floor();
    // Saturating float-to-int casts keep this in range for any input.
    (ideal.max(0.0) as u8).min(MAX_RICE_K)
}

/// The checksum stored at the start of a data or directory page.
pub fn page_sum(page: &[u8]) -> u32 {
    // The low half of xxh3-64: damage detection, not authentication.
    xxhash_rust::xxh3::xxh3_64(&page[4..]) as u32
}

/// The little-endian `u64` at `at` (the caller has checked the bounds).
pub fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Scales a hash prefix into `0..universe` (monotone: order is kept).
pub fn fingerprint(prefix: u64, universe: u64) -> u64 {
    ((u128::from(prefix) * u128::from(universe)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rice_parameter_for_one_in_a_billion_is_29() {
        assert_eq!(rice_k(DEFAULT_ONE_IN), 29);
        assert_eq!(rice_k(2), 0);
        assert_eq!(rice_k(u64::MAX), MAX_RICE_K);
    }

    #[test]
    fn fingerprints_keep_order_and_stay_below_the_universe() {
        let u = 1_000_000_000_000;
        assert_eq!(fingerprint(0, u), 0);
        assert!(fingerprint(u64::MAX, u) < u);
        assert!(fingerprint(1 << 63, u) <= fingerprint((1 << 63) + 1, u));
    }

    #[test]
    fn a_header_round_trips_and_any_flipped_bit_is_caught() {
        let mut h = Header {
            kind: KeyKind::Ntlm,
            rice_k: 29,
            entries: 1000,
            universe: 1000 * DEFAULT_ONE_IN,
            one_in: DEFAULT_ONE_IN,
            min_count: 1,
            data_pages: 1,
            dir_pages: 1,
            file_len: 0,
            body_sum: 7,
            top_sum: 9,
            created: 1_790_000_000,
            sub_width: 64 * DEFAULT_ONE_IN,
        };
        h.file_len = h.expected_len().unwrap();
        let mut file = vec![0u8; h.file_len as usize];
        file[..PAGE].copy_from_slice(&h.encode());
        assert_eq!(Header::decode(&file).unwrap(), h);
        for bit in 0..(HEADER_SUM_AT + 8) * 8 {
            let mut bad = file.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(Header::decode(&bad).is_err(), "bit {bit}");
        }
        assert!(matches!(
            Header::decode(&file[..file.len() - 1]),
            Err(SetError::Truncated { .. })
        ));
        assert!(matches!(Header::decode(&[]), Err(SetError::Empty)));
    }
}

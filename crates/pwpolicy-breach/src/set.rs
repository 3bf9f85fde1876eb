//! Reading a breached set: membership of a key in the bytes of its file (the
//! caller maps the file; this reads only the two pages a lookup needs).

use std::sync::atomic::{AtomicU64, Ordering};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use zeroize::Zeroizing;

use crate::SetError;
use crate::bits::BitReader;
use crate::format::{
    DATA_HEAD, DIR_ENTRIES, DIR_HEAD, Header, PAGE, fingerprint, page_sum, u64_at,
};

/// An open breached-password set over the bytes of its file.
///
/// A page's checksum is checked the first time a lookup reads it and then
/// remembered (the file is immutable: it is replaced, never rewritten), so a
/// long-lived set pays for it once.
/// `B` holds the bytes: a slice, a `Vec`, or (at the edges) a memory map.
#[derive(Debug)]
pub struct BreachedSet<B> {
    bytes: B,
    header: Header,
    /// Where the top index starts.
    top_at: usize,
    /// One bit a page: its checksum has been seen to match.
    checked: Vec<AtomicU64>,
}

impl<B: AsRef<[u8]>> BreachedSet<B> {
    /// Checks the header and the top index (a few KiB even at HIBP scale);
    /// pages are checked when a lookup reads them.
    ///
    /// # Errors
    ///
    /// [`SetError`] when the bytes are empty, not a filter, of another
    /// version, truncated, or damaged where open reads.
    pub fn open(bytes: B) -> Result<BreachedSet<B>, SetError> {
        let header = Header::decode(bytes.as_ref())?;
        // In range: decode checked the length against the counts.
        let top_at = usize::try_from(header.top_offset()).map_err(|_| SetError::TooLarge)?;
        if xxhash_rust::xxh3::xxh3_64(&bytes.as_ref()[top_at..]) != header.top_sum {
            return Err(SetError::Damaged("top index checksum"));
        }
        let pages = (header.data_pages + header.dir_pages + 1) as usize;
        let checked = (0..pages.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        Ok(BreachedSet {
            bytes,
            header,
            top_at,
            checked,
        })
    }

    fn top(&self) -> &[u8] {
        &self.bytes.as_ref()[self.top_at..]
    }

    /// The bytes it reads.
    pub fn bytes(&self) -> &B {
        &self.bytes
    }

    /// What the header says.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Bits of file per entry.
    pub fn bits_per_entry(&self) -> f64 {
        self.header.file_len as f64 * 8.0 / self.header.entries as f64
    }

    /// The chance that a key not in the list is reported as in it.
    pub fn false_positive_rate(&self) -> f64 {
        self.header.entries as f64 / self.header.universe as f64
    }

    /// Whether `password`, exactly as typed, is in the list, or (with
    /// `nfkc`) its NFKC form is.
    ///
    /// # Errors
    ///
    /// [`SetError::Damaged`] when a page it reads is damaged.
    pub fn contains_password(&self, password: &str, nfkc: bool) -> Result<bool, SetError> {
        let kind = self.header.kind;
        if self.contains(kind.prefix_of(password))? {
            return Ok(true);
        }
        let normal_already =
            password.is_ascii() || is_nfkc_quick(password.chars()) == IsNormalized::Yes;
        if nfkc && !normal_already {
            let normal = Zeroizing::new(password.nfkc().collect::<String>());
            if *normal != password {
                return self.contains(kind.prefix_of(&normal));
            }
        }
        Ok(false)
    }

    /// Whether a key whose hash starts with `prefix` is in the list.
    ///
    /// # Errors
    ///
    /// [`SetError::Damaged`] when a page it reads is damaged.
    pub fn contains(&self, prefix: u64) -> Result<bool, SetError> {
        let f = fingerprint(prefix, self.header.universe);
        let top = self.top();
        let t = partition_point(top.len() / 8, |i| u64_at(top, i * 8) <= f);
        let Some(t) = t.checked_sub(1) else {
            return Ok(false);
        };
        let dir = self.dir_page(t)?;
        let n = dir_count(dir);
        let i = interpolation_point(n, |i| u64_at(dir, DIR_HEAD + i * 8), f);
        // The top index named this page, so its first key is <= f: i >= 1.
        let i = i.checked_sub(1).ok_or(SetError::Damaged("directory"))?;
        let base = u64_at(dir, DIR_HEAD + i * 8);
        let page = self.data_page(t * DIR_ENTRIES + i)?;
        let page = DataPage::read(page, base, self.header.sub_width)?;
        page.find(f, self.header.rice_k)
    }

    /// Checks every byte: the whole-file checksum, then every page's
    /// checksum and codes (what `breach info` reports on).
    ///
    /// # Errors
    ///
    /// [`SetError::Damaged`] naming the first damage found.
    pub fn verify(&self) -> Result<(), SetError> {
        if xxhash_rust::xxh3::xxh3_64(&self.bytes.as_ref()[PAGE..]) != self.header.body_sum {
            return Err(SetError::Damaged("file checksum"));
        }
        let mut entries = 0u64;
        let mut previous: Option<u64> = None;
        for t in 0..self.header.dir_pages as usize {
            let dir = self.dir_page(t)?;
            for i in 0..dir_count(dir) {
                let base = u64_at(dir, DIR_HEAD + i * 8);
                if previous.is_some_and(|p| p >= base) {
                    return Err(SetError::Damaged("directory order"));
                }
                let page = self.data_page(t * DIR_ENTRIES + i)?;
                let page = DataPage::read(page, base, self.header.sub_width)?;
                let last = page.walk(self.header.rice_k)?;
                if last >= self.header.universe {
                    return Err(SetError::Damaged("key out of range"));
                }
                entries += page.count;
                previous = Some(last);
            }
        }
        if entries != self.header.entries {
            return Err(SetError::Damaged("entry count"));
        }
        Ok(())
    }

    fn page(&self, index: u64) -> &[u8] {
        // In range: the header's counts match the file's length.
        let at = (index * PAGE as u64) as usize;
        &self.bytes.as_ref()[at..at + PAGE]
    }

    /// The page at `index` if its checksum matches.
    fn checked_page(&self, index: u64, what: &'static str) -> Result<&[u8], SetError> {
        let page = self.page(index);
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        if self.checked[word].load(Ordering::Relaxed) & bit != 0 {
            return Ok(page);
        }
        if u32::from_le_bytes([page[0], page[1], page[2], page[3]]) != page_sum(page) {
            return Err(SetError::Damaged(what));
        }
        self.checked[word].fetch_or(bit, Ordering::Relaxed);
        Ok(page)
    }

    fn dir_page(&self, t: usize) -> Result<&[u8], SetError> {
        let page = self.checked_page(
            1 + self.header.data_pages + t as u64,
            "directory page checksum",
        )?;
        let pages = self.header.data_pages as usize;
        let expected = (pages - t * DIR_ENTRIES).min(DIR_ENTRIES);
        let top = u64_at(self.top(), t * 8);
        if dir_count(page) != expected || u64_at(page, DIR_HEAD) != top {
            return Err(SetError::Damaged("directory page"));
        }
        Ok(page)
    }

    fn data_page(&self, p: usize) -> Result<&[u8], SetError> {
        self.checked_page(1 + p as u64, "data page checksum")
    }
}

fn dir_count(page: &[u8]) -> usize {
    u32::from_le_bytes([page[4], page[5], page[6], page[7]]) as usize
}

/// The first index in `0..n` whose key is above `f`, for sorted `key`s
/// that are near uniform (fingerprints are): a guess from the ends, then a
/// walk, so a lookup reads one or two cache lines of a directory page where
/// a binary search reads nine.
fn interpolation_point(n: usize, key: impl Fn(usize) -> u64, f: u64) -> usize {
    if n == 0 {
        return 0;
    }
    let (lo, hi) = (key(0), key(n - 1));
    let mut i = if f <= lo {
        0
    } else if f >= hi {
        n - 1
    } else {
        ((u128::from(f - lo) * (n as u128 - 1)) / u128::from(hi - lo)) as usize
    };
    // Now walk to the boundary: key(i - 1) <= f < key(i).
    if key(i) <= f {
        while i < n && key(i) <= f {
            i += 1;
        }
    } else {
        while i > 0 && key(i - 1) > f {
            i -= 1;
        }
    }
    i
}

/// The first index in `0..n` for which `pred` is false (`pred` true then false).
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) { lo = mid + 1 } else { hi = mid }
    }
    lo
}

/// A data page's fields, checked against each other and the page's size.
struct DataPage<'a> {
    base: u64,
    width: u64,
    /// Entries, the first key included.
    count: u64,
    /// Where the codes of sub-ranges 1, 2, … begin.
    subs: &'a [u8],
    stream: &'a [u8],
    /// Bits of codes in `stream`.
    bits: usize,
}

impl<'a> DataPage<'a> {
    fn read(page: &'a [u8], base: u64, width: u64) -> Result<DataPage<'a>, SetError> {
        let damaged = SetError::Damaged("data page");
        let count = u64::from(u16::from_le_bytes([page[4], page[5]]));
        let bits = usize::from(u16::from_le_bytes([page[6], page[7]]));
        let subs = usize::from(page[8]);
        let start = DATA_HEAD + 2 * subs;
        if count == 0 || start + bits.div_ceil(8) > PAGE || width == 0 {
            return Err(damaged);
        }
        Ok(DataPage {
            base,
            width,
            count,
            subs: &page[DATA_HEAD..start],
            stream: &page[start..start + bits.div_ceil(8)],
            bits,
        })
    }

    fn sub_count(&self) -> u64 {
        (self.subs.len() / 2) as u64
    }

    /// Where sub-range `j`'s codes begin and end in the stream, and the
    /// key its first code counts from.
    fn sub_range(&self, j: u64) -> Result<(usize, usize, u64), SetError> {
        let damaged = SetError::Damaged("data page sub-range");
        let at = |j: u64| {
            let o = 2 * (j as usize - 1);
            usize::from(u16::from_le_bytes([self.subs[o], self.subs[o + 1]]))
        };
        let start = if j == 0 { 0 } else { at(j) };
        let end = if j == self.sub_count() {
            self.bits
        } else {
            at(j + 1)
        };
        // The key before the sub-range's first: its first code is counted
        // from the sub-range's start.
        let before = if j == 0 {
            Some(self.base)
        } else {
            j.checked_mul(self.width)
                .and_then(|o| self.base.checked_add(o))
                .and_then(|s| s.checked_sub(1))
        };
        match before {
            Some(before) if start <= end && end <= self.bits => Ok((start, end, before)),
            _ => Err(damaged),
        }
    }

    /// Whether `f` (at or above the first key) is in the page.
    fn find(&self, f: u64, k: u8) -> Result<bool, SetError> {
        if f == self.base {
            return Ok(true);
        }
        let j = (f - self.base) / self.width;
        if j > self.sub_count() {
            return Ok(false);
        }
        let (start, end, key) = self.sub_range(j)?;
        BitReader::new(self.stream, start)
            .seek(key, f, k, end)
            .ok_or(SetError::Damaged("data page"))
    }

    /// Decodes every key, checking order, sub-ranges and count; returns the last.
    fn walk(&self, k: u8) -> Result<u64, SetError> {
        let damaged = SetError::Damaged("data page");
        let (mut seen, mut last) = (1u64, self.base);
        for j in 0..=self.sub_count() {
            let (start, end, mut key) = self.sub_range(j)?;
            let limit = (j + 1).saturating_mul(self.width).saturating_add(self.base);
            let mut reader = BitReader::new(self.stream, start);
            while reader.pos() < end {
                key = next_key(&mut reader, key, k, end)?;
                if key <= last || key >= limit {
                    return Err(damaged);
                }
                (last, seen) = (key, seen + 1);
            }
        }
        if seen != self.count {
            return Err(damaged);
        }
        Ok(last)
    }
}

/// The key after `key`: one Rice code, which must end by `end`.
#[inline(always)]
fn next_key(reader: &mut BitReader<'_>, key: u64, k: u8, end: usize) -> Result<u64, SetError> {
    let damaged = SetError::Damaged("data page");
    let gap = reader.rice(k).ok_or(damaged)?;
    if reader.pos() > end {
        return Err(SetError::Damaged("data page"));
    }
    gap.checked_add(1)
        .and_then(|g| key.checked_add(g))
        .ok_or(SetError::Damaged("data page"))
}

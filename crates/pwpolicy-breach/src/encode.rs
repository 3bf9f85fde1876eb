//! Writing a filter: sorted hash prefixes in, a filter file out, in one pass
//! with memory for one page and the directory (8 bytes a page, about 11 MiB
//! for 1.5 billion entries).

use std::io::{Seek, SeekFrom, Write};

use xxhash_rust::xxh3::Xxh3;

use crate::SetError;
use crate::bits::BitWriter;
use crate::format::{
    DATA_HEAD, DIR_ENTRIES, DIR_HEAD, Header, MAX_PAGE_ENTRIES, MAX_SUBS, PAGE, fingerprint,
    page_sum, rice_k, sub_width,
};
use crate::key::KeyKind;

/// What a filter is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The hash of its keys.
    pub kind: KeyKind,
    /// False-positive rate: 1 in this many non-members (at least 2).
    pub one_in: u64,
    /// `HASH:COUNT` lines under this count were left out (recorded only).
    pub min_count: u64,
    /// Build time, seconds since the Unix epoch (recorded only).
    pub created: u64,
}

/// Builds a filter into `out` from hash prefixes pushed in ascending order.
pub struct Encoder<W: Write + Seek> {
    out: W,
    settings: Settings,
    universe: u64,
    bound: u64,
    k: u8,
    width: u64,
    page: Box<[u8; PAGE]>,
    /// The open page's code stream, before it is placed after the table.
    stream: Box<[u8; PAGE]>,
    /// Bits used in the stream.
    pos: usize,
    /// Entries in the open page (0: none open).
    count: usize,
    base: u64,
    last: u64,
    last_prefix: u64,
    /// The sub-range of `last`.
    sub: u64,
    /// Where the codes of sub-ranges 1, 2, … begin in the stream.
    subs: Vec<u16>,
    /// The first fingerprint of every data page written.
    dir: Vec<u64>,
    body: Xxh3,
    entries: u64,
}

impl<W: Write + Seek> Encoder<W> {
    /// An encoder for at most `bound` distinct keys (an upper bound is fine:
    /// the false-positive rate only gets lower, and each doubling costs one
    /// bit an entry).
    ///
    /// # Errors
    ///
    /// [`SetError::NoEntries`] for a bound of 0, [`SetError::TooLarge`]
    /// when `bound × one_in` does not fit in 64 bits, [`SetError::Io`]
    /// when `out` cannot be written.
    pub fn new(mut out: W, settings: Settings, bound: u64) -> Result<Encoder<W>, SetError> {
        if bound == 0 {
            return Err(SetError::NoEntries);
        }
        if settings.one_in < 2 {
            return Err(SetError::TooLarge);
        }
        let universe = bound
            .checked_mul(settings.one_in)
            .ok_or(SetError::TooLarge)?;
        // The header is written last, when its counts are known.
        out.write_all(&[0u8; PAGE])?;
        Ok(Encoder {
            out,
            settings,
            universe,
            bound,
            k: rice_k(settings.one_in),
            width: sub_width(settings.one_in),
            page: Box::new([0u8; PAGE]),
            stream: Box::new([0u8; PAGE]),
            pos: 0,
            count: 0,
            base: 0,
            last: 0,
            last_prefix: 0,
            sub: 0,
            subs: Vec::with_capacity(MAX_SUBS),
            dir: Vec::new(),
            body: Xxh3::new(),
            entries: 0,
        })
    }

    /// Adds the key whose hash starts with `prefix`; duplicates are merged.
    ///
    /// # Errors
    ///
    /// [`SetError::Unsorted`] when `prefix` is below the previous one,
    /// [`SetError::Io`] when a page cannot be written.
    pub fn push(&mut self, prefix: u64) -> Result<(), SetError> {
        if prefix < self.last_prefix {
            return Err(SetError::Unsorted);
        }
        self.last_prefix = prefix;
        let f = fingerprint(prefix, self.universe);
        if self.count == 0 {
            self.open_page(f);
            return Ok(());
        }
        if f == self.last {
            return Ok(());
        }
        let sub = (f - self.base) / self.width;
        // Within its sub-range a key is coded from the one before; the
        // first of a later sub-range from that sub-range's start.
        let value = if sub == self.sub {
            f - self.last - 1
        } else {
            f - (self.base + sub * self.width)
        };
        let new_subs = usize::try_from(sub - self.sub).unwrap_or(usize::MAX);
        let len = BitWriter::code_len(value, self.k);
        let table = DATA_HEAD + 2 * self.subs.len().saturating_add(new_subs);
        let fits = self.subs.len().saturating_add(new_subs) <= MAX_SUBS
            && (table as u64 * 8)
                .saturating_add(self.pos as u64)
                .saturating_add(len)
                <= PAGE as u64 * 8
            && self.count < MAX_PAGE_ENTRIES;
        if !fits {
            self.close_page()?;
            self.open_page(f);
            return Ok(());
        }
        for _ in 0..new_subs {
            // Fits in a u16: the stream is shorter than a page.
            self.subs.push(self.pos as u16);
        }
        let mut w = BitWriter::new(&mut self.stream[..], self.pos);
        w.rice(value, self.k);
        self.pos = w.pos;
        self.last = f;
        self.sub = sub;
        self.entries += 1;
        self.count += 1;
        Ok(())
    }

    fn open_page(&mut self, f: u64) {
        self.base = f;
        self.last = f;
        self.count = 1;
        self.pos = 0;
        self.sub = 0;
        self.subs.clear();
        self.entries += 1;
    }

    fn close_page(&mut self) -> Result<(), SetError> {
        let count = u16::try_from(self.count).map_err(|_| SetError::TooLarge)?;
        self.page[4..6].copy_from_slice(&count.to_le_bytes());
        self.page[6..8].copy_from_slice(&(self.pos as u16).to_le_bytes());
        self.page[8] = self.subs.len() as u8;
        for (i, at) in self.subs.iter().enumerate() {
            let o = DATA_HEAD + 2 * i;
            self.page[o..o + 2].copy_from_slice(&at.to_le_bytes());
        }
        let start = DATA_HEAD + 2 * self.subs.len();
        let bytes = self.pos.div_ceil(8);
        self.page[start..start + bytes].copy_from_slice(&self.stream[..bytes]);
        self.stream[..bytes].fill(0);
        let sum = page_sum(&self.page[..]);
        self.page[0..4].copy_from_slice(&sum.to_le_bytes());
        self.emit_page()?;
        self.dir.push(self.base);
        self.page.fill(0);
        self.count = 0;
        Ok(())
    }

    fn emit_page(&mut self) -> Result<(), SetError> {
        self.body.update(&self.page[..]);
        self.out.write_all(&self.page[..])?;
        Ok(())
    }

    /// Writes the directory, the top index and the header; returns the
    /// header and the writer (flushed; syncing it is the caller's job).
    ///
    /// # Errors
    ///
    /// [`SetError::NoEntries`] when nothing was pushed,
    /// [`SetError::TooLarge`] when more distinct keys came than the bound,
    /// [`SetError::Io`] when the file cannot be written.
    pub fn finish(mut self) -> Result<(Header, W), SetError> {
        if self.count > 0 {
            self.close_page()?;
        }
        if self.entries == 0 {
            return Err(SetError::NoEntries);
        }
        if self.entries > self.bound {
            return Err(SetError::TooLarge);
        }
        let dir = std::mem::take(&mut self.dir);
        let mut top = Vec::with_capacity(dir.len().div_ceil(DIR_ENTRIES) * 8);
        for chunk in dir.chunks(DIR_ENTRIES) {
            self.page.fill(0);
            self.page[4..8].copy_from_slice(&(chunk.len() as u32).to_le_bytes());
            for (i, key) in chunk.iter().enumerate() {
                let at = DIR_HEAD + i * 8;
                self.page[at..at + 8].copy_from_slice(&key.to_le_bytes());
            }
            let sum = page_sum(&self.page[..]);
            self.page[0..4].copy_from_slice(&sum.to_le_bytes());
            self.emit_page()?;
            top.extend_from_slice(&chunk[0].to_le_bytes());
        }
        self.body.update(&top);
        self.out.write_all(&top)?;
        let data_pages = dir.len() as u64;
        let mut header = Header {
            kind: self.settings.kind,
            rice_k: self.k,
            entries: self.entries,
            universe: self.universe,
            one_in: self.settings.one_in,
            min_count: self.settings.min_count,
            data_pages,
            dir_pages: data_pages.div_ceil(DIR_ENTRIES as u64),
            file_len: 0,
            body_sum: self.body.digest(),
            top_sum: xxhash_rust::xxh3::xxh3_64(&top),
            created: self.settings.created,
            sub_width: self.width,
        };
        header.file_len = header.expected_len().ok_or(SetError::TooLarge)?;
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header.encode())?;
        self.out.flush()?;
        Ok((header, self.out))
    }
}

//! Bits of a data page's stream, least significant first: the Rice code's
//! writer (for the encoder) and reader (for lookups). The reader never
//! trusts the stream: running off its end is an error, not a panic.

/// Writes codes into a zeroed stream.
pub struct BitWriter<'a> {
    stream: &'a mut [u8],
    /// Bits written so far.
    pub pos: usize,
}

impl<'a> BitWriter<'a> {
    /// A writer at bit `pos` of `stream`, which is zero from there on.
    pub fn new(stream: &'a mut [u8], pos: usize) -> BitWriter<'a> {
        BitWriter { stream, pos }
    }

    /// Bits of a Rice code for `value` with parameter `k`.
    pub fn code_len(value: u64, k: u8) -> u64 {
        (value >> k) + 1 + u64::from(k)
    }

    /// Writes `value` as a Rice code: `value >> k` zeros, a one, then the low
    /// `k` bits. The caller has checked that [`BitWriter::code_len`] fits.
    pub fn rice(&mut self, value: u64, k: u8) {
        // The quotient is the zeros already in the stream.
        self.pos += usize::try_from(value >> k).unwrap_or(usize::MAX);
        self.bits(1, 1);
        let mask = if k == 0 { 0 } else { u64::MAX >> (64 - k) };
        self.bits(value & mask, usize::from(k));
    }

    fn bits(&mut self, mut value: u64, mut n: usize) {
        while n > 0 {
            let (byte, off) = (self.pos / 8, self.pos % 8);
            let take = (8 - off).min(n);
            let part = (value & ((1u64 << take) - 1)) as u8;
            self.stream[byte] |= part << off;
            value >>= take;
            self.pos += take;
            n -= take;
        }
    }
}

/// Reads Rice codes from a stream through a 64-bit buffer refilled a word
/// at a time: the refill's load does not wait on the code before it, so
/// decoding runs at the speed of a shift and a `tzcnt` per code.
pub struct BitReader<'a> {
    stream: &'a [u8],
    /// Bits not yet taken, least significant first (above `avail`, a copy
    /// of what follows, or zeros).
    buf: u64,
    /// Valid bits in `buf` (56 to 63 after a refill).
    avail: u32,
    /// The next byte of `stream` to load.
    next: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at bit `pos` of `stream`.
    pub fn new(stream: &'a [u8], pos: usize) -> BitReader<'a> {
        let mut r = BitReader {
            stream,
            buf: 0,
            avail: 0,
            next: pos / 8,
        };
        r.refill();
        let skip = (pos % 8) as u32;
        r.buf >>= skip;
        r.avail -= skip;
        r
    }

    /// The 64 bits from byte `at`, zeros past the end.
    #[inline]
    fn word(&self, at: usize) -> u64 {
        match self.stream.get(at..at + 8) {
            Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => {
                let mut b = [0u8; 8];
                let tail = self.stream.get(at..).unwrap_or_default();
                b[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(b)
            }
        }
    }

    /// Tops the buffer up to at least 56 bits. Bits a load brings beyond
    /// the whole bytes it takes are the stream's next bits, which the next
    /// load ORs in again: harmless.
    #[inline]
    fn refill(&mut self) {
        self.buf |= self.word(self.next) << self.avail;
        let take = (63 - self.avail) / 8;
        self.next += take as usize;
        self.avail += take * 8;
    }

    /// Bits taken so far, counted from the stream's start.
    pub fn pos(&self) -> usize {
        self.next * 8 - self.avail as usize
    }

    /// The next Rice-coded value, or `None` when the code runs past the end
    /// of the stream or does not fit in 64 bits (a damaged page).
    #[inline(always)]
    pub fn rice(&mut self, k: u8) -> Option<u64> {
        let k32 = u32::from(k);
        let zeros = self.buf.trailing_zeros();
        // The common case: the whole code is in the buffer.
        if zeros + 1 + k32 <= self.avail {
            let mask = if k == 0 { 0 } else { u64::MAX >> (64 - k) };
            let rest = self.buf >> (zeros + 1);
            let value = (u64::from(zeros) << k) | (rest & mask);
            self.buf = rest >> k;
            self.avail -= zeros + 1 + k32;
            self.refill();
            if self.pos() > self.stream.len() * 8 {
                return None;
            }
            return Some(value);
        }
        self.rice_slow(k)
    }

    /// A code longer than the buffer: a long run of zeros (or damage).
    /// Reads the gaps that follow `key`, one Rice code each, until a key
    /// reaches `target` or the codes end at bit `end` (at most the stream's
    /// length): `Some(true)` when a key equals `target`, `Some(false)` when
    /// one passes it or the codes end first, `None` when the codes are
    /// damaged (one runs past `end`, or a key past `u64::MAX`).
    ///
    /// A lookup's inner loop, so the position is counted as the codes are
    /// read instead of derived from the buffer for each check.
    #[inline]
    pub fn seek(&mut self, mut key: u64, target: u64, k: u8, end: usize) -> Option<bool> {
        let k32 = u32::from(k);
        let mask = if k == 0 { 0 } else { u64::MAX >> (64 - k32) };
        let mut pos = self.pos();
        while pos < end {
            let zeros = self.buf.trailing_zeros();
            let len = zeros + 1 + k32;
            let gap = if len <= self.avail {
                // len <= avail <= 63, so no shift below reaches 64.
                let rest = self.buf >> (zeros + 1);
                self.buf = rest >> k32;
                self.avail -= len;
                self.refill();
                pos += len as usize;
                (u64::from(zeros) << k32) | (rest & mask)
            } else {
                let gap = self.rice_slow(k)?;
                pos = self.pos();
                gap
            };
            if pos > end {
                return None;
            }
            key = key.checked_add(gap)?.checked_add(1)?;
            if key >= target {
                return Some(key == target);
            }
        }
        Some(false)
    }

    fn rice_slow(&mut self, k: u8) -> Option<u64> {
        let end = self.stream.len() * 8;
        let mut quotient = 0u64;
        // Only the `avail` low bits are taken yet (those above are a copy
        // of what comes next).
        self.buf &= (1u64 << self.avail) - 1;
        while self.buf == 0 {
            quotient += u64::from(self.avail);
            self.avail = 0;
            self.refill();
            self.buf &= (1u64 << self.avail) - 1;
            if self.pos() >= end {
                return None;
            }
        }
        let zeros = self.buf.trailing_zeros();
        if zeros + 1 > self.avail {
            return None;
        }
        quotient += u64::from(zeros);
        self.buf >>= zeros;
        self.buf >>= 1;
        self.avail -= zeros + 1;
        self.refill();
        let k32 = u32::from(k);
        if k32 > self.avail || quotient.leading_zeros() < k32 {
            return None;
        }
        let mask = if k == 0 { 0 } else { u64::MAX >> (64 - k) };
        let value = (quotient << k) | (self.buf & mask);
        self.buf = if k32 == 64 { 0 } else { self.buf >> k };
        self.avail -= k32;
        self.refill();
        if self.pos() > end {
            return None;
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn what_is_written_is_read(values in proptest::collection::vec(0u64..1 << 40, 1..200), k in 0u8..40) {
            let mut stream = vec![0u8; 1 << 16];
            let mut w = BitWriter::new(&mut stream, 0);
            let mut fitted = Vec::new();
            for &v in &values {
                if w.pos as u64 + BitWriter::code_len(v, k) > (1 << 19) { break; }
                w.rice(v, k);
                fitted.push(v);
            }
            let mut r = BitReader::new(&stream, 0);
            for &v in &fitted {
                prop_assert_eq!(r.rice(k), Some(v));
            }
        }
    }

    proptest! {
        #[test]
        fn seek_finds_what_reading_one_code_at_a_time_finds(
            gaps in proptest::collection::vec(0u64..1 << 34, 0..120),
            k in 0u8..36,
            start in 0usize..13,
            target in 0u64..1 << 38,
            first in 0u64..1 << 20,
        ) {
            let mut stream = vec![0u8; 1 << 16];
            let mut w = BitWriter::new(&mut stream, start);
            let mut keys = Vec::new();
            let mut key = first;
            for &g in &gaps {
                if w.pos as u64 + BitWriter::code_len(g, k) > (1 << 19) { break; }
                w.rice(g, k);
                key += g + 1;
                keys.push(key);
            }
            let end = w.pos;
            let expected = keys.iter().find(|&&key| key >= target).is_some_and(|&key| key == target);
            prop_assert_eq!(BitReader::new(&stream, start).seek(first, target, k, end), Some(expected));
            // Every key is found, and a target between two keys is not.
            for (i, &key) in keys.iter().enumerate() {
                prop_assert_eq!(BitReader::new(&stream, start).seek(first, key, k, end), Some(true));
                let before = if i == 0 { first } else { keys[i - 1] };
                if key - before > 1 {
                    prop_assert_eq!(BitReader::new(&stream, start).seek(first, key - 1, k, end), Some(false));
                }
            }
            // Codes that run past `end` are damage, not an answer.
            if let Some(&last) = keys.last() {
                prop_assert_eq!(BitReader::new(&stream, start).seek(first, last, k, end - 1), None);
            }
        }
    }

    #[test]
    fn a_stream_of_zeros_is_an_error_not_a_loop() {
        let stream = [0u8; 64];
        assert_eq!(BitReader::new(&stream, 0).rice(29), None);
        assert_eq!(BitReader::new(&stream, 500).rice(29), None);
        let mut ones = [0u8; 4];
        ones[3] = 0x80;
        assert_eq!(
            BitReader::new(&ones, 0).rice(29),
            None,
            "remainder past the end"
        );
    }
}

//! The lines `pwpolicy breach build` reads: HIBP's `HASH:COUNT` (SHA-1 or
//! NTLM, either case, LF or CRLF) or plain passwords, one a line; and
//! [`read_line`], which reads them from any [`BufRead`] in bounded memory.

use std::fmt;
use std::io::{self, BufRead};

use crate::key::{KeyKind, hex_prefix};

/// Longest plain-password line, in bytes (1024 code points of 4 bytes: the
/// longest password any policy accepts).
pub const MAX_PLAIN_BYTES: usize = 4096;

/// Longest line [`read_line`] keeps, with its `\r\n`: the longest plain
/// password's. A HIBP line is far shorter.
pub const MAX_LINE_BYTES: usize = MAX_PLAIN_BYTES + 2;

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextLine {
    /// The end of the input.
    End,
    /// A line of this many bytes (with its ending), kept.
    Line(u64),
    /// A line of this many bytes, longer than [`MAX_LINE_BYTES`]: read to
    /// its end but not kept.
    TooLong(u64),
}

/// Reads the next line of `input` (up to and with its `\n`, or to the end
/// of the input) into `line`, which is cleared first.
///
/// A line longer than [`MAX_LINE_BYTES`] is read on to its end a buffer at
/// a time and dropped, never held whole: `BufRead::read_until` would grow
/// `line` to the size of the line, and an input with no newline at all
/// (hundreds of megabytes) would be held in memory entire before it could
/// be refused. `line` is then left empty.
///
/// # Errors
///
/// The input's read errors.
pub fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<NextLine> {
    line.clear();
    let (mut total, mut too_long) = (0u64, false);
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (taken, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            if line.len() + taken > MAX_LINE_BYTES {
                too_long = true;
                // The start of what may be a password, no longer needed.
                zeroize::Zeroize::zeroize(line);
            } else {
                line.extend_from_slice(&available[..taken]);
            }
        }
        input.consume(taken);
        total += taken as u64;
        if ended {
            break;
        }
    }
    Ok(match (total, too_long) {
        (0, _) => NextLine::End,
        (n, true) => NextLine::TooLong(n),
        (n, false) => NextLine::Line(n),
    })
}

/// What the lines of an input file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// `HASH[:COUNT]` lines of this hash.
    Hashes(KeyKind),
    /// One password a line, exactly as it would be typed.
    Plain,
}

impl InputFormat {
    /// Guesses the format from an input's first non-blank line: a whole hash
    /// followed by `:COUNT` is HIBP's; anything else is plain passwords.
    pub fn detect(first_line: &[u8]) -> InputFormat {
        for kind in [KeyKind::Sha1, KeyKind::Ntlm] {
            if let Ok(Line::Hash { count: Some(_), .. }) =
                parse(first_line, InputFormat::Hashes(kind))
            {
                return InputFormat::Hashes(kind);
            }
        }
        InputFormat::Plain
    }

    /// The name in messages: `sha1`, `ntlm` or `plain`.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Hashes(kind) => kind.name(),
            InputFormat::Plain => "plain",
        }
    }
}

/// One line, understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// Nothing on it (or only the line ending).
    Blank,
    /// A hash and the count after it, if any.
    Hash {
        /// Its first 64 bits.
        prefix: u64,
        /// How often it was seen.
        count: Option<u64>,
    },
    /// A password, without its line ending.
    Plain(&'a str),
}

/// Why a line was not taken. Never holds the line: it may be a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadLine {
    /// Not a hash of the file's kind (wrong length or not hex).
    NotAHash(KeyKind),
    /// What follows `:` is not a count.
    BadCount,
    /// A plain line that is not UTF-8.
    NotUtf8,
    /// A plain line with a NUL byte.
    Nul,
    /// A plain line over [`MAX_PLAIN_BYTES`], or any line over
    /// [`MAX_LINE_BYTES`] (which [`read_line`] does not keep).
    TooLong,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadLine::NotAHash(kind) => {
                write!(f, "not a {} hash of {} hex digits", kind, kind.hex_len())
            }
            BadLine::BadCount => f.write_str("the count after `:` is not a whole number"),
            BadLine::NotUtf8 => f.write_str("not UTF-8"),
            BadLine::Nul => f.write_str("contains a NUL byte"),
            BadLine::TooLong => write!(f, "longer than {MAX_PLAIN_BYTES} bytes"),
        }
    }
}

/// Reads one line (with or without its `\n` or `\r\n`) of a file in `format`.
///
/// # Errors
///
/// [`BadLine`] saying what is wrong with it.
pub fn parse(line: &[u8], format: InputFormat) -> Result<Line<'_>, BadLine> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match format {
        InputFormat::Hashes(kind) => {
            let line = line.trim_ascii();
            if line.is_empty() {
                return Ok(Line::Blank);
            }
            let (hash, count) = match line.iter().position(|&b| b == b':') {
                Some(at) => (&line[..at], Some(&line[at + 1..])),
                None => (line, None),
            };
            if hash.len() != kind.hex_len() {
                return Err(BadLine::NotAHash(kind));
            }
            let prefix = hex_prefix(hash).ok_or(BadLine::NotAHash(kind))?;
            let count = match count {
                None => None,
                Some(digits) => Some(decimal(digits).ok_or(BadLine::BadCount)?),
            };
            Ok(Line::Hash { prefix, count })
        }
        InputFormat::Plain => {
            if line.is_empty() {
                return Ok(Line::Blank);
            }
            if line.len() > MAX_PLAIN_BYTES {
                return Err(BadLine::TooLong);
            }
            if line.contains(&0) {
                return Err(BadLine::Nul);
            }
            std::str::from_utf8(line)
                .map(Line::Plain)
                .map_err(|_| BadLine::NotUtf8)
        }
    }
}

fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: InputFormat = InputFormat::Hashes(KeyKind::Sha1);
    const NTLM: InputFormat = InputFormat::Hashes(KeyKind::Ntlm);

    #[test]
    fn hibp_lines_in_either_case_and_line_ending() {
        let upper = parse(
            b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179\r\n",
            SHA1,
        )
        .unwrap();
        let lower = parse(b"5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8:52256179\n", SHA1).unwrap();
        assert_eq!(upper, lower);
        assert_eq!(
            upper,
            Line::Hash {
                prefix: KeyKind::Sha1.prefix_of("password"),
                count: Some(52_256_179)
            }
        );
        assert_eq!(
            parse(b"8846F7EAEE8FB117AD06BDD830B7586C", NTLM).unwrap(),
            Line::Hash {
                prefix: KeyKind::Ntlm.prefix_of("password"),
                count: None
            }
        );
        assert_eq!(parse(b"\r\n", SHA1), Ok(Line::Blank));
    }

    #[test]
    fn bad_lines_say_why() {
        assert_eq!(
            parse(b"8846F7EAEE8FB117AD06BDD830B7586C:3", SHA1),
            Err(BadLine::NotAHash(KeyKind::Sha1))
        );
        assert_eq!(
            parse(b"8846F7EAEE8FB117AD06BDD830B7586X:3", NTLM),
            Err(BadLine::NotAHash(KeyKind::Ntlm))
        );
        assert_eq!(
            parse(b"8846F7EAEE8FB117AD06BDD830B7586C:", NTLM),
            Err(BadLine::BadCount)
        );
        assert_eq!(
            parse(
                b"8846F7EAEE8FB117AD06BDD830B7586C:99999999999999999999",
                NTLM
            ),
            Err(BadLine::BadCount)
        );
        assert_eq!(parse(b"pass\0word", InputFormat::Plain), Err(BadLine::Nul));
        assert_eq!(parse(b"caf\xe9", InputFormat::Plain), Err(BadLine::NotUtf8));
        assert_eq!(
            parse(&[b'a'; MAX_PLAIN_BYTES + 1], InputFormat::Plain),
            Err(BadLine::TooLong)
        );
    }

    /// Every line of `input` as `read_line` gives it, read through a
    /// buffer of `capacity` bytes.
    fn lines_of(input: &[u8], capacity: usize) -> Vec<(NextLine, Vec<u8>)> {
        let mut reader = io::BufReader::with_capacity(capacity, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        loop {
            let next = read_line(&mut reader, &mut line).unwrap();
            assert!(line.capacity() <= 2 * MAX_LINE_BYTES, "{}", line.capacity());
            if next == NextLine::End {
                return out;
            }
            out.push((next, line.clone()));
        }
    }

    #[test]
    fn a_line_past_the_limit_is_skipped_to_its_end_never_held() {
        let fits = [vec![b'a'; MAX_PLAIN_BYTES], b"\r\n".to_vec()].concat();
        let over = vec![b'b'; 3 * MAX_LINE_BYTES + 5];
        let input = [&fits[..], &over, b"\nnext\n", &over].concat();
        for capacity in [1, 7, 4096, 1 << 20] {
            assert_eq!(
                lines_of(&input, capacity),
                [
                    (NextLine::Line(fits.len() as u64), fits.clone()),
                    (NextLine::TooLong(over.len() as u64 + 1), Vec::new()),
                    (NextLine::Line(5), b"next\n".to_vec()),
                    (NextLine::TooLong(over.len() as u64), Vec::new()),
                ],
                "buffer of {capacity}"
            );
        }
        assert_eq!(
            lines_of(b"last", 2),
            [(NextLine::Line(4), b"last".to_vec())]
        );
        assert_eq!(lines_of(b"", 2), []);
    }

    #[test]
    fn plain_lines_keep_their_spaces_and_detection_needs_a_count() {
        assert_eq!(
            parse(b" two words \r\n", InputFormat::Plain),
            Ok(Line::Plain(" two words "))
        );
        assert_eq!(
            InputFormat::detect(b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1\r\n"),
            SHA1
        );
        assert_eq!(
            InputFormat::detect(b"8846f7eaee8fb117ad06bdd830b7586c:7"),
            NTLM
        );
        assert_eq!(
            InputFormat::detect(b"8846f7eaee8fb117ad06bdd830b7586c"),
            InputFormat::Plain
        );
        assert_eq!(InputFormat::detect(b"hunter2"), InputFormat::Plain);
    }
}

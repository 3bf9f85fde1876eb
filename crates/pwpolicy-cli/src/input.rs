//! Reading a password from standard input: the first line only, bounded in
//! size, UTF-8 only, wiped after use.

use std::fmt;
use std::io::{BufRead, Read};

use zeroize::Zeroizing;

/// The smallest line limit, in bytes: generous for any sane password.
pub const MIN_LINE_LIMIT: usize = 4096;

/// The byte limit for one password line under a policy's `max_length`: four
/// bytes per code point (the UTF-8 maximum) so that no line the policy could
/// accept is cut short.
pub fn line_limit(max_length: u32) -> usize {
    (max_length as usize * 4).max(MIN_LINE_LIMIT)
}

/// A line read from input, or why it is not a usable password.
pub enum Line {
    /// A complete first line, without its line ending.
    Text(Zeroizing<String>),
    /// The line went past the limit; the rest was left unread.
    TooLong,
}

impl fmt::Debug for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Text(_) => f.write_str("Line::Text(<redacted>)"),
            Line::TooLong => f.write_str("Line::TooLong"),
        }
    }
}

/// Input that is not a password at all.
#[derive(Debug, PartialEq, Eq)]
pub enum InputError {
    /// Nothing at all was read.
    Empty,
    /// The bytes are not UTF-8; `offset` is where the first bad byte is.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// A NUL byte, which no password system accepts.
    Nul,
    /// The two entries at a prompt differ.
    Mismatch,
    /// Reading failed.
    Io(std::io::ErrorKind),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => f.write_str("no password on standard input"),
            InputError::NotUtf8 { offset } => {
                write!(
                    f,
                    "input is not valid UTF-8 (first bad byte at offset {offset})"
                )
            }
            InputError::Nul => {
                f.write_str("input contains a NUL byte, which a password cannot hold")
            }
            InputError::Mismatch => f.write_str("the two passwords entered do not match"),
            InputError::Io(kind) => write!(f, "cannot read standard input: {kind}"),
        }
    }
}

impl std::error::Error for InputError {}

/// The bytes of one line, before they are judged.
pub struct RawLine {
    bytes: Zeroizing<Vec<u8>>,
    /// Whether the line ended (newline or end of input) within the limit.
    /// If not, the rest of it is still unread.
    pub complete: bool,
}

/// Reads one line of `reader`, at most `limit` bytes of it, without judging
/// it. Returns `Ok(None)` at end of input.
pub fn read_raw(reader: &mut impl BufRead, limit: usize) -> Result<Option<RawLine>, InputError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(128));
    let read = reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| InputError::Io(e.kind()))?;
    if read == 0 {
        return Ok(None);
    }
    let ended = bytes.last() == Some(&b'\n');
    if ended {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    let complete = ended || bytes.len() <= limit;
    Ok(Some(RawLine { bytes, complete }))
}

impl RawLine {
    /// Judges the bytes: a NUL or bad UTF-8 is an input error; a line past the
    /// limit is [`Line::TooLong`] (if its prefix is sound).
    pub fn decode(self) -> Result<Line, InputError> {
        if self.bytes.contains(&0) {
            return Err(InputError::Nul);
        }
        match std::str::from_utf8(&self.bytes) {
            Ok(text) if self.complete => Ok(Line::Text(Zeroizing::new(text.to_owned()))),
            Ok(_) => Ok(Line::TooLong),
            // A final character cut by the limit is not an encoding error.
            Err(e) if !self.complete && e.error_len().is_none() => Ok(Line::TooLong),
            Err(e) => Err(InputError::NotUtf8 {
                offset: e.valid_up_to(),
            }),
        }
    }
}

/// Reads and judges the first line of `reader`, at most `limit` bytes of it;
/// the rest of an overlong line is left unread. `Ok(None)` at end of input.
pub fn read_line(reader: &mut impl BufRead, limit: usize) -> Result<Option<Line>, InputError> {
    read_raw(reader, limit)?.map(RawLine::decode).transpose()
}

/// Skips the rest of an overlong line without keeping it.
pub fn skip_line(reader: &mut impl BufRead) -> Result<(), InputError> {
    loop {
        let chunk = reader.fill_buf().map_err(|e| InputError::Io(e.kind()))?;
        if chunk.is_empty() {
            return Ok(());
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = chunk.len();
                reader.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(input: &[u8], limit: usize) -> Result<Option<String>, InputError> {
        read_line(&mut &input[..], limit).map(|l| {
            l.map(|l| match l {
                Line::Text(t) => t.to_string(),
                Line::TooLong => "<too long>".into(),
            })
        })
    }

    #[test]
    fn first_line_without_its_ending() {
        assert_eq!(
            first(b"Secret-1\nsecond\n", 64),
            Ok(Some("Secret-1".into()))
        );
        assert_eq!(first(b"Secret-1\r\n", 64), Ok(Some("Secret-1".into())));
        assert_eq!(first(b"no newline", 64), Ok(Some("no newline".into())));
        assert_eq!(first(b"\n", 64), Ok(Some(String::new())));
        assert_eq!(first(b"", 64), Ok(None));
    }

    #[test]
    fn bad_bytes_are_input_errors() {
        assert_eq!(
            first(b"ab\xffcd\n", 64),
            Err(InputError::NotUtf8 { offset: 2 })
        );
        assert_eq!(first(b"ab\0cd\n", 64), Err(InputError::Nul));
        assert_eq!(
            first(b"\xed\xa0\x80\n", 64),
            Err(InputError::NotUtf8 { offset: 0 })
        );
    }

    #[test]
    fn overlong_lines_stop_at_the_limit() {
        assert_eq!(first(&[b'a'; 10], 10), Ok(Some("a".repeat(10))));
        assert_eq!(first(&[b'a'; 11], 10), Ok(Some("<too long>".into())));
        // A line of exactly the limit plus its newline is complete.
        let mut exact = vec![b'a'; 10];
        exact.push(b'\n');
        assert_eq!(first(&exact, 10), Ok(Some("a".repeat(10))));
        // A multi-byte character cut by the limit is not a UTF-8 error.
        let mut cut = "é".repeat(6).into_bytes();
        cut.push(b'\n');
        assert_eq!(first(&cut, 10), Ok(Some("<too long>".into())));
    }

    #[test]
    fn skip_line_discards_to_the_newline() {
        let mut input: &[u8] = b"xxxxxxxxxxxxxxxx\nnext\n";
        assert!(matches!(read_line(&mut input, 4), Ok(Some(Line::TooLong))));
        skip_line(&mut input).unwrap();
        assert_eq!(first(input, 64), Ok(Some("next".into())));
    }

    #[test]
    fn limit_covers_every_acceptable_password() {
        assert_eq!(line_limit(256), 4096);
        assert_eq!(line_limit(1024), 4096);
        assert_eq!(line_limit(64), 4096);
    }
}

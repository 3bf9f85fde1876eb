//! Guards the Windows password filter's real entry point, `PasswordFilter`,
//! and its UTF-16 decoding: arbitrary bytes, lengths of any parity, unaligned
//! buffers and NULL pointers must never crash it, and whenever the password is
//! readable the answer must be exactly the core's verdict (default policy).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pwpolicy::{Names, Password, Policy};
use pwpolicyfilt::ffi::{PasswordFilter, UnicodeString};

/// One field as LSASS might (mis)send it.
#[derive(Debug, Arbitrary)]
struct Field {
    bytes: Vec<u8>,
    /// Claimed length in bytes; clamped to the buffer, any parity.
    length: Option<u16>,
    /// Start one byte in, to misalign the buffer.
    misalign: bool,
    null_struct: bool,
    null_buffer: bool,
}

impl Field {
    /// The UNICODE_STRING (and the storage it points into).
    fn build(&self) -> (Option<UnicodeString>, Vec<u8>) {
        let mut storage = vec![0u8; usize::from(self.misalign)];
        storage.extend_from_slice(&self.bytes);
        let available = self.bytes.len().min(usize::from(u16::MAX));
        let length = self.length.map_or(available, |l| usize::from(l).min(available));
        let s = UnicodeString {
            length: length as u16,
            maximum_length: available as u16,
            buffer: if self.null_buffer {
                std::ptr::null()
            } else {
                storage[usize::from(self.misalign)..].as_ptr().cast()
            },
        };
        ((!self.null_struct).then_some(s), storage)
    }

    /// The units the filter should read, if the field is well formed.
    fn units(&self) -> Option<Vec<u16>> {
        let (s, _) = self.build();
        let s = s?;
        if s.length == 0 {
            return Some(Vec::new());
        }
        if self.null_buffer || s.length % 2 != 0 {
            return None;
        }
        Some(
            self.bytes[..usize::from(s.length)]
                .chunks_exact(2)
                .map(|c| u16::from_ne_bytes([c[0], c[1]]))
                .collect(),
        )
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    account: Field,
    full_name: Field,
    password: Field,
    set_operation: bool,
}

fuzz_target!(|input: Input| {
    let (account, _a) = input.account.build();
    let (full, _f) = input.full_name.build();
    let (password, _p) = input.password.build();
    let ptr = |s: &Option<UnicodeString>| s.as_ref().map_or(std::ptr::null(), |s| s as *const _);
    // SAFETY: every pointer is null or points at a live UNICODE_STRING whose
    // buffer (kept alive by `_a`, `_f`, `_p`) holds at least `length` bytes.
    let verdict = unsafe {
        PasswordFilter(ptr(&account), ptr(&full), ptr(&password), u8::from(input.set_operation))
    };
    assert!(verdict <= 1);

    let name = |f: &Field| f.units().map(|u| String::from_utf16_lossy(&u)).unwrap_or_default();
    let readable = input.password.units().and_then(|u| String::from_utf16(&u).ok());
    match readable {
        None => assert_eq!(verdict, 0, "an unreadable password must be refused"),
        Some(text) => {
            let expected = Policy::default()
                .check(&Password::new(&text), &Names::new(&name(&input.account), &name(&input.full_name)))
                .is_accepted();
            assert_eq!(verdict == 1, expected, "the filter and the core disagree");
        }
    }
});

//! The one registry value the filter reads, `HKLM\SOFTWARE\pwpolicy\ConfigPath`,
//! behind a safe function. A leaf: it knows nothing of policies.

use std::path::PathBuf;

/// `HKLM\SOFTWARE\pwpolicy\ConfigPath`, if it is set (a `REG_SZ` of at most
/// 1023 UTF-16 units); always `None` off Windows.
#[cfg(windows)]
pub fn config_path() -> Option<PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use windows_sys::Win32::System::Registry::{HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RegGetValueW};
    let key: Vec<u16> = "SOFTWARE\\pwpolicy\0".encode_utf16().collect();
    let value: Vec<u16> = "ConfigPath\0".encode_utf16().collect();
    let mut buf = vec![0u16; 1024];
    let mut size = (buf.len() * 2) as u32;
    // SAFETY: key and value names are NUL-terminated; `buf` is writable for
    // `size` bytes, which RegGetValueW updates to the bytes written.
    let rc = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if rc != 0 {
        return None;
    }
    let units = (size as usize / 2).min(buf.len());
    let text = &buf[..units];
    let text = text.split(|&u| u == 0).next().unwrap_or(&[]);
    (!text.is_empty()).then(|| std::ffi::OsString::from_wide(text).into())
}

/// `HKLM\SOFTWARE\pwpolicy\ConfigPath`, if it is set; always `None` off Windows.
#[cfg(not(windows))]
pub fn config_path() -> Option<PathBuf> {
    None
}

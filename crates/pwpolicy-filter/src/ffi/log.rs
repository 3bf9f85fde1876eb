//! Where the filter's reports go: the Windows Application event log (source
//! `pwpolicyfilt`) inside LSASS, standard error elsewhere. A leaf behind a
//! safe function; it never sees a password.

use crate::report::Level;

/// Reports one line (a [`crate::report::Report`]), made printable whole:
/// reports name the account LSASS hands over (any name the directory
/// holds) and the files the policy names, and no such value may end the
/// line or send an escape to whoever reads the log. (A Windows path shows
/// its backslashes doubled, the price of an escape nobody can forge.)
pub fn report(level: Level, message: &str) {
    let message: &str = &pwpolicy::printable(message);
    #[cfg(windows)]
    event_log(level, message);
    #[cfg(not(windows))]
    {
        let _ = level;
        eprintln!("pwpolicyfilt: {message}");
    }
}

/// Writes one event to the Application log, source "pwpolicyfilt".
#[cfg(windows)]
fn event_log(level: Level, message: &str) {
    use windows_sys::Win32::System::EventLog::{
        DeregisterEventSource, EVENTLOG_ERROR_TYPE, EVENTLOG_INFORMATION_TYPE,
        EVENTLOG_WARNING_TYPE, RegisterEventSourceW, ReportEventW,
    };
    let source: Vec<u16> = "pwpolicyfilt\0".encode_utf16().collect();
    let text: Vec<u16> = message.encode_utf16().chain(std::iter::once(0)).collect();
    let kind = match level {
        Level::Info => EVENTLOG_INFORMATION_TYPE,
        Level::Warning => EVENTLOG_WARNING_TYPE,
        Level::Error => EVENTLOG_ERROR_TYPE,
    };
    // SAFETY: `source` is NUL-terminated; a null server name means this machine.
    let handle = unsafe { RegisterEventSourceW(std::ptr::null(), source.as_ptr()) };
    if handle.is_null() {
        return;
    }
    let strings = [text.as_ptr()];
    // SAFETY: `handle` is a live event source; one NUL-terminated string is
    // passed, as `wNumStrings = 1` says; no raw data.
    unsafe {
        ReportEventW(
            handle,
            kind,
            0,
            1,
            std::ptr::null_mut(),
            1,
            0,
            strings.as_ptr(),
            std::ptr::null(),
        );
        DeregisterEventSource(handle);
    }
}

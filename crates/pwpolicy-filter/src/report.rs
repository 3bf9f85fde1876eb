//! Telling administrators what the filter did: the Windows event log inside
//! LSASS, standard error elsewhere. Never a password.

/// How serious a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A refusal, or an audit-mode "would refuse".
    Info,
    /// A broken policy file (the default policy is enforced instead).
    Warning,
    /// The filter itself failed.
    Error,
}

/// Reports one line.
pub fn report(level: Level, message: &str) {
    #[cfg(windows)]
    crate::ffi::event_log(level, message);
    #[cfg(not(windows))]
    {
        let _ = level;
        eprintln!("pwpolicyfilt: {message}");
    }
}

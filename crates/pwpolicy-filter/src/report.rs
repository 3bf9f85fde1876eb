//! The vocabulary of telling administrators what the filter did: how serious
//! a report is, and the shape of the function that delivers one. Where reports
//! go (the Windows event log, standard error) is decided by the exports, which
//! hand that function down; nothing here does I/O. A report never holds a
//! password.

/// How serious a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A refusal, or an audit-mode "would refuse".
    Info,
    /// A broken policy file (the default policy is enforced instead), a
    /// password that could not be read (refused), or a breached-password list
    /// that cannot be read under `on_error = ignore` or in audit mode.
    Warning,
    /// The filter itself failed, or refuses changes because the
    /// breached-password list cannot be read (`on_error = fail`).
    Error,
}

/// Delivers one report line (never a password).
pub type Report = fn(Level, &str);

/// A [`Report`] that drops every line: for tests and callers that report nothing.
#[cfg(test)]
pub fn quiet(_: Level, _: &str) {}

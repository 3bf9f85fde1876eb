//! Every `unsafe` of the filter, in one module (the crate root denies it
//! everywhere else).
//!
//! Above: the exports, each of which copies its input into owned, wiped
//! buffers at once, runs safe code under `catch_unwind`, and never lets a
//! panic cross into LSASS or a C caller:
//!
//! - the LSA password-filter entry points, [`InitializeChangeNotify`],
//!   [`PasswordFilter`] and [`PasswordChangeNotify`] (`lsa.rs`);
//! - the C API of `include/pwpolicy.h`, `pwpolicy_*` (`capi.rs`).
//!
//! Below them, behind safe functions and depending on nothing else in the
//! crate but the report vocabulary: the Windows registry read (`registry.rs`)
//! and the report sink, the event log on Windows (`log.rs`).
//!
//! Only this module keeps process-wide state: the policy in force the LSA exports use.

use std::sync::OnceLock;

use crate::in_force::{self, InForce};

mod capi;
mod env;
mod log;
mod lsa;
mod registry;

pub use capi::{
    PwpolicyPolicy, PwpolicyResult, pwpolicy_check_utf8, pwpolicy_policy_default,
    pwpolicy_policy_free, pwpolicy_policy_load, pwpolicy_violation_name,
};
pub use lsa::{InitializeChangeNotify, PasswordChangeNotify, PasswordFilter, UnicodeString};

static IN_FORCE: OnceLock<InForce> = OnceLock::new();

/// The policy in force of the LSA exports, created on first use: its policy file from
/// the environment, the registry or `%ProgramData%`; its reports to [`log`].
fn in_force() -> &'static InForce {
    IN_FORCE.get_or_init(|| {
        InForce::new(
            in_force::policy_path(env::secure_var, registry::config_path),
            log::report,
        )
    })
}

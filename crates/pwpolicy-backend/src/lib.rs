//! The one seam between pwpolicy's front ends (the CLI, the PAM module,
//! pwpolicyd) and where answers come from.
//!
//! A front end asks by role ([`seam`]): the password side ([`Passwords`]:
//! check, commit), the expiry side ([`Expiry`]: status, list, report) and
//! the records administrators set ([`Records`]: expire, set-changed). The
//! one rule [`choose`] decides where the answers come from: a directory
//! (the expiry side, implemented in `pwpolicy-directory-ldap`), the store
//! itself ([`Local`]), or pwpolicyd ([`Service`], which answers through a
//! `Local` of its own, so the two cannot disagree). Every answer is typed
//! ([`answer`]), with the core's violations; the wire protocol ([`wire`])
//! carries exactly those.
//!
//! What it deliberately does not do: decide anything (the core decides
//! coverage, standing and report windows), read the host's accounts or
//! files (that is `pwpolicy-host`), open PostgreSQL itself (the caller
//! passes an [`Opener`]; the PAM module's opens SQLite only), run an async
//! runtime, or serve the socket (that is `pwpolicyd`).
//!
//! ```no_run
//! use pwpolicy_backend::{Role, Sources, choose};
//!
//! let policy = pwpolicy_host::policy_file::load(None)?.policy;
//! let source = choose(&Sources::default(), &policy, Role::Expiry)?;
//! let mut backend = source.backend(&policy, pwpolicy_store::open).expect("no directory named");
//! let status = backend.status(Some("erin"))?;
//! println!("{}: {}", status.user, status.state.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod answer;
mod choose;
mod error;
mod local;
pub mod ops;
pub mod seam;
mod service;
pub mod wire;

pub use answer::{
    ChangeAnswer, CheckAnswer, CommitAnswer, DirectoryView, PamChange, ShadowView, State, Status,
    StatusRow,
};
pub use choose::{Role, Source, Sources, choose, choose_with};
pub use error::BackendError;
pub use local::{Local, Opener};
pub use seam::{
    Absence, Backend, CheckRequest, CommitRequest, Expiry, Notes, Passwords, Records, Reminders,
    Rows, record_if_accepted,
};
pub use service::Service;
pub use wire::DEFAULT_SOCKET;

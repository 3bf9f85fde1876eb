//! The one seam between pwpolicy's front ends (the CLI, the PAM module) and
//! where answers come from.
//!
//! A front end holds one [`Backend`], chosen once by [`choose`]: [`Local`]
//! over the store itself, or [`Service`] over pwpolicyd's socket (which
//! answers through a `Local` of its own, so the two cannot disagree). Both
//! give the typed answers of [`answer`]; the wire protocol ([`protocol`])
//! carries exactly those. Also here, because every front end needs them the
//! same way: the policy-file loader ([`policy_file`]) and what the host knows
//! of an account ([`accounts`]).
//!
//! What it deliberately does not do: open PostgreSQL itself (the caller
//! passes an [`Opener`]; the PAM module's opens SQLite only), run an async
//! runtime, or serve the socket (that is `pwpolicyd`).
//!
//! ```no_run
//! use pwpolicy_backend::{Backend, Sources, choose};
//!
//! let policy = pwpolicy_backend::policy_file::load(None)?.policy;
//! let mut backend = choose(&Sources::default(), &policy).backend(&policy, pwpolicy_store::open);
//! let status = backend.status(Some("erin"))?;
//! println!("{}: {}", status.user, status.state.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod accounts;
pub mod answer;
mod backend;
mod breached;
mod error;
mod ffi;
mod local;
pub mod ops;
mod pepper;
pub mod policy_file;
pub mod protocol;
mod service;

pub use answer::{CheckAnswer, CommitAnswer, DirectoryView, Finding, ReportRow, State, Status};
pub use backend::{
    Absence, Backend, CheckRequest, CommitRequest, Source, Sources, choose, choose_with,
};
pub use breached::Lists;
pub use error::BackendError;
pub use local::{Local, Opener};
pub use protocol::DEFAULT_SOCKET;
pub use service::Service;

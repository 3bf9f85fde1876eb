//! `pwpolicyd`, the local policy service, and its client.
//!
//! Like nscd or sssd for name services, one small service per host owns the
//! policy store; PAM processes and the CLI ask it over a Unix socket, so no
//! ordinary process needs the database file or PostgreSQL credentials, and an
//! ordinary user can still ask when their own password expires. Who may ask
//! what is decided from the kernel's `SO_PEERCRED`, never from the request.
//!
//! Protocol: [`protocol`]; rules of access: [`auth`]; the operations, shared
//! with the CLI's local mode: [`ops`]; the server loop: [`server`]; the
//! blocking client: [`client`]. All `unsafe` is in `ffi.rs`.

#![warn(missing_docs)]

pub mod accounts;
pub mod auth;
pub mod client;
pub mod ffi;
pub mod ops;
pub mod policy_file;
pub mod protocol;
pub mod server;

pub use client::{Client, ClientError};
pub use protocol::{DEFAULT_SOCKET, Request, Secret};

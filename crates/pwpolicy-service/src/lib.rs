//! `pwpolicyd`, the local policy service.
//!
//! Like nscd or sssd for name services, one small service per host owns the
//! policy store; PAM processes and the CLI ask it over a Unix socket, so no
//! ordinary process needs the database file or PostgreSQL credentials, and an
//! ordinary user can still ask when their own password expires. Who may ask
//! what is decided from the kernel's `SO_PEERCRED`, never from the request.
//!
//! This crate is the server only: it decodes a request (the protocol and the
//! client are `pwpolicy_backend`'s), authorises it ([`auth`]), answers it
//! through `pwpolicy_backend::Local`, and encodes the answer ([`server`]);
//! a change through PAM runs in a helper process ([`pam_change`]). All
//! `unsafe` is in `ffi/`.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod cli;
pub mod ffi;
pub mod limits;
pub mod pam_change;
pub mod server;

pub use pwpolicy_backend::DEFAULT_SOCKET;

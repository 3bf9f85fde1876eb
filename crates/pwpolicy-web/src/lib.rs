//! `pwpolicy-web`: the self-service page where people change their password
//! and see why an attempt falls short as they type.
//!
//! The page's rules tick off in the browser by the core itself, compiled to
//! WebAssembly (`crates/pwpolicy-wasm`), from the account's effective rules
//! this server hands out ([`rules`]); the new password leaves the browser
//! only on submit. A submitted change goes where the password lives
//! ([`change`]): a local account through PAM in pwpolicyd (this process
//! holds no privilege), a directory account over LDAPS as a change with the
//! current password (which works for expired and must-change accounts).
//!
//! What it holds against a network attacker (see `docs/security.md`):
//! HTTPS only ([`tls`], [`serve`]), a strict Content-Security-Policy and
//! HSTS on every answer ([`headers`]), CSRF tokens ([`csrf`]), per-address
//! and per-account limits ([`limits`]), one answer and one minimum time for
//! an unknown account and a wrong password ([`app`]), request size and
//! slow-client limits ([`serve`]), and no password in any log, URL, error
//! or cache (`Cache-Control: no-store`; passwords are read from the body
//! into buffers that are wiped, [`form`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod change;
pub mod cli;
pub mod csrf;
pub mod directory;
pub mod form;
pub mod headers;
pub mod limits;
pub mod local;
pub mod page;
pub mod rules;
pub mod run;
pub mod serve;
pub mod tls;

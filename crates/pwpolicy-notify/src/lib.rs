//! Reminders by mail, and the picture for administrators.
//!
//! - [`message`]: the mail for one due reminder — subject and body from
//!   templates an administrator may edit ([`template`]), the recipient
//!   from the directory's `mail` or the `[notify] to` template, every value
//!   that came from an account made printable first, so no name, GECOS or
//!   `mail` attribute can add a header, a line or a recipient.
//! - [`smtp`]: the one edge that talks to the mail server: STARTTLS
//!   required (or implicit TLS), certificates checked (the system's CAs and
//!   `[notify] ca_file`), AUTH with a password from an owner-only file, one
//!   connection for the whole run.
//! - [`html`]: `pwpolicy report --html`, one self-contained page (counts by
//!   state and class, an inline SVG chart of the expiries of the next 90
//!   days, the table), which the administrator's summary carries.
//!
//! Who is due, and which reminder, is the core's decision
//! ([`pwpolicy::Coverage::reminder`]), made where each status is made;
//! what was sent is the store's ([`pwpolicy_backend::Reminders`]).

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod html;
pub mod message;
pub mod smtp;
pub mod template;

pub use message::{Compose, Outgoing, recipient};
pub use smtp::{MailError, Mailer};

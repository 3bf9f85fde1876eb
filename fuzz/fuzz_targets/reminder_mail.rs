//! Guards the one place account data becomes mail headers
//! (`pwpolicy-notify`'s `recipient` and `Compose::message`): whatever an
//! account name, a full name (GECOS, `displayName`) or a directory's `mail`
//! attribute holds, a reminder goes to at most one address, and its header
//! section has exactly one `To:`, no `Cc:`/`Bcc:`, and no line a value
//! could have started.
//!
//! Input: three NUL-separated fields — account name, full name, mail (an
//! empty mail field: none, so the `{user}@example.org` template is used).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pwpolicy::{Policy, Reason, Reminder, Standing, State};
use pwpolicy_backend::{DirectoryView, Status};
use pwpolicy_notify::template::Templates;
use pwpolicy_notify::{Compose, recipient};

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(Policy::default)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.splitn(3, '\0');
    let user = fields.next().unwrap_or("");
    let full_name = fields.next();
    let mail = fields.next().filter(|m| !m.is_empty());
    let standing = Standing {
        state: State::Warning,
        last_change: None,
        expires: None,
        days_left: Some(7),
        must_change: false,
    };
    let status = Status {
        full_name: full_name.map(str::to_owned),
        directory: mail.map(|m| DirectoryView {
            dn: "CN=x".into(),
            disabled: false,
            never_expires: false,
            settings: "domain".into(),
            mail: Some(m.to_owned()),
            created: None,
        }),
        ..Status::standing(user, &standing)
    };
    let Ok(to) = recipient(&status, Some("{user}@example.org")) else {
        return;
    };
    let compose = Compose::new(
        policy(),
        "IT <it@example.org>",
        Templates::new(None, None).expect("the built-in templates"),
    )
    .expect("a valid sender");
    let reminder = Reminder {
        reason: Reason::Expiring,
        step: 7,
        cycle: 1,
    };
    let Ok(out) = compose.message(&status, &reminder, to) else {
        return;
    };
    assert_eq!(out.message.envelope().to().len(), 1, "one recipient");
    let bytes = out.message.formatted();
    let text = String::from_utf8_lossy(&bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut to_headers = 0;
    for line in head.split("\r\n") {
        assert!(!line.contains('\n') && !line.contains('\r'), "a bare line break: {line:?}");
        if line.starts_with([' ', '\t']) {
            continue; // a folded continuation
        }
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        assert!(
            matches!(
                name.as_str(),
                "from" | "to" | "subject" | "content-type" | "content-transfer-encoding" | "date"
                    | "mime-version" | "message-id"
            ),
            "a header no one wrote: {line:?}"
        );
        to_headers += usize::from(name == "to");
    }
    assert_eq!(to_headers, 1, "{head}");
});

//! The mail for one due reminder: to whom, and what it says.
//!
//! Every value that came from an account (its name, its full name, a
//! directory's `mail`) is made printable first, and every address is
//! parsed as exactly one address: a name or `mail` attribute holding a
//! line break, a comma or a second `<…>` cannot add a header or a
//! recipient; lettre encodes what remains (RFC 2047) into the headers.

use lettre::Address;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use pwpolicy::{Policy, Reminder, printable};
use pwpolicy_backend::Status;
use thiserror::Error;

use crate::template::{Context, TemplateError, Templates};

/// A reminder that cannot be written (its mail is not sent; the reminder
/// stays due).
#[derive(Debug, Error)]
pub enum ComposeError {
    /// No usable recipient.
    #[error("no address to send to: {0}")]
    Recipient(String),
    /// The template could not render.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The message could not be built.
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// What a run needs to write reminders.
#[derive(Debug)]
pub struct Compose<'p> {
    policy: &'p Policy,
    from: Mailbox,
    templates: Templates,
}

/// A reminder ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The account.
    pub user: String,
    /// Its recipient's address.
    pub to: Address,
    /// The mail.
    pub message: Message,
}

/// Where `status`'s reminders go: the directory's `mail` attribute, else
/// `template` (`[notify] to`) with `{user}` replaced by the account name;
/// either way exactly one address, or the reason why not.
///
/// # Errors
///
/// A message saying what is wrong (never a header's worth of input).
pub fn recipient(status: &Status, template: Option<&str>) -> Result<Address, String> {
    let from_directory = status.directory.as_ref().and_then(|d| d.mail.as_deref());
    let text = match (from_directory, template) {
        (Some(mail), _) => mail.to_owned(),
        (None, Some(template)) => template.replace("{user}", &status.user),
        (None, None) => {
            return Err("the account has no mail address and [notify] to is not set".to_owned());
        }
    };
    text.trim()
        .parse::<Address>()
        .map_err(|_| format!("{} is not one mail address", printable(&text)))
}

impl<'p> Compose<'p> {
    /// Ready to write reminders under `policy`, from `from`, with
    /// `templates`.
    ///
    /// # Errors
    ///
    /// [`ComposeError::Recipient`] when `from` is not a mailbox.
    pub fn new(
        policy: &'p Policy,
        from: &str,
        templates: Templates,
    ) -> Result<Compose<'p>, ComposeError> {
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| ComposeError::Recipient(format!("[notify] from {from:?}: {e}")))?;
        Ok(Compose {
            policy,
            from,
            templates,
        })
    }

    /// The mail for `status`'s `reminder`, to `to`.
    ///
    /// # Errors
    ///
    /// [`ComposeError`]; the reminder then stays due.
    pub fn message(
        &self,
        status: &Status,
        reminder: &Reminder,
        to: Address,
    ) -> Result<Outgoing, ComposeError> {
        let user = printable(&status.user).into_owned();
        let name = status
            .full_name
            .as_deref()
            .map(|n| printable(n).into_owned())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.clone());
        let ctx = Context {
            user,
            name: name.clone(),
            reason: reminder.reason.as_str(),
            days_left: status
                .days_left
                .filter(|_| reminder.reason == pwpolicy::Reason::Expiring),
            expires: status.expires.clone(),
            last_changed: status.last_changed.clone(),
            class: printable(&status.class).into_owned(),
            rules: self.rules_of(&status.class),
            how_to_change: self.how_to_change(),
            url: self.policy.page_url().map(str::to_owned),
        };
        let (subject, body) = self.templates.render(&ctx)?;
        // The display name is encoded by lettre; it is printable already,
        // and a quote or bracket in it cannot end the address part.
        let mailbox = Mailbox::new(Some(name), to.clone());
        let message = Message::builder()
            .from(self.from.clone())
            .to(mailbox)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| ComposeError::Build(e.to_string()))?;
        Ok(Outgoing {
            user: status.user.clone(),
            to,
            message,
        })
    }

    /// The rules of the class `class` (the policy's own for a person).
    fn rules_of(&self, class: &str) -> Vec<String> {
        match self.policy.accounts.class.iter().find(|c| c.name == class) {
            Some(rules) => rules.apply(self.policy).rules_in_words(),
            None => self.policy.rules_in_words(),
        }
    }

    /// Where and how to change a password, for each platform the policy names.
    fn how_to_change(&self) -> Vec<String> {
        let notify = &self.policy.notify;
        let mut ways: Vec<String> = notify
            .platforms
            .iter()
            .filter_map(|p| match p.as_str() {
                "linux" => Some(
                    "on a Linux host: log in and run `passwd` (it asks for your current \
                     password first)"
                        .to_owned(),
                ),
                "windows" => Some(
                    "on a Windows PC of the domain: press Ctrl+Alt+Del and choose \"Change a \
                     password\""
                        .to_owned(),
                ),
                "web" => self
                    .policy
                    .page_url()
                    .map(|url| format!("in a browser: {url}")),
                _ => None,
            })
            .collect();
        if let (Some(url), false) = (
            self.policy.page_url(),
            notify.platforms.iter().any(|p| p == "web"),
        ) {
            ways.push(format!("in a browser: {url}"));
        }
        ways
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pwpolicy::{Reason, Standing, State};
    use pwpolicy_backend::DirectoryView;

    fn status(user: &str, full_name: Option<&str>, mail: Option<&str>) -> Status {
        let standing = Standing {
            state: State::Warning,
            last_change: None,
            expires: None,
            days_left: Some(7),
            must_change: false,
        };
        Status {
            full_name: full_name.map(str::to_owned),
            expires: Some("2026-12-21".into()),
            directory: mail.map(|m| DirectoryView {
                dn: "CN=x".into(),
                disabled: false,
                never_expires: false,
                settings: "domain".into(),
                mail: Some(m.into()),
                created: None,
            }),
            ..Status::standing(user, &standing)
        }
    }

    const DUE: Reminder = Reminder {
        reason: Reason::Expiring,
        step: 7,
        cycle: 1,
    };

    fn compose(policy: &Policy) -> Compose<'_> {
        Compose::new(
            policy,
            "IT Desk <it@example.org>",
            Templates::new(None, None).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_directory_mail_comes_first_then_the_template() {
        let s = status("erin", None, Some("erin.hagens@example.org"));
        assert_eq!(
            recipient(&s, Some("{user}@example.org"))
                .unwrap()
                .to_string(),
            "erin.hagens@example.org"
        );
        let s = status("erin", None, None);
        assert_eq!(
            recipient(&s, Some("{user}@example.org"))
                .unwrap()
                .to_string(),
            "erin@example.org"
        );
        assert!(recipient(&s, None).is_err());
    }

    #[test]
    fn no_account_value_can_add_a_recipient_or_a_header() {
        for user in [
            "erin@example.org, boss",
            "erin\r\nBcc: everyone@example.org\r\nX",
            "erin <x@evil.example>",
        ] {
            let s = status(user, None, None);
            assert!(
                recipient(&s, Some("{user}@example.org")).is_err(),
                "{user:?}"
            );
        }
        for mail in [
            "a@example.org, b@example.org",
            "a@example.org\nBcc: b@example.org",
        ] {
            let s = status("erin", None, Some(mail));
            assert!(recipient(&s, None).is_err(), "{mail:?}");
        }
        // A full name with line breaks and angle brackets stays in the name.
        let policy = Policy::default();
        let c = compose(&policy);
        let s = status(
            "erin",
            Some("Erin\r\nBcc: everyone@example.org\r\n<boss@example.org>"),
            None,
        );
        let out = c
            .message(&s, &DUE, "erin@example.org".parse().unwrap())
            .unwrap();
        let raw = String::from_utf8(out.message.formatted()).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc:")), "{headers}");
        assert_eq!(
            out.message
                .envelope()
                .to()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["erin@example.org"]
        );
    }

    #[test]
    fn the_mail_says_the_class_rules_and_how_to_change() {
        let policy = Policy::from_toml(
            "[notify]\nplatforms = [\"linux\", \"windows\"]\nurl = \"https://pw.example.org\"\n\
             [[accounts.class]]\nname = \"admins\"\nusers = [\"ada\"]\nmin_length = 14\n",
        )
        .unwrap();
        let c = compose(&policy);
        let mut s = status("ada", Some("Ada Lovelace"), None);
        s.class = "admins".into();
        let out = c
            .message(&s, &DUE, "ada@example.org".parse().unwrap())
            .unwrap();
        let raw = String::from_utf8(out.message.formatted()).unwrap();
        assert!(
            raw.contains("Subject: Your password expires in 7 days"),
            "{raw}"
        );
        assert!(raw.contains("at least 14 characters long"), "{raw}");
        assert!(raw.contains("Ctrl+Alt+Del"), "{raw}");
        assert!(raw.contains("https://pw.example.org"), "{raw}");
    }

    #[test]
    fn the_pages_own_address_is_the_link_when_notify_names_none() {
        let policy = Policy::from_toml(
            "[notify]\nplatforms = [\"web\"]\n[web]\nurl = \"https://password.example.org:8443\"\n",
        )
        .unwrap();
        let out = compose(&policy)
            .message(
                &status("erin", None, None),
                &DUE,
                "erin@example.org".parse().unwrap(),
            )
            .unwrap();
        let raw = String::from_utf8(out.message.formatted()).unwrap();
        assert!(
            raw.contains("in a browser: https://password.example.org:8443"),
            "{raw}"
        );
        // Without either address, "web" cannot be named.
        assert!(Policy::from_toml("[notify]\nplatforms = [\"web\"]\n").is_err());
    }
}

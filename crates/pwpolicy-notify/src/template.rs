//! The subject and body of a reminder: templates (MiniJinja's syntax, as
//! Jinja writes it) an administrator may replace with files of their own
//! (`[notify] subject_file`, `body_file`), and the built-in ones.
//!
//! What a template sees (every value from an account already made
//! printable by [`pwpolicy::printable`]):
//!
//! | name | what |
//! |---|---|
//! | `user` | the account name |
//! | `name` | the full name, else the account name |
//! | `reason` | `expiring`, `expired`, `must_change`, `annual`, `never_changed` |
//! | `days_left` | days to the expiry (`expiring`), else none |
//! | `expires` | the expiry date, `YYYY-MM-DD`, if any |
//! | `last_changed` | the last change, `YYYY-MM-DD`, if any |
//! | `class` | the account's class |
//! | `rules` | what a new password must be, one clause each |
//! | `how_to_change` | where and how to change it, one line each |
//! | `url` | the self-service page, if `[notify] url` is set |

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use thiserror::Error;

/// The built-in subject.
pub const SUBJECT: &str = "{% if reason == 'expiring' %}{% if days_left == 0 %}Your password expires today\
{% else %}Your password expires in {{ days_left }} day{% if days_left != 1 %}s{% endif %}{% endif %}\
{% elif reason == 'expired' %}Your password has expired\
{% elif reason == 'must_change' %}You must change your password\
{% elif reason == 'never_changed' %}You have never changed your password\
{% else %}Time to change your password{% endif %}";

/// The built-in body.
pub const BODY: &str = "Hello {{ name }},

{% if reason == 'expiring' -%}
The password of your account {{ user }} expires on {{ expires }}\
{% if days_left == 0 %}, today{% else %}, in {{ days_left }} day{% if days_left != 1 %}s{% endif %}{% endif %}. \
Please change it before then.
{%- elif reason == 'expired' -%}
The password of your account {{ user }} expired on {{ expires }}. You will be asked to \
change it when you next log in.
{%- elif reason == 'must_change' -%}
You are asked to change the password of your account {{ user }}: you will be asked to \
when you next log in.
{%- elif reason == 'never_changed' -%}
The password of your account {{ user }} is still the one it was given when it was made\
{% if last_changed %} ({{ last_changed }}){% endif %}. Please change it.
{%- else -%}
The password of your account {{ user }} was last changed on {{ last_changed }}. Please \
change it.
{%- endif %}

How to change it:
{% for way in how_to_change %}  - {{ way }}
{% endfor %}
A new password must be:
{% for rule in rules %}  - {{ rule }}
{% endfor %}
Nobody will ever ask you for your password, by mail or otherwise.
";

/// What a template sees.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The account name.
    pub user: String,
    /// The full name, else the account name.
    pub name: String,
    /// Why the reminder goes.
    pub reason: &'static str,
    /// Days to the expiry, for `expiring`.
    pub days_left: Option<i64>,
    /// The expiry date.
    pub expires: Option<String>,
    /// The last change.
    pub last_changed: Option<String>,
    /// The account's class.
    pub class: String,
    /// What a new password must be.
    pub rules: Vec<String>,
    /// Where and how to change it.
    pub how_to_change: Vec<String>,
    /// The self-service page.
    pub url: Option<String>,
}

/// A template that cannot be used: which one, and where it is wrong.
#[derive(Debug, Error)]
#[error("the {which} template: {detail}")]
pub struct TemplateError {
    /// `subject` or `body`.
    pub which: &'static str,
    /// What MiniJinja said (with the line).
    pub detail: String,
}

/// The two templates, compiled.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, or the text of the administrator's own.
    ///
    /// # Errors
    ///
    /// [`TemplateError`] naming the template and the line.
    pub fn new(subject: Option<String>, body: Option<String>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        // A name the template misspells is an error, not an empty string
        // in a mail to every user.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (which, text) in [
            ("subject", subject.unwrap_or_else(|| SUBJECT.to_owned())),
            ("body", body.unwrap_or_else(|| BODY.to_owned())),
        ] {
            env.add_template_owned(which, text)
                .map_err(|e| TemplateError {
                    which,
                    detail: e.to_string(),
                })?;
        }
        let templates = Templates { env };
        // Rendered once on a sample, so a template that cannot render is a
        // configuration error before anything is sent, not a failed mail.
        templates.render(&Context {
            user: "sample".into(),
            name: "Sample User".into(),
            reason: "expiring",
            days_left: Some(7),
            expires: Some("2026-01-01".into()),
            last_changed: Some("2025-10-03".into()),
            class: "person".into(),
            rules: vec!["at least 8 characters long".into()],
            how_to_change: vec!["run passwd".into()],
            url: None,
        })?;
        Ok(templates)
    }

    /// The subject (one line: line breaks become spaces) and the body.
    ///
    /// # Errors
    ///
    /// [`TemplateError`] when a template cannot render this context.
    pub fn render(&self, ctx: &Context) -> Result<(String, String), TemplateError> {
        let render = |which: &'static str| {
            self.env
                .get_template(which)
                .and_then(|t| t.render(Value::from(Serde(ctx))))
                .map_err(|e| TemplateError {
                    which,
                    detail: e.to_string(),
                })
        };
        let subject = render("subject")?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok((subject, render("body")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(reason: &'static str, days_left: Option<i64>) -> Context {
        Context {
            user: "ehagens".into(),
            name: "Erin M. Hagens".into(),
            reason,
            days_left,
            expires: Some("2026-12-21".into()),
            last_changed: Some("2026-09-22".into()),
            class: "person".into(),
            rules: vec!["at least 8 characters long".into()],
            how_to_change: vec!["On a Linux host: run passwd".into()],
            url: None,
        }
    }

    #[test]
    fn the_built_in_templates_say_why_and_how() {
        let t = Templates::new(None, None).unwrap();
        let (subject, body) = t.render(&ctx("expiring", Some(7))).unwrap();
        assert_eq!(subject, "Your password expires in 7 days");
        assert!(body.starts_with("Hello Erin M. Hagens,\n\n"), "{body}");
        assert!(body.contains("expires on 2026-12-21, in 7 days."), "{body}");
        assert!(
            body.contains("  - run passwd") || body.contains("  - On a Linux host"),
            "{body}"
        );
        assert!(body.contains("  - at least 8 characters long\n"), "{body}");
        let (subject, _) = t.render(&ctx("expiring", Some(1))).unwrap();
        assert_eq!(subject, "Your password expires in 1 day");
        let (subject, _) = t.render(&ctx("expiring", Some(0))).unwrap();
        assert_eq!(subject, "Your password expires today");
        for (reason, said) in [
            ("expired", "Your password has expired"),
            ("must_change", "You must change your password"),
            ("annual", "Time to change your password"),
            ("never_changed", "You have never changed your password"),
        ] {
            assert_eq!(t.render(&ctx(reason, None)).unwrap().0, said);
        }
    }

    #[test]
    fn an_administrators_templates_are_checked_before_any_mail() {
        let t = Templates::new(
            Some("{{ user }}: {{ reason }}\n".into()),
            Some("Dear {{ name }}, see {{ url or 'the intranet' }}.".into()),
        )
        .unwrap();
        assert_eq!(
            t.render(&ctx("expired", None)).unwrap(),
            (
                "ehagens: expired".to_owned(),
                "Dear Erin M. Hagens, see the intranet.".to_owned()
            )
        );
        let err = Templates::new(Some("{{ nme }}".into()), None).unwrap_err();
        assert_eq!(err.which, "subject");
        let err = Templates::new(None, Some("line\n{% if %}".into())).unwrap_err();
        assert!(
            err.which == "body" && err.detail.contains("body:2"),
            "{err}"
        );
    }
}

//! Does a domain's own password settings enforce the policy file? Each
//! setting of the domain object and of every PSO is held to the policy:
//! looser is a finding (the domain lets through what the policy forbids),
//! stricter a note (it refuses or expires more than the policy does).
//!
//! "Never repeated": AD remembers at most 24 passwords. With a minimum age
//! of at least one day, getting back to an old password takes 24 changes
//! over 24 days or more, which is what counts as never repeated here.

use pwpolicy::audit::{Audit, Finding, Setting};
use pwpolicy::{NameCheck, Policy, Remember};
use time::Duration;

use crate::nttime;
use crate::settings::{Domain, PasswordSettings, Pso};

/// The most passwords AD remembers (`pwdHistoryLength`).
pub const AD_MAX_HISTORY: u32 = 24;
/// The largest domain `minPwdLength` Windows DCs accept without the
/// "relax minimum password length limits" setting.
const WINDOWS_MAX_MIN_LENGTH: u32 = 14;

/// One holder of settings, with its attribute names and how to change them.
struct Holder<'a> {
    /// `domain DC=…` or `PSO NAME`.
    what: String,
    settings: &'a PasswordSettings,
    /// The attribute names: min length, complexity, max age, min age, history.
    attrs: [&'static str; 5],
    /// The samba-tool command that changes it, without the option.
    fix: String,
}

impl Holder<'_> {
    fn source(&self, attr: usize) -> String {
        format!("{} {}", self.what, self.attrs[attr])
    }

    fn fix(&self, option: &str) -> String {
        format!("{} --{option}", self.fix)
    }
}

/// The audit of `domain` and its `psos` against `policy`.
pub fn audit(policy: &Policy, domain: &Domain, psos: &[Pso]) -> Audit {
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let mut holders = vec![Holder {
        what: format!("domain {}", domain.dn),
        settings: &domain.settings,
        attrs: [
            "minPwdLength",
            "pwdProperties",
            "maxPwdAge",
            "minPwdAge",
            "pwdHistoryLength",
        ],
        fix: "samba-tool domain passwordsettings set".into(),
    }];
    for pso in psos {
        holders.push(Holder {
            what: format!("PSO {}", pso.name),
            settings: &pso.settings,
            attrs: [
                "msDS-MinimumPasswordLength",
                "msDS-PasswordComplexityEnabled",
                "msDS-MaximumPasswordAge",
                "msDS-MinimumPasswordAge",
                "msDS-PasswordHistoryLength",
            ],
            fix: format!("samba-tool domain passwordsettings pso set {}", pso.name),
        });
    }
    for h in &holders {
        min_length(policy, h, &mut findings, &mut notes);
        complexity(policy, h, &mut findings, &mut notes);
        max_age(policy, h, &mut findings, &mut notes);
        history(policy, h, &mut findings, &mut notes);
    }
    Audit::of(findings, notes)
}

fn finding(
    key: &'static str,
    policy: Setting,
    required: Setting,
    actual: Setting,
    source: String,
    message: String,
) -> Finding {
    Finding::new(key, policy, required, source, message).with_actual(actual)
}

fn min_length(
    policy: &Policy,
    h: &Holder<'_>,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<Finding>,
) {
    let want = policy.quality.min_length;
    let have = h.settings.min_length;
    let make = |message: String| {
        finding(
            "min_length",
            Setting::Number(want.into()),
            Setting::Number(want.into()),
            Setting::Number(have.into()),
            h.source(0),
            message,
        )
    };
    if have < want {
        let mut message = format!(
            "{} accepts passwords of {have} characters; the policy requires {want}: {}={want}",
            h.what,
            h.fix("min-pwd-length")
        );
        if want > WINDOWS_MAX_MIN_LENGTH {
            message.push_str(&format!(
                " (Windows DCs take more than {WINDOWS_MAX_MIN_LENGTH} only with \"Relax minimum password length limits\")"
            ));
        }
        findings.push(make(message));
    } else if have > want {
        notes.push(make(format!(
            "{} refuses passwords shorter than {have}; the policy allows {want}",
            h.what
        )));
    }
}

fn complexity(
    policy: &Policy,
    h: &Holder<'_>,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<Finding>,
) {
    let q = &policy.quality;
    let composed = q.min_classes > 0 || q.name_check != NameCheck::Off;
    let have = h.settings.complexity;
    let make = |message: String| {
        finding(
            "min_classes",
            Setting::Number(q.min_classes.into()),
            Setting::Flag(composed),
            Setting::Flag(have),
            h.source(1),
            message,
        )
    };
    if composed && !have {
        findings.push(make(format!(
            "{} has complexity off: the policy's {} of {} classes and its name rule go unchecked (a Samba DC runs the check password script only with complexity on): {}=on",
            h.what,
            q.min_classes,
            q.class_count(),
            h.fix("complexity")
        )));
    } else if !composed && have {
        notes.push(make(format!(
            "{} has complexity on (3 of 5 categories, no account or display name); the policy asks for neither",
            h.what
        )));
    }
}

/// `42` or `1.50` days, or `never`.
fn days_setting(span: Option<Duration>) -> Setting {
    match span {
        None => Setting::Text("never".into()),
        Some(d) if d.whole_seconds() % 86_400 == 0 && d.subsec_nanoseconds() == 0 => {
            Setting::Number(nttime::whole_days(d))
        }
        Some(d) => Setting::Text(nttime::days_text(d)),
    }
}

fn max_age(policy: &Policy, h: &Holder<'_>, findings: &mut Vec<Finding>, notes: &mut Vec<Finding>) {
    let want = policy.expiry.max_age_days;
    let have = h.settings.max_age;
    let required = if want == 0 {
        Setting::Text("never".into())
    } else {
        Setting::Number(want.into())
    };
    let make = |message: String| {
        finding(
            "max_age_days",
            Setting::Number(want.into()),
            required.clone(),
            days_setting(have),
            h.source(2),
            message,
        )
    };
    let limit = Duration::days(i64::from(want));
    match have {
        None if want > 0 => findings.push(make(format!(
            "passwords under {} never expire; the policy has them changed every {want} days: {}={want}",
            h.what,
            h.fix("max-pwd-age")
        ))),
        Some(d) if want > 0 && d > limit => findings.push(make(format!(
            "passwords under {} expire after {} days; the policy has them changed every {want} days: {}={want}",
            h.what,
            nttime::days_text(d),
            h.fix("max-pwd-age")
        ))),
        Some(d) if want == 0 => notes.push(make(format!(
            "passwords under {} expire after {} days; under the policy they never do",
            h.what,
            nttime::days_text(d)
        ))),
        Some(d) if d < limit => notes.push(make(format!(
            "passwords under {} expire after {} days, sooner than the policy's {want}",
            h.what,
            nttime::days_text(d)
        ))),
        _ => {}
    }
}

fn history(policy: &Policy, h: &Holder<'_>, findings: &mut Vec<Finding>, notes: &mut Vec<Finding>) {
    let remember = policy.history.remember;
    let (wanted, policy_setting) = match remember {
        Remember::All => (u32::MAX, Setting::Text("all".into())),
        Remember::Last(n) => (n, Setting::Number(n.into())),
    };
    // More than AD can keep needs a minimum age to stretch the 24.
    let needs_age = wanted > AD_MAX_HISTORY;
    let required_history = wanted.min(AD_MAX_HISTORY);
    let have = h.settings.history;
    let make = |message: String| {
        finding(
            "remember",
            policy_setting.clone(),
            Setting::Number(required_history.into()),
            Setting::Number(have.into()),
            h.source(4),
            message,
        )
    };
    let never =
        "AD keeps at most 24; 24 with a minimum age of at least 1 day counts as never repeated";
    if have < required_history {
        let asked = match remember {
            Remember::All => "never allows a repeat".to_owned(),
            Remember::Last(n) => format!("remembers {n}"),
        };
        let why = if needs_age {
            format!(" ({never})")
        } else {
            String::new()
        };
        findings.push(make(format!(
            "{} remembers {have} passwords; the policy {asked}: {}={required_history}{why}",
            h.what,
            h.fix("history-length")
        )));
    } else if have > required_history {
        notes.push(make(format!(
            "{} remembers {have} passwords, more than the policy's {required_history}",
            h.what
        )));
    }

    // The minimum age: the policy's own, and at least a day when it
    // stretches AD's 24 into "never repeated".
    let want_days = policy
        .expiry
        .min_age_days
        .max(u32::from(needs_age && required_history > 0));
    let have_age = h.settings.min_age.unwrap_or(Duration::ZERO);
    let make = |message: String| {
        finding(
            "min_age_days",
            Setting::Number(policy.expiry.min_age_days.into()),
            Setting::Number(want_days.into()),
            days_setting(h.settings.min_age).or_zero(),
            h.source(3),
            message,
        )
    };
    if have_age < Duration::days(i64::from(want_days)) {
        let why = if needs_age && policy.expiry.min_age_days < want_days {
            format!(
                ": with no minimum age a user can change {AD_MAX_HISTORY} times in a row and reuse the first ({never})"
            )
        } else {
            String::new()
        };
        findings.push(make(format!(
            "{} lets a password be changed again after {}; the policy requires {want_days}{why}: {}={want_days}",
            h.what,
            days(have_age),
            h.fix("min-pwd-age")
        )));
    } else if policy.expiry.min_age_days > 0 && have_age > Duration::days(i64::from(want_days)) {
        notes.push(make(format!(
            "{} keeps passwords for {} days before a change, longer than the policy's {want_days}",
            h.what,
            nttime::days_text(have_age)
        )));
    } else if needs_age && have >= required_history {
        notes.push(Finding {
            message: format!(
                "{} remembers {have} passwords and keeps each at least {}: {never}",
                h.what,
                days(have_age)
            ),
            ..make(String::new())
        });
    }
}

/// `1 day`, `0 days`, `1.50 days`.
fn days(d: Duration) -> String {
    let text = nttime::days_text(d);
    if text == "1" {
        "1 day".into()
    } else {
        format!("{text} days")
    }
}

/// A minimum age of "never" reads as 0 days.
trait OrZero {
    fn or_zero(self) -> Setting;
}

impl OrZero for Setting {
    fn or_zero(self) -> Setting {
        match self {
            Setting::Text(t) if t == "never" => Setting::Number(0),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samba_defaults() -> Domain {
        Domain::from_entry(&crate::settings::tests::samba_defaults()).unwrap()
    }

    fn keys(a: &[Finding]) -> Vec<&'static str> {
        a.iter().map(|f| f.key).collect()
    }

    #[test]
    fn a_provisioned_samba_domain_is_one_character_short() {
        let a = audit(&Policy::default(), &samba_defaults(), &[]);
        assert!(!a.conforms);
        assert_eq!(keys(&a.findings), ["min_length"]);
        let f = &a.findings[0];
        assert_eq!(
            (&f.policy, &f.required, f.actual.as_ref()),
            (
                &Setting::Number(8),
                &Setting::Number(8),
                Some(&Setting::Number(7))
            )
        );
        assert_eq!(f.source, "domain DC=pwtest,DC=lan minPwdLength");
        assert!(f.message.contains("--min-pwd-length=8"), "{}", f.message);
        // 42 days is sooner than 90: a note, and "never repeated" is explained.
        assert_eq!(keys(&a.notes), ["max_age_days", "min_age_days"]);
        assert!(a.notes[1].message.contains("never repeated"));
    }

    #[test]
    fn lined_up_it_conforms() {
        let mut d = samba_defaults();
        d.settings.min_length = 8;
        d.settings.max_age = Some(Duration::days(90));
        let a = audit(&Policy::default(), &d, &[]);
        assert!(a.conforms, "{:?}", a.findings);
    }

    #[test]
    fn each_loose_setting_is_a_finding() {
        let mut d = samba_defaults();
        d.settings = PasswordSettings {
            min_length: 0,
            complexity: false,
            reversible: false,
            max_age: None,
            min_age: None,
            history: 0,
        };
        let a = audit(&Policy::default(), &d, &[]);
        assert_eq!(
            keys(&a.findings),
            [
                "min_length",
                "min_classes",
                "max_age_days",
                "remember",
                "min_age_days"
            ]
        );
        let history = &a.findings[3];
        assert_eq!(history.policy, Setting::Text("all".into()));
        assert_eq!(history.required, Setting::Number(24));
        assert!(history.message.contains("never repeated"));
        assert_eq!(a.findings[4].required, Setting::Number(1));
        // 120 days is longer than 90.
        d.settings.max_age = Some(Duration::days(120));
        let a = audit(&Policy::default(), &d, &[]);
        let f = a.findings.iter().find(|f| f.key == "max_age_days").unwrap();
        assert_eq!(f.actual, Some(Setting::Number(120)));
    }

    #[test]
    fn a_loose_pso_is_named() {
        let mut d = samba_defaults();
        d.settings.min_length = 8;
        let pso = Pso {
            dn: "CN=svc,CN=Password Settings Container,CN=System,DC=pwtest,DC=lan".into(),
            name: "svc".into(),
            precedence: 5,
            settings: PasswordSettings {
                max_age: None,
                ..d.settings.clone()
            },
            applies_to: vec![],
        };
        let a = audit(&Policy::default(), &d, &[pso]);
        assert_eq!(keys(&a.findings), ["max_age_days"]);
        assert_eq!(a.findings[0].source, "PSO svc msDS-MaximumPasswordAge");
        assert!(
            a.findings[0]
                .message
                .contains("pso set svc --max-pwd-age=90")
        );
    }

    #[test]
    fn a_policy_without_expiry_or_history_is_met_by_a_domain_without() {
        let policy = Policy::from_toml(
            "[expiry]\nmax_age_days = 0\n[history]\nremember = 5\n[quality]\nmin_length = 12\n",
        )
        .unwrap();
        let mut d = samba_defaults();
        d.settings.min_length = 12;
        d.settings.max_age = None;
        d.settings.history = 5;
        d.settings.min_age = None;
        let a = audit(&policy, &d, &[]);
        assert!(a.conforms, "{:?}", a.findings);
        assert!(a.notes.is_empty(), "{:?}", a.notes);
    }
}

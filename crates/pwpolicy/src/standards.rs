//! Published standards as profiles: their values as a policy to start from
//! (`profile = "…"` in the policy file), and an audit of any policy against
//! them (`pwpolicy policy audit --against …`).
//!
//! What is implemented, clause by clause:
//!
//! **NIST SP 800-63B-4** (final, 2025), §3.1.1.2 "Password Verifiers":
//! (1) at least 15 characters for a password used as a single factor, at
//! least 8 when it is only used within multi-factor authentication (SHALL);
//! (2) a maximum of at least 64 characters (SHOULD); (4) each Unicode code
//! point counts as one character (SHALL); (5) no other composition rules,
//! such as mixtures of character types (SHALL NOT); (6) no periodic changes
//! (SHALL NOT); and the requirement to compare a new password against a
//! blocklist of commonly used, expected or compromised passwords (SHALL).
//!
//! **PCI DSS v4.0.1**: 8.3.6, at least 12 characters (8 only where a system
//! cannot take 12) containing both numeric and alphabetic characters; 8.3.7,
//! not the same as any of the last four; 8.3.9, when a password is the only
//! factor, changed at least every 90 days (or the account's security posture
//! analysed dynamically instead).
//!
//! Whether passwords are the only factor is the policy's `multi_factor` key:
//! it lowers NIST's minimum to 8 and lifts PCI's 90 days.

use serde::{Deserialize, Serialize};

use crate::audit::{Audit, Finding, Setting};
use crate::policy::{Policy, Remember};

/// A published standard a policy can start from or be audited against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// NIST SP 800-63B-4 (2025), `nist-800-63b-4`.
    #[serde(rename = "nist-800-63b-4")]
    Nist80063b4,
    /// PCI DSS v4.0 (4.0.1), `pci-dss-4`.
    #[serde(rename = "pci-dss-4")]
    PciDss4,
}

impl Profile {
    /// Every profile, in the order help lists them.
    pub const ALL: [Profile; 2] = [Profile::Nist80063b4, Profile::PciDss4];

    /// The name in policy files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Nist80063b4 => "nist-800-63b-4",
            Profile::PciDss4 => "pci-dss-4",
        }
    }

    /// The profile of this name, if there is one.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The standard's values as a policy: the organisation's default with
    /// what the standard says in place. A policy file's own keys override
    /// these. A blocklist (`[breached] file`) cannot be a starting value:
    /// it names a file only the administrator has.
    pub fn policy(self, multi_factor: bool) -> Policy {
        let mut p = Policy {
            profile: Some(self),
            multi_factor,
            ..Policy::default()
        };
        match self {
            Profile::Nist80063b4 => {
                p.quality.min_length = if multi_factor { 8 } else { 15 };
                p.quality.min_classes = 0;
                p.expiry.max_age_days = 0;
                p.expiry.warn_days = 0;
            }
            Profile::PciDss4 => {
                p.quality.min_length = 12;
                p.quality.min_classes = 0;
                p.quality.letters_and_digits = true;
                p.history.remember = Remember::Last(4);
            }
        }
        p
    }
}

impl Profile {
    /// The standard's name as its findings cite it.
    pub fn standard(self) -> &'static str {
        match self {
            Profile::Nist80063b4 => "NIST SP 800-63B-4 §3.1.1.2",
            Profile::PciDss4 => "PCI DSS v4.0.1 requirement 8.3",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where `policy` falls short of `profile`: findings for each requirement
/// not met, notes for what is worth knowing and does not fail.
///
/// Every class is audited under its effective rules, as its members are
/// held to them: a class that loosens a key the standard sets is a finding
/// of its own (naming the class), and an exempt class is one, because its
/// members' passwords are held to nothing.
pub fn audit(policy: &Policy, profile: Profile) -> Audit {
    let mut audit = Points::default();
    profile_points(policy, profile, &mut audit);
    for class in &policy.accounts.class {
        if class.exempt {
            audit.findings.push(
                Finding::new(
                    "exempt",
                    Setting::Flag(true),
                    Setting::Flag(false),
                    profile.standard(),
                    format!(
                        "class `{}` is exempt: its members' passwords are neither checked,                          remembered nor expired, which {} does not allow for them",
                        class.name,
                        profile.standard()
                    ),
                )
                .in_class(&class.name),
            );
            continue;
        }
        let mut own = Points::default();
        profile_points(&class.apply(policy), profile, &mut own);
        // Inherited values are the policy's own findings already: only the
        // keys the class sets are its own.
        let overrides = class.overridden_keys();
        audit.findings.extend(
            own.findings
                .into_iter()
                .filter(|f| overrides.iter().any(|k| affects(k, f.key)))
                .map(|f| {
                    let message = format!("class `{}`: {}", class.name, f.message);
                    Finding { message, ..f }.in_class(&class.name)
                }),
        );
    }
    Audit::of(audit.findings, audit.notes)
}

/// The points of `profile` for one set of rules.
fn profile_points(policy: &Policy, profile: Profile, out: &mut Points) {
    match profile {
        Profile::Nist80063b4 => nist(policy, out),
        Profile::PciDss4 => pci(policy, out),
    }
}

/// Whether a class's setting `key` decides a finding about `finding_key`
/// (`min_classes` also decides whether letters and digits are guaranteed).
fn affects(key: &str, finding_key: &str) -> bool {
    key == finding_key || (key == "min_classes" && finding_key == "letters_and_digits")
}

/// What an audit found so far: the points that fail it, and the notes.
#[derive(Default)]
struct Points {
    findings: Vec<Finding>,
    notes: Vec<Finding>,
}

const NIST_LENGTH: &str = "NIST SP 800-63B-4 §3.1.1.2 (1)";
const NIST_MAX_LENGTH: &str = "NIST SP 800-63B-4 §3.1.1.2 (2)";
const NIST_CODE_POINTS: &str = "NIST SP 800-63B-4 §3.1.1.2 (4)";
const NIST_COMPOSITION: &str = "NIST SP 800-63B-4 §3.1.1.2 (5)";
const NIST_PERIODIC: &str = "NIST SP 800-63B-4 §3.1.1.2 (6)";
const NIST_BLOCKLIST: &str = "NIST SP 800-63B-4 §3.1.1.2 (blocklist)";

fn nist(p: &Policy, out: &mut Points) {
    let q = &p.quality;
    let (least, alone) = if p.multi_factor {
        (
            8,
            "used only within multi-factor authentication (multi_factor = true)",
        )
    } else {
        (15, "used alone, as a single factor (multi_factor = false)")
    };
    if q.min_length < least {
        out.findings.push(Finding::new(
            "min_length",
            Setting::Number(q.min_length.into()),
            Setting::Number(least.into()),
            NIST_LENGTH,
            format!(
                "passwords {alone} must be at least {least} characters; the policy allows {}",
                q.min_length
            ),
        ));
    }
    if q.max_length < 64 {
        out.findings.push(Finding::new(
            "max_length",
            Setting::Number(q.max_length.into()),
            Setting::Number(64),
            NIST_MAX_LENGTH,
            format!(
                "allow at least 64 characters; the policy stops at {}",
                q.max_length
            ),
        ));
    }
    if q.min_classes > 0 {
        out.findings.push(Finding::new(
            "min_classes",
            Setting::Number(q.min_classes.into()),
            Setting::Number(0),
            NIST_COMPOSITION,
            format!(
                "requiring {} of {} kinds of character is a composition rule, which the \
                 standard forbids; set min_classes = 0 and let length and the blocklist work",
                q.min_classes,
                q.class_count()
            ),
        ));
    }
    if q.letters_and_digits {
        out.findings.push(Finding::new(
            "letters_and_digits",
            Setting::Flag(true),
            Setting::Flag(false),
            NIST_COMPOSITION,
            "requiring letters and digits is a composition rule, which the standard forbids".into(),
        ));
    }
    if p.expiry.max_age_days > 0 {
        out.findings.push(Finding::new(
            "max_age_days",
            Setting::Number(p.expiry.max_age_days.into()),
            Setting::Number(0),
            NIST_PERIODIC,
            format!(
                "changing passwords every {} days is a periodic change, which the standard \
                 forbids (change them on evidence of compromise instead); set max_age_days = 0",
                p.expiry.max_age_days
            ),
        ));
    }
    if p.breached.file.is_none() {
        out.findings.push(Finding::new(
            "breached.file",
            Setting::Text("unset".into()),
            Setting::Text("a list of compromised passwords".into()),
            NIST_BLOCKLIST,
            "new passwords must be compared against a blocklist of commonly used, expected \
             or compromised passwords: build one with `pwpolicy breach build` and name it in \
             [breached] file"
                .into(),
        ));
    }
    out.notes.push(Finding::new(
        "min_length",
        Setting::Text("code points".into()),
        Setting::Text("code points".into()),
        NIST_CODE_POINTS,
        "lengths count each Unicode code point as one character (after NFKC normalisation)".into(),
    ));
    if p.guessability.min_score.is_some() || !p.banned.words.is_empty() || p.banned.file.is_some() {
        out.notes.push(Finding::new(
            "guessability.min_score",
            Setting::Flag(true),
            Setting::Flag(false),
            NIST_BLOCKLIST,
            "guessability and banned words screen for expected passwords too; they are not \
             composition rules"
                .into(),
        ));
    }
}

const PCI_COMPLEXITY: &str = "PCI DSS v4.0.1 requirement 8.3.6";
const PCI_HISTORY: &str = "PCI DSS v4.0.1 requirement 8.3.7";
const PCI_CHANGE: &str = "PCI DSS v4.0.1 requirement 8.3.9";

fn pci(p: &Policy, out: &mut Points) {
    let q = &p.quality;
    if q.min_length < 12 {
        out.findings.push(Finding::new(
            "min_length",
            Setting::Number(q.min_length.into()),
            Setting::Number(12),
            PCI_COMPLEXITY,
            format!(
                "passwords must be at least 12 characters (8 only where a system cannot take \
                 12); the policy allows {}",
                q.min_length
            ),
        ));
    }
    // Both guaranteed by a class count only when every class is required.
    if !q.letters_and_digits && q.min_classes < q.class_count() {
        out.findings.push(Finding::new(
            "letters_and_digits",
            Setting::Flag(false),
            Setting::Flag(true),
            PCI_COMPLEXITY,
            format!(
                "passwords must contain both letters and digits; {} of {} kinds of character \
                 can leave the digits out: set letters_and_digits = true",
                q.min_classes,
                q.class_count()
            ),
        ));
    }
    match p.history.remember {
        Remember::Last(n) if n < 4 => out.findings.push(Finding::new(
            "remember",
            Setting::Number(n.into()),
            Setting::Number(4),
            PCI_HISTORY,
            format!("a new password may not be any of the last four; the policy remembers {n}"),
        )),
        _ => {}
    }
    let days = p.expiry.max_age_days;
    if p.multi_factor {
        out.notes.push(Finding::new(
            "max_age_days",
            Setting::Number(days.into()),
            Setting::Number(90),
            PCI_CHANGE,
            "passwords are one factor of several (multi_factor = true), so the 90-day change \
             does not apply"
                .into(),
        ));
    } else if days == 0 || days > 90 {
        out.findings.push(Finding::new(
            "max_age_days",
            if days == 0 {
                Setting::Text("never".into())
            } else {
                Setting::Number(days.into())
            },
            Setting::Number(90),
            PCI_CHANGE,
            format!(
                "where a password is the only factor it must be changed at least every 90 days \
                 (or access decided by analysing the account's security posture instead); the \
                 policy {}",
                if days == 0 {
                    "never expires passwords".to_owned()
                } else {
                    format!("expires them after {days}")
                }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(points: &[Finding]) -> Vec<&'static str> {
        points.iter().map(|f| f.key).collect()
    }

    #[test]
    fn the_organisations_policy_falls_short_of_nist_on_length_composition_expiry_and_blocklist() {
        let a = audit(&Policy::default(), Profile::Nist80063b4);
        assert!(!a.conforms);
        assert_eq!(
            keys(&a.findings),
            ["min_length", "min_classes", "max_age_days", "breached.file"]
        );
        let length = &a.findings[0];
        assert_eq!(
            (&length.policy, &length.required, length.source.as_str()),
            (&Setting::Number(8), &Setting::Number(15), NIST_LENGTH)
        );
        assert!(a.findings[1].message.contains("composition rule"));
        assert!(a.findings[2].message.contains("every 90 days"));
    }

    #[test]
    fn within_multi_factor_nist_asks_for_eight() {
        let p = Policy {
            multi_factor: true,
            ..Policy::default()
        };
        let a = audit(&p, Profile::Nist80063b4);
        assert_eq!(
            keys(&a.findings),
            ["min_classes", "max_age_days", "breached.file"]
        );
    }

    #[test]
    fn the_organisations_policy_falls_short_of_pci_on_length_and_digits() {
        let a = audit(&Policy::default(), Profile::PciDss4);
        assert_eq!(keys(&a.findings), ["min_length", "letters_and_digits"]);
        assert_eq!(a.findings[0].required, Setting::Number(12));
        assert_eq!(a.findings[1].source, PCI_COMPLEXITY);
    }

    #[test]
    fn each_profile_passes_its_own_audit() {
        for profile in Profile::ALL {
            for multi_factor in [false, true] {
                let mut p = profile.policy(multi_factor);
                p.breached.file = Some("/var/lib/pwpolicy/breached.pwbf".into());
                let a = audit(&p, profile);
                assert!(a.conforms, "{profile} mf={multi_factor}: {:?}", a.findings);
                assert_eq!(p.validate(), Ok(()));
            }
        }
    }

    #[test]
    fn pci_history_and_expiry() {
        let mut p = Profile::PciDss4.policy(false);
        p.history.remember = Remember::Last(3);
        p.expiry.max_age_days = 0;
        p.expiry.warn_days = 0;
        let a = audit(&p, Profile::PciDss4);
        assert_eq!(keys(&a.findings), ["remember", "max_age_days"]);
        assert_eq!(a.findings[1].policy, Setting::Text("never".into()));
        // Four classes of four guarantee a letter and a digit.
        let mut p = Profile::PciDss4.policy(false);
        p.quality.letters_and_digits = false;
        p.quality.min_classes = 4;
        assert!(audit(&p, Profile::PciDss4).conforms);
    }

    #[test]
    fn pci_dss_audit_holds_every_class_to_the_standard() {
        // Defect 7 of issue 22: a PCI profile with a loose class and an
        // exempt uid range "conformed".
        let p = Policy::from_toml(
            "profile = \"pci-dss-4\"\n\
             [[accounts.class]]\nname = \"legacy\"\ngroups = [\"legacy\"]\nmin_length = 6\nmax_age_days = 365\n\
             [[accounts.class]]\nname = \"robots\"\nuids = \"2000-2999\"\nexempt = true\n\
             [[accounts.class]]\nname = \"admins\"\ngroups = [\"sudo\"]\nmin_length = 16\n",
        )
        .unwrap();
        let a = audit(&p, Profile::PciDss4);
        assert!(!a.conforms);
        let points: Vec<(&str, Option<&str>)> = a
            .findings
            .iter()
            .map(|f| (f.key, f.class.as_deref()))
            .collect();
        assert_eq!(
            points,
            [
                ("min_length", Some("legacy")),
                ("max_age_days", Some("legacy")),
                ("exempt", Some("robots")),
            ]
        );
        assert!(a.findings[0].message.starts_with("class `legacy`: "));
        assert_eq!(a.findings[0].policy, Setting::Number(6));
        // Without the classes it conforms: the findings are the classes'.
        let mut base = p.clone();
        base.accounts.class.clear();
        assert!(audit(&base, Profile::PciDss4).conforms);
    }

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_name(profile.name()), Some(profile));
        }
        assert_eq!(Profile::from_name("nist"), None);
    }
}

//! Module arguments over the policy file, as pam_pwhistory does it: the file
//! first, then the arguments override it; unknown arguments are reported, not
//! fatal.

use std::ffi::CStr;
use std::path::PathBuf;

use pwpolicy::{OnError, Policy, UnknownUser};
use pwpolicy_backend::Sources;

/// Everything one call of the module needs to know.
#[derive(Debug)]
pub struct Options {
    /// The policy (with the `[pam]` settings already overridden by arguments).
    pub policy: Policy,
    /// The store (`db=`) or service (`socket=`) named by the arguments;
    /// `pwpolicy_backend::choose` decides with the policy file.
    pub sources: Sources,
    /// Take the new password from `PAM_AUTHTOK` instead of prompting.
    pub use_authtok: bool,
    /// This entry records a change that the stack above it made.
    pub commit: bool,
    /// Log decisions at debug level.
    pub debug: bool,
    /// Arguments this module does not know (to be logged).
    pub unknown: Vec<String>,
}

/// A configuration problem: the log gets the detail, the user a generic line.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl Options {
    /// Reads the policy file named by `config=` (or the default; a missing
    /// default file means the built-in policy), then applies the arguments.
    pub fn load(args: &[&CStr]) -> Result<Options, ConfigError> {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let config = args
            .iter()
            .find_map(|a| a.strip_prefix("config="))
            .map(PathBuf::from);
        let policy = read_policy(config)?;
        Options::from_policy(policy, &args)
    }

    /// Applies module arguments over a policy.
    pub fn from_policy(mut policy: Policy, args: &[String]) -> Result<Options, ConfigError> {
        let mut store = None;
        let mut service = None;
        let (mut use_authtok, mut commit, mut debug) = (false, false, false);
        let mut unknown = Vec::new();
        for arg in args {
            let (key, value) = match arg.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (arg.as_str(), None),
            };
            let bad = |what: &str| ConfigError(format!("module argument `{arg}`: {what}"));
            match (key, value) {
                // A known argument in the wrong shape is a mistake in the
                // stack, not something to guess at: refuse it, naming it.
                ("config" | "db" | "socket" | "retry", None | Some("")) => {
                    return Err(bad(&format!("needs a value: {key}=…")));
                }
                ("use_authtok" | "commit" | "debug" | "enforce_for_root" | "audit", Some(_)) => {
                    return Err(bad("takes no value"));
                }
                ("config", Some(_)) => {}
                ("db", Some(db)) => store = Some(db.to_owned()),
                ("socket", Some(path)) => service = Some(PathBuf::from(path)),
                ("retry", Some(n)) => {
                    policy.pam.retry = n
                        .parse()
                        .ok()
                        .filter(|n| (1..=20).contains(n))
                        .ok_or_else(|| bad("expected a number from 1 to 20"))?;
                }
                ("use_authtok", None) => use_authtok = true,
                ("commit", None) => commit = true,
                ("debug", None) => debug = true,
                ("enforce_for_root", None) => policy.pam.enforce_for_root = true,
                ("audit", None) => policy.pam.audit = true,
                ("on_error", Some("fail")) => policy.pam.on_error = OnError::Fail,
                ("on_error", Some("ignore")) => policy.pam.on_error = OnError::Ignore,
                ("on_error", _) => return Err(bad("expected on_error=fail or on_error=ignore")),
                ("account_on_error", Some("fail")) => {
                    policy.pam.account_on_error = Some(OnError::Fail);
                }
                ("account_on_error", Some("ignore")) => {
                    policy.pam.account_on_error = Some(OnError::Ignore);
                }
                ("account_on_error", _) => {
                    return Err(bad(
                        "expected account_on_error=fail or account_on_error=ignore",
                    ));
                }
                ("show_rules", Some("yes")) => policy.pam.show_rules = true,
                ("show_rules", Some("no")) => policy.pam.show_rules = false,
                ("show_rules", _) => return Err(bad("expected show_rules=yes or show_rules=no")),
                ("unknown_user", Some("enrol")) => policy.pam.unknown_user = UnknownUser::Enrol,
                ("unknown_user", Some("ignore")) => policy.pam.unknown_user = UnknownUser::Ignore,
                ("unknown_user", Some("expire")) => policy.pam.unknown_user = UnknownUser::Expire,
                ("unknown_user", _) => {
                    return Err(bad("expected unknown_user=enrol, ignore or expire"));
                }
                _ => unknown.push(arg.clone()),
            }
        }
        Ok(Options {
            policy,
            sources: Sources {
                db: store,
                socket: service,
                directory: None,
            },
            use_authtok,
            commit,
            debug,
            unknown,
        })
    }
}

fn read_policy(explicit: Option<PathBuf>) -> Result<Policy, ConfigError> {
    pwpolicy_host::policy_file::load(explicit.as_deref())
        .map(|loaded| loaded.policy)
        .map_err(|e| ConfigError(pwpolicy_host::say(&e)))
}

/// Every module argument, as `name=VALUE` (a sample value) or `name`: the
/// list pam_pwpolicy(8) documents; a test holds both to the parser above.
#[cfg(test)]
const ARGUMENTS: &[&str] = &[
    "config=/etc/security/pwpolicy.toml",
    "db=/var/lib/pwpolicy/state.db",
    "socket=/run/pwpolicy/pwpolicyd.sock",
    "retry=3",
    "use_authtok",
    "commit",
    "debug",
    "enforce_for_root",
    "audit",
    "on_error=fail",
    "account_on_error=ignore",
    "unknown_user=enrol",
    "show_rules=no",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(args: &[&str]) -> Result<Options, ConfigError> {
        Options::from_policy(
            Policy::default(),
            &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn arguments_override_the_file() {
        let o = opts(&[
            "retry=5",
            "use_authtok",
            "enforce_for_root",
            "audit",
            "on_error=ignore",
            "db=postgres://h/db",
            "unknown_user=expire",
            "debug",
            "show_rules=no",
        ])
        .unwrap();
        assert!(!o.policy.pam.show_rules);
        assert_eq!(o.policy.pam.retry, 5);
        assert!(o.use_authtok && o.debug && o.policy.pam.enforce_for_root && o.policy.pam.audit);
        assert_eq!(o.policy.pam.on_error, OnError::Ignore);
        assert_eq!(o.policy.pam.unknown_user, UnknownUser::Expire);
        assert_eq!(o.sources.db.as_deref(), Some("postgres://h/db"));
        let d = opts(&[]).unwrap();
        assert_eq!(
            (d.policy.pam.retry, d.use_authtok, d.sources),
            (3, false, Sources::default())
        );
    }

    #[test]
    fn unknown_arguments_are_collected_not_fatal() {
        let o = opts(&["minlen=12", "try_first_pass"]).unwrap();
        assert_eq!(o.unknown, ["minlen=12", "try_first_pass"]);
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            "retry=0",
            "retry=x",
            "on_error=maybe",
            "unknown_user=who",
            "show_rules",
        ] {
            assert!(opts(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_argument_is_parsed_and_documented() {
        let page = include_str!("../../packaging/man/pam_pwpolicy.8");
        for arg in ARGUMENTS {
            let o = Options::from_policy(Policy::default(), &[arg.to_string()]).unwrap();
            // `config=` is read before the others; everything else is known.
            assert!(o.unknown.is_empty(), "{arg} is not parsed: {:?}", o.unknown);
            let name = arg.split('=').next().unwrap_or(arg);
            assert!(
                page.contains(&format!(".B {name}")) || page.contains(&format!("\\fB{name}")),
                "pam_pwpolicy(8) does not document {name}"
            );
        }
        let o = Options::from_policy(Policy::default(), &["no_such_argument".into()]).unwrap();
        assert_eq!(o.unknown, ["no_such_argument"]);
    }

    #[test]
    fn known_arguments_in_the_wrong_shape_are_errors() {
        for arg in [
            "db",
            "db=",
            "socket",
            "retry",
            "config=",
            "debug=1",
            "commit=yes",
        ] {
            let err = Options::from_policy(Policy::default(), &[arg.to_string()]);
            let err = err.err().unwrap_or_else(|| panic!("{arg} was accepted"));
            assert!(err.0.contains(&format!("`{arg}`")), "{arg}: {}", err.0);
        }
    }
}

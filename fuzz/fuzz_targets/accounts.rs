//! Guards the account readers behind `import-shadow`, `list` and the PAM
//! account phase: passwd(5), group(5), login.defs(5) and one shadow(5) line
//! parse or name a line, never panic, and classes resolve for every account.
//! Input: passwd text, NUL, group text, NUL, login.defs text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy::{Account, LoginDefs, Policy, Record};
use pwpolicy_host::passwd::{groups_of, parse_passwd};

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(3, '\0');
    let (passwd, group, defs) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let login_defs = LoginDefs::parse(defs);
    for line in passwd.lines() {
        if let Ok(Some(entry)) = pwpolicy_host::shadow::entry(line) {
            assert!(!entry.name.is_empty() && !entry.name.contains(':'));
        }
    }
    let users = match parse_passwd(passwd) {
        Ok(users) => users,
        Err(e) => {
            assert!(e.line >= 1 && e.line <= passwd.lines().count().max(1));
            return;
        }
    };
    let Ok(groups) = groups_of(group, &users) else {
        return;
    };
    let policy = Policy::from_toml(
        "[[accounts.class]]\nname = \"a\"\ngroups = [\"wheel\"]\nmax_age_days = 30\n\
         [[accounts.class]]\nname = \"b\"\nuids = \"2000-2999\"\nexempt = true\n",
    )
    .expect("the fixed policy parses");
    for user in &users {
        let empty = Vec::new();
        let account = Account {
            uid: Some(user.uid),
            groups: groups.get(&user.name).unwrap_or(&empty),
            locked: user.uid % 3 == 0,
            forced_by_shadow: user.uid % 5 == 0,
            ..Account::named(&user.name)
        };
        let coverage = policy.for_account(&account, login_defs);
        // The class's policy is always one that could be met, and its cheap
        // expiry rules are the policy's.
        assert!(coverage.policy().validate().is_ok());
        assert_eq!(coverage.expiry(), coverage.policy().expiry);
        // Where expiry does not apply, nothing is ever due; a forced change
        // is always due where it does.
        let record = Record { last_change: None, must_change: false, created: None };
        let standing = coverage.standing(Some(&record), time::OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            standing.is_due(0),
            coverage.expires() && account.forced_by_shadow,
            "{account:?}"
        );
    }
});

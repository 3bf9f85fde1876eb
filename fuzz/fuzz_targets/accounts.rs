//! Guards the account readers behind `import-shadow`, `list` and the PAM
//! account phase: passwd(5), group(5), login.defs(5) and one shadow(5) line
//! parse or name a line, never panic, and classes resolve for every account.
//! Input: passwd text, NUL, group text, NUL, login.defs text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy::{Account, Policy};
use pwpolicy_store::passwd::{groups_of, parse_passwd};

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(3, '\0');
    let (passwd, group, defs) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let uid_min = pwpolicy::uid_min_from_login_defs(defs);
    for line in passwd.lines() {
        if let Ok(Some(entry)) = pwpolicy_store::shadow::entry(line) {
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
            name: &user.name,
            uid: Some(user.uid),
            groups: groups.get(&user.name).unwrap_or(&empty),
        };
        let coverage = policy.for_account(&account, uid_min);
        // The class's policy is always one that could be met.
        assert!(coverage.policy.validate().is_ok());
    }
});

//! Guards `pwpolicy-directory`, which reads what a DC sends over LDAP: any
//! attribute values build a `Domain`, a `Pso` and an `Account` or name the
//! attribute at fault, and whatever parses gives an expiry, a standing and
//! an audit without panicking.
//!
//! Input: records, each a selector byte and a value running to the next NUL
//! (or the end). The selector, modulo one more than the number of attributes
//! in `USER_ATTRS`, `DOMAIN_ATTRS` and `PSO_ATTRS`, picks one of them (a
//! repeat adds a value: a multi-valued attribute), or, for the last number,
//! starts a new entry whose DN is the value. A selector with the high bit set
//! writes the name in capitals (LDAP matches names without case). Every
//! entry is read as a domain, a PSO and a user; the first domain, all PSOs
//! and all users are then put together. A user whose `msDS-ResultantPSO` is
//! `#K` is governed by PSO number K (its DN in capitals), so the fuzzer need
//! not guess a DN.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pwpolicy::audit::Audit;
use pwpolicy::{ExpiryState, Policy};
use pwpolicy_directory::{
    Account, AttrError, DOMAIN_ATTRS, Domain, Entry, Governed, PSO_ATTRS, Pso, UF_ACCOUNTDISABLE,
    USER_ATTRS, audit,
};
use time::OffsetDateTime;

/// Every attribute the directory crate asks for.
fn attrs() -> impl Iterator<Item = &'static str> {
    USER_ATTRS
        .iter()
        .chain(DOMAIN_ATTRS)
        .chain(PSO_ATTRS)
        .copied()
}

/// The entries `data` describes.
fn entries(data: &[u8]) -> Vec<Entry> {
    let names: Vec<&str> = attrs().collect();
    let mut entries = vec![Entry::default()];
    let mut rest = data;
    while let Some((&selector, tail)) = rest.split_first() {
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        let value = String::from_utf8_lossy(&tail[..end]).into_owned();
        rest = tail.get(end + 1..).unwrap_or(&[]);
        let pick = usize::from(selector & 0x7f) % (names.len() + 1);
        let Some(name) = names.get(pick) else {
            entries.push(Entry {
                dn: value,
                attrs: Vec::new(),
            });
            continue;
        };
        let name = if selector & 0x80 != 0 {
            name.to_ascii_uppercase()
        } else {
            (*name).to_owned()
        };
        let entry = entries.last_mut().expect("there is always an entry");
        match entry
            .attrs
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some((_, values)) => values.push(value),
            None => entry.attrs.push((name, vec![value])),
        }
    }
    entries
}

/// An error names its entry and attribute, and quotes little of the value.
fn check_error(e: &Entry, err: &AttrError) {
    assert_eq!(err.dn, e.dn);
    assert!(
        attrs().any(|a| a == err.attr),
        "error for an attribute never asked for: {}",
        err.attr
    );
    let text = err.to_string();
    assert!(text.contains(err.attr) && !err.why.is_empty(), "{text}");
    // 40 characters of a value at most, each escaped to at most 10 bytes.
    assert!(text.len() <= e.dn.len() + err.attr.len() + 600, "{text}");
}

/// The policies each audit is run under: the default, and two that take
/// the other branches (a counted history, no expiry, a minimum age).
fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let mut all = vec![Policy::default()];
        for toml in [
            "[quality]\nmin_length = 20\nmin_classes = 0\nname_check = \"off\"\n\
             [expiry]\nmax_age_days = 0\nmin_age_days = 2\n[history]\nremember = 5\n",
            "[quality]\nmin_length = 15\n[expiry]\nmax_age_days = 60\nmin_age_days = 1\n\
             [history]\nremember = 30\n",
        ] {
            all.push(Policy::from_toml(toml).expect("the fixed policies parse"));
        }
        all
    })
}

fn check_audit(a: &Audit) {
    assert_eq!(a.conforms, a.findings.is_empty());
    for f in a.findings.iter().chain(&a.notes) {
        assert!(!f.key.is_empty() && !f.message.is_empty(), "{f:?}");
        assert!(
            f.source.starts_with("domain ") || f.source.starts_with("PSO "),
            "{f:?}"
        );
    }
    serde_json::to_string(a).expect("an audit serialises");
}

fuzz_target!(|data: &[u8]| {
    let entries = entries(data);
    let mut domain = None;
    let mut psos = Vec::new();
    let mut accounts = Vec::new();
    for e in &entries {
        match Domain::from_entry(e) {
            Ok(d) => {
                domain.get_or_insert(d);
            }
            Err(err) => check_error(e, &err),
        }
        match Pso::from_entry(e) {
            Ok(p) => psos.push(p),
            Err(err) => check_error(e, &err),
        }
        match Account::from_entry(e) {
            Ok(a) => accounts.push(a),
            Err(err) => check_error(e, &err),
        }
    }
    for a in &mut accounts {
        let pick = a.resultant_pso.as_deref().and_then(|v| v.strip_prefix('#'));
        if let (Some(k), false) = (pick, psos.is_empty()) {
            let k = k.parse::<usize>().unwrap_or(0) % psos.len();
            a.resultant_pso = Some(psos[k].dn.to_ascii_uppercase());
        }
    }
    let Some(domain) = domain else {
        return;
    };
    for policy in policies() {
        check_audit(&audit(policy, &domain, &psos));
    }
    // 2026-12-01, and the ends of what `time` holds.
    let nows = [
        OffsetDateTime::from_unix_timestamp(1_796_083_200).expect("in range"),
        OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT),
        OffsetDateTime::new_utc(time::Date::MAX, time::Time::MAX),
    ];
    let rules = &policies()[0].expiry;
    for a in &accounts {
        let x = a.expiry(&domain, &psos);
        assert_eq!(x.must_change, a.pwd_last_set == 0);
        assert!(!x.must_change || x.expires.is_none(), "{x:?}");
        assert_eq!(x.disabled, a.uac & UF_ACCOUNTDISABLE != 0);
        match &x.governed {
            Governed::Domain => assert!(a.resultant_pso.is_none()),
            Governed::Pso(name) => assert!(psos.iter().any(|p| &p.name == name)),
            Governed::UnreadablePso(dn) => assert_eq!(Some(dn), a.resultant_pso.as_ref()),
        }
        // What status and report do with it (pwpolicy-directory-ldap).
        let _ = x
            .max_age
            .map_or(0, |d| u32::try_from(d.whole_days()).unwrap_or(u32::MAX));
        for now in nows {
            let s = rules.status_until(x.expires, x.must_change, now);
            assert_eq!(x.must_change, s.state == ExpiryState::MustChange);
            if let Some(e) = x.expires {
                let _ = (e.date() - now.date()).whole_days();
            }
        }
    }
});

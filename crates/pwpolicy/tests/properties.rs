//! Properties that must hold for every input, checked with proptest.

use proptest::prelude::*;
use pwpolicy::{Names, Password, Policy, Verdict};
use unicode_normalization::UnicodeNormalization;

fn codes(v: &Verdict) -> Vec<&'static str> {
    v.violations().iter().map(|v| v.code()).collect()
}

/// Characters whose class is known independently of the crate's tables.
const ALPHABET: &[(char, &str)] = &[
    ('A', "upper"),
    ('Z', "upper"),
    ('É', "upper"),
    ('Ж', "upper"),
    ('a', "lower"),
    ('z', "lower"),
    ('é', "lower"),
    ('ж', "lower"),
    ('ß', "lower"),
    ('0', "digit"),
    ('9', "digit"),
    ('٣', "digit"),
    ('!', "symbol"),
    (' ', "symbol"),
    ('€', "symbol"),
    ('😀', "symbol"),
    ('中', "none"),
];

fn known_chars() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET.to_vec()), 0..20)
        .prop_map(|cs| cs.into_iter().map(|(c, _)| c).collect())
}

/// Text rich in characters whose NFC, NFD and NFKC forms differ.
fn composable_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "e\u{301}",
        "é",
        "A\u{30a}",
        "Å",
        "ﬁ",
        "Ａ",
        "１",
        "①",
        "x",
        "Y",
        "7",
        "!",
        "ß",
        "ẞ",
        "\u{1100}\u{1161}",
        "가",
        "Ω",
        "Ω",
        "ǅ",
        "™",
        "o\u{308}\u{301}",
    ]);
    prop::collection::vec(pieces, 0..16).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn nfc_nfd_and_nfkc_forms_get_the_same_verdict(
        pw in composable_text(),
        name in composable_text(),
    ) {
        let policy = Policy::default();
        let names = Names::new("", &name);
        let forms: [String; 4] =
            [pw.clone(), pw.nfc().collect(), pw.nfd().collect(), pw.nfkc().collect()];
        let first = policy.check(&Password::new(&forms[0]), &names);
        for form in &forms[1..] {
            prop_assert_eq!(&policy.check(&Password::new(form), &names), &first);
        }
        let name_nfd: String = name.nfd().collect();
        prop_assert_eq!(&policy.check(&Password::new(&pw), &Names::new("", &name_nfd)), &first);
    }

    #[test]
    fn adding_a_character_never_creates_too_short(pw in any::<String>(), c in any::<char>()) {
        let policy = Policy::default();
        let before = policy.check(&Password::new(&pw), &Names::none());
        let after = policy.check(&Password::new(&format!("{pw}{c}")), &Names::none());
        if !before.has("too_short") {
            prop_assert!(!after.has("too_short"), "{:?} -> {:?}", codes(&before), codes(&after));
        }
    }

    #[test]
    fn changing_the_case_of_an_embedded_name_never_makes_it_pass(
        token in "[a-zA-Z\u{e0}-\u{ff}\u{430}-\u{44f}]{3,10}",
        flips in prop::collection::vec(any::<bool>(), 10),
        prefix in "[a-z0-9!]{0,5}",
        suffix in "[A-Z0-9#]{0,5}",
    ) {
        let flipped: String = token
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, &up)| if up { c.to_uppercase().collect::<String>() } else { c.to_lowercase().collect() })
            .collect();
        let pw = format!("{prefix}{flipped}{suffix}");
        let names = Names::new(&token, &format!("Some {token} Body"));
        let verdict = Policy::default().check(&Password::new(&pw), &names);
        prop_assert!(verdict.has("contains_account_name"), "{:?}", codes(&verdict));
        prop_assert!(verdict.has("contains_name_part"), "{:?}", codes(&verdict));
    }

    #[test]
    fn check_never_panics(pw in any::<String>(), user in any::<String>(), full in any::<String>()) {
        for policy in ["", "[quality]\nname_check = \"strict\"\nother_letters_class = true"] {
            let policy = Policy::from_toml(policy).unwrap();
            let verdict = policy.check(&Password::new(&pw), &Names::new(&user, &full));
            for v in verdict.violations() {
                prop_assert!(!v.message().is_empty());
            }
        }
    }

    #[test]
    fn accepted_passwords_really_have_three_classes(pw in known_chars()) {
        let verdict = Policy::default().check(&Password::new(&pw), &Names::none());
        let mut classes: Vec<&str> = pw
            .chars()
            .filter_map(|c| ALPHABET.iter().find(|(k, _)| *k == c).map(|(_, class)| *class))
            .filter(|&class| class != "none")
            .collect();
        classes.sort_unstable();
        classes.dedup();
        prop_assert_eq!(verdict.has("too_few_classes"), classes.len() < 3, "{:?}", classes);
        if verdict.is_accepted() {
            prop_assert!(classes.len() >= 3 && pw.chars().count() >= 8);
        }
    }
}

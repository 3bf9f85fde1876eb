//! Fuzz target `check`: `Policy::check` on arbitrary passwords and names.
//!
//! Guards, for any account name, full name and password (any Unicode, any
//! length), under the default policy and under a variant with strict name
//! matching and/or letters without case as a fifth class:
//!
//! - no panic;
//! - a consistent verdict: accepted exactly when there is no violation, each
//!   code is one of the stable codes and appears at most once, every message is
//!   non-empty, `too_short` / `too_long` agree with the code-point count of the
//!   NFKC form, and `too_few_classes` counts add up;
//! - no secret in output: no violation message, no `Debug` of the verdict and no
//!   `Debug` of the `Password` contains the password (raw or NFKC), whenever such
//!   an occurrence could only be a leak (see [`leak_is_detectable`]);
//! - normalisation: the NFC, NFD, NFKC and NFKD forms of a password get the same
//!   verdict, those forms of the names build equal `Names`, and NFKC of the
//!   stored password is a fixed point;
//! - the variant is stricter only where it should be: strict name matching finds
//!   every name the Windows rule finds, and a fifth class never adds a
//!   `too_few_classes`;
//! - a password that is the account name (3+ characters after NFKC) is refused
//!   with `contains_account_name`;
//! - the opt-in screens (guessability, banned words, letters and digits) on
//!   top of the default only ever add refusals, keep every invariant above
//!   (zxcvbn's messages included: no password in them), and a banned word is
//!   found inside any password that holds it.
//!
//! Each input is read two ways: as an [`Input`] decoded by `arbitrary`, and as
//! raw text `password\naccount\nfull name` (lossy UTF-8) checked with strict
//! names and five classes. The seeds in `fuzz/seeds/check/` use the raw format.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use pwpolicy::{NameCheck, Names, Password, Policy, Verdict, Violation};
use pwpolicy::rules::names::MAX_NAME_BYTES;
use unicode_normalization::UnicodeNormalization;

/// One fuzz case: the names, the candidate password and the variant policy.
#[derive(Debug, Arbitrary)]
struct Input {
    account: String,
    full_name: String,
    password: String,
    /// Variant policy: `NameCheck::Strict` instead of `Windows`.
    strict: bool,
    /// Variant policy: `other_letters_class = true`.
    other_letters: bool,
}

/// The stable violation codes of DESIGN.md, and the two of `[quality]` max_repeat/max_sequence.
const CODES: [&str; 12] = [
    "too_short",
    "too_long",
    "too_few_classes",
    "contains_account_name",
    "contains_name_part",
    "reused",
    "too_recent",
    "breached",
    "too_guessable",
    "contains_banned_word",
    "too_many_repeats",
    "contains_sequence",
];

/// Every character other than ASCII letters and digits that the fixed text of
/// a violation message, or the `Debug` output of a `Verdict` or a `Password`,
/// can contain. Generous on purpose: a character listed here only makes the
/// leak check skip more passwords.
const VOCABULARY_PUNCTUATION: &str = " :;,.()'-_{}[]<>+\"@";

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) {
        exercise(&input);
    }
    exercise(&from_raw(data));
});

/// The raw reading: `password\naccount\nfull name`, strict names, five classes.
fn from_raw(data: &[u8]) -> Input {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let mut next = || parts.next().unwrap_or_default().to_owned();
    let (password, account, full_name) = (next(), next(), next());
    Input {
        account,
        full_name,
        password,
        strict: true,
        other_letters: true,
    }
}

fn exercise(input: &Input) {
    let default = Policy::default();
    let mut variant = Policy::default();
    variant.quality.name_check = if input.strict {
        NameCheck::Strict
    } else {
        NameCheck::Windows
    };
    variant.quality.other_letters_class = input.other_letters;
    assert!(variant.validate().is_ok(), "variant policy must be valid");

    let names = Names::new(&input.account, &input.full_name);
    for form in Form::ALL {
        let (account, full_name) = (form.apply(&input.account), form.apply(&input.full_name));
        // Past the bytes a name is read to, forms may be cut differently.
        let read_whole = |s: &str| s.len() <= MAX_NAME_BYTES;
        if [&account, &full_name, &input.account, &input.full_name]
            .iter()
            .all(|s| read_whole(s))
        {
            assert_eq!(
                Names::new(&account, &full_name),
                names,
                "{form:?} of the names built different Names"
            );
        }
    }

    let password = Password::new(&input.password);
    assert_eq!(
        Password::new(password.expose()).expose(),
        password.expose(),
        "NFKC of the stored password is not a fixed point"
    );

    let base = default.check(&password, &names);
    let var = variant.check(&password, &names);
    for (policy, verdict) in [(&default, &base), (&variant, &var)] {
        assert_consistent(policy, &password, verdict, &input.password);
        for form in Form::ALL {
            assert_eq!(
                &policy.check(&Password::new(&form.apply(&input.password)), &names),
                verdict,
                "{form:?} of the password got a different verdict"
            );
        }
    }

    // What the variant changes, and only that.
    for code in ["too_short", "too_long"] {
        assert_eq!(base.has(code), var.has(code), "{code} differs");
    }
    for code in ["contains_account_name", "contains_name_part"] {
        if input.strict {
            assert!(
                !base.has(code) || var.has(code),
                "{code}: found by the Windows rule but not by strict matching"
            );
        } else {
            assert_eq!(base.has(code), var.has(code), "{code} differs");
        }
    }
    if input.other_letters {
        assert!(
            !var.has("too_few_classes") || base.has("too_few_classes"),
            "counting a fifth class added too_few_classes"
        );
    } else {
        assert_eq!(base.has("too_few_classes"), var.has("too_few_classes"));
    }

    // The screens on top of the default: stricter, never looser.
    let mut screened = Policy::from_toml(
        "[quality]\nletters_and_digits = true\nmax_repeat = 3\nmax_sequence = 4\n\
         [guessability]\nmin_score = 3\n[banned]\nwords = [\"acme\", \"kingsbridge\"]\n",
    )
    .expect("the screened policy is valid");
    let verdict = screened.check(&password, &names);
    assert_consistent(&screened, &password, &verdict, &input.password);
    for v in base.violations() {
        assert!(verdict.has(v.code()), "{} lost to the screens", v.code());
    }
    let dressed = Password::new(&format!("{}K1ngsbr1dg3{}", input.password, input.account));
    screened.quality.letters_and_digits = false;
    // Past the maximum length, too_long is the one reason (checked below).
    if dressed.char_count() <= screened.quality.max_length as usize {
        assert!(
            screened.check(&dressed, &names).has("contains_banned_word"),
            "a banned word in look-alikes inside a password was not found"
        );
    }

    // The account name itself as the password (one the length allows).
    if input.account.nfkc().count() >= 3 {
        let as_password = Password::new(&input.account);
        let fits = |p: &Policy| as_password.char_count() <= p.quality.max_length as usize;
        for policy in [&default, &variant].into_iter().filter(|p| fits(p)) {
            assert!(
                policy
                    .check(&as_password, &names)
                    .has("contains_account_name"),
                "the account name as password was not refused ({:?})",
                policy.quality.name_check
            );
        }
    }
}

/// Invariants of one verdict on its own.
fn assert_consistent(policy: &Policy, password: &Password, verdict: &Verdict, raw: &str) {
    let q = &policy.quality;
    assert_eq!(verdict.is_accepted(), verdict.violations().is_empty());

    let chars = password.expose().chars().count();
    assert_eq!(password.char_count(), chars);
    assert_eq!(verdict.has("too_short"), chars < q.min_length as usize);
    assert_eq!(verdict.has("too_long"), chars > q.max_length as usize);
    if verdict.has("too_long") {
        // No rule's work grows past the policy's bound: too_long alone.
        assert_eq!(verdict.violations().len(), 1, "too_long with other reasons");
    }

    for (i, v) in verdict.violations().iter().enumerate() {
        let code = v.code();
        assert!(CODES.contains(&code), "unknown code {code:?}");
        assert!(
            verdict.violations()[..i].iter().all(|w| w.code() != code),
            "{code} reported twice"
        );
        let message = v.message();
        assert!(!message.is_empty(), "{code}: empty message");
        assert_eq!(message, v.to_string());
        match v {
            Violation::TooShort { min, actual } => {
                assert_eq!((*min, *actual), (q.min_length, chars));
            }
            Violation::TooLong { max, actual } => {
                assert_eq!((*max, *actual), (q.max_length, Some(chars)));
            }
            Violation::TooFewClasses {
                required,
                actual,
                missing,
            } => {
                assert_eq!(*required, q.min_classes);
                assert!(actual < required);
                assert_eq!(
                    usize::from(*actual) + missing.len(),
                    usize::from(policy.class_count()),
                    "present + missing classes != classes counted"
                );
            }
            _ => {}
        }
        assert_no_leak(&message, raw, password);
    }
    assert_no_leak(&format!("{verdict:?}"), raw, password);
    assert_no_leak(&format!("{password:?}"), raw, password);
}

/// Fails if `shown` contains the raw or the normalised password where that can
/// only be a leak.
fn assert_no_leak(shown: &str, raw: &str, password: &Password) {
    for secret in [raw, password.expose()] {
        assert!(
            !(leak_is_detectable(secret) && shown.contains(secret)),
            "output contains the password: {shown:?}"
        );
    }
}

/// Whether an occurrence of `secret` in a message or `Debug` output proves a
/// leak rather than a coincidence with the fixed text. Those texts are made of
/// ASCII letters, digits and [`VOCABULARY_PUNCTUATION`], and never put a letter
/// right next to a digit (numbers stand between spaces, `(`, `:` or `-`). So a
/// secret of 4+ characters that has any other character, or a letter beside a
/// digit, cannot be part of the fixed text: `s 12` is skipped (it occurs in
/// "(it has 12)"), `ab1!` and `Ünïcode` are checked.
fn leak_is_detectable(secret: &str) -> bool {
    let foreign = secret
        .chars()
        .any(|c| !c.is_ascii_alphanumeric() && !VOCABULARY_PUNCTUATION.contains(c));
    let letter_by_digit = secret.as_bytes().windows(2).any(|w| {
        (w[0].is_ascii_alphabetic() && w[1].is_ascii_digit())
            || (w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
    });
    secret.chars().count() >= 4 && (foreign || letter_by_digit)
}

/// The four Unicode normalisation forms: `Password` and `Names` apply NFKC, so
/// all four of a text must behave as the text itself.
#[derive(Debug, Clone, Copy)]
enum Form {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl Form {
    const ALL: [Form; 4] = [Form::Nfc, Form::Nfd, Form::Nfkc, Form::Nfkd];

    fn apply(self, s: &str) -> String {
        match self {
            Form::Nfc => s.nfc().collect(),
            Form::Nfd => s.nfd().collect(),
            Form::Nfkc => s.nfkc().collect(),
            Form::Nfkd => s.nfkd().collect(),
        }
    }
}

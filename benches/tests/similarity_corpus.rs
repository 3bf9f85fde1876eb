//! The similarity stems on a corpus of real passwords (zxcvbn's 30,000
//! common ones, read from the crate in cargo's registry by
//! `corpus/common_passwords.sh`): unrelated passwords rarely share a stem.
//! The numbers the README and `similarity_corpus` quote, held as bounds.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use pwpolicy_benches::StemPairs;

#[test]
fn common_passwords_seldom_share_a_stem_and_those_that_do_are_variations() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/common_passwords.sh");
    let out = std::process::Command::new(script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let s = StemPairs::of(text.lines());
    assert_eq!(s.passwords, 30_000);
    assert!(
        s.with_stem * 10 >= s.passwords * 9,
        "{} with a stem",
        s.with_stem
    );
    // 0.0053% measured; a stem twice as coarse would double it.
    let share = s.pairs.1 / s.pairs.0;
    assert!(
        share < 0.0001,
        "{:.5}% of pairs share a stem",
        share * 100.0
    );
    let same_length = s.same_length_pairs.1 / s.same_length_pairs.0;
    assert!(
        same_length < 0.0001,
        "{:.5}% of equal-length pairs",
        same_length * 100.0
    );
    // The largest groups are one word dressed up.
    let dragon = s.groups.iter().find(|g| g.contains(&"dragon")).unwrap();
    for variation in ["drag0n", "dragon1", "1dragon"] {
        assert!(
            dragon.contains(&variation),
            "{variation} not with dragon: {dragon:?}"
        );
    }
}

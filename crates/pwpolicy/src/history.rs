//! Password history: argon2id hashes stored as PHC strings, checked so that a
//! history of any depth costs about one hash.
//!
//! Each user has one random salt (made by the caller: this crate has no source
//! of randomness), and every entry of that user is hashed with it. Entries that
//! share a salt and parameters form a group; [`Hasher::contains`] hashes the
//! candidate once per group and compares it with every entry of the group in
//! constant time. A history of 24 entries therefore costs one argon2 run, or a
//! few after parameter upgrades, instead of 24.
//!
//! An optional pepper (argon2's secret input) is kept out of the store. Entries
//! hashed with it carry `keyid=cGVwcGVy` ("pepper") in their parameters, so a
//! check without the pepper fails loudly instead of silently missing a reuse.

use std::collections::BTreeMap;
use std::fmt;

use argon2::password_hash::{Ident, Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, KeyId, Params, ParamsBuilder, Version};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;
use crate::policy::HistoryRules;
use crate::secret::Password;
use crate::stem::Stem;

/// Bytes of a per-user salt.
pub const SALT_LEN: usize = 16;
/// Bytes of argon2 output per entry.
pub const HASH_LEN: usize = 32;
/// The key id written into entries hashed with a pepper.
const PEPPER_KEYID: &[u8] = b"pepper";

/// A per-user history salt: 16 random bytes made by the caller.
#[derive(Clone, PartialEq, Eq)]
pub struct UserSalt([u8; SALT_LEN]);

impl UserSalt {
    /// Wraps 16 bytes that the caller took from a cryptographic random source.
    pub fn from_bytes(bytes: [u8; SALT_LEN]) -> UserSalt {
        UserSalt(bytes)
    }

    /// The raw bytes, for storage.
    pub fn as_bytes(&self) -> &[u8; SALT_LEN] {
        &self.0
    }
}

impl fmt::Debug for UserSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserSalt(..)")
    }
}

/// One remembered password: an argon2 PHC string such as
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. Equality is constant-time.
#[derive(Clone)]
pub struct HistoryEntry(String);

impl PartialEq for HistoryEntry {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for HistoryEntry {}

impl HistoryEntry {
    /// Parses a stored PHC string.
    ///
    /// # Errors
    ///
    /// [`Error::BadHistoryEntry`] (index 0) when it is not an argon2 PHC string
    /// with a salt and a hash.
    pub fn parse(phc: &str) -> Result<HistoryEntry, Error> {
        Parsed::new(phc).map_err(|reason| Error::BadHistoryEntry { index: 0, reason })?;
        Ok(HistoryEntry(phc.to_owned()))
    }

    /// The PHC string, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// As its PHC string: the form the store keeps, and the one a check's
/// [`Prehashed`] crosses pwpolicyd's socket in. Read back through
/// [`HistoryEntry::parse`], so no malformed entry gets in.
impl Serialize for HistoryEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HistoryEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let phc = String::deserialize(d)?;
        HistoryEntry::parse(&phc).map_err(|_| D::Error::custom("not an argon2 history entry"))
    }
}

impl fmt::Debug for HistoryEntry {
    /// Shows the algorithm and parameters, never the salt or the hash.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head: Vec<&str> = self.0.splitn(5, '$').take(4).collect();
        write!(f, "HistoryEntry({}$..)", head.join("$"))
    }
}

/// The history entries a check made of its candidate, with the user's salt
/// and today's cost, for the commit that follows to record instead of
/// hashing again: PAM checks a new password in one call and records it in
/// another, and a change should cost one argon2 run in all. Its maker keeps
/// it with the password it was made of, and hands it on with that password
/// only; a commit whose salt or cost has moved on since hashes afresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prehashed {
    /// The candidate's entry.
    pub entry: HistoryEntry,
    /// Its similarity stem's entry, when the policy compares stems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stem: Option<HistoryEntry>,
}

/// An entry taken apart, with the pieces that decide its group.
struct Parsed<'a> {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt<'a>,
    hash: Output,
}

impl<'a> Parsed<'a> {
    fn new(phc: &'a str) -> Result<Parsed<'a>, String> {
        let h = PasswordHash::new(phc).map_err(|e| format!("not a PHC string ({e})"))?;
        let algorithm = Algorithm::try_from(h.algorithm)
            .map_err(|_| format!("algorithm `{}` is not argon2", h.algorithm))?;
        let version = match h.version {
            Some(v) => Version::try_from(v).map_err(|_| format!("unknown argon2 version {v}"))?,
            None => Version::default(),
        };
        let params = Params::try_from(&h).map_err(|e| format!("bad parameters ({e})"))?;
        let salt = h.salt.ok_or("no salt")?;
        let hash = h.hash.ok_or("no hash")?;
        Ok(Parsed {
            algorithm,
            version,
            params,
            salt,
            hash,
        })
    }

    /// Entries with equal keys hash a candidate identically.
    fn group_key(&self) -> String {
        format!(
            "{}${}${}${}${}${:?}${:?}${}${}",
            self.algorithm,
            u32::from(self.version),
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            self.params.keyid(),
            self.params.data(),
            self.salt.as_str(),
            self.hash.len(),
        )
    }

    fn is_peppered(&self) -> bool {
        self.params.keyid() == PEPPER_KEYID
    }
}

/// Hashes passwords into history entries and looks candidates up in a history.
///
/// ```
/// use pwpolicy::{Hasher, Password, Policy, UserSalt};
///
/// let mut policy = Policy::default();
/// policy.history.memory_kib = 64; // cheap for the example; keep the default in production
/// let hasher = Hasher::new(&policy.history, None)?;
/// let salt = UserSalt::from_bytes([7; 16]); // use a random salt per user
/// let history = vec![hasher.hash(&Password::new("Old-Secret-1"), &salt)?];
/// assert!(hasher.contains(&history, &Password::new("Old-Secret-1"))?);
/// assert!(!hasher.contains(&history, &Password::new("New-Secret-2"))?);
/// # Ok::<(), pwpolicy::Error>(())
/// ```
pub struct Hasher {
    params: Params,
    /// `params` with the associated data [`STEM_DATA`]: stems hash apart
    /// from passwords, so a stem never matches a password of the same text.
    stem_params: Params,
    pepper: Option<Zeroizing<Vec<u8>>>,
}

/// argon2's associated data in the entries of similarity stems (shown as
/// `data=c3RlbQ` in their PHC strings).
const STEM_DATA: &[u8] = b"stem";

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("m_cost", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .field("p_cost", &self.params.p_cost())
            .field("pepper", &self.pepper.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Hasher {
    /// A hasher with the policy's argon2id cost and an optional pepper.
    ///
    /// # Errors
    ///
    /// [`Error::Hashing`] when argon2 refuses the parameters or the pepper.
    pub fn new(rules: &HistoryRules, pepper: Option<&[u8]>) -> Result<Hasher, Error> {
        let mut builder = ParamsBuilder::new();
        builder
            .m_cost(rules.memory_kib)
            .t_cost(rules.iterations)
            .p_cost(rules.parallelism)
            .output_len(HASH_LEN);
        if pepper.is_some() {
            builder.keyid(KeyId::new(PEPPER_KEYID).map_err(hashing)?);
        }
        let params = builder.build().map_err(hashing)?;
        let stem_params = builder
            .data(argon2::AssociatedData::new(STEM_DATA).map_err(hashing)?)
            .build()
            .map_err(hashing)?;
        let hasher = Hasher {
            params,
            stem_params,
            pepper: pepper.map(|p| Zeroizing::new(p.to_vec())),
        };
        hasher.argon2(
            &hasher.params,
            Algorithm::Argon2id,
            Version::V0x13,
            pepper.is_some(),
        )?;
        Ok(hasher)
    }

    fn argon2(
        &self,
        params: &Params,
        algorithm: Algorithm,
        version: Version,
        peppered: bool,
    ) -> Result<Argon2<'_>, Error> {
        match (peppered, &self.pepper) {
            (true, Some(pepper)) => {
                Argon2::new_with_secret(pepper, algorithm, version, params.clone()).map_err(hashing)
            }
            (true, None) => Err(Error::Hashing(
                "history entry was hashed with a pepper, and none is configured".into(),
            )),
            (false, _) => Ok(Argon2::new(algorithm, version, params.clone())),
        }
    }

    /// Hashes `password` into a new entry with the current parameters.
    ///
    /// # Errors
    ///
    /// [`Error::Hashing`] when argon2 fails (it does not with validated parameters).
    pub fn hash(&self, password: &Password, salt: &UserSalt) -> Result<HistoryEntry, Error> {
        self.hash_with(&self.params, password.expose().as_bytes(), salt)
    }

    /// Hashes a password's similarity stem into an entry: the same salt,
    /// cost and pepper as the password's own, told apart by argon2's
    /// associated data.
    ///
    /// # Errors
    ///
    /// As [`Hasher::hash`].
    pub fn hash_stem(&self, stem: &Stem, salt: &UserSalt) -> Result<HistoryEntry, Error> {
        self.hash_with(&self.stem_params, stem.expose().as_bytes(), salt)
    }

    fn hash_with(
        &self,
        params: &Params,
        input: &[u8],
        salt: &UserSalt,
    ) -> Result<HistoryEntry, Error> {
        let salt = SaltString::encode_b64(salt.as_bytes()).map_err(hashing)?;
        let argon2 = self.argon2(
            params,
            Algorithm::Argon2id,
            Version::V0x13,
            self.pepper.is_some(),
        )?;
        let mut out = Zeroizing::new([0u8; HASH_LEN]);
        let mut raw_salt = [0u8; SALT_LEN];
        let raw_salt = salt.decode_b64(&mut raw_salt).map_err(hashing)?;
        argon2
            .hash_password_into(input, raw_salt, out.as_mut())
            .map_err(hashing)?;
        let phc = PasswordHash {
            algorithm: Ident::new(Algorithm::Argon2id.as_str()).map_err(hashing)?,
            version: Some(Version::V0x13.into()),
            params: params.try_into().map_err(hashing)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(out.as_ref()).map_err(hashing)?),
        };
        Ok(HistoryEntry(phc.to_string()))
    }

    /// Whether `candidate` is one of the `history` entries, at one argon2 run
    /// per distinct (salt, parameters) group, compared in constant time.
    ///
    /// # Errors
    ///
    /// [`Error::BadHistoryEntry`] for an entry that cannot be read, and
    /// [`Error::Hashing`] for a peppered entry without a configured pepper: a
    /// history that cannot be checked is never taken as "not reused".
    pub fn contains(&self, history: &[HistoryEntry], candidate: &Password) -> Result<bool, Error> {
        self.lookup(history, candidate.expose().as_bytes(), None)
    }

    /// Whether `stem` is the stem of one of the passwords whose stem
    /// entries are `stems`, as [`Hasher::contains`] does it.
    ///
    /// # Errors
    ///
    /// As [`Hasher::contains`].
    pub fn contains_stem(&self, stems: &[HistoryEntry], stem: &Stem) -> Result<bool, Error> {
        self.lookup(stems, stem.expose().as_bytes(), None)
    }

    /// [`Hasher::contains_stem`] and [`Hasher::hash_stem`] in one, at one
    /// argon2 run when the stems share `salt` and the current parameters.
    ///
    /// # Errors
    ///
    /// As [`Hasher::check_and_hash`].
    pub fn check_and_hash_stem(
        &self,
        stems: &[HistoryEntry],
        stem: &Stem,
        salt: &UserSalt,
        made: Option<&HistoryEntry>,
    ) -> Result<(bool, HistoryEntry), Error> {
        let entry = match made.filter(|m| self.made_today(m, &self.stem_params, salt)) {
            Some(made) => made.clone(),
            None => self.hash_stem(stem, salt)?,
        };
        let parsed = Parsed::new(&entry.0).map_err(Error::Hashing)?;
        let similar = self.lookup(stems, stem.expose().as_bytes(), Some(&parsed))?;
        Ok((similar, entry))
    }

    /// [`Hasher::contains`] and [`Hasher::hash`] in one: whether `candidate` is
    /// in `history`, and its new entry under `salt`. When the history's newest
    /// entries already use `salt` and the current parameters, the new entry's
    /// hash doubles as the lookup hash, so a password change costs one argon2
    /// run in total.
    ///
    /// `made` is an entry of this very candidate made earlier (a check's
    /// [`Prehashed`]): when it has `salt` and today's cost it is the new
    /// entry, and nothing is hashed for its group. Handing in an entry of
    /// another password records that password's hash: the caller pairs them.
    ///
    /// # Errors
    ///
    /// As [`Hasher::contains`] and [`Hasher::hash`].
    pub fn check_and_hash(
        &self,
        history: &[HistoryEntry],
        candidate: &Password,
        salt: &UserSalt,
        made: Option<&HistoryEntry>,
    ) -> Result<(bool, HistoryEntry), Error> {
        let entry = match made.filter(|m| self.made_today(m, &self.params, salt)) {
            Some(made) => made.clone(),
            None => self.hash(candidate, salt)?,
        };
        let parsed = Parsed::new(&entry.0).map_err(Error::Hashing)?;
        let reused = self.lookup(history, candidate.expose().as_bytes(), Some(&parsed))?;
        Ok((reused, entry))
    }

    /// Looks `candidate` up, hashing once per group; `known` is an entry of the
    /// candidate itself whose group needs no hashing.
    fn lookup(
        &self,
        history: &[HistoryEntry],
        candidate: &[u8],
        known: Option<&Parsed<'_>>,
    ) -> Result<bool, Error> {
        let mut groups: BTreeMap<String, Vec<Parsed<'_>>> = BTreeMap::new();
        for (index, entry) in history.iter().enumerate() {
            let parsed =
                Parsed::new(&entry.0).map_err(|reason| Error::BadHistoryEntry { index, reason })?;
            groups.entry(parsed.group_key()).or_default().push(parsed);
        }
        let known = known.map(|k| (k.group_key(), k.hash.as_bytes()));
        let mut found = subtle::Choice::from(0u8);
        for (key, members) in &groups {
            let computed;
            let hash: &[u8] = match &known {
                Some((known_key, hash)) if known_key == key => hash,
                _ => {
                    computed = self.hash_like(&members[0], candidate)?;
                    &computed
                }
            };
            for member in members {
                found |= member.hash.as_bytes().ct_eq(hash);
            }
        }
        Ok(bool::from(found))
    }

    /// The hash of `candidate` with the salt and parameters of `entry`.
    fn hash_like(&self, entry: &Parsed<'_>, candidate: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let argon2 = self.argon2(
            &entry.params,
            entry.algorithm,
            entry.version,
            entry.is_peppered(),
        )?;
        let mut raw_salt = [0u8; 64];
        let raw_salt = entry.salt.decode_b64(&mut raw_salt).map_err(hashing)?;
        let mut out = Zeroizing::new(vec![0u8; entry.hash.len()]);
        argon2
            .hash_password_into(candidate, raw_salt, &mut out)
            .map_err(hashing)?;
        Ok(out)
    }

    /// Whether `entry` is what hashing with `params` and `salt` makes today
    /// (argon2id, version 0x13, the same cost, pepper use, associated data
    /// and length), so it can stand for a new entry.
    fn made_today(&self, entry: &HistoryEntry, params: &Params, salt: &UserSalt) -> bool {
        let Ok(p) = Parsed::new(&entry.0) else {
            return false;
        };
        let mut raw_salt = [0u8; 64];
        p.algorithm == Algorithm::Argon2id
            && p.version == Version::V0x13
            && p.params.m_cost() == params.m_cost()
            && p.params.t_cost() == params.t_cost()
            && p.params.p_cost() == params.p_cost()
            && p.params.keyid() == params.keyid()
            && p.params.data() == params.data()
            && p.is_peppered() == self.pepper.is_some()
            && p.hash.len() == HASH_LEN
            && p.salt.decode_b64(&mut raw_salt).ok() == Some(salt.as_bytes().as_slice())
    }

    /// Whether `entry` was hashed with other parameters (or pepper use) than
    /// this hasher's, so that it would be hashed differently today.
    pub fn is_obsolete(&self, entry: &HistoryEntry) -> bool {
        match Parsed::new(&entry.0) {
            Ok(p) => {
                p.algorithm != Algorithm::Argon2id
                    || p.version != Version::V0x13
                    || p.params.m_cost() != self.params.m_cost()
                    || p.params.t_cost() != self.params.t_cost()
                    || p.params.p_cost() != self.params.p_cost()
                    || p.is_peppered() != self.pepper.is_some()
                    || p.hash.len() != HASH_LEN
            }
            Err(_) => true,
        }
    }
}

fn hashing(e: impl fmt::Display) -> Error {
    Error::Hashing(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    fn rules(memory_kib: u32, iterations: u32) -> HistoryRules {
        let mut p = Policy::default();
        p.history.memory_kib = memory_kib;
        p.history.iterations = iterations;
        p.history
    }

    /// Known answer computed by the reference C implementation (libargon2 via
    /// argon2-cffi 25.1: `hash_secret(b"correct horse", bytes(range(16)),
    /// time_cost=2, memory_cost=64, parallelism=1, hash_len=32, type=ID)`).
    const KAT_PHC: &str = "$argon2id$v=19$m=64,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$nIfAaJi8GFFmabVKi5XTbmIpRklNelXCbzkaBAYGjBk";

    #[test]
    fn known_answer_matches_the_reference_implementation() {
        let hasher = Hasher::new(&rules(64, 2), None).unwrap();
        let salt = UserSalt::from_bytes(core::array::from_fn(|i| i as u8));
        let entry = hasher.hash(&Password::new("correct horse"), &salt).unwrap();
        assert_eq!(entry.as_str(), KAT_PHC);
        let stored = HistoryEntry::parse(KAT_PHC).unwrap();
        assert!(
            hasher
                .contains(
                    std::slice::from_ref(&stored),
                    &Password::new("correct horse")
                )
                .unwrap()
        );
        assert!(
            !hasher
                .contains(&[stored], &Password::new("correct horsE"))
                .unwrap()
        );
    }

    #[test]
    fn stems_hash_apart_from_passwords_and_take_the_pepper() {
        let salt = UserSalt::from_bytes([3; 16]);
        let plain = Hasher::new(&rules(64, 1), None).unwrap();
        let stem = Stem::of(&Password::new("Summer#2024")).unwrap();
        let entry = plain.hash_stem(&stem, &salt).unwrap();
        assert!(entry.as_str().contains("data=c3RlbQ"), "{entry:?}");
        // The stem's text as a password is another hash.
        assert_ne!(entry, plain.hash(&Password::new("summer"), &salt).unwrap());
        let next = Stem::of(&Password::new("Summer#2025")).unwrap();
        let (similar, again) = plain
            .check_and_hash_stem(std::slice::from_ref(&entry), &next, &salt, None)
            .unwrap();
        assert!(similar);
        assert_eq!(again, entry, "same stem, same salt: the same entry");
        let other = Stem::of(&Password::new("Winter#2024")).unwrap();
        assert!(
            !plain
                .contains_stem(std::slice::from_ref(&entry), &other)
                .unwrap()
        );

        let peppered = Hasher::new(&rules(64, 1), Some(b"sixteen byte key")).unwrap();
        let keyed = peppered.hash_stem(&stem, &salt).unwrap();
        assert_ne!(keyed, entry, "the pepper keys the stem");
        assert!(
            peppered
                .contains_stem(std::slice::from_ref(&keyed), &next)
                .unwrap()
        );
        assert!(matches!(
            plain.contains_stem(&[keyed], &next),
            Err(Error::Hashing(_))
        ));
    }

    #[test]
    fn normalised_forms_hash_the_same() {
        let hasher = Hasher::new(&rules(64, 1), None).unwrap();
        let salt = UserSalt::from_bytes([1; 16]);
        let nfd = hasher
            .hash(&Password::new("Cafe\u{301}-2024!"), &salt)
            .unwrap();
        assert!(
            hasher
                .contains(&[nfd], &Password::new("Café-2024!"))
                .unwrap()
        );
    }

    #[test]
    fn groups_by_salt_and_parameters() {
        let old = Hasher::new(&rules(64, 1), None).unwrap();
        let new = Hasher::new(&rules(128, 1), None).unwrap();
        let (s1, s2) = (UserSalt::from_bytes([1; 16]), UserSalt::from_bytes([2; 16]));
        let history = vec![
            old.hash(&Password::new("first-One-1"), &s1).unwrap(),
            old.hash(&Password::new("second-Two-2"), &s2).unwrap(),
            new.hash(&Password::new("third-Three-3"), &s1).unwrap(),
        ];
        for pw in ["first-One-1", "second-Two-2", "third-Three-3"] {
            assert!(new.contains(&history, &Password::new(pw)).unwrap(), "{pw}");
        }
        assert!(
            !new.contains(&history, &Password::new("fourth-Four-4"))
                .unwrap()
        );
        assert!(new.is_obsolete(&history[0]));
        assert!(!new.is_obsolete(&history[2]));
    }

    #[test]
    fn pepper_changes_the_hash_and_is_required_to_check() {
        let secret = b"a long server-side pepper value";
        let peppered = Hasher::new(&rules(64, 1), Some(secret)).unwrap();
        let plain = Hasher::new(&rules(64, 1), None).unwrap();
        let salt = UserSalt::from_bytes([3; 16]);
        let pw = Password::new("Pepper-Pot-9");
        let entry = peppered.hash(&pw, &salt).unwrap();
        assert!(entry.as_str().contains("keyid="), "{}", entry.as_str());
        assert_ne!(entry.as_str(), plain.hash(&pw, &salt).unwrap().as_str());
        assert!(
            peppered
                .contains(std::slice::from_ref(&entry), &pw)
                .unwrap()
        );
        assert!(matches!(
            plain.contains(std::slice::from_ref(&entry), &pw),
            Err(Error::Hashing(_))
        ));
        assert!(plain.is_obsolete(&entry));
        // Entries made before a pepper was configured still match.
        let before = plain.hash(&pw, &salt).unwrap();
        assert!(peppered.contains(&[before], &pw).unwrap());
    }

    #[test]
    fn unreadable_entries_are_errors_not_misses() {
        let hasher = Hasher::new(&rules(64, 1), None).unwrap();
        let good = hasher
            .hash(&Password::new("x"), &UserSalt::from_bytes([4; 16]))
            .unwrap();
        for bad in [
            "",
            "plain",
            "$6$salt$hash",
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ",
        ] {
            let err = HistoryEntry::parse(bad).unwrap_err();
            assert!(matches!(err, Error::BadHistoryEntry { .. }), "{bad}: {err}");
            let forged = HistoryEntry(bad.to_owned());
            let err = hasher
                .contains(&[good.clone(), forged], &Password::new("x"))
                .unwrap_err();
            assert!(
                matches!(err, Error::BadHistoryEntry { index: 1, .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn debug_shows_no_hash_or_pepper() {
        let hasher = Hasher::new(&rules(64, 1), Some(b"pepper-secret")).unwrap();
        let entry = hasher
            .hash(&Password::new("x"), &UserSalt::from_bytes([5; 16]))
            .unwrap();
        let hash_part = entry.as_str().rsplit('$').next().unwrap().to_owned();
        let shown = format!("{hasher:?} {entry:?} {:?}", UserSalt::from_bytes([5; 16]));
        assert!(
            !shown.contains(&hash_part) && !shown.contains("pepper-secret"),
            "{shown}"
        );
    }

    #[test]
    fn check_and_hash_agrees_with_contains_and_hash() {
        let hasher = Hasher::new(&rules(64, 1), None).unwrap();
        let old = Hasher::new(&rules(128, 1), None).unwrap();
        let salt = UserSalt::from_bytes([6; 16]);
        let history = vec![
            old.hash(&Password::new("Older-1"), &salt).unwrap(),
            hasher.hash(&Password::new("Newer-2"), &salt).unwrap(),
        ];
        for (pw, reused) in [("Older-1", true), ("Newer-2", true), ("Fresh-3", false)] {
            let pw = Password::new(pw);
            let (found, entry) = hasher.check_and_hash(&history, &pw, &salt, None).unwrap();
            assert_eq!(found, reused);
            assert_eq!(entry, hasher.hash(&pw, &salt).unwrap());
        }
    }

    /// A check's entry stands in for the commit's hash when salt and cost
    /// still match, and is ignored when either has moved on. (An entry of
    /// another password shows which hash was used: the made one is taken on
    /// trust, which is why its maker pairs it with its own password.)
    #[test]
    fn an_entry_made_today_is_not_made_again() {
        let hasher = Hasher::new(&rules(64, 1), None).unwrap();
        let salt = UserSalt::from_bytes([6; 16]);
        let newer = hasher.hash(&Password::new("Newer-2"), &salt).unwrap();
        let history = vec![newer.clone()];
        let candidate = Password::new("Fresh-3");

        let (found, entry) = hasher
            .check_and_hash(&history, &candidate, &salt, Some(&newer))
            .unwrap();
        assert!(found, "the made entry's hash was the one compared");
        assert_eq!(entry, newer, "and the one returned, unhashed");

        let other_salt = UserSalt::from_bytes([7; 16]);
        let stale = [
            hasher.hash(&Password::new("Newer-2"), &other_salt).unwrap(),
            Hasher::new(&rules(128, 1), None)
                .unwrap()
                .hash(&Password::new("Newer-2"), &salt)
                .unwrap(),
            Hasher::new(&rules(64, 1), Some(b"sixteen byte key"))
                .unwrap()
                .hash(&Password::new("Newer-2"), &salt)
                .unwrap(),
            hasher
                .hash_stem(&Stem::of(&Password::new("Newer#2")).unwrap(), &salt)
                .unwrap(),
        ];
        for made in &stale {
            let (found, entry) = hasher
                .check_and_hash(&history, &candidate, &salt, Some(made))
                .unwrap();
            assert!(!found, "{made:?}");
            assert_eq!(entry, hasher.hash(&candidate, &salt).unwrap(), "{made:?}");
        }

        let stem = Stem::of(&Password::new("Fresh#3")).unwrap();
        let made_stem = hasher.hash_stem(&stem, &salt).unwrap();
        let (_, entry) = hasher
            .check_and_hash_stem(&[], &stem, &salt, Some(&newer))
            .unwrap();
        assert_eq!(entry, made_stem, "a password's entry is no stem's");
        let (_, entry) = hasher
            .check_and_hash_stem(&[], &stem, &salt, Some(&made_stem))
            .unwrap();
        assert_eq!(entry, made_stem);
    }

    #[test]
    fn empty_history_contains_nothing() {
        let hasher = Hasher::new(&rules(64, 1), None).unwrap();
        assert!(!hasher.contains(&[], &Password::new("x")).unwrap());
    }
}

//! The policy's breached-password list (`[breached] file`), as the filter
//! and the C API read it: opened under `pwpolicy-host`'s rules (on Unix as
//! root, nobody else may be able to replace it; on Windows, its ACLs),
//! checked against the policy's `min_count`, asked after the text rules.
//!
//! How long the file stays open depends on what the operating system lets a
//! publisher do to an open file ([`Hold`]): on Linux it stays mapped (a
//! rename replaces it underneath, and the next lookup maps the new one); on
//! Windows it is mapped for each lookup and closed again, because Windows
//! refuses to replace a file that is open or mapped, so a list held mapped
//! inside LSASS could never be updated (docs/windows.md, "Breached
//! passwords").
//!
//! What it does not do: decide what a failure means. The policy in force follows
//! `[filter] on_error`; the C API returns `PWPOLICY_E_LIST`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pwpolicy::{BreachedRules, Verdict};
use pwpolicy_breach_file::{BreachFileError, MappedSet, Watched};
use pwpolicy_host::breached::open_trusted;

use crate::error::Error;

/// How long the list's file stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Mapped once, and mapped again when the file at the path is replaced:
    /// a lookup costs a `stat` and two page reads.
    Mapped,
    /// Mapped for one lookup and closed: nothing is held between calls, so
    /// the file can be replaced whenever no lookup is running.
    PerLookup,
}

/// What this build does: [`Hold::PerLookup`] on Windows, [`Hold::Mapped`]
/// elsewhere.
pub const HOLD: Hold = if cfg!(windows) {
    Hold::PerLookup
} else {
    Hold::Mapped
};

/// Where the filter comes from.
#[derive(Debug)]
enum Source {
    Mapped(Arc<Watched>),
    PerLookup(PathBuf),
}

/// The list a policy names, with the policy's rules for it.
#[derive(Debug)]
pub struct List {
    source: Source,
    rules: BreachedRules,
}

impl List {
    /// The list `rules` name, or `None` when they name none. Nothing is
    /// opened yet. A `previous` list of the same file keeps its map (a
    /// policy reload that leaves `[breached] file` alone does not remap it).
    pub fn new(rules: &BreachedRules, hold: Hold, previous: Option<&List>) -> Option<List> {
        let file = rules.file.as_deref()?;
        let path = Path::new(file);
        let source = match (hold, previous.map(|p| &p.source)) {
            (Hold::Mapped, Some(Source::Mapped(watched))) if watched.path() == path => {
                Source::Mapped(Arc::clone(watched))
            }
            (Hold::Mapped, _) => Source::Mapped(Arc::new(Watched::new(path, open_trusted))),
            (Hold::PerLookup, _) => Source::PerLookup(path.to_owned()),
        };
        Some(List {
            source,
            rules: rules.clone(),
        })
    }

    /// The file.
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        match &self.source {
            Source::Mapped(watched) => watched.path(),
            Source::PerLookup(path) => path,
        }
    }

    /// The filter now at the path, if it is usable under the policy.
    ///
    /// # Errors
    ///
    /// [`Error::BreachedList`] when the file is missing, unreadable, not a
    /// filter, truncated, damaged where opening reads, or built with a
    /// higher `--min-count` than the policy's `min_count`.
    pub fn open(&self) -> Result<Arc<MappedSet>, Error> {
        let mapped = self.current()?;
        mapped.meets(self.rules.min_count).map_err(list_error)?;
        Ok(mapped)
    }

    /// The filter now at the path, whatever the policy asks of it.
    fn current(&self) -> Result<Arc<MappedSet>, Error> {
        match &self.source {
            Source::Mapped(watched) => watched.current(),
            Source::PerLookup(path) => MappedSet::open(path, open_trusted).map(Arc::new),
        }
        .map_err(list_error)
    }

    /// Adds `breached` to `verdict` when `password` (as typed, not its NFKC
    /// form: the list holds what people typed) is in the list.
    ///
    /// # Errors
    ///
    /// As [`List::open`], and [`Error::BreachedList`] when a page the lookup
    /// reads is damaged. `verdict` is then unchanged.
    pub fn screen(&self, verdict: &mut Verdict, password: &str) -> Result<(), Error> {
        self.current()?
            .screen(&self.rules, verdict, password)
            .map_err(list_error)
    }
}

/// The one mapping from the list's errors to ours: the message (which names
/// the file and says why) without the dependency's type.
fn list_error(e: BreachFileError) -> Error {
    Error::BreachedList(pwpolicy_host::say(&e))
}

/// Writes a filter of `passwords` (SHA-1 keys, built with `--min-count
/// min_count`) to `path` by rename, as publishers do. For tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
pub(crate) fn write_filter(path: &Path, passwords: &[&str], min_count: u64) {
    use pwpolicy_breach::{Encoder, KeyKind, Settings};
    let kind = KeyKind::Sha1;
    let mut keys: Vec<u64> = passwords.iter().map(|p| kind.prefix_of(p)).collect();
    keys.sort_unstable();
    keys.dedup();
    let settings = Settings {
        kind,
        one_in: 1_000_000_000,
        min_count,
        created: 0,
    };
    let mut encoder = Encoder::new(
        std::io::Cursor::new(Vec::new()),
        settings,
        keys.len() as u64,
    )
    .unwrap();
    for key in keys {
        encoder.push(key).unwrap();
    }
    let (_, file) = encoder.finish().unwrap();
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, file.into_inner()).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;
    use pwpolicy::{Names, Password, Policy, Violation};

    fn rules(path: &Path) -> BreachedRules {
        let mut policy = Policy::default();
        policy.breached.file = Some(path.to_str().unwrap().to_owned());
        policy.breached
    }

    fn breached(list: &List, password: &str) -> Result<bool, Error> {
        let mut verdict = Policy::default().check(&Password::new(password), &Names::new("", ""));
        list.screen(&mut verdict, password)?;
        Ok(verdict.violations().contains(&Violation::Breached))
    }

    #[test]
    fn both_holds_see_a_replaced_file_and_never_the_old_one_after_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.pwbf");
        write_filter(&path, &["Summer2024!", "Winter2024!"], 1);
        for hold in [Hold::Mapped, Hold::PerLookup] {
            write_filter(&path, &["Summer2024!", "Winter2024!"], 1);
            let list = List::new(&rules(&path), hold, None).unwrap();
            assert_eq!(list.path(), path);
            assert!(breached(&list, "Summer2024!").unwrap(), "{hold:?}");
            assert!(!breached(&list, "Blue-Kettle-42").unwrap(), "{hold:?}");
            write_filter(&path, &["Blue-Kettle-42"], 1);
            assert!(breached(&list, "Blue-Kettle-42").unwrap(), "{hold:?}");
            assert!(!breached(&list, "Summer2024!").unwrap(), "{hold:?}");
            let temp = path.with_extension("tmp");
            std::fs::write(&temp, b"not a filter").unwrap();
            std::fs::rename(&temp, &path).unwrap();
            let e = breached(&list, "Blue-Kettle-42").unwrap_err();
            assert!(
                e.to_string().contains(path.to_str().unwrap()),
                "{hold:?}: {e}"
            );
            std::fs::remove_file(&path).unwrap();
            let e = list.open().unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("cannot read breached-password list"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_reload_of_the_same_file_keeps_the_map_and_another_file_gets_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.pwbf"), dir.path().join("b.pwbf"));
        write_filter(&a, &["Summer2024!"], 1);
        write_filter(&b, &["Winter2024!"], 1);
        let first = List::new(&rules(&a), Hold::Mapped, None).unwrap();
        first.open().unwrap();
        let same = List::new(&rules(&a), Hold::Mapped, Some(&first)).unwrap();
        let (Source::Mapped(x), Source::Mapped(y)) = (&first.source, &same.source) else {
            panic!("mapped");
        };
        assert!(Arc::ptr_eq(x, y), "same file: same map");
        let other = List::new(&rules(&b), Hold::Mapped, Some(&first)).unwrap();
        assert_eq!(other.path(), b);
        assert!(breached(&other, "Winter2024!").unwrap());
        assert!(!breached(&other, "Summer2024!").unwrap());
        assert!(List::new(&BreachedRules::default(), Hold::Mapped, Some(&first)).is_none());
    }

    #[test]
    fn a_list_built_sparser_than_the_policy_wants_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.pwbf");
        write_filter(&path, &["Summer2024!"], 10);
        let mut rules = rules(&path);
        rules.min_count = Some(5);
        let list = List::new(&rules, HOLD, None).unwrap();
        let e = list.open().unwrap_err();
        assert!(
            e.to_string().contains("--min-count 10") && e.to_string().contains("sparse.pwbf"),
            "{e}"
        );
        rules.min_count = Some(10);
        assert!(breached(&List::new(&rules, HOLD, None).unwrap(), "Summer2024!").unwrap());
    }
}

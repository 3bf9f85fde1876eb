//! The policy's breached-password list, for every front end of this crate:
//! opened under root's file rules, kept mapped for as long as the caller
//! keeps its [`Lists`], and asked after the text rules.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pwpolicy::{BreachedRules, Names, Password, Policy, Verdict};
use pwpolicy_breach_file::{BreachFileError, Watched};

use crate::files::{self, FileError, Rule};

/// The lists a caller has mapped, by path. pwpolicyd keeps one for its
/// lifetime (a lookup is then two page reads and a `stat`); the CLI and the
/// PAM module use one per call.
#[derive(Debug, Default)]
pub struct Lists {
    by_path: Mutex<HashMap<PathBuf, Arc<Watched>>>,
}

impl Lists {
    /// No list mapped yet.
    pub fn new() -> Lists {
        Lists::default()
    }

    /// Adds `breached` to `verdict` when the list `rules` name has
    /// `password` (as typed: the raw text, not the NFKC form). No list named:
    /// nothing to do.
    ///
    /// # Errors
    ///
    /// [`BreachFileError`] when the list is missing, unusable, too sparse
    /// for `min_count`, or damaged where the lookup read.
    pub fn screen(
        &self,
        rules: &BreachedRules,
        verdict: &mut Verdict,
        password: &str,
    ) -> Result<(), BreachFileError> {
        let Some(path) = rules.file.as_deref() else {
            return Ok(());
        };
        let watched = {
            let mut by_path = self.by_path.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                by_path
                    .entry(PathBuf::from(path))
                    .or_insert_with(|| Arc::new(Watched::new(path, open_trusted))),
            )
        };
        watched.current()?.screen(rules, verdict, password)
    }

    /// The text rules (length, classes, names) and the breached list: what
    /// needs no store.
    ///
    /// # Errors
    ///
    /// As [`Lists::screen`].
    pub fn text_verdict(
        &self,
        policy: &Policy,
        user: &str,
        full_name: &str,
        password: &str,
    ) -> Result<Verdict, BreachFileError> {
        let mut verdict = policy.check(&Password::new(password), &Names::new(user, full_name));
        self.screen(&policy.breached, &mut verdict, password)?;
        Ok(verdict)
    }
}

/// Opens a list under the policy file's rules ([`Rule::Enforced`]): root
/// refuses one that someone else could replace with a smaller list.
pub fn open_trusted(path: &Path) -> Result<File, BreachFileError> {
    files::open(path, Rule::Enforced).map_err(|e| match e {
        FileError::Missing(_) => BreachFileError::Read {
            path: path.to_owned(),
            source: std::io::ErrorKind::NotFound.into(),
        },
        FileError::Read { source, .. } => BreachFileError::Read {
            path: path.to_owned(),
            source,
        },
        e => BreachFileError::Untrusted {
            path: path.to_owned(),
            reason: e.to_string(),
        },
    })
}

//! The expiry side of the seam over a directory: `status`, `list` and
//! `report` for its users, in the same typed answers as the store's, with
//! the core's [`Standing`]. Passwords are set on the DC (its check password
//! script or filter DLL checks them), so a directory has no password side.

use pwpolicy::audit::Audit;
use pwpolicy::{Policy, Standing};
use pwpolicy_backend::{BackendError, DirectoryView, Expiry, Notes, Rows, Status};
use pwpolicy_directory::{Account, Domain, Expiry as AccountExpiry, Pso};
use time::OffsetDateTime;

use crate::change::ChangeError;
use crate::connection::Connection;
use crate::error::DirectoryError;
use crate::target::Target;

/// A directory's users, read over LDAP.
#[derive(Debug)]
pub struct Directory {
    target: Target,
    policy: Policy,
    include_disabled: bool,
    open: Option<Open>,
}

/// What is read once per connection.
#[derive(Debug)]
struct Open {
    conn: Connection,
    domain: Domain,
    psos: Vec<Pso>,
    unreadable: Vec<String>,
}

impl Directory {
    /// The directory `target`; the policy gives the warning window.
    pub fn new(target: Target, policy: Policy) -> Directory {
        Directory {
            target,
            policy,
            include_disabled: false,
            open: None,
        }
    }

    /// Report disabled accounts too (left out by default: they cannot log on).
    #[must_use]
    pub fn include_disabled(mut self, yes: bool) -> Directory {
        self.include_disabled = yes;
        self
    }

    /// The connection, opened (and the domain's settings read) on first use.
    fn open(&mut self) -> Result<&mut Open, DirectoryError> {
        if self.open.is_none() {
            let mut conn = Connection::open(&self.target)?;
            let domain = conn.domain()?;
            let psos = conn.psos()?;
            self.open = Some(Open {
                conn,
                domain,
                psos: psos.readable,
                unreadable: psos.unreadable,
            });
        }
        match self.open.as_mut() {
            Some(open) => Ok(open),
            None => unreachable!("opened above"),
        }
    }

    /// Changes `user`'s password from `current` to `new` on the directory,
    /// as [`Connection::change_password`] does (its answer floor the
    /// default), under the target's base.
    /// A connection that fails is dropped, so the next call opens another.
    ///
    /// # Errors
    ///
    /// [`ChangeError`], as [`Connection::change_password`].
    pub fn change_password(
        &mut self,
        user: &str,
        current: &str,
        new: &str,
    ) -> Result<(), ChangeError> {
        let base = self.target.base.clone();
        let result = self
            .open()
            .map_err(ChangeError::Unavailable)?
            .conn
            .change_password(base.as_deref(), user, current, new);
        if matches!(result, Err(ChangeError::Unavailable(_))) {
            self.open = None;
        }
        result
    }

    /// Whether the domain's own settings enforce the policy.
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] when the directory cannot be read, or holds a PSO
    /// this bind account may not read (an audit without it could pass a
    /// domain that does not conform).
    pub fn audit(&mut self) -> Result<Audit, DirectoryError> {
        let policy = self.policy.clone();
        let url = self.target.url.clone();
        let open = self.open()?;
        if let Some(dn) = open.unreadable.first() {
            return Err(DirectoryError::Search {
                url,
                base: dn.clone(),
                why: format!(
                    "this bind account may not read the settings of {} PSO(s): audit as an account that may (a Domain Admin)",
                    open.unreadable.len()
                ),
            });
        }
        Ok(pwpolicy_directory::audit(&policy, &open.domain, &open.psos))
    }

    /// The status of one of the directory's users: the core's standing
    /// under the expiry the DC works out, with the policy's warning window.
    fn row(&self, account: &Account, expiry: &AccountExpiry, now: OffsetDateTime) -> Status {
        let standing = Standing::until(
            &self.policy.expiry,
            expiry.last_changed,
            expiry.expires,
            expiry.must_change,
            now,
        );
        // The policy's classes by name (`users`) still say who is reminded
        // of an old password; the DC says when it expires.
        let coverage = self.policy.for_account(
            &pwpolicy::Account::named(&account.name),
            pwpolicy::LoginDefs::default(),
        );
        let record = pwpolicy::Record {
            last_change: expiry.last_changed,
            must_change: expiry.must_change,
            created: account.created,
        };
        let reminder = (!expiry.disabled)
            .then(|| coverage.reminder(&standing, Some(&record), pwpolicy::CREATION_SLACK, now))
            .flatten();
        Status {
            max_age_days: expiry
                .max_age
                .map_or(0, |d| u32::try_from(d.whole_days()).unwrap_or(u32::MAX)),
            warn_days: self.policy.expiry.warn_days,
            directory: Some(DirectoryView {
                dn: account.dn.clone(),
                disabled: expiry.disabled,
                never_expires: expiry.never_expires,
                settings: expiry.governed.label().to_owned(),
                mail: account.mail.clone(),
                created: account.created.map(|t| pwpolicy::format_date(t.date())),
            }),
            reminder,
            full_name: account.display_name.clone(),
            ..Status::standing(&account.name, &standing)
        }
    }
}

fn backend_error(e: DirectoryError) -> BackendError {
    BackendError::Directory(Box::new(e))
}

impl Notes for Directory {}

impl Expiry for Directory {
    fn status(&mut self, user: Option<&str>) -> Result<Status, BackendError> {
        let user = user.ok_or(BackendError::NeedUser)?;
        let now = OffsetDateTime::now_utc();
        let base = self.target.base.clone();
        let warn_days = self.policy.expiry.warn_days;
        let open = self.open().map_err(backend_error)?;
        let mut found = None;
        open.conn
            .each_user(base.as_deref(), Some(user), &mut |a| {
                found.get_or_insert(a);
                Ok(())
            })
            .map_err(backend_error)?;
        let Some(account) = found else {
            return Ok(Status {
                note: Some(format!("no such user in {}", self.target.url)),
                warn_days,
                ..Status::standing(user, &Standing::unknown())
            });
        };
        let expiry = account.expiry(&open.domain, &open.psos);
        let note = match &expiry.governed {
            pwpolicy_directory::Governed::UnreadablePso(dn) if expiry.expires.is_none() => {
                Some(format!(
                    "governed by {dn}, which this bind account may not read: the expiry is unknown"
                ))
            }
            _ if expiry.disabled => Some("the account is disabled".into()),
            _ => None,
        };
        Ok(Status {
            note,
            ..self.row(&account, &expiry, now)
        })
    }

    fn list(&mut self, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        let now = OffsetDateTime::now_utc();
        let base = self.target.base.clone();
        self.open().map_err(backend_error)?;
        let Some(Open {
            conn, domain, psos, ..
        }) = self.open.take()
        else {
            unreachable!("opened above");
        };
        let mut conn = conn;
        let mut failed = None;
        let walked = conn.each_user(base.as_deref(), None, &mut |a| {
            if failed.is_some() {
                return Ok(());
            }
            let expiry = a.expiry(&domain, &psos);
            if let Err(e) = visit(self.row(&a, &expiry, now)) {
                failed = Some(e);
            }
            Ok(())
        });
        self.open = Some(Open {
            conn,
            domain,
            psos,
            unreadable: Vec::new(),
        });
        if let Some(e) = failed {
            return Err(e);
        }
        walked.map_err(backend_error)
    }

    fn report(&mut self, days: u32, visit: &mut Rows<'_>) -> Result<(), BackendError> {
        let now = OffsetDateTime::now_utc();
        let base = self.target.base.clone();
        self.open().map_err(backend_error)?;
        let Some(Open {
            conn, domain, psos, ..
        }) = self.open.as_mut()
        else {
            unreachable!("opened above");
        };
        // Only the rows in the window are kept, to be put in order: forced
        // first, then the soonest to expire.
        let mut due = Vec::new();
        let (rules, include_disabled) = (&self.policy.expiry, self.include_disabled);
        conn.each_user(base.as_deref(), None, &mut |a| {
            let expiry = a.expiry(domain, psos);
            let standing = Standing::until(
                rules,
                expiry.last_changed,
                expiry.expires,
                expiry.must_change,
                now,
            );
            if standing.is_due(days) && (include_disabled || !expiry.disabled) {
                due.push((a, expiry));
            }
            Ok(())
        })
        .map_err(backend_error)?;
        due.sort_by(|(a, x), (b, y)| {
            y.must_change
                .cmp(&x.must_change)
                .then(x.expires.cmp(&y.expires))
                .then(a.name.cmp(&b.name))
        });
        for (account, expiry) in &due {
            visit(self.row(account, expiry, now))?;
        }
        Ok(())
    }
}

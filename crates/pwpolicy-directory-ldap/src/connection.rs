//! One bound LDAP connection to a DC: the domain's settings, its PSOs,
//! and its users in pages (so a 100,000-user domain streams through).

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConn, LdapConnSettings, LdapError, Scope, SearchEntry};
use pwpolicy_directory::{
    Account, DOMAIN_ATTRS, Domain, Entry, PSO_ATTRS, Pso, USER_ATTRS, USER_FILTER,
};

use crate::error::DirectoryError;
use crate::target::{Protection, Target};
use crate::tls;

/// Entries a page (AD's MaxPageSize is 1,000).
const PAGE_SIZE: i32 = 500;
/// LDAP result `noSuchObject`.
const NO_SUCH_OBJECT: u32 = 32;

/// The domain's PSOs as this bind account sees them.
#[derive(Debug, Clone, Default)]
pub struct Psos {
    /// Those it may read.
    pub readable: Vec<Pso>,
    /// The DNs of those whose settings it may not read.
    pub unreadable: Vec<String>,
}

/// A bound connection and the domain it serves.
pub struct Connection {
    pub(crate) ldap: LdapConn,
    pub(crate) url: String,
    /// How it is protected.
    pub(crate) protection: Protection,
    /// The least time a "wrong current password" answer takes.
    pub(crate) answer_floor: std::time::Duration,
    /// The domain's DN (`defaultNamingContext`).
    naming_context: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url)
            .field("naming_context", &self.naming_context)
            .field("protection", &self.protection)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects (TLS as the target says, certificates checked), binds and
    /// reads the RootDSE.
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] naming what failed.
    pub fn open(target: &Target) -> Result<Connection, DirectoryError> {
        let url = target.url.clone();
        let connect_error = |e: LdapError| {
            let mut why = describe(&e);
            if why.contains("certificate") {
                why.push_str(
                    " (a DC with its own CA: give its certificate with --ca-file or [directory] ca_file)",
                );
            }
            DirectoryError::Connect {
                url: url.clone(),
                why,
            }
        };
        // Every file first: one that may not be used (a planted link, a
        // FIFO, a CA file someone else could write) stops the run before a
        // byte leaves for the server.
        let password = match (&target.bind_dn, &target.bind_password_file) {
            (Some(_), Some(path)) => pwpolicy_host::directory_files::bind_password(path)?,
            _ => zeroize::Zeroizing::new(String::new()),
        };
        let mut settings = LdapConnSettings::new().set_conn_timeout(target.timeout);
        if matches!(target.protection, Protection::Tls | Protection::StartTls) {
            settings = settings
                .set_config(tls::client_config(target.ca_file.as_deref())?)
                .set_starttls(target.protection == Protection::StartTls);
        }
        let mut ldap = LdapConn::with_settings(settings, &target.url).map_err(connect_error)?;
        ldap.with_timeout(target.timeout);
        if let Some(dn) = &target.bind_dn {
            let bind = |why: String| DirectoryError::Bind {
                url: url.clone(),
                dn: dn.clone(),
                why,
            };
            let result = ldap
                .simple_bind(dn, &password)
                .map_err(|e| bind(describe(&e)))?;
            drop(password);
            if result.rc != 0 {
                let hint = match result.rc {
                    8 => {
                        ": the server takes simple binds only over TLS (use ldaps://, or ldap:// with StartTLS)"
                    }
                    49 | 53 if target.bind_password_file.is_none() => {
                        ": give the password with --bind-password-file"
                    }
                    49 => ": wrong DN or password (the password is the file's first line)",
                    _ => "",
                };
                return Err(bind(format!("{}{hint}", server_says(&result))));
            }
        }
        let mut conn = Connection {
            ldap,
            url,
            protection: target.protection,
            answer_floor: crate::change::DEFAULT_ANSWER_FLOOR,
            naming_context: String::new(),
        };
        let root = conn
            .base_entry("", &["defaultNamingContext"])?
            .ok_or_else(|| conn.not_ad("sent no RootDSE"))?;
        conn.naming_context = root
            .values("defaultNamingContext")
            .first()
            .cloned()
            .ok_or_else(|| {
                conn.not_ad(
                    "has no defaultNamingContext: it is not an Active Directory domain controller",
                )
            })?;
        Ok(conn)
    }

    /// The URL it is connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the connection is protected.
    pub fn protection(&self) -> Protection {
        self.protection
    }

    /// The domain's DN.
    pub fn naming_context(&self) -> &str {
        &self.naming_context
    }

    fn not_ad(&self, why: &str) -> DirectoryError {
        DirectoryError::NotActiveDirectory {
            url: self.url.clone(),
            why: why.to_owned(),
        }
    }

    pub(crate) fn search_error(&self, base: &str, why: String) -> DirectoryError {
        DirectoryError::Search {
            url: self.url.clone(),
            base: base.to_owned(),
            why,
        }
    }

    fn attr_error(&self, source: pwpolicy_directory::AttrError) -> DirectoryError {
        DirectoryError::Attr {
            url: self.url.clone(),
            source,
        }
    }

    /// One entry by DN, `None` when there is none.
    fn base_entry(&mut self, dn: &str, attrs: &[&str]) -> Result<Option<Entry>, DirectoryError> {
        let (entries, result) =
            match self
                .ldap
                .search(dn, Scope::Base, "(objectClass=*)", attrs.to_vec())
            {
                Ok(r) => (r.0, r.1),
                Err(e) => return Err(self.search_error(dn, describe(&e))),
            };
        match result.rc {
            0 => Ok(entries
                .into_iter()
                .next()
                .map(|e| entry(SearchEntry::construct(e)))),
            NO_SUCH_OBJECT => Ok(None),
            _ => Err(self.search_error(dn, server_says(&result))),
        }
    }

    /// The domain's own password settings.
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] when the domain object cannot be read.
    pub fn domain(&mut self) -> Result<Domain, DirectoryError> {
        let nc = self.naming_context.clone();
        let e = self
            .base_entry(&nc, DOMAIN_ATTRS)?
            .ok_or_else(|| self.search_error(&nc, "the domain object is missing".into()))?;
        Domain::from_entry(&e).map_err(|e| self.attr_error(e))
    }

    /// Every PSO in the domain: those this bind account may read, and the
    /// DNs of those it sees but may not read (an ordinary user sees the
    /// entries of the Password Settings Container, not their attributes).
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] when the container cannot be searched.
    pub fn psos(&mut self) -> Result<Psos, DirectoryError> {
        let base = format!(
            "CN=Password Settings Container,CN=System,{}",
            self.naming_context
        );
        let mut psos = Psos::default();
        // `objectClass=*`: a reader who may not read a PSO's attributes
        // would not match on its objectClass, and would miss it silently.
        self.each(
            &base,
            Scope::OneLevel,
            "(objectClass=*)",
            PSO_ATTRS,
            &mut |e| {
                match Pso::from_entry(&e) {
                    Ok(pso) => psos.readable.push(pso),
                    Err(_) => psos.unreadable.push(e.dn),
                }
                Ok(())
            },
        )?;
        psos.readable
            .sort_by(|a, b| a.precedence.cmp(&b.precedence).then(a.dn.cmp(&b.dn)));
        Ok(psos)
    }

    /// Visits the people under `base` (default: the domain), or the one
    /// named `user`, as the pages come.
    ///
    /// # Errors
    ///
    /// [`DirectoryError`] from the search, an entry, or `visit`.
    pub fn each_user(
        &mut self,
        base: Option<&str>,
        user: Option<&str>,
        visit: &mut dyn FnMut(Account) -> Result<(), DirectoryError>,
    ) -> Result<(), DirectoryError> {
        let base = base.map_or_else(|| self.naming_context.clone(), str::to_owned);
        let filter = match user {
            Some(name) => format!(
                "(&{USER_FILTER}(sAMAccountName={}))",
                ldap3::ldap_escape(name)
            ),
            None => USER_FILTER.to_owned(),
        };
        let url = self.url.clone();
        self.each(&base, Scope::Subtree, &filter, USER_ATTRS, &mut |e| {
            visit(
                Account::from_entry(&e).map_err(|source| DirectoryError::Attr {
                    url: url.clone(),
                    source,
                })?,
            )
        })
    }

    /// A paged search, entry by entry; an absent base has no entries.
    fn each(
        &mut self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        visit: &mut dyn FnMut(Entry) -> Result<(), DirectoryError>,
    ) -> Result<(), DirectoryError> {
        let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
            Box::new(EntriesOnly::new()),
            Box::new(PagedResults::new(PAGE_SIZE)),
        ];
        let url = self.url.clone();
        let fail = |why: String| DirectoryError::Search {
            url: url.clone(),
            base: base.to_owned(),
            why,
        };
        let mut stream = self
            .ldap
            .streaming_search_with(adapters, base, scope, filter, attrs.to_vec())
            .map_err(|e| fail(describe(&e)))?;
        loop {
            match stream.next() {
                Ok(Some(raw)) => visit(entry(SearchEntry::construct(raw)))?,
                Ok(None) => break,
                Err(e) => return Err(fail(describe(&e))),
            }
        }
        let result = stream.result();
        match result.rc {
            0 | NO_SUCH_OBJECT => Ok(()),
            _ => Err(fail(server_says(&result))),
        }
    }
}

/// An ldap3 entry as the pure crate reads it (binary values, which none of
/// the attributes asked for has, are left out).
fn entry(e: SearchEntry) -> Entry {
    Entry {
        dn: e.dn,
        attrs: e.attrs.into_iter().collect(),
    }
}

/// The server's result code and its text.
pub(crate) fn server_says(result: &ldap3::LdapResult) -> String {
    let text = result.text.trim_end_matches('\0').trim();
    if text.is_empty() {
        format!("result code {}", result.rc)
    } else {
        format!("result code {}: {text}", result.rc)
    }
}

/// An ldap3 error for people (TLS and I/O errors carry their cause).
pub(crate) fn describe(e: &LdapError) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

//! A directory entry as the LDAP client hands it over: a DN and its
//! attributes' values as text. Attribute names are matched without case,
//! as LDAP matches them.

use crate::error::AttrError;

/// One entry of a search result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// Its distinguished name.
    pub dn: String,
    /// Its attributes and their values, as the server sent them.
    pub attrs: Vec<(String, Vec<String>)>,
}

impl Entry {
    /// An entry with these attributes (for tests and callers that build one).
    pub fn new(dn: &str, attrs: &[(&str, &str)]) -> Entry {
        Entry {
            dn: dn.to_owned(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
                .collect(),
        }
    }

    /// Every value of `attr`.
    pub fn values(&self, attr: &str) -> &[String] {
        self.attrs
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(attr))
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The value of a single-valued attribute, if present.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when it has more than one value.
    pub fn single(&self, attr: &'static str) -> Result<Option<&str>, AttrError> {
        match self.values(attr) {
            [] => Ok(None),
            [one] => Ok(Some(one.as_str())),
            _ => Err(AttrError::new(&self.dn, attr, "has more than one value")),
        }
    }

    /// A single-valued integer attribute (LDAP's decimal text), if present.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when it is not a 64-bit integer.
    pub fn integer(&self, attr: &'static str) -> Result<Option<i64>, AttrError> {
        let Some(text) = self.single(attr)? else {
            return Ok(None);
        };
        text.trim().parse::<i64>().map(Some).map_err(|_| {
            AttrError::new(
                &self.dn,
                attr,
                &format!("is not an integer: `{}`", shorten(text)),
            )
        })
    }

    /// A single-valued integer attribute that must be present.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when it is absent or not an integer.
    pub fn required_integer(&self, attr: &'static str) -> Result<i64, AttrError> {
        self.integer(attr)?.ok_or_else(|| {
            AttrError::new(
                &self.dn,
                attr,
                "is missing (is the bind account allowed to read it?)",
            )
        })
    }

    /// A single-valued LDAP boolean (`TRUE`/`FALSE`), if present.
    ///
    /// # Errors
    ///
    /// [`AttrError`] when it is neither.
    pub fn boolean(&self, attr: &'static str) -> Result<Option<bool>, AttrError> {
        match self.single(attr)? {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("TRUE") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("FALSE") => Ok(Some(false)),
            Some(v) => Err(AttrError::new(
                &self.dn,
                attr,
                &format!("is not TRUE or FALSE: `{}`", shorten(v)),
            )),
        }
    }
}

/// At most 40 characters of a value, for an error message.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_and_values_are_checked() {
        let e = Entry::new(
            "CN=x",
            &[("pwdLastSet", "134406219064287280"), ("x", "12ab")],
        );
        assert_eq!(
            e.integer("PWDLASTSET").unwrap(),
            Some(134_406_219_064_287_280)
        );
        assert_eq!(e.integer("absent").unwrap(), None);
        let err = e.integer("x").unwrap_err().to_string();
        assert!(
            err.contains("CN=x") && err.contains("`x`") && err.contains("12ab"),
            "{err}"
        );
        assert!(e.required_integer("absent").is_err());
        let mut two = e.clone();
        two.attrs[0].1.push("1".into());
        assert!(two.integer("pwdLastSet").is_err());
        let b = Entry::new("CN=p", &[("t", "TRUE"), ("f", "false"), ("n", "yes")]);
        assert_eq!(b.boolean("t").unwrap(), Some(true));
        assert_eq!(b.boolean("f").unwrap(), Some(false));
        assert!(b.boolean("n").is_err());
    }
}

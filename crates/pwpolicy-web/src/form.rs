//! The change form's body, `application/x-www-form-urlencoded`, decoded
//! into buffers that are wiped on drop.
//!
//! Hand-written rather than `serde_urlencoded`/`form_urlencoded`: those
//! decode into ordinary `String`s and `Cow`s, which would leave copies of
//! both passwords in freed memory. This decoder writes each value once,
//! into a [`Zeroizing`] buffer.

use zeroize::Zeroizing;

/// The most a change form may weigh: four fields of at most
/// [`pwpolicy::MAX_MAX_LENGTH`] characters, percent-encoded (up to 12
/// bytes a character), and a token.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The fields of a submitted change. `Debug` shows the account only.
#[derive(Default)]
pub struct ChangeForm {
    /// `user`: the account.
    pub user: String,
    /// `current`: the current password.
    pub current: Zeroizing<String>,
    /// `new`: the new password.
    pub new: Zeroizing<String>,
    /// `confirm`: the new password again.
    pub confirm: Zeroizing<String>,
    /// `csrf`: the token the page was served with.
    pub csrf: String,
}

impl std::fmt::Debug for ChangeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeForm")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Why a body is not a change form. Never holds any of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Larger than [`MAX_FORM_BYTES`].
    #[error("the form is larger than {MAX_FORM_BYTES} bytes")]
    TooLarge,
    /// A `%` not followed by two hex digits.
    #[error("the form has a broken %-escape")]
    BadEscape,
    /// A value is not UTF-8 once decoded.
    #[error("the form's field {0} is not UTF-8")]
    NotUtf8(&'static str),
    /// A value holds a NUL character or the account name a control character.
    #[error("the form's field {0} holds a control character")]
    Control(&'static str),
    /// A field comes twice.
    #[error("the form gives field {0} twice")]
    Repeated(&'static str),
}

impl ChangeForm {
    /// Decodes `body`. Unknown fields are ignored; missing ones are empty.
    ///
    /// # Errors
    ///
    /// [`FormError`] for a body that is too large or malformed; the
    /// error says which field, never what it held.
    pub fn parse(body: &[u8]) -> Result<ChangeForm, FormError> {
        if body.len() > MAX_FORM_BYTES {
            return Err(FormError::TooLarge);
        }
        let mut form = ChangeForm::default();
        let mut seen = [false; 5];
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &pair[..0]),
            };
            let (slot, name) = match key {
                b"user" => (0, "user"),
                b"current" => (1, "current"),
                b"new" => (2, "new"),
                b"confirm" => (3, "confirm"),
                b"csrf" => (4, "csrf"),
                _ => continue,
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(FormError::Repeated(name));
            }
            let decoded = decode(value, name)?;
            match slot {
                0 => {
                    if decoded.chars().any(char::is_control) {
                        return Err(FormError::Control(name));
                    }
                    form.user = decoded.trim().to_owned();
                }
                1 => form.current = decoded,
                2 => form.new = decoded,
                3 => form.confirm = decoded,
                _ => form.csrf = decoded.to_string(),
            }
        }
        Ok(form)
    }
}

/// Percent-decodes one value (`+` is a space) into a wiped buffer.
fn decode(value: &[u8], name: &'static str) -> Result<Zeroizing<String>, FormError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(value.len()));
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                let (Some(hi), Some(lo)) = (
                    value.get(i + 1).copied().and_then(hex),
                    value.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(FormError::BadEscape);
                };
                bytes.push((hi * 16 + lo) as u8);
                i += 2;
            }
            _ => bytes.push(b),
        }
        i += 1;
    }
    if bytes.contains(&0) {
        return Err(FormError::Control(name));
    }
    // `from_utf8` takes the vector itself: no second copy to wipe.
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            let mut raw = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut raw);
            Err(FormError::NotUtf8(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded_and_unknown_ones_ignored() {
        let form = ChangeForm::parse(
            b"user=erin&current=Old%21Pass+1&new=N%C3%A9w-Pass-42&confirm=N%c3%a9w-Pass-42&csrf=t0k&x=1",
        )
        .unwrap();
        assert_eq!(form.user, "erin");
        assert_eq!(form.current.as_str(), "Old!Pass 1");
        assert_eq!(form.new.as_str(), "Néw-Pass-42");
        assert_eq!(form.confirm.as_str(), form.new.as_str());
        assert_eq!(form.csrf, "t0k");
        let shown = format!("{form:?}");
        assert!(!shown.contains("Pass"), "{shown}");
    }

    #[test]
    fn malformed_bodies_are_refused_by_field_without_their_value() {
        assert_eq!(
            ChangeForm::parse(b"new=ab%2").unwrap_err(),
            FormError::BadEscape
        );
        assert_eq!(
            ChangeForm::parse(b"new=%ff%fe").unwrap_err(),
            FormError::NotUtf8("new")
        );
        assert_eq!(
            ChangeForm::parse(b"new=a%00b").unwrap_err(),
            FormError::Control("new")
        );
        assert_eq!(
            ChangeForm::parse(b"user=a%0Ab").unwrap_err(),
            FormError::Control("user")
        );
        assert_eq!(
            ChangeForm::parse(b"new=a&new=b").unwrap_err(),
            FormError::Repeated("new")
        );
        let huge = vec![b'a'; MAX_FORM_BYTES + 1];
        assert_eq!(ChangeForm::parse(&huge).unwrap_err(), FormError::TooLarge);
        assert!(!FormError::NotUtf8("new").to_string().contains('%'));
    }

    #[test]
    fn empty_and_bare_fields_are_empty() {
        let form = ChangeForm::parse(b"&user&new=").unwrap();
        assert_eq!(form.user, "");
        assert_eq!(form.new.as_str(), "");
    }
}

//! Cross-site request forgery: a form is taken only with the token its
//! page was served with, and only from this site.
//!
//! The token is random, set in a `__Host-` cookie (`Secure`, `HttpOnly`,
//! `SameSite=Strict`, so another site can neither set nor send it) and in
//! the form; a submit must carry both, equal (compared in constant time).
//! Browsers that send `Sec-Fetch-Site` or `Origin` must also say the
//! request comes from this same origin.

use subtle::ConstantTimeEq;

/// The cookie's name. `__Host-` binds it to this host, `Path=/` and `Secure`.
pub const COOKIE: &str = "__Host-pwpolicy-csrf";

/// A fresh token: 32 random bytes, hex.
///
/// # Errors
///
/// The system's random source failed.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The `Set-Cookie` value that carries `token`.
pub fn set_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The token in a `Cookie` header, if any.
pub fn cookie_token(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// What the request's headers say about where it comes from.
#[derive(Debug, Default, Clone, Copy)]
pub struct Provenance<'a> {
    /// `Cookie`.
    pub cookie: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub fetch_site: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Host`.
    pub host: Option<&'a str>,
}

/// Why a submit was not taken (for the log: no value of the request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forged {
    /// `Sec-Fetch-Site` says another site.
    #[error("the browser says it comes from another site")]
    OtherSite,
    /// `Origin` is not this host over HTTPS.
    #[error("its Origin is not this page's")]
    OtherOrigin,
    /// No token cookie came with it.
    #[error("it carries no token cookie")]
    NoCookie,
    /// The form's token is not the cookie's.
    #[error("its token is not its cookie's")]
    WrongToken,
}

/// Whether a submit carrying `form_token` with these headers may be taken.
///
/// # Errors
///
/// [`Forged`]: which of the checks the submit failed.
pub fn check(form_token: &str, request: Provenance<'_>) -> Result<(), Forged> {
    if let Some(site) = request.fetch_site
        && site != "same-origin"
    {
        return Err(Forged::OtherSite);
    }
    if let Some(origin) = request.origin {
        let Some(host) = request.host else {
            return Err(Forged::OtherOrigin);
        };
        if origin != format!("https://{host}") {
            return Err(Forged::OtherOrigin);
        }
    }
    let Some(cookie) = request.cookie.and_then(cookie_token) else {
        return Err(Forged::NoCookie);
    };
    if form_token.len() == 64 && bool::from(cookie.as_bytes().ct_eq(form_token.as_bytes())) {
        Ok(())
    } else {
        Err(Forged::WrongToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_site<'a>(cookie: &'a str) -> Provenance<'a> {
        Provenance {
            cookie: Some(cookie),
            fetch_site: Some("same-origin"),
            origin: Some("https://pw.example.org"),
            host: Some("pw.example.org"),
        }
    }

    #[test]
    fn a_form_with_its_pages_token_from_this_site_is_taken() {
        let token = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token().unwrap());
        let cookie = format!("other=1; {COOKIE}={token}");
        assert_eq!(check(&token, same_site(&cookie)), Ok(()));
        // Older browsers send neither header: the cookie alone decides.
        let bare = Provenance {
            cookie: Some(&cookie),
            ..Provenance::default()
        };
        assert_eq!(check(&token, bare), Ok(()));
    }

    #[test]
    fn forged_submits_are_refused() {
        let token = new_token().unwrap();
        let cookie = format!("{COOKIE}={token}");
        let other = new_token().unwrap();
        assert_eq!(check(&other, same_site(&cookie)), Err(Forged::WrongToken));
        assert_eq!(
            check("", same_site(&format!("{COOKIE}="))),
            Err(Forged::WrongToken),
            "empty token"
        );
        let no_cookie = Provenance {
            cookie: None,
            ..same_site(&cookie)
        };
        assert_eq!(check(&token, no_cookie), Err(Forged::NoCookie));
        let cross = Provenance {
            fetch_site: Some("cross-site"),
            ..same_site(&cookie)
        };
        assert_eq!(check(&token, cross), Err(Forged::OtherSite));
        let evil = Provenance {
            origin: Some("https://evil.example"),
            ..same_site(&cookie)
        };
        assert_eq!(check(&token, evil), Err(Forged::OtherOrigin));
        let plain = Provenance {
            origin: Some("http://pw.example.org"),
            ..same_site(&cookie)
        };
        assert_eq!(
            check(&token, plain),
            Err(Forged::OtherOrigin),
            "not over HTTPS"
        );
    }

    #[test]
    fn the_cookie_is_bound_to_this_host_and_hidden_from_scripts() {
        let c = set_cookie("ab");
        for part in ["__Host-", "Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!c.contains("Domain"), "{c}");
    }
}

//! The headers every answer carries: HTTPS only from now on (HSTS), a
//! Content-Security-Policy that lets the page run its own script and the
//! WebAssembly core and nothing else, and no caching of anything that
//! could hold what someone typed.

use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;

/// The page's Content-Security-Policy: its own script, style and
/// requests only; WebAssembly compiled (`'wasm-unsafe-eval'`, not
/// `'unsafe-eval'`); no inline script or style, no frames, no plugins,
/// forms post only here.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Two years, with subdomains: the page is only ever HTTPS.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Adds the security headers to `response`. An answer that set its own
/// `Cache-Control` (the page's script and WebAssembly) keeps it; every
/// other gets `no-store`.
pub async fn secure(mut response: Response) -> Response {
    add(response.headers_mut());
    response
}

fn add(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Not `no-referrer`: under it a browser sends `Origin: null` with a
    // plain form post, and the CSRF check could not tell this page from
    // another. Its own addresses hold nothing secret.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
        set(headers, header::PRAGMA, "no-cache");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_is_https_only_uncached_and_script_locked() {
        let mut h = HeaderMap::new();
        add(&mut h);
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert!(
            h[header::STRICT_TRANSPORT_SECURITY]
                .to_str()
                .unwrap()
                .contains("max-age=")
        );
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"));
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"));
        let mut cached = HeaderMap::new();
        cached.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=3600"),
        );
        add(&mut cached);
        assert_eq!(cached[header::CACHE_CONTROL], "max-age=3600");
    }
}

//! The routes: the page, its files, the rules for an account, and the
//! change. Every decision about a password is the core's; this module
//! orders the walls in front of it (form, token, address limit, account
//! limit, the core's own rules, then the current password where the
//! password lives) and answers.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use pwpolicy::{AccountClass, Names, Password, Policy};
use pwpolicy_host::Facts;

use crate::change::{Broken, Destinations, Outcome};
use crate::csrf;
use crate::form::{ChangeForm, MAX_FORM_BYTES};
use crate::limits::{self, Window};
use crate::page::{self, Template};
use crate::rules;

/// The least time a failed attempt's answer takes, from the request's
/// arrival: longer than PAM's failure delay and an LDAP round trip, so an
/// unknown account, a wrong password and a locked account all answer
/// after the same time.
pub const ANSWER_FLOOR: Duration = Duration::from_secs(3);

/// The page's own files, read once at start: name and type; a file with
/// a `.gz` beside it (scripts/build-web.sh makes one for the WebAssembly)
/// is served compressed to a browser that takes gzip.
const FILES: [(&str, &str); 5] = [
    ("app.js", "text/javascript; charset=utf-8"),
    ("favicon.svg", "image/svg+xml"),
    ("style.css", "text/css; charset=utf-8"),
    ("pkg/pwpolicy_wasm.js", "text/javascript; charset=utf-8"),
    ("pkg/pwpolicy_wasm_bg.wasm", "application/wasm"),
];

/// One of the page's files.
struct StaticFile {
    kind: &'static str,
    bytes: Bytes,
    gzipped: Option<Bytes>,
}

/// The client's address, set on each connection by the server.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

/// Everything the routes share.
pub struct App {
    policy: Policy,
    template: Template,
    files: HashMap<&'static str, StaticFile>,
    addresses: Mutex<Window>,
    accounts: Mutex<Window>,
    destinations: Destinations,
}

impl App {
    /// The app for `policy`, its page and files from `assets`, changes
    /// going to `destinations`.
    ///
    /// # Errors
    ///
    /// A file of the page is missing or broken.
    pub fn new(policy: Policy, assets: &Path, destinations: Destinations) -> anyhow::Result<App> {
        let template = Template::load(assets)?;
        let mut files = HashMap::new();
        for (name, kind) in FILES {
            let path = assets.join(name);
            let bytes = std::fs::read(&path).map_err(|e| {
                anyhow::anyhow!(
                    "the page's file {} cannot be read: {e} (scripts/build-web.sh makes it)",
                    path.display()
                )
            })?;
            let gzipped = std::fs::read(assets.join(format!("{name}.gz")))
                .ok()
                .map(Bytes::from);
            files.insert(
                name,
                StaticFile {
                    kind,
                    bytes: Bytes::from(bytes),
                    gzipped,
                },
            );
        }
        let web = &policy.web;
        Ok(App {
            addresses: Mutex::new(Window::new(
                web.address_requests_per_minute,
                Duration::from_secs(60),
            )),
            accounts: Mutex::new(Window::new(
                web.account_attempts_per_hour,
                Duration::from_secs(3600),
            )),
            template,
            files,
            destinations,
            policy,
        })
    }

    /// The routes, with the security headers on every answer.
    pub fn router(self) -> Router {
        Router::new()
            .route("/", get(index))
            .route("/change", post(change).get(index))
            .route("/api/rules", get(rules_of))
            .route("/{*file}", get(file))
            .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
            .layer(axum::middleware::map_response(crate::headers::secure))
            .with_state(Arc::new(self))
    }

    fn address_allowed(&self, peer: IpAddr) -> bool {
        let mut window = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        window.allow(&limits::address_key(peer), Instant::now())
    }

    fn account_allowed(&self, user: &str) -> bool {
        let mut window = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        window.allow(&limits::account_key(user), Instant::now())
    }

    /// The account's full name, from passwd or else the directory
    /// (blocking).
    fn names_of(&self, facts: &Facts) -> String {
        if facts.is_known() {
            return facts.full_name.clone();
        }
        self.destinations
            .directory
            .as_ref()
            .and_then(|d| d.full_name(&facts.name))
            .unwrap_or_default()
    }

    /// One attempt, after the form, token and limits passed (blocking).
    fn attempt(&self, form: &ChangeForm) -> Outcome {
        let facts = Facts::lookup(&form.user);
        let coverage = facts.coverage(&self.policy);
        if facts.is_known() && coverage.class == AccountClass::System {
            // root and service accounts do not change passwords over the
            // network: the answer is the one for a wrong password.
            return Outcome::WrongCredentials;
        }
        let Some(destination) = self.destinations.for_user(facts.is_known()) else {
            return Outcome::WrongCredentials;
        };
        let new = Password::new(form.new.as_str());
        if coverage.checks_passwords() {
            // What the page already showed, checked again: no round trip
            // (and no lockout count) for a password the policy refuses.
            let names = Names::new(&form.user, &self.names_of(&facts));
            let verdict = coverage.policy().check(&new, &names);
            if !verdict.is_accepted() {
                return Outcome::Rejected(Broken::from_violations(verdict.violations()));
            }
        }
        destination.change(&form.user, &form.current, &form.new)
    }
}

async fn index(State(app): State<Arc<App>>) -> Response {
    render(&app, "", "")
}

/// The page with a fresh token (and its cookie).
fn render(app: &App, user: &str, result: &str) -> Response {
    let Ok(token) = csrf::new_token() else {
        tracing::error!("the system's random source failed: no form can be served");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let html = app
        .template
        .render(&token, user, result, &app.policy.rules_shown());
    (
        [
            (header::SET_COOKIE, csrf::set_cookie(&token)),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        html,
    )
        .into_response()
}

async fn file(
    State(app): State<Arc<App>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = app.files.get(name.as_str()) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let takes_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = match (&file.gzipped, takes_gzip) {
        (Some(gzipped), true) => {
            let mut r = gzipped.clone().into_response();
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => file.bytes.clone().into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// `?user=NAME`.
#[derive(Deserialize)]
struct RulesQuery {
    #[serde(default)]
    user: String,
}

async fn rules_of(
    State(app): State<Arc<App>>,
    Extension(peer): Extension<Peer>,
    Query(query): Query<RulesQuery>,
) -> Response {
    if !app.address_allowed(peer.0) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(Outcome::RateLimited.to_json()),
        )
            .into_response();
    }
    let user = query.user.trim().to_owned();
    if !rules::plausible_user(&user) {
        return (StatusCode::BAD_REQUEST, "no such account name\n").into_response();
    }
    let answer = tokio::task::spawn_blocking(move || {
        let facts = Facts::lookup(&user);
        let full_name = app.names_of(&facts);
        let coverage = facts.coverage(&app.policy);
        rules::answer(&user, &full_name, &coverage.policy())
    })
    .await;
    match answer {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn change(
    State(app): State<Arc<App>>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = tokio::time::Instant::now();
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (user, outcome) = decide(&app, peer, &headers, body).await;
    tracing::info!(
        user = %pwpolicy::printable(&user),
        address = %peer.0,
        outcome = outcome.code(),
        "password change"
    );
    if outcome.is_a_failed_attempt() {
        tokio::time::sleep_until(started + ANSWER_FLOOR).await;
    }
    let status = match outcome {
        Outcome::Changed | Outcome::Rejected(_) | Outcome::Mismatch | Outcome::Refused(_) => {
            StatusCode::OK
        }
        Outcome::WrongCredentials => StatusCode::FORBIDDEN,
        Outcome::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Outcome::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Outcome::BadForm => StatusCode::BAD_REQUEST,
    };
    if json {
        return (status, axum::Json(outcome.to_json())).into_response();
    }
    let shown_user = if matches!(outcome, Outcome::Changed) {
        ""
    } else {
        &user
    };
    let mut response = render(&app, shown_user, &page::result_html(&outcome));
    *response.status_mut() = status;
    response
}

/// The walls in order; the account name (for the log) and the outcome.
async fn decide(app: &Arc<App>, peer: Peer, headers: &HeaderMap, body: Bytes) -> (String, Outcome) {
    let form = match ChangeForm::parse(&body) {
        Ok(form) => form,
        Err(e) => {
            tracing::warn!(address = %peer.0, "refused a change form: {e}");
            return (String::new(), Outcome::BadForm);
        }
    };
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let provenance = csrf::Provenance {
        cookie: header(header::COOKIE),
        fetch_site: headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        origin: header(header::ORIGIN),
        host: header(header::HOST),
    };
    let user = form.user.clone();
    if let Err(why) = csrf::check(&form.csrf, provenance) {
        tracing::warn!(
            address = %peer.0,
            origin = %pwpolicy::printable(provenance.origin.unwrap_or("-")),
            host = %pwpolicy::printable(provenance.host.unwrap_or("-")),
            "refused a change form: {why}"
        );
        return (user, Outcome::BadForm);
    }
    if !app.address_allowed(peer.0) {
        return (user, Outcome::RateLimited);
    }
    if !rules::plausible_user(&user) || form.current.is_empty() {
        return (user, Outcome::WrongCredentials);
    }
    if !app.account_allowed(&user) {
        return (user, Outcome::RateLimited);
    }
    if form.new.as_bytes() != form.confirm.as_bytes() {
        return (user, Outcome::Mismatch);
    }
    let app = Arc::clone(app);
    let outcome = tokio::task::spawn_blocking(move || app.attempt(&form))
        .await
        .unwrap_or(Outcome::Unavailable);
    (user, outcome)
}

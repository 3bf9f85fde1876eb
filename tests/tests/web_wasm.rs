//! The self-service page's browser side in a real browser: the page built by
//! `scripts/build-web.sh` (the core compiled to WebAssembly, index.html,
//! app.js, style.css), served under the page's Content-Security-Policy by a
//! small static server here that answers `api/rules` and `change` as the
//! contract says, driven in headless Chromium (`tests/src/browser.rs`).
//!
//! The shared vectors typed into the page tick off exactly the rules the
//! CLI's `pwpolicy check --json` finds broken; a submit posts the form as
//! JSON, marks the rules only the server can tell, and clears the password
//! fields; without JavaScript the form is a plain POST.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use pwpolicy::{Policy, html_escape};
use pwpolicy_tests::{TestDir, browser, pwpolicy_run, require, vectors};
use serde_json::{Value, json};

/// The Content-Security-Policy the page is served with (the contract's).
const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   connect-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

const CSRF: &str = "test-csrf-token";

/// The page, built once per run into `<target>/web` under a file lock.
fn page_dir() -> PathBuf {
    pwpolicy_tests::web::assets()
}

/// One page the server serves, under `/case/N/`.
struct Site {
    policy: Policy,
    full_name: String,
}

/// What the server was sent on `POST …/change`.
#[derive(Debug, Clone)]
struct Posted {
    headers: BTreeMap<String, String>,
    fields: BTreeMap<String, String>,
}

struct Server {
    base: String,
    posted: Arc<Mutex<Vec<Posted>>>,
    /// The `user` of every `api/rules` request.
    asked: Arc<Mutex<Vec<String>>>,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form_fields(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// The policy as `api/rules` ships it: only the rules a browser can check
/// (quality, guessability) are the class's; the rest is the default.
fn shipped(policy: &Policy) -> Policy {
    let mut shipped = Policy::default();
    shipped.quality = policy.quality.clone();
    shipped.guessability = policy.guessability.clone();
    shipped
}

fn rules_html(policy: &Policy) -> String {
    policy
        .rules_shown()
        .iter()
        .map(|r| {
            format!(
                "<li data-rule=\"{}\" data-met=\"false\" data-on-submit=\"{}\">{}</li>",
                html_escape(&r.code),
                r.on_submit,
                html_escape(&r.words)
            )
        })
        .collect()
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

struct Handler {
    dir: PathBuf,
    sites: Vec<Site>,
    change_answer: Value,
    posted: Arc<Mutex<Vec<Posted>>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Handler {
    fn index(&self, site: &Site, user: &str, result: &str) -> Vec<u8> {
        let template = std::fs::read_to_string(self.dir.join("index.html")).expect("index.html");
        template
            .replace("{{csrf}}", &html_escape(CSRF))
            .replace("{{user}}", &html_escape(user))
            .replace("{{result}}", result)
            .replace("{{rules}}", &rules_html(&site.policy))
            .into_bytes()
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut headers = BTreeMap::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut stream = stream;
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let Some((n, rest)) = path
            .strip_prefix("/case/")
            .and_then(|p| p.split_once('/'))
            .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
        else {
            return respond(&mut stream, "404 Not Found", "text/plain", b"not found");
        };
        let Some(site) = self.sites.get(n) else {
            return respond(&mut stream, "404 Not Found", "text/plain", b"not found");
        };
        let query = form_fields(query);
        match (method.as_str(), rest) {
            ("GET", "") => respond(
                &mut stream,
                "200 OK",
                "text/html; charset=utf-8",
                &self.index(site, "", ""),
            ),
            ("GET", "api/rules") => {
                let user = query.get("user").cloned().unwrap_or_default();
                self.asked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(user.clone());
                let answer = json!({
                    "user": user,
                    "full_name": site.full_name,
                    "policy": shipped(&site.policy),
                    "rules": site.policy.rules_shown(),
                });
                respond(
                    &mut stream,
                    "200 OK",
                    "application/json",
                    answer.to_string().as_bytes(),
                );
            }
            ("POST", "change") => {
                let fields = form_fields(&String::from_utf8_lossy(&body));
                let user = fields.get("user").cloned().unwrap_or_default();
                let wants_json = headers
                    .get("accept")
                    .is_some_and(|a| a.contains("application/json"));
                self.posted
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Posted { headers, fields });
                if wants_json {
                    respond(
                        &mut stream,
                        "200 OK",
                        "application/json",
                        self.change_answer.to_string().as_bytes(),
                    );
                } else {
                    let result = format!(
                        "<p>{}</p>",
                        html_escape(self.change_answer["message"].as_str().unwrap_or(""))
                    );
                    respond(
                        &mut stream,
                        "200 OK",
                        "text/html; charset=utf-8",
                        &self.index(site, &user, &result),
                    );
                }
            }
            ("GET", file) => {
                let content_type = match file.rsplit('.').next() {
                    Some("js") => "text/javascript",
                    Some("css") => "text/css",
                    Some("wasm") => "application/wasm",
                    Some("svg") => "image/svg+xml",
                    _ => return respond(&mut stream, "404 Not Found", "text/plain", b"no"),
                };
                if !matches!(
                    file,
                    "app.js"
                        | "style.css"
                        | "favicon.svg"
                        | "pkg/pwpolicy_wasm.js"
                        | "pkg/pwpolicy_wasm_bg.wasm"
                ) {
                    return respond(&mut stream, "404 Not Found", "text/plain", b"not found");
                }
                match std::fs::read(self.dir.join(file)) {
                    Ok(bytes) => respond(&mut stream, "200 OK", content_type, &bytes),
                    Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"missing"),
                }
            }
            _ => respond(
                &mut stream,
                "405 Method Not Allowed",
                "text/plain",
                b"method",
            ),
        }
    }
}

/// Serves `sites` (one per `/case/N/`) from the built page on loopback,
/// until the test process ends.
fn serve(sites: Vec<Site>, change_answer: Value) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let posted = Arc::new(Mutex::new(Vec::new()));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let handler = Arc::new(Handler {
        dir: page_dir(),
        sites,
        change_answer,
        posted: Arc::clone(&posted),
        asked: Arc::clone(&asked),
    });
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || handler.serve(stream));
        }
    });
    Server {
        base,
        posted,
        asked,
    }
}

fn cli_codes(dir: &TestDir, i: usize, case: &vectors::Case) -> BTreeSet<String> {
    let policy = dir.write(&format!("policy-{i}.toml"), &case.policy);
    let policy = policy.to_str().expect("UTF-8 path");
    let mut args = vec!["check", "--json", "--config", policy];
    if !case.user.is_empty() {
        args.extend(["--user", &case.user]);
    }
    if !case.full_name.is_empty() {
        args.extend(["--full-name", &case.full_name]);
    }
    let out = pwpolicy_run(&args, format!("{}\n", case.password).as_bytes());
    out.json()["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The page logged no error: a CSP refusal, a failed load, an exception.
fn assert_clean_console(seen: &Value) {
    assert_eq!(seen["page_errors"], json!([]), "page errors");
    let errors: Vec<&Value> = seen["console"]
        .as_array()
        .expect("console")
        .iter()
        .filter(|m| m["type"] == "error" || m["type"] == "warning")
        .collect();
    assert!(
        errors.is_empty(),
        "the page logged: {errors:?}; failed requests: {}",
        seen["failed_requests"]
    );
}

fn size_of(command: &str, args: &[&str], file: &Path) -> Option<usize> {
    let out = Command::new(command)
        .args(args)
        .arg(file)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(out.stdout.len())
}

#[test]
fn shared_vectors_typed_into_the_page_give_the_clis_verdicts() {
    let missing = browser::missing();
    require!(missing.is_none(), "{}", missing.unwrap_or_default());
    let cases = vectors::load().case;
    let dir = TestDir::new();
    let sites = cases
        .iter()
        .map(|case| Site {
            policy: Policy::from_toml(&case.policy).expect("the case's policy"),
            full_name: case.full_name.clone(),
        })
        .collect();
    let server = serve(sites, json!({}));

    let mut steps = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        steps.push(json!({"goto": format!("{}/case/{i}/", server.base)}));
        // The page asks for an account's rules once one is named; a case
        // with no account name gets one under 3 characters, which the name
        // rule skips, as it does no name at all.
        let user = if case.user.is_empty() {
            "x"
        } else {
            &case.user
        };
        steps.push(json!({"fill": "user", "text": user}));
        steps.push(json!({"wait_rules": true}));
        steps.push(json!({"fill": "new", "text": case.password}));
        steps.push(json!({"rules": true}));
    }
    // Typed one key at a time, for the time from a keystroke to the rules.
    let timed = "Blue-Kettle-42";
    steps.push(json!({"goto": format!("{}/case/0/", server.base)}));
    steps.push(json!({"fill": "user", "text": "ehagens"}));
    steps.push(json!({"wait_rules": true}));
    steps.push(json!({"type": "new", "text": timed}));
    steps.push(json!({"type": "confirm", "text": timed}));
    steps.push(json!({"rules": true}));
    steps.push(json!({"attr": "#confirm-status", "name": "data-match"}));
    // PWPOLICY_TEST_SCREENSHOT=FILE keeps the picture (for the README).
    let shot = std::env::var_os("PWPOLICY_TEST_SCREENSHOT")
        .map_or_else(|| dir.path().join("page.png"), PathBuf::from);
    steps.push(json!({"screenshot": shot}));
    let seen = browser::drive(&json!({"steps": steps}));
    assert_clean_console(&seen);
    let readings = seen["steps"].as_array().expect("steps");

    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        assert_eq!(
            readings[5 * i + 2],
            "ready",
            "{}: rules not loaded",
            case.name
        );
        let page = readings[5 * i + 4].as_array().expect("rules");
        let policy = Policy::from_toml(&case.policy).expect("policy");
        let shown = policy.rules_shown();
        let want_typed: Vec<&str> = shown
            .iter()
            .filter(|r| !r.on_submit)
            .map(|r| r.code.as_str())
            .collect();
        let on_submit: Vec<&str> = shown
            .iter()
            .filter(|r| r.on_submit)
            .map(|r| r.code.as_str())
            .collect();
        let cli = cli_codes(&dir, i, case);

        // The page lists the class's rules, those it ticks off first in order
        // (a violation with no rule of its own follows them).
        let typed: Vec<&str> = page
            .iter()
            .filter(|r| r["on_submit"] == false)
            .map(|r| r["code"].as_str().expect("code"))
            .collect();
        let listed: Vec<&str> = page
            .iter()
            .filter(|r| r["on_submit"] == true)
            .map(|r| r["code"].as_str().expect("code"))
            .collect();
        if typed.get(..want_typed.len()) != Some(&want_typed[..]) || listed != on_submit {
            failures.push(format!(
                "{}: page lists {typed:?} + {listed:?}, policy shows {want_typed:?} + {on_submit:?}",
                case.name
            ));
            continue;
        }
        // Each rule ticked off as typed is met exactly when the CLI finds
        // no violation of it; what is not met is what the CLI found, but
        // for what only the server can tell.
        let unmet: BTreeSet<String> = page
            .iter()
            .filter(|r| r["on_submit"] == false && r["met"] == false)
            .map(|r| r["code"].as_str().expect("code").to_owned())
            .collect();
        let want_unmet: BTreeSet<String> = cli
            .iter()
            .filter(|c| !on_submit.contains(&c.as_str()))
            .cloned()
            .collect();
        if unmet != want_unmet {
            failures.push(format!(
                "{}: page shows unmet {unmet:?}, the CLI found {cli:?}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let asked = server.asked.lock().expect("asked").clone();
    assert!(
        !asked.iter().any(String::is_empty),
        "the page asked for the rules of no account: {asked:?}"
    );

    let base = 5 * cases.len();
    let timing = &readings[base + 3];
    assert_eq!(timing["typed"], timed.len());
    let samples = timing["keystroke_to_update_ms"]
        .as_array()
        .expect("samples");
    assert_eq!(samples.len(), timed.len(), "one re-check per keystroke");
    let last = readings[base + 5].as_array().expect("rules");
    assert!(
        last.iter()
            .filter(|r| r["on_submit"] == false)
            .all(|r| r["met"] == true),
        "{last:?}"
    );
    assert_eq!(readings[base + 6], "true", "confirm matches");
    assert!(shot.metadata().is_ok_and(|m| m.len() > 0), "screenshot");

    let wasm = page_dir().join("pkg/pwpolicy_wasm_bg.wasm");
    let raw = wasm.metadata().expect("wasm").len();
    let gzip = size_of("gzip", &["-9", "-c"], &wasm);
    let brotli = size_of("brotli", &["-q", "11", "-c"], &wasm);
    eprintln!(
        "web page: keystroke to updated rules median {} ms, max {} ms over {} keys; \
         wasm {raw} bytes raw, gzip -9 {gzip:?}, brotli {brotli:?}",
        timing["median_ms"],
        timing["max_ms"],
        samples.len()
    );
}

#[test]
fn a_submit_posts_json_tells_the_servers_rules_and_clears_the_passwords() {
    let missing = browser::missing();
    require!(missing.is_none(), "{}", missing.unwrap_or_default());
    let answer = json!({
        "changed": false,
        "error": "rejected",
        "message": "Your password was not changed.",
        "violations": [{"code": "reused", "message": "used before: choose one you have not used"}],
    });
    let server = serve(
        vec![Site {
            policy: Policy::default(),
            full_name: "Erin M. Hagens".to_owned(),
        }],
        answer,
    );
    let url = format!("{}/case/0/", server.base);
    let seen = browser::drive(&json!({
        "url": url,
        "steps": [
            {"fill": "user", "text": "ehagens"},
            {"wait_rules": true},
            {"fill": "current", "text": "Old-Kettle-41"},
            {"fill": "new", "text": "Blue-Kettle-42"},
            {"fill": "confirm", "text": "Blue-Kettle-4"},
            {"attr": "#confirm-status", "name": "data-match"},
            {"fill": "confirm", "text": "Blue-Kettle-42"},
            {"attr": "#confirm-status", "name": "data-match"},
            {"submit": true},
            {"rules": true},
            {"text": "#result"},
            {"value": "current"},
            {"value": "new"},
            {"value": "confirm"},
            {"attr": "[data-rule=reused]", "name": "data-told"},
        ],
    }));
    assert_clean_console(&seen);
    let s = &seen["steps"];
    assert_eq!(s[1], "ready");
    assert_eq!(s[5], "false", "a confirmation that differs");
    assert_eq!(s[7], "true", "a confirmation that matches");
    let reused = s[9]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["code"] == "reused")
        .expect("the history rule is listed")
        .clone();
    assert_eq!(
        reused,
        json!({"code": "reused", "met": false, "on_submit": true})
    );
    assert_eq!(s[14], "true", "the rule the server told is marked");
    let result = s[10].as_str().expect("result text");
    assert!(
        result.contains("Your password was not changed."),
        "{result}"
    );
    assert!(result.contains("used before"), "{result}");
    assert_eq!([&s[11], &s[12], &s[13]], [""; 3], "passwords cleared");

    let posted = server.posted.lock().expect("posted").clone();
    assert_eq!(posted.len(), 1, "{posted:?}");
    let post = &posted[0];
    assert_eq!(post.headers["accept"], "application/json");
    assert!(post.headers["content-type"].starts_with("application/x-www-form-urlencoded"));
    let fields: Vec<(&str, &str)> = post
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("confirm", "Blue-Kettle-42"),
            ("csrf", CSRF),
            ("current", "Old-Kettle-41"),
            ("new", "Blue-Kettle-42"),
            ("user", "ehagens"),
        ]
    );
}

#[test]
fn without_javascript_the_form_is_a_plain_post() {
    let missing = browser::missing();
    require!(missing.is_none(), "{}", missing.unwrap_or_default());
    let server = serve(
        vec![Site {
            policy: Policy::default(),
            full_name: String::new(),
        }],
        json!({"message": "Your password was not changed."}),
    );
    let seen = browser::drive(&json!({
        "url": format!("{}/case/0/", server.base),
        "javascript": false,
        "steps": [
            {"rules": true},
            {"fill": "user", "text": "ehagens"},
            {"fill": "current", "text": "Old-Kettle-41"},
            {"fill": "new", "text": "Blue-Kettle-42"},
            {"fill": "confirm", "text": "Blue-Kettle-42"},
            {"submit": true},
            {"text": "#result"},
            {"value": "user"},
            {"value": "new"},
        ],
    }));
    assert_clean_console(&seen);
    let s = &seen["steps"];
    let codes: Vec<&str> = s[0]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        codes,
        [
            "too_short",
            "too_few_classes",
            "contains_account_name",
            "contains_name_part",
            "reused"
        ]
    );
    assert_eq!(s[5], "navigated");
    assert_eq!(s[6], "Your password was not changed.");
    assert_eq!(s[7], "ehagens", "the account name is kept");
    assert_eq!(s[8], "", "the passwords are not");
    let posted = server.posted.lock().expect("posted").clone();
    assert_eq!(posted.len(), 1);
    assert!(!posted[0].headers["accept"].contains("application/json"));
    assert_eq!(posted[0].fields["csrf"], CSRF);
    assert_eq!(posted[0].fields["new"], "Blue-Kettle-42");
}

//! `pwpolicy-web` as a network attacker meets it: TLS only, the headers
//! that keep a browser from caching or framing it, forged and oversized
//! forms, limits per address and per account under a loop of connections,
//! slow clients, and no password in any answer or log line. The page in a
//! real browser and real changes are in `web_page.rs`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pwpolicy_tests::TestDir;
use pwpolicy_tests::web::{WebServer, encode};

fn start(dir: &TestDir, web: &str) -> WebServer {
    WebServer::start(dir.path(), "", web)
}

#[test]
fn every_answer_is_https_only_uncached_and_locked_down() {
    let dir = TestDir::new();
    let web = start(&dir, "");
    let page = web.get("/");
    assert_eq!(page.status, 200, "{}", page.text());
    let hsts = page.header("strict-transport-security").expect("HSTS");
    assert!(hsts.contains("max-age=63072000"), "{hsts}");
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let cookie = page.header("set-cookie").expect("a CSRF cookie");
    assert!(
        cookie.starts_with("__Host-") && cookie.contains("Secure"),
        "{cookie}"
    );
    let html = page.text();
    for field in ["user", "current", "new", "confirm"] {
        assert!(
            html.contains(&format!("name=\"{field}\"")),
            "no field {field}"
        );
    }
    assert!(html.contains("data-rule=\"too_short\""), "{html}");
    assert!(
        !html.contains("<script>") && !html.contains(" onclick="),
        "inline script"
    );

    let wasm = web.get("/pkg/pwpolicy_wasm_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert!(wasm.body.starts_with(b"\0asm"));
    assert!(wasm.header("content-security-policy").is_some());
    // To a browser that takes gzip, the same module compressed.
    let gzipped = web.send(
        format!(
            "GET /pkg/pwpolicy_wasm_bg.wasm HTTP/1.1\r\nHost: {}\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: close\r\n\r\n",
            web.host()
        )
        .as_bytes(),
    );
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(
        gzipped.body.len() * 2 < wasm.body.len(),
        "{} of {}",
        gzipped.body.len(),
        wasm.body.len()
    );
    // Through a file: a pipe both ways would fill and stall both sides.
    let gz = dir.path().join("module.wasm.gz");
    std::fs::write(&gz, &gzipped.body).unwrap();
    let plain = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(&gz)
        .output()
        .unwrap();
    assert_eq!(plain.stdout, wasm.body, "the gzip is of this module");

    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/index.html.bak",
        "/pkg/",
    ] {
        let r = web.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.text().contains("root:"), "{path}");
    }

    // Plain HTTP on the port gets no page.
    let mut tcp = TcpStream::connect(web.addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    assert!(!String::from_utf8_lossy(&answer).contains("name=\"new\""));
}

#[test]
fn the_rules_for_an_account_are_the_cores() {
    let dir = TestDir::new();
    let web = WebServer::start(
        dir.path(),
        "[quality]\nmin_length = 10\n[history]\nsimilarity = true\n",
        "",
    );
    let r = web.get("/api/rules?user=nosuch-account-4711");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["user"], "nosuch-account-4711");
    assert_eq!(v["full_name"], "");
    assert_eq!(v["policy"]["quality"]["min_length"], 10);
    let policy =
        pwpolicy::Policy::from_toml("[quality]\nmin_length = 10\n[history]\nsimilarity = true\n")
            .unwrap();
    let expected = serde_json::to_value(policy.rules_shown()).unwrap();
    assert_eq!(v["rules"], expected);
    // Nothing of the server's own settings goes out.
    assert!(!r.text().contains("cert.pem") && !r.text().contains("key.pem"));

    for bad in ["/api/rules?user=", "/api/rules?user=a%0Ab", "/api/rules"] {
        assert_eq!(web.get(bad).status, 400, "{bad}");
    }
}

#[test]
fn forged_and_malformed_forms_are_refused_before_any_check() {
    let dir = TestDir::new();
    let web = start(&dir, "");
    let form = "user=erin&current=Old-Pass-1&new=New-Pass-77x&confirm=New-Pass-77x";
    let post = |headers: &str, body: &str| {
        web.send(
            format!(
                "POST /change HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
                 Accept: application/json\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n{headers}\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
    };
    // No cookie: a page of another site posting here.
    let (cookie, token) = web.token();
    let r = post("", &format!("{form}&csrf={token}"));
    assert_eq!((r.status, r.json()["error"].clone()), (400, "csrf".into()));
    // The cookie but another token.
    let r = post(
        &format!("Cookie: {cookie}\r\n"),
        &format!("{form}&csrf={}", "0".repeat(64)),
    );
    assert_eq!(r.json()["error"], "csrf");
    // Both right, but the browser says it comes from another site.
    let r = post(
        &format!("Cookie: {cookie}\r\nSec-Fetch-Site: cross-site\r\n"),
        &format!("{form}&csrf={token}"),
    );
    assert_eq!(r.json()["error"], "csrf");
    let r = post(
        &format!("Cookie: {cookie}\r\nOrigin: https://evil.example\r\n"),
        &format!("{form}&csrf={token}"),
    );
    assert_eq!(r.json()["error"], "csrf");
    // Malformed: a broken escape, a NUL, a field twice.
    for body in ["user=a&new=%zz", "user=a&new=x%00y", "user=a&user=b"] {
        let r = post(
            &format!("Cookie: {cookie}\r\n"),
            &format!("{body}&csrf={token}"),
        );
        assert_eq!(r.status, 400, "{body}: {}", r.text());
    }
    // Too large: refused before it is read whole.
    let huge = format!("{form}&pad={}", "a".repeat(200 * 1024));
    let r = post(&format!("Cookie: {cookie}\r\n"), &huge);
    assert_eq!(r.status, 413, "{}", r.text());
    // The right token from this page: past the walls, and (no destination is
    // configured here) answered as a wrong password.
    let r = web.change(form);
    assert_eq!(r.json()["error"], "wrong_credentials", "{}", r.text());
}

#[test]
fn limits_per_account_and_per_address_hold_under_a_loop_of_connections() {
    let dir = TestDir::new();
    let web = start(
        &dir,
        "account_attempts_per_hour = 3\naddress_requests_per_minute = 20\n",
    );
    let form =
        |user: &str| format!("user={user}&current=Wrong-1&new=Xx-New-Pass-9&confirm=Xx-New-Pass-9");
    // Eight attempts on one account at once, each on its own connection.
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    web.change(&form("erin")).json()["error"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let limited = answers.iter().filter(|a| *a == "rate_limited").count();
    assert_eq!(limited, 5, "{answers:?}");
    assert_eq!(
        answers.iter().filter(|a| *a == "wrong_credentials").count(),
        3
    );
    // Another account is not held by erin's limit.
    assert_eq!(
        web.change(&form("frank")).json()["error"],
        "wrong_credentials"
    );
    // 9 requests of this address so far (rule lookups and attempts count,
    // the page itself does not): 11 more lookups, then refused.
    let mut allowed = 0;
    let mut refused = None;
    for i in 0..20 {
        let r = web.get(&format!("/api/rules?user=u{i}"));
        match r.status {
            200 => allowed += 1,
            429 => {
                refused = Some(i);
                break;
            }
            other => panic!("{other}: {}", r.text()),
        }
    }
    assert_eq!((allowed, refused), (11, Some(11)));
}

#[test]
fn a_slow_or_silent_client_is_cut_off() {
    let dir = TestDir::new();
    let web = start(&dir, "client_timeout_seconds = 1\n");
    // TCP without a TLS handshake.
    let started = Instant::now();
    let mut silent = TcpStream::connect(web.addr).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 16];
    let n = silent.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the server should close");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // TLS, then half a request's headers, never finished (slowloris).
    let started = Instant::now();
    let mut tls = web.connect();
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    tls.flush().unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/1.1 200"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // And the server still serves.
    assert_eq!(web.get("/").status, 200);
}

#[test]
fn no_password_reaches_an_answer_or_a_log_line() {
    let dir = TestDir::new();
    let web = start(&dir, "");
    let current = "Current-Secret-4711!";
    let new = "Brand-New-Secret-0815?";
    let r = web.change(&format!(
        "user=erin&current={}&new={}&confirm={}",
        encode(current),
        encode(new),
        encode(new)
    ));
    // A refusal that names the new password's faults must not quote it.
    let mismatch = web.change(&format!(
        "user=erin&current={}&new={}&confirm=other",
        encode(current),
        encode(new)
    ));
    assert_eq!(mismatch.json()["error"], "mismatch");
    // The page without JavaScript: the answer is the page again.
    let (cookie, token) = web.token();
    let body = format!(
        "user=erin%0A&current={}&new={}&confirm={}&csrf={token}",
        encode(current),
        encode(new),
        encode(new)
    );
    let html = web.send(
        format!(
            "POST /change HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nCookie: {cookie}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    let log = web.log();
    for answer in [&r, &mismatch, &html] {
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        for secret in [current, new] {
            assert!(!answer.text().contains(secret), "{}", answer.text());
            assert!(!answer.text().contains(&encode(secret)));
        }
    }
    for secret in [current, new, "Secret"] {
        assert!(!log.contains(secret), "{log}");
    }
    assert!(log.contains("password change"), "{log}");
    pwpolicy_tests::assert_no_forged_line(&log);
}

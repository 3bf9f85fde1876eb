//! `pwpolicy-web` for the tests: the page's files built once per run
//! (`scripts/build-web.sh`), the server started on a free port with the
//! test CA's certificate, and an HTTPS client (rustls, the test CA
//! checked) that sends exactly the bytes a test gives and times the answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};

/// The page's files, built with `scripts/build-web.sh` into
/// `<target>/web` once per test process (under a file lock, so parallel
/// test binaries build it once). `PWPOLICY_TEST_WEB_ASSETS` names another
/// build's (a package's) instead.
pub fn assets() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(dir) = std::env::var_os("PWPOLICY_TEST_WEB_ASSETS") {
                return PathBuf::from(dir);
            }
            let target = crate::target_dir()
                .parent()
                .expect("the target dir")
                .to_owned();
            let out = target.join("web");
            std::fs::create_dir_all(&target).expect("target dir");
            let lock = std::fs::File::create(target.join("web.lock")).expect("web.lock");
            lock.lock().expect("take web.lock");
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("repo root");
            let status = Command::new(root.join("scripts/build-web.sh"))
                .arg(&out)
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(root)
                .stdout(Stdio::null())
                .status()
                .expect("run scripts/build-web.sh");
            assert!(status.success(), "scripts/build-web.sh failed");
            out
        })
        .clone()
}

/// A running `pwpolicy-web`, stopped on drop.
pub struct WebServer {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    /// The policy file it was started with.
    pub config: PathBuf,
    child: Child,
    log: Arc<Mutex<String>>,
    client: Arc<rustls::ClientConfig>,
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code; 0 when no HTTP answer came.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// From the first byte sent to the last byte read.
    pub elapsed: Duration,
}

impl Reply {
    /// The first header named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

impl WebServer {
    /// Starts `pwpolicy-web` in `dir` with `policy` (TOML without a
    /// `[web]` section) and `web` (lines for `[web]`, besides the listen
    /// address and the certificate, which the harness sets).
    pub fn start(dir: &Path, policy: &str, web: &str) -> WebServer {
        WebServer::start_wrapped(dir, policy, web, |binary| Command::new(binary))
    }

    /// As [`WebServer::start`], the command made by `wrap` from the
    /// binary's path (e.g. `nsenter` into a network namespace).
    pub fn start_wrapped(
        dir: &Path,
        policy: &str,
        web: &str,
        wrap: impl FnOnce(&Path) -> Command,
    ) -> WebServer {
        let ca = crate::tls::certificates(dir);
        let config = dir.join("web-policy.toml");
        std::fs::write(&config, format!("{policy}\n{}", web_section(&ca, web)))
            .expect("write the policy");
        let mut cmd = wrap(&crate::binary("pwpolicy-web", "pwpolicy-web"));
        cmd.arg("--config")
            .arg(&config)
            .arg("--assets")
            .arg(assets());
        WebServer::launch(cmd, &ca, config)
    }

    /// Starts `pwpolicy-web` inside `sandbox` (its copy of `/etc`: its
    /// accounts, its PAM stack, its pwpolicyd) as the unprivileged account
    /// `run_as`, which owns the key, as the package's unit runs it. `web`
    /// holds lines for `[web]`; the sandbox's policy file gets `policy` and
    /// the `[web]` section.
    pub fn start_in(
        sandbox: &crate::sandbox::Sandbox,
        run_as: &str,
        policy: &str,
        web: &str,
    ) -> WebServer {
        let ca = crate::tls::certificates(sandbox.path());
        let key = ca.parent().expect("tls dir").join("key.pem");
        let uid = sandbox.uid(run_as);
        std::os::unix::fs::chown(&key, Some(uid), None)
            .expect("give the key to the page's account");
        sandbox.write_policy(&format!("{policy}\n{}", web_section(&ca, web)));
        let binary = crate::binary("pwpolicy-web", "pwpolicy-web");
        let assets = assets();
        let mut cmd = sandbox.command(
            "setpriv",
            &[
                "--reuid",
                run_as,
                "--regid",
                run_as,
                "--init-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                binary.to_str().expect("UTF-8 path"),
                "--config",
                "/etc/security/pwpolicy.toml",
                "--assets",
                assets.to_str().expect("UTF-8 path"),
            ],
        );
        cmd.env("PWPOLICY_LOG", "info");
        WebServer::launch(cmd, &ca, sandbox.policy_file())
    }

    fn launch(mut cmd: Command, ca: &Path, config: PathBuf) -> WebServer {
        let mut child = cmd
            .env("PWPOLICY_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pwpolicy-web");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_owned());
                }
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr.parse().expect("listen address"),
            Err(_) => {
                crate::sandbox::kill_tree(child.id(), libc::SIGKILL);
                let _ = child.wait();
                panic!(
                    "pwpolicy-web did not start:\n{}",
                    log.lock().unwrap_or_else(|e| e.into_inner())
                );
            }
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca).expect("read the CA") {
            roots.add(cert.expect("CA PEM")).expect("add the CA");
        }
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        WebServer {
            addr,
            config,
            child,
            log,
            client: Arc::new(client),
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server wrote to standard error so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `localhost:PORT`, as a browser sends it in `Host`.
    pub fn host(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    /// `https://localhost:PORT`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// A TLS connection to the server, the certificate checked.
    pub fn connect(&self) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
        let tcp = TcpStream::connect(self.addr).expect("connect");
        tcp.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let name = ServerName::try_from("localhost").expect("name");
        let conn = rustls::ClientConnection::new(Arc::clone(&self.client), name).expect("TLS");
        rustls::StreamOwned::new(conn, tcp)
    }

    /// Sends `request` (a whole HTTP/1.1 request) and reads the answer.
    pub fn send(&self, request: &[u8]) -> Reply {
        let started = Instant::now();
        let mut stream = self.connect();
        stream.write_all(request).expect("send");
        stream.flush().expect("flush");
        let mut raw = Vec::new();
        // A close without close_notify is an error to rustls; what was
        // read is still the answer.
        let _ = stream.read_to_end(&mut raw);
        let mut reply = parse(&raw);
        reply.elapsed = started.elapsed();
        reply
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Reply {
        self.send(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.host()
            )
            .as_bytes(),
        )
    }

    /// The page's CSRF cookie and form token, from a fresh `GET /`.
    pub fn token(&self) -> (String, String) {
        let page = self.get("/");
        assert_eq!(page.status, 200, "{}", page.text());
        let cookie = page
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("the page sets its cookie")
            .to_owned();
        let html = page.text();
        let at = html
            .find("name=\"csrf\"")
            .expect("the form has a csrf field");
        let tag_start = html[..at].rfind('<').expect("tag");
        let tag_end = at + html[at..].find('>').expect("tag end");
        let tag = &html[tag_start..tag_end];
        let value = tag
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .expect("csrf value");
        (cookie, value.to_owned())
    }

    /// `POST /change` with `form` (url-encoded), a fresh token appended,
    /// as the page's script sends it (JSON answer).
    pub fn change(&self, form: &str) -> Reply {
        let (cookie, token) = self.token();
        let body = format!("{form}&csrf={token}");
        self.send(
            format!(
                "POST /change HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
                 Sec-Fetch-Site: same-origin\r\nOrigin: https://{host}\r\n\
                 Cookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len(),
                host = self.host(),
            )
            .as_bytes(),
        )
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        crate::sandbox::kill_tree(self.child.id(), libc::SIGKILL);
        let _ = self.child.wait();
    }
}

/// The `[web]` section: a free port on 127.0.0.1, the test CA's
/// certificate, and `extra`.
fn web_section(ca: &Path, extra: &str) -> String {
    let tls = ca.parent().expect("tls dir");
    format!(
        "[web]\nlisten = \"127.0.0.1:0\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n{extra}\n",
        tls.join("cert.pem").display(),
        tls.join("key.pem").display()
    )
}

/// Form-encodes `value` (every byte but ASCII alphanumerics escaped).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn parse(raw: &[u8]) -> Reply {
    let empty = Reply {
        status: 0,
        headers: Vec::new(),
        body: raw.to_vec(),
        elapsed: Duration::ZERO,
    };
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return empty;
    };
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let Some(status) = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3))
        .and_then(|c| c.parse().ok())
    else {
        return empty;
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
        elapsed: Duration::ZERO,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&raw[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let end = (start + size).min(raw.len());
        out.extend_from_slice(&raw[start..end]);
        raw = &raw[(end + 2).min(raw.len())..];
    }
    out
}

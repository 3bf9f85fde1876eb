//! A real SMTP server on loopback for the reminder tests: Debian's
//! python3-aiosmtpd running `smtp_server.py`, which requires what it is
//! told to (STARTTLS, TLS, AUTH) and writes every message it takes to a
//! directory the test reads.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Debian's interpreter, which has python3-aiosmtpd (a pyenv or venv
/// first in PATH would not).
pub const PYTHON: &str = "/usr/bin/python3";

/// How the server protects a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain SMTP upgraded by STARTTLS, which it requires before any mail.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// No TLS offered at all.
    Plain,
}

/// What the server is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// How sessions are protected.
    pub mode: Mode,
    /// The login AUTH requires (none: no AUTH).
    pub login: Option<(String, String)>,
    /// Recipients it answers 550 to.
    pub refuse: Vec<String>,
    /// After this many messages it answers 451 to every one.
    pub stop_after: Option<u32>,
}

/// One message the server took.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// The envelope's sender.
    pub mail_from: String,
    /// The envelope's recipients.
    pub rcpt_tos: Vec<String>,
    /// The message: headers and body as sent.
    pub data: String,
    /// Whether the session was encrypted.
    pub tls: bool,
    /// Whether the session logged in.
    pub authenticated: bool,
}

impl Received {
    /// The value of the first header `name` (unfolded), if any.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let head = head.split("\n\n").next().unwrap_or("");
        let mut lines = head.lines().peekable();
        while let Some(line) = lines.next() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.eq_ignore_ascii_case(name) {
                let mut value = value.trim().to_owned();
                while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                    value.push(' ');
                    value.push_str(next.trim());
                    lines.next();
                }
                return Some(value);
            }
        }
        None
    }
}

/// A running server; killed when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    child: Child,
    port: u16,
    mail: PathBuf,
}

impl SmtpServer {
    /// Starts the server with `options`, its certificate from
    /// [`crate::tls::certificates`] made in `dir` (for the TLS modes), and
    /// its messages written under `dir/mail-PORT`.
    pub fn start(dir: &Path, options: &Options) -> SmtpServer {
        SmtpServer::start_with(dir, options, Command::new(PYTHON))
    }

    /// As [`SmtpServer::start`], run by `python` ([`PYTHON`] made to run
    /// elsewhere, such as in a DC's network namespace).
    pub fn start_with(dir: &Path, options: &Options, mut python: Command) -> SmtpServer {
        let mail = dir.join(format!(
            "mail-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        std::fs::create_dir_all(&mail).expect("make the mail directory");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/smtp_server.py");
        let cmd = &mut python;
        cmd.arg(&script)
            .arg("--dir")
            .arg(&mail)
            .arg("--mode")
            .arg(match options.mode {
                Mode::StartTls => "starttls",
                Mode::Tls => "tls",
                Mode::Plain => "plain",
            });
        if options.mode != Mode::Plain {
            let tls = dir.join("tls");
            if !tls.join("cert.pem").exists() {
                crate::tls::certificates(dir);
            }
            cmd.arg("--cert")
                .arg(tls.join("cert.pem"))
                .arg("--key")
                .arg(tls.join("key.pem"));
        }
        if let Some((user, password)) = &options.login {
            cmd.args(["--user", user, "--password", password]);
        }
        for r in &options.refuse {
            cmd.args(["--refuse", r]);
        }
        if let Some(n) = options.stop_after {
            cmd.args(["--stop-after", &n.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {PYTHON} {}: {e}", script.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout pipe"))
            .read_line(&mut line)
            .expect("read the server's first line");
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("the SMTP server did not start (is python3-aiosmtpd installed?): {line:?}")
            });
        SmtpServer { child, port, mail }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message taken so far, in the order taken.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.mail)
            .expect("read the mail directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read a message");
                serde_json::from_str(&text).expect("a message record")
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The operating-system side of the sandbox: a program on a new
//! pseudo-terminal driven like a user at a keyboard, and killing a process
//! tree. Every `unsafe` of the test helpers' sandbox is here.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TIMEOUT;

/// A program on a pseudo-terminal, driven like a user at a keyboard.
pub struct Pty {
    label: String,
    master: fs::File,
    child: Child,
    /// Everything read so far, carriage returns removed.
    seen: Vec<u8>,
    /// How much of `seen` earlier expectations consumed.
    pos: usize,
    eof: bool,
    exit: Option<i32>,
}

impl Pty {
    /// Starts `cmd` as a session leader with a new pseudo-terminal as its
    /// controlling terminal and standard input, output and error.
    /// `label` names it in failure messages.
    pub fn spawn(mut cmd: Command, label: &str) -> Pty {
        let (master, slave) = open_pty();
        let stdio = || Stdio::from(slave.try_clone().expect("dup the terminal"));
        cmd.stdin(stdio()).stdout(stdio()).stderr(stdio());
        // SAFETY: the hook only makes async-signal-safe system calls
        // (setsid, ioctl) between fork and exec.
        unsafe {
            cmd.pre_exec(become_session_leader);
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {label}: {e}"));
        drop(slave);
        Pty {
            label: label.to_owned(),
            master,
            child,
            seen: Vec::new(),
            pos: 0,
            eof: false,
            exit: None,
        }
    }

    /// Everything the program printed so far.
    pub fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// Panics with `why` and the whole transcript.
    #[track_caller]
    pub fn fail(&self, why: &str) -> ! {
        panic!(
            "{}: {why}\n----- everything `{}` printed -----\n{}\n----- end -----",
            self.label,
            self.label,
            self.transcript()
        );
    }

    /// Waits for `needle` after what earlier expectations consumed, and
    /// returns the text in between.
    #[track_caller]
    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_first(&[needle]).1
    }

    /// Waits for whichever of `needles` comes first; returns its index and
    /// the text before it.
    #[track_caller]
    pub fn expect_first(&mut self, needles: &[&str]) -> (usize, String) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let rest = &self.seen[self.pos..];
            let found = needles
                .iter()
                .enumerate()
                .filter_map(|(i, n)| find(rest, n.as_bytes()).map(|at| (at, i)))
                .min();
            if let Some((at, i)) = found {
                let before = String::from_utf8_lossy(&rest[..at]).into_owned();
                self.pos += at + needles[i].len();
                return (i, before);
            }
            if self.eof {
                self.fail(&format!("ended before printing {needles:?}"));
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {needles:?} within {} s", TIMEOUT.as_secs()));
            }
            self.read_some(deadline);
        }
    }

    /// Types `line` and Enter.
    #[track_caller]
    pub fn send_line(&mut self, line: &str) {
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\r');
        if let Err(e) = self.master.write_all(&bytes) {
            self.fail(&format!("cannot type: {e}"));
        }
    }

    /// Types a secret and Enter, once the terminal no longer echoes: the
    /// program has switched echo off for its hidden prompt (and flushed
    /// what was typed before). A short pause covers programs on the far
    /// side of ssh, whose terminal this one cannot see.
    #[track_caller]
    pub fn send_secret(&mut self, secret: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.echo_is_on() {
            if self.eof || Instant::now() > deadline {
                self.fail("the terminal still echoes: no hidden prompt to answer");
            }
            self.read_some(Instant::now() + Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(50));
        self.send_line(secret);
    }

    /// Waits for `prompt`, then answers it with `secret`; returns the text
    /// before the prompt.
    #[track_caller]
    pub fn answer(&mut self, prompt: &str, secret: &str) -> String {
        let before = self.expect(prompt);
        self.send_secret(secret);
        before
    }

    /// Reads until the program closes the terminal and exits; returns the
    /// text not yet consumed and the exit code (-1 for a signal).
    #[track_caller]
    pub fn finish(&mut self) -> (String, i32) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.eof {
            if Instant::now() > deadline {
                self.fail(&format!("still running after {} s", TIMEOUT.as_secs()));
            }
            self.read_some(deadline);
        }
        let code = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status.code().unwrap_or(-1),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => self.fail("closed the terminal but did not exit"),
            }
        };
        self.exit = Some(code);
        let rest = String::from_utf8_lossy(&self.seen[self.pos..]).into_owned();
        self.pos = self.seen.len();
        (rest, code)
    }

    /// Reads what is there, waiting until `deadline` for something.
    fn read_some(&mut self, deadline: Instant) {
        let wait = deadline.saturating_duration_since(Instant::now());
        let ms = libc::c_int::try_from(wait.as_millis().clamp(1, 1000)).unwrap_or(1000);
        let mut pfd = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready <= 0 {
            return;
        }
        let mut buf = [0u8; 4096];
        match self.master.read(&mut buf) {
            // EIO: every holder of the terminal's other side has closed it.
            Ok(0) | Err(_) => self.eof = true,
            Ok(n) => self.seen.extend(buf[..n].iter().filter(|&&b| b != b'\r')),
        }
    }

    fn echo_is_on(&self) -> bool {
        // SAFETY: termios is plain old data; all zeroes is a valid value.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: a valid descriptor and a pointer to a termios we own. On
        // Linux the master reports the terminal's (the slave's) settings.
        let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut termios) };
        rc == 0 && termios.c_lflag & libc::ECHO != 0
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if std::env::var_os("PWPOLICY_TEST_TRANSCRIPTS").is_some() {
            eprintln!(
                "----- `{}` on its terminal -----\n{}\n----- end -----",
                self.label,
                self.transcript()
            );
        }
        if self.exit.is_none() {
            kill_tree(self.child.id(), libc::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A new pseudo-terminal pair (both ends close-on-exec).
fn open_pty() -> (fs::File, OwnedFd) {
    // std opens with O_CLOEXEC: no other test's child inherits the master.
    let master = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open("/dev/ptmx")
        .expect("open /dev/ptmx");
    let fd = master.as_raw_fd();
    // SAFETY: unlockpt on an open /dev/ptmx descriptor.
    let unlocked = unsafe { libc::unlockpt(fd) };
    assert_eq!(unlocked, 0, "unlockpt: {}", std::io::Error::last_os_error());
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 200,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize through the pointer.
    unsafe {
        libc::ioctl(fd, libc::TIOCSWINSZ, &size);
    }
    // SAFETY: TIOCGPTPEER opens the pair's other side and returns a new
    // descriptor (or -1); it reads no memory.
    let slave = unsafe {
        libc::ioctl(
            fd,
            libc::TIOCGPTPEER,
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    assert!(
        slave >= 0,
        "TIOCGPTPEER: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a fresh descriptor that nothing else owns.
    let slave = unsafe { OwnedFd::from_raw_fd(slave) };
    (master, slave)
}

/// In the child between fork and exec: a new session whose controlling
/// terminal is standard input (the pseudo-terminal).
fn become_session_leader() -> std::io::Result<()> {
    // SAFETY: setsid takes no arguments; async-signal-safe.
    if unsafe { libc::setsid() } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: TIOCSCTTY on descriptor 0 with an integer argument; async-signal-safe.
    if unsafe { libc::ioctl(0, libc::TIOCSCTTY, 0) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Sends `signal` to `pid` and all its descendants (found through /proc).
pub fn kill_tree(pid: u32, signal: libc::c_int) {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(child);
            }
        }
    }
    let mut todo = vec![pid];
    let mut all = Vec::new();
    while let Some(p) = todo.pop() {
        all.push(p);
        todo.extend(children.get(&p).into_iter().flatten());
    }
    for p in all {
        let Ok(p) = libc::pid_t::try_from(p) else {
            continue;
        };
        // SAFETY: kill(2) takes plain integers and touches no memory of ours.
        unsafe {
            libc::kill(p, signal);
        }
    }
}

//! A real Samba AD DC for the tests: provisioned into a temp dir from an
//! empty configuration (the host's /etc/samba/smb.conf is never read),
//! driven with samba-tool, and its daemon run on loopback.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::is_root;

/// The Administrator's password of every provisioned DC.
pub const ADMIN_PASSWORD: &str = "Adm1n-Pass-Word!";
/// Its realm.
pub const REALM: &str = "PWTEST.LAN";

/// `program` on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Whether root and every one of `programs` are here; under CI a missing
/// one fails the test: a skip is never a pass there.
pub fn have_or_skip(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| which(p).is_none())
        .collect();
    let have = missing.is_empty() && is_root();
    if !have {
        pwpolicy_require::skip(test, &format!("needs root and {missing:?}"));
    }
    have
}

/// A DC provisioned in `dir/dc` (`extra`: more provision options, e.g.
/// `--backend-store=mdb`); returns its smb.conf.
pub fn provision(dir: &Path, extra: &[&str]) -> PathBuf {
    let target = dir.join("dc");
    let empty = dir.join("empty.conf");
    std::fs::write(&empty, "").expect("write empty.conf");
    let out = Command::new("samba-tool")
        .args([
            "domain",
            "provision",
            "--server-role=dc",
            "--dns-backend=NONE",
        ])
        .args(["--realm=PWTEST.LAN", "--domain=PWTEST", "--use-rfc2307"])
        .arg(format!("--adminpass={ADMIN_PASSWORD}"))
        .arg(format!("--targetdir={}", target.display()))
        .arg(format!("--configfile={}", empty.display()))
        .args(extra)
        .output()
        .expect("run samba-tool");
    assert!(
        out.status.success(),
        "provision: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = target.join("etc/smb.conf");
    // Provision leaves the daemon's pid file and sockets at the host's
    // defaults (/run/samba): keep them in the DC's own directory, so a
    // test DC never meets the host's samba.
    let run = target.join("run");
    add_global(
        &conf,
        &format!(
            "\tpid directory = {0}\n\tncalrpc dir = {0}/ncalrpc\n\twinbindd socket directory = {0}/winbindd\n\tntp signd socket directory = {0}/ntp_signd\n",
            run.display()
        ),
    );
    conf
}

/// Runs samba-tool on the DC of `conf`; `Err(stderr)` when it failed.
pub fn try_samba_tool(conf: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("samba-tool")
        .args(args)
        .arg(format!("--configfile={}", conf.display()))
        .stdin(Stdio::null())
        .output()
        .expect("run samba-tool");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs samba-tool, which must succeed.
pub fn samba_tool(conf: &Path, args: &[&str]) {
    if let Err(stderr) = try_samba_tool(conf, args) {
        panic!("samba-tool {args:?}: {stderr}");
    }
}

/// Adds `[global]` lines to the DC's smb.conf.
pub fn add_global(conf: &Path, lines: &str) {
    let smb = std::fs::read_to_string(conf).expect("read smb.conf");
    std::fs::write(
        conf,
        smb.replacen("[global]\n", &format!("[global]\n{lines}"), 1),
    )
    .expect("write smb.conf");
}

/// A DC's `samba` daemon, stopped (with its children) on drop, alone in
/// namespaces of its own: a network namespace, where its ports clash with
/// nothing (reach it with [`Daemon::command`]), and a mount namespace whose
/// `/run/samba` is the DC's own run directory. Its smbd finds winbindd at
/// that compiled-in path whatever smb.conf says, so without the mount it
/// would talk to the host's winbindd, or to none.
pub struct Daemon {
    child: std::process::Child,
}

impl Daemon {
    /// Starts the DC of `conf`, provisioned by [`provision`].
    pub fn start_isolated(conf: &Path) -> Daemon {
        use std::os::unix::process::CommandExt;
        let conf = conf.to_str().expect("UTF-8 path");
        let run = Path::new(conf)
            .parent()
            .and_then(Path::parent)
            .expect("DIR/dc/etc/smb.conf")
            .join("run");
        std::fs::create_dir_all(&run).expect("create the DC's run directory");
        let mut command = Command::new("unshare");
        command
            .args([
                "--net",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
            ])
            .arg(format!(
                "ip link set lo up && mount -t tmpfs -o mode=0755 pwpolicy-test-run /run \
                 && mkdir /run/samba && mount --bind '{}' /run/samba \
                 && exec samba -i -s '{conf}'",
                run.display()
            ));
        // Its log beside smb.conf, for when a test fails.
        let log = std::fs::File::create(Path::new(conf).with_file_name("samba.log"))
            .expect("create samba.log");
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup samba.log"))
            .stderr(log)
            .spawn()
            .expect("start samba");
        let daemon = Daemon { child };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !daemon.listening(&[389, 445, 636]) {
            assert!(
                Instant::now() < deadline,
                "samba did not start: {}",
                std::fs::read_to_string(Path::new(conf).with_file_name("samba.log"))
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        daemon
    }

    /// Whether every one of `ports` accepts connections on 127.0.0.1.
    fn listening(&self, ports: &[u16]) -> bool {
        // Until `unshare` has made its namespace, /proc/PID/ns/net is still
        // the host's, whose ports say nothing of this daemon.
        let ours = std::fs::read_link("/proc/self/ns/net").ok();
        let theirs = std::fs::read_link(format!("/proc/{}/ns/net", self.child.id())).ok();
        if theirs.is_none() || theirs == ours {
            return false;
        }
        let probe = ports
            .iter()
            .map(|p| format!("exec 3<>/dev/tcp/127.0.0.1/{p} && exec 3>&-"))
            .collect::<Vec<_>>()
            .join(" && ");
        self.command("bash")
            .args(["-c", &probe])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Moves the calling thread into the daemon's network namespace, where
    /// `localhost` is the DC: for tests that call the LDAP library itself.
    /// Only this thread moves (and the processes it starts); run it in a
    /// thread of its own.
    pub fn enter_network(&self) {
        let ns = std::fs::File::open(format!("/proc/{}/ns/net", self.child.id()))
            .expect("open the daemon's network namespace");
        rustix::thread::move_into_link_name_space(
            std::os::fd::AsFd::as_fd(&ns),
            Some(rustix::thread::LinkNameSpaceType::Network),
        )
        .expect("setns into the daemon's network namespace");
    }

    /// `program`, run where the daemon's loopback is.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new("nsenter");
        c.arg(format!("--net=/proc/{}/ns/net", self.child.id()))
            .arg("--")
            .arg(program);
        c
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

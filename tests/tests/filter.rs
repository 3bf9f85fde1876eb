//! The password filter library through its real exports: the shared verdict
//! vectors through `PasswordFilter` in `libpwpolicyfilt.so` (many threads at
//! once, via dlopen) and in `pwpolicyfilt.dll` cross-built for Windows and
//! loaded by Wine (LoadLibraryW); the C API from C; the C example; and the
//! policy's breached-password list through each of them (built by the real
//! `pwpolicy breach build`, replaced by rename between two calls, damaged,
//! missing).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pwpolicy_tests::{Output, TestDir, target_dir, vectors};

const FILTER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/filter");
const INCLUDE_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/pwpolicy-filter/include"
);
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/pwpolicy-filter/examples/check.c"
);

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The vectors grouped by policy: (policy TOML, case lines for the harness).
fn groups() -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in vectors::load().case {
        let line = format!(
            "{}\t{}\t{}\t{}",
            u8::from(case.expect.is_empty()),
            hex(&case.user),
            hex(&case.full_name),
            hex(&case.password)
        );
        groups.entry(case.policy).or_default().push(line);
    }
    groups
}

/// Writes each group's policy and cases; returns (policy file, cases file, count).
fn write_groups(dir: &TestDir) -> Vec<(PathBuf, PathBuf, usize)> {
    groups()
        .into_iter()
        .enumerate()
        .map(|(i, (policy, lines))| {
            let policy_file = dir.write(&format!("policy-{i}.toml"), &policy);
            let cases = dir.write(&format!("cases-{i}.txt"), &(lines.join("\n") + "\n"));
            (policy_file, cases, lines.len())
        })
        .collect()
}

fn cargo(args: &[&str]) {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let status = Command::new(cargo)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "cargo {args:?} failed");
}

/// libpwpolicyfilt.so, built.
fn shared_library() -> PathBuf {
    pwpolicy_tests::build_workspace().join("libpwpolicyfilt.so")
}

fn compile(compiler: &str, args: &[&str]) {
    let out = Command::new(compiler).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{compiler} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// "N passed, M failed" → (N, M).
fn tally(out: &Output) -> (usize, usize) {
    let line = out.stdout.lines().last().unwrap_or_default();
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(nums.len(), 2, "no tally in {out:?}");
    (nums[0], nums[1])
}

#[test]
fn the_linux_library_passes_the_vectors_from_many_threads() {
    let lib = shared_library();
    let dir = TestDir::new();
    let harness = dir.path().join("harness");
    compile(
        "gcc",
        &[
            "-O2",
            "-Wall",
            "-o",
            harness.to_str().unwrap(),
            &format!("{FILTER_DIR}/harness.c"),
            "-ldl",
            "-lpthread",
        ],
    );
    let (threads, rounds) = (8, 20);
    for (policy, cases, count) in write_groups(&dir) {
        let out = run(Command::new(&harness)
            .arg(&lib)
            .arg(&cases)
            .arg(threads.to_string())
            .arg(rounds.to_string())
            .env("PWPOLICY_CONFIG", &policy));
        assert_eq!(out.code, 0, "{}: {out:?}", policy.display());
        assert_eq!(tally(&out), (count * threads * rounds + 2, 0), "{out:?}");
    }
}

#[test]
fn a_broken_policy_file_enforces_the_default_and_says_so() {
    let lib = shared_library();
    let dir = TestDir::new();
    let harness = dir.path().join("harness");
    compile(
        "gcc",
        &[
            "-O2",
            "-o",
            harness.to_str().unwrap(),
            &format!("{FILTER_DIR}/harness.c"),
            "-ldl",
            "-lpthread",
        ],
    );
    // The default group's cases hold under a broken file, as under no file.
    let defaults = groups().remove("").unwrap();
    let cases = dir.write("cases.txt", &(defaults.join("\n") + "\n"));
    let broken = dir.write("broken.toml", "[quality]\nmin_length = 4\nminclasses = 1\n");
    let out = run(Command::new(&harness)
        .arg(&lib)
        .arg(&cases)
        .env("PWPOLICY_CONFIG", &broken));
    assert_eq!((out.code, tally(&out).1), (0, 0), "{out:?}");
    assert!(
        out.stderr.contains("line 3") && out.stderr.contains("built-in default"),
        "{}",
        out.stderr
    );
    let missing = dir.path().join("missing.toml");
    let out = run(Command::new(&harness)
        .arg(&lib)
        .arg(&cases)
        .env("PWPOLICY_CONFIG", &missing));
    assert_eq!((out.code, tally(&out).1), (0, 0), "{out:?}");
}

#[test]
fn a_setuid_program_ignores_pwpolicy_config_from_its_caller() {
    // A caller controls a setuid program's environment: the library must not
    // let it swap in a weaker policy (glibc's secure_getenv).
    pwpolicy_tests::require!(pwpolicy_tests::is_root(), "needs root");
    use std::os::unix::fs::PermissionsExt;
    let lib = shared_library();
    let dir = TestDir::new();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let harness = dir.path().join("harness");
    compile(
        "gcc",
        &[
            "-O2",
            "-o",
            harness.to_str().unwrap(),
            &format!("{FILTER_DIR}/harness.c"),
            "-ldl",
            "-lpthread",
        ],
    );
    // Refused by the organisation's policy, accepted by the caller's weak one.
    let cases = dir.write(
        "cases.txt",
        &format!("0\t{}\t{}\t{}\n", hex("erin"), hex(""), hex("abc")),
    );
    let weak = dir.write("weak.toml", "[quality]\nmin_length = 1\nmin_classes = 0\n");
    for file in [&cases, &weak] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let as_nobody = |program: &Path| {
        run(Command::new("runuser")
            .args(["-u", "nobody", "--", "env"])
            .arg(format!("PWPOLICY_CONFIG={}", weak.display()))
            .arg(program)
            .arg(&lib)
            .arg(&cases))
    };
    // An ordinary program: the variable is honoured, so "abc" passes and the case fails.
    std::fs::set_permissions(&harness, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        tally(&as_nobody(&harness)).1,
        1,
        "the control run must see the weak policy"
    );
    // Setuid root: the variable is ignored and the built-in policy refuses "abc".
    std::fs::set_permissions(&harness, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let out = as_nobody(&harness);
    assert_eq!((out.code, tally(&out).1), (0, 0), "{out:?}");
}

/// Issue 22: the library and the C API read the policy, banned and
/// breached files with no trust rules at all. As root (a setuid program, or
/// a service linking the C API) they now load through the one loader: a
/// policy file others could rewrite, or a banned list in a directory
/// another user owns, is refused and the built-in default enforced, with
/// the reason said.
#[test]
fn as_root_the_library_refuses_files_others_could_rewrite() {
    pwpolicy_tests::require!(pwpolicy_tests::is_root(), "needs root");
    use std::os::unix::fs::PermissionsExt;
    let lib = shared_library();
    let dir = TestDir::new();
    let harness = dir.path().join("harness");
    compile(
        "gcc",
        &[
            "-O2",
            "-o",
            harness.to_str().unwrap(),
            &format!("{FILTER_DIR}/harness.c"),
            "-ldl",
            "-lpthread",
        ],
    );
    let defaults = groups().remove("").unwrap();
    let cases = dir.write("cases.txt", &(defaults.join("\n") + "\n"));
    // A weaker policy anyone could have written.
    let open = dir.write("open.toml", "[quality]\nmin_length = 4\nmin_classes = 1\n");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
    // A banned list reached through a directory another user owns (the
    // decoy attack: an empty list where the real one should be).
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    let list = theirs.join("banned.txt");
    std::fs::write(&list, "Kingsbridge\n").unwrap();
    std::os::unix::fs::chown(&theirs, Some(4242), None).unwrap();
    let banned = dir.write(
        "banned.toml",
        &format!(
            "[quality]\nmin_length = 4\nmin_classes = 1\n[banned]\nfile = \"{}\"\n",
            list.display()
        ),
    );
    for (policy, why) in [
        (&open, "writable by group or others"),
        (&banned, "owned by uid 4242"),
    ] {
        let out = run(Command::new(&harness)
            .arg(&lib)
            .arg(&cases)
            .env("PWPOLICY_CONFIG", policy));
        assert_eq!((out.code, tally(&out).1), (0, 0), "{out:?}");
        assert!(
            out.stderr.contains(why) && out.stderr.contains("built-in default"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn the_c_api_from_c() {
    let lib = shared_library();
    let libdir = lib.parent().unwrap().to_str().unwrap().to_owned();
    let dir = TestDir::new();
    let test = dir.path().join("capi_test");
    compile(
        "gcc",
        &[
            "-Wall",
            "-I",
            INCLUDE_DIR,
            "-o",
            test.to_str().unwrap(),
            &format!("{FILTER_DIR}/capi_test.c"),
            "-L",
            &libdir,
            "-lpwpolicyfilt",
            &format!("-Wl,-rpath,{libdir}"),
        ],
    );
    for (policy, cases, count) in write_groups(&dir) {
        let out = run(Command::new(&test).arg(&cases).arg(&policy));
        assert_eq!(out.code, 0, "{}: {out:?}", policy.display());
        assert_eq!(tally(&out).1, 0);
        assert!(tally(&out).0 >= count + 11, "{out:?}");
    }

    let example = dir.path().join("check");
    compile(
        "gcc",
        &[
            "-Wall",
            "-I",
            INCLUDE_DIR,
            "-o",
            example.to_str().unwrap(),
            EXAMPLE,
            "-L",
            &libdir,
            "-lpwpolicyfilt",
            &format!("-Wl,-rpath,{libdir}"),
        ],
    );
    let out = pwpolicy_tests::run(&example, &["ehagens", "Erin M. Hagens"], b"Hagens2024!\n");
    assert_eq!(
        (out.code, out.stdout.trim()),
        (1, "refused: contains_name_part"),
        "{out:?}"
    );
    let out = pwpolicy_tests::run(&example, &["ehagens"], b"Blue-Kettle-42\n");
    assert_eq!((out.code, out.stdout.trim()), (0, "accepted"), "{out:?}");
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.exists())
    })
}

/// `Z:\…`: how a Windows program under Wine names a host path.
fn wine_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Whether wine and mingw are here; without them a test is skipped, except
/// under CI, where it fails: a skip is never a pass there.
fn wine_tools(test: &str) -> bool {
    let tools = ["x86_64-w64-mingw32-gcc", "wine"];
    if let Some(missing) = tools.iter().find(|t| which(t).is_none()) {
        pwpolicy_require::skip(
            test,
            &format!("no {missing} (apt-get install gcc-mingw-w64-x86-64 wine64 wine)"),
        );
        return false;
    }
    true
}

/// A directory holding pwpolicyfilt.dll (built), harness.exe and the
/// bcryptprimitives stand-in, and a command running the harness under Wine
/// in it with its own prefix.
struct Wine {
    dir: TestDir,
    exe: PathBuf,
}

impl Wine {
    fn new() -> Wine {
        cargo(&[
            "build",
            "--quiet",
            "-p",
            "pwpolicy-filter",
            "--lib",
            "--target",
            "x86_64-pc-windows-gnu",
            "--profile",
            "dll",
        ]);
        let dll = target_dir()
            .parent()
            .unwrap()
            .join("x86_64-pc-windows-gnu/dll/pwpolicyfilt.dll");
        let dir = TestDir::new();
        std::fs::copy(&dll, dir.path().join("pwpolicyfilt.dll")).unwrap();
        let exe = dir.path().join("harness.exe");
        compile(
            "x86_64-w64-mingw32-gcc",
            &[
                "-O2",
                "-Wall",
                "-o",
                exe.to_str().unwrap(),
                &format!("{FILTER_DIR}/harness.c"),
            ],
        );
        compile(
            "x86_64-w64-mingw32-gcc",
            &[
                "-shared",
                "-o",
                dir.path().join("bcryptprimitives.dll").to_str().unwrap(),
                &format!("{FILTER_DIR}/bcryptprimitives.c"),
                &format!("{FILTER_DIR}/bcryptprimitives.def"),
                "-ladvapi32",
            ],
        );
        Wine { dir, exe }
    }

    /// `harness.exe pwpolicyfilt.dll ARGS...` under Wine, with the policy
    /// file `policy` (its Windows name in PWPOLICY_CONFIG).
    fn harness(&self, policy: &Path, args: &[String]) -> Output {
        run(Command::new("wine")
            .arg(&self.exe)
            .arg("pwpolicyfilt.dll")
            .args(args)
            .current_dir(self.dir.path())
            .env("WINEPREFIX", self.dir.path().join("wineprefix"))
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("PWPOLICY_CONFIG", wine_path(policy)))
    }
}

#[test]
fn the_windows_dll_passes_the_vectors_under_wine() {
    if !wine_tools("the_windows_dll_passes_the_vectors_under_wine") {
        return;
    }
    let wine = Wine::new();
    for (policy, cases, count) in write_groups(&wine.dir) {
        let out = wine.harness(&policy, &[wine_path(&cases), "4".into(), "5".into()]);
        assert_eq!(out.code, 0, "{}: {out:?}", policy.display());
        assert_eq!(tally(&out), (count * 4 * 5 + 2, 0), "{out:?}");
    }
}

/// Passwords of the breached-list tests: two in the first list (both pass
/// the default text rules, so only the list refuses them), one not.
const LISTED: [&str; 2] = ["Summer2024!", "Winter2024!"];
const UNLISTED: &str = "Blue-Kettle-42";

/// One harness case line: `password` for erin, expected to pass or not.
fn case(accept: bool, password: &str) -> String {
    format!(
        "{}\t{}\t{}\t{}",
        u8::from(accept),
        hex("erin"),
        hex(""),
        hex(password)
    )
}

/// Writes a cases file of `(accept, password)` pairs.
fn cases(dir: &TestDir, name: &str, cases: &[(bool, &str)]) -> PathBuf {
    let lines: Vec<String> = cases.iter().map(|(a, p)| case(*a, p)).collect();
    dir.write(name, &(lines.join("\n") + "\n"))
}

/// A policy file naming the list `list` (as a TOML literal string, so a
/// Windows path needs no escaping), with `extra` after it.
fn policy_naming(dir: &TestDir, name: &str, list: &str, extra: &str) -> PathBuf {
    dir.write(name, &format!("[breached]\nfile = '{list}'\n{extra}"))
}

/// The Linux harness, compiled into `dir`.
fn linux_harness(dir: &TestDir) -> PathBuf {
    let harness = dir.path().join("harness");
    compile(
        "gcc",
        &[
            "-O2",
            "-Wall",
            "-o",
            harness.to_str().unwrap(),
            &format!("{FILTER_DIR}/harness.c"),
            "-ldl",
            "-lpthread",
        ],
    );
    harness
}

/// Flips one bit in the middle of `path` (a data page of a small filter),
/// in place.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn the_c_api_screens_against_the_policy_list_and_fails_closed() {
    let lib = shared_library();
    let libdir = lib.parent().unwrap().to_str().unwrap().to_owned();
    let dir = TestDir::new();
    let program = dir.path().join("capi_breached");
    let example = dir.path().join("check");
    for (source, out) in [
        (format!("{FILTER_DIR}/capi_breached.c"), &program),
        (EXAMPLE.to_owned(), &example),
    ] {
        compile(
            "gcc",
            &[
                "-Wall",
                "-I",
                INCLUDE_DIR,
                "-o",
                out.to_str().unwrap(),
                &source,
                "-L",
                &libdir,
                "-lpwpolicyfilt",
                &format!("-Wl,-rpath,{libdir}"),
            ],
        );
    }
    let list = pwpolicy_tests::breach_filter(&dir, "list.pwbf", &LISTED, "sha1");
    let policy = policy_naming(&dir, "policy.toml", list.to_str().unwrap(), "");
    let checks = |steps: &[&str]| {
        let out = run(Command::new(&program).arg(&policy).args(steps));
        for secret in LISTED.iter().chain([&UNLISTED]) {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{out:?}"
            );
        }
        out
    };

    // A listed password has the breached bit; the others pass.
    let out = checks(&[LISTED[0], LISTED[1], UNLISTED]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "0 0 breached\n0 0 breached\n0 1 -\n"),
        "{out:?}"
    );
    let out = pwpolicy_tests::run(
        &example,
        &["erin", "", policy.to_str().unwrap()],
        b"Summer2024!\n",
    );
    assert_eq!(
        (out.code, out.stdout.trim()),
        (1, "refused: breached"),
        "{out:?}"
    );

    // A new list renamed over the old one between two checks of one loaded
    // policy is the one the second check asks.
    let new = pwpolicy_tests::breach_filter(&dir, "new.pwbf", &[UNLISTED], "sha1");
    let (new_arg, list_arg) = (new.to_str().unwrap(), list.to_str().unwrap());
    let out = checks(&[UNLISTED, "--rename", new_arg, list_arg, UNLISTED, LISTED[0]]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "0 1 -\n0 0 breached\n0 1 -\n"),
        "{out:?}"
    );

    // Damaged in the page a lookup reads: PWPOLICY_E_LIST, and not accepted.
    let list = pwpolicy_tests::breach_filter(&dir, "list.pwbf", &LISTED, "sha1");
    damage(&list);
    let out = checks(&[LISTED[0]]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "-4 0 -\n"), "{out:?}");
    let out = pwpolicy_tests::run(
        &example,
        &["erin", "", policy.to_str().unwrap()],
        b"Summer2024!\n",
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("breached-password list cannot be read"),
        "{out:?}"
    );

    // Truncated or missing: no policy at all, and the message names the file.
    let bytes = std::fs::read(&list).unwrap();
    std::fs::write(&list, &bytes[..bytes.len() / 2]).unwrap();
    let out = checks(&[LISTED[0]]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout.starts_with(&format!(
            "load failed: breached-password list {}: truncated",
            list.display()
        )),
        "{out:?}"
    );
    std::fs::remove_file(&list).unwrap();
    let out = checks(&[LISTED[0]]);
    assert!(
        out.code == 2
            && out.stdout.starts_with(&format!(
                "load failed: cannot read breached-password list {}: ",
                list.display()
            )),
        "{out:?}"
    );
}

#[test]
fn password_filter_in_the_linux_library_screens_and_follows_on_error() {
    let lib = shared_library();
    let dir = TestDir::new();
    let harness = linux_harness(&dir);
    let list = pwpolicy_tests::breach_filter(&dir, "list.pwbf", &LISTED, "sha1");
    let policy = policy_naming(&dir, "policy.toml", list.to_str().unwrap(), "");
    let filter = |policy: &Path, args: &[&Path], extra: &[&str]| {
        let out = run(Command::new(&harness)
            .arg(&lib)
            .args(args)
            .args(extra)
            .env("PWPOLICY_CONFIG", policy));
        for secret in LISTED.iter().chain([&UNLISTED]) {
            assert!(
                !out.stderr.contains(secret),
                "the password in a report: {out:?}"
            );
        }
        out
    };

    // Listed: refused (and reported by code); unlisted: accepted; from 4 threads.
    let screened = cases(
        &dir,
        "screened.txt",
        &[(false, LISTED[0]), (false, LISTED[1]), (true, UNLISTED)],
    );
    let out = filter(&policy, &[&screened], &["4", "5"]);
    assert_eq!((out.code, tally(&out)), (0, (3 * 4 * 5 + 2, 0)), "{out:?}");
    assert!(
        out.stderr
            .contains("refused the password change for erin: breached"),
        "{}",
        out.stderr
    );

    // Replaced by rename between two calls of one process: the next call
    // asks the new list.
    let new = pwpolicy_tests::breach_filter(&dir, "new.pwbf", &[UNLISTED], "sha1");
    let after = cases(&dir, "after.txt", &[(true, LISTED[0]), (false, UNLISTED)]);
    let out = filter(&policy, &[&screened], &["1", "1"]);
    assert_eq!(tally(&out), (5, 0), "{out:?}");
    let out = run(Command::new(&harness)
        .arg(&lib)
        .arg(&screened)
        .args(["1", "1"])
        .arg(&new)
        .arg(&list)
        .arg(&after)
        .env("PWPOLICY_CONFIG", &policy));
    assert!(out.stdout.contains("renamed"), "{out:?}");
    assert_eq!((out.code, tally(&out)), (0, (3 + 2 + 2, 0)), "{out:?}");

    // No list where the policy says: refused under on_error = fail (the
    // default), accepted on the text rules under ignore; reported either way.
    let missing = dir.path().join("missing.pwbf");
    let fail = policy_naming(&dir, "fail.toml", missing.to_str().unwrap(), "");
    let unlisted_refused = cases(&dir, "refused.txt", &[(false, UNLISTED)]);
    let out = filter(&fail, &[&unlisted_refused], &[]);
    assert_eq!((out.code, tally(&out)), (0, (3, 0)), "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "refused the password change for erin: the breached-password list cannot be read (filter.on_error = fail): cannot read breached-password list {}",
            missing.display()
        )),
        "{}",
        out.stderr
    );
    let ignore = policy_naming(
        &dir,
        "ignore.toml",
        missing.to_str().unwrap(),
        "[filter]\non_error = \"ignore\"\n",
    );
    let text_rules_only = cases(
        &dir,
        "ignored.txt",
        &[(true, UNLISTED), (true, LISTED[0]), (false, "weak")],
    );
    let out = filter(&ignore, &[&text_rules_only], &[]);
    assert_eq!((out.code, tally(&out)), (0, (5, 0)), "{out:?}");
    assert!(
        out.stderr
            .contains("without the breached-password list (filter.on_error = ignore)")
            && out.stderr.contains(&missing.display().to_string()),
        "{}",
        out.stderr
    );
}

#[test]
fn an_account_name_built_to_forge_log_lines_is_reported_escaped() {
    // Regression (issue 27): the account name LSASS hands over (any name
    // the directory holds) went raw into the filter's report.
    let lib = shared_library();
    let dir = TestDir::new();
    let harness = linux_harness(&dir);
    let policy = dir.write("policy.toml", "");
    let forged = "erin\nFAKE: Password accepted.\x1b[2J\u{202e}";
    let refused = dir.write(
        "forged.txt",
        &format!("0\t{}\t{}\t{}\n", hex(forged), hex(""), hex("weak")),
    );
    let out = run(Command::new(&harness)
        .arg(&lib)
        .arg(&refused)
        .env("PWPOLICY_CONFIG", &policy));
    assert_eq!((out.code, tally(&out).1), (0, 0), "{out:?}");
    assert!(
        out.stderr.contains(
            "refused the password change for erin\\nFAKE: Password accepted.\\u{1b}[2J\\u{202e}: "
        ),
        "the refusal is reported, the name escaped: {}",
        out.stderr
    );
    pwpolicy_tests::assert_no_forged_line(&out.stderr);
}

#[test]
fn the_windows_dll_screens_and_sees_a_list_replaced_by_movefileex_under_wine() {
    if !wine_tools("the_windows_dll_screens_and_sees_a_list_replaced_by_movefileex_under_wine") {
        return;
    }
    let wine = Wine::new();
    let dir = &wine.dir;
    let list = pwpolicy_tests::breach_filter(dir, "list.pwbf", &LISTED, "sha1");
    let new = pwpolicy_tests::breach_filter(dir, "new.pwbf", &[UNLISTED], "sha1");
    let policy = policy_naming(dir, "policy.toml", &wine_path(&list), "");
    let before = cases(
        dir,
        "before.txt",
        &[(false, LISTED[0]), (false, LISTED[1]), (true, UNLISTED)],
    );
    let after = cases(dir, "after.txt", &[(true, LISTED[0]), (false, UNLISTED)]);

    // From 2 threads, then (in the same process, between two calls)
    // MoveFileExW(new, list, MOVEFILE_REPLACE_EXISTING), then the new list.
    // Windows refuses to replace a file that is open or mapped, so this
    // passes only because the DLL holds nothing between lookups.
    let out = wine.harness(
        &policy,
        &[
            wine_path(&before),
            "2".into(),
            "3".into(),
            wine_path(&new),
            wine_path(&list),
            wine_path(&after),
        ],
    );
    assert!(out.stdout.contains("renamed"), "{out:?}");
    assert_eq!(
        (out.code, tally(&out)),
        (0, (3 * 2 * 3 + 2 + 2, 0)),
        "{out:?}"
    );

    // No list: the change is refused (on_error = fail, the default).
    let missing = policy_naming(
        dir,
        "missing.toml",
        &wine_path(&dir.path().join("gone.pwbf")),
        "",
    );
    let refused = cases(dir, "refused.txt", &[(false, UNLISTED)]);
    let out = wine.harness(&missing, &[wine_path(&refused)]);
    assert_eq!((out.code, tally(&out)), (0, (3, 0)), "{out:?}");
}

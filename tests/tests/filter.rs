//! The password filter library through its real exports: the shared verdict
//! vectors through `PasswordFilter` in `libpwpolicyfilt.so` (many threads at
//! once, via dlopen) and in `pwpolicyfilt.dll` cross-built for Windows and
//! loaded by Wine (LoadLibraryW); the C API from C; the C example.
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
    let release = target_dir().file_name().is_some_and(|n| n == "release");
    let mut args = vec!["build", "--quiet", "-p", "pwpolicy-filter", "--lib"];
    if release {
        args.push("--release");
    }
    cargo(&args);
    target_dir().join("libpwpolicyfilt.so")
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
    if !pwpolicy_tests::is_root() {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root");
        eprintln!("SKIPPED a_setuid_program_ignores_pwpolicy_config_from_its_caller: needs root");
        return;
    }
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

#[test]
fn the_windows_dll_passes_the_vectors_under_wine() {
    let tools = ["x86_64-w64-mingw32-gcc", "wine"];
    if let Some(missing) = tools.iter().find(|t| which(t).is_none()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {missing} (scripts/test.sh installs it)"
        );
        eprintln!(
            "SKIPPED the_windows_dll_passes_the_vectors_under_wine: no {missing} (apt-get install gcc-mingw-w64-x86-64 wine64 wine)"
        );
        return;
    }
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
    let prefix = dir.path().join("wineprefix");
    for (policy, cases, count) in write_groups(&dir) {
        let out = run(Command::new("wine")
            .arg(&exe)
            .arg("pwpolicyfilt.dll")
            .arg(wine_path(&cases))
            .args(["4", "5"])
            .current_dir(dir.path())
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("PWPOLICY_CONFIG", wine_path(&policy)));
        assert_eq!(out.code, 0, "{}: {out:?}", policy.display());
        assert_eq!(tally(&out), (count * 4 * 5 + 2, 0), "{out:?}");
    }
}

//! `pwpolicy breach` and the `[breached]` policy through the real CLI: HIBP
//! files in every spelling, plain lists, bad lines, min-count, sorting in
//! runs on disk, info, lookup, audit, and `check` (single and `--batch`)
//! refusing a breached password, or exiting 2 when the list is unusable.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use pwpolicy_breach::KeyKind;
use pwpolicy_tests::{Output, TestDir, breach_filter, pwpolicy_run};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn build(args: &[&str]) -> Output {
    let mut full = vec!["breach", "build"];
    full.extend(args);
    pwpolicy_run(&full, b"")
}

/// `HASH:COUNT` lines of `passwords` (upper or lower case, CRLF or LF).
fn hibp(kind: KeyKind, passwords: &[(&str, u64)], upper: bool, crlf: bool) -> String {
    passwords
        .iter()
        .map(|(p, count)| {
            // Only the first 64 bits matter to a filter; the rest is filler of
            // the right length.
            let hex = format!(
                "{:016x}{}",
                kind.prefix_of(p),
                "0".repeat(kind.hex_len() - 16)
            );
            let hex = if upper { hex.to_uppercase() } else { hex };
            format!("{hex}:{count}{}", if crlf { "\r\n" } else { "\n" })
        })
        .collect()
}

fn policy(dir: &TestDir, filter: &Path, extra: &str) -> PathBuf {
    dir.write(
        "policy.toml",
        &format!("[breached]\nfile = \"{}\"\n{extra}", filter.display()),
    )
}

fn check(config: &Path, password: &str) -> Output {
    pwpolicy_run(
        &["check", "--json", "--config", s(config)],
        format!("{password}\n").as_bytes(),
    )
}

fn lookup(filter: &Path, password: &str) -> i32 {
    let out = pwpolicy_run(
        &["breach", "lookup", "--filter", s(filter)],
        format!("{password}\n").as_bytes(),
    );
    assert!(matches!(out.code, 0 | 1), "{out:?}");
    out.code
}

#[test]
fn hibp_files_in_any_case_and_line_ending_and_plain_lists_build_one_filter() {
    let dir = TestDir::new();
    let upper = dir.write(
        "upper.txt",
        &hibp(
            KeyKind::Sha1,
            &[("Winter2025!", 12), ("letmein", 40000)],
            true,
            true,
        ),
    );
    let lower = dir.write(
        "lower.txt",
        &hibp(KeyKind::Sha1, &[("P@ssw0rd123", 3)], false, false),
    );
    let plain = dir.write("plain.txt", "Correct-Horse-9\r\nsommer 2024\n\n");
    let out_file = dir.path().join("breached.pwbf");
    let out = build(&["--output", s(&out_file), s(&upper), s(&lower), s(&plain)]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("5 sha1 keys"), "{}", out.stdout);
    for member in [
        "Winter2025!",
        "letmein",
        "P@ssw0rd123",
        "Correct-Horse-9",
        "sommer 2024",
    ] {
        assert_eq!(lookup(&out_file, member), 1, "{member}");
    }
    for other in ["Winter2025", "Correct-Horse", "Blue-Kettle-42"] {
        assert_eq!(lookup(&out_file, other), 0, "{other:?}");
    }

    let info = pwpolicy_run(&["breach", "info", "--json", s(&out_file)], b"");
    assert_eq!(info.code, 0, "{info:?}");
    let v = info.json();
    assert_eq!(v["entries"], 5);
    assert_eq!(v["key"], "sha1");
    assert_eq!(v["verified"], true);
    assert!(v["false_positive_rate"].as_f64().unwrap() <= 1e-9, "{v}");
    assert_eq!(
        v["bytes"].as_u64().unwrap(),
        std::fs::metadata(&out_file).unwrap().len()
    );
}

#[test]
fn a_list_on_a_pipe_is_read_whole_though_its_format_is_told_from_its_start() {
    // Issue 27: the format was told by reading the first 64 KiB, then the
    // input was opened again, which a pipe cannot replay: those lines were
    // lost. 20,000 HIBP lines (about 900 KiB) on standard input.
    let dir = TestDir::new();
    let passwords: Vec<(String, u64)> = (0..20_000).map(|i| (format!("piped-{i:05}"), 2)).collect();
    let refs: Vec<(&str, u64)> = passwords.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let lines = hibp(KeyKind::Sha1, &refs, true, false);
    let out_file = dir.path().join("piped.pwbf");
    let out = pwpolicy_run(
        &["breach", "build", "--output", s(&out_file), "/dev/stdin"],
        lines.as_bytes(),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("20,000 sha1 keys"), "{}", out.stdout);
    for member in ["piped-00000", "piped-00500", "piped-19999"] {
        assert_eq!(lookup(&out_file, member), 1, "{member}");
    }
}

#[test]
fn check_and_batch_refuse_a_breached_password_with_its_code_and_message() {
    let dir = TestDir::new();
    let filter = breach_filter(&dir, "list.pwbf", &["Winter2025!", "password"], "sha1");
    let config = policy(&dir, &filter, "");
    let out = check(&config, "Winter2025!");
    assert_eq!(out.code, 1, "{out:?}");
    let v = out.json();
    assert_eq!(v["violations"][0]["code"], "breached", "{v}");
    assert_eq!(
        v["violations"][0]["message"],
        "appears in a list of breached passwords: choose another"
    );
    assert_eq!(check(&config, "Blue-Kettle-42").code, 0);
    let human = pwpolicy_run(&["check", "--config", s(&config)], b"Winter2025!\n");
    assert_eq!(human.code, 1);
    assert!(
        human
            .stdout
            .contains("appears in a list of breached passwords"),
        "{human:?}"
    );

    let batch = pwpolicy_run(
        &["check", "--batch", "--config", s(&config)],
        b"{\"password\":\"Winter2025!\"}\n{\"password\":\"Blue-Kettle-42\"}\n",
    );
    assert_eq!(batch.code, 1, "{batch:?}");
    let lines: Vec<serde_json::Value> = batch
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["violations"][0]["code"], "breached");
    assert_eq!(lines[1]["accepted"], true);
}

#[test]
fn a_password_is_found_in_its_nfkc_form_unless_the_policy_says_not() {
    let dir = TestDir::new();
    let filter = breach_filter(&dir, "list.pwbf", &["Winter2025!"], "sha1");
    let wide = "Ｗｉｎｔｅｒ２０２５！";
    assert_eq!(
        check(&policy(&dir, &filter, ""), wide).json()["violations"][0]["code"],
        "breached"
    );
    let exact = policy(&dir, &filter, "nfkc = false\n");
    assert_eq!(check(&exact, wide).code, 0, "as typed only");
    assert_eq!(check(&exact, "Winter2025!").code, 1);
}

#[test]
fn a_missing_empty_truncated_damaged_or_foreign_list_is_an_error_never_a_pass() {
    let dir = TestDir::new();
    let good = breach_filter(
        &dir,
        "good.pwbf",
        &(0..5000)
            .map(|i| format!("pw-{i}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "sha1",
    );
    let bytes = std::fs::read(&good).unwrap();
    let variants: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        ("truncated", bytes[..bytes.len() - 5].to_vec(), "truncated"),
        (
            "foreign",
            b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\n".to_vec(),
            "not a pwpolicy",
        ),
        (
            "version",
            {
                let mut b = bytes.clone();
                b[8] = 9;
                b
            },
            "version 9",
        ),
        (
            "damaged",
            {
                let mut b = bytes.clone();
                for page in (4096..b.len() - 4096).step_by(4096) {
                    b[page + 300] ^= 1;
                }
                b
            },
            "damaged",
        ),
    ];
    for (name, contents, says) in variants {
        let path = dir.path().join(format!("{name}.pwbf"));
        std::fs::write(&path, contents).unwrap();
        let config = policy(&dir, &path, "");
        let out = check(&config, "Blue-Kettle-42");
        assert_eq!(out.code, 2, "{name}: {out:?}");
        assert!(
            out.stderr.contains(says) && out.stderr.contains(s(&path)),
            "{name}: {}",
            out.stderr
        );
        let batch = pwpolicy_run(
            &["check", "--batch", "--config", s(&config)],
            b"{\"password\":\"Blue-Kettle-42\"}\n",
        );
        assert_eq!(batch.code, 2, "{name} batch: {batch:?}");
        let info = pwpolicy_run(&["breach", "info", s(&path)], b"");
        assert_eq!(info.code, 2, "{name} info: {info:?}");
    }
    let missing = policy(&dir, &dir.path().join("nowhere.pwbf"), "");
    let out = check(&missing, "Blue-Kettle-42");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nowhere.pwbf"), "{}", out.stderr);
}

#[test]
fn mixed_hash_kinds_are_refused_and_bad_lines_are_listed_with_their_numbers() {
    let dir = TestDir::new();
    let sha1 = dir.write(
        "sha1.txt",
        &hibp(KeyKind::Sha1, &[("a-password", 1)], true, true),
    );
    let ntlm = dir.write(
        "ntlm.txt",
        &hibp(KeyKind::Ntlm, &[("a-password", 1)], true, true),
    );
    let out_file = dir.path().join("f.pwbf");
    let out = build(&["--output", s(&out_file), s(&sha1), s(&ntlm)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("SHA-1") && out.stderr.contains("NTLM"),
        "{}",
        out.stderr
    );
    let out = build(&["--key", "ntlm", "--output", s(&out_file), s(&sha1)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!out_file.exists());

    let mut text = hibp(KeyKind::Sha1, &[("one", 1), ("two", 2)], true, true);
    text.push_str("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD:1\r\n"); // line 3: 39 digits
    text.push_str(&hibp(KeyKind::Sha1, &[("three", 3)], true, true));
    text.push_str("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:many\r\n"); // line 5
    let bad = dir.write("bad.txt", &text);
    let out = build(&["--output", s(&out_file), s(&bad)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("bad.txt: line 3: not a sha1 hash of 40 hex digits"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("bad.txt: line 5: the count after `:` is not a whole number"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("2 bad lines: nothing written"),
        "{}",
        out.stderr
    );
    assert!(!out_file.exists(), "nothing written");
    let out = build(&["--skip-bad-lines", "--output", s(&out_file), s(&bad)]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("line 3"),
        "still listed: {}",
        out.stderr
    );
    assert!(out.stdout.contains("3 sha1 keys"), "{}", out.stdout);

    // A plain list's bad lines: not UTF-8, a NUL.
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, b"fine\ncaf\xe9\nnul\0here\n").unwrap();
    let out = build(&["--output", s(&out_file), s(&plain)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("line 2: not UTF-8")
            && out.stderr.contains("line 3: contains a NUL byte"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("caf") && !out.stderr.contains("here"),
        "no line text: {}",
        out.stderr
    );
}

#[test]
fn min_count_leaves_out_rare_hashes_and_the_policy_can_require_a_dense_list() {
    let dir = TestDir::new();
    let input = dir.write(
        "hibp.txt",
        &hibp(
            KeyKind::Sha1,
            &[("rare-one", 1), ("common-one", 50), ("common-two", 500)],
            true,
            true,
        ),
    );
    let sparse = dir.path().join("sparse.pwbf");
    let out = build(&["--min-count", "10", "--output", s(&sparse), s(&input)]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("2 sha1 keys")
            && out.stdout.contains("1 seen fewer than 10 times left out"),
        "{}",
        out.stdout
    );
    assert_eq!(lookup(&sparse, "rare-one"), 0);
    assert_eq!(lookup(&sparse, "common-one"), 1);
    let info = pwpolicy_run(&["breach", "info", "--json", s(&sparse)], b"").json();
    assert_eq!(info["min_count"], 10);

    // The policy asks for every password seen 5 times: this list is too sparse.
    let config = policy(&dir, &sparse, "min_count = 5\n");
    let out = check(&config, "Blue-Kettle-42");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--min-count 10") && out.stderr.contains("rebuild"),
        "{}",
        out.stderr
    );
    let config = policy(&dir, &sparse, "min_count = 10\n");
    assert_eq!(check(&config, "common-two").code, 1);
}

#[test]
fn sorting_in_runs_on_disk_gives_the_same_filter_as_in_memory() {
    let dir = TestDir::new();
    let passwords: Vec<String> = (0..20_000).map(|i| format!("pw-{i}")).collect();
    let mut text = String::new();
    for p in &passwords {
        text.push_str(p);
        text.push('\n');
    }
    let list = dir.write("list.txt", &text);
    let memory = dir.path().join("memory.pwbf");
    let disk = dir.path().join("disk.pwbf");
    assert_eq!(build(&["--output", s(&memory), s(&list)]).code, 0);
    let out = build(&[
        "--memory",
        "16K",
        "--tmp-dir",
        s(dir.path()),
        "--output",
        s(&disk),
        s(&list),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("sorted runs on disk"), "{}", out.stdout);
    let (a, b) = (
        std::fs::read(&memory).unwrap(),
        std::fs::read(&disk).unwrap(),
    );
    // The same bytes but the build time in the header.
    assert_eq!(a.len(), b.len());
    assert_eq!(a[4096..], b[4096..]);
    for p in passwords.iter().step_by(997) {
        assert_eq!(lookup(&disk, p), 1, "{p}");
    }
    // No run files are left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
}

/// Runs `pwpolicy args…` under GNU time; returns what it left and its peak
/// resident memory in KiB.
fn with_peak_memory(dir: &TestDir, args: &[&str]) -> (Output, u64) {
    let report = dir.path().join("peak-kib.txt");
    let pwpolicy = pwpolicy_tests::pwpolicy();
    let mut full = vec!["-f", "%M", "-o", s(&report), s(&pwpolicy)];
    full.extend(args);
    let out = pwpolicy_tests::run(Path::new(GNU_TIME), &full, b"");
    // GNU time says "Command exited with non-zero status N" first, if so.
    let said = std::fs::read_to_string(&report).unwrap();
    let peak = said.lines().last().and_then(|l| l.trim().parse().ok());
    let peak = peak.unwrap_or_else(|| panic!("GNU time said {said:?}"));
    (out, peak)
}

const GNU_TIME: &str = "/usr/bin/time";

#[test]
fn a_line_past_the_limit_is_refused_at_the_limit_not_read_whole() {
    // Regression (issue 27): `breach build --memory 16M` of a 400 MB input
    // with no newline peaked at 531 MB: the line was read whole before it
    // was found too long.
    pwpolicy_tests::require!(
        Path::new(GNU_TIME).is_file(),
        "needs GNU time ({GNU_TIME}, Debian package time)"
    );
    use std::io::Write as _;
    let dir = TestDir::new();
    let input = dir.path().join("no-newline.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    let block = vec![b'a'; 1 << 20];
    for _ in 0..200 {
        file.write_all(&block).unwrap();
    }
    file.into_inner().unwrap().sync_all().unwrap();
    let out_file = dir.path().join("f.pwbf");
    let (out, peak_kib) = with_peak_memory(
        &dir,
        &[
            "breach",
            "build",
            "--memory",
            "16M",
            "--output",
            s(&out_file),
            s(&input),
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("no-newline.txt: line 1: longer than 4096 bytes")
            && out.stderr.contains("1 bad lines: nothing written"),
        "{}",
        out.stderr
    );
    assert!(
        peak_kib < 64 * 1024,
        "peak RSS {peak_kib} KiB for a 200 MiB line"
    );
    assert!(!out_file.exists(), "nothing written");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".pwpolicy-breach-"))
        .collect();
    assert!(left.is_empty(), "half-written files left: {left:?}");

    // With --skip-bad-lines the rest of a long line is skipped, and the
    // next line is read as a line of its own.
    let mixed = dir.path().join("mixed.txt");
    let text = format!(
        "{}\nBlue-Kettle-42\n{}",
        "x".repeat(100_000),
        "y".repeat(5_000)
    );
    std::fs::write(&mixed, text).unwrap();
    let out = build(&["--skip-bad-lines", "--output", s(&out_file), s(&mixed)]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("mixed.txt: line 1: longer than 4096 bytes")
            && out
                .stderr
                .contains("mixed.txt: line 3: longer than 4096 bytes"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("1 sha1 keys from 3 lines"),
        "{}",
        out.stdout
    );
    assert_eq!(lookup(&out_file, "Blue-Kettle-42"), 1);
}

#[test]
fn audit_lists_the_accounts_whose_nt_hash_is_breached() {
    let dir = TestDir::new();
    let filter = breach_filter(&dir, "ntlm.pwbf", &["Winter2025!", "password"], "ntlm");
    let nt = |p: &str| format!("{:016X}0123456789ABCDEF", KeyKind::Ntlm.prefix_of(p));
    let dump = dir.write(
        "dump.txt",
        &format!(
            "Administrator:500:aad3b435b51404eeaad3b435b51404ee:{}:::\r\n\
             erin:1104:aad3b435b51404eeaad3b435b51404ee:{}:::\r\n\
             sam:1105:aad3b435b51404eeaad3b435b51404ee:{}:::\r\n\
             Guest:501:NO PASSWORD*********************:NO PASSWORD*********************:::\r\n",
            nt("Long-Unique-Passphrase-77"),
            nt("Winter2025!"),
            nt("password"),
        ),
    );
    let out = pwpolicy_run(&["breach", "audit", "--filter", s(&filter), s(&dump)], b"");
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "erin\nsam\n");
    assert!(out.stderr.contains("2 of 3 accounts"), "{}", out.stderr);
    let json = pwpolicy_run(
        &["breach", "audit", "--json", "--filter", s(&filter), "-"],
        std::fs::read(&dump).unwrap().as_slice(),
    );
    let v = json.json();
    assert_eq!(v["breached"], serde_json::json!(["erin", "sam"]));
    assert_eq!(
        (v["checked"].as_u64(), v["no_hash"].as_u64()),
        (Some(3), Some(1))
    );

    let sha1 = breach_filter(&dir, "sha1.pwbf", &["password"], "sha1");
    let out = pwpolicy_run(&["breach", "audit", "--filter", s(&sha1), s(&dump)], b"");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("needs an NTLM filter"),
        "{}",
        out.stderr
    );
}

/// Pages of `file` in the page cache (util-linux's fincore).
fn resident_pages(file: &Path) -> u64 {
    let out = pwpolicy_tests::run(
        Path::new("fincore"),
        &["--raw", "--noheadings", "--output", "PAGES", s(file)],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout.trim().parse().unwrap()
}

/// Drops `file` from the page cache (`dd iflag=nocache`: fadvise DONTNEED).
fn evict(file: &Path) {
    let out = pwpolicy_tests::run(
        Path::new("dd"),
        &[
            &format!("if={}", s(file)),
            "iflag=nocache",
            "count=0",
            "status=none",
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        resident_pages(file),
        0,
        "could not evict {}",
        file.display()
    );
}

#[test]
fn a_lookup_of_a_password_past_every_limit_is_an_error_that_does_not_echo_it() {
    let dir = TestDir::new();
    let filter = breach_filter(&dir, "list.pwbf", &["letmein"], "sha1");
    // Past the 4096-byte line limit (the largest max_length, 1024, times 4).
    let long = format!("Secret-Tail-{}", "x".repeat(5000));
    let out = pwpolicy_run(
        &["breach", "lookup", "--filter", s(&filter)],
        format!("{long}\n").as_bytes(),
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("longer than any policy accepts"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("Secret-Tail") && !out.stdout.contains("Secret-Tail"),
        "{out:?}"
    );
}

#[test]
fn a_cold_lookup_reads_two_pages_and_opening_two_more() {
    let dir = TestDir::new();
    let list: String = (0..300_000).map(|i| format!("leaked-{i}\n")).collect();
    let input = dir.write("list.txt", &list);
    let filter = dir.path().join("f.pwbf");
    assert_eq!(build(&["--output", s(&filter), s(&input)]).code, 0);
    assert!(
        std::fs::metadata(&filter).unwrap().len() > 1 << 20,
        "large enough to tell"
    );
    evict(&filter);
    let out = pwpolicy_run(&["breach", "info", "--quick", s(&filter)], b"");
    assert_eq!(out.code, 0, "{out:?}");
    // The header page and the top index's page; no read-around.
    assert_eq!(resident_pages(&filter), 2, "opening");
    for (password, found) in [("leaked-123456", 1), ("not-leaked", 0)] {
        evict(&filter);
        assert_eq!(lookup(&filter, password), found);
        // Opening's two, then one directory page and one data page.
        assert_eq!(resident_pages(&filter), 4, "{password}");
    }
}

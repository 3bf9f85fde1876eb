//! `pwpolicy report --html` in a real browser: headless Chromium loads the
//! page from a file (it must need nothing else), renders a screenshot, and
//! the numbers in its DOM are the ones `list --json` and `report --json`
//! give for the same store.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pwpolicy_tests::{Output, TestDir, pwpolicy_run};
use time::{Duration, OffsetDateTime};

const CHROMIUM: &str = "/usr/bin/chromium";

fn day(days_ago: i64) -> String {
    (OffsetDateTime::now_utc() - Duration::days(days_ago))
        .date()
        .to_string()
}

/// Chromium, headless, alone: its own profile, no network.
fn chromium(dir: &Path, args: &[&str]) -> std::process::Output {
    let profile = dir.join("chromium-profile");
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            // Anything the page tried to fetch would fail, not leak.
            "--proxy-server=127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .env("HOME", dir)
        .output()
        .expect("run chromium")
}

/// The `data-count` of the first element whose opening tag holds `attr`.
fn count_of(dom: &str, attr: &str) -> Option<u64> {
    let at = dom.find(attr)?;
    let tag_start = dom[..at].rfind('<')?;
    let tag_end = at + dom[at..].find('>')?;
    let tag = &dom[tag_start..tag_end];
    let value = tag.split("data-count=\"").nth(1)?.split('"').next()?;
    value.parse().ok()
}

fn cli(args: &[&str]) -> Output {
    let out = pwpolicy_run(args, b"");
    assert_eq!(out.code, 0, "{args:?}: {out:?}");
    out
}

#[test]
fn the_html_report_in_chromium_says_what_list_and_report_say() {
    if !Path::new(CHROMIUM).exists() {
        pwpolicy_tests::skip(
            "report_html",
            "chromium is not installed (scripts/test.sh installs it)",
        );
        return;
    }
    let dir = TestDir::new();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let db = store.join("state.db").display().to_string();
    let config = dir.write(
        "policy.toml",
        "[[accounts.class]]\nname = \"admins\"\nusers = [\"a0\", \"a1\", \"a2\", \"a3\"]\nmax_age_days = 60\n",
    );
    let config = config.to_str().unwrap();
    // People at every age over 130 days; admins expire at 60.
    for i in 0..40 {
        let user = if i < 4 {
            format!("a{i}")
        } else {
            format!("p{i:02}")
        };
        cli(&[
            "set-changed",
            "--user",
            &user,
            "--date",
            &day(i * 13 % 131),
            "--create",
            "--db",
            &db,
            "--config",
            config,
        ]);
    }
    cli(&["expire", "--user", "p05", "--db", &db, "--config", config]);

    let html = cli(&[
        "report",
        "--html",
        "--expiring-within",
        "14",
        "--db",
        &db,
        "--config",
        config,
    ]);
    let page = dir.write("expiry.html", &html.stdout);
    // The window is optional for the page (the longest [notify] days, 14).
    let default_window = cli(&["report", "--html", "--db", &db, "--config", config]);
    assert_eq!(default_window.stdout, html.stdout);
    // Self-contained: nothing to fetch from anywhere.
    for outside in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(
            !html.stdout.contains(outside),
            "the page fetches: {outside}"
        );
    }

    let url = format!("file://{}", page.display());
    let dumped = chromium(dir.path(), &["--dump-dom", &url]);
    assert!(dumped.status.success(), "{dumped:?}");
    let dom = String::from_utf8(dumped.stdout).unwrap();
    assert!(dom.contains("<svg"), "the chart is in the DOM");

    // The counts by state are list's (this host's own accounts included,
    // as list shows them).
    let list = cli(&["list", "--json", "--db", &db, "--config", config]).json();
    let rows = list.as_array().unwrap();
    let mut by_state: BTreeMap<String, u64> = BTreeMap::new();
    for row in rows {
        *by_state
            .entry(row["state"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(
        by_state.len() >= 4,
        "ok, warning, expired, must_change: {by_state:?}"
    );
    for (state, n) in &by_state {
        let in_page = count_of(&dom, &format!("data-state=\"{state}\"")).unwrap();
        assert_eq!(in_page, *n, "{state}");
    }
    assert_eq!(
        count_of(&dom, "data-state=\"all\"").unwrap(),
        rows.len() as u64
    );
    // The class row: the four admins, across the states.
    let admins_row = dom
        .split("data-class=\"admins\"")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    let admins: u64 = admins_row
        .split("data-count=\"")
        .skip(1)
        .filter_map(|c| c.split('"').next()?.parse::<u64>().ok())
        .sum::<u64>();
    assert_eq!(admins, 4, "one count a state: {admins_row}");

    // The table is report's rows, by name.
    let report = cli(&[
        "report",
        "--expiring-within",
        "14",
        "--json",
        "--db",
        &db,
        "--config",
        config,
    ])
    .json();
    let mut want: Vec<String> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    let mut got: Vec<String> = dom
        .split("data-user=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    got.sort();
    assert_eq!(got, want);
    assert!(got.contains(&"p05".to_owned()), "the forced change is due");
    let due = dom
        .split("id=\"due\"")
        .nth(1)
        .and_then(|s| count_of(s, "data-count"))
        .unwrap();
    assert_eq!(due, want.len() as u64);

    // The chart: one bar a week, and the bars add up to the accounts that
    // expire within the 13 weeks.
    let bars: Vec<u64> = dom
        .split("data-week=\"")
        .skip(1)
        .map(|s| {
            s.split("data-count=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(bars.len(), 13);
    let today = OffsetDateTime::now_utc().date();
    let within: u64 = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["expires"].as_str())
        .filter_map(|e| {
            time::Date::parse(e, &time::format_description::well_known::Iso8601::DATE).ok()
        })
        .filter(|e| *e >= today && *e < today + Duration::weeks(13))
        .count() as u64;
    assert_eq!(bars.iter().sum::<u64>(), within, "{bars:?}");

    // And it renders: a screenshot of the page, not an empty canvas.
    let shot: PathBuf = dir.path().join("expiry.png");
    let out = chromium(
        dir.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
            &url,
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert!(png.len() > 20_000, "{} bytes: a blank page?", png.len());
}

#[test]
fn list_and_report_refuse_html_where_it_means_nothing() {
    let out = pwpolicy_run(&["list", "--html"], b"");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("html"), "{}", out.stderr);
}

//! `pwpolicy check --batch`: JSON Lines in, one JSON verdict per line out.

use std::io::{BufRead, Write};

use anyhow::Context;
use pwpolicy::Policy;
use pwpolicy_host::Lists;
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroize;

use crate::input::{self, Line};
use crate::render;
use crate::{EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED};

/// Largest JSON Lines record accepted by `--batch`, in bytes.
const BATCH_LINE_LIMIT: usize = 64 * 1024;

/// One `--batch` record. The password is wiped when the record is dropped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    full_name: Option<String>,
    password: String,
}

impl Drop for Record {
    fn drop(&mut self) {
        self.password.zeroize();
    }
}

/// `--batch`: one JSON verdict per input line, in order. Bad lines get an
/// `error` object and do not stop the run. Exit 0 if all were accepted, 1 if
/// any was rejected, 2 if any line was bad. A breached-password list that
/// cannot be read ends the run with an error.
pub fn batch(
    policy: &Policy,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<u8> {
    let (mut rejected, mut errors) = (false, false);
    let lists = Lists::new();
    for number in 1.. {
        let Some(raw) =
            input::read_raw(input, BATCH_LINE_LIMIT).context("cannot read standard input")?
        else {
            break;
        };
        if !raw.complete {
            // The rest of an overlong record is still on the input: skip it.
            input::skip_line(input).context("cannot read standard input")?;
        }
        let line = match raw.decode() {
            Ok(line) => line,
            Err(e) => {
                errors = true;
                render::json_line(out, &json!({ "line": number, "error": e.to_string() }))?;
                continue;
            }
        };
        let value = match line {
            Line::TooLong => {
                errors = true;
                json!({ "line": number, "error": format!("record is longer than {BATCH_LINE_LIMIT} bytes") })
            }
            Line::Text(text) if text.trim().is_empty() => continue,
            Line::Text(text) => match serde_json::from_str::<Record>(&text) {
                Ok(record) => {
                    // A list that cannot be read stops the run: every
                    // verdict after it would be unscreened.
                    let verdict = lists.text_verdict(
                        policy,
                        record.user.as_deref().unwrap_or(""),
                        record.full_name.as_deref().unwrap_or(""),
                        &record.password,
                    )?;
                    rejected |= !verdict.is_accepted();
                    let mut value = render::verdict_json(&verdict, false);
                    value["line"] = json!(number);
                    value["user"] = json!(record.user);
                    value
                }
                Err(e) => {
                    errors = true;
                    json!({ "line": number, "error": format!("not a record: {}", json_error(&e)) })
                }
            },
        };
        render::json_line(out, &value)?;
    }
    out.flush()?;
    Ok(if errors {
        EXIT_ERROR
    } else if rejected {
        EXIT_REJECTED
    } else {
        EXIT_ACCEPTED
    })
}

/// A serde_json error without any of the input it quotes (which could be a password).
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax | Category::Eof => "invalid JSON",
        Category::Data => "expected {\"user\", \"full_name\", \"password\"} with string values",
        Category::Io => "read error",
    };
    format!("{what} at column {}", e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_batch(input: &str) -> (u8, Vec<serde_json::Value>) {
        let mut out = Vec::new();
        let code = batch(&Policy::default(), &mut input.as_bytes(), &mut out).unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (code, lines)
    }

    #[test]
    fn batch_writes_one_verdict_per_record() {
        let (code, out) = run_batch(
            "{\"user\":\"erin\",\"full_name\":\"Erin Hagens\",\"password\":\"Hagens#2024\"}\n\
             {\"password\":\"Blue-Kettle-42\"}\n",
        );
        assert_eq!(code, EXIT_REJECTED);
        assert_eq!(out[0]["accepted"], false);
        assert_eq!(out[0]["violations"][0]["code"], "contains_name_part");
        assert_eq!(out[0]["user"], "erin");
        assert_eq!(
            (out[1]["line"].as_u64(), out[1]["accepted"].as_bool()),
            (Some(2), Some(true))
        );
    }

    #[test]
    fn bad_records_are_reported_without_their_text() {
        let (code, out) = run_batch(
            "{\"password\": \"Sekrit-Value-1\", \"pin\": 1}\n{oops Sekrit-Value-2\n\
             {\"password\":\"Blue-Kettle-42\"}\n",
        );
        assert_eq!(code, EXIT_ERROR);
        assert_eq!(out.len(), 3);
        for v in &out[..2] {
            let shown = v.to_string();
            assert!(
                v["error"].is_string() && !shown.contains("Sekrit"),
                "{shown}"
            );
        }
        assert_eq!(out[2]["accepted"], true);
    }

    #[test]
    fn overlong_and_non_utf8_records_do_not_stop_the_run() {
        let long = format!("{{\"password\":\"{}\"}}\n", "x".repeat(100_000));
        let mut input = long.into_bytes();
        input.extend_from_slice(b"\xff\xfe\n{\"password\":\"Blue-Kettle-42\"}\n");
        let mut out = Vec::new();
        let code = batch(&Policy::default(), &mut &input[..], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(code, EXIT_ERROR);
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0]["error"].as_str().unwrap().contains("longer than"));
        assert!(lines[1]["error"].as_str().unwrap().contains("UTF-8"));
        assert_eq!(lines[2]["accepted"], true);
    }
}

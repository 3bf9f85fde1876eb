//! How verdicts are printed: a short human list, or one JSON object. Both
//! work from the JSON form, which the service sends too.

use std::io::Write;

use pwpolicy::Verdict;
use serde_json::{Value, json};

/// The JSON object of a `check` verdict.
pub fn verdict_json(verdict: &Verdict, history_checked: bool) -> Value {
    let mut value = serde_json::to_value(verdict).unwrap_or_else(|_| json!({}));
    value["history_checked"] = Value::Bool(history_checked);
    value
}

/// Writes a verdict for a person: one line when accepted, else one line per violation.
pub fn verdict_human(out: &mut impl Write, verdict: &Value) -> std::io::Result<()> {
    if verdict["accepted"] == true {
        return writeln!(out, "Password accepted.");
    }
    writeln!(out, "Password rejected:")?;
    for v in verdict["violations"].as_array().into_iter().flatten() {
        let (message, code) = (
            v["message"].as_str().unwrap_or(""),
            v["code"].as_str().unwrap_or(""),
        );
        writeln!(out, "  - {message} [{code}]")?;
    }
    Ok(())
}

/// Writes one JSON value on its own line.
pub fn json_line(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

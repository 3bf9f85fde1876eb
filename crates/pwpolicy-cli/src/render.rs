//! How verdicts are printed: a short human list, or one JSON object.

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
pub fn verdict_human(out: &mut impl Write, verdict: &Verdict) -> std::io::Result<()> {
    if verdict.is_accepted() {
        writeln!(out, "Password accepted.")
    } else {
        writeln!(out, "Password rejected:")?;
        for v in verdict.violations() {
            writeln!(out, "  - {v} [{}]", v.code())?;
        }
        Ok(())
    }
}

/// Writes one JSON value on its own line.
pub fn json_line(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

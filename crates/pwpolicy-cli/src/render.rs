//! How verdicts are printed: a short human list, or one JSON object. Both
//! work from the typed answer every backend gives.

use std::io::Write;

use pwpolicy::Verdict;
use pwpolicy_backend::CheckAnswer;
use serde::Serialize;
use serde_json::Value;

/// The answer for a verdict of the core alone.
pub fn answer(verdict: &Verdict, history_checked: bool) -> CheckAnswer {
    CheckAnswer::of(verdict.violations().to_vec(), history_checked)
}

/// The JSON object of a `check` verdict (batch mode adds to it).
pub fn verdict_json(verdict: &Verdict, history_checked: bool) -> Value {
    serde_json::to_value(answer(verdict, history_checked)).unwrap_or(Value::Null)
}

/// Writes a verdict for a person: one line when accepted, else one line per violation.
pub fn verdict_human(out: &mut impl Write, answer: &CheckAnswer) -> std::io::Result<()> {
    if answer.accepted {
        return writeln!(out, "Password accepted.");
    }
    writeln!(out, "Password rejected:")?;
    for v in &answer.violations {
        writeln!(out, "  - {v} [{}]", v.code())?;
    }
    Ok(())
}

/// Writes one value as JSON on its own line.
pub fn json_line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

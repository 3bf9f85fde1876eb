//! Guards the page's check in the browser (the core compiled to
//! WebAssembly, here natively): any rules document and password give a
//! verdict or an error as JSON, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (rules, password) = text.split_once('\u{0}').unwrap_or((&text, "Blue-Kettle-42"));
    let answer = pwpolicy_wasm::check_json(rules, password);
    let value: serde_json::Value = serde_json::from_str(&answer).expect("the answer is JSON");
    assert!(value.get("accepted").is_some() || value.get("error").is_some(), "{answer}");
});

//! The JavaScript face: one export, `check(rules_json, password)`, over
//! [`crate::check_json`].

use wasm_bindgen::prelude::wasm_bindgen;
use zeroize::Zeroize;

/// `check(rules_json, password)` in JavaScript: the JSON answer of
/// [`crate::check_json`].
///
/// The password arrives as an owned copy in the module's memory (the glue
/// writes the JavaScript string there) and is wiped before it is freed; the
/// JavaScript string itself is the page's to drop.
#[wasm_bindgen(js_name = check)]
pub fn check_js(rules_json: &str, mut password: String) -> String {
    let answer = crate::check_json(rules_json, &password);
    password.zeroize();
    answer
}

//! Guards the self-service page's form decoder: any body decodes or is
//! refused without a panic, a decoded form's Debug output never shows a
//! password, and what decodes re-encodes to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy_web::form::ChangeForm;

fn encode(value: &str) -> String {
    value.bytes().map(|b| format!("%{b:02X}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = ChangeForm::parse(data) else { return };
    let shown = format!("{form:?}");
    for secret in [&form.current, &form.new, &form.confirm] {
        if secret.len() >= 4 && !shown.is_empty() && !form.user.contains(secret.as_str()) {
            assert!(!shown.contains(secret.as_str()), "Debug shows a password");
        }
    }
    assert!(!form.user.chars().any(char::is_control));
    let again = format!(
        "user={}&current={}&new={}&confirm={}&csrf={}",
        encode(&form.user),
        encode(&form.current),
        encode(&form.new),
        encode(&form.confirm),
        encode(&form.csrf)
    );
    let back = ChangeForm::parse(again.as_bytes()).expect("an encoded form decodes");
    assert_eq!(back.user, form.user);
    assert_eq!(back.current.as_str(), form.current.as_str());
    assert_eq!(back.new.as_str(), form.new.as_str());
    assert_eq!(back.confirm.as_str(), form.confirm.as_str());
    assert_eq!(back.csrf, form.csrf);
});

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
    // Debug shows the account and nothing else: exactly what a form with
    // the same account and no passwords shows.
    let bare = ChangeForm {
        user: form.user.clone(),
        ..ChangeForm::default()
    };
    assert_eq!(format!("{form:?}"), format!("{bare:?}"), "Debug shows more than the account");
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

//! Guards the service's request parsing: any bytes on the socket go through
//! the frame reader, the JSON envelope and the access rules without a panic,
//! and a parsed request's Debug output never shows its password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy_service::auth::{Peer, authorize};
use pwpolicy_backend::wire::{Envelope, Request, encode_frame, read_frame};

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    while let Ok(Some(frame)) = read_frame(&mut input) {
        let Ok(envelope) = serde_json::from_slice::<Envelope>(&frame) else { continue };
        let shown = format!("{envelope:?}");
        // What parses re-encodes, and parses back to the same request.
        let again = encode_frame(&envelope).expect("a parsed request fits a frame");
        let back: Envelope = serde_json::from_slice(&again[4..]).expect("an encoded request parses");
        assert_eq!(format!("{back:?}"), shown);
        if let Request::Check { password, .. }
        | Request::Commit { password, .. }
        | Request::Change { password, .. } = &envelope.request
        {
            if password.0.len() >= 4 && !"Secret(<redacted>)".contains(password.0.as_str()) {
                assert!(!shown.contains(password.0.as_str()), "Debug shows a password");
            }
        }
        if let Request::PamChange { current, new, .. } = &envelope.request {
            for secret in [current, new] {
                if secret.0.len() >= 4 && !"Secret(<redacted>)".contains(secret.0.as_str()) {
                    assert!(!shown.contains(secret.0.as_str()), "Debug shows a password");
                }
            }
        }
        let pam_change = matches!(envelope.request, Request::PamChange { .. });
        for (admin, web) in [(false, false), (true, false), (false, true)] {
            let peer = Peer { uid: 1000, pid: 1, name: Some("erin".into()), admin, web };
            let allowed = authorize(&peer, &envelope.request).is_ok();
            if pam_change {
                // Root and the page's account only: not even an administrator.
                assert_eq!(allowed, web, "pam_change is the page's alone");
            } else if admin {
                assert!(allowed, "an administrator may do everything else");
            }
        }
    }
});

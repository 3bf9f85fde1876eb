//! Guards the client's reading of pwpolicyd's answers (the PAM module and
//! the CLI trust nothing the socket says): any bytes go through the frame
//! reader and the typed response without a panic, and what parses as a
//! check answer re-encodes to an equal answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pwpolicy_backend::wire::{Answer, Response, read_frame};

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    while let Ok(Some(frame)) = read_frame(&mut input) {
        let Ok(response) = serde_json::from_slice::<Response>(&frame) else { continue };
        if let Some(Answer::Check(answer)) = &response.ok {
            let again = serde_json::to_vec(answer).expect("an answer encodes");
            let back: pwpolicy_backend::CheckAnswer =
                serde_json::from_slice(&again).expect("an encoded answer parses");
            assert_eq!(&back, answer);
        }
    }
});

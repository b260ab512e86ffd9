//! The control socket's JSON messages and the scene-script validator.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::script::SceneScript;
use protocol::ClientMessage;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<ClientMessage>(data);
    if let Ok(script) = serde_json::from_slice::<SceneScript>(data) {
        let _ = script.validate();
    }
});

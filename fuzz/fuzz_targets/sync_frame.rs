//! A room's handling of one y-websocket frame, as editor and as viewer, on a room that already
//! holds a script; committed updates are applied as the room would after the store commits.
#![no_main]

use std::time::Instant;

use collab::sync::{Effect, Peer, RoomSync};
use libfuzzer_sys::fuzz_target;
use protocol::Role;

/// A stored script: title text, a shots array with one map, a settings map (built once).
fn seed_updates() -> &'static [Vec<u8>] {
    static SEED: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEED.get_or_init(build_seed)
}

fn build_seed() -> Vec<Vec<u8>> {
    use yrs::{Array, Doc, Map, MapPrelim, ReadTxn, StateVector, Text, Transact};
    let doc = Doc::new();
    let title = doc.get_or_insert_text("title");
    let shots = doc.get_or_insert_array("shots");
    let settings = doc.get_or_insert_map("settings");
    {
        let mut txn = doc.transact_mut();
        title.insert(&mut txn, 0, "a cat on a roof");
        let shot = shots.push_back(&mut txn, MapPrelim::default());
        shot.insert(&mut txn, "prompt", "un chat qui danse");
        settings.insert(&mut txn, "steps", 8);
    }
    let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
    vec![update]
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, frame)) = data.split_first() else { return };
    let role = match selector % 3 {
        0 => Role::Viewer,
        1 => Role::Editor,
        _ => Role::Owner,
    };
    let (mut room, _) = RoomSync::load(None, seed_updates());
    let peer = Peer {
        session: u64::from(selector),
        role,
        username: "fuzz",
    };
    if let Ok(effects) = room.handle_frame(peer, frame, Instant::now()) {
        for effect in effects {
            if let Effect::Persist(update) = effect {
                assert!(role.can_write(), "a viewer's update was accepted");
                room.apply_committed(&update);
            }
        }
    }
    let _ = room.title();
    let _ = room.snapshot_v2();
});

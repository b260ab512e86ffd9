//! The TypeScript twin of `protocol` (in `frontend/src/protocol/generated/`) must match the
//! Rust types. Run with `UPDATE_TS=1` (`make ts`) to regenerate after changing a type.
#![cfg(feature = "ts")]

use std::path::PathBuf;

use protocol::script::{SceneScript, ScriptError, Settings, Shot};
use protocol::*;
use ts_rs::{Config, TS};

fn generated_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend/src/protocol/generated")
}

fn check<T: TS + 'static>(cfg: &Config, stale: &mut Vec<String>) {
    let name = format!("{}.ts", T::ident(cfg));
    let path = generated_dir().join(&name);
    let expected = T::export_to_string(cfg).expect("ts-rs renders the type");
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::create_dir_all(generated_dir()).expect("create generated dir");
        std::fs::write(&path, &expected).expect("write generated file");
        return;
    }
    match std::fs::read_to_string(&path) {
        Ok(actual) if actual == expected => {}
        _ => stale.push(name),
    }
}

#[test]
fn typescript_twin_matches_rust_types() {
    let cfg = Config::new();
    let mut stale = Vec::new();
    check::<Role>(&cfg, &mut stale);
    check::<ErrorCode>(&cfg, &mut stale);
    check::<ErrorBody>(&cfg, &mut stale);
    check::<Credentials>(&cfg, &mut stale);
    check::<UserView>(&cfg, &mut stale);
    check::<CreateRoom>(&cfg, &mut stale);
    check::<RoomView>(&cfg, &mut stale);
    check::<MemberView>(&cfg, &mut stale);
    check::<RoomDetail>(&cfg, &mut stale);
    check::<SetMemberRole>(&cfg, &mut stale);
    check::<TicketView>(&cfg, &mut stale);
    check::<ClientMessage>(&cfg, &mut stale);
    check::<ServerMessage>(&cfg, &mut stale);
    check::<MemberOnline>(&cfg, &mut stale);
    check::<SceneScript>(&cfg, &mut stale);
    check::<Shot>(&cfg, &mut stale);
    check::<Settings>(&cfg, &mut stale);
    check::<ScriptError>(&cfg, &mut stale);
    assert!(stale.is_empty(), "stale TypeScript files (run `make ts`): {stale:?}");
}

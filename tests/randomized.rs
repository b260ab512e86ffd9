//! Seeded, replayable chaos: clients join, leave, edit offline and reconnect, edit
//! concurrently, and the server restarts (gracefully and with SIGKILL) mid-run. Everyone
//! must converge to the union of all edits. `SEED=<n> cargo test --test randomized`
//! replays a run; the seed is printed on every run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{yclient::local_edit, Api, TestDb, TestServer, YClient};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

const CLIENTS: usize = 4;
const STEPS: usize = 250;
const TEXT: &str = "script";

enum Slot {
    Online(YClient),
    Offline(Doc),
}

impl Slot {
    fn doc(&self) -> &Doc {
        match self {
            Slot::Online(c) => &c.doc,
            Slot::Offline(d) => d,
        }
    }
}

fn text_of(doc: &Doc) -> String {
    let txn = doc.transact();
    txn.get_text(TEXT).map(|t| t.get_string(&txn)).unwrap_or_default()
}

/// The union of every replica's edits: what the server must end up with.
fn oracle(slots: &[Slot]) -> String {
    let merged = Doc::new();
    for slot in slots {
        let state = slot.doc().transact().encode_state_as_update_v1(&StateVector::default());
        merged
            .transact_mut()
            .apply_update(Update::decode_v1(&state).unwrap())
            .unwrap();
    }
    text_of(&merged)
}

#[tokio::test]
async fn random_sessions_with_restarts_converge() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("randomized convergence: SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);

    let db = TestDb::create().await;
    let mut server = TestServer::start(
        &db.conn,
        &[("REELROOM_COMPACT_EVERY", "40"), ("REELROOM_ROOM_IDLE_GRACE_MS", "300")],
    );
    let mut users = vec![Api::signup(&server.url, "user_0").await];
    let room = users[0].create_room("chaos").await;
    for i in 1..CLIENTS {
        let name = format!("user_{i}");
        users.push(Api::signup(&server.url, &name).await);
        users[0].set_member(&room, &name, "editor").await;
    }
    let mut slots: Vec<Slot> = Vec::new();
    for user in &users {
        slots.push(Slot::Online(
            YClient::connect(&server.ws_url(), &room, &user.ticket(&room).await).await,
        ));
    }

    for step in 0..STEPS {
        let i = rng.gen_range(0..CLIENTS);
        let roll: f64 = rng.gen();
        if roll < 0.60 {
            // Edit (online: sent now; offline: uploaded at reconnect).
            let len = text_of(slots[i].doc()).len() as u32;
            let delete = len > 3 && rng.gen_bool(0.3);
            let update = if delete {
                let at = rng.gen_range(0..len - 1);
                let n = rng.gen_range(1..=(len - at).min(3));
                local_edit(slots[i].doc(), |txn, t| t.remove_range(txn, at, n), TEXT)
            } else {
                let at = rng.gen_range(0..=len);
                let chunk: String = (0..rng.gen_range(1..4))
                    .map(|_| rng.gen_range(b'a'..=b'z') as char)
                    .collect();
                local_edit(slots[i].doc(), |txn, t| t.insert(txn, at, &chunk), TEXT)
            };
            if let Slot::Online(client) = &mut slots[i] {
                client.send(actors::wire::encode_update(&update)).await;
            }
        } else if roll < 0.72 {
            // Go offline (keep the replica).
            if let Slot::Online(_) = &slots[i] {
                let Slot::Online(mut client) = std::mem::replace(&mut slots[i], Slot::Offline(Doc::new())) else {
                    unreachable!()
                };
                client.disconnect().await;
                slots[i] = Slot::Offline(client.into_doc());
            }
        } else if roll < 0.84 {
            // Reconnect with the offline replica.
            if let Slot::Offline(_) = &slots[i] {
                let Slot::Offline(doc) = std::mem::replace(&mut slots[i], Slot::Offline(Doc::new())) else {
                    unreachable!()
                };
                let ticket = users[i].ticket(&room).await;
                slots[i] = Slot::Online(YClient::connect_with_doc(&server.ws_url(), &room, &ticket, doc).await);
            }
        } else if roll < 0.87 {
            let crash = rng.gen_bool(0.5);
            println!("step {step}: server {}", if crash { "kill -9" } else { "restart" });
            if crash {
                server.crash_and_restart();
            } else {
                server.restart();
            }
            for slot in &mut slots {
                if let Slot::Online(client) = slot {
                    client.pump(Duration::from_millis(50)).await; // sees the close
                }
            }
        } else {
            for slot in &mut slots {
                if let Slot::Online(client) = slot {
                    client.pump(Duration::from_millis(rng.gen_range(1..30))).await;
                }
            }
        }
        // A client whose socket was closed (restart) continues offline.
        for (j, slot) in slots.iter_mut().enumerate() {
            if let Slot::Online(client) = slot {
                if !client.is_open() {
                    let Slot::Online(client) = std::mem::replace(slot, Slot::Offline(Doc::new())) else {
                        unreachable!()
                    };
                    *slot = Slot::Offline(client.into_doc());
                    let _ = j;
                }
            }
        }
    }

    // Everyone comes back; all replicas and a fresh client converge to the union of edits.
    for (i, slot) in slots.iter_mut().enumerate() {
        if let Slot::Offline(_) = slot {
            let Slot::Offline(doc) = std::mem::replace(slot, Slot::Offline(Doc::new())) else {
                unreachable!()
            };
            *slot = Slot::Online(
                YClient::connect_with_doc(&server.ws_url(), &room, &users[i].ticket(&room).await, doc).await,
            );
        }
    }
    let expected = oracle(&slots);
    for slot in &mut slots {
        let Slot::Online(client) = slot else { unreachable!() };
        let converged = client
            .wait_until(|c| c.text(TEXT) == expected, Duration::from_secs(20))
            .await;
        assert!(
            converged,
            "SEED={seed}: replica {:?} != expected {expected:?}",
            client.text(TEXT)
        );
    }
    server.crash_and_restart();
    let fresh = YClient::connect(&server.ws_url(), &room, &users[0].ticket(&room).await).await;
    assert_eq!(
        fresh.text(TEXT),
        expected,
        "SEED={seed}: stored state after a final kill -9"
    );
    println!("converged on {} chars", expected.len());
}

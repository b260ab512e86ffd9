//! Cameos end to end against the real server, the real face models and the real video model:
//! enrolment from a recording that follows the challenge, every refusal with its reason and
//! nothing kept, the permission matrix over the wire, consent checked when a job starts and at
//! every step, signed grants, the owner's view of uses and removal, and revocation's cascade
//! (with its latency measured).

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::cameo::{self, options, poses_for, recording, settled, upload};
use common::scene::{control, next_of, room_with_shot, send, set_first_prompt};
use common::{Api, TestDb, TestServer};
use faces::synth::Pose;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.flatten().count())
}

/// Uploads `video` for a fresh user against a fresh challenge and returns the settled avatar.
async fn refused(server: &TestServer, name: &str, video: impl FnOnce(&Value) -> Vec<u8>) -> Value {
    let api = Api::signup(&server.url, name).await;
    let c = cameo::challenge(&api).await;
    let (status, body) = upload(&api, c["id"].as_str().unwrap(), video(&c), "video/mp4").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{name}: {body}");
    let avatar = settled(&api, body["id"].as_str().unwrap()).await;
    let dir = server
        .data_dir()
        .join("objects/avatars")
        .join(avatar["id"].as_str().unwrap());
    assert_eq!(
        files_under(&dir),
        0,
        "{name}: a refused recording leaves nothing stored"
    );
    avatar
}

#[tokio::test]
async fn enrolment_accepts_a_followed_challenge_and_refuses_bad_recordings_with_reasons() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);

    let alice = Api::signup(&server.url, "alice").await;
    let started = Instant::now();
    let avatar = cameo::ready_avatar(&alice).await;
    println!(
        "enrolment: ready in {:?}, extraction {}",
        started.elapsed(),
        avatar["extraction"]
    );
    let x = &avatar["extraction"];
    assert!(
        x["frames_with_face"].as_u64().unwrap() * 10 >= x["frames"].as_u64().unwrap() * 8,
        "{x}"
    );
    assert!(avatar["crops"].as_array().unwrap().len() >= 3, "{avatar}");
    let crop = alice
        .http
        .get(format!("{}{}", server.url, avatar["crops"][0].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(crop.status(), StatusCode::OK);
    assert!(crop.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let raw = server
        .data_dir()
        .join("objects/avatars")
        .join(avatar["id"].as_str().unwrap());
    assert!(
        !raw.join("upload.raw").exists(),
        "the raw selfie is deleted after extraction"
    );
    assert_eq!(
        avatar["permissions"]["who"], "only_me",
        "the default audience is only me"
    );

    // Challenges are single-use and must exist.
    let c = cameo::challenge(&alice).await;
    let video = recording(&poses_for(&c), &options());
    let (status, _) = upload(&alice, c["id"].as_str().unwrap(), video.clone(), "video/mp4").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body) = upload(&alice, c["id"].as_str().unwrap(), video, "video/mp4").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_upload"))
    );
    let bob = Api::signup(&server.url, "bob").await;
    let (status, body) = upload(&bob, c["id"].as_str().unwrap(), vec![1, 2, 3], "video/mp4").await;
    assert_eq!(body["code"], "invalid_upload", "someone else's challenge: {status}");

    // Too large: refused while it streams in.
    let c = cameo::challenge(&bob).await;
    let (status, body) = upload(
        &bob,
        c["id"].as_str().unwrap(),
        vec![0u8; protocol::avatar::MAX_UPLOAD_BYTES + 1],
        "video/webm",
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    type MakeVideo = Box<dyn FnOnce(&Value) -> Vec<u8>>;
    let cases: Vec<(&str, &str, MakeVideo)> = vec![
        (
            "garbage",
            "unsupported_format",
            Box::new(|_| b"not a video at all".repeat(100)),
        ),
        (
            "truncated",
            "unsupported_format",
            Box::new(|c| {
                let v = recording(&poses_for(c), &options());
                v[..v.len() / 3].to_vec()
            }),
        ),
        (
            "wrongorder",
            "challenge_not_followed",
            Box::new(|c| {
                let mut poses = poses_for(c);
                for p in &mut poses {
                    *p = match p {
                        Pose::Left => Pose::Right,
                        Pose::Right => Pose::Left,
                        Pose::Center => Pose::Center,
                    };
                }
                recording(&poses, &options())
            }),
        ),
        (
            "stillphoto",
            "challenge_not_followed",
            Box::new(|c| {
                let mut opts = options();
                opts.still = true;
                recording(&poses_for(c), &opts)
            }),
        ),
        (
            "twofaces",
            "two_faces",
            Box::new(|c| {
                let mut opts = options();
                opts.faces = 2;
                opts.width = 480;
                opts.height = 480;
                recording(&poses_for(c), &opts)
            }),
        ),
        (
            "tooshort",
            "too_short",
            Box::new(|_| recording(&[Pose::Center], &options())),
        ),
        (
            "noface",
            "no_face",
            Box::new(|_| {
                let n = (cameo::FPS * 6) as usize;
                let side = cameo::SIZE as usize;
                let rgb: Vec<u8> = (0..n * side * side)
                    .flat_map(|i| {
                        let (f, p) = (i / (side * side), i % (side * side));
                        [(p % side) as u8, (p / side) as u8, (f * 4) as u8]
                    })
                    .collect();
                media::mp4::encode_mp4_unscaled(&rgb, side, cameo::FPS, 800_000)
                    .unwrap()
                    .mp4
            }),
        ),
    ];
    for (name, reason, video) in cases {
        let avatar = refused(&server, name, video).await;
        assert_eq!(avatar["status"], "failed", "{name}: {avatar}");
        assert_eq!(avatar["reason"], reason, "{name}: {avatar}");
        assert!(
            avatar["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}: a reason for people"
        );
    }
}

/// The castable list as `who` sees it: handles.
async fn castable(who: &Api) -> Vec<String> {
    let (status, body) = who.get("/api/avatars/castable").await;
    assert_eq!(status, StatusCode::OK);
    body.as_array()
        .unwrap()
        .iter()
        .map(|a| a["handle"].as_str().unwrap().to_string())
        .collect()
}

async fn follow(a: &Api, b: &Api) {
    let res = a
        .http
        .put(format!("{}/api/users/{}/follow", a.base, b.username))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn consent_is_checked_at_start_and_every_step_and_revocation_hides_every_use() {
    // The room's owner ("owner") casts alice's avatar.
    let mut r = room_with_shot("@alice dances on a beach", 1.0, 4.0).await;
    let alice = Api::signup(&r.server.url, "alice").await;
    let mutual = Api::signup(&r.server.url, "mutual").await;
    let avatar = cameo::ready_avatar(&alice).await;
    let id = avatar["id"].as_str().unwrap().to_string();
    let perms = format!("/api/avatars/{id}/permissions");
    follow(&alice, &mutual).await;
    follow(&mutual, &alice).await;

    // The permission matrix over the wire (the pure decision has its own unit test).
    let matrix = [
        (json!({"who": "only_me"}), [false, false]),
        (json!({"who": "approved", "approved": ["owner"]}), [true, false]),
        (
            json!({"who": "approved", "approved": ["owner"], "blocked": ["owner"]}),
            [false, false],
        ),
        (json!({"who": "mutuals"}), [false, true]),
        (json!({"who": "mutuals", "blocked": ["mutual"]}), [false, false]),
        (json!({"who": "everyone", "rules": "no politics"}), [true, true]),
        (json!({"who": "everyone", "blocked": ["owner"]}), [false, true]),
    ];
    for (p, [owner_may, mutual_may]) in &matrix {
        let (status, body) = cameo::put(&alice, &perms, p.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            castable(&r.owner).await.contains(&"alice".to_string()),
            *owner_may,
            "owner under {p}"
        );
        assert_eq!(
            castable(&mutual).await.contains(&"alice".to_string()),
            *mutual_may,
            "mutual under {p}"
        );
        assert!(
            castable(&alice).await.contains(&"alice".to_string()),
            "the owner always may"
        );
    }
    let (status, _) = cameo::put(&r.owner, &perms, json!({"who": "everyone"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the owner sets permissions");
    let (status, body) = cameo::put(&alice, &perms, json!({"who": "approved", "approved": ["nobody_here"]})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );

    // Refused when the job starts, naming the avatar.
    cameo::put(&alice, &perms, json!({"who": "only_me"})).await;
    let mut c = control(&r, &r.owner).await;
    send(&mut c, json!({"type": "generate"})).await;
    let e = next_of(&mut c, &["error", "job_queued"]).await;
    assert_eq!(e["code"], "avatar_not_permitted", "{e}");
    assert!(e["message"].as_str().unwrap().contains("@alice"), "{e}");

    // Permitted: the clip is kept with a signed grant the owner sees in her uses.
    cameo::put(&alice, &perms, json!({"who": "everyone"})).await;
    send(&mut c, json!({"type": "generate"})).await;
    let finished = next_of(&mut c, &["job_finished", "job_failed", "error"]).await;
    let clip = finished["clip_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{finished}"))
        .to_string();
    let (_, uses) = alice.get(&format!("/api/avatars/{id}/uses")).await;
    let using = uses.as_array().unwrap();
    assert_eq!(using.len(), 1, "{uses}");
    assert_eq!(
        (using[0]["clip_id"].as_str(), using[0]["author"].as_str()),
        (Some(clip.as_str()), Some("owner"))
    );
    assert_eq!(using[0]["state"], "draft", "other people's drafts are listed");
    let (status, grant) = r
        .viewer
        .get(&format!("/api/grants/{}", using[0]["grant_id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(grant["verified"], true, "{grant}");
    assert_eq!(
        (grant["cast_by"].as_str(), grant["audience"].as_str()),
        (Some("owner"), Some("everyone"))
    );
    assert!(grant["payload"].as_str().unwrap().contains(&clip));
    let (_, notices) = alice.get("/api/notifications").await;
    assert!(
        notices.as_array().unwrap().iter().any(|n| n["kind"] == "cast"),
        "{notices}"
    );

    // A post and a remix below it: revocation hides both, measured over the wire.
    let (status, _) = r
        .owner
        .post(
            &format!("/api/clips/{clip}/post"),
            json!({"title": "beach", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let remix = common::posts::posted(&r._db, &mutual, "remix", "public", Some(&clip)).await;
    assert_eq!(mutual.get(&format!("/api/clips/{remix}")).await.0, StatusCode::OK);
    let t0 = Instant::now();
    let (status, revoked) = alice.post(&format!("/api/avatars/{id}/revoke"), json!({})).await;
    assert_eq!((status, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")));
    let mut hidden_after = None;
    while t0.elapsed() < Duration::from_secs(5) {
        if r.owner.get(&format!("/api/clips/{clip}")).await.0 == StatusCode::NOT_FOUND
            && mutual.get(&format!("/api/clips/{remix}")).await.0 == StatusCode::NOT_FOUND
        {
            hidden_after = Some(t0.elapsed());
            break;
        }
    }
    let hidden_after = hidden_after.expect("hidden");
    println!("revocation to hidden (clip + remix, over HTTP): {hidden_after:?}");
    assert!(
        hidden_after < Duration::from_secs(1),
        "hidden within 1 s: {hidden_after:?}"
    );
    let (_, latest) = r.viewer.get("/api/feed/latest").await;
    assert!(
        !latest.to_string().contains(&clip) && !latest.to_string().contains(&remix),
        "{latest}"
    );
    send(&mut c, json!({"type": "generate"})).await;
    assert_eq!(
        next_of(&mut c, &["error", "job_queued"]).await["code"],
        "avatar_not_permitted"
    );

    // Re-enabled: castable again, but the hidden clips stay hidden.
    let (status, _) = alice.post(&format!("/api/avatars/{id}/enable"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        r.owner.get(&format!("/api/clips/{clip}")).await.0,
        StatusCode::NOT_FOUND
    );

    // Consent ends mid-job: the running job stops at its next step.
    set_first_prompt(&mut r, "@alice runs in a park").await;
    let (status, _) = cameo::put(&alice, &perms, json!({"who": "everyone"})).await;
    assert_eq!(status, StatusCode::OK);
    send(&mut c, json!({"type": "generate", "steps": 50})).await;
    next_of(&mut c, &["job_progress"]).await;
    let t0 = Instant::now();
    cameo::put(&alice, &perms, json!({"who": "only_me"})).await;
    let failed = next_of(&mut c, &["job_failed", "job_finished"]).await;
    println!("permission change to job stopped: {:?}", t0.elapsed());
    assert_eq!(failed["type"], "job_failed", "{failed}");
    assert_eq!(failed["code"], "avatar_not_permitted", "{failed}");

    // The owner removes one use: the author's clip is gone and they are told why.
    cameo::put(&alice, &perms, json!({"who": "everyone"})).await;
    send(&mut c, json!({"type": "generate"})).await;
    let finished = next_of(&mut c, &["job_finished", "job_failed", "error"]).await;
    let second = finished["clip_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{finished}"))
        .to_string();
    assert_eq!(r.owner.get(&format!("/api/clips/{second}")).await.0, StatusCode::OK);
    assert_eq!(
        cameo::delete(&mutual, &format!("/api/avatars/{id}/uses/{second}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cameo::delete(&alice, &format!("/api/avatars/{id}/uses/{second}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        r.owner.get(&format!("/api/clips/{second}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, notices) = r.owner.get("/api/notifications").await;
    assert!(
        notices.as_array().unwrap().iter().any(|n| n["kind"] == "use_removed"),
        "{notices}"
    );

    // Contest my likeness: alice reports a clip casting her avatar: hidden pending review.
    send(&mut c, json!({"type": "generate"})).await;
    let finished = next_of(&mut c, &["job_finished", "job_failed", "error"]).await;
    let third = finished["clip_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{finished}"))
        .to_string();
    r.owner
        .post(
            &format!("/api/clips/{third}/post"),
            json!({"title": "t", "visibility": "public"}),
        )
        .await;
    let (status, receipt) = alice
        .post(
            "/api/reports",
            json!({"target": "clip", "id": third, "reason": "likeness", "details": "that is me"}),
        )
        .await;
    assert_eq!(
        (status, receipt["status"].as_str()),
        (StatusCode::CREATED, Some("hidden")),
        "{receipt}"
    );
    assert_eq!(
        r.viewer.get(&format!("/api/clips/{third}")).await.0,
        StatusCode::NOT_FOUND
    );

    // The audit log is one hash chain, each hash signed with the key grants are signed with.
    let key = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        grant["public_key"].as_str().unwrap(),
    )
    .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key.try_into().unwrap()).unwrap();
    let rows = r
        ._db
        .client()
        .await
        .query(
            "SELECT kind, payload, prev_hash, hash, signature FROM audit_log ORDER BY seq",
            &[],
        )
        .await
        .unwrap();
    let kinds: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    for kind in ["grant", "revocation", "reenabled", "use_removed"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} logged: {kinds:?}");
    }
    let mut prev = vec![0u8; 32];
    for row in &rows {
        use sha2::Digest;
        let (kind, payload, prev_hash, hash, sig): (String, String, Vec<u8>, Vec<u8>, Vec<u8>) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        assert_eq!(prev_hash, prev, "the chain is unbroken");
        let expected = sha2::Sha256::new()
            .chain_update(&prev_hash)
            .chain_update(kind.as_bytes())
            .chain_update(payload.as_bytes())
            .finalize()
            .to_vec();
        assert_eq!(hash, expected, "{kind}");
        let sig = ed25519_dalek::Signature::from_bytes(&sig.try_into().unwrap());
        assert!(
            ed25519_dalek::Verifier::verify(&key, &hash, &sig).is_ok(),
            "{kind} is signed"
        );
        prev = hash;
    }
}

/// Uploads a committed recording against a challenge with the turns it was recorded for.
async fn enrol_fixture(server: &TestServer, db: &TestDb, name: &str, file: &str, turns: &[&str], mime: &str) -> Value {
    let api = Api::signup(&server.url, name).await;
    let mut steps = vec![json!({"kind": "look_center"})];
    steps.extend(turns.iter().map(|t| json!({"kind": format!("turn_{t}")})));
    steps.push(json!({"kind": "say_digits", "digits": "1234"}));
    let challenge = uuid::Uuid::new_v4();
    db.client()
        .await
        .execute(
            "INSERT INTO avatar_challenges (id, user_id, steps, expires_at) VALUES ($1, $2, $3, now() + interval '2 minutes')",
            &[&challenge, &uuid::Uuid::parse_str(&api.id).unwrap(), &json!(steps)],
        )
        .await
        .unwrap();
    let video = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let (status, body) = upload(&api, &challenge.to_string(), video, mime).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    settled(&api, body["id"].as_str().unwrap()).await
}

/// The committed recordings: an MP4 (H.264, Safari's format) made from the packaged photo, and
/// a WebM recorded by Chromium's real MediaRecorder from its fake camera (the browser test
/// writes it with `REELROOM_SAVE_FIXTURE=1`).
#[tokio::test]
async fn committed_recordings_enrol() {
    let mp4 = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/selfie-left-right.mp4");
    if std::env::var_os("REELROOM_WRITE_FIXTURES").is_some() {
        let mut opts = options();
        opts.fps = 8;
        let photo = faces::synth::load_test_photo().unwrap();
        let poses = [
            (Pose::Center, 2.0),
            (Pose::Left, 2.0),
            (Pose::Right, 2.0),
            (Pose::Center, 2.0),
        ];
        let rgb: Vec<u8> = faces::synth::challenge_frames(&photo, &poses, &opts)
            .flatten()
            .collect();
        let video = media::mp4::encode_mp4_unscaled(&rgb, opts.width as usize, opts.fps, 250_000).unwrap();
        std::fs::write(mp4, video.mp4).unwrap();
    }
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let a = enrol_fixture(&server, &db, "safari", mp4, &["left", "right"], "video/mp4").await;
    assert_eq!(a["status"], "ready", "{a}");
    assert_eq!(a["extraction"]["turns"], json!(["left", "right"]));
    let webm = concat!(env!("CARGO_MANIFEST_DIR"), "/media/tests/fixtures/chrome-vp8.webm");
    let turns: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/media/tests/fixtures/chrome-vp8.json"
        ))
        .unwrap(),
    )
    .map(|v: Value| {
        v["turns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    })
    .unwrap();
    let turns: Vec<&str> = turns.iter().map(String::as_str).collect();
    let b = enrol_fixture(&server, &db, "chrome", webm, &turns, "video/webm").await;
    assert_eq!(b["status"], "ready", "{b}");
}

//! Generation over the control socket against the real server, model and Postgres: a member
//! starts a job from the room's script and everyone's control socket follows it; viewers are
//! refused; a bad script is refused naming the field; cancel rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::scene::{control, next_of, room_with_shot, send, set_first_prompt, Room};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn a_generation_is_followed_by_every_control_socket() {
    let r = room_with_shot("a red ball moving right", 2.0, 4.0).await;
    let mut editor = control(&r, &r.editor).await;
    let mut viewer = control(&r, &r.viewer).await;
    send(&mut editor, json!({"type": "generate"})).await;
    let queued = next_of(&mut editor, &["job_queued", "error"]).await;
    assert_eq!(queued["type"], "job_queued", "{queued}");
    let job = queued["job_id"].as_u64().unwrap();
    assert_eq!(next_of(&mut editor, &["job_started"]).await["job_id"], job);
    let mut steps = Vec::new();
    let finished = loop {
        let m = next_of(&mut editor, &["job_progress", "job_finished", "job_failed"]).await;
        if m["type"] != "job_progress" {
            break m;
        }
        assert_eq!((m["chunks"].as_u64(), m["steps"].as_u64()), (Some(1), Some(4)));
        steps.push(m["step"].as_u64().unwrap());
    };
    assert_eq!(finished["type"], "job_finished", "{finished}");
    assert_eq!(finished["frames"], 16);
    assert_eq!(steps, vec![1, 2, 3, 4], "progress after every step");
    check_draft_clip(&r, finished["clip_id"].as_str().expect("a draft clip")).await;
    // The viewer watched the same job.
    assert_eq!(next_of(&mut viewer, &["job_finished"]).await["job_id"], job);
    // A viewer cannot start one.
    send(&mut viewer, json!({"type": "generate"})).await;
    assert_eq!(next_of(&mut viewer, &["error"]).await["code"], "forbidden");
}

#[tokio::test]
async fn a_bad_script_or_request_is_refused_naming_the_field() {
    let mut r = room_with_shot("", 2.0, 4.0).await;
    let mut c = control(&r, &r.owner).await;
    send(&mut c, json!({"type": "generate"})).await;
    let e = next_of(&mut c, &["error", "job_queued"]).await;
    assert_eq!(
        (e["type"].as_str(), e["code"].as_str()),
        (Some("error"), Some("invalid_script")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("shots[0].prompt"), "{e}");
    // Fix the prompt; then ask for a shot that does not exist.
    set_first_prompt(&mut r, "a red ball").await;
    r.script.pump(Duration::from_millis(300)).await;
    send(&mut c, json!({"type": "generate", "shot_id": "nope"})).await;
    assert!(next_of(&mut c, &["error"]).await["message"]
        .as_str()
        .unwrap()
        .contains("shot_id"));
    send(&mut c, json!({"type": "generate", "steps": 0})).await;
    assert_eq!(next_of(&mut c, &["error"]).await["code"], "invalid_script");
    send(&mut c, json!({"type": "cancel", "job_id": 12345})).await;
    assert_eq!(next_of(&mut c, &["error"]).await["code"], "not_found");
}

#[tokio::test]
async fn only_the_author_or_the_owner_cancels_and_leaving_cancels() {
    // 40 s at 8 steps per chunk: long enough to cancel mid-way.
    let mut r = room_with_shot("a green square orbiting", 40.0, 8.0).await;
    let mut owner = control(&r, &r.owner).await;
    let mut editor = control(&r, &r.editor).await;
    send(&mut owner, json!({"type": "generate"})).await;
    let job = next_of(&mut owner, &["job_queued"]).await["job_id"].as_u64().unwrap();
    next_of(&mut owner, &["job_progress"]).await;
    send(&mut editor, json!({"type": "cancel", "job_id": job})).await;
    assert_eq!(
        next_of(&mut editor, &["error"]).await["code"],
        "forbidden",
        "not the editor's job"
    );
    send(&mut owner, json!({"type": "cancel", "job_id": job})).await;
    assert_eq!(
        next_of(&mut editor, &["job_cancelled", "job_finished"]).await["type"],
        "job_cancelled"
    );

    // A job stops when everyone has left the room.
    send(&mut editor, json!({"type": "generate"})).await;
    let second = next_of(&mut editor, &["job_queued"]).await["job_id"].as_u64().unwrap();
    next_of(&mut editor, &["job_progress"]).await;
    drop(owner.close(None).await);
    drop(editor.close(None).await);
    r.script.disconnect().await;
    // Nobody is connected now; whoever comes next finds the worker free at once.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut again = control(&r, &r.editor).await;
    send(&mut again, json!({"type": "generate", "steps": 1})).await;
    let queued = next_of(&mut again, &["job_queued", "error"]).await;
    assert_eq!(queued["type"], "job_queued", "{queued}");
    assert!(queued["job_id"].as_u64().unwrap() > second);
    assert_eq!(
        queued["position"], 1,
        "the emptied room's job no longer holds the worker"
    );
}

/// The finished job's draft clip: its author sees it and can stream the MP4 with range
/// requests; other members get 404; strangers 401.
async fn check_draft_clip(r: &Room, clip: &str) {
    let (status, detail) = r.editor.get(&format!("/api/clips/{clip}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(
        (detail["status"].as_str(), detail["frames"].as_i64()),
        (Some("draft"), Some(16))
    );
    assert_eq!(
        (
            detail["width"].as_i64(),
            detail["steps"].as_i64(),
            detail["seed"].as_i64()
        ),
        (Some(256), Some(4), Some(1))
    );
    let url = format!("{}{}", r.editor.base, detail["video_url"].as_str().unwrap());
    let full = r.editor.http.get(&url).send().await.unwrap();
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "video/mp4");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let body = full.bytes().await.unwrap();
    assert_eq!(&body[4..8], b"ftyp");
    let part = r
        .editor
        .http
        .get(&url)
        .header("Range", "bytes=4-11")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 4-11/{}", body.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &body[4..12]);
    let beyond = r
        .editor
        .http
        .get(&url)
        .header("Range", format!("bytes={}-", body.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        r.owner.get(&format!("/api/clips/{clip}")).await.0,
        404,
        "drafts are private to their author"
    );
    assert_eq!(r.owner.http.get(&url).send().await.unwrap().status(), 404);
    let stranger = Api::anonymous(&r.server.url);
    assert_eq!(stranger.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(r.editor.get("/api/clips/not-a-uuid").await.0, 404);
}

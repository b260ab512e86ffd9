//! Avatars made the way a browser makes them: the packaged face photo animated through head
//! poses (`faces::synth`), encoded as an H.264 MP4 (Safari's format), uploaded as multipart
//! against a fresh challenge; plus polling until extraction decides.

use std::time::{Duration, Instant};

use faces::synth::{self, Pose, SynthOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Api;

/// Side of the synthesized recording, pixels.
pub const SIZE: u32 = 320;
/// Its frame rate.
pub const FPS: u32 = 10;
/// Seconds per pose.
pub const POSE_SECONDS: f32 = 2.0;

/// Options for a normal recording.
pub fn options() -> SynthOptions {
    SynthOptions {
        width: SIZE,
        height: SIZE,
        fps: FPS,
        faces: 1,
        brightness: 1.0,
        still: false,
    }
}

/// An MP4 of the photo going through `poses` (each [`POSE_SECONDS`]).
pub fn recording(poses: &[Pose], opts: &SynthOptions) -> Vec<u8> {
    let photo = synth::load_test_photo().expect("the packaged test photo (make face-models)");
    let timed: Vec<(Pose, f32)> = poses.iter().map(|p| (*p, POSE_SECONDS)).collect();
    let rgb: Vec<u8> = synth::challenge_frames(&photo, &timed, opts).flatten().collect();
    media::mp4::encode_mp4_unscaled(&rgb, opts.width as usize, opts.fps, 1_500_000)
        .expect("encodes")
        .mp4
}

/// The poses a challenge asks for: centre, its turns in order, centre for the digits.
pub fn poses_for(challenge: &Value) -> Vec<Pose> {
    let mut poses = vec![Pose::Center];
    for step in challenge["steps"].as_array().expect("steps") {
        match step["kind"].as_str() {
            Some("turn_left") => poses.push(Pose::Left),
            Some("turn_right") => poses.push(Pose::Right),
            _ => {}
        }
    }
    poses.push(Pose::Center);
    poses
}

pub async fn challenge(api: &Api) -> Value {
    let (status, body) = api.post("/api/avatars/challenge", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Uploads `video` against challenge `id`.
pub async fn upload(api: &Api, challenge: &str, video: Vec<u8>, mime: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("challenge", challenge.to_string())
        .part(
            "video",
            reqwest::multipart::Part::bytes(video)
                .file_name("selfie")
                .mime_str(mime)
                .expect("mime"),
        );
    let res = api
        .http
        .post(format!("{}/api/avatars", api.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Polls the avatar until it leaves `processing`.
pub async fn settled(api: &Api, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = api.get(&format!("/api/avatars/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["status"] != "processing" {
            return body;
        }
        assert!(Instant::now() < deadline, "extraction took over 2 minutes");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A ready avatar of `api`'s user, made through the whole pipeline.
pub async fn ready_avatar(api: &Api) -> Value {
    let c = challenge(api).await;
    let video = recording(&poses_for(&c), &options());
    let (status, body) = upload(api, c["id"].as_str().unwrap(), video, "video/mp4").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let avatar = settled(api, body["id"].as_str().unwrap()).await;
    assert_eq!(avatar["status"], "ready", "{avatar}");
    avatar
}

/// PUT JSON, returning status and body.
pub async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    let res = api
        .http
        .put(format!("{}{path}", api.base))
        .json(&body)
        .send()
        .await
        .expect("put");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// DELETE, returning the status.
pub async fn delete(api: &Api, path: &str) -> StatusCode {
    api.http
        .delete(format!("{}{path}", api.base))
        .send()
        .await
        .expect("delete")
        .status()
}

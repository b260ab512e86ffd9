//! Provenance end to end: a generated clip comes out watermarked and C2PA-signed, a remix is
//! signed as an edit of its parent, and the public detector (no sign-in) says where a video came
//! from — from the manifest, and from the pixels alone once the metadata is gone; other videos
//! and bad uploads get clear answers.
#![allow(clippy::unwrap_used)]

mod common;

use common::scene::{control, next_of, room_with_shot, send};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn detect(base: &str, video: Vec<u8>, mime: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "video",
        reqwest::multipart::Part::bytes(video)
            .file_name("v")
            .mime_str(mime)
            .unwrap(),
    );
    let res = reqwest::Client::new()
        .post(format!("{base}/api/detect"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn bytes(api: &common::Api, path: &str) -> Vec<u8> {
    let res = api.http.get(format!("{}{path}", api.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn clips_are_signed_and_watermarked_and_the_detector_finds_them() {
    let r = room_with_shot("a red ball bouncing on the floor", 2.0, 4.0).await;
    let mut c = control(&r, &r.owner).await;
    send(&mut c, json!({"type": "generate"})).await;
    let done = next_of(&mut c, &["job_finished", "job_failed"]).await;
    let clip = done["clip_id"].as_str().unwrap_or_else(|| panic!("{done}")).to_string();
    let (status, _) = r
        .owner
        .post(
            &format!("/api/clips/{clip}/post"),
            json!({"title": "ball", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let video = bytes(&r.owner, &format!("/api/clips/{clip}/video")).await;

    // The stored clip: our manifest, trusted, "created" by a trained model; our watermark.
    let (status, report) = detect(&r.server.url, video.clone(), "video/mp4").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["verdict"], "reelroom", "{report}");
    assert_eq!(report["clip_id"], clip.as_str());
    assert_eq!(report["c2pa"]["trusted"], true, "{report}");
    assert!(
        report["c2pa"]["actions"].to_string().contains("c2pa.created"),
        "{report}"
    );
    assert_eq!(report["watermark"]["detected"], true, "{report}");
    assert!(report["watermark"]["p_value"].as_f64().unwrap() < 1e-6, "{report}");
    assert_eq!(report["watermark"]["clip_id"], clip.as_str());
    assert_eq!(report["post_url"], format!("/#/clip/{clip}"));

    // Metadata stripped: re-encoded from its own decoded frames, the pixels still say it.
    let decoded = media::upload::decode_upload(&video, &media::upload::DecodeLimits::default()).unwrap();
    let side = decoded.frames[0].width as usize;
    let rgb: Vec<u8> = decoded.frames.iter().flat_map(|f| f.rgb.iter().copied()).collect();
    let stripped = media::mp4::encode_mp4_unscaled(&rgb, side, 5, 400_000).unwrap().mp4;
    let (_, report) = detect(&r.server.url, stripped, "video/mp4").await;
    assert_eq!(report["c2pa"]["present"], false, "{report}");
    assert_eq!(report["watermark"]["detected"], true, "{report}");
    assert_eq!(report["verdict"], "reelroom", "{report}");
    assert_eq!(report["clip_id"], clip.as_str());

    // A remix is an edit whose parent is the original, as an ingredient.
    let (status, remix) = r.owner.post(&format!("/api/clips/{clip}/remix"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{remix}");
    let room = remix["id"].as_str().unwrap().to_string();
    let ticket = r.owner.ticket(&room).await;
    let url = format!("{}/control/{room}?ticket={ticket}&v=1", r.server.ws_url());
    let mut rc = tokio_tungstenite::connect_async(url).await.unwrap().0;
    send(&mut rc, json!({"type": "generate"})).await;
    let done = next_of(&mut rc, &["job_finished", "job_failed"]).await;
    let child = done["clip_id"].as_str().unwrap_or_else(|| panic!("{done}")).to_string();
    let child_video = bytes(&r.owner, &format!("/api/clips/{child}/video")).await;
    let (_, report) = detect(&r.server.url, child_video, "video/mp4").await;
    assert_eq!(report["clip_id"], child.as_str(), "{report}");
    let ingredients = report["c2pa"]["ingredients"].as_array().unwrap();
    assert_eq!(ingredients.len(), 1, "{report}");
    assert_eq!(ingredients[0]["relationship"], "parentOf");
    assert_eq!(ingredients[0]["clip_id"], clip.as_str());

    // Posters and previews carry the label in their pixels (white text on a dark box).
    let poster = bytes(&r.owner, &format!("/api/clips/{clip}/poster")).await;
    let decoder = png::Decoder::new(std::io::Cursor::new(poster));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut buf).unwrap();
    let white = buf.chunks(3).filter(|p| p == &[255, 255, 255]).count();
    assert!(white > 100, "the poster says AI-generated: {white} white pixels");

    // The download: a moving "reelroom · @owner" mark in its pixels, signed as an edit of the clip.
    let download = bytes(&r.owner, &format!("/api/clips/{clip}/download")).await;
    let frames = media::upload::decode_upload(&download, &media::upload::DecodeLimits::default())
        .unwrap()
        .frames;
    let whites = |f: &media::upload::DecodedFrame| f.rgb.chunks(3).filter(|p| p.iter().all(|&v| v > 230)).count();
    assert!(whites(&frames[0]) > 150, "a visible mark: {}", whites(&frames[0]));
    let (_, report) = detect(&r.server.url, download, "video/mp4").await;
    assert_eq!(
        (report["verdict"].as_str(), report["clip_id"].as_str()),
        (Some("reelroom"), Some(clip.as_str())),
        "{report}"
    );
    assert_eq!(report["c2pa"]["ingredients"][0]["clip_id"], clip.as_str(), "{report}");
    assert_eq!(report["watermark"]["detected"], true, "{report}");

    // The feed preview is signed too, naming its clip.
    let preview = bytes(&r.owner, &format!("/api/clips/{clip}/preview")).await;
    let (_, report) = detect(&r.server.url, preview, "video/mp4").await;
    assert_eq!(report["c2pa"]["trusted"], true, "{report}");
    assert_eq!(report["clip_id"], clip.as_str(), "{report}");

    // A video from elsewhere, and bad uploads.
    let other = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/selfie-left-right.mp4"
    ))
    .unwrap();
    let (status, report) = detect(&r.server.url, other, "video/mp4").await;
    assert_eq!(
        (status, report["verdict"].as_str()),
        (StatusCode::OK, Some("not_reelroom")),
        "{report}"
    );
    assert!(report["watermark"]["p_value"].as_f64().unwrap() > 1e-6, "{report}");
    let (status, body) = detect(&r.server.url, b"not a video".to_vec(), "video/mp4").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_upload")),
        "{body}"
    );
    let (status, body) = detect(&r.server.url, Vec::new(), "video/mp4").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_upload")),
        "{body}"
    );
    let (status, body) = detect(
        &r.server.url,
        vec![0u8; protocol::provenance::MAX_DETECT_BYTES + 1],
        "video/mp4",
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}

//! The security review's REST findings, over the wire against the real server: sign-up
//! floods, lock-outs, unlisted posts in chains, tickets in logs, missing headers and public
//! metrics. (docs/RELIABILITY.md)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::posts::posted;
use common::{Api, TestDb, TestServer, TEST_SECRET};
use reqwest::StatusCode;
use serde_json::json;

async fn signup_status(base: &str, username: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = Api::anonymous(base)
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"username": username, "password": "password-123"}));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

async fn login(base: &str, username: &str, password: &str, forwarded_for: &str) -> StatusCode {
    Api::anonymous(base)
        .post(format!("{base}/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn sign_ups_are_throttled_per_address_and_a_spoofed_header_does_not_help() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[("REELROOM_SIGNUPS_PER_ADDRESS", "3")]);
    for i in 0..3 {
        let res = signup_status(&server.url, &format!("user{i}"), Some(&format!("10.0.0.{i}"))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // X-Forwarded-For from an untrusted peer is ignored: still the same address.
    let refused = signup_status(&server.url, "user9", Some("10.9.9.9")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["code"],
        "rate_limited"
    );
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_do_not_lock_the_owner_out() {
    let db = TestDb::create().await;
    // Behind a proxy on loopback: X-Forwarded-For names the client.
    let server = TestServer::start(&db.conn, &[("REELROOM_TRUSTED_PROXIES", "127.0.0.1")]);
    Api::signup(&server.url, "victim").await;
    for _ in 0..10 {
        assert_eq!(
            login(&server.url, "victim", "wrong-password", "203.0.113.66").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(&server.url, "victim", "wrong-password", "203.0.113.66").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address is throttled"
    );
    assert_eq!(
        login(&server.url, "victim", "password123", "198.51.100.7").await,
        StatusCode::OK,
        "the owner, elsewhere, still signs in"
    );
}

#[tokio::test]
async fn unlisted_remixes_do_not_show_in_anyone_elses_chain() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[]);
    let alice = Api::signup(&server.url, "alice").await;
    let bob = Api::signup(&server.url, "bob").await;
    let carol = Api::signup(&server.url, "carol").await;
    let root = posted(&db, &alice, "public root", "public", None).await;
    let secret = posted(&db, &bob, "bob secret unlisted remix", "unlisted", Some(&root)).await;
    let (status, seen_by_carol) = carol.get(&format!("/api/clips/{root}/lineage")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen_by_carol["descendants"][0]["state"], "hidden");
    let text = seen_by_carol.to_string();
    assert!(!text.contains(&secret) && !text.contains("bob secret"), "{text}");
    let seen_by_bob = bob.get(&format!("/api/clips/{root}/lineage")).await.1;
    assert_eq!(seen_by_bob["descendants"][0]["id"], secret.as_str());
    assert_eq!(seen_by_bob["descendants"][0]["state"], "posted");
}

#[tokio::test]
async fn responses_carry_security_headers_and_metrics_need_the_token() {
    let db = TestDb::create().await;
    let server = TestServer::start(&db.conn, &[("REELROOM_METRICS_TOKEN", "metrics-secret")]);
    let res = reqwest::get(format!("{}/healthz", server.url)).await.unwrap();
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    assert!(header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header("referrer-policy").is_some());
    let metrics = format!("{}/metrics", server.url);
    assert_eq!(reqwest::get(&metrics).await.unwrap().status(), StatusCode::FORBIDDEN);
    let authorized = reqwest::Client::new()
        .get(&metrics)
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(authorized.status(), StatusCode::OK);
    assert!(authorized.text().await.unwrap().contains("reelroom_"));
    // Without a token: loopback only, and not what a local proxy forwards from outside.
    let open = TestServer::start(&db.conn, &[]);
    let metrics = format!("{}/metrics", open.url);
    assert_eq!(reqwest::get(&metrics).await.unwrap().status(), StatusCode::OK);
    let forwarded = reqwest::Client::new()
        .get(&metrics)
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tickets_never_reach_the_access_log() {
    let db = TestDb::create().await;
    let data_dir = std::env::temp_dir().join(format!("reelroom-log-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let log_path = data_dir.join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelroom"))
        .env("DATABASE_URL", &db.conn)
        .env("REELROOM_BIND", "127.0.0.1:0")
        .env("REELROOM_DATA_DIR", &data_dir)
        .env("REELROOM_SECRET", TEST_SECRET)
        .env("REELROOM_FRONTEND_DIR", data_dir.join("no-frontend"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().strip_prefix("reelroom listening on ").unwrap().to_string();
    let api = Api::signup(&url, "owner").await;
    let room = api.create_room("r").await;
    let ticket = api.ticket(&room).await;
    let _ = reqwest::get(format!("{url}/sync/{room}?ticket={ticket}"))
        .await
        .unwrap();
    let _ = reqwest::get(format!("{url}/sync/{room}?ticket=not-a-real-ticket-0123456789"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert!(log.contains(&format!("/sync/{room}")), "the request is logged");
    assert!(
        !log.contains(&ticket) && !log.contains("not-a-real-ticket"),
        "no ticket in the log"
    );
}

//! A REST client with its own cookie jar (one per simulated user).

use reqwest::StatusCode;
use serde_json::{json, Value};

/// One signed-in user.
pub struct Api {
    /// The HTTP client (keeps the session cookie).
    pub http: reqwest::Client,
    /// Server base URL.
    pub base: String,
    /// Username.
    pub username: String,
    /// User id.
    pub id: String,
}

impl Api {
    /// A client with an empty cookie jar.
    pub fn anonymous(base: &str) -> reqwest::Client {
        let _ = base;
        reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    }

    /// Signs up `username` (password `password123`).
    pub async fn signup(base: &str, username: &str) -> Api {
        let http = Self::anonymous(base);
        let res = http
            .post(format!("{base}/api/auth/signup"))
            .json(&json!({"username": username, "password": "password123"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "signup {username}");
        let body: Value = res.json().await.unwrap();
        Api {
            http,
            base: base.to_string(),
            username: username.to_string(),
            id: body["id"].as_str().unwrap().to_string(),
        }
    }

    /// POST JSON, returning status and body.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// GET, returning status and body.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a room; returns its id.
    pub async fn create_room(&self, title: &str) -> String {
        let (status, body) = self.post("/api/rooms", json!({"title": title})).await;
        assert_eq!(status, StatusCode::CREATED);
        body["id"].as_str().unwrap().to_string()
    }

    /// PUT a member's role (as this user); returns the status.
    pub async fn set_member(&self, room: &str, username: &str, role: &str) -> StatusCode {
        self.http
            .put(format!("{}/api/rooms/{room}/members/{username}", self.base))
            .json(&json!({"role": role}))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// DELETE a member (as this user); returns the status.
    pub async fn remove_member(&self, room: &str, username: &str) -> StatusCode {
        self.http
            .delete(format!("{}/api/rooms/{room}/members/{username}", self.base))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// A fresh ticket for `room`.
    pub async fn ticket(&self, room: &str) -> String {
        let (status, body) = self.post(&format!("/api/rooms/{room}/ticket"), Value::Null).await;
        assert_eq!(status, StatusCode::OK, "ticket for {room}: {body}");
        body["ticket"].as_str().unwrap().to_string()
    }
}

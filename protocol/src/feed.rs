//! REST DTOs of the social feed: posting a clip, feed pages (keyset-paginated), likes and
//! follows.

use serde::{Deserialize, Serialize};

/// Longest post title, in characters.
pub const MAX_POST_TITLE_CHARS: usize = 120;
/// Longest post caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 2_000;
/// Posts per feed page at most (and by default).
pub const MAX_FEED_PAGE: usize = 50;
/// Default posts per feed page.
pub const DEFAULT_FEED_PAGE: usize = 20;

/// Who sees a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone, in every feed.
    Public,
    /// The author's followers (and the author).
    Followers,
    /// Anyone with the link; in no feed.
    Unlisted,
}

impl Visibility {
    /// The stable lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Followers => "followers",
            Visibility::Unlisted => "unlisted",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Visibility::Public),
            "followers" => Some(Visibility::Followers),
            "unlisted" => Some(Visibility::Unlisted),
            _ => None,
        }
    }
}

/// `POST /api/clips/{id}/post`: the author posts a draft.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PostClip {
    /// 1-120 characters.
    pub title: String,
    /// Up to 2,000 characters.
    #[serde(default)]
    pub caption: String,
    /// Who sees it.
    pub visibility: Visibility,
}

/// A post as feeds show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PostView {
    /// Clip id (UUID).
    pub id: String,
    /// Author's username.
    pub author: String,
    pub title: String,
    pub caption: String,
    pub visibility: Visibility,
    /// RFC 3339.
    pub posted_at: String,
    pub duration_s: f64,
    /// `/api/clips/{id}/video`.
    pub video_url: String,
    /// The clip this remixes, if any.
    pub parent_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub likes: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub comments: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub remixes: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub views: i64,
    /// Whether the caller likes it.
    pub liked: bool,
}

/// One page of a feed; pass `next_cursor` as `?cursor=` for the next (absent: the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedPage {
    pub items: Vec<PostView>,
    pub next_cursor: Option<String>,
}

/// Answer to like / unlike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LikeView {
    pub liked: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub likes: i64,
}

/// Answer to follow / unfollow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowView {
    pub username: String,
    pub following: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub followers: i64,
}

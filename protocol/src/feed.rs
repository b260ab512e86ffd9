//! REST DTOs of the social feed: posting a clip, feed pages (keyset-paginated), likes and
//! follows.

use serde::{Deserialize, Serialize};

/// Longest post title, in characters.
pub const MAX_POST_TITLE_CHARS: usize = 120;
/// Longest post caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 2_000;
/// Posts per feed page at most (and by default).
pub const MAX_FEED_PAGE: usize = 50;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1_000;
/// Comments per page at most.
pub const MAX_COMMENT_PAGE: usize = 100;
/// Remix-tree nodes per lineage page at most.
pub const MAX_LINEAGE_PAGE: usize = 200;
/// Remix strength when the request names none (how much of the source is noised away).
pub const DEFAULT_REMIX_STRENGTH: f64 = 0.6;
/// Weakest remix strength accepted (below it the remix would be the source).
pub const MIN_REMIX_STRENGTH: f64 = 0.05;
/// Default posts per feed page.
pub const DEFAULT_FEED_PAGE: usize = 20;
/// For-you recency halves every this many hours.
pub const FOR_YOU_HALF_LIFE_HOURS: f64 = 24.0;
/// For-you bonus for a post the caller has not viewed.
pub const FOR_YOU_UNSEEN_BONUS: f64 = 0.5;
/// For-you ranks posts from this many most recent days only (older ones are in Latest).
pub const FOR_YOU_WINDOW_DAYS: i64 = 14;

/// Who sees a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// `/api/clips/{id}/poster`: a PNG still from the middle of the clip.
    pub poster_url: String,
    /// `/api/clips/{id}/preview`: a short, small, silent MP4 loop for feeds.
    pub preview_url: String,
    /// The clip this remixes, if any.
    pub parent_id: Option<String>,
    /// Author of the clip this remixes, when the caller may see it ("remixed from @user").
    pub parent_author: Option<String>,
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
    /// Why the for-you feed ranks it where it does (absent in other feeds).
    pub score: Option<ForYouScore>,
}

/// A for-you ranking, explained: `total = recency + engagement + unseen`, each term bounded so
/// no one signal can bury the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForYouScore {
    pub total: f64,
    /// 0-1: halves every [`FOR_YOU_HALF_LIFE_HOURS`] hours since posting.
    pub recency: f64,
    /// 0-1: log-scaled likes, comments and remixes (weighted 1, 2, 3) and views (0.1).
    pub engagement: f64,
    /// 0 or [`FOR_YOU_UNSEEN_BONUS`]: the caller has not viewed it yet.
    pub unseen: f64,
    /// One line for people: the terms and their inputs.
    pub reason: String,
}

/// A user's profile header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub username: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub followers: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub following: i64,
    /// Posts the caller may see.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub posts: i64,
    /// Whether the caller follows them.
    pub followed_by_you: bool,
    /// Whether this is the caller.
    pub is_you: bool,
}

/// One page of a feed; pass `next_cursor` as `?cursor=` for the next (absent: the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedPage {
    pub items: Vec<PostView>,
    pub next_cursor: Option<String>,
}

/// Answer to like / unlike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LikeView {
    pub liked: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub likes: i64,
}

/// Answer to follow / unfollow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowView {
    pub username: String,
    pub following: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub followers: i64,
}

/// `POST /api/clips/{id}/comments`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// 1-1,000 characters.
    pub body: String,
    /// Reply to this top-level comment (replies are one level deep).
    #[serde(default)]
    pub reply_to: Option<String>,
}

/// A comment; a deleted one keeps its place (its replies stay) with an empty body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentView {
    pub id: String,
    pub author: String,
    pub body: String,
    pub reply_to: Option<String>,
    pub deleted: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// A page of a post's comments, oldest first (replies in the same list, after their parent
/// by time); pass `next_cursor` as `?cursor=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentPage {
    pub items: Vec<CommentView>,
    pub next_cursor: Option<String>,
}

/// One clip in a remix chain: removed or hidden ones keep their place without their content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineageNode {
    pub id: String,
    pub parent_id: Option<String>,
    /// Absent when the post was removed or the caller may not see it.
    pub author: Option<String>,
    pub title: Option<String>,
    /// `posted`, `removed`, or `hidden` (not visible to the caller).
    pub state: String,
    /// Distance from the clip asked about (ancestors negative, descendants positive).
    pub depth: i32,
}

/// `GET /api/clips/{id}/lineage`: the ancestors up to the root (nearest first), and a page of
/// the descendants (breadth-first, oldest first within a level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineageView {
    pub ancestors: Vec<LineageNode>,
    pub descendants: Vec<LineageNode>,
    /// Pass as `?cursor=` for more descendants.
    pub next_cursor: Option<String>,
}

/// `POST /api/clips/{id}/remix`: a new room of the caller's, whose script starts as the
/// clip's and whose generation starts from the clip's frames noised to `strength`. Answered
/// with the new room (`RoomView`, 201).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemixRequest {
    /// 0.05-1: how far from the source generation starts (1 = from pure noise). Default 0.6.
    #[serde(default)]
    pub strength: Option<f64>,
}

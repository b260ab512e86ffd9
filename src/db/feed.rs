//! The social feed's queries: posting a draft, feed pages (latest, following, a profile) with
//! keyset pagination, likes and follows. Who may see a post is decided in one SQL predicate,
//! [`VISIBLE`], used by every read.

use std::sync::LazyLock;

use protocol::{PostView, Visibility};
use uuid::Uuid;

use super::{Db, DbError};

/// Whether the viewer `$1` may see clip row `c` (drafts: their author; posts: by visibility;
/// removed or hidden — a revoked avatar, a pending likeness report — nobody).
pub const VISIBLE: &str = "(c.hidden_at IS NULL AND (c.owner_id = $1 AND c.status <> 'removed'
    OR c.status = 'posted' AND (c.visibility IN ('public', 'unlisted')
        OR c.visibility = 'followers' AND EXISTS (
            SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = c.owner_id))))";

/// [`VISIBLE`] for a clip row named `alias` instead of `c`.
pub fn visible_as(alias: &str) -> String {
    VISIBLE.replace("c.", &format!("{alias}."))
}

/// Posts of author `author` (an SQL expression) that their profile lists to viewer `$1`:
/// unlisted ones only to the author, followers-only ones only to followers.
pub fn listed_on_profile(author: &str) -> String {
    format!("c.status = 'posted' AND c.owner_id = {author} AND (c.visibility <> 'unlisted' OR c.owner_id = $1) AND {VISIBLE}")
}

/// Where a feed page starts: after the post at (`posted_at` µs since the epoch, `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub micros: i64,
    pub id: Uuid,
}

impl Cursor {
    /// `"<micros>_<uuid>"`.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.micros, self.id.simple())
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (micros, id) = s.split_once('_')?;
        Some(Cursor {
            micros: micros.parse().ok()?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

/// Which feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Every public post.
    Latest,
    /// Posts by people the viewer follows (public or followers-only).
    Following,
    /// One author's posts the viewer may see (unlisted ones only to the author).
    Author(Uuid),
}

/// Why posting failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOutcome {
    Posted,
    NotFound,
    NotDraft,
}

/// The columns [`post_view`] reads, for post row `c` joined to its author `u` (viewer `$1`).
pub(crate) static POST_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "c.id, u.username, coalesce(c.title, ''), coalesce(c.caption, ''),
    coalesce(c.visibility, 'public'),
    to_char(c.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
    c.duration_s, c.parent_id, c.like_count, c.comment_count, c.remix_count, c.view_count,
    EXISTS (SELECT 1 FROM likes l WHERE l.clip_id = c.id AND l.user_id = $1),
    (extract(epoch FROM c.posted_at) * 1000000)::bigint,
    (SELECT pu.username FROM clips p JOIN users pu ON pu.id = p.owner_id
      WHERE p.id = c.parent_id AND p.status = 'posted' AND {})",
        visible_as("p")
    )
});

pub(crate) fn post_view(r: &tokio_postgres::Row) -> (PostView, Cursor) {
    let id: Uuid = r.get(0);
    let parent: Option<Uuid> = r.get(7);
    let view = PostView {
        id: id.to_string(),
        author: r.get(1),
        title: r.get(2),
        caption: r.get(3),
        visibility: Visibility::parse(r.get(4)).unwrap_or(Visibility::Public),
        posted_at: r.get::<_, Option<String>>(5).unwrap_or_default(),
        duration_s: r.get(6),
        video_url: format!("/api/clips/{id}/video"),
        poster_url: format!("/api/clips/{id}/poster"),
        preview_url: format!("/api/clips/{id}/preview"),
        parent_id: parent.map(|p| p.to_string()),
        parent_author: r.get(14),
        likes: r.get(8),
        comments: r.get(9),
        remixes: r.get(10),
        views: r.get(11),
        liked: r.get(12),
        score: None,
    };
    let cursor = Cursor {
        micros: r.get::<_, Option<i64>>(13).unwrap_or_default(),
        id,
    };
    (view, cursor)
}

impl Db {
    /// The author posts their draft; a remix's parent is recorded from `parent` (if visible).
    pub async fn post_clip(
        &self,
        clip: Uuid,
        author: Uuid,
        title: &str,
        caption: &str,
        visibility: Visibility,
    ) -> Result<PostOutcome, DbError> {
        let conn = self.conn().await?;
        let status: Option<String> = conn
            .query_opt(
                "SELECT status FROM clips WHERE id = $1 AND owner_id = $2",
                &[&clip, &author],
            )
            .await?
            .map(|r| r.get(0));
        match status.as_deref() {
            None | Some("removed") => return Ok(PostOutcome::NotFound),
            Some("draft") => {}
            Some(_) => return Ok(PostOutcome::NotDraft),
        }
        let updated = conn
            .execute(
                "UPDATE clips SET status = 'posted', title = $3, caption = $4, visibility = $5, posted_at = now()
                  WHERE id = $1 AND owner_id = $2 AND status = 'draft'",
                &[&clip, &author, &title, &caption, &visibility.as_str()],
            )
            .await?;
        if updated == 0 {
            return Ok(PostOutcome::NotDraft); // posted by a concurrent request
        }
        conn.execute(
            "UPDATE clips SET remix_count = remix_count + 1
              WHERE id = (SELECT parent_id FROM clips WHERE id = $1)",
            &[&clip],
        )
        .await?;
        Ok(PostOutcome::Posted)
    }

    /// One page of `feed` as `viewer` sees it, newest first, after `cursor`.
    pub async fn feed(
        &self,
        viewer: Uuid,
        feed: Feed,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<PostView>, Option<Cursor>), DbError> {
        let conn = self.conn().await?;
        // Latest and Following select only posts their viewer may see by construction; the
        // author feed adds the visibility predicate (followers-only posts).
        let (filter, author) = match feed {
            Feed::Latest => (
                "c.status = 'posted' AND c.hidden_at IS NULL AND c.visibility = 'public'".to_string(),
                Uuid::nil(),
            ),
            Feed::Following => (
                "c.status = 'posted' AND c.hidden_at IS NULL AND c.visibility IN ('public', 'followers')
                 AND c.owner_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)"
                    .to_string(),
                Uuid::nil(),
            ),
            Feed::Author(a) => (listed_on_profile("$5"), a),
        };
        // µs since the epoch are exact in a float8 (< 2^53) for the next 285 years.
        let micros: Option<f64> = cursor.map(|c| c.micros as f64);
        let after: Option<Uuid> = cursor.map(|c| c.id);
        // The page is chosen from index columns alone (index-only scans on the feed indexes);
        // only its rows are then read whole.
        let sql = format!(
            "WITH page AS (
                SELECT c.id FROM clips c
                 WHERE {filter}
                   AND ($2::float8 IS NULL
                        OR (c.posted_at, c.id) < (timestamptz 'epoch' + $2::float8 * interval '1 microsecond', $3::uuid))
                 ORDER BY c.posted_at DESC, c.id DESC LIMIT $4)
             SELECT {cols} FROM page JOIN clips c USING (id) JOIN users u ON u.id = c.owner_id
              ORDER BY c.posted_at DESC, c.id DESC",
            cols = *POST_COLUMNS
        );
        let fetch = limit as i64 + 1;
        let rows = match feed {
            // Postgres types every parameter from the text, so only the author feed passes $5.
            Feed::Author(_) => conn.query(&sql, &[&viewer, &micros, &after, &fetch, &author]).await?,
            _ => conn.query(&sql, &[&viewer, &micros, &after, &fetch]).await?,
        };
        let mut items: Vec<(PostView, Cursor)> = rows.iter().map(post_view).collect();
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|(_, c)| *c)
        } else {
            None
        };
        Ok((items.into_iter().map(|(v, _)| v).collect(), next))
    }

    /// One posted clip as `viewer` sees it; `None` if it is not a post they may see.
    pub async fn post(&self, viewer: Uuid, clip: Uuid) -> Result<Option<PostView>, DbError> {
        let sql = format!(
            "SELECT {cols} FROM clips c JOIN users u ON u.id = c.owner_id
              WHERE c.id = $2 AND c.status = 'posted' AND {VISIBLE}",
            cols = *POST_COLUMNS
        );
        let row = self.conn().await?.query_opt(&sql, &[&viewer, &clip]).await?;
        Ok(row.map(|r| post_view(&r).0))
    }

    /// Likes (`like`) or unlikes a post the viewer may see; `None` if they may not.
    pub async fn set_like(&self, viewer: Uuid, clip: Uuid, like: bool) -> Result<Option<(bool, i64)>, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let visible = txn
            .query_opt(
                &format!("SELECT 1 FROM clips c WHERE c.id = $2 AND c.status = 'posted' AND {VISIBLE}"),
                &[&viewer, &clip],
            )
            .await?;
        if visible.is_none() {
            return Ok(None);
        }
        let changed = if like {
            txn.execute(
                "INSERT INTO likes (clip_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&clip, &viewer],
            )
            .await? as i64
        } else {
            -(txn
                .execute(
                    "DELETE FROM likes WHERE clip_id = $1 AND user_id = $2",
                    &[&clip, &viewer],
                )
                .await? as i64)
        };
        let likes: i64 = txn
            .query_one(
                "UPDATE clips SET like_count = like_count + $2 WHERE id = $1 RETURNING like_count",
                &[&clip, &changed],
            )
            .await?
            .get(0);
        txn.commit().await?;
        Ok(Some((like, likes)))
    }

    /// Follows or unfollows `followee`; returns their follower count.
    pub async fn set_follow(&self, follower: Uuid, followee: Uuid, follow: bool) -> Result<i64, DbError> {
        let conn = self.conn().await?;
        if follow {
            conn.execute(
                "INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&follower, &followee],
            )
            .await?;
        } else {
            conn.execute(
                "DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2",
                &[&follower, &followee],
            )
            .await?;
        }
        Ok(conn
            .query_one("SELECT count(*) FROM follows WHERE followee_id = $1", &[&followee])
            .await?
            .get(0))
    }
}

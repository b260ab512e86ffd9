//! Comments (one level of replies), removing a post, views, and remix lineage. Visibility is
//! the feed's one predicate ([`super::feed::VISIBLE`]).

use protocol::{CommentView, LineageNode};
use uuid::Uuid;

use super::feed::{visible_as, Cursor, VISIBLE};
use super::{Db, DbError};

/// Longest remix chain walked towards the root (a guard against a cycle slipping in).
pub const MAX_LINEAGE_DEPTH: i32 = 100_000;
/// A lineage row's tie-breaker: a one-way hash of its id (placeholders and cursors use it,
/// so neither can give a hidden post's id away).
const TIE: &str = "md5(d.id::text)";

/// Where a lineage page of descendants starts: after (depth, posted_at µs, tie-breaker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageCursor {
    pub depth: i32,
    pub micros: i64,
    /// `md5` of the last node's id, hex.
    pub tie: String,
}

impl LineageCursor {
    /// `depth_micros_tie`.
    pub fn encode(&self) -> String {
        format!("{}_{}_{}", self.depth, self.micros, self.tie)
    }

    /// The inverse of [`Self::encode`]; `None` for anything else.
    pub fn decode(raw: &str) -> Option<LineageCursor> {
        let mut parts = raw.splitn(3, '_');
        let depth = parts.next()?.parse().ok()?;
        let micros = parts.next()?.parse().ok()?;
        let tie = parts.next()?;
        (tie.len() == 32 && tie.bytes().all(|b| b.is_ascii_hexdigit())).then(|| LineageCursor {
            depth,
            micros,
            tie: tie.to_ascii_lowercase(),
        })
    }
}

/// Why a comment was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentRefusal {
    /// No such post, or not visible to the commenter.
    NoPost,
    /// `reply_to` is not a top-level comment of this post.
    BadParent,
}

const RFC3339: &str = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

fn comment_view(r: &tokio_postgres::Row) -> (CommentView, Cursor) {
    let id: Uuid = r.get(0);
    let parent: Option<Uuid> = r.get(3);
    let deleted: bool = r.get(4);
    let view = CommentView {
        id: id.to_string(),
        author: r.get(1),
        body: if deleted { String::new() } else { r.get(2) },
        reply_to: parent.map(|p| p.to_string()),
        deleted,
        created_at: r.get(5),
    };
    (view, Cursor { micros: r.get(6), id })
}

impl Db {
    async fn post_visible(&self, conn: &tokio_postgres::Client, viewer: Uuid, clip: Uuid) -> Result<bool, DbError> {
        let sql = format!("SELECT 1 FROM clips c WHERE c.id = $2 AND c.status = 'posted' AND {VISIBLE}");
        Ok(conn.query_opt(&sql, &[&viewer, &clip]).await?.is_some())
    }

    /// Adds a comment (or a reply to a top-level one) to a post the author may see.
    pub async fn add_comment(
        &self,
        author: Uuid,
        clip: Uuid,
        body: &str,
        reply_to: Option<Uuid>,
    ) -> Result<Result<CommentView, CommentRefusal>, DbError> {
        let mut conn = self.conn().await?;
        if !self.post_visible(&conn, author, clip).await? {
            return Ok(Err(CommentRefusal::NoPost));
        }
        let txn = conn.transaction().await?;
        if let Some(parent) = reply_to {
            let top_level = txn
                .query_opt(
                    "SELECT 1 FROM comments WHERE id = $1 AND clip_id = $2 AND parent_id IS NULL",
                    &[&parent, &clip],
                )
                .await?;
            if top_level.is_none() {
                return Ok(Err(CommentRefusal::BadParent));
            }
        }
        let id = Uuid::new_v4();
        let sql = format!(
            "WITH c AS (INSERT INTO comments (id, clip_id, author_id, parent_id, body) VALUES ($1, $2, $3, $4, $5)
                        RETURNING id, author_id, body, parent_id, deleted, created_at)
             SELECT c.id, u.username, c.body, c.parent_id, c.deleted,
                    to_char(c.created_at AT TIME ZONE 'UTC', {RFC3339}),
                    (extract(epoch FROM c.created_at) * 1000000)::bigint
               FROM c JOIN users u ON u.id = c.author_id"
        );
        let row = txn.query_one(&sql, &[&id, &clip, &author, &reply_to, &body]).await?;
        txn.execute(
            "UPDATE clips SET comment_count = comment_count + 1 WHERE id = $1",
            &[&clip],
        )
        .await?;
        txn.commit().await?;
        Ok(Ok(comment_view(&row).0))
    }

    /// A page of a visible post's comments, oldest first; `None` if the post is not visible.
    pub async fn comments(
        &self,
        viewer: Uuid,
        clip: Uuid,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Option<(Vec<CommentView>, Option<Cursor>)>, DbError> {
        let conn = self.conn().await?;
        if !self.post_visible(&conn, viewer, clip).await? {
            return Ok(None);
        }
        let micros: Option<f64> = cursor.map(|c| c.micros as f64);
        let after: Option<Uuid> = cursor.map(|c| c.id);
        let sql = format!(
            "SELECT c.id, u.username, c.body, c.parent_id, c.deleted,
                    to_char(c.created_at AT TIME ZONE 'UTC', {RFC3339}),
                    (extract(epoch FROM c.created_at) * 1000000)::bigint
               FROM comments c JOIN users u ON u.id = c.author_id
              WHERE c.clip_id = $1
                AND ($2::float8 IS NULL
                     OR (c.created_at, c.id) > (timestamptz 'epoch' + $2::float8 * interval '1 microsecond', $3::uuid))
              ORDER BY c.created_at, c.id LIMIT $4"
        );
        let rows = conn.query(&sql, &[&clip, &micros, &after, &(limit as i64 + 1)]).await?;
        let mut items: Vec<(CommentView, Cursor)> = rows.iter().map(comment_view).collect();
        let next = (items.len() > limit).then(|| {
            items.truncate(limit);
            items.last().map(|(_, c)| *c)
        });
        Ok(Some((items.into_iter().map(|(v, _)| v).collect(), next.flatten())))
    }

    /// Deletes a comment for its author or for the author of the post it is on (its replies
    /// stay); false if `author` may not.
    pub async fn delete_comment(&self, author: Uuid, comment: Uuid) -> Result<bool, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        // The comment's author, or the author of the post it is on (moderating their post).
        let clip: Option<Uuid> = txn
            .query_opt(
                "UPDATE comments m SET deleted = true, body = ''
                  WHERE m.id = $1 AND NOT m.deleted
                    AND (m.author_id = $2 OR EXISTS (
                        SELECT 1 FROM clips c WHERE c.id = m.clip_id AND c.owner_id = $2))
                 RETURNING m.clip_id",
                &[&comment, &author],
            )
            .await?
            .map(|r| r.get(0));
        if let Some(clip) = clip {
            txn.execute(
                "UPDATE clips SET comment_count = comment_count - 1 WHERE id = $1",
                &[&clip],
            )
            .await?;
        }
        txn.commit().await?;
        Ok(clip.is_some())
    }

    /// The author removes their post (or draft): it leaves every feed, its row stays as
    /// `removed` so remix chains hold. Returns the storage keys to delete (video, raw frames).
    pub async fn remove_clip(&self, author: Uuid, clip: Uuid) -> Result<Option<Vec<String>>, DbError> {
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        let row = txn
            .query_opt(
                "UPDATE clips SET status = 'removed', title = NULL, caption = NULL
                  WHERE id = $1 AND owner_id = $2 AND status <> 'removed'
                  RETURNING video_key, parent_id, posted_at IS NOT NULL, frames_key, preview_key, poster_key, download_key",
                &[&clip, &author],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (key, parent, was_posted): (String, Option<Uuid>, bool) = (row.get(0), row.get(1), row.get(2));
        let keys: Vec<String> = std::iter::once(key)
            .chain((3..7).filter_map(|i| row.get::<_, Option<String>>(i)))
            .collect();
        if let (Some(parent), true) = (parent, was_posted) {
            txn.execute(
                "UPDATE clips SET remix_count = remix_count - 1 WHERE id = $1",
                &[&parent],
            )
            .await?;
        }
        txn.execute("DELETE FROM likes WHERE clip_id = $1", &[&clip]).await?;
        txn.commit().await?;
        Ok(Some(keys))
    }

    /// A clip `viewer` may remix (a visible post): its title and script.
    pub async fn remixable(&self, viewer: Uuid, clip: Uuid) -> Result<Option<(String, serde_json::Value)>, DbError> {
        let sql = format!(
            "SELECT coalesce(c.title, ''), c.script FROM clips c WHERE c.id = $2 AND c.status = 'posted' AND {VISIBLE}"
        );
        Ok(self
            .conn()
            .await?
            .query_opt(&sql, &[&viewer, &clip])
            .await?
            .map(|r| (r.get(0), r.get(1))))
    }

    /// A new room owned by `owner` remixing `clip` at `strength`, its document starting as
    /// `script_update` (one Yjs update).
    pub async fn create_remix_room(
        &self,
        owner: Uuid,
        title: &str,
        clip: Uuid,
        strength: f64,
        script_update: Vec<u8>,
        max_owned: usize,
    ) -> Result<Option<Uuid>, DbError> {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await?;
        let txn = conn.transaction().await?;
        if !super::rooms::room_quota_left(&txn, owner, max_owned).await? {
            return Ok(None);
        }
        super::rooms::insert_owned_room(&txn, id, owner, title, Some((clip, strength))).await?;
        txn.execute(
            "INSERT INTO room_updates (room_id, update) VALUES ($1, $2)",
            &[&id, &script_update],
        )
        .await?;
        txn.commit().await?;
        Ok(Some(id))
    }

    /// Records that `viewer` watched a visible post (counted once per viewer); false if they
    /// may not see it.
    pub async fn record_view(&self, viewer: Uuid, clip: Uuid) -> Result<bool, DbError> {
        // One statement: the view is recorded (and counted) only if the post is visible, and
        // counted once per viewer; a repeat view refreshes when it was seen.
        let sql = format!(
            "WITH post AS (SELECT c.id FROM clips c WHERE c.id = $2 AND c.status = 'posted' AND {VISIBLE}),
                  seen AS (INSERT INTO clip_views (user_id, clip_id) SELECT $1, id FROM post
                           ON CONFLICT (user_id, clip_id) DO UPDATE SET viewed_at = now()
                           RETURNING (xmax = 0) AS first),
                  counted AS (UPDATE clips SET view_count = view_count + 1
                              WHERE id = $2 AND EXISTS (SELECT 1 FROM seen WHERE first))
             SELECT count(*) FROM post"
        );
        let visible: i64 = self.conn().await?.query_one(&sql, &[&viewer, &clip]).await?.get(0);
        Ok(visible == 1)
    }

    /// A visible clip's ancestors (nearest first) and a page of its descendants (by depth, then
    /// posting time); `None` if the clip itself is not visible.
    pub async fn lineage(
        &self,
        viewer: Uuid,
        clip: Uuid,
        after: Option<LineageCursor>,
        limit: usize,
    ) -> Result<Option<(Vec<LineageNode>, Vec<LineageNode>, Option<LineageCursor>)>, DbError> {
        let conn = self.conn().await?;
        let sql = format!("SELECT 1 FROM clips c WHERE c.id = $2 AND {VISIBLE}");
        if conn.query_opt(&sql, &[&viewer, &clip]).await?.is_none() {
            return Ok(None);
        }
        // A chain lists what its viewer could find anyway: unlisted posts only to their
        // authors (anyone else with the link can open one, but the chain must not lead there).
        let shown = |alias: &str| {
            format!(
                "{alias}.status = 'posted' AND {} AND ({alias}.visibility <> 'unlisted' OR {alias}.owner_id = $1)",
                visible_as(alias)
            )
        };
        let node = |alias: &str| {
            format!(
                "{alias}.id, {alias}.parent_id, {alias}.status,
                 CASE WHEN {vis} THEN u.username END,
                 CASE WHEN {vis} THEN {alias}.title END,
                 CASE WHEN {alias}.status = 'removed' THEN 'removed'
                      WHEN {vis} THEN 'posted' ELSE 'hidden' END,
                 CASE WHEN par.id IS NULL OR par.status = 'removed' OR {par_vis} THEN false
                      ELSE true END AS parent_hidden",
                vis = shown(alias),
                par_vis = shown("par")
            )
        };
        let ancestors_sql = format!(
            "WITH RECURSIVE up AS (
                 SELECT parent_id AS id, -1 AS depth FROM clips WHERE id = $2 AND parent_id IS NOT NULL
                 UNION ALL
                 SELECT p.parent_id, up.depth - 1 FROM up JOIN clips p ON p.id = up.id
                  WHERE p.parent_id IS NOT NULL AND up.depth > -{MAX_LINEAGE_DEPTH})
             SELECT {}, up.depth FROM up JOIN clips a ON a.id = up.id JOIN users u ON u.id = a.owner_id
                  LEFT JOIN clips par ON par.id = a.parent_id
              ORDER BY up.depth DESC",
            node("a")
        );
        let to_node = |r: &tokio_postgres::Row| LineageNode {
            id: r.get::<_, Uuid>(0).to_string(),
            parent_id: r.get::<_, Option<Uuid>>(1).map(|p| {
                if r.get::<_, bool>("parent_hidden") {
                    hidden_placeholder(&p.to_string())
                } else {
                    p.to_string()
                }
            }),
            author: r.get(3),
            title: r.get(4),
            state: r.get(5),
            depth: r.get(7),
        };
        let mut ancestors: Vec<LineageNode> = conn
            .query(&ancestors_sql, &[&viewer, &clip])
            .await?
            .iter()
            .map(to_node)
            .collect();
        let (after_depth, micros, after_tie) = match &after {
            Some(c) => (Some(c.depth), Some(c.micros as f64), Some(c.tie.clone())),
            None => (None, None, None),
        };
        // Ties on posting time break on a one-way hash of the id, never the id itself: the
        // next page's cursor names the last node of this one, which may be hidden.
        let descendants_sql = format!(
            "WITH RECURSIVE down AS (
                 SELECT id, 1 AS depth FROM clips WHERE parent_id = $2 AND status <> 'draft'
                 UNION ALL
                 SELECT k.id, down.depth + 1 FROM down JOIN clips k ON k.parent_id = down.id
                  WHERE k.status <> 'draft')
             SELECT {}, down.depth, (extract(epoch FROM d.posted_at) * 1000000)::bigint, {TIE}
               FROM down JOIN clips d ON d.id = down.id JOIN users u ON u.id = d.owner_id
                   LEFT JOIN clips par ON par.id = d.parent_id
              WHERE $3::int IS NULL
                 OR (down.depth, d.posted_at, {TIE})
                    > ($3::int, timestamptz 'epoch' + $4::float8 * interval '1 microsecond', $5::text)
              ORDER BY down.depth, d.posted_at, {TIE} LIMIT $6",
            node("d")
        );
        let rows = conn
            .query(
                &descendants_sql,
                &[&viewer, &clip, &after_depth, &micros, &after_tie, &(limit as i64 + 1)],
            )
            .await?;
        let mut descendants: Vec<(LineageNode, LineageCursor)> = rows
            .iter()
            .map(|r| {
                let n = to_node(r);
                let cursor = LineageCursor {
                    depth: n.depth,
                    micros: r.get::<_, Option<i64>>(8).unwrap_or_default(),
                    tie: r.get(9),
                };
                (n, cursor)
            })
            .collect();
        let next = (descendants.len() > limit).then(|| {
            descendants.truncate(limit);
            descendants.last().map(|(_, c)| c.clone())
        });
        let mut descendants: Vec<LineageNode> = descendants.into_iter().map(|(n, _)| n).collect();
        mask_hidden_ids(&mut ancestors, &mut descendants);
        Ok(Some((ancestors, descendants, next.flatten())))
    }
}

/// A hidden post's stand-in id in a chain: `hidden-<hash>`, the same on every page and for
/// every viewer (so "load more" can join pages), and not the id (an id opens a post to anyone
/// it is visible to, and tells that it exists).
fn hidden_placeholder(id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("reelroom-lineage:{id}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("hidden-{hex}")
}

/// Hidden nodes keep their place but not their ids (their children's links were rewritten
/// in SQL terms already: `parent_hidden`).
fn mask_hidden_ids(ancestors: &mut [LineageNode], descendants: &mut [LineageNode]) {
    for node in ancestors.iter_mut().chain(descendants.iter_mut()) {
        if node.state == "hidden" {
            node.id = hidden_placeholder(&node.id);
        }
    }
}

//! The for-you feed: recent public posts by others, ranked by an explainable score
//! `recency + engagement + unseen` (see [`protocol::ForYouScore`]).
//!
//! Candidates are the newest [`FOR_YOU_RECENT_CANDIDATES`] and the most liked
//! [`FOR_YOU_LIKED_CANDIDATES`] public posts of the last [`FOR_YOU_WINDOW_DAYS`] days, so a page
//! costs the same at a thousand posts or a million. Pages are ranked as of the moment the first
//! page was asked for (the cursor carries it): views made while scrolling do not reshuffle the
//! next page. Counts still move between pages, so clients drop repeats by id.

use std::sync::LazyLock;

use protocol::feed::{FOR_YOU_HALF_LIFE_HOURS, FOR_YOU_UNSEEN_BONUS, FOR_YOU_WINDOW_DAYS};
use protocol::{ForYouScore, PostView};
use uuid::Uuid;

use super::feed::{post_view, POST_COLUMNS, VISIBLE};
use super::{Db, DbError};

/// Newest public posts considered per page.
pub const FOR_YOU_RECENT_CANDIDATES: i64 = 1_000;
/// Most liked recent public posts considered per page.
pub const FOR_YOU_LIKED_CANDIDATES: i64 = 200;
/// Engagement (weighted interactions) that scores the full 1.0, on a log scale.
pub const FOR_YOU_ENGAGEMENT_SATURATION: f64 = 1_000.0;

/// Where a for-you page starts: the ranking instant and the last (score, id) shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForYouCursor {
    /// µs since the epoch the scores are computed at.
    pub as_of_micros: i64,
    pub total: f64,
    pub id: Uuid,
}

impl ForYouCursor {
    /// `"<as_of µs>_<score>_<uuid>"`; the score's shortest round-trip form keeps it exact.
    pub fn encode(&self) -> String {
        format!("{}_{}_{}", self.as_of_micros, self.total, self.id.simple())
    }

    pub fn decode(s: &str) -> Option<ForYouCursor> {
        let mut parts = s.splitn(3, '_');
        let cursor = ForYouCursor {
            as_of_micros: parts.next()?.parse().ok()?,
            total: parts.next()?.parse().ok()?,
            id: Uuid::parse_str(parts.next()?).ok()?,
        };
        cursor.total.is_finite().then_some(cursor)
    }
}

/// The reason line of a score.
fn explain(score: &ForYouScore, age_hours: f64, likes: i64, comments: i64, remixes: i64, seen: bool) -> String {
    format!(
        "recency {:.2} (posted {:.0} h ago) + engagement {:.2} ({likes} likes, {comments} comments, {remixes} remixes) + {} {:.2} = {:.2}",
        score.recency,
        age_hours,
        score.engagement,
        if seen { "seen" } else { "not seen yet" },
        score.unseen,
        score.total
    )
}

/// The page query: `$1` viewer, `$2` ranking instant (µs since the epoch, float8), `$3`/`$4` the
/// cursor's score and id (NULL for the first page), `$5` rows to fetch.
pub static FOR_YOU_SQL: LazyLock<String> = LazyLock::new(|| {
    let in_window = format!(
        "c.status = 'posted' AND c.hidden_at IS NULL AND c.visibility = 'public' AND c.owner_id <> $1
           AND c.posted_at <= (SELECT as_of FROM params)
           AND c.posted_at > (SELECT as_of FROM params) - interval '{FOR_YOU_WINDOW_DAYS} days'"
    );
    // Candidates carry what scoring reads, so scoring does not look them up again.
    let counts = "c.id, c.posted_at, c.like_count, c.comment_count, c.remix_count, c.view_count";
    format!(
        "WITH params AS MATERIALIZED (
            SELECT coalesce(timestamptz 'epoch' + $2::float8 * interval '1 microsecond', now()) AS as_of),
         recent AS (
            SELECT {counts} FROM clips c WHERE {in_window}
             ORDER BY c.posted_at DESC LIMIT {FOR_YOU_RECENT_CANDIDATES}),
         liked AS (
            SELECT {counts} FROM clips c WHERE {in_window}
             ORDER BY c.like_count DESC LIMIT {FOR_YOU_LIKED_CANDIDATES}),
         -- What the viewer had seen by then: read once, probed as a hash.
         seen AS (
            SELECT v.clip_id FROM clip_views v, params WHERE v.user_id = $1 AND v.viewed_at <= params.as_of),
         scored AS (
            SELECT c.id,
                   extract(epoch FROM params.as_of - c.posted_at)::float8 / 3600.0 AS age_hours,
                   power(0.5, extract(epoch FROM params.as_of - c.posted_at)::float8 / 3600.0
                              / {FOR_YOU_HALF_LIFE_HOURS:?}) AS recency,
                   least(1.0::float8, ln(1.0::float8 + c.like_count + 2 * c.comment_count + 3 * c.remix_count
                                         + 0.1 * c.view_count) / ln(1.0::float8 + {FOR_YOU_ENGAGEMENT_SATURATION:?}))
                       AS engagement,
                   c.id IN (SELECT clip_id FROM seen) AS seen
              FROM (SELECT * FROM recent UNION SELECT * FROM liked) c, params),
         ranked AS (
            SELECT *, recency + engagement + CASE WHEN seen THEN 0.0::float8 ELSE {FOR_YOU_UNSEEN_BONUS:?}::float8 END
                       AS total
              FROM scored),
         page AS (
            SELECT * FROM ranked
             WHERE $3::float8 IS NULL OR (total, id) < ($3::float8, $4::uuid)
             ORDER BY total DESC, id DESC
             LIMIT $5)
         -- Post columns (with their per-row lookups) for the page only, not every candidate.
         SELECT {cols}, r.recency, r.engagement, r.seen, r.total, r.age_hours,
                (extract(epoch FROM (SELECT as_of FROM params)) * 1000000)::bigint
           FROM page r JOIN clips c USING (id) JOIN users u ON u.id = c.owner_id
          WHERE {VISIBLE}
          ORDER BY r.total DESC, c.id DESC",
        cols = *POST_COLUMNS
    )
});

impl Db {
    /// One for-you page for `viewer`, best first, after `cursor` (a fresh ranking without one).
    pub async fn for_you(
        &self,
        viewer: Uuid,
        cursor: Option<ForYouCursor>,
        limit: usize,
    ) -> Result<(Vec<PostView>, Option<ForYouCursor>), DbError> {
        let conn = self.conn().await?;
        // The first page ranks as of the database's now; later pages as of the first.
        let as_of: Option<f64> = cursor.map(|c| c.as_of_micros as f64);
        let after_total: Option<f64> = cursor.map(|c| c.total);
        let after_id: Option<Uuid> = cursor.map(|c| c.id);
        let fetch = limit as i64 + 1;
        let rows = conn
            .query(
                FOR_YOU_SQL.as_str(),
                &[&viewer, &as_of, &after_total, &after_id, &fetch],
            )
            .await?;
        let ranked_at: i64 = rows.first().map_or(0, |r| r.get(20));
        let mut items: Vec<(PostView, f64)> = rows
            .iter()
            .map(|r| {
                let (mut view, _) = post_view(r);
                let seen: bool = r.get(17);
                let mut score = ForYouScore {
                    recency: r.get(15),
                    engagement: r.get(16),
                    unseen: if seen { 0.0 } else { FOR_YOU_UNSEEN_BONUS },
                    total: r.get(18),
                    reason: String::new(),
                };
                score.reason = explain(&score, r.get(19), view.likes, view.comments, view.remixes, seen);
                let total = score.total;
                view.score = Some(score);
                (view, total)
            })
            .collect();
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().and_then(|(v, total)| {
                Some(ForYouCursor {
                    as_of_micros: ranked_at,
                    total: *total,
                    id: Uuid::parse_str(&v.id).ok()?,
                })
            })
        } else {
            None
        };
        Ok((items.into_iter().map(|(v, _)| v).collect(), next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_exactly() {
        let c = ForYouCursor {
            as_of_micros: 1_765_000_000_123_456,
            total: 1.234_567_890_123_456_7,
            id: Uuid::new_v4(),
        };
        assert_eq!(ForYouCursor::decode(&c.encode()), Some(c));
        assert_eq!(ForYouCursor::decode("1_NaN_00000000000000000000000000000000"), None);
        assert_eq!(ForYouCursor::decode("1_2"), None);
        assert_eq!(ForYouCursor::decode("x_1_00000000000000000000000000000000"), None);
    }
}

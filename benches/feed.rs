//! Feed and lineage query latency at scale: 100,000 users, 1,000,000 posts (90 % public, 5 %
//! followers-only, 5 % unlisted), 1,000 users who follow 200 others each, and a remix chain
//! 1,000 deep; each of those 1,000 users has viewed the 100 newest posts. Measures the real
//! queries (`Db::feed`, `Db::for_you`, `Db::lineage`) from one client.
//!
//! Run: `cargo bench --bench feed` (uses `DATABASE_URL`, else a private cluster in
//! `$REELROOM_TEST_PG_DIR` or /var/tmp/reelroom-bench-pg). `--posts N`, `--users N`,
//! `--chain N`, `--requests N` change the sizes; `--explain` prints the for-you query's plan.

mod common;

use common::arg;
use std::time::Instant;

use reelroom::db::feed::{Cursor, Feed};
use reelroom::db::for_you::{ForYouCursor, FOR_YOU_SQL};
use uuid::Uuid;

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    println!(
        "{name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} requests)",
        at(0.5),
        at(0.99),
        at(1.0),
        ms.len()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (users, posts, chain, requests) = (
        arg("--users", 100_000),
        arg("--posts", 1_000_000),
        arg("--chain", 1_000),
        arg("--requests", 500),
    );
    let (db, admin, name) = common::fresh_database().await?;
    let conn = db.conn().await?;
    let seeding = Instant::now();
    conn.batch_execute(&format!(
        "CREATE TEMP TABLE n_users AS
           SELECT g AS n, gen_random_uuid() AS id FROM generate_series(1, {users}) g;
         INSERT INTO users (id, username, password_hash) SELECT id, 'u' || n, 'x' FROM n_users;
         CREATE INDEX ON n_users (n);
         INSERT INTO follows (follower_id, followee_id)
           SELECT DISTINCT f.id, t.id FROM n_users f
             CROSS JOIN generate_series(1, 200) k
             JOIN n_users t ON t.n = 1 + (f.n * 7919 + k * 104729) % {users}
            WHERE f.n <= 1000 AND t.id <> f.id;
         INSERT INTO clips (id, owner_id, status, script, seed, model_id, steps, guidance, duration_s, frames,
                            width, height, video_key, video_bytes, title, caption, visibility, posted_at,
                            like_count)
           SELECT gen_random_uuid(), u.id, 'posted', '{{}}', g, 'reelroom-v1', 8, 3, 2, 16, 256, 256, 'x', 0,
                  'post ' || g, '', CASE WHEN g % 20 = 0 THEN 'followers' WHEN g % 20 = 1 THEN 'unlisted'
                  ELSE 'public' END, now() - g * interval '1 second', g % 97
             FROM generate_series(1, {posts}) g JOIN n_users u ON u.n = 1 + (g * 31) % {users};
         ANALYZE;"
    ))
    .await?;
    // A remix chain: each clip remixes the one before.
    let owner: Uuid = conn.query_one("SELECT id FROM n_users WHERE n = 1", &[]).await?.get(0);
    let mut parent: Option<Uuid> = None;
    let mut chain_ids = Vec::with_capacity(chain);
    for i in 0..chain {
        let id = Uuid::new_v4();
        conn.execute(
            "INSERT INTO clips (id, owner_id, status, script, seed, model_id, steps, guidance, duration_s, frames,
                                width, height, video_key, video_bytes, title, visibility, posted_at, parent_id)
             VALUES ($1, $2, 'posted', '{}', 0, 'reelroom-v1', 8, 3, 2, 16, 256, 256, 'x', 0, $3, 'public', now(), $4)",
            &[&id, &owner, &format!("remix {i}"), &parent],
        )
        .await?;
        parent = Some(id);
        chain_ids.push(id);
    }
    conn.batch_execute(
        "INSERT INTO clip_views (user_id, clip_id)
           SELECT v.id, c.id FROM n_users v,
                  (SELECT id FROM clips WHERE visibility = 'public' ORDER BY posted_at DESC LIMIT 100) c
            WHERE v.n <= 1000;",
    )
    .await?;
    // The steady state autovacuum keeps a live table in (visibility map set: index-only scans
    // work), rather than the state right after a bulk load. VACUUM runs outside a transaction.
    conn.batch_execute("VACUUM ANALYZE").await?;
    println!(
        "seeded {users} users, {posts} posts, 200 follows for 1,000 users, a {chain}-deep remix chain in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );

    let viewers: Vec<Uuid> = conn
        .query("SELECT id FROM n_users WHERE n <= 1000 ORDER BY n", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let time = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    // Latest: first pages and pages deep into the feed (following cursors).
    let mut latest = Vec::new();
    let mut following = Vec::new();
    let mut profile = Vec::new();
    for i in 0..requests {
        let viewer = viewers[i % viewers.len()];
        let mut cursor: Option<Cursor> = None;
        for _ in 0..(i % 5) {
            cursor = db.feed(viewer, Feed::Latest, cursor, 20).await?.1;
        }
        let t = Instant::now();
        db.feed(viewer, Feed::Latest, cursor, 20).await?;
        latest.push(time(t));
        let t = Instant::now();
        let (items, _) = db.feed(viewer, Feed::Following, None, 20).await?;
        following.push(time(t));
        assert!(!items.is_empty());
        let author = viewers[(i * 13 + 1) % viewers.len()];
        let t = Instant::now();
        db.feed(viewer, Feed::Author(author), None, 20).await?;
        profile.push(time(t));
    }
    if std::env::args().any(|a| a == "--explain") {
        let plan = conn
            .query(
                &format!("EXPLAIN (ANALYZE, BUFFERS) {}", *FOR_YOU_SQL),
                &[&viewers[0], &None::<f64>, &None::<f64>, &None::<Uuid>, &21i64],
            )
            .await?;
        for row in plan {
            println!("{}", row.get::<_, String>(0));
        }
    }
    let mut for_you = Vec::new();
    for i in 0..requests {
        let viewer = viewers[i % viewers.len()];
        let mut cursor: Option<ForYouCursor> = None;
        for _ in 0..(i % 3) {
            cursor = db.for_you(viewer, cursor, 20).await?.1;
        }
        let t = Instant::now();
        let (items, _) = db.for_you(viewer, cursor, 20).await?;
        for_you.push(time(t));
        assert_eq!(items.len(), 20);
    }
    report("latest feed page (20 posts, pages 1-5)", latest);
    report("for-you feed page (20 posts, pages 1-3, 1,200 candidates)", for_you);
    report("following feed page (200 followees)", following);
    report("profile page", profile);

    let (mut up, mut down) = (Vec::new(), Vec::new());
    let (root, leaf) = (chain_ids[0], chain_ids[chain - 1]);
    for i in 0..requests.min(200) {
        let viewer = viewers[i % viewers.len()];
        let t = Instant::now();
        let (ancestors, _, _) = db.lineage(viewer, leaf, None, 50).await?.ok_or("leaf not visible")?;
        up.push(time(t));
        assert_eq!(ancestors.len(), chain - 1);
        let t = Instant::now();
        let (_, descendants, _) = db.lineage(viewer, root, None, 50).await?.ok_or("root not visible")?;
        down.push(time(t));
        assert_eq!(descendants.len(), 50.min(chain - 1));
    }
    report(
        &format!("lineage of the {chain}th remix (all {} ancestors)", chain - 1),
        up,
    );
    report(
        &format!("lineage of the chain's root (first 50 of {} descendants)", chain - 1),
        down,
    );
    drop(conn);
    drop(db);
    // The seeded database is large: drop it.
    let (admin_client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    admin_client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    Ok(())
}

//! A user's profile header: follower, following and post counts as the caller may see them.

use protocol::ProfileView;
use uuid::Uuid;

use super::feed::listed_on_profile;
use super::{Db, DbError};

impl Db {
    /// `username`'s profile as `viewer` sees it; `None` if there is no such user.
    pub async fn profile(&self, viewer: Uuid, username: &str) -> Result<Option<ProfileView>, DbError> {
        // Posts counted are the ones the profile feed would list to this viewer.
        let sql = format!(
            "SELECT u.username,
                    (SELECT count(*) FROM follows WHERE followee_id = u.id),
                    (SELECT count(*) FROM follows WHERE follower_id = u.id),
                    (SELECT count(*) FROM clips c WHERE {listed}),
                    EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = u.id),
                    u.id = $1
               FROM users u WHERE u.username = $2",
            listed = listed_on_profile("u.id")
        );
        let row = self.conn().await?.query_opt(&sql, &[&viewer, &username]).await?;
        Ok(row.map(|r| ProfileView {
            username: r.get(0),
            followers: r.get(1),
            following: r.get(2),
            posts: r.get(3),
            followed_by_you: r.get(4),
            is_you: r.get(5),
        }))
    }
}

-- Profiles and the following feed pick their page from the index alone: it carries the
-- visibility each post needs to be filtered by.
CREATE INDEX clips_author_feed_v ON clips (owner_id, posted_at DESC, id DESC) INCLUDE (visibility)
    WHERE status = 'posted';
DROP INDEX clips_author_feed;

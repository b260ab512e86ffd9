-- The social feed: a draft clip becomes a post (title, caption, visibility); remixes record
-- their parent; likes and follows; counters kept on the post so feed pages read one table.
-- A deleted post keeps its row as `removed` (media gone) so remix chains through it hold.
ALTER TABLE clips DROP CONSTRAINT clips_status_check;
ALTER TABLE clips ADD CONSTRAINT clips_status_check CHECK (status IN ('draft', 'posted', 'removed'));
ALTER TABLE clips
    ADD COLUMN title         text,
    ADD COLUMN caption       text,
    ADD COLUMN visibility    text CHECK (visibility IN ('public', 'followers', 'unlisted')),
    ADD COLUMN posted_at     timestamptz,
    ADD COLUMN parent_id     uuid REFERENCES clips(id) ON DELETE SET NULL,
    ADD COLUMN like_count    bigint NOT NULL DEFAULT 0,
    ADD COLUMN comment_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN remix_count   bigint NOT NULL DEFAULT 0,
    ADD COLUMN view_count    bigint NOT NULL DEFAULT 0;

-- Latest feed: public posts, newest first (keyset on posted_at, id).
CREATE INDEX clips_public_feed ON clips (posted_at DESC, id DESC)
    WHERE status = 'posted' AND visibility = 'public';
-- Profiles and the following feed: one author's posts, newest first.
CREATE INDEX clips_author_feed ON clips (owner_id, posted_at DESC, id DESC) WHERE status = 'posted';
-- Remix trees.
CREATE INDEX clips_children ON clips (parent_id, posted_at, id) WHERE parent_id IS NOT NULL;

CREATE TABLE follows (
    follower_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    followee_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id);

CREATE TABLE likes (
    clip_id    uuid NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clip_id, user_id)
);
CREATE INDEX likes_user ON likes (user_id);

-- Posters and feed previews beside each clip's MP4; who has viewed what (the for-you feed
-- favours posts the viewer has not seen, and views count each viewer once).
ALTER TABLE clips
    ADD COLUMN poster_key    text,
    ADD COLUMN preview_key   text,
    ADD COLUMN preview_bytes bigint;

CREATE TABLE clip_views (
    user_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    clip_id   uuid NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    viewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, clip_id)
);
CREATE INDEX clip_views_clip ON clip_views (clip_id);

-- For-you candidates: the most liked recent public posts.
CREATE INDEX clips_public_liked ON clips (like_count DESC, id)
    WHERE status = 'posted' AND visibility = 'public';

-- Comments on posts, one level of replies; a deleted comment keeps its row (its replies stay)
-- with the body cleared.
CREATE TABLE comments (
    id         uuid PRIMARY KEY,
    clip_id    uuid NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    parent_id  uuid REFERENCES comments(id) ON DELETE CASCADE,
    body       text NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_clip ON comments (clip_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

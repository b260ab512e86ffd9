-- Cameos: avatars made from a selfie recording that followed a server challenge, who may cast
-- them, the signed consent grant each use creates, a hash-chained audit log, likeness reports
-- and notices. An avatar row is never deleted (grants and the audit log name it): deleting
-- it clears its biometric columns and marks it deleted.
CREATE TABLE avatar_challenges (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    steps      jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX avatar_challenges_user ON avatar_challenges (user_id, expires_at DESC);

CREATE TABLE avatars (
    id           uuid PRIMARY KEY,
    owner_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    challenge_id uuid NOT NULL REFERENCES avatar_challenges(id),
    status       text NOT NULL DEFAULT 'processing'
                 CHECK (status IN ('processing', 'ready', 'failed', 'revoked', 'deleted')),
    reason       text,
    message      text,
    progress     real NOT NULL DEFAULT 0,
    audience     text NOT NULL DEFAULT 'only_me'
                 CHECK (audience IN ('only_me', 'approved', 'mutuals', 'everyone')),
    rules        text NOT NULL DEFAULT '',
    -- The video model's reference crop (REF_SIZE² RGB).
    reference    bytea,
    crop_keys    text[] NOT NULL DEFAULT '{}',
    -- Biometric (dlib 128-D face embedding): used only to match likeness reports; cleared on delete.
    embedding    real[],
    raw_key      text,
    keep_raw     boolean NOT NULL DEFAULT false,
    extraction   jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX avatars_owner ON avatars (owner_id, created_at DESC);

-- Per-user exceptions: approved (allowed) or blocked (not allowed) casters.
CREATE TABLE avatar_access (
    avatar_id uuid NOT NULL REFERENCES avatars(id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    allowed   boolean NOT NULL,
    PRIMARY KEY (avatar_id, user_id)
);

-- One use of an avatar in one clip, signed by the server (Ed25519 over `payload`).
CREATE TABLE grants (
    id         uuid PRIMARY KEY,
    avatar_id  uuid NOT NULL REFERENCES avatars(id),
    owner_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cast_by    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    clip_id    uuid REFERENCES clips(id) ON DELETE SET NULL,
    audience   text NOT NULL,
    payload    text NOT NULL,
    signature  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_avatar ON grants (avatar_id, created_at DESC);

-- Which avatars a clip casts (its own casts, plus its remix ancestors' through `parent_id`).
CREATE TABLE clip_avatars (
    clip_id   uuid NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    avatar_id uuid NOT NULL REFERENCES avatars(id),
    grant_id  uuid NOT NULL REFERENCES grants(id),
    PRIMARY KEY (clip_id, avatar_id)
);
CREATE INDEX clip_avatars_avatar ON clip_avatars (avatar_id);

-- A hidden clip is in no feed, page, lineage or video route (revoked avatar, likeness report).
ALTER TABLE clips
    ADD COLUMN hidden_at     timestamptz,
    ADD COLUMN hidden_reason text;

-- Append-only: each entry's hash covers the previous one; the server signs each hash.
CREATE TABLE audit_log (
    seq        bigserial PRIMARY KEY,
    kind       text NOT NULL,
    payload    text NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL,
    signature  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reports (
    id          uuid PRIMARY KEY,
    reporter_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target      text NOT NULL CHECK (target IN ('clip')),
    target_id   uuid NOT NULL,
    reason      text NOT NULL CHECK (reason IN ('likeness', 'other')),
    details     text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('hidden', 'queued', 'resolved')),
    -- The reporter's avatar whose embedding matched a cast avatar (likeness reports).
    matched_avatar uuid REFERENCES avatars(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_queue ON reports (status, created_at);

CREATE TABLE notices (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       text NOT NULL,
    text       text NOT NULL,
    clip_id    uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_user ON notices (user_id, created_at DESC);

-- The feed indexes leave hidden clips out, so feed pages stay index-only scans.
DROP INDEX clips_public_feed;
CREATE INDEX clips_public_feed ON clips (posted_at DESC, id DESC)
    WHERE status = 'posted' AND visibility = 'public' AND hidden_at IS NULL;
DROP INDEX clips_public_liked;
CREATE INDEX clips_public_liked ON clips (like_count DESC, id)
    WHERE status = 'posted' AND visibility = 'public' AND hidden_at IS NULL;
DROP INDEX clips_author_feed_v;
CREATE INDEX clips_author_feed_v ON clips (owner_id, posted_at DESC, id DESC) INCLUDE (visibility)
    WHERE status = 'posted' AND hidden_at IS NULL;

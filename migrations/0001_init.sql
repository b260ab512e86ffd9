-- Accounts, rooms and the collaborative document log.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Browser sessions; the cookie holds a random token, we keep only its SHA-256.
CREATE TABLE auth_sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

CREATE TABLE rooms (
    id         uuid PRIMARY KEY,
    title      text NOT NULL,
    owner_id   uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_members (
    room_id  uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members(user_id);

-- Append-only Yjs update log (v1 updates), folded into room_snapshots by compaction.
CREATE TABLE room_updates (
    room_id    uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq        bigserial NOT NULL,
    update     bytea NOT NULL,
    PRIMARY KEY (room_id, seq)
);

-- Whole-document snapshot (v2 encoding) covering every update with seq <= upto_seq.
CREATE TABLE room_snapshots (
    room_id    uuid PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
    upto_seq   bigint NOT NULL,
    snapshot   bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

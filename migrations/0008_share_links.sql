-- Share links kept server-side, so that the owner can list and revoke them (a link is valid only
-- while its row says so), and the members an owner removed, whom no link admits again until the
-- owner adds them back by name.

CREATE TABLE share_links (
    id         uuid PRIMARY KEY,
    room_id    uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    created_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself is shown once, to the owner who made it.
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX share_links_room ON share_links(room_id, created_at DESC);

-- Written in the same transaction as the removal; cleared when the owner re-adds the user.
CREATE TABLE room_bans (
    room_id    uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);

-- The per-account room quota counts rooms by owner.
CREATE INDEX rooms_owner ON rooms(owner_id);

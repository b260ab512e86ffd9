-- Stored updates that no longer apply (a yrs defect, or rows written before the update scan)
-- are moved here when a room loads, so they are not replayed at every load; kept for study.
CREATE TABLE room_updates_quarantine (
    room_id        uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq            bigint NOT NULL,
    update         bytea NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, seq)
);

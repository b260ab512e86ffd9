-- Finished clips: what made them (so they can be regenerated exactly) and where the video is.
CREATE TABLE clips (
    id          uuid PRIMARY KEY,
    owner_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    room_id     uuid REFERENCES rooms(id) ON DELETE SET NULL,
    status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft')),
    script      jsonb NOT NULL,
    seed        bigint NOT NULL,
    model_id    text NOT NULL,
    steps       integer NOT NULL,
    guidance    double precision NOT NULL,
    duration_s  double precision NOT NULL,
    frames      integer NOT NULL,
    width       integer NOT NULL,
    height      integer NOT NULL,
    video_key   text NOT NULL,
    video_bytes bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clips_owner ON clips(owner_id, created_at DESC);

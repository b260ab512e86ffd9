-- Remixes: a room made by remixing a clip starts generation from that clip's frames noised to
-- `remix_strength`, and its clips record the source as their parent. Clips keep their raw
-- model frames (RGB) beside the MP4 so a remix starts from exactly what the model made.
ALTER TABLE rooms
    ADD COLUMN remix_of       uuid REFERENCES clips(id) ON DELETE SET NULL,
    ADD COLUMN remix_strength double precision CHECK (remix_strength > 0 AND remix_strength <= 1);
ALTER TABLE clips ADD COLUMN frames_key text;

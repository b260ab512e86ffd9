-- Provenance: the watermark tag each finished clip carries in its pixels (32 bits derived from
-- its id), indexed so the detector finds the clip a watermark names, and the signed download
-- kept once made.
ALTER TABLE clips
    ADD COLUMN watermark_tag bigint,
    ADD COLUMN download_key  text;
CREATE INDEX clips_watermark_tag ON clips (watermark_tag) WHERE watermark_tag IS NOT NULL;

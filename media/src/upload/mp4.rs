//! MP4 uploads (Safari's MediaRecorder, plain or fragmented), called by [`super::decode_upload`]:
//! finds the H.264 video track (`mp4box.rs`, `mp4frag.rs`), checks its declared size, then
//! feeds its samples as Annex B (SPS/PPS from `avcC` first) to OpenH264 (`h264.rs`) and hands
//! the pictures to the [`Sampler`] in presentation order.

use super::h264::{avcc_to_annex_b, parse_avcc, H264Decoder};
use super::mp4box::{boxes, SampleBudget};
use super::mp4frag::{add_fragment, trex_defaults};
use super::sample::Sampler;
use super::{check_coded_size, Container, DecodeLimits, DecodedVideo, UploadError, VideoCodec};

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedVideo, UploadError> {
    let top = boxes(bytes, 0)?;
    let moov = top
        .iter()
        .find(|b| &b.kind == b"moov")
        .ok_or_else(|| UploadError::Corrupt("MP4 without a 'moov' box".into()))?;
    let budget = SampleBudget {
        max_samples: limits.max_frames(),
        max_duration_s: limits.max_duration_with_tolerance_s(),
    };
    let Some(mut track) = super::mp4box::video_track(moov, &budget)? else {
        return Err(UploadError::NoVideo);
    };
    if !matches!(&track.fourcc, b"avc1" | b"avc3") {
        return Err(UploadError::UnsupportedFormat(format!(
            "MP4 video codec '{}' (only H.264 'avc1')",
            String::from_utf8_lossy(&track.fourcc)
        )));
    }
    if track.width != 0 || track.height != 0 {
        check_coded_size(track.width.into(), track.height.into(), "MP4 sample entry")?;
    }
    let trex = trex_defaults(moov)?;
    for moof in top.iter().filter(|b| &b.kind == b"moof") {
        add_fragment(moof, &mut track, &trex, &budget)?;
    }
    let avc = match track.avcc {
        Some(avcc) => parse_avcc(avcc)?,
        None => return Err(UploadError::Corrupt("H.264 track without 'avcC'".into())),
    };
    if track.samples.is_empty() {
        return Err(UploadError::NoVideo);
    }

    // Pictures come out of the decoder in presentation order: the k-th gets the k-th smallest
    // presentation time (B-frames make decode order differ).
    let mut pts: Vec<i64> = track.samples.iter().map(|s| s.dts.saturating_add(s.cts)).collect();
    pts.sort_unstable();
    let ms = |t: i64| t as f64 * 1000.0 / track.timescale as f64;
    let mut sampler = Sampler::new(limits);
    // The sampler's clock starts at the earliest presentation time.
    sampler.check_time(ms(pts.first().copied().unwrap_or_default()), 0)?;
    let mut decoder = H264Decoder::new()?;
    let mut annex_b = Vec::new();
    let mut shown = 0usize;
    let mut sent_parameter_sets = false;
    for (i, s) in track.samples.iter().enumerate() {
        sampler.check_time(ms(s.dts.saturating_add(s.cts)), i + 1)?;
        let data = s
            .offset
            .checked_add(s.size)
            .and_then(|end| bytes.get(s.offset..end))
            .ok_or_else(|| UploadError::Corrupt(format!("MP4 sample {i} lies outside the file")))?;
        if data.is_empty() {
            continue; // an empty sample carries no picture
        }
        annex_b.clear();
        if !sent_parameter_sets {
            annex_b.extend_from_slice(&avc.parameter_sets);
            sent_parameter_sets = true;
        }
        avcc_to_annex_b(data, avc.length_size, &mut annex_b)?;
        if let Some(pic) = decoder.decode(&annex_b)? {
            let t = pts.get(shown).copied().unwrap_or_default();
            shown += 1;
            sampler.push(ms(t), pic)?;
        }
    }
    for pic in decoder.flush()? {
        let t = pts.get(shown).copied().unwrap_or_default();
        shown += 1;
        sampler.push(ms(t), pic)?;
    }
    let (width, height, duration_s, frames) = sampler.finish()?;
    Ok(DecodedVideo {
        container: Container::Mp4,
        codec: VideoCodec::H264,
        width,
        height,
        duration_s,
        frames,
    })
}

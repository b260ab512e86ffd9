//! WebM uploads (Chrome/Firefox MediaRecorder: unknown-size Segment and Clusters, SimpleBlocks,
//! no Cues, no Duration), called by [`super::decode_upload`]: walks the EBML elements with
//! `webm-iterable` (it closes unknown-size elements per RFC 8794), takes the first video track
//! (V_VP8 / V_VP9), size-checks every frame header (`vpxhdr.rs`) before libvpx sees it,
//! decodes every frame and hands the shown pictures to the [`Sampler`].

use std::io::Cursor;

use webm_iterable::matroska_spec::{Master, MatroskaSpec};
use webm_iterable::WebmIterator;

use super::sample::Sampler;
use super::{check_coded_size, vpxhdr, Container, DecodeLimits, DecodedVideo, UploadError, VideoCodec};
use crate::vpx::{VpxCodec, VpxDecoder};

/// Matroska's default TimestampScale: nanoseconds per timestamp tick (1 ms).
const DEFAULT_TIMESTAMP_SCALE_NS: u64 = 1_000_000;

/// The video track chosen from `Tracks`.
#[derive(Debug, Clone, Copy)]
struct Track {
    number: u64,
    codec: VpxCodec,
}

/// Reads a TrackEntry: `Ok(Some)` for a VP8/VP9 video track, `Ok(None)` for a non-video track,
/// an error for video in another codec or a declared size over the limits.
fn track_entry(children: &[MatroskaSpec]) -> Result<Option<Track>, UploadError> {
    let mut number = None;
    let mut kind = None;
    let mut codec_id = None;
    let mut size = (None, None);
    for c in children {
        match c {
            MatroskaSpec::TrackNumber(n) => number = Some(*n),
            MatroskaSpec::TrackType(t) => kind = Some(*t),
            MatroskaSpec::CodecID(id) => codec_id = Some(id.clone()),
            MatroskaSpec::Video(Master::Full(video)) => {
                for v in video {
                    match v {
                        MatroskaSpec::PixelWidth(w) => size.0 = Some(*w),
                        MatroskaSpec::PixelHeight(h) => size.1 = Some(*h),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if kind != Some(1) {
        return Ok(None);
    }
    let codec = match codec_id.as_deref() {
        Some("V_VP8") => VpxCodec::Vp8,
        Some("V_VP9") => VpxCodec::Vp9,
        Some(other) => {
            return Err(UploadError::UnsupportedFormat(format!(
                "WebM video codec {other} (only V_VP8 or V_VP9)"
            )))
        }
        None => return Err(UploadError::Corrupt("WebM video track without a CodecID".into())),
    };
    if let (Some(w), Some(h)) = size {
        check_coded_size(w, h, "WebM track header")?;
    }
    let number = number.ok_or_else(|| UploadError::Corrupt("WebM video track without a number".into()))?;
    Ok(Some(Track { number, codec }))
}

/// A Block/SimpleBlock header: `(track, relative timestamp, payload)`. Laced video is refused.
fn block(data: &[u8]) -> Result<(u64, i16, &[u8]), UploadError> {
    let bad = || UploadError::Corrupt("WebM block header truncated".into());
    let first = *data.first().ok_or_else(bad)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return Err(bad());
    }
    let head = data.get(..len + 3).ok_or_else(bad)?;
    let mut track = (first as u64) & (0xff >> len);
    for &b in &head[1..len] {
        track = (track << 8) | b as u64;
    }
    let rel = i16::from_be_bytes([head[len], head[len + 1]]);
    if head[len + 2] & 0x06 != 0 {
        return Err(UploadError::Corrupt("laced video block".into()));
    }
    Ok((track, rel, &data[len + 3..]))
}

fn demux_error(e: impl std::error::Error + Send + Sync + 'static) -> UploadError {
    UploadError::corrupt_from("WebM", e)
}

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedVideo, UploadError> {
    let mut tags = WebmIterator::new(Cursor::new(bytes), &[MatroskaSpec::TrackEntry(Master::Start)]);
    // No element can be larger than the upload: this bounds the iterator's buffer.
    tags.set_max_allowable_tag_size(Some(bytes.len()));
    let mut scale_ns = DEFAULT_TIMESTAMP_SCALE_NS;
    let mut track: Option<Track> = None;
    let mut saw_tracks = false;
    let mut cluster_ts: Option<u64> = None;
    let mut decoder: Option<VpxDecoder> = None;
    let mut sampler = Sampler::new(limits);
    let mut fed = 0usize;
    for tag in &mut tags {
        let tag = tag.map_err(demux_error)?;
        let data = match &tag {
            MatroskaSpec::TimestampScale(s) => {
                if *s == 0 {
                    return Err(UploadError::Corrupt("WebM TimestampScale is 0".into()));
                }
                scale_ns = *s;
                continue;
            }
            MatroskaSpec::TrackEntry(Master::Full(children)) => {
                if track.is_none() {
                    track = track_entry(children)?;
                }
                continue;
            }
            MatroskaSpec::Tracks(Master::End) => {
                saw_tracks = true;
                continue;
            }
            MatroskaSpec::Cluster(Master::Start) => {
                cluster_ts = None;
                continue;
            }
            MatroskaSpec::Timestamp(t) => {
                cluster_ts = Some(*t);
                continue;
            }
            MatroskaSpec::SimpleBlock(d) | MatroskaSpec::Block(d) => d,
            _ => continue,
        };
        let Some(tr) = track else {
            if saw_tracks {
                return Err(UploadError::NoVideo);
            }
            return Err(UploadError::Corrupt("WebM block before its Tracks".into()));
        };
        let (number, rel, payload) = block(data)?;
        if number != tr.number || payload.is_empty() {
            continue; // audio, or an empty frame
        }
        let cluster = cluster_ts.ok_or_else(|| UploadError::Corrupt("WebM cluster without a timestamp".into()))?;
        let ticks = cluster as f64 + rel as f64;
        let t_ms = ticks * scale_ns as f64 / 1e6;
        fed += 1;
        sampler.check_time(t_ms, fed)?;
        vpxhdr::check_frame(tr.codec, payload)?;
        let dec = match &mut decoder {
            Some(d) => d,
            None => decoder
                .insert(VpxDecoder::with_codec(tr.codec).map_err(|e| UploadError::corrupt_from("libvpx init", e))?),
        };
        let pictures = dec
            .decode(payload)
            .map_err(|e| UploadError::corrupt_from(format!("{:?} frame {fed}", tr.codec), e))?;
        for pic in pictures {
            sampler.push(t_ms, pic)?;
        }
    }
    let Some(tr) = track else {
        return Err(if saw_tracks {
            UploadError::NoVideo
        } else {
            UploadError::Corrupt("WebM without Tracks".into())
        });
    };
    let (width, height, duration_s, frames) = sampler.finish()?;
    Ok(DecodedVideo {
        container: Container::WebM,
        codec: match tr.codec {
            VpxCodec::Vp8 => VideoCodec::Vp8,
            VpxCodec::Vp9 => VideoCodec::Vp9,
        },
        width,
        height,
        duration_s,
        frames,
    })
}

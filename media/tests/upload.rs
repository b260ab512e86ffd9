//! Upload decoding (`media::upload`) end to end: recordings are synthesized here (a moving
//! gradient with a bright square whose path is known), muxed the way browsers do (WebM with an
//! unknown-size Segment and Clusters like Chrome's MediaRecorder; plain and fragmented MP4),
//! decoded, and checked for frame count, timestamps and the square's position and colour.
//! Hostile inputs (truncations, mutations, garbage, gigabyte sizes) must give errors, never a
//! panic or a huge allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use media::frame::rgb_to_i420;
use media::upload::{decode_upload, Container, DecodeLimits, DecodedFrame, UploadError, VideoCodec};
use media::vpx::{VpxCodec, VpxEncoder, VpxEncoderConfig};
use media::Vp8Encoder;

/// Records the largest single allocation the test process makes.
struct PeakAlloc;

static LARGEST_ALLOC: AtomicUsize = AtomicUsize::new(0);

// The one unsafe item outside `vpx.rs`, test-only: proving "no huge allocation" needs an
// allocator hook. SAFETY: forwards to the system allocator unchanged; only records sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST_ALLOC.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's layout contract is passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST_ALLOC.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: PeakAlloc = PeakAlloc;

// ---- synthetic video -------------------------------------------------------------------

/// Side of the square, as a fraction of the frame height.
const SQUARE: [u8; 3] = [250, 240, 40];

/// Top-left corner of the square at `t` seconds: it moves right 60 px/s (scaled to the frame).
fn square_at(w: usize, h: usize, t: f64) -> (usize, usize, usize) {
    let side = h / 5;
    let x = ((w as f64 * 0.1) + t * w as f64 * 0.1875) as usize % (w - side);
    (x, h / 3, side)
}

/// A moving gradient (dark enough that the square stands out) with the bright square.
fn synth(w: usize, h: usize, t: f64) -> Vec<u8> {
    let shift = (t * 40.0) as usize;
    let (sx, sy, side) = square_at(w, h, t);
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            if (sx..sx + side).contains(&x) && (sy..sy + side).contains(&y) {
                rgb.extend_from_slice(&SQUARE);
            } else {
                rgb.extend_from_slice(&[((x + shift) * 140 / w) as u8, (y * 120 / h) as u8, 90]);
            }
        }
    }
    rgb
}

/// Centre of the bright-yellow pixels and their mean colour.
fn find_square(f: &DecodedFrame) -> ((f64, f64), [f64; 3]) {
    let (mut n, mut sx, mut sy, mut col) = (0.0, 0.0, 0.0, [0.0; 3]);
    for (i, px) in f.rgb.chunks_exact(3).enumerate() {
        if px[0] > 200 && px[1] > 190 && px[2] < 120 {
            n += 1.0;
            sx += (i % f.width as usize) as f64;
            sy += (i / f.width as usize) as f64;
            for c in 0..3 {
                col[c] += px[c] as f64;
            }
        }
    }
    assert!(n > 20.0, "no square in the frame at {} ms", f.t_ms);
    ((sx / n, sy / n), col.map(|c| c / n))
}

/// Checks one decoded frame against the synthetic source at its timestamp, in source pixels.
fn assert_square(f: &DecodedFrame, src_w: usize, src_h: usize) {
    let scale = src_w as f64 / f.width as f64;
    let ((cx, cy), col) = find_square(f);
    let (x, y, side) = square_at(src_w, src_h, f.t_ms as f64 / 1000.0);
    let (ex, ey) = (x as f64 + side as f64 / 2.0 - 0.5, y as f64 + side as f64 / 2.0 - 0.5);
    let tol = 3.0 + side as f64 * 0.1;
    assert!(
        (cx * scale - ex).abs() < tol && (cy * scale - ey).abs() < tol,
        "square at ({:.1}, {:.1}) source px, expected ({ex:.1}, {ey:.1}) at {} ms",
        cx * scale,
        cy * scale,
        f.t_ms
    );
    for c in 0..3 {
        assert!(
            (col[c] - SQUARE[c] as f64).abs() < 25.0,
            "square colour {col:?} at {} ms",
            f.t_ms
        );
    }
}

// ---- WebM writing (what Chrome's MediaRecorder writes) ----------------------------------

const UNKNOWN_SIZE: [u8; 8] = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

fn el(id: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.push(0x01); // 8-byte size, as libwebm writes
    v.extend_from_slice(&(payload.len() as u64).to_be_bytes()[1..]);
    v.extend_from_slice(payload);
    v
}

fn uint(id: &[u8], n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    el(id, &bytes[first..])
}

/// A video track entry (`number`, codec id, size) or an Opus audio one (`codec` "A_OPUS").
fn track(number: u64, codec: &str, size: Option<(u64, u64)>) -> Vec<u8> {
    let mut t = [uint(&[0xD7], number), uint(&[0x73, 0xC5], number)].concat();
    t.extend(uint(&[0x83], if codec.starts_with("A_") { 2 } else { 1 }));
    t.extend(el(&[0x86], codec.as_bytes()));
    if let Some((w, h)) = size {
        t.extend(el(&[0xE0], &[uint(&[0xB0], w), uint(&[0xBA], h)].concat()));
    }
    el(&[0xAE], &t)
}

/// `(timestamp ms, track, keyframe, data)` blocks into a Chrome-style WebM: unknown-size
/// Segment, a new unknown-size Cluster every `cluster_ms`, SimpleBlocks, no Cues.
fn webm(tracks: &[Vec<u8>], blocks: &[(u64, u64, bool, Vec<u8>)], cluster_ms: u64) -> Vec<u8> {
    let header = [
        uint(&[0x42, 0x86], 1),
        uint(&[0x42, 0xF7], 1),
        uint(&[0x42, 0xF2], 4),
        uint(&[0x42, 0xF3], 8),
        el(&[0x42, 0x82], b"webm"),
        uint(&[0x42, 0x87], 4),
        uint(&[0x42, 0x85], 2),
    ]
    .concat();
    let mut out = el(&[0x1A, 0x45, 0xDF, 0xA3], &header);
    out.extend_from_slice(&[0x18, 0x53, 0x80, 0x67]);
    out.extend_from_slice(&UNKNOWN_SIZE);
    let info = [
        uint(&[0x2A, 0xD7, 0xB1], 1_000_000),
        el(&[0x4D, 0x80], b"test"),
        el(&[0x57, 0x41], b"test"),
    ]
    .concat();
    out.extend(el(&[0x15, 0x49, 0xA9, 0x66], &info));
    out.extend(el(&[0x16, 0x54, 0xAE, 0x6B], &tracks.concat()));
    let mut cluster: Option<u64> = None;
    for (t, track, key, data) in blocks {
        if cluster.is_none_or(|c| t - c >= cluster_ms) {
            let start = t - t % cluster_ms;
            out.extend_from_slice(&[0x1F, 0x43, 0xB6, 0x75]);
            out.extend_from_slice(&UNKNOWN_SIZE);
            out.extend(uint(&[0xE7], start));
            cluster = Some(start);
        }
        let rel = (t - cluster.unwrap_or(0)) as i16;
        let mut b = vec![0x80 | *track as u8];
        b.extend_from_slice(&rel.to_be_bytes());
        b.push(if *key { 0x80 } else { 0 });
        b.extend_from_slice(data);
        out.extend(el(&[0xA3], &b));
    }
    out
}

const W: usize = 320;
const H: usize = 240;

/// `seconds` of the synthetic video at `fps`, encoded with `codec`, as Chrome-style WebM
/// (Opus track 1 with fake packets, video track 2, a cluster per second).
fn vpx_webm(codec: VpxCodec, w: usize, h: usize, fps: u32, seconds: f64) -> Vec<u8> {
    let frames = (seconds * fps as f64).round() as usize;
    let mut blocks = Vec::new();
    let mut vp8 = Vp8Encoder::new(w as u32, h as u32, fps).expect("vp8 encoder");
    let config = VpxEncoderConfig {
        width: w as u32,
        height: h as u32,
        fps,
        bitrate_kbps: 800,
        keyframe_max_dist: fps * 2,
        cpu_used: 8,
    };
    let mut vp9 = VpxEncoder::with_codec(VpxCodec::Vp9, config).expect("vp9 encoder");
    let mut yuv = Vec::new();
    for i in 0..frames {
        let t_ms = (i as u64 * 1000) / fps as u64;
        let rgb = synth(w, h, t_ms as f64 / 1000.0);
        let (data, key) = match codec {
            VpxCodec::Vp8 => {
                let f = vp8.encode(&rgb, false).expect("encode");
                (f.data, f.keyframe)
            }
            VpxCodec::Vp9 => {
                rgb_to_i420(&rgb, w, h, &mut yuv);
                vp9.encode(&yuv, i as i64, false).expect("encode")
            }
        };
        if i % 3 == 0 {
            blocks.push((t_ms, 1, true, vec![0xFC, 0xFF, 0xFE])); // an Opus-sized stand-in
        }
        blocks.push((t_ms, 2, key, data));
    }
    let name = if codec == VpxCodec::Vp8 { "V_VP8" } else { "V_VP9" };
    webm(
        &[track(1, "A_OPUS", None), track(2, name, Some((w as u64, h as u64)))],
        &blocks,
        1000,
    )
}

// ---- MP4 (plain from media::encode_mp4, fragmented from OpenH264 + muxide) --------------

/// Splits Annex B into NAL units.
fn nal_units(annex_b: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= annex_b.len() {
        if annex_b[i..i + 3] == [0, 0, 1] {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(annex_b.len(), |&n| n - 3);
        while end > s && annex_b[end - 1] == 0 && k + 1 < starts.len() {
            end -= 1; // the leading zero of a 4-byte start code
        }
        out.push(&annex_b[s..end]);
    }
    out
}

/// `seconds` of the synthetic video as a fragmented MP4 (a `moof` per second) with a stand-in
/// AAC track like Safari's, the layout of live muxers (default-base-is-moof, `tfdt`, `trun`).
fn fragmented_mp4(w: usize, h: usize, fps: u32, seconds: f64) -> Vec<u8> {
    use muxide::api::{AacProfile, AudioCodec};
    use muxide::fragmented::{FragmentAudioConfig, FragmentConfig, FragmentedMuxer};
    use openh264::encoder::{Encoder, EncoderConfig, FrameRate, FrameType};
    use openh264::formats::{RgbSliceU8, YUVBuffer};
    use openh264::OpenH264API;
    let config = EncoderConfig::new().max_frame_rate(FrameRate::from_hz(fps as f32));
    let mut enc = Encoder::with_api_config(OpenH264API::from_source(), config).expect("encoder");
    let timescale = 90_000u64;
    let mut muxer: Option<FragmentedMuxer> = None;
    let mut audio_samples = 0u64;
    let mut out = Vec::new();
    let frames = (seconds * fps as f64).round() as usize;
    for i in 0..frames {
        let rgb = synth(w, h, i as f64 / fps as f64);
        let yuv = YUVBuffer::from_rgb_source(RgbSliceU8::new(&rgb, (w, h)));
        let bs = enc.encode(&yuv).expect("encode");
        let key = matches!(bs.frame_type(), FrameType::IDR | FrameType::I);
        let annex_b = bs.to_vec();
        let nals = nal_units(&annex_b);
        let m = muxer.get_or_insert_with(|| {
            let find = |t: u8| nals.iter().find(|n| n[0] & 0x1f == t).expect("SPS/PPS").to_vec();
            let mut c = FragmentConfig::new(w as u32, h as u32, timescale as u32);
            c.sps = find(7);
            c.pps = find(8);
            let audio = FragmentAudioConfig {
                codec: AudioCodec::Aac(AacProfile::Lc),
                sample_rate: 48_000,
                channels: 1,
            };
            let mut m = FragmentedMuxer::new_with_audio(c, audio).expect("muxer");
            out.extend(m.init_segment());
            m
        });
        let avcc: Vec<u8> = nals
            .iter()
            .flat_map(|n| (n.len() as u32).to_be_bytes().into_iter().chain(n.iter().copied()))
            .collect();
        let t = i as u64 * timescale / fps as u64;
        m.write_video(t, t, &avcc, key).expect("write");
        while audio_samples * fps as u64 <= i as u64 * 48_000 {
            m.write_audio(audio_samples, audio_samples, &[0x21; 24]).expect("audio");
            audio_samples += 1024;
        }
        if (i + 1) % fps as usize == 0 {
            out.extend(m.flush_segment().unwrap_or_default());
        }
    }
    if let Some(m) = muxer.as_mut() {
        out.extend(m.flush_segment().unwrap_or_default());
    }
    out
}

/// `seconds` of the synthetic video at 64 px through `media::encode_mp4` (256×256, fast start).
fn plain_mp4(fps: u32, seconds: f64) -> Vec<u8> {
    let frames = (seconds * fps as f64).round() as usize;
    let rgb: Vec<u8> = (0..frames).flat_map(|i| synth(64, 64, i as f64 / fps as f64)).collect();
    media::encode_mp4(&rgb, 64, fps).expect("encode_mp4").mp4
}

// ---- decoding what we wrote --------------------------------------------------------------

/// Frames at ~5 fps from 0 ms, each showing the square where the source had it.
fn assert_sampled(frames: &[DecodedFrame], seconds: f64, src_w: usize, src_h: usize) {
    let expected = (seconds * 5.0).round() as usize;
    assert_eq!(
        frames.len(),
        expected,
        "{:?}",
        frames.iter().map(|f| f.t_ms).collect::<Vec<_>>()
    );
    for (k, f) in frames.iter().enumerate() {
        assert!(
            (f.t_ms as i64 - k as i64 * 200).abs() <= 20,
            "frame {k} at {} ms",
            f.t_ms
        );
        assert_eq!(f.rgb.len(), (f.width * f.height * 3) as usize);
        assert!(f.width.max(f.height) <= 480);
        assert_square(f, src_w, src_h);
    }
}

#[test]
fn vp8_webm_with_unknown_sizes_decodes() {
    let bytes = vpx_webm(VpxCodec::Vp8, W, H, 15, 3.0);
    let v = decode_upload(&bytes, &DecodeLimits::default()).expect("decode");
    assert_eq!(
        (v.container, v.codec, v.width, v.height),
        (Container::WebM, VideoCodec::Vp8, W as u32, H as u32)
    );
    assert!((v.duration_s - 3.0).abs() < 0.01, "{}", v.duration_s);
    assert_sampled(&v.frames, 3.0, W, H);
}

#[test]
fn vp9_webm_decodes() {
    let bytes = vpx_webm(VpxCodec::Vp9, W, H, 15, 2.0);
    let v = decode_upload(&bytes, &DecodeLimits::default()).expect("decode");
    assert_eq!((v.codec, v.width, v.height), (VideoCodec::Vp9, W as u32, H as u32));
    assert_sampled(&v.frames, 2.0, W, H);
}

#[test]
fn large_frames_are_downscaled_and_sampling_follows_the_limits() {
    let bytes = vpx_webm(VpxCodec::Vp8, 640, 480, 10, 1.0);
    let limits = DecodeLimits {
        sample_fps: 2.0,
        max_side: 160,
        ..DecodeLimits::default()
    };
    let v = decode_upload(&bytes, &limits).expect("decode");
    assert_eq!((v.width, v.height), (640, 480));
    let times: Vec<u32> = v.frames.iter().map(|f| f.t_ms).collect();
    assert_eq!(times, vec![0, 500]);
    for f in &v.frames {
        assert_eq!((f.width, f.height), (160, 120));
        assert_square(f, 640, 480);
    }
}

#[test]
fn plain_mp4_from_encode_mp4_decodes() {
    let bytes = plain_mp4(10, 2.0);
    let v = decode_upload(&bytes, &DecodeLimits::default()).expect("decode");
    assert_eq!(
        (v.container, v.codec, v.width, v.height),
        (Container::Mp4, VideoCodec::H264, 256, 256)
    );
    assert!((v.duration_s - 2.0).abs() < 0.01, "{}", v.duration_s);
    assert_sampled(&v.frames, 2.0, 64, 64); // 64 px source, upscaled 4×
}

#[test]
fn fragmented_mp4_decodes() {
    let bytes = fragmented_mp4(W, H, 15, 2.0);
    let count = |tag: &[u8]| bytes.windows(4).filter(|w| *w == tag).count();
    assert!(
        count(b"moof") >= 2 && count(b"traf") == 2 * count(b"moof"),
        "video + audio fragments"
    );
    let v = decode_upload(&bytes, &DecodeLimits::default()).expect("decode");
    assert_eq!(
        (v.container, v.codec, v.width, v.height),
        (Container::Mp4, VideoCodec::H264, W as u32, H as u32)
    );
    assert_sampled(&v.frames, 2.0, W, H);
}

// ---- failures ------------------------------------------------------------------------------

fn decode(bytes: &[u8]) -> Result<media::upload::DecodedVideo, UploadError> {
    decode_upload(bytes, &DecodeLimits::default())
}

/// One VP8 keyframe of a small video, for hand-built files.
fn vp8_frames(w: usize, h: usize, n: usize) -> Vec<(Vec<u8>, bool)> {
    let mut enc = Vp8Encoder::new(w as u32, h as u32, 30).expect("encoder");
    (0..n)
        .map(|i| {
            let f = enc.encode(&synth(w, h, i as f64 / 30.0), false).expect("encode");
            (f.data, f.keyframe)
        })
        .collect()
}

#[test]
fn not_a_video_is_unsupported() {
    for bytes in [&b""[..], b"hello", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &[0u8; 64]] {
        assert!(
            matches!(decode(bytes), Err(UploadError::UnsupportedFormat(_))),
            "{bytes:?}"
        );
    }
}

#[test]
fn other_codecs_are_unsupported_and_named() {
    let av1 = webm(&[track(1, "V_AV1", Some((64, 64)))], &[(0, 1, true, vec![0; 10])], 1000);
    match decode(&av1) {
        Err(UploadError::UnsupportedFormat(m)) => assert!(m.contains("V_AV1"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut mp4 = plain_mp4(8, 0.5);
    let stsd = mp4.windows(4).position(|w| w == b"stsd").expect("stsd");
    let avc1 = stsd + mp4[stsd..].windows(4).position(|w| w == b"avc1").expect("avc1");
    mp4[avc1..avc1 + 4].copy_from_slice(b"hvc1");
    match decode(&mp4) {
        Err(UploadError::UnsupportedFormat(m)) => assert!(m.contains("hvc1"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_video_track_is_no_video() {
    let audio_only = webm(&[track(1, "A_OPUS", None)], &[(0, 1, true, vec![0xFC; 3])], 1000);
    assert!(matches!(decode(&audio_only), Err(UploadError::NoVideo)));
    let no_frames = webm(&[track(1, "V_VP8", Some((64, 64)))], &[], 1000);
    assert!(matches!(decode(&no_frames), Err(UploadError::NoVideo)));
    let mut mp4 = plain_mp4(8, 0.5);
    let hdlr = mp4.windows(4).position(|w| w == b"hdlr").expect("hdlr");
    let vide = hdlr + mp4[hdlr..].windows(4).position(|w| w == b"vide").expect("vide");
    mp4[vide..vide + 4].copy_from_slice(b"soun");
    assert!(matches!(decode(&mp4), Err(UploadError::NoVideo)));
}

#[test]
fn size_limits_are_checked_before_decoding() {
    let small = vpx_webm(VpxCodec::Vp8, 64, 48, 10, 0.5);
    let tight = DecodeLimits {
        max_bytes: small.len() - 1,
        ..DecodeLimits::default()
    };
    assert!(matches!(decode_upload(&small, &tight), Err(UploadError::TooLarge(_))));
    // Declared by the track header.
    let frames = vp8_frames(64, 48, 1);
    let big_track = webm(
        &[track(1, "V_VP8", Some((4000, 3000)))],
        &[(0, 1, true, frames[0].0.clone())],
        1000,
    );
    assert!(matches!(decode(&big_track), Err(UploadError::TooLarge(m)) if m.contains("track header")));
    // Declared only by the keyframe header (16000×16000): refused before libvpx allocates.
    let mut key = frames[0].0.clone();
    key[6..10].copy_from_slice(&[0x80, 0x3e, 0x80, 0x3e]);
    let big_frame = webm(&[track(1, "V_VP8", None)], &[(0, 1, true, key)], 1000);
    assert!(matches!(decode(&big_frame), Err(UploadError::TooLarge(m)) if m.contains("VP8 keyframe")));
}

#[test]
fn long_recordings_stop_at_the_first_late_timestamp() {
    let frames = vp8_frames(64, 48, 4);
    let blocks: Vec<_> = frames
        .iter()
        .enumerate()
        .map(|(i, (d, k))| (i as u64 * 8000, 1, *k, d.clone()))
        .collect();
    let long = webm(&[track(1, "V_VP8", Some((64, 48)))], &blocks, 1000);
    match decode(&long) {
        Err(UploadError::TooLong { seconds }) => assert!((seconds - 16.0).abs() < 0.01, "{seconds}"),
        other => panic!("{other:?}"),
    }
    let fifteen = DecodeLimits {
        max_duration_s: 20.0,
        ..DecodeLimits::default()
    };
    assert!(matches!(
        decode_upload(&long, &fifteen),
        Err(UploadError::TooLong { .. })
    ));
}

#[test]
fn too_many_frames_is_too_large() {
    let frames = vp8_frames(32, 32, 2);
    // 1000 frames in 10 s is 100 fps: over MAX_FRAME_RATE_FPS.
    let blocks: Vec<_> = (0..1000u64)
        .map(|i| {
            let (d, k) = &frames[(i > 0) as usize];
            (i * 10, 1, *k && i == 0, d.clone())
        })
        .collect();
    let fast = webm(&[track(1, "V_VP8", Some((32, 32)))], &blocks, 1000);
    assert!(matches!(decode(&fast), Err(UploadError::TooLarge(_))));
}

#[test]
fn gigabyte_element_sizes_are_errors_without_allocating_them() {
    let frames = vp8_frames(64, 48, 1);
    let good = webm(
        &[track(1, "V_VP8", Some((64, 48)))],
        &[(0, 1, true, frames[0].0.clone())],
        1000,
    );
    // The SimpleBlock is the last element: id A3, 8-byte size, 4 header bytes, the frame.
    let block = good.len() - frames[0].0.len() - 4 - 9;
    assert_eq!(good[block..block + 2], [0xA3, 0x01]);
    for claimed in [3u64 << 30, (1 << 56) - 2, 40 << 20] {
        let mut bad = good.clone();
        bad[block + 2..block + 9].copy_from_slice(&claimed.to_be_bytes()[1..]);
        match decode(&bad) {
            Err(UploadError::CorruptSource { context, .. }) => assert_eq!(context, "WebM"),
            other => panic!("{claimed}: {other:?}"),
        }
    }
    // The Tracks element claiming gigabytes.
    let tracks = good
        .windows(4)
        .position(|w| w == [0x16, 0x54, 0xAE, 0x6B])
        .expect("Tracks");
    let mut bad = good;
    bad[tracks + 5..tracks + 12].copy_from_slice(&(3u64 << 30).to_be_bytes()[1..]);
    assert!(matches!(decode(&bad), Err(UploadError::CorruptSource { .. })));
    let largest = LARGEST_ALLOC.load(Ordering::Relaxed);
    assert!(largest < 64 << 20, "an allocation of {largest} bytes");
}

/// xorshift64*: deterministic noise for the fuzz tests.
fn noise(seed: &mut u64) -> u64 {
    *seed ^= *seed >> 12;
    *seed ^= *seed << 25;
    *seed ^= *seed >> 27;
    seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn hostile_bytes_never_panic() {
    let fixtures = [
        ("vp8", vpx_webm(VpxCodec::Vp8, 96, 64, 10, 1.0), true),
        ("vp9", vpx_webm(VpxCodec::Vp9, 96, 64, 10, 1.0), true),
        ("mp4", plain_mp4(10, 1.0), false),
        ("fmp4", fragmented_mp4(96, 64, 10, 1.0), true),
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for (name, bytes, streamable) in &fixtures {
        let full = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}")).frames.len();
        // Truncations: every byte of the headers, then ~200 cut points through the media.
        let cuts = (0..bytes.len().min(400)).chain((400..bytes.len()).step_by((bytes.len() / 200).max(1)));
        for cut in cuts {
            match decode(&bytes[..cut]) {
                Err(_) => {}
                // A live WebM / fMP4 cut between blocks is a shorter, valid recording.
                Ok(v) => assert!(*streamable && v.frames.len() <= full, "{name} cut at {cut}: Ok"),
            }
        }
        // Mutations: a few random bytes overwritten, 400 times.
        for _ in 0..400 {
            let mut m = bytes.clone();
            for _ in 0..1 + noise(&mut seed) % 4 {
                let at = (noise(&mut seed) % m.len() as u64) as usize;
                m[at] = noise(&mut seed) as u8;
            }
            let _ = decode(&m);
        }
    }
    for len in [1, 7, 8, 64, 1000, 100_000] {
        let garbage: Vec<u8> = (0..len).map(|_| noise(&mut seed) as u8).collect();
        assert!(decode(&garbage).is_err());
        // Garbage behind each magic.
        for magic in [&[0x1A, 0x45, 0xDF, 0xA3][..], b"\0\0\0\x18ftypisom"] {
            let bytes = [magic, &garbage].concat();
            assert!(decode(&bytes).is_err(), "{len} bytes after {magic:?}");
        }
    }
    let largest = LARGEST_ALLOC.load(Ordering::Relaxed);
    assert!(largest < 64 << 20, "an allocation of {largest} bytes");
}

// ---- measurement ---------------------------------------------------------------------------

/// The cost of a typical upload: 10 s of 640×480 VP8 at 30 fps (run with `--nocapture`).
#[test]
fn ten_seconds_of_640x480_vp8_decode_time() {
    let bytes = vpx_webm(VpxCodec::Vp8, 640, 480, 30, 10.0);
    let start = Instant::now();
    let v = decode(&bytes).expect("decode");
    let elapsed = start.elapsed();
    println!(
        "decode + sample of 10 s 640×480 VP8 @ 30 fps ({} KiB, 300 frames → {} kept): {:.0} ms",
        bytes.len() / 1024,
        v.frames.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    assert_eq!(v.frames.len(), 50);
    assert!((v.duration_s - 10.0).abs() < 0.01);
}

/// A genuine Chromium MediaRecorder recording (unknown-size Segment and Clusters, no Cues),
/// made by the browser test from its fake camera.
#[test]
fn a_real_chrome_recording_decodes() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/chrome-vp8.webm"))
        .expect("the committed Chrome recording");
    let video = media::upload::decode_upload(&bytes, &media::upload::DecodeLimits::default()).expect("decodes");
    assert!(matches!(video.container, media::upload::Container::WebM));
    assert!(matches!(video.codec, media::upload::VideoCodec::Vp8));
    // Chromium's fake camera sends the y4m at its own size (480×480).
    assert_eq!((video.width, video.height), (480, 480));
    assert!((8.0..15.0).contains(&video.duration_s), "{}", video.duration_s);
    let expected = (video.duration_s * 5.0) as usize;
    assert!(
        video.frames.len() + 2 >= expected,
        "{} frames for {} s",
        video.frames.len(),
        video.duration_s
    );
    let first = &video.frames[0];
    assert_eq!((first.width, first.height), (480, 480));
    assert!(video.frames.windows(2).all(|w| w[0].t_ms < w[1].t_ms));
}

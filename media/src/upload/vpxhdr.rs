//! Frame-size peeking for VP8 and VP9 bitstreams, called by `webm.rs` on every block before it
//! reaches libvpx: libvpx allocates whatever size a frame header asks for (up to 16383² for
//! VP8, 65536² for VP9), so a hostile header must be refused first. VP8 carries a size only in
//! keyframes; VP9 in keyframes, intra-only frames and inter frames that do not reuse a
//! reference's size; superframes (several VP9 frames in one block) are split by their index.

use super::{check_coded_size, UploadError};
use crate::vpx::VpxCodec;

/// Checks the size every frame header in `data` declares (if any) and the VP9 profile.
pub(super) fn check_frame(codec: VpxCodec, data: &[u8]) -> Result<(), UploadError> {
    match codec {
        VpxCodec::Vp8 => {
            if let Some((w, h)) = vp8_keyframe_size(data)? {
                check_coded_size(w as u64, h as u64, "VP8 keyframe")?;
            }
        }
        VpxCodec::Vp9 => {
            for frame in vp9_superframe(data) {
                if let Some((w, h)) = vp9_frame_size(frame)? {
                    check_coded_size(w as u64, h as u64, "VP9 frame header")?;
                }
            }
        }
    }
    Ok(())
}

fn short(what: &str) -> UploadError {
    UploadError::Corrupt(format!("{what}: frame header truncated"))
}

/// A VP8 keyframe's size (RFC 6386 §9.1), or `None` for an inter frame.
fn vp8_keyframe_size(data: &[u8]) -> Result<Option<(u32, u32)>, UploadError> {
    let tag = *data.first().ok_or_else(|| short("VP8"))?;
    if tag & 1 == 1 {
        return Ok(None); // inter frame: the size cannot change
    }
    let h = data.get(3..10).ok_or_else(|| short("VP8"))?;
    if h[0..3] != [0x9d, 0x01, 0x2a] {
        return Err(UploadError::Corrupt("VP8 keyframe without its start code".into()));
    }
    let w = u16::from_le_bytes([h[3], h[4]]) & 0x3fff;
    let ht = u16::from_le_bytes([h[5], h[6]]) & 0x3fff;
    Ok(Some((w as u32, ht as u32)))
}

/// The frames of a VP9 block: the superframe index's parts, or the whole block.
fn vp9_superframe(data: &[u8]) -> Vec<&[u8]> {
    let whole = vec![data];
    let Some(&marker) = data.last() else { return whole };
    if marker & 0xe0 != 0xc0 {
        return whole;
    }
    let frames = (marker & 7) as usize + 1;
    let mag = ((marker >> 3) & 3) as usize + 1;
    let index_len = 2 + mag * frames;
    if data.len() < index_len || data[data.len() - index_len] != marker {
        return whole;
    }
    let index = &data[data.len() - index_len + 1..data.len() - 1];
    let mut parts = Vec::with_capacity(frames);
    let mut at = 0usize;
    for size in index.chunks_exact(mag) {
        let size = size.iter().rev().fold(0usize, |a, &b| (a << 8) | b as usize);
        let end = at.saturating_add(size).min(data.len() - index_len);
        parts.push(&data[at..end]);
        at = end;
    }
    parts
}

/// MSB-first bit reader over a VP9 uncompressed header.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Result<u32, UploadError> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.data.get(self.pos / 8).ok_or_else(|| short("VP9"))?;
            v = (v << 1) | ((byte >> (7 - self.pos % 8)) & 1) as u32;
            self.pos += 1;
        }
        Ok(v)
    }
}

/// The size a VP9 frame header declares (VP9 bitstream spec §6.2), or `None` when it shows an
/// existing frame or reuses a reference's size. Only profile 0 (8-bit 4:2:0) is accepted.
fn vp9_frame_size(data: &[u8]) -> Result<Option<(u32, u32)>, UploadError> {
    let mut b = Bits { data, pos: 0 };
    if b.read(2)? != 2 {
        return Err(UploadError::Corrupt("VP9 frame without its frame marker".into()));
    }
    let profile = b.read(1)? | (b.read(1)? << 1);
    if profile != 0 {
        return Err(UploadError::UnsupportedFormat(format!(
            "VP9 profile {profile} (only profile 0, 8-bit 4:2:0)"
        )));
    }
    if b.read(1)? == 1 {
        return Ok(None); // show_existing_frame
    }
    let keyframe = b.read(1)? == 0;
    let show_frame = b.read(1)? == 1;
    let error_resilient = b.read(1)? == 1;
    let sync = |b: &mut Bits<'_>| -> Result<(), UploadError> {
        if b.read(24)? != 0x49_83_42 {
            return Err(UploadError::Corrupt("VP9 frame without its sync code".into()));
        }
        Ok(())
    };
    let frame_size =
        |b: &mut Bits<'_>| -> Result<Option<(u32, u32)>, UploadError> { Ok(Some((b.read(16)? + 1, b.read(16)? + 1))) };
    if keyframe {
        sync(&mut b)?;
        // color_config for profile 0: color_space (3), then color_range (1) unless sRGB.
        if b.read(3)? != 7 {
            b.read(1)?;
        }
        return frame_size(&mut b);
    }
    let intra_only = if show_frame { false } else { b.read(1)? == 1 };
    if !error_resilient {
        b.read(2)?; // reset_frame_context
    }
    if intra_only {
        sync(&mut b)?; // profile 0: no color_config
        b.read(8)?; // refresh_frame_flags
        return frame_size(&mut b);
    }
    b.read(8)?; // refresh_frame_flags
    b.read(3 * 4)?; // ref_frame_idx + sign_bias, three times
    for _ in 0..3 {
        if b.read(1)? == 1 {
            return Ok(None); // found_ref: the size of an already checked frame
        }
    }
    frame_size(&mut b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vp8_sizes_are_read_from_keyframes() {
        let key = [0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
        assert_eq!(vp8_keyframe_size(&key).expect("parse"), Some((640, 480)));
        assert_eq!(vp8_keyframe_size(&[0x51, 0, 0]).expect("parse"), None);
        let huge = [0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0x3f, 0xff, 0x3f];
        assert!(matches!(
            check_frame(VpxCodec::Vp8, &huge),
            Err(UploadError::TooLarge(_))
        ));
        assert!(matches!(
            check_frame(VpxCodec::Vp8, &key[..5]),
            Err(UploadError::Corrupt(_))
        ));
    }

    #[test]
    fn vp9_headers_and_superframes() {
        // Keyframe, profile 0, 64×48: marker 10, profile 00, show_existing 0, frame_type 0,
        // show 1, error_res 0, sync code, color_space 001, range 0, then sizes.
        let mut bits = String::from("10000010");
        bits += "010010011000001101000010"; // sync
        bits += "0010"; // color space + range
        bits += &format!("{:016b}{:016b}", 63, 47);
        let mut key: Vec<u8> = bits
            .as_bytes()
            .chunks(8)
            .map(|c| {
                let s = std::str::from_utf8(c).unwrap_or("0");
                u8::from_str_radix(&format!("{s:0<8}"), 2).unwrap_or(0)
            })
            .collect();
        assert_eq!(vp9_frame_size(&key).expect("parse"), Some((64, 48)));
        // As a two-frame superframe (second frame: show_existing_frame).
        let len = key.len() as u8;
        key.extend_from_slice(&[0x88]);
        key.extend_from_slice(&[0xc1, len, 1, 0xc1]);
        let parts = vp9_superframe(&key);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], &[0x88]);
        assert!(check_frame(VpxCodec::Vp9, &key).is_ok());
        assert!(matches!(
            check_frame(VpxCodec::Vp9, &[0xa0]),
            Err(UploadError::UnsupportedFormat(_))
        ));
    }
}

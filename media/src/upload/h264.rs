//! H.264 for upload decoding, called by `mp4.rs`: the `avcC` record (SPS/PPS, NAL length
//! size), AVCC length-prefixed samples → Annex B, an SPS size check before any SPS reaches
//! OpenH264 (it allocates what the SPS asks for), and the OpenH264 decoder (safe API) whose
//! pictures are copied out as owned I420.

use openh264::decoder::Decoder;
use openh264::formats::YUVSource;

use super::{check_coded_size, UploadError};
use crate::vpx::I420Picture;

const START_CODE: [u8; 4] = [0, 0, 0, 1];
const NAL_SPS: u8 = 7;

/// The parts of an `AVCDecoderConfigurationRecord` the decoder needs.
#[derive(Debug)]
pub(super) struct AvcConfig {
    /// Bytes per NAL length prefix in samples: 1, 2 or 4.
    pub(super) length_size: usize,
    /// SPS and PPS NAL units in Annex B form, fed before the first sample.
    pub(super) parameter_sets: Vec<u8>,
}

fn corrupt(what: &str) -> UploadError {
    UploadError::Corrupt(format!("H.264: {what}"))
}

/// Parses `avcC` (ISO/IEC 14496-15 §5.3.3.1) and size-checks its SPSs.
pub(super) fn parse_avcc(avcc: &[u8]) -> Result<AvcConfig, UploadError> {
    let head = avcc.get(..6).ok_or_else(|| corrupt("avcC too short"))?;
    if head[0] != 1 {
        return Err(corrupt("avcC version is not 1"));
    }
    let length_size = (head[4] & 3) as usize + 1;
    if length_size == 3 {
        return Err(corrupt("3-byte NAL lengths"));
    }
    let mut parameter_sets = Vec::new();
    let mut at = 5;
    for (count_mask, is_sps) in [(0x1f, true), (0xff, false)] {
        let count = *avcc.get(at).ok_or_else(|| corrupt("avcC truncated"))? & count_mask;
        at += 1;
        for _ in 0..count {
            let len = avcc.get(at..at + 2).ok_or_else(|| corrupt("avcC truncated"))?;
            let len = u16::from_be_bytes([len[0], len[1]]) as usize;
            let nal = avcc
                .get(at + 2..at + 2 + len)
                .ok_or_else(|| corrupt("avcC truncated"))?;
            if is_sps {
                check_sps(nal)?;
            }
            parameter_sets.extend_from_slice(&START_CODE);
            parameter_sets.extend_from_slice(nal);
            at += 2 + len;
        }
    }
    Ok(AvcConfig {
        length_size,
        parameter_sets,
    })
}

/// Rewrites one AVCC sample (length-prefixed NAL units) as Annex B into `out`, size-checking any
/// in-band SPS.
pub(super) fn avcc_to_annex_b(sample: &[u8], length_size: usize, out: &mut Vec<u8>) -> Result<(), UploadError> {
    let mut at = 0;
    while at < sample.len() {
        let prefix = sample
            .get(at..at + length_size)
            .ok_or_else(|| corrupt("NAL length truncated"))?;
        let len = prefix.iter().fold(0usize, |a, &b| (a << 8) | b as usize);
        let nal = sample
            .get(at + length_size..at + length_size + len)
            .ok_or_else(|| corrupt("NAL unit runs past its sample"))?;
        if nal.first().is_some_and(|b| b & 0x1f == NAL_SPS) {
            check_sps(nal)?;
        }
        out.extend_from_slice(&START_CODE);
        out.extend_from_slice(nal);
        at += length_size + len;
    }
    Ok(())
}

/// Exp-Golomb reader over an RBSP (emulation prevention bytes removed).
struct Rbsp {
    data: Vec<u8>,
    pos: usize,
}

impl Rbsp {
    fn bit(&mut self) -> Result<u32, UploadError> {
        let byte = *self.data.get(self.pos / 8).ok_or_else(|| corrupt("SPS truncated"))?;
        self.pos += 1;
        Ok(((byte >> (7 - (self.pos - 1) % 8)) & 1) as u32)
    }
    fn bits(&mut self, n: u32) -> Result<u32, UploadError> {
        (0..n).try_fold(0, |a, _| Ok((a << 1) | self.bit()?))
    }
    fn ue(&mut self) -> Result<u32, UploadError> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return Err(corrupt("SPS exp-Golomb code too long"));
            }
        }
        Ok(((1u64 << zeros) - 1 + self.bits(zeros)? as u64).min(u32::MAX as u64) as u32)
    }
    fn se(&mut self) -> Result<i64, UploadError> {
        let k = self.ue()? as i64;
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}

/// Reads the coded size from an SPS NAL unit (ITU-T H.264 §7.3.2.1.1) and checks it; only
/// 8-bit 4:2:0 (what OpenH264 decodes) is accepted.
pub(super) fn check_sps(nal: &[u8]) -> Result<(u32, u32), UploadError> {
    let mut data = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal.iter().skip(1) {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        data.push(b);
    }
    let mut r = Rbsp { data, pos: 0 };
    let profile = r.bits(8)?;
    r.bits(16)?; // constraint flags, level
    r.ue()?; // seq_parameter_set_id
    if matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        let chroma_format = r.ue()?;
        if chroma_format == 3 {
            r.bit()?;
        }
        let (luma_depth, chroma_depth) = (r.ue()? + 8, r.ue()? + 8);
        if chroma_format != 1 || luma_depth != 8 || chroma_depth != 8 {
            return Err(UploadError::UnsupportedFormat(format!(
                "H.264 chroma format {chroma_format}, {luma_depth}-bit (only 8-bit 4:2:0)"
            )));
        }
        r.bit()?; // qpprime_y_zero_transform_bypass_flag
        if r.bit()? == 1 {
            for i in 0..8 {
                if r.bit()? == 1 {
                    let size = if i < 6 { 16 } else { 64 };
                    let (mut last, mut next) = (8i64, 8i64);
                    for _ in 0..size {
                        if next != 0 {
                            next = (last + r.se()? + 256).rem_euclid(256);
                        }
                        last = if next == 0 { last } else { next };
                    }
                }
            }
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        0 => {
            r.ue()?;
        }
        1 => {
            r.bit()?;
            r.se()?;
            r.se()?;
            for _ in 0..r.ue()?.min(256) {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.bit()?; // gaps_in_frame_num_value_allowed_flag
    let width = (r.ue()? as u64 + 1) * 16;
    let map_units = r.ue()? as u64 + 1;
    let frame_mbs_only = r.bit()? as u64;
    let height = (2 - frame_mbs_only) * map_units * 16;
    check_coded_size(width, height, "H.264 SPS")?;
    Ok((width as u32, height as u32))
}

/// OpenH264 plus the owned copy of what it returns.
pub(super) struct H264Decoder {
    decoder: Decoder,
}

impl std::fmt::Debug for H264Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Decoder").finish()
    }
}

fn copy_out(yuv: &impl YUVSource) -> Result<I420Picture, UploadError> {
    let (w, h) = yuv.dimensions();
    check_coded_size(w as u64, h as u64, "H.264 decoded picture")?;
    let (ys, us, vs) = yuv.strides();
    Ok(I420Picture {
        width: w,
        height: h,
        planes: [(yuv.y().to_vec(), ys), (yuv.u().to_vec(), us), (yuv.v().to_vec(), vs)],
    })
}

impl H264Decoder {
    pub(super) fn new() -> Result<Self, UploadError> {
        let decoder = Decoder::new().map_err(|e| UploadError::corrupt_from("H.264 decoder init", e))?;
        Ok(Self { decoder })
    }

    /// Decodes one Annex B access unit; returns the picture it completes, if any.
    pub(super) fn decode(&mut self, annex_b: &[u8]) -> Result<Option<I420Picture>, UploadError> {
        match self.decoder.decode(annex_b) {
            Ok(Some(yuv)) => copy_out(&yuv).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(UploadError::corrupt_from("H.264 decode", e)),
        }
    }

    /// The pictures still buffered at the end of the stream.
    pub(super) fn flush(&mut self) -> Result<Vec<I420Picture>, UploadError> {
        let yuvs = self
            .decoder
            .flush_remaining()
            .map_err(|e| UploadError::corrupt_from("H.264 flush", e))?;
        yuvs.iter().map(copy_out).collect()
    }
}

//! Fragmented MP4 for upload decoding, called by `mp4.rs`: appends the video track's samples
//! from each `moof/traf` (`tfhd` defaults over `trex` defaults, `tfdt` decode time, `trun`
//! sample rows) — the layout Safari's MediaRecorder and most live muxers write. Other tracks'
//! fragments are walked too, only to find where their data ends (ISO/IEC 14496-12 §8.8.7: without
//! an explicit base or default-base-is-moof, a track fragment's data follows the previous one's).

use super::mp4box::{be_u32, be_u64, boxes, find, table, Mp4Box, SampleBudget, SampleRef, VideoTrack};
use super::UploadError;

const TFHD_BASE_DATA_OFFSET: u32 = 0x01;
const TFHD_SAMPLE_DESCRIPTION: u32 = 0x02;
const TFHD_DEFAULT_DURATION: u32 = 0x08;
const TFHD_DEFAULT_SIZE: u32 = 0x10;
const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

fn corrupt(what: &str) -> UploadError {
    UploadError::Corrupt(format!("fragmented MP4: {what}"))
}

/// Per-sample defaults: `(duration, size)`.
type Defaults = (u32, u32);

/// Every `trex` in `moov/mvex`: `(track_id, defaults)`.
pub(super) fn trex_defaults(moov: &Mp4Box<'_>) -> Result<Vec<(u32, Defaults)>, UploadError> {
    let Some(mvex) = find(moov, b"mvex")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for trex in boxes(mvex.body, mvex.body_at)?
        .into_iter()
        .filter(|b| &b.kind == b"trex")
    {
        let at = |i| be_u32(trex.body, i).ok_or_else(|| corrupt("'trex' truncated"));
        out.push((at(4)?, (at(12)?, at(16)?)));
    }
    Ok(out)
}

/// Appends the video track's samples from every `traf` in `moof`.
pub(super) fn add_fragment(
    moof: &Mp4Box<'_>,
    track: &mut VideoTrack<'_>,
    trex: &[(u32, Defaults)],
    budget: &SampleBudget,
) -> Result<(), UploadError> {
    let mut prev_end = moof.start;
    for traf in boxes(moof.body, moof.body_at)?
        .into_iter()
        .filter(|b| &b.kind == b"traf")
    {
        let tfhd = find(&traf, b"tfhd")?.ok_or_else(|| corrupt("'traf' without 'tfhd'"))?;
        let flags = be_u32(tfhd.body, 0).ok_or_else(|| corrupt("'tfhd' truncated"))? & 0x00ff_ffff;
        let id = be_u32(tfhd.body, 4).ok_or_else(|| corrupt("'tfhd' truncated"))?;
        let defaults = trex.iter().find(|t| t.0 == id).map_or((0, 0), |t| t.1);
        let mut at = 8;
        let mut field = |bit: u32, len: usize| -> Result<Option<u64>, UploadError> {
            if flags & bit == 0 {
                return Ok(None);
            }
            let v = if len == 8 {
                be_u64(tfhd.body, at)
            } else {
                be_u32(tfhd.body, at).map(u64::from)
            };
            at += len;
            v.map(Some).ok_or_else(|| corrupt("'tfhd' truncated"))
        };
        let base_offset = field(TFHD_BASE_DATA_OFFSET, 8)?;
        field(TFHD_SAMPLE_DESCRIPTION, 4)?;
        let duration = field(TFHD_DEFAULT_DURATION, 4)?.map_or(defaults.0, |v| v as u32);
        let size = field(TFHD_DEFAULT_SIZE, 4)?.map_or(defaults.1, |v| v as u32);
        let base = match base_offset {
            Some(b) => usize::try_from(b).map_err(|_| corrupt("base data offset out of range"))?,
            None if flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 => moof.start,
            None => prev_end,
        };
        let ours = id == track.track_id;
        let mut dts = match find(&traf, b"tfdt")? {
            Some(t) if t.body.first() == Some(&1) => be_u64(t.body, 4).map(|v| v as i64),
            Some(t) => be_u32(t.body, 4).map(i64::from),
            None => None,
        }
        .unwrap_or(track.next_dts);
        let mut run = Run {
            defaults: (duration, size),
            base,
            data_at: base,
            dts: &mut dts,
        };
        for trun in boxes(traf.body, traf.body_at)?
            .into_iter()
            .filter(|b| &b.kind == b"trun")
        {
            run.add(&trun, if ours { Some(&mut *track) } else { None }, budget)?;
        }
        prev_end = run.data_at;
        if ours {
            track.next_dts = dts;
        }
    }
    Ok(())
}

/// The state carried from one `trun` to the next within a `traf`.
struct Run<'d> {
    defaults: Defaults,
    base: usize,
    data_at: usize,
    dts: &'d mut i64,
}

impl Run<'_> {
    /// One `trun`: its rows become samples of `track` (or, for another track, only move
    /// `data_at` past its data).
    fn add(
        &mut self,
        trun: &Mp4Box<'_>,
        mut track: Option<&mut VideoTrack<'_>>,
        budget: &SampleBudget,
    ) -> Result<(), UploadError> {
        let flags = be_u32(trun.body, 0).ok_or_else(|| corrupt("'trun' truncated"))? & 0x00ff_ffff;
        let mut skip = 0;
        if flags & 0x01 != 0 {
            let offset = be_u32(trun.body, 8).ok_or_else(|| corrupt("'trun' truncated"))? as i32 as i64;
            self.data_at = i64::try_from(self.base)
                .ok()
                .and_then(|b| b.checked_add(offset))
                .and_then(|at| usize::try_from(at).ok())
                .ok_or_else(|| corrupt("data offset out of range"))?;
            skip += 4;
        }
        if flags & 0x04 != 0 {
            skip += 4; // first_sample_flags
        }
        let has = |bit: u32| flags & bit != 0;
        let row = 4 * [0x100, 0x200, 0x400, 0x800].iter().filter(|&&b| has(b)).count();
        let (rows, count) = table(trun, 4, 8 + skip, row)?;
        if track.is_none() && !has(0x200) {
            // Another track with one default size: skip its data in one step.
            let len = count
                .checked_mul(self.defaults.1 as usize)
                .ok_or_else(|| corrupt("run too long"))?;
            self.data_at = self.data_at.saturating_add(len);
            return Ok(());
        }
        if row == 0 && count > budget.max_samples {
            return Err(UploadError::TooLarge(format!("'trun' of {count} samples")));
        }
        for i in 0..count {
            let mut col = i * row;
            let mut next = |present: bool| -> Option<u32> {
                if !present {
                    return None;
                }
                col += 4;
                be_u32(rows, col - 4)
            };
            let duration = next(has(0x100)).unwrap_or(self.defaults.0);
            let size = next(has(0x200)).unwrap_or(self.defaults.1) as usize;
            next(has(0x400)); // sample_flags
            let cts = next(has(0x800)).map_or(0, |c| c as i32 as i64);
            if let Some(track) = track.as_deref_mut() {
                let sample = SampleRef {
                    offset: self.data_at,
                    size,
                    dts: *self.dts,
                    cts,
                };
                budget.push(track, sample)?;
                *self.dts = self.dts.saturating_add(duration as i64);
            }
            self.data_at = self.data_at.saturating_add(size);
        }
        Ok(())
    }
}

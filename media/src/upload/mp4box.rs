//! A small, bounds-checked ISO-BMFF reader for upload decoding, called by `mp4.rs`: finds the
//! first video track and lists its samples (byte range + timestamps) from the `stbl` tables of
//! a plain MP4 and from `moof/traf/trun` of a fragmented one (what Safari's MediaRecorder may
//! write). Written here rather than taken from `re_mp4`/`mp4`, whose table walks index
//! attacker-controlled counts unchecked (`re_mp4` 0.5.1 `build_tracks` panics on a missing
//! `stco` or a short `stsc`); every count here is bounded by the bytes that hold it.

use super::UploadError;

fn corrupt(what: &str) -> UploadError {
    UploadError::Corrupt(format!("MP4: {what}"))
}

/// One box: its type, its payload, and the payload's offset in the file.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mp4Box<'a> {
    pub(super) kind: [u8; 4],
    pub(super) body: &'a [u8],
    /// File offset of the box's first byte, and of its body's.
    pub(super) start: usize,
    pub(super) body_at: usize,
}

/// The boxes directly inside `data` (which starts at file offset `base`).
pub(super) fn boxes(data: &[u8], base: usize) -> Result<Vec<Mp4Box<'_>>, UploadError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < data.len() {
        let head = data.get(at..at + 8).ok_or_else(|| corrupt("box header truncated"))?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header) = match size32 {
            0 => ((data.len() - at) as u64, 8),
            1 => (be_u64(data, at + 8).ok_or_else(|| corrupt("box size truncated"))?, 16),
            s => (s, 8),
        };
        if size < header as u64 || size > (data.len() - at) as u64 {
            return Err(corrupt(&format!(
                "'{}' box size {size} out of bounds",
                String::from_utf8_lossy(&kind)
            )));
        }
        let end = at + size as usize;
        out.push(Mp4Box {
            kind,
            body: &data[at + header..end],
            start: base + at,
            body_at: base + at + header,
        });
        at = end;
    }
    Ok(out)
}

pub(super) fn be_u32(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at.checked_add(4)?)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

pub(super) fn be_u64(d: &[u8], at: usize) -> Option<u64> {
    let b = d.get(at..at.checked_add(8)?)?;
    Some(u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
}

/// The first child box of `kind` inside `parent`.
pub(super) fn find<'a>(parent: &Mp4Box<'a>, kind: &[u8; 4]) -> Result<Option<Mp4Box<'a>>, UploadError> {
    Ok(boxes(parent.body, parent.body_at)?
        .into_iter()
        .find(|b| &b.kind == kind))
}

/// A full box's table: `(entries, count)` with the u32 count at `count_at` and the entries,
/// `entry` bytes each, from `rows_at`; a count the body cannot hold is refused.
pub(super) fn table<'a>(
    b: &Mp4Box<'a>,
    count_at: usize,
    rows_at: usize,
    entry: usize,
) -> Result<(&'a [u8], usize), UploadError> {
    let count = be_u32(b.body, count_at).ok_or_else(|| corrupt("table header truncated"))? as usize;
    let rest = b.body.get(rows_at..).unwrap_or(&[]);
    if entry > 0 && count > rest.len() / entry {
        return Err(corrupt(&format!(
            "'{}' claims {count} entries in {} bytes",
            String::from_utf8_lossy(&b.kind),
            rest.len()
        )));
    }
    Ok((rest, count))
}

/// One sample of the video track: where its bytes are and when it plays (track timescale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SampleRef {
    pub(super) offset: usize,
    pub(super) size: usize,
    pub(super) dts: i64,
    /// Composition offset: presentation time = `dts + cts`.
    pub(super) cts: i64,
}

/// The video track of an MP4 upload.
#[derive(Debug)]
pub(super) struct VideoTrack<'a> {
    pub(super) track_id: u32,
    /// Sample entry type: `avc1`/`avc3` for H.264.
    pub(super) fourcc: [u8; 4],
    pub(super) width: u16,
    pub(super) height: u16,
    /// Body of the `avcC` box inside the sample entry, if any.
    pub(super) avcc: Option<&'a [u8]>,
    pub(super) timescale: u32,
    pub(super) samples: Vec<SampleRef>,
    /// Decode time after the last sample (where a fragment without `tfdt` starts).
    pub(super) next_dts: i64,
}

/// Where a track's sample list is cut short.
#[derive(Debug, Clone, Copy)]
pub(super) struct SampleBudget {
    pub(super) max_samples: usize,
    pub(super) max_duration_s: f64,
}

impl SampleBudget {
    /// Adds a sample unless it breaks the budget (its time counts from the first sample's).
    pub(super) fn push(&self, track: &mut VideoTrack<'_>, s: SampleRef) -> Result<(), UploadError> {
        let pts = |s: &SampleRef| s.dts.saturating_add(s.cts);
        let origin = track.samples.first().map_or(pts(&s), pts);
        let seconds = pts(&s).saturating_sub(origin) as f64 / track.timescale as f64;
        if seconds > self.max_duration_s {
            return Err(UploadError::TooLong { seconds });
        }
        if track.samples.len() >= self.max_samples {
            return Err(UploadError::TooLarge(format!(
                "more than {} video samples",
                self.max_samples
            )));
        }
        track.samples.push(s);
        Ok(())
    }
}

fn full_box_u32(b: &Mp4Box<'_>, v0_at: usize, v1_at: usize) -> Result<u32, UploadError> {
    let at = if b.body.first() == Some(&1) { v1_at } else { v0_at };
    be_u32(b.body, at).ok_or_else(|| corrupt(&format!("'{}' truncated", String::from_utf8_lossy(&b.kind))))
}

fn need<'a>(b: Option<Mp4Box<'a>>, kind: &str) -> Result<Mp4Box<'a>, UploadError> {
    b.ok_or_else(|| corrupt(&format!("no '{kind}' box")))
}

/// The first `trak` in `moov` whose handler is `vide`, with its sample table (empty for a
/// fragmented file). `Ok(None)`: no video track.
pub(super) fn video_track<'a>(moov: &Mp4Box<'a>, budget: &SampleBudget) -> Result<Option<VideoTrack<'a>>, UploadError> {
    for trak in boxes(moov.body, moov.body_at)?
        .into_iter()
        .filter(|b| &b.kind == b"trak")
    {
        let mdia = need(find(&trak, b"mdia")?, "mdia")?;
        let hdlr = need(find(&mdia, b"hdlr")?, "hdlr")?;
        if hdlr.body.get(8..12) != Some(b"vide") {
            continue;
        }
        let track_id = full_box_u32(&need(find(&trak, b"tkhd")?, "tkhd")?, 12, 20)?;
        let timescale = full_box_u32(&need(find(&mdia, b"mdhd")?, "mdhd")?, 12, 20)?;
        if timescale == 0 {
            return Err(corrupt("video timescale is 0"));
        }
        let stbl = need(find(&need(find(&mdia, b"minf")?, "minf")?, b"stbl")?, "stbl")?;
        let stsd = need(find(&stbl, b"stsd")?, "stsd")?;
        let entry = boxes(stsd.body.get(8..).unwrap_or(&[]), stsd.body_at + 8)?
            .into_iter()
            .next()
            .ok_or_else(|| corrupt("empty 'stsd'"))?;
        let field = |at: usize| entry.body.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let (width, height) = (field(24).unwrap_or(0), field(26).unwrap_or(0));
        let avcc = match entry.body.get(78..) {
            Some(rest) => boxes(rest, entry.body_at + 78)?
                .into_iter()
                .find(|b| &b.kind == b"avcC")
                .map(|b| b.body),
            None => None,
        };
        let mut track = VideoTrack {
            track_id,
            fourcc: entry.kind,
            width,
            height,
            avcc,
            timescale,
            samples: Vec::new(),
            next_dts: 0,
        };
        sample_table(&stbl, &mut track, budget)?;
        return Ok(Some(track));
    }
    Ok(None)
}

/// Expands `stsz`/`stsc`/`stco`|`co64`/`stts`/`ctts` into samples.
fn sample_table(stbl: &Mp4Box<'_>, track: &mut VideoTrack<'_>, budget: &SampleBudget) -> Result<(), UploadError> {
    let stsz = need(find(stbl, b"stsz")?, "stsz")?;
    let fixed = be_u32(stsz.body, 4).ok_or_else(|| corrupt("'stsz' truncated"))? as usize;
    let (sizes, count) = table(&stsz, 8, 12, if fixed == 0 { 4 } else { 0 })?;
    if count == 0 {
        return Ok(()); // fragmented: samples come from `moof`s
    }
    let (chunks, chunk_entry) = match (find(stbl, b"stco")?, find(stbl, b"co64")?) {
        (Some(b), _) => (table(&b, 4, 8, 4)?, 4),
        (None, Some(b)) => (table(&b, 4, 8, 8)?, 8),
        (None, None) => return Err(corrupt("no chunk offsets")),
    };
    let (stsc, stsc_n) = table(&need(find(stbl, b"stsc")?, "stsc")?, 4, 8, 12)?;
    let (stts, stts_n) = table(&need(find(stbl, b"stts")?, "stts")?, 4, 8, 8)?;
    let ctts = match find(stbl, b"ctts")? {
        Some(b) => Some(table(&b, 4, 8, 8)?),
        None => None,
    };
    let u32_at = |d: &[u8], at: usize| be_u32(d, at).unwrap_or(0);
    let (mut run, mut stts_i, mut stts_left, mut ctts_i, mut ctts_left) = (0usize, 0usize, 0u32, 0usize, 0u32);
    let mut dts = 0i64;
    let mut delta = 0i64;
    let mut n = 0usize;
    for chunk in 0..chunks.1 {
        // The stsc run this chunk (1-based in the file) belongs to.
        while run + 1 < stsc_n && u32_at(stsc, (run + 1) * 12) as usize <= chunk + 1 {
            run += 1;
        }
        let per_chunk = if stsc_n == 0 {
            0
        } else {
            u32_at(stsc, run * 12 + 4) as usize
        };
        let mut offset = if chunk_entry == 4 {
            u32_at(chunks.0, chunk * 4) as u64
        } else {
            be_u64(chunks.0, chunk * 8).unwrap_or(0)
        };
        for _ in 0..per_chunk {
            if n == count {
                return Ok(());
            }
            let size = if fixed == 0 {
                u32_at(sizes, n * 4) as usize
            } else {
                fixed
            };
            while stts_left == 0 && stts_i < stts_n {
                stts_left = u32_at(stts, stts_i * 8);
                delta = u32_at(stts, stts_i * 8 + 4) as i64;
                stts_i += 1;
            }
            stts_left = stts_left.saturating_sub(1);
            let mut cts = 0i64;
            if let Some((c, c_n)) = ctts {
                while ctts_left == 0 && ctts_i < c_n {
                    ctts_left = u32_at(c, ctts_i * 8);
                    ctts_i += 1;
                }
                ctts_left = ctts_left.saturating_sub(1);
                cts = u32_at(c, ctts_i.saturating_sub(1) * 8 + 4) as i32 as i64;
            }
            let start = usize::try_from(offset).map_err(|_| corrupt("chunk offset out of range"))?;
            budget.push(
                track,
                SampleRef {
                    offset: start,
                    size,
                    dts,
                    cts,
                },
            )?;
            offset = offset.saturating_add(size as u64);
            dts = dts.saturating_add(delta);
            n += 1;
        }
    }
    track.next_dts = dts;
    if n < count {
        return Err(corrupt(&format!("chunks hold {n} of {count} samples")));
    }
    Ok(())
}

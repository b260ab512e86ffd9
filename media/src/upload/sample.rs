//! Frame picking and pixel conversion for upload decoding, shared by `webm.rs` and `mp4.rs`:
//! the [`Sampler`] receives every decoded picture in presentation order, enforces the duration,
//! frame-count and coded-size limits, keeps the picture nearest to each sample instant and only
//! converts those (I420 → RGB, BT.601 limited range, then an area-average downscale).

use super::{check_coded_size, DecodeLimits, DecodedFrame, UploadError};
use crate::vpx::I420Picture;

/// Collects sampled frames from a stream of decoded pictures.
#[derive(Debug)]
pub(super) struct Sampler {
    interval_ms: f64,
    max_duration_ms: f64,
    max_frames: usize,
    max_side: u32,
    /// Pictures seen so far (decoded and shown).
    count: usize,
    first_ms: Option<f64>,
    last_ms: f64,
    /// Index of the next sample instant (`first + k × interval`).
    next_k: u64,
    /// The latest picture, its time, its index, and whether it was already kept.
    prev: Option<(f64, usize, I420Picture)>,
    last_kept: Option<usize>,
    coded: Option<(u32, u32)>,
    pub(super) frames: Vec<DecodedFrame>,
}

impl Sampler {
    pub(super) fn new(limits: &DecodeLimits) -> Self {
        let fps = if limits.sample_fps.is_finite() {
            limits.sample_fps.clamp(0.1, 120.0)
        } else {
            1.0
        };
        Self {
            interval_ms: 1000.0 / fps,
            max_duration_ms: limits.max_duration_with_tolerance_s() * 1000.0,
            max_frames: limits.max_frames(),
            max_side: limits.max_side.max(1),
            count: 0,
            first_ms: None,
            last_ms: 0.0,
            next_k: 0,
            prev: None,
            last_kept: None,
            coded: None,
            frames: Vec::new(),
        }
    }

    /// Checks a timestamp (ms, container clock) before its frame is decoded: too long, or too
    /// many frames, stops the decode here.
    pub(super) fn check_time(&mut self, t_ms: f64, frames_fed: usize) -> Result<(), UploadError> {
        if frames_fed > self.max_frames {
            return Err(UploadError::TooLarge(format!(
                "more than {} frames (over {} fps)",
                self.max_frames,
                super::MAX_FRAME_RATE_FPS
            )));
        }
        let first = *self.first_ms.get_or_insert(t_ms);
        let elapsed = t_ms - first;
        if elapsed > self.max_duration_ms {
            return Err(UploadError::TooLong {
                seconds: elapsed / 1000.0,
            });
        }
        Ok(())
    }

    /// One decoded picture at `t_ms` (container clock, presentation order).
    pub(super) fn push(&mut self, t_ms: f64, pic: I420Picture) -> Result<(), UploadError> {
        check_coded_size(pic.width as u64, pic.height as u64, "decoded picture")?;
        self.coded.get_or_insert((pic.width as u32, pic.height as u32));
        let first = *self.first_ms.get_or_insert(t_ms);
        // Timestamps that go backwards are clamped: the sampler needs a monotonic clock.
        let t = (t_ms - first).max(self.last_ms);
        if t > self.max_duration_ms {
            return Err(UploadError::TooLong { seconds: t / 1000.0 });
        }
        let index = self.count;
        self.count += 1;
        self.last_ms = t;
        loop {
            let instant = self.instant();
            if instant > t {
                break;
            }
            // `instant` lies in (prev, t]: keep whichever of the two is nearer.
            let prev_nearer = matches!(&self.prev, Some((tp, _, _)) if instant - tp < t - instant);
            if prev_nearer {
                if let Some((tp, i, p)) = self.prev.take() {
                    self.keep(tp, i, &p)?;
                    self.prev = Some((tp, i, p));
                }
            } else {
                self.keep(t, index, &pic)?;
            }
            self.next_k += 1;
        }
        self.prev = Some((t, index, pic));
        Ok(())
    }

    fn instant(&self) -> f64 {
        self.next_k as f64 * self.interval_ms
    }

    fn keep(&mut self, t: f64, index: usize, pic: &I420Picture) -> Result<(), UploadError> {
        if self.last_kept == Some(index) {
            return Ok(()); // nearest to two instants (a slow source): keep it once
        }
        self.last_kept = Some(index);
        let (width, height, rgb) = to_rgb_scaled(pic, self.max_side)?;
        self.frames.push(DecodedFrame {
            t_ms: t.round().clamp(0.0, u32::MAX as f64) as u32,
            width,
            height,
            rgb,
        });
        Ok(())
    }

    /// Ends the stream: the last picture covers the instants up to the end of the video.
    /// Returns `(coded width, coded height, duration_s, frames)`.
    pub(super) fn finish(mut self) -> Result<(u32, u32, f64, Vec<DecodedFrame>), UploadError> {
        let Some((w, h)) = self.coded else {
            return Err(UploadError::NoVideo);
        };
        let frame_interval = if self.count > 1 {
            self.last_ms / (self.count - 1) as f64
        } else {
            0.0
        };
        let duration_ms = self.last_ms + frame_interval;
        if let Some((t, index, pic)) = self.prev.take() {
            if self.instant() < duration_ms || self.frames.is_empty() {
                self.keep(t, index, &pic)?;
            }
        }
        Ok((w, h, duration_ms / 1000.0, self.frames))
    }
}

/// I420 → RGB (BT.601 limited range), then an area-average downscale so the longer side is at
/// most `max_side`. Odd sizes and any stride ≥ the row work; planes too short are an error.
pub(super) fn to_rgb_scaled(pic: &I420Picture, max_side: u32) -> Result<(u32, u32, Vec<u8>), UploadError> {
    let (w, h) = (pic.width, pic.height);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let [(yp, ys), (up, us), (vp, vs)] = &pic.planes;
    let fits = |len: usize, stride: usize, row: usize, rows: usize| stride >= row && len >= (rows - 1) * stride + row;
    if w == 0 || h == 0 || !fits(yp.len(), *ys, w, h) || !fits(up.len(), *us, cw, ch) || !fits(vp.len(), *vs, cw, ch) {
        return Err(UploadError::Corrupt(format!(
            "decoded {w}×{h} picture has short planes"
        )));
    }
    let mut rgb = vec![0u8; w * h * 3];
    for (y, out_row) in rgb.chunks_exact_mut(w * 3).enumerate() {
        let yr = &yp[y * ys..y * ys + w];
        let ur = &up[(y / 2) * us..(y / 2) * us + cw];
        let vr = &vp[(y / 2) * vs..(y / 2) * vs + cw];
        for (x, px) in out_row.chunks_exact_mut(3).enumerate() {
            let c = 298 * (yr[x] as i32 - 16);
            let d = ur[x / 2] as i32 - 128;
            let e = vr[x / 2] as i32 - 128;
            px[0] = ((c + 409 * e + 128) >> 8).clamp(0, 255) as u8;
            px[1] = ((c - 100 * d - 208 * e + 128) >> 8).clamp(0, 255) as u8;
            px[2] = ((c + 516 * d + 128) >> 8).clamp(0, 255) as u8;
        }
    }
    let longest = w.max(h);
    let max_side = max_side.max(1) as usize;
    if longest <= max_side {
        return Ok((w as u32, h as u32, rgb));
    }
    let ow = (w * max_side).div_ceil(longest).clamp(1, max_side);
    let oh = (h * max_side).div_ceil(longest).clamp(1, max_side);
    Ok((ow as u32, oh as u32, area_average(&rgb, w, h, ow, oh)))
}

/// Box-filter downscale of an RGB image: each output pixel averages the source pixels whose
/// centres fall in its footprint (every source pixel counts once).
fn area_average(rgb: &[u8], w: usize, h: usize, ow: usize, oh: usize) -> Vec<u8> {
    let spans = |n: usize, on: usize| -> Vec<(usize, usize)> {
        (0..on)
            .map(|o| (o * n / on, ((o + 1) * n / on).max(o * n / on + 1).min(n)))
            .collect()
    };
    let (xs, ys) = (spans(w, ow), spans(h, oh));
    let mut out = Vec::with_capacity(ow * oh * 3);
    let mut acc = vec![0u32; ow * 3];
    for &(y0, y1) in &ys {
        acc.fill(0);
        for row in rgb[y0 * w * 3..y1 * w * 3].chunks_exact(w * 3) {
            for (a, &(x0, x1)) in acc.chunks_exact_mut(3).zip(&xs) {
                for px in row[x0 * 3..x1 * 3].chunks_exact(3) {
                    a[0] += px[0] as u32;
                    a[1] += px[1] as u32;
                    a[2] += px[2] as u32;
                }
            }
        }
        for (a, &(x0, x1)) in acc.chunks_exact(3).zip(&xs) {
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            out.extend(a.iter().map(|&sum| ((sum + n / 2) / n) as u8));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(w: usize, h: usize, stride_pad: usize, yuv: [u8; 3]) -> I420Picture {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let plane = |row: usize, rows: usize, v: u8| (vec![v; (row + stride_pad) * rows], row + stride_pad);
        I420Picture {
            width: w,
            height: h,
            planes: [plane(w, h, yuv[0]), plane(cw, ch, yuv[1]), plane(cw, ch, yuv[2])],
        }
    }

    #[test]
    fn odd_sizes_and_strides_convert() {
        // Limited-range white and a BT.601 red.
        let (w, h, rgb) = to_rgb_scaled(&picture(5, 3, 7, [235, 128, 128]), 480).expect("convert");
        assert_eq!((w, h, rgb.len()), (5, 3, 45));
        assert!(rgb.iter().all(|&c| c == 255), "{rgb:?}");
        let (_, _, red) = to_rgb_scaled(&picture(3, 3, 0, [81, 90, 240]), 480).expect("convert");
        assert!(red[0] > 240 && red[1] < 10 && red[2] < 10, "{:?}", &red[..3]);
    }

    #[test]
    fn short_planes_are_an_error() {
        let mut pic = picture(4, 4, 0, [16, 128, 128]);
        pic.planes[2].0.truncate(3);
        assert!(matches!(to_rgb_scaled(&pic, 480), Err(UploadError::Corrupt(_))));
    }

    #[test]
    fn downscale_averages_areas() {
        let (w, h, rgb) = to_rgb_scaled(&picture(641, 480, 3, [126, 128, 128]), 480).expect("convert");
        assert_eq!((w, h), (480, 360));
        assert!(rgb.iter().all(|&c| (127..=129).contains(&c)));
        let stripes: Vec<u8> = (0..4 * 2)
            .flat_map(|i| if i % 2 == 0 { [0u8; 3] } else { [200u8; 3] })
            .collect();
        assert_eq!(area_average(&stripes, 4, 2, 2, 1), vec![100; 6]);
    }

    #[test]
    fn keeps_the_frame_nearest_each_instant() {
        let limits = DecodeLimits {
            sample_fps: 5.0,
            ..DecodeLimits::default()
        };
        let mut s = Sampler::new(&limits);
        for i in 0..30 {
            let t = i as f64 * 1000.0 / 30.0 + 40.0; // starts at 40 ms on the container clock
            s.check_time(t, i + 1).expect("in limits");
            s.push(t, picture(8, 8, 0, [16 + i as u8, 128, 128])).expect("push");
        }
        let (w, h, duration, frames) = s.finish().expect("finish");
        assert_eq!((w, h), (8, 8));
        assert!((duration - 1.0).abs() < 1e-9, "{duration}");
        let times: Vec<u32> = frames.iter().map(|f| f.t_ms).collect();
        assert_eq!(times, vec![0, 200, 400, 600, 800]);
    }

    #[test]
    fn limits_stop_early() {
        let mut s = Sampler::new(&DecodeLimits::default());
        s.check_time(1000.0, 1).expect("first");
        assert!(matches!(s.check_time(16_600.0, 2), Err(UploadError::TooLong { seconds }) if seconds > 15.5));
        assert!(matches!(
            s.check_time(1001.0, MAX_FRAMES_DEFAULT + 1),
            Err(UploadError::TooLarge(_))
        ));
        let big = picture(1922, 2, 0, [16, 128, 128]);
        assert!(matches!(s.push(1000.0, big), Err(UploadError::TooLarge(_))));
    }

    const MAX_FRAMES_DEFAULT: usize = super::super::MAX_DECODED_FRAMES;
}

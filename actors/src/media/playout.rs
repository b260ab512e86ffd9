//! What the live stream shows next, as plain logic (no threads, no clock of its own): the
//! encoder thread asks [`Playout::poll`] with the time and gets a frame to send or how long to
//! wait. Previews (the clean estimate after each denoising step) go out as soon as they arrive,
//! one frame each, animating through the chunk's frames; between previews the newest one keeps
//! playing at the clip's frame rate; finished clips and on-air chunks play through in order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frame rate of finished clips and of the animation between previews (the model's rate).
pub const STREAM_FPS: u32 = world::FPS as u32;
/// Previews never go out closer together than this (1/30 s): bursts cause loss on the wire.
pub const MIN_FRAME_GAP: Duration = Duration::from_millis(33);
/// The newest preview keeps animating this long after it arrived, then the picture holds.
pub const PREVIEW_HOLD: Duration = Duration::from_secs(2);
/// Frames waiting to play (a 60 s clip at 8 fps); older ones are dropped beyond it.
pub const MAX_QUEUED_FRAMES: usize = 480;

/// Frames of one size, frame-major RGB.
pub type Frames = Arc<Vec<u8>>;

/// What the room hands the stream.
#[derive(Debug, Clone)]
pub enum StreamInput {
    /// A new clean estimate of the running chunk.
    Preview(Frames),
    /// Frames to play through once, in order (a finished clip, an on-air chunk).
    Play(Frames),
    /// Show the last picture again (a viewer joined while nothing plays).
    Refresh,
}

/// The next action of the encoder thread.
#[derive(Debug, PartialEq)]
pub enum Next<'a> {
    /// Encode and send this frame now.
    Frame(&'a [u8]),
    /// Nothing is due before this long.
    Wait(Duration),
    /// Nothing to do until the next input.
    Idle,
}

/// The stream's schedule.
#[derive(Debug)]
pub struct Playout {
    frame_bytes: usize,
    preview: Option<Frames>,
    preview_fresh: bool,
    preview_at: Option<Instant>,
    animation: usize,
    queue: VecDeque<(Frames, usize)>,
    queued_frames: usize,
    last: Option<(Frames, usize)>,
    refresh: bool,
    last_sent: Option<Instant>,
    /// Previews that went out (each at most once, as soon as the schedule allowed).
    pub previews_shown: u64,
}

impl Playout {
    /// A schedule for frames of `frame_bytes` bytes each.
    pub fn new(frame_bytes: usize) -> Self {
        Playout {
            frame_bytes,
            preview: None,
            preview_fresh: false,
            preview_at: None,
            animation: 0,
            queue: VecDeque::new(),
            queued_frames: 0,
            last: None,
            refresh: false,
            last_sent: None,
            previews_shown: 0,
        }
    }

    fn count(&self, frames: &Frames) -> usize {
        frames.len() / self.frame_bytes.max(1)
    }

    /// Takes an input at `now`; malformed frame buffers are ignored.
    pub fn push(&mut self, input: StreamInput, now: Instant) {
        match input {
            StreamInput::Preview(frames) if self.count(&frames) > 0 => {
                self.preview = Some(frames);
                self.preview_fresh = true;
                self.preview_at = Some(now);
            }
            StreamInput::Play(frames) if self.count(&frames) > 0 => {
                self.queued_frames += self.count(&frames);
                self.queue.push_back((frames, 0));
                while self.queued_frames > MAX_QUEUED_FRAMES {
                    let Some((old, at)) = self.queue.pop_front() else { break };
                    self.queued_frames -= self.count(&old) - at;
                }
                // Whatever plays next supersedes the previews of the job that made it.
                self.preview = None;
                self.preview_fresh = false;
            }
            StreamInput::Refresh => self.refresh = self.last.is_some(),
            _ => {}
        }
    }

    fn due(&self, now: Instant, gap: Duration) -> Option<Duration> {
        match self.last_sent {
            Some(t) if now < t + gap => Some(t + gap - now),
            _ => None,
        }
    }

    fn frame(&self, frames: &Frames, i: usize) -> (Frames, usize) {
        (frames.clone(), i % self.count(frames).max(1))
    }

    /// The next frame due at `now`, if any.
    pub fn poll(&mut self, now: Instant) -> Next<'_> {
        let clip_gap = Duration::from_secs(1) / STREAM_FPS;
        let chosen = if let Some((frames, at)) = self.queue.front().cloned() {
            if let Some(wait) = self.due(now, clip_gap) {
                return Next::Wait(wait);
            }
            if at + 1 >= self.count(&frames) {
                self.queue.pop_front();
            } else if let Some(front) = self.queue.front_mut() {
                front.1 += 1;
            }
            self.queued_frames = self.queued_frames.saturating_sub(1);
            Some((frames, at))
        } else if let Some(preview) = self.preview.clone() {
            let fresh = self.preview_fresh;
            let gap = if fresh { MIN_FRAME_GAP } else { clip_gap };
            let animating = self.preview_at.is_some_and(|t| now.duration_since(t) < PREVIEW_HOLD);
            if !fresh && !animating {
                self.preview = None;
                None
            } else if let Some(wait) = self.due(now, gap) {
                return Next::Wait(wait);
            } else {
                self.previews_shown += u64::from(fresh);
                self.preview_fresh = false;
                self.animation += 1;
                Some(self.frame(&preview, self.animation))
            }
        } else {
            None
        };
        let chosen = match chosen {
            Some(c) => Some(c),
            None if self.refresh => self.last.clone(),
            None => None,
        };
        self.refresh = false;
        match chosen {
            Some(frame) => {
                self.last_sent = Some(now);
                self.last = Some(frame);
                self.current()
            }
            None => Next::Idle,
        }
    }

    fn current(&self) -> Next<'_> {
        match &self.last {
            Some((frames, i)) => Next::Frame(&frames[i * self.frame_bytes..(i + 1) * self.frame_bytes]),
            None => Next::Idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: usize = 3;

    /// `n` one-pixel frames whose red value is `base + i`.
    fn frames(n: usize, base: u8) -> Frames {
        Arc::new((0..n).flat_map(|i| [base + i as u8, 0, 0]).collect())
    }

    fn red(next: Next<'_>) -> Option<u8> {
        match next {
            Next::Frame(f) => Some(f[0]),
            _ => None,
        }
    }

    #[test]
    fn each_preview_goes_out_at_once_then_keeps_animating() {
        let t0 = Instant::now();
        let mut p = Playout::new(BYTES);
        assert_eq!(p.poll(t0), Next::Idle);
        p.push(StreamInput::Preview(frames(4, 10)), t0);
        assert_eq!(red(p.poll(t0)), Some(11));
        // A new preview soon after still waits for the minimum gap.
        p.push(StreamInput::Preview(frames(4, 20)), t0 + Duration::from_millis(10));
        assert!(matches!(p.poll(t0 + Duration::from_millis(10)), Next::Wait(_)));
        assert_eq!(red(p.poll(t0 + MIN_FRAME_GAP)), Some(22));
        // No new preview: the animation advances at the clip's rate.
        assert!(matches!(
            p.poll(t0 + MIN_FRAME_GAP + Duration::from_millis(50)),
            Next::Wait(_)
        ));
        assert_eq!(red(p.poll(t0 + Duration::from_millis(200))), Some(23));
        assert_eq!(red(p.poll(t0 + Duration::from_millis(330))), Some(20), "wraps around");
        // Long after the last preview the picture holds.
        assert_eq!(p.poll(t0 + PREVIEW_HOLD + Duration::from_secs(1)), Next::Idle);
        assert_eq!(p.previews_shown, 2, "two previews, the rest animation");
    }

    #[test]
    fn played_frames_go_out_in_order_at_the_clip_rate_and_win_over_previews() {
        let t0 = Instant::now();
        let mut p = Playout::new(BYTES);
        p.push(StreamInput::Preview(frames(4, 10)), t0);
        p.push(StreamInput::Play(frames(3, 50)), t0);
        p.push(StreamInput::Play(frames(2, 80)), t0);
        let step = Duration::from_secs(1) / STREAM_FPS;
        let reds: Vec<Option<u8>> = (0..6).map(|i| red(p.poll(t0 + step * i))).collect();
        assert_eq!(reds, vec![Some(50), Some(51), Some(52), Some(80), Some(81), None]);
    }

    #[test]
    fn refresh_repeats_the_last_picture_once() {
        let t0 = Instant::now();
        let mut p = Playout::new(BYTES);
        p.push(StreamInput::Refresh, t0);
        assert_eq!(p.poll(t0), Next::Idle, "nothing shown yet: nothing to repeat");
        p.push(StreamInput::Play(frames(1, 7)), t0);
        assert_eq!(red(p.poll(t0)), Some(7));
        let later = t0 + Duration::from_secs(5);
        assert_eq!(p.poll(later), Next::Idle);
        p.push(StreamInput::Refresh, later);
        assert_eq!(red(p.poll(later)), Some(7));
        assert_eq!(p.poll(later + Duration::from_secs(1)), Next::Idle);
    }

    #[test]
    fn the_queue_is_bounded_and_bad_buffers_are_ignored() {
        let t0 = Instant::now();
        let mut p = Playout::new(BYTES);
        p.push(StreamInput::Play(Arc::new(Vec::new())), t0);
        assert_eq!(p.poll(t0), Next::Idle);
        for _ in 0..(MAX_QUEUED_FRAMES / 100 + 2) {
            p.push(StreamInput::Play(frames(100, 0)), t0);
        }
        assert!(p.queued_frames <= MAX_QUEUED_FRAMES);
    }
}

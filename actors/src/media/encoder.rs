//! The room's live encoder: one OS thread (never an async or arbiter thread) that owns the VP8
//! encoder, follows the [`Playout`] schedule, passes each frame through the watermark hook,
//! encodes it once and hands it to the room's fan-out. Fed through a bounded queue; keyframe requests arrive through atomics so a
//! PLI never waits behind frames.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use media::{frame::upscale, FrameMark, Vp8Encoder};
use tokio::sync::mpsc;

use super::playout::{Next, Playout, StreamInput, STREAM_FPS};
use crate::metrics::Metrics;

/// Side of the live stream in pixels (model frames are upscaled to it).
pub const STREAM_SIZE: usize = 256;
/// Inputs waiting for the encoder thread; a newer preview supersedes a dropped one.
pub const ENCODER_QUEUE: usize = 8;
/// A viewer's loss report (PLI/FIR) forces a keyframe at most this often (one encoder serves
/// every viewer of the room, so one lossy viewer must not make everyone's stream all-intra).
pub const KEYFRAME_MIN_INTERVAL: Duration = Duration::from_secs(1);

/// One encoded frame, shared by every viewer's track.
#[derive(Debug)]
pub struct EncodedSample {
    pub data: Bytes,
    pub keyframe: bool,
    pub duration: Duration,
}

/// Keyframe requests: `urgent` (a new viewer) is honoured at once, `loss` (PLI) rate-limited.
#[derive(Debug, Default)]
pub struct KeyframeRequests {
    urgent: AtomicBool,
    loss: AtomicBool,
}

impl KeyframeRequests {
    pub fn request_urgent(&self) {
        self.urgent.store(true, Ordering::Relaxed);
    }

    pub fn request_on_loss(&self) {
        self.loss.store(true, Ordering::Relaxed);
    }

    fn take(&self, last_keyframe: Option<Instant>, now: Instant) -> bool {
        if self.urgent.swap(false, Ordering::Relaxed) {
            self.loss.store(false, Ordering::Relaxed);
            return true;
        }
        let allowed = last_keyframe.is_none_or(|t| now.duration_since(t) >= KEYFRAME_MIN_INTERVAL);
        allowed && self.loss.swap(false, Ordering::Relaxed)
    }
}

/// The room's handle on its encoder thread; dropping it ends the thread.
#[derive(Debug, Clone)]
pub struct EncoderHandle {
    tx: SyncSender<StreamInput>,
    pub keyframes: Arc<KeyframeRequests>,
}

impl EncoderHandle {
    /// Queues an input; a full queue drops it (the encoder is behind: fresher input follows).
    pub fn push(&self, input: StreamInput) -> bool {
        match self.tx.try_send(input) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => false,
        }
    }
}

/// Starts the encoder thread of `room`; encoded frames go to `out`.
pub fn spawn_encoder(
    room: uuid::Uuid,
    mark: Arc<dyn FrameMark>,
    out: mpsc::Sender<Arc<EncodedSample>>,
    metrics: Arc<Metrics>,
) -> std::io::Result<EncoderHandle> {
    let (tx, rx) = sync_channel(ENCODER_QUEUE);
    let keyframes = Arc::new(KeyframeRequests::default());
    let requests = keyframes.clone();
    std::thread::Builder::new()
        .name(format!("media-enc-{}", &room.simple().to_string()[..6]))
        .spawn(move || {
            let encoder = match Vp8Encoder::new(STREAM_SIZE as u32, STREAM_SIZE as u32, STREAM_FPS) {
                Ok(e) => e,
                Err(err) => {
                    tracing::error!(%room, %err, "live encoder could not start");
                    return;
                }
            };
            run(encoder, mark.as_ref(), rx, out, &requests, &metrics);
        })?;
    Ok(EncoderHandle { tx, keyframes })
}

fn run(
    mut encoder: Vp8Encoder,
    mark: &dyn FrameMark,
    rx: Receiver<StreamInput>,
    out: mpsc::Sender<Arc<EncodedSample>>,
    keyframes: &KeyframeRequests,
    metrics: &Metrics,
) {
    let source = world::SIZE;
    let scale = STREAM_SIZE / source;
    let mut playout = Playout::new(source * source * 3);
    let mut last_keyframe: Option<Instant> = None;
    let frame_duration = Duration::from_secs(1) / STREAM_FPS;
    let mut previews_counted = 0;
    let mut index = 0u64;
    loop {
        let now = Instant::now();
        let wait = match playout.poll(now) {
            Next::Frame(frame) => {
                let mut big = upscale(frame, source, scale);
                mark.mark(&mut big, STREAM_SIZE, STREAM_SIZE, index);
                index += 1;
                let shown = playout.previews_shown;
                metrics
                    .media_previews_streamed
                    .fetch_add(shown - previews_counted, Ordering::Relaxed);
                previews_counted = shown;
                let force = keyframes.take(last_keyframe, now);
                let started = Instant::now();
                match encoder.encode(&big, force) {
                    Ok(encoded) if !encoded.data.is_empty() => {
                        metrics.media_encode.observe(started.elapsed());
                        Metrics::inc(&metrics.media_frames_encoded);
                        if encoded.keyframe {
                            last_keyframe = Some(now);
                        }
                        let sample = Arc::new(EncodedSample {
                            data: Bytes::from(encoded.data),
                            keyframe: encoded.keyframe,
                            duration: frame_duration,
                        });
                        match out.try_send(sample) {
                            Ok(()) => {}
                            Err(mpsc::error::TrySendError::Full(_)) => {
                                // Viewers' decoders need every frame since the last keyframe.
                                Metrics::inc(&metrics.media_frames_dropped);
                                keyframes.request_urgent();
                            }
                            Err(mpsc::error::TrySendError::Closed(_)) => return,
                        }
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(%err, "live frame could not be encoded"),
                }
                continue;
            }
            Next::Wait(d) => Some(d),
            Next::Idle => None,
        };
        let input = match wait {
            Some(d) => rx.recv_timeout(d),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match input {
            Ok(input) => playout.push(input, Instant::now()),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_keyframes_are_rate_limited_and_urgent_ones_are_not() {
        let k = KeyframeRequests::default();
        let t0 = Instant::now();
        assert!(!k.take(None, t0));
        k.request_on_loss();
        assert!(k.take(None, t0));
        k.request_on_loss();
        assert!(
            !k.take(Some(t0), t0 + Duration::from_millis(100)),
            "too soon after a keyframe"
        );
        assert!(
            k.take(Some(t0), t0 + KEYFRAME_MIN_INTERVAL),
            "still pending, now allowed"
        );
        k.request_urgent();
        assert!(k.take(Some(t0), t0));
    }
}

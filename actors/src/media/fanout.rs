//! The room's fan-out: one task that owns every viewer's track and writes each encoded frame
//! to all of them (encode once, packetise per viewer). Fed through bounded channels by the
//! encoder thread (frames) and the `MediaActor` (viewers joining and leaving).

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use super::encoder::EncodedSample;
use super::peer::ViewerTrack;
use super::ViewerId;
use crate::metrics::Metrics;

/// Viewer changes waiting for the fan-out task.
pub const FANOUT_CONTROL_QUEUE: usize = 64;
/// Encoded frames waiting for the fan-out task; beyond it the encoder drops and re-keys.
pub const FANOUT_FRAME_QUEUE: usize = 8;

/// A change to the set of viewers.
#[derive(Debug)]
pub enum FanoutControl {
    Add(ViewerTrack),
    Remove(ViewerId),
}

/// Runs until both channels close (the room's media stopped).
pub async fn run_fanout(
    mut frames: mpsc::Receiver<Arc<EncodedSample>>,
    mut control: mpsc::Receiver<FanoutControl>,
    metrics: Arc<Metrics>,
) {
    let mut viewers: Vec<ViewerTrack> = Vec::new();
    loop {
        tokio::select! {
            biased;
            change = control.recv() => match change {
                Some(FanoutControl::Add(track)) => viewers.push(track),
                Some(FanoutControl::Remove(id)) => viewers.retain(|v| v.id != id),
                None => break,
            },
            sample = frames.recv() => {
                let Some(sample) = sample else { break };
                let started = Instant::now();
                let mut failed = Vec::new();
                for viewer in &mut viewers {
                    match viewer.write(&sample).await {
                        Ok(true) => Metrics::inc(&metrics.media_frames_sent),
                        Ok(false) => {}
                        Err(err) => {
                            tracing::debug!(viewer = viewer.id, %err, "viewer write failed");
                            failed.push(viewer.id);
                        }
                    }
                }
                viewers.retain(|v| !failed.contains(&v.id));
                metrics.media_fanout.observe(started.elapsed());
            }
        }
    }
}

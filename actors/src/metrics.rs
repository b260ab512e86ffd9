//! Process-wide counters and latency histograms the rooms update and `/metrics` renders.
//! Atomics only, so recording never blocks a room.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS_S: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// A Prometheus-style cumulative histogram.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS_S.len()],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS_S.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Observations so far and their sum in seconds.
    pub fn count_and_sum(&self) -> (u64, f64) {
        (
            self.count.load(Ordering::Relaxed),
            self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9,
        )
    }

    /// Renders the histogram's lines in Prometheus text format.
    pub fn render(&self, name: &str, help: &str, out: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in LATENCY_BUCKETS_S.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}"
        );
    }
}

/// Everything the collaboration side counts.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections (sync + control).
    pub connections: AtomicU64,
    /// Rooms loaded in memory.
    pub rooms: AtomicU64,
    /// Frames received from clients.
    pub messages_in: AtomicU64,
    /// Frames queued to clients.
    pub messages_out: AtomicU64,
    /// Bytes received from clients.
    pub bytes_in: AtomicU64,
    /// Bytes queued to clients.
    pub bytes_out: AtomicU64,
    /// Sessions closed for not reading fast enough.
    pub slow_consumers_closed: AtomicU64,
    /// Sessions closed for bad input (malformed, too large, rate).
    pub bad_input_closed: AtomicU64,
    /// Viewer writes refused.
    pub writes_refused: AtomicU64,
    /// Appends that failed.
    pub persist_failures: AtomicU64,
    /// Live-preview viewers (WebRTC peers) across rooms.
    pub media_viewers: AtomicU64,
    /// Live-preview frames encoded (once per room, whatever the number of viewers).
    pub media_frames_encoded: AtomicU64,
    /// Denoising previews that went into the live stream (the rest of its frames animate them).
    pub media_previews_streamed: AtomicU64,
    /// Live-preview frames written to viewers' tracks (one per viewer per frame).
    pub media_frames_sent: AtomicU64,
    /// Encoded frames dropped because the fan-out fell behind (a keyframe follows).
    pub media_frames_dropped: AtomicU64,
    /// Time to encode one live frame (VP8).
    pub media_encode: Histogram,
    /// Time for one frame's fan-out to every viewer of a room.
    pub media_fanout: Histogram,
    /// Time to apply one committed update to the room's doc.
    pub update_apply: Histogram,
    /// Time for the store to commit one batch.
    pub persist: Histogram,
    /// Time to load a room from the store.
    pub room_load: Histogram,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Renders every metric in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let gauges = [
            (
                "reelroom_connections",
                "Open WebSocket connections",
                &self.connections,
                "gauge",
            ),
            ("reelroom_rooms", "Rooms loaded in memory", &self.rooms, "gauge"),
            (
                "reelroom_messages_in_total",
                "Frames received",
                &self.messages_in,
                "counter",
            ),
            (
                "reelroom_messages_out_total",
                "Frames sent",
                &self.messages_out,
                "counter",
            ),
            ("reelroom_bytes_in_total", "Bytes received", &self.bytes_in, "counter"),
            ("reelroom_bytes_out_total", "Bytes sent", &self.bytes_out, "counter"),
            (
                "reelroom_slow_consumers_closed_total",
                "Sessions closed as slow consumers",
                &self.slow_consumers_closed,
                "counter",
            ),
            (
                "reelroom_bad_input_closed_total",
                "Sessions closed for bad input",
                &self.bad_input_closed,
                "counter",
            ),
            (
                "reelroom_writes_refused_total",
                "Viewer writes refused",
                &self.writes_refused,
                "counter",
            ),
            (
                "reelroom_media_viewers",
                "Live-preview WebRTC viewers",
                &self.media_viewers,
                "gauge",
            ),
            (
                "reelroom_media_frames_encoded_total",
                "Live-preview frames encoded",
                &self.media_frames_encoded,
                "counter",
            ),
            (
                "reelroom_media_previews_streamed_total",
                "Denoising previews put into live streams",
                &self.media_previews_streamed,
                "counter",
            ),
            (
                "reelroom_media_frames_sent_total",
                "Live-preview frames written to viewers",
                &self.media_frames_sent,
                "counter",
            ),
            (
                "reelroom_media_frames_dropped_total",
                "Live-preview frames dropped by a lagging fan-out",
                &self.media_frames_dropped,
                "counter",
            ),
            (
                "reelroom_persist_failures_total",
                "Failed update appends",
                &self.persist_failures,
                "counter",
            ),
        ];
        for (name, help, value, kind) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        self.update_apply
            .render("reelroom_update_apply_seconds", "Time to apply a committed update", out);
        self.persist
            .render("reelroom_persist_seconds", "Time to commit a batch of updates", out);
        self.room_load
            .render("reelroom_room_load_seconds", "Time to load a room", out);
        self.media_encode
            .render("reelroom_media_encode_seconds", "Time to encode one live frame", out);
        self.media_fanout.render(
            "reelroom_media_fanout_seconds",
            "Time to write one live frame to every viewer",
            out,
        );
    }
}

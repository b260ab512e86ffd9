//! Live-preview benchmarks on this machine, over real webrtc-rs connections on loopback.
//!
//! `cargo bench -p actors --bench live_media -- encode [--frames N]`: VP8 encode + write to one
//!   viewer's track per 256×256 frame (target ≤ 5 ms).
//! `cargo bench -p actors --bench live_media -- viewers --viewers N [--seconds S]`: one room's
//!   stream at 8 fps to N probe viewers in this same process (they share the 2 cores with the
//!   server side); every viewer must receive ≥ 95 % of the frames.
//! `cargo bench -p actors --bench live_media -- pipeline [--runs N]`: the shipped model through
//!   the scheduler and worker thread, previews through the room's media to a decoding viewer:
//!   frames/s delivered ÷ bare sampler previews/s (target ≥ 0.95).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Context, Handler};
use actors::generation::{DenoiserFactory, JobEvent, Scheduler, Segment, Submit};
use actors::media::probe::ProbeViewer;
use actors::media::{MediaActor, MediaConfig, StreamFrames, StreamInput, Watch};
use actors::metrics::Metrics;
use engine::sampler::sample;
use engine::{Denoiser, NativeDenoiser, Prompt, SampleOptions, StepAction};
use tch::Device;
use uuid::Uuid;
use world::{Vocab, FRAMES, SIZE};

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mode() -> String {
    std::env::args()
        .skip(1)
        .find(|a| ["encode", "viewers", "pipeline"].contains(&a.as_str()))
        .unwrap_or_else(|| "encode".into())
}

/// 16 model-sized frames like an early preview: a red ball moving over noise.
fn noisy_frames(seed: u32) -> Arc<Vec<u8>> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 96) as u8
    };
    let mut out = Vec::with_capacity(FRAMES * SIZE * SIZE * 3);
    for f in 0..FRAMES {
        let (cx, cy) = (8 + f * 3, 40);
        for y in 0..SIZE {
            for x in 0..SIZE {
                let inside = (x as i64 - cx as i64).pow(2) + (y as i64 - cy as i64).pow(2) < 64;
                let n = noise();
                out.extend_from_slice(&if inside {
                    [220, 30 + n / 4, 30]
                } else {
                    [60 + n, 80 + n, 100 + n]
                });
            }
        }
    }
    Arc::new(out)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Connects `n` probes to the room's media.
async fn connect(media: &Addr<MediaActor>, n: usize, decode: bool) -> Vec<ProbeViewer> {
    let mut probes = Vec::with_capacity(n);
    for _ in 0..n {
        let (probe, offer) = ProbeViewer::offer(decode).await.expect("offer");
        let answer = media
            .send(Watch {
                session: None,
                user: Uuid::new_v4(),
                offer,
            })
            .await
            .expect("mailbox")
            .expect("answer");
        probe.accept(answer.sdp).await.expect("accept");
        probes.push(probe);
    }
    for p in &probes {
        assert!(p.connected(Duration::from_secs(30)).await, "a probe did not connect");
    }
    probes
}

async fn encode_bench() {
    // At most ENCODER_QUEUE clips are queued at once (8 × 16 frames).
    let frames: usize = arg("--frames", 128).min(actors::media::encoder::ENCODER_QUEUE * FRAMES);
    let metrics = Arc::new(Metrics::default());
    let media = MediaActor::new(Uuid::new_v4(), MediaConfig::default(), metrics.clone()).start();
    let probes = connect(&media, 1, false).await;
    let clip = noisy_frames(1);
    // Paced like a live job, so each frame is encoded and written as it would be in service.
    for i in 0..frames / FRAMES {
        media.do_send(StreamFrames(StreamInput::Play(if i % 2 == 0 {
            clip.clone()
        } else {
            noisy_frames(i as u32)
        })));
    }
    let expected = (frames / FRAMES) * FRAMES;
    let deadline = Instant::now() + Duration::from_secs(expected as u64 / 8 + 20);
    while metrics.media_frames_sent.load(Ordering::Relaxed) < expected as u64 && Instant::now() < deadline {
        actix::clock::sleep(Duration::from_millis(50)).await;
    }
    let sent = metrics.media_frames_sent.load(Ordering::Relaxed);
    let (enc_n, enc_s) = metrics.media_encode.count_and_sum();
    let (fan_n, fan_s) = metrics.media_fanout.count_and_sum();
    let enc_ms = enc_s * 1000.0 / enc_n.max(1) as f64;
    let fan_ms = fan_s * 1000.0 / fan_n.max(1) as f64;
    println!(
        "encode + send per 256×256 frame: {:.2} ms mean (VP8 encode {enc_ms:.2} ms + write to the viewer's track {fan_ms:.2} ms) over {sent} frames; viewer received {}",
        enc_ms + fan_ms,
        probes[0].frames_received()
    );
}

async fn viewers_bench() {
    let n: usize = arg("--viewers", 200);
    let seconds: u64 = arg("--seconds", 10);
    let metrics = Arc::new(Metrics::default());
    let media = MediaActor::new(Uuid::new_v4(), MediaConfig::default(), metrics.clone()).start();
    let started = Instant::now();
    let probes = connect(&media, n, false).await;
    println!("{n} viewers connected in {:.1} s", started.elapsed().as_secs_f64());
    let before: Vec<usize> = probes.iter().map(|p| p.frames_received()).collect();
    let encoded_before = metrics.media_frames_encoded.load(Ordering::Relaxed);
    let cpu_before = cpu_seconds();
    let t0 = Instant::now();
    let clips = (seconds * 8 / FRAMES as u64).min(actors::media::encoder::ENCODER_QUEUE as u64);
    for i in 0..clips {
        media.do_send(StreamFrames(StreamInput::Play(noisy_frames(i as u32 + 7))));
    }
    actix::clock::sleep(Duration::from_secs(clips * 2 + 2)).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let encoded = metrics.media_frames_encoded.load(Ordering::Relaxed) - encoded_before;
    let mut shares: Vec<f64> = probes
        .iter()
        .zip(&before)
        .map(|(p, b)| (p.frames_received() - b) as f64 / encoded.max(1) as f64)
        .collect();
    shares.sort_by(f64::total_cmp);
    let (fan_n, fan_s) = metrics.media_fanout.count_and_sum();
    println!(
        "{n} viewers, 256×256 at 8 fps: {encoded} frames encoded once; each viewer received min {:.1} % / median {:.1} % of them; fan-out {:.2} ms per frame for all viewers; process CPU {:.0} % of one core (server side and {n} probe clients together) over {elapsed:.1} s",
        100.0 * pct(&shares, 0.0),
        100.0 * pct(&shares, 0.5),
        fan_s * 1000.0 / fan_n.max(1) as f64,
        100.0 * cpu / elapsed
    );
    for p in &probes {
        p.close().await;
    }
}

/// Forwards a job's previews to the room's media (as the room does) and logs their times.
struct Relay {
    media: Addr<MediaActor>,
    previews: Arc<Mutex<Vec<Instant>>>,
    done: Arc<Mutex<Option<Instant>>>,
}

impl Actor for Relay {
    type Context = Context<Self>;
}

impl Handler<JobEvent> for Relay {
    type Result = ();
    fn handle(&mut self, ev: JobEvent, _ctx: &mut Context<Self>) {
        match ev {
            JobEvent::Progress { frames, .. } => {
                self.previews.lock().map(|mut v| v.push(Instant::now())).ok();
                self.media.do_send(StreamFrames(StreamInput::Preview(frames)));
            }
            JobEvent::Finished { .. } | JobEvent::Failed { .. } | JobEvent::Cancelled { .. } => {
                self.done.lock().map(|mut d| *d = Some(Instant::now())).ok();
            }
            _ => {}
        }
    }
}

async fn pipeline_bench() {
    let runs: u64 = arg("--runs", 5);
    let steps = 8;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(engine::DEFAULT_MODEL_DIR);
    let vocab = Vocab::new();
    let prompt = Prompt::text(&vocab, "a red ball bouncing on the floor");
    // Bare sampler: previews per second with nothing downstream.
    let bare = {
        let den = NativeDenoiser::load(&dir, Device::Cpu).expect("model");
        let mut rates = Vec::new();
        for run in 0..runs {
            let opts = SampleOptions {
                steps,
                seed: run,
                ..Default::default()
            };
            let t0 = Instant::now();
            let mut n = 0;
            sample(&den, &prompt, &opts, &mut |_| {
                n += 1;
                StepAction::Continue
            })
            .expect("sample");
            rates.push(n as f64 / t0.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        pct(&rates, 0.5)
    };
    let factory: DenoiserFactory =
        Arc::new(move |_| Ok(Box::new(NativeDenoiser::load(&dir, Device::Cpu)?) as Box<dyn Denoiser>));
    let scheduler = Scheduler::start(1, factory).expect("scheduler");
    let metrics = Arc::new(Metrics::default());
    let media = MediaActor::new(Uuid::new_v4(), MediaConfig::default(), metrics.clone()).start();
    let probes = connect(&media, 1, true).await;
    let mut rows = Vec::new();
    for run in 0..runs {
        let previews = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(Mutex::new(None));
        let relay = Relay {
            media: media.clone(),
            previews: previews.clone(),
            done: done.clone(),
        }
        .start();
        let (streamed0, sent0) = (
            metrics.media_previews_streamed.load(Ordering::Relaxed),
            metrics.media_frames_sent.load(Ordering::Relaxed),
        );
        let received0 = probes[0].frames_received();
        let submitted = Instant::now();
        let submit = Submit {
            room: Uuid::new_v4(),
            user: Uuid::new_v4(),
            on_air: false,
            segments: vec![Segment {
                prompt: prompt.clone(),
                chunks: 1,
                seed: run,
            }],
            options: SampleOptions {
                steps,
                ..Default::default()
            },
            events: relay.recipient(),
            leases: Vec::new(),
        };
        scheduler.send(submit).await.expect("mailbox").expect("admitted");
        while done.lock().map(|d| d.is_none()).unwrap_or(false) {
            actix::clock::sleep(Duration::from_millis(5)).await;
        }
        // Let the last frames cross the wire (and the animation of the last preview end).
        actix::clock::sleep(Duration::from_secs(3)).await;
        let times = previews.lock().map(|v| v.clone()).unwrap_or_default();
        let (Some(first), Some(last)) = (times.first().copied(), times.last().copied()) else {
            continue;
        };
        let job_rate = (times.len() - 1) as f64 / (last - first).as_secs_f64();
        let streamed = metrics.media_previews_streamed.load(Ordering::Relaxed) - streamed0;
        let sent = metrics.media_frames_sent.load(Ordering::Relaxed) - sent0;
        let received = probes[0].frames_received() - received0;
        let first_frame = probes[0]
            .pictures()
            .get(received0)
            .map(|p| (p.at - submitted).as_secs_f64() * 1000.0);
        rows.push((
            job_rate / bare,
            streamed as f64 / times.len() as f64,
            // The probe holds back the newest frame until the next one arrives.
            (received + 1).min(sent as usize) as f64 / sent.max(1) as f64,
            first_frame.unwrap_or(f64::NAN),
        ));
    }
    let col = |f: fn(&(f64, f64, f64, f64)) -> f64| {
        let mut v: Vec<f64> = rows.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        pct(&v, 0.5)
    };
    let (rate, streamed, delivered, first) = (col(|r| r.0), col(|r| r.1), col(|r| r.2), col(|r| r.3));
    println!(
        "pipeline ({runs} jobs, medians): bare sampler {bare:.1} previews/s; with the stream running the job makes {:.3}× as many per second; {:.3} of its previews go into the stream; the viewer decodes {:.3} of the frames sent; overhead ratio = {:.3}; submit → first decoded frame {first:.0} ms",
        rate,
        streamed,
        delivered,
        rate * streamed * delivered
    );
}

fn main() {
    let system = actix::System::new();
    system.block_on(async {
        match mode().as_str() {
            "viewers" => viewers_bench().await,
            "pipeline" => pipeline_bench().await,
            _ => encode_bench().await,
        }
    });
}

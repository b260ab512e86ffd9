//! Live re-prompting latency through the real scheduler, worker thread and shipped model: a
//! running job's prompt changes ("red" → "blue") and we time until the first preview whose
//! object is blue. `cargo bench -p actors --bench live_edit [-- --runs N]`
//! (The room adds its 150 ms debounce before the edit reaches the scheduler.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::{Actor, Context, Handler};
use actors::generation::*;
use engine::{Denoiser, NativeDenoiser, Prompt, SampleOptions};
use tch::Device;
use uuid::Uuid;
use world::{Colour, Vocab};

/// When a preview arrived, the colour it shows, and whether the job had ended.
type Seen = (Instant, Option<Colour>, bool);

#[derive(Default, Clone)]
struct Previews(Arc<Mutex<Vec<Seen>>>);

impl Actor for Previews {
    type Context = Context<Self>;
}

impl Handler<JobEvent> for Previews {
    type Result = ();
    fn handle(&mut self, ev: JobEvent, _ctx: &mut Context<Self>) {
        let now = Instant::now();
        let entry = match ev {
            JobEvent::Progress { frames, .. } => {
                let clip = world::Clip {
                    frames: world::FRAMES,
                    size: world::SIZE,
                    rgb: frames.to_vec(),
                };
                (now, world::score_clip(&clip).colour, false)
            }
            JobEvent::Finished { .. } | JobEvent::Failed { .. } | JobEvent::Cancelled { .. } => (now, None, true),
            _ => return,
        };
        self.0.lock().map(|mut v| v.push(entry)).ok();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(engine::DEFAULT_MODEL_DIR);
    let system = actix::System::new();
    let mut latencies: Vec<Duration> = system.block_on(async move {
        let factory: DenoiserFactory =
            Arc::new(move |_| Ok(Box::new(NativeDenoiser::load(&dir, Device::Cpu)?) as Box<dyn Denoiser>));
        let scheduler = Scheduler::start(1, factory).expect("scheduler");
        let vocab = Vocab::new();
        let mut out = Vec::new();
        for run in 0..runs as u64 {
            let previews = Previews::default();
            let addr = previews.clone().start();
            let submit = Submit {
                room: Uuid::new_v4(),
                user: Uuid::new_v4(),
                on_air: false,
                segments: vec![Segment {
                    prompt: Prompt::text(&vocab, "a red ball moving right"),
                    chunks: 2,
                    seed: run,
                }],
                options: SampleOptions::default(),
                events: addr.recipient(),
                leases: Vec::new(),
            };
            let job = scheduler.send(submit).await.expect("mailbox").expect("admitted");
            // Edit after the second preview, as a collaborator would mid-run.
            while previews.0.lock().map(|v| v.len()).unwrap_or(0) < 2 {
                actix::clock::sleep(Duration::from_millis(1)).await;
            }
            let edited = Instant::now();
            scheduler
                .send(SetPrompts {
                    job,
                    prompts: vec![Prompt::text(&vocab, "a blue ball moving right")],
                })
                .await
                .expect("mailbox");
            loop {
                let done = previews.0.lock().map(|v| v.last().is_some_and(|e| e.2)).unwrap_or(true);
                if done {
                    break;
                }
                actix::clock::sleep(Duration::from_millis(5)).await;
            }
            let first_blue = previews.0.lock().ok().and_then(|v| {
                v.iter()
                    .find(|(t, c, _)| *t > edited && *c == Some(Colour::Blue))
                    .map(|e| e.0)
            });
            match first_blue {
                Some(t) => out.push(t - edited),
                None => println!("run {run}: no blue preview after the edit"),
            }
        }
        out
    });
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "live edit → first preview showing it: median {:.0} ms, p90 {:.0} ms, max {:.0} ms ({} of {runs} runs steered)",
        pct(0.5),
        pct(0.9),
        pct(1.0),
        latencies.len()
    );
}

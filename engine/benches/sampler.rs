//! Speed of the shipped models (v1, v2) on this machine: one 16-frame chunk at 8 steps, time to the first
//! preview, and the process's peak memory. `cargo bench -p engine --bench sampler [-- --runs N]`

use std::time::{Duration, Instant};

use engine::sampler::sample;
use engine::{Denoiser, NativeDenoiser, NativeDenoiserV2, Prompt, SampleOptions, StepAction};
use tch::Device;
use world::Vocab;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// Times `runs` chunks (after one warm-up) with and without guidance; for model v2 the
/// 128×128 upsampling is timed too and counted in the chunk.
fn bench(den: &dyn Denoiser, prompt: &Prompt, runs: usize) {
    for guidance in [engine::DEFAULT_GUIDANCE, 1.0] {
        let (mut total, mut first, mut up) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..=runs {
            let start = Instant::now();
            let mut first_at = None;
            let o = SampleOptions {
                guidance,
                seed: i as u64,
                ..Default::default()
            };
            let g = sample(den, prompt, &o, &mut |_| {
                first_at.get_or_insert_with(|| start.elapsed());
                StepAction::Continue
            })
            .expect("sample");
            let up_start = Instant::now();
            if let Some(v2) = den.v2_for(prompt) {
                v2.upsample_video(&g.frames, prompt).expect("upsample");
            }
            if i > 0 {
                // Run 0 warms up allocator and kernels.
                total.push(start.elapsed());
                first.push(first_at.unwrap_or_default());
                up.push(up_start.elapsed());
            }
        }
        println!(
            "{} guidance {guidance}: 16-frame chunk, 8 steps: median {:.0} ms, p90 {:.0} ms (of which upsampling {:.0} ms); first preview median {:.0} ms, p90 {:.0} ms ({runs} runs)",
            den.name(),
            pct(&mut total, 0.5),
            pct(&mut total, 0.9),
            pct(&mut up, 0.5),
            pct(&mut first, 0.5),
            pct(&mut first, 0.9)
        );
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
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as i32;
    tch::set_num_threads(threads);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    println!(
        "sampler bench: {threads} threads, OMP_WAIT_POLICY={:?}",
        std::env::var("OMP_WAIT_POLICY").ok()
    );
    let v1 = NativeDenoiser::load(&root.join(engine::DEFAULT_MODEL_DIR), Device::Cpu).expect("shipped v1 weights");
    println!("v1: {} parameters", v1.parameter_count());
    bench(
        &v1,
        &Prompt::text(&Vocab::new(), "a red ball bouncing on the floor"),
        runs,
    );
    let v2 = NativeDenoiserV2::load(&root.join(engine::v2::V2_MODEL_DIR), Device::Cpu).expect("shipped v2 weights");
    println!("v2: {} parameters", v2.parameter_count());
    let prompt = Prompt::text(&Vocab::new(), "a cat dancing on a rooftop at sunset").with_scene_seed(1);
    bench(&v2, &prompt, runs);
    println!("peak RSS {:.0} MiB", peak_rss_mib());
}

//! `train-v2 --out DIR [--init V1_DIR] [--steps N] [--batch N] [--lr X] [--seed N]
//! [--save-every N] [--threads N]` (or `--ship CHECKPOINT_DIR MODEL_DIR`): model v2's trainer without the server around it (so a
//! training machine builds only the engine). `reelroom train --v2` runs the same loop.

use std::path::PathBuf;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--ship CHECKPOINT_DIR MODEL_DIR`: the checkpoint's weights in f16, as the repo keeps them.
    if let Some(i) = args.iter().position(|a| a == "--ship") {
        let (from, to) = (args.get(i + 1), args.get(i + 2));
        let (Some(from), Some(to)) = (from, to) else {
            anyhow::bail!("--ship CHECKPOINT_DIR MODEL_DIR");
        };
        let mut den = engine::NativeDenoiserV2::load(std::path::Path::new(from), tch::Device::Cpu)?;
        den.var_store_mut().half();
        std::fs::create_dir_all(to)?;
        den.var_store()
            .save(std::path::Path::new(to).join("model.safetensors"))?;
        std::fs::copy(
            std::path::Path::new(from).join("meta.json"),
            std::path::Path::new(to).join("train-meta.json"),
        )?;
        println!("shipped {} parameters to {to}", den.parameter_count());
        return Ok(());
    }
    let threads: i32 = arg(&args, "--threads", 0);
    if threads > 0 {
        tch::set_num_threads(threads);
    }
    let opts = engine::train::TrainOptions {
        out: PathBuf::from(arg(&args, "--out", "ckpt-v2".to_string())),
        init: args
            .iter()
            .position(|a| a == "--init")
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from),
        steps: arg(&args, "--steps", 1000),
        batch: arg(&args, "--batch", 4),
        lr: arg(&args, "--lr", 3e-4),
        seed: arg(&args, "--seed", 1),
        save_every: arg(&args, "--save-every", 50),
        device: engine::sampler::default_device(),
    };
    let started = std::time::Instant::now();
    let meta = engine::train_v2::train_v2(&opts, &mut |p| {
        if p.step % 10 == 0 {
            println!(
                "step {} loss {:.4} {:.3} steps/s {:.0} s",
                p.step,
                p.loss,
                p.steps_per_s,
                started.elapsed().as_secs_f64()
            );
        }
    })?;
    println!(
        "trained to step {} (loss {:.4}) in {:.1} min",
        meta.step, meta.loss, meta.minutes
    );
    Ok(())
}

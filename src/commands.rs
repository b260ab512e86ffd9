//! Model subcommands of the `reelroom` binary: `generate`, `train` and `eval`.
//! (`reelroom` with no subcommand serves.)

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use engine::sampler::{default_device, extend, sample};
use engine::{Denoiser, Prompt, SampleOptions, StepAction, TorchScriptDenoiser};
use world::{Vocab, FRAMES, REF_SIZE, SIZE};

/// `--name value` pairs after the subcommand.
struct Args(Vec<String>);

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .position(|a| a == name)
            .and_then(|i| self.0.get(i + 1))
            .map(String::as_str)
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, default: T) -> anyhow::Result<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{name}: cannot parse {v:?}")),
        }
    }
}

/// `--model DIR`, else `REELROOM_MODEL_DIR`; `None`: the shipped pair (v1 for its own words,
/// v2 for everything else).
fn model_dir(args: &Args) -> Option<PathBuf> {
    args.get("--model")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("REELROOM_MODEL_DIR").map(PathBuf::from))
}

fn load_denoiser(args: &Args) -> anyhow::Result<Box<dyn Denoiser>> {
    let device = default_device();
    Ok(match (args.get("--torchscript"), model_dir(args)) {
        (Some(path), _) => Box::new(TorchScriptDenoiser::load(Path::new(path), device)?),
        (None, Some(dir)) => engine::load_native(&dir, device)?,
        (None, None) => Box::new(engine::router::Routed::load_shipped(
            Path::new(env!("CARGO_MANIFEST_DIR")),
            device,
        )?),
    })
}

fn read_png(path: &Path, size: usize) -> anyhow::Result<Vec<u8>> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).with_context(|| path.display().to_string())?,
    ));
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf)?;
    if info.width as usize != size || info.height as usize != size || info.color_type != png::ColorType::Rgb {
        bail!("{}: expected a {size}×{size} RGB PNG", path.display());
    }
    buf.truncate(size * size * 3);
    Ok(buf)
}

/// `reelroom generate --prompt TEXT [--seed N] [--steps N] [--guidance G] [--seconds S]
///  [--avatar crop.png] [--remix-from DIR --strength S] [--model DIR | --torchscript FILE] --out DIR`
pub fn generate(args: &[String]) -> anyhow::Result<()> {
    let args = Args(args.to_vec());
    let text = args.get("--prompt").context("--prompt is required")?;
    let out = PathBuf::from(args.get("--out").context("--out is required")?);
    let mut opts = SampleOptions {
        steps: args.parse("--steps", engine::DEFAULT_STEPS)?,
        guidance: args.parse("--guidance", engine::DEFAULT_GUIDANCE)?,
        seed: args.parse("--seed", 0)?,
        ..Default::default()
    };
    if let Some(dir) = args.get("--remix-from") {
        let mut frames = Vec::new();
        for i in 0..FRAMES {
            frames.extend(read_png(&Path::new(dir).join(format!("{i:04}.png")), SIZE)?);
        }
        opts.remix = Some((frames, args.parse("--strength", 0.6)?));
    }
    let understood = world::v2::understand(text);
    let mut prompt = Prompt::text(&Vocab::new(), text);
    prompt = prompt.with_scene_seed(opts.seed);
    if let Some(crop) = args.get("--avatar") {
        prompt = prompt.with_avatar(read_png(Path::new(crop), REF_SIZE)?)?;
    }
    let load_start = Instant::now();
    let den = load_denoiser(&args)?;
    let loaded = load_start.elapsed();
    let start = Instant::now();
    let mut first_preview = None;
    let frames = match args.get("--seconds") {
        Some(s) => extend(den.as_ref(), &prompt, s.parse()?, &opts, &mut |_, _| true)?,
        None => {
            sample(den.as_ref(), &prompt, &opts, &mut |_| {
                first_preview.get_or_insert_with(|| start.elapsed());
                StepAction::Continue
            })?
            .frames
        }
    };
    let took = start.elapsed();
    // Model v2 upsamples its 64×64 core output to 128×128.
    let (frames, size) = match den.v2_for(&prompt) {
        Some(v2) => (v2.upsample_video(&frames, &prompt)?, engine::v2::V2_OUTPUT_SIZE),
        None => (frames, SIZE),
    };
    println!(
        "understood: {}",
        serde_json::to_string(&reelroom::understanding::understanding(&understood))?
    );
    let paths = engine::frames::write_pngs(&out, &frames, size)?;
    println!(
        "generated {} frames ({size}×{size}) in {:.2} s (first preview {:.0} ms, model load {:.0} ms, {} steps, guidance {}, {} on {:?}) → {}",
        paths.len(),
        took.as_secs_f64(),
        first_preview.map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        loaded.as_secs_f64() * 1000.0,
        opts.steps,
        opts.guidance,
        den.name(),
        den.device(),
        out.display()
    );
    Ok(())
}

/// `reelroom train [--v2] --out DIR [--init MODEL_DIR] [--steps N] [--batch N] [--lr X] [--seed N]`
pub fn train(args: &[String]) -> anyhow::Result<()> {
    let args = Args(args.to_vec());
    let opts = engine::train::TrainOptions {
        out: PathBuf::from(args.get("--out").context("--out is required")?),
        init: args.get("--init").map(PathBuf::from),
        steps: args.parse("--steps", 1000)?,
        batch: args.parse("--batch", 8)?,
        lr: args.parse("--lr", 3e-4)?,
        seed: args.parse("--seed", 1)?,
        save_every: args.parse("--save-every", 100)?,
        device: default_device(),
    };
    let run = if args.0.iter().any(|a| a == "--v2") {
        engine::train_v2::train_v2
    } else {
        engine::train::train
    };
    let meta = run(&opts, &mut |p| {
        let done = p.step * 30 / p.steps.max(1);
        let eta = (p.steps - p.step) as f64 / p.steps_per_s.max(1e-9);
        eprint!(
            "\r[{}{}] step {}/{} loss {:.4} {:.2} steps/s ETA {:.0} s ",
            "#".repeat(done),
            " ".repeat(30 - done),
            p.step,
            p.steps,
            p.loss,
            p.steps_per_s,
            eta
        );
    })?;
    eprintln!();
    println!(
        "trained to step {} (loss {:.4}); checkpoint in {}",
        meta.step,
        meta.loss,
        opts.out.display()
    );
    Ok(())
}

/// `reelroom eval [--prompts N] [--steps N] [--guidance G] [--json FILE] [--model DIR]`
pub fn eval(args: &[String]) -> anyhow::Result<()> {
    let args = Args(args.to_vec());
    let den = load_denoiser(&args)?;
    let opts = engine::eval::EvalOptions {
        prompts: args.parse("--prompts", 180)?,
        count_prompts: args.parse("--count-prompts", 24)?,
        continuity_prompts: args.parse("--continuity-prompts", 12)?,
        avatar_prompts: args.parse("--avatar-prompts", 12)?,
        steps: args.parse("--steps", engine::DEFAULT_STEPS)?,
        guidance: args.parse("--guidance", engine::DEFAULT_GUIDANCE)?,
        seed: args.parse("--seed", 99)?,
    };
    let mut done = 0;
    let mut progress = |_: &str| {
        done += 1;
        eprint!("\r{done} items ");
    };
    let json = if den.v2_for(&Prompt::null()).is_some() {
        let opts = engine::eval_v2::EvalV2Options {
            prompts: args.parse("--prompts", 48)?,
            steps: opts.steps,
            guidance: opts.guidance,
            seed: opts.seed,
            strips: args.get("--strips").map(PathBuf::from),
        };
        serde_json::to_string_pretty(&engine::eval_v2::evaluate_v2(den.as_ref(), &opts, &mut progress)?)?
    } else {
        serde_json::to_string_pretty(&engine::eval::evaluate(den.as_ref(), &opts, &mut progress)?)?
    };
    eprintln!();
    println!("{json}");
    if let Some(path) = args.get("--json") {
        std::fs::write(path, &json)?;
    }
    Ok(())
}

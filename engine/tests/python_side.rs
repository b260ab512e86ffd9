//! The engine against the installed PyTorch: the GPU trainer's twin model computes what the tch
//! model computes, and an exported TorchScript module runs in the sampler (bring your own model).

mod common;

use std::path::PathBuf;
use std::process::Command;

use engine::sampler::sample;
use engine::{Prompt, SampleOptions, StepAction, TorchScriptDenoiser};
use tch::{Device, Tensor};
use world::{Vocab, SIZE};

fn python() -> PathBuf {
    // The Makefile's venv (VIRTUAL_ENV) holds the torch that tch links against.
    std::env::var_os("VIRTUAL_ENV")
        .map(|v| PathBuf::from(v).join("bin/python"))
        .unwrap_or_else(|| PathBuf::from("python3"))
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/python")).join(name)
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("reelroom-{}-{name}", std::process::id()))
}

#[test]
fn python_twin_matches_the_tch_model() {
    let out = temp("twin.safetensors");
    let status = Command::new(python())
        .arg(script("twin_check.py"))
        .arg(common::model_dir().join("model.safetensors"))
        .arg(&out)
        .current_dir(script(""))
        .status()
        .expect("run python");
    assert!(status.success());
    let named: std::collections::HashMap<String, Tensor> =
        Tensor::read_safetensors(&out).expect("read").into_iter().collect();
    let den = common::shipped();
    let cond = den.model().encode(&named["tokens"], &named["ref"], &named["has_ref"]);
    let ours = tch::no_grad(|| {
        den.model()
            .forward(&named["x_t"], &named["t"], &cond, &named["known"], &named["known_mask"])
    });
    let diff = (ours - &named["out"]).abs().max().double_value(&[]);
    assert!(diff < 2e-3, "max |tch − pytorch| = {diff}");
    let _ = std::fs::remove_file(out);
}

#[test]
fn exported_torchscript_module_runs_in_the_sampler() {
    let path = temp("tiny.pt");
    let status = Command::new(python())
        .arg(script("export_tiny_denoiser.py"))
        .arg(&path)
        .status()
        .expect("run python");
    assert!(status.success());
    let den = TorchScriptDenoiser::load(&path, Device::Cpu).expect("load module");
    let vocab = Vocab::new();
    let prompt = Prompt::text(&vocab, "a red ball");
    let mut steps = 0;
    let g = sample(
        &den,
        &prompt,
        &SampleOptions {
            steps: 3,
            guidance: 1.0,
            ..Default::default()
        },
        &mut |_| {
            steps += 1;
            StepAction::Continue
        },
    )
    .expect("sample");
    assert_eq!(steps, 3);
    // The module predicts a flat grey whose level is the first token id × 0.01 − 1.
    let level = (prompt.tokens[0] as f64 * 0.01 - 1.0).clamp(-1.0, 1.0);
    let expected = ((level + 1.0) * 127.5).round() as u8;
    assert_eq!(g.frames.len(), common::CLIP_BYTES);
    assert!(
        g.frames.iter().all(|&v| v == expected),
        "frames are the module's prediction ({expected})"
    );
    assert_eq!(g.frames.len() / (SIZE * SIZE * 3), world::FRAMES);
    assert!(TorchScriptDenoiser::load(&temp("missing.pt"), Device::Cpu).is_err());
    let _ = std::fs::remove_file(path);
}

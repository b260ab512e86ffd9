//! A few optimiser steps on one tiny batch lower the loss; checkpoints save and resume.

use engine::train::{draw_times, loss, make_batch, train, TrainOptions};
use engine::NativeDenoiser;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Tensor};
use world::example::training_example;
use world::Vocab;

#[test]
fn training_steps_lower_the_loss_on_a_tiny_batch() {
    tch::set_num_threads(2);
    tch::manual_seed(0);
    let den = NativeDenoiser::random(Device::Cpu);
    let vocab = Vocab::new();
    let examples: Vec<_> = (0..2).map(|i| training_example(&vocab, 1, i)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let batch = make_batch(&examples, &mut rng, Device::Cpu);
    let t = draw_times(&mut rng, 2, Device::Cpu);
    let noise = Tensor::randn(batch.x0.size(), (Kind::Float, Device::Cpu));
    let mut opt = nn::AdamW::default().build(den.var_store(), 1e-3).expect("optimizer");
    let before = loss(&den, &batch, &t, &noise).double_value(&[]);
    for _ in 0..8 {
        opt.backward_step(&loss(&den, &batch, &t, &noise));
    }
    let after = loss(&den, &batch, &t, &noise).double_value(&[]);
    assert!(after < 0.8 * before, "loss {before} → {after}");
}

#[test]
fn train_command_saves_and_resumes() {
    tch::set_num_threads(2);
    let out = std::env::temp_dir().join(format!("reelroom-train-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut opts = TrainOptions {
        out: out.clone(),
        init: None,
        steps: 2,
        batch: 1,
        lr: 1e-4,
        seed: 3,
        save_every: 1,
        device: Device::Cpu,
    };
    let mut seen = Vec::new();
    let meta = train(&opts, &mut |p| seen.push(p.step)).expect("train");
    assert_eq!((meta.step, seen), (2, vec![1, 2]));
    assert!(out.join("model.safetensors").is_file());
    opts.steps = 3;
    let mut resumed = Vec::new();
    let meta = train(&opts, &mut |p| resumed.push(p.step)).expect("resume");
    assert_eq!((meta.step, resumed), (3, vec![3]), "resumes after the saved step");
    NativeDenoiser::load(&out, Device::Cpu).expect("a checkpoint loads as a model");
    let _ = std::fs::remove_dir_all(&out);
}

//! Model v2 end to end on the shipped weights: it loads as v2, reads prompts into scenes, and
//! everything v1 does still works through the same sampler — previews each step, a live
//! prompt swap, remix, extension that continues the planned motion — plus the 128×128
//! upsampler; concepts it was never trained on are drawn where the plan puts them.

use std::path::PathBuf;

use engine::sampler::{extend, sample};
use engine::{Denoiser, Prompt, SampleOptions, StepAction};
use tch::Device;
use world::v2::render::V2_SIZE;
use world::{Vocab, FRAMES, SIZE};

fn v2() -> Box<dyn Denoiser> {
    tch::set_num_threads(2);
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../models/reelroom-v2"));
    engine::load_native(&dir, Device::Cpu).expect("shipped v2 weights")
}

fn prompt(text: &str, seed: u64) -> Prompt {
    Prompt::text(&Vocab::new(), text).with_scene_seed(seed)
}

const CLIP: usize = FRAMES * SIZE * SIZE * 3;

#[test]
fn loads_as_v2_and_samples_with_previews_and_a_live_swap() {
    let den = v2();
    assert_eq!(den.name(), "reelroom-v2");
    let opts = SampleOptions {
        seed: 3,
        ..Default::default()
    };
    let mut steps = Vec::new();
    let g = sample(
        den.as_ref(),
        &prompt("a cat dancing on a rooftop at sunset", 3),
        &opts,
        &mut |p| {
            assert_eq!(p.frames.len(), CLIP);
            steps.push(p.step);
            if p.step == 2 {
                StepAction::Prompt(prompt("a dog swimming underwater", 3))
            } else {
                StepAction::Continue
            }
        },
    )
    .expect("sample");
    assert_eq!(steps, (1..=8).collect::<Vec<_>>());
    assert_eq!(g.frames.len(), CLIP);
    let again = sample(
        den.as_ref(),
        &prompt("a cat dancing on a rooftop at sunset", 3),
        &opts,
        &mut |_| StepAction::Continue,
    )
    .expect("sample");
    assert_ne!(again.frames, g.frames, "the live swap changed the result");
}

#[test]
fn upsamples_to_128_and_extends_and_remixes() {
    let den = v2();
    let v2 = den.v2_for(&prompt("a cat", 0)).expect("v2");
    let p = prompt("a polar bear walking on a snowy mountain", 1);
    let opts = SampleOptions {
        steps: 4,
        seed: 1,
        ..Default::default()
    };
    let video = extend(den.as_ref(), &p, 3.0, &opts, &mut |_, _| true).expect("extend");
    assert_eq!(video.len(), 24 * SIZE * SIZE * 3);
    let big = v2.upsample_video(&video, &p).expect("upsample");
    assert_eq!(big.len(), 24 * V2_SIZE * V2_SIZE * 3);
    let remix = SampleOptions {
        steps: 4,
        seed: 2,
        remix: Some((video[..CLIP].to_vec(), 0.5)),
        ..Default::default()
    };
    let r = sample(den.as_ref(), &p, &remix, &mut |_| StepAction::Continue).expect("remix");
    assert_eq!(r.frames.len(), CLIP);
}

#[test]
fn extension_chunks_continue_the_plan() {
    let p = prompt("a dog running on the beach", 4);
    let later = p.at_frame(12.0);
    let (a, b) = (p.scene.expect("scene"), later.scene.expect("scene"));
    assert_eq!(b.start_frame, 12.0);
    // Frame 12 of the first chunk's canvas is frame 0 of the next chunk's.
    let per = SIZE * SIZE * 4;
    assert_eq!(&a.canvas(SIZE)[12 * per..13 * per], &b.canvas(SIZE)[..per]);
}

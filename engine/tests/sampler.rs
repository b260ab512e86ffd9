//! The sampler on the shipped model: shapes, determinism, stopping, live prompt swap, remix
//! and extension.

mod common;

use common::*;
use engine::sampler::{extend, sample, NEW_FRAMES_PER_CHUNK};
use engine::{Prompt, SampleOptions, StepAction};
use world::{Colour, Vocab, FRAMES, SIZE};

fn prompt(text: &str) -> Prompt {
    Prompt::text(&Vocab::new(), text)
}

fn run(den: &engine::NativeDenoiser, text: &str, opts: &SampleOptions) -> engine::Generation {
    sample(den, &prompt(text), opts, &mut |_| StepAction::Continue).expect("sample")
}

#[test]
fn previews_every_step_and_same_seed_same_video() {
    let den = shipped();
    let opts = SampleOptions {
        seed: 5,
        ..Default::default()
    };
    let mut previews = Vec::new();
    let a = sample(&den, &prompt("a red ball bouncing on the floor"), &opts, &mut |p| {
        assert_eq!(p.frames.len(), CLIP_BYTES);
        previews.push((p.step, p.steps, p.frames.to_vec()));
        StepAction::Continue
    })
    .expect("sample");
    assert_eq!(a.frames.len(), CLIP_BYTES);
    assert_eq!(
        previews.iter().map(|p| p.0).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    assert_eq!(
        previews.last().map(|p| &p.2),
        Some(&a.frames),
        "the last preview is the result"
    );
    // Previews converge towards the result.
    assert!(mse(&previews[1].2, &a.frames) > mse(&previews[6].2, &a.frames));
    let b = run(&den, "a red ball bouncing on the floor", &opts);
    assert_eq!(a.frames, b.frames, "same seed, same video");
    let c = run(
        &den,
        "a red ball bouncing on the floor",
        &SampleOptions {
            seed: 6,
            ..Default::default()
        },
    );
    assert_ne!(a.frames, c.frames);
}

#[test]
fn red_and_blue_prompts_give_red_and_blue_objects() {
    let den = shipped();
    for seed in 0..2 {
        let red = run(
            &den,
            "a red ball",
            &SampleOptions {
                seed,
                ..Default::default()
            },
        );
        let blue = run(
            &den,
            "a blue ball",
            &SampleOptions {
                seed,
                ..Default::default()
            },
        );
        assert_eq!(dominant_colour(&red.frames), Some(Colour::Red));
        assert_eq!(dominant_colour(&blue.frames), Some(Colour::Blue));
    }
}

#[test]
fn callback_stops_the_run() {
    let den = shipped();
    let g = sample(&den, &prompt("a green square"), &SampleOptions::default(), &mut |p| {
        if p.step == 3 {
            StepAction::Stop
        } else {
            StepAction::Continue
        }
    })
    .expect("sample");
    assert!(g.stopped);
    assert_eq!(g.steps_run, 3);
}

#[test]
fn prompt_swapped_mid_run_takes_effect_at_the_next_step() {
    let den = shipped();
    let opts = SampleOptions {
        seed: 3,
        ..Default::default()
    };
    for swap_after in [1, 4] {
        let mut previews = Vec::new();
        let g = sample(&den, &prompt("a red ball moving right"), &opts, &mut |p| {
            previews.push(p.frames.to_vec());
            if p.step == swap_after {
                StepAction::Prompt(prompt("a blue ball moving right"))
            } else {
                StepAction::Continue
            }
        })
        .expect("sample");
        assert_eq!(
            dominant_colour(&previews[swap_after - 1]),
            Some(Colour::Red),
            "red before the edit"
        );
        assert_eq!(
            dominant_colour(&previews[swap_after]),
            Some(Colour::Blue),
            "blue from the next step (after {swap_after})"
        );
        assert_eq!(
            dominant_colour(&g.frames),
            Some(Colour::Blue),
            "the edit steers the rest of the run"
        );
        assert_eq!(g.steps_run, 8, "the run keeps its length");
        assert_ne!(
            g.frames,
            run(&den, "a blue ball moving right", &opts).frames,
            "not a restart"
        );
    }
}

#[test]
fn remix_keeps_the_source_at_small_strength_and_ignores_it_at_one() {
    let den = shipped();
    let source = run(
        &den,
        "a yellow triangle moving left",
        &SampleOptions {
            seed: 11,
            ..Default::default()
        },
    )
    .frames;
    let remix = |s: f64| {
        let opts = SampleOptions {
            seed: 12,
            remix: Some((source.clone(), s)),
            ..Default::default()
        };
        run(&den, "a purple ball bouncing", &opts).frames
    };
    let (near, far) = (mse(&remix(0.1), &source), mse(&remix(1.0), &source));
    assert!(near < 0.002, "s = 0.1 stays close to the source (mse {near})");
    assert!(far > 5.0 * near, "s = 1 ignores the source (mse {far} vs {near})");
    assert_eq!(dominant_colour(&remix(1.0)), Some(Colour::Purple));
}

#[test]
fn extension_continues_across_chunk_boundaries() {
    let den = shipped();
    let seconds = (FRAMES + NEW_FRAMES_PER_CHUNK) as f64 / world::FPS as f64;
    let mut chunks = 0;
    let frames = extend(
        &den,
        &prompt("a red square moving right"),
        seconds,
        &SampleOptions {
            seed: 2,
            ..Default::default()
        },
        &mut |_, _| {
            chunks += 1;
            true
        },
    )
    .expect("extend");
    assert_eq!(chunks, 2);
    assert_eq!(frames.len(), (FRAMES + NEW_FRAMES_PER_CHUNK) * SIZE * SIZE * 3);
    let c = clip(frames);
    assert_eq!(
        world::score::frame_colour(&c, FRAMES - 1),
        world::score::frame_colour(&c, FRAMES)
    );
    let track = world::score_clip(&c).track;
    let (a, b) = (
        track[FRAMES - 1].expect("object before"),
        track[FRAMES].expect("object after"),
    );
    let jump = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    assert!(jump < 6.0, "object jumps {jump} px at the boundary");
}

#[test]
fn bad_options_are_errors() {
    let den = shipped();
    let p = prompt("a ball");
    for opts in [
        SampleOptions {
            steps: 0,
            ..Default::default()
        },
        SampleOptions {
            steps: engine::MAX_STEPS + 1,
            ..Default::default()
        },
        SampleOptions {
            remix: Some((vec![0; 10], 0.5)),
            ..Default::default()
        },
        SampleOptions {
            remix: Some((vec![0; CLIP_BYTES], 0.0)),
            ..Default::default()
        },
        SampleOptions {
            context: Some(vec![0; 3]),
            ..Default::default()
        },
    ] {
        assert!(sample(&den, &p, &opts, &mut |_| StepAction::Continue).is_err());
    }
    assert!(extend(&den, &p, 61.0, &SampleOptions::default(), &mut |_, _| true).is_err());
    assert!(Prompt::null().with_avatar(vec![0; 5]).is_err());
}

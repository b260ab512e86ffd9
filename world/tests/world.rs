//! The procedural world: deterministic renders and captions, a complete vocabulary, and a
//! scorer that reads the ground truth back off rendered clips.

use std::collections::BTreeSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use world::example::training_example;
use world::*;

#[test]
fn renders_and_captions_are_deterministic() {
    let vocab = Vocab::new();
    for i in 0..20 {
        let a = training_example(&vocab, 7, i);
        let b = training_example(&vocab, 7, i);
        assert_eq!(a.frames, b.frames);
        assert_eq!(a.caption, b.caption);
        assert_eq!(a.reference, b.reference);
    }
    assert_ne!(
        training_example(&vocab, 7, 0).frames,
        training_example(&vocab, 8, 0).frames
    );
}

fn training_words(n: u64) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for i in 0..n {
        let mut rng = ChaCha8Rng::seed_from_u64(i);
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                allow_character: true,
                ..Default::default()
            },
        );
        for lang in [Lang::En, Lang::Fr] {
            words.extend(Vocab::words(&caption(&mut rng, &scene, lang, Phrasing::Train)));
        }
    }
    words
}

/// Every word of the training captions has its own id (`UPDATE_VOCAB=1` rewrites the list).
#[test]
fn vocab_covers_training_captions() {
    let words = training_words(30_000);
    if std::env::var_os("UPDATE_VOCAB").is_some() {
        let text: String = words.iter().map(|w| format!("{w}\n")).collect();
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/vocab.txt"), text).expect("write vocab");
        return;
    }
    let vocab = Vocab::new();
    let missing: Vec<&String> = words.iter().filter(|w| vocab.id(w).is_none()).collect();
    assert!(
        missing.is_empty(),
        "words missing from vocab.txt (run with UPDATE_VOCAB=1): {missing:?}"
    );
    // Held-out phrasings use words the model never saw in training.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let scene = sample_scene(
        &mut rng,
        &SceneRequest {
            count: Some(1),
            ..Default::default()
        },
    );
    let held: Vec<String> = (0..20)
        .flat_map(|_| Vocab::words(&caption(&mut rng, &scene, Lang::En, Phrasing::HeldOut)))
        .collect();
    assert!(
        held.iter().any(|w| vocab.id(w).is_none()),
        "held-out phrasings should bring unseen words"
    );
}

#[test]
fn scorer_reads_ground_truth() {
    let (mut colour, mut shape, mut motion, mut n) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for i in 0..300u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(1000 + i);
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                count: Some(1),
                ..Default::default()
            },
        );
        let clip = render_clip(&scene, 0.0, FRAMES, SIZE);
        let m = score_clip(&clip);
        let o = &scene.objects[0];
        n += 1;
        colour += usize::from(m.colour == Some(o.colour));
        shape += usize::from(m.shape == Some(o.shape));
        motion += usize::from(m.motion == Some(scene.motion));
        if m.motion != Some(scene.motion) {
            wrong.push((scene.motion, m.motion));
            if scene.motion == Motion::Bounce {
                let ys: Vec<i32> = m.track.iter().map(|p| p.map_or(-1, |p| p.1 as i32)).collect();
                println!("bounce track y {ys:?} path {:?}", o.path);
            }
        }
    }
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    println!(
        "scorer on ground truth: colour {:.1}% shape {:.1}% motion {:.1}% wrong motions {wrong:?}",
        pct(colour),
        pct(shape),
        pct(motion)
    );
    assert!(pct(colour) >= 98.0 && pct(shape) >= 95.0 && pct(motion) >= 95.0);
}

#[test]
fn scorer_counts_objects() {
    let mut right = 0;
    for i in 0..100u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(5000 + i);
        let count = 1 + (i % 3) as usize;
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                count: Some(count),
                motion: Some(Motion::Still),
                ..Default::default()
            },
        );
        right += usize::from(score_clip(&render_clip(&scene, 0.0, FRAMES, SIZE)).count == count);
    }
    assert!(right >= 90, "{right}/100 counts right");
}

#[test]
fn avatar_similarity_prefers_the_same_look() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut same, mut other) = (0.0, 0.0);
    for _ in 0..20 {
        let look = sample::random_look(&mut rng);
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                look: Some(look),
                ..Default::default()
            },
        );
        let clip = render_clip(&scene, 0.0, FRAMES, SIZE);
        same += score::avatar_similarity(&clip, &render_reference(&look));
        other += score::avatar_similarity(&clip, &render_reference(&sample::random_look(&mut rng)));
    }
    assert!(same > other * 1.5, "same {same} other {other}");
}

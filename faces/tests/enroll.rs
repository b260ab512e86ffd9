//! Enrolment end to end with the real dlib models and the packaged public-domain photo
//! (`make face-models` fetches both), on videos synthesized from that photo.

use faces::synth::{self, Photo, Pose, SynthOptions};
use faces::{
    analyse, distance, embed_face, enroll, FaceModels, Frame, Rejection, Turn, CROP_SIZE, REFERENCE_SIZE,
    SAME_PERSON_DISTANCE,
};

/// 10 s: centre, the person's left, centre, the person's right, centre.
const POSES: [(Pose, f32); 5] = [
    (Pose::Center, 2.0),
    (Pose::Left, 2.0),
    (Pose::Center, 2.0),
    (Pose::Right, 2.0),
    (Pose::Center, 2.0),
];

fn models() -> FaceModels {
    match FaceModels::load(&faces::default_model_dir()) {
        Ok(m) => m,
        Err(e) => panic!("{e} (run `make face-models`)"),
    }
}

fn photo() -> Photo {
    match synth::load_test_photo() {
        Ok(p) => p,
        Err(e) => panic!("{e} (run `make face-models`)"),
    }
}

fn video(photo: &Photo, opts: &SynthOptions) -> Vec<Vec<u8>> {
    synth::challenge_frames(photo, &POSES, opts).collect()
}

fn frames<'a>(video: &'a [Vec<u8>], opts: &SynthOptions) -> Vec<Frame<'a>> {
    let step = 1000 / opts.fps;
    video
        .iter()
        .enumerate()
        .map(|(k, rgb)| Frame {
            t_ms: k as u32 * step,
            width: opts.width,
            height: opts.height,
            rgb,
        })
        .collect()
}

fn run(video: &[Vec<u8>], opts: &SynthOptions, expected: &[Turn]) -> Result<faces::Enrolment, Rejection> {
    enroll(&models(), &frames(video, opts), expected, &mut |_| {})
}

/// Asserts the face was tracked in nearly every frame, so a quality rejection came from the
/// gate measuring that face, not from a missing face.
fn assert_face_tracked(video: &[Vec<u8>], opts: &SynthOptions) {
    let a = analyse(&models(), &frames(video, opts), &mut |_| {}, 1.0);
    let found = a.person.iter().filter(|p| p.is_some()).count();
    assert!(found * 10 >= a.sampled.len() * 9, "{found} of {}", a.sampled.len());
}

#[test]
fn following_the_challenge_enrols_the_person_in_the_photo() {
    let models = models();
    let photo = photo();
    let opts = SynthOptions::default();
    let video = video(&photo, &opts);
    assert_eq!(video.len(), 50);
    let mut progress = Vec::new();
    let result = enroll(&models, &frames(&video, &opts), &[Turn::Left, Turn::Right], &mut |p| {
        progress.push(p)
    });
    let e = match result {
        Ok(e) => e,
        Err(r) => panic!("rejected: {r}"),
    };
    assert_eq!(e.turns, vec![Turn::Left, Turn::Right]);
    assert_eq!(e.frames, 50);
    assert!(e.frames_with_face >= 45, "{} of 50", e.frames_with_face);
    assert_eq!(e.yaw.len() as u32, e.frames_with_face);
    assert!(e.yaw.iter().any(|&(_, y)| y > 0.1) && e.yaw.iter().any(|&(_, y)| y < -0.05));

    let original = Frame {
        t_ms: 0,
        width: photo.width,
        height: photo.height,
        rgb: &photo.rgb,
    };
    let reference = embed_face(&models, &original).expect("a face in the photo");
    let d = distance(&e.embedding, &reference);
    assert!(d < SAME_PERSON_DISTANCE, "distance {d}");

    assert_eq!(e.reference.len(), REFERENCE_SIZE * REFERENCE_SIZE * 3);
    assert_eq!(e.crops.len(), 3);
    for png in &e.crops {
        let img = image::load_from_memory(png).expect("a PNG");
        assert_eq!((img.width(), img.height()), (CROP_SIZE, CROP_SIZE));
    }

    assert_eq!(progress.first(), Some(&0.0));
    assert_eq!(progress.last(), Some(&1.0));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "progress goes forward");
}

#[test]
fn turns_in_the_wrong_order_do_not_follow_the_challenge() {
    let opts = SynthOptions::default();
    let video = video(&photo(), &opts);
    let result = run(&video, &opts, &[Turn::Right, Turn::Left]);
    assert_eq!(
        result.err(),
        Some(Rejection::ChallengeNotFollowed {
            expected: vec![Turn::Right, Turn::Left],
            seen: vec![Turn::Left, Turn::Right],
        })
    );
}

#[test]
fn a_photo_held_still_does_not_follow_the_challenge() {
    let opts = SynthOptions {
        still: true,
        ..SynthOptions::default()
    };
    let video = video(&photo(), &opts);
    let result = run(&video, &opts, &[Turn::Left, Turn::Right]);
    assert_eq!(
        result.err(),
        Some(Rejection::ChallengeNotFollowed {
            expected: vec![Turn::Left, Turn::Right],
            seen: vec![],
        })
    );
}

#[test]
fn two_people_are_refused() {
    let opts = SynthOptions {
        faces: 2,
        ..SynthOptions::default()
    };
    let video = video(&photo(), &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::TwoFaces)
    );
}

#[test]
fn a_video_without_a_face_is_refused() {
    let coffee = match synth::load_faceless_photo() {
        Ok(p) => p,
        Err(e) => panic!("{e} (run `make face-models`)"),
    };
    let opts = SynthOptions::default();
    let video = video(&coffee, &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::NoFace)
    );
}

#[test]
fn a_dark_video_is_refused_as_too_dark() {
    let opts = SynthOptions {
        brightness: 0.15,
        ..SynthOptions::default()
    };
    let video = video(&photo(), &opts);
    assert_face_tracked(&video, &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::TooDark)
    );
}

#[test]
fn a_blurred_video_is_refused_as_too_blurry() {
    let opts = SynthOptions::default();
    let video: Vec<Vec<u8>> = video(&photo(), &opts)
        .iter()
        .map(|f| synth::box_blur(f, opts.width, opts.height, 3))
        .collect();
    assert_face_tracked(&video, &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::TooBlurry)
    );
}

#[test]
fn a_tiny_face_is_refused_as_too_small() {
    let opts = SynthOptions {
        width: 160,
        height: 120,
        ..SynthOptions::default()
    };
    let video = video(&photo(), &opts);
    assert_face_tracked(&video, &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::FaceTooSmall)
    );
}

#[test]
fn a_dark_room_without_a_detectable_face_is_too_dark_not_faceless() {
    let coffee = match synth::load_faceless_photo() {
        Ok(p) => p,
        Err(e) => panic!("{e} (run `make face-models`)"),
    };
    let opts = SynthOptions {
        brightness: 0.1,
        ..SynthOptions::default()
    };
    let video = video(&coffee, &opts);
    assert_eq!(
        run(&video, &opts, &[Turn::Left, Turn::Right]).err(),
        Some(Rejection::TooDark)
    );
}

#[test]
fn a_square_recording_at_10_fps_with_the_other_order_enrols() {
    // What the server's own tests upload: 320×320 at 10 fps, 2 s per pose, right then left.
    let opts = SynthOptions {
        width: 320,
        height: 320,
        fps: 10,
        ..SynthOptions::default()
    };
    let poses = [
        (Pose::Center, 2.0),
        (Pose::Right, 2.0),
        (Pose::Left, 2.0),
        (Pose::Center, 2.0),
    ];
    let video: Vec<Vec<u8>> = synth::challenge_frames(&photo(), &poses, &opts).collect();
    match run(&video, &opts, &[Turn::Right, Turn::Left]) {
        Ok(e) => {
            assert_eq!(e.turns, vec![Turn::Right, Turn::Left]);
            assert_eq!(e.frames, 40, "10 fps thinned to one frame per 150 ms");
        }
        Err(r) => panic!("rejected: {r}"),
    }
}

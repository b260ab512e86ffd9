//! The model files, the packaged photo and the synthesized video files.

use faces::synth::{self, Pose, SynthOptions};
use faces::{detect_faces, enroll, FaceError, FaceModels, Frame, Rejection, Turn};

fn assert_send<T: Send>() {}

#[test]
fn models_can_move_to_a_worker_thread() {
    assert_send::<FaceModels>();
}

#[test]
fn a_missing_model_directory_says_what_to_run() {
    let err = FaceModels::load(std::path::Path::new("/nonexistent/face-models")).err();
    assert!(matches!(err, Some(FaceError::Missing { .. })), "{err:?}");
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("make face-models"), "{message}");
}

#[test]
fn the_recorded_face_box_of_the_test_photo_is_what_dlib_finds() {
    let models = FaceModels::load(&faces::default_model_dir()).expect("run `make face-models`");
    let photo = synth::load_test_photo().expect("run `make face-models`");
    let frame = Frame {
        t_ms: 0,
        width: photo.width,
        height: photo.height,
        rgb: &photo.rgb,
    };
    let found = detect_faces(&models, &frame);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].iou(&synth::TEST_PHOTO_FACE) > 0.9, "{found:?}");

    let coffee = synth::load_faceless_photo().expect("run `make face-models`");
    let frame = Frame {
        t_ms: 0,
        width: coffee.width,
        height: coffee.height,
        rgb: &coffee.rgb,
    };
    assert!(detect_faces(&models, &frame).is_empty());
}

#[test]
fn a_challenge_video_is_written_as_y4m_for_chromium() -> std::io::Result<()> {
    let photo = synth::load_test_photo().expect("run `make face-models`");
    let opts = SynthOptions {
        width: 320,
        height: 240,
        fps: 10,
        ..SynthOptions::default()
    };
    let poses = [(Pose::Center, 0.5), (Pose::Left, 0.5), (Pose::Right, 0.5)];
    let dir = std::env::temp_dir().join(format!("faces-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("challenge.y4m");
    synth::write_y4m(&path, synth::challenge_frames(&photo, &poses, &opts), 320, 240, 10)?;
    let bytes = std::fs::read(&path)?;
    let header = b"YUV4MPEG2 W320 H240 F10:1 Ip A1:1 C420jpeg\n";
    assert!(bytes.starts_with(header));
    assert_eq!(bytes.len(), header.len() + 15 * (6 + 320 * 240 * 3 / 2));
    std::fs::remove_dir_all(&dir)
}

#[test]
fn no_frames_or_malformed_frames_are_no_face() {
    let models = FaceModels::load(&faces::default_model_dir()).expect("run `make face-models`");
    assert_eq!(
        enroll(&models, &[], &[Turn::Left], &mut |_| {}).err(),
        Some(Rejection::NoFace)
    );
    let short = vec![0u8; 10];
    let bad: Vec<Frame> = (0..20)
        .map(|k| Frame {
            t_ms: k * 200,
            width: 64,
            height: 64,
            rgb: &short,
        })
        .collect();
    assert_eq!(
        enroll(&models, &bad, &[Turn::Left], &mut |_| {}).err(),
        Some(Rejection::NoFace)
    );
}

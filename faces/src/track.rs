//! Single-target tracking across the sampled frames: greedy association of each frame's faces
//! with the tracks seen so far (IoU, or a nearby centre at a similar size, since a head turning
//! at 5 fps can move most of a face width between samples). The longest track is the person;
//! any other track that shares enough frames with it is a second person.

use crate::{FaceBox, Rejection};

/// The person's face must be found in at least this fraction of the sampled frames, else
/// [`Rejection::NoFace`]. HOG misses some strongly turned frames; 0.6 leaves room for the
/// turns while refusing recordings where the face is mostly absent.
pub const MIN_FACE_FRACTION: f32 = 0.6;

/// A second face present together with the person's in at least this fraction of the sampled
/// frames is [`Rejection::TwoFaces`] (a single spurious detection is not).
pub const TWO_FACES_FRACTION: f32 = 0.2;

/// Association: IoU at least this with the track's last box …
const MIN_IOU: f32 = 0.3;
/// … or a centre within this many face sides and a size ratio within [`MAX_SIZE_RATIO`].
const MAX_CENTRE_SHIFT: f32 = 0.6;
const MAX_SIZE_RATIO: f32 = 1.5;
/// A track not seen for more than this many sampled frames is closed.
const MAX_GAP: usize = 5;

/// The tracking result: per sampled frame, the person's face if found there.
#[derive(Debug)]
pub(crate) struct Tracked {
    pub(crate) person: Vec<Option<FaceBox>>,
    /// Most frames any other track shares with the person's.
    pub(crate) second_face_frames: usize,
    /// Number of tracks (1 for a clean single-person video).
    pub(crate) tracks: usize,
}

impl Tracked {
    pub(crate) fn frames_with_face(&self) -> usize {
        self.person.iter().filter(|f| f.is_some()).count()
    }

    /// Consecutive runs of frames with the face (1 = never lost once found).
    pub(crate) fn runs(&self) -> usize {
        let mut runs = 0;
        let mut inside = false;
        for f in &self.person {
            if f.is_some() && !inside {
                runs += 1;
            }
            inside = f.is_some();
        }
        runs
    }

    /// [`Rejection::TwoFaces`] or [`Rejection::NoFace`] from the measured counts.
    pub(crate) fn check(&self) -> Result<(), Rejection> {
        let n = self.person.len().max(1) as f32;
        if self.second_face_frames as f32 >= TWO_FACES_FRACTION * n {
            return Err(Rejection::TwoFaces);
        }
        if (self.frames_with_face() as f32) < MIN_FACE_FRACTION * n {
            return Err(Rejection::NoFace);
        }
        Ok(())
    }
}

struct Track {
    boxes: Vec<(usize, FaceBox)>,
}

impl Track {
    fn last(&self) -> (usize, FaceBox) {
        self.boxes[self.boxes.len() - 1]
    }
}

fn affinity(last: &FaceBox, candidate: &FaceBox) -> Option<f32> {
    let iou = last.iou(candidate);
    if iou >= MIN_IOU {
        return Some(1.0 + iou);
    }
    let (ax, ay) = last.centre();
    let (bx, by) = candidate.centre();
    let shift = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt() / last.side().max(1.0);
    let ratio = candidate.side() / last.side().max(1.0);
    let similar = (1.0 / MAX_SIZE_RATIO..=MAX_SIZE_RATIO).contains(&ratio);
    (shift <= MAX_CENTRE_SHIFT && similar).then_some(1.0 - shift)
}

/// Tracks the faces of each sampled frame (`detections[i]` = boxes found in frame i).
pub(crate) fn track(detections: &[Vec<FaceBox>]) -> Tracked {
    let mut tracks: Vec<Track> = Vec::new();
    for (i, faces) in detections.iter().enumerate() {
        let mut pairs = Vec::new();
        for (t, track) in tracks.iter().enumerate() {
            let (seen, last) = track.last();
            if i - seen > MAX_GAP {
                continue;
            }
            for (d, face) in faces.iter().enumerate() {
                if let Some(score) = affinity(&last, face) {
                    pairs.push((score, t, d));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_used = vec![false; tracks.len()];
        let mut face_used = vec![false; faces.len()];
        for (_, t, d) in pairs {
            if !track_used[t] && !face_used[d] {
                track_used[t] = true;
                face_used[d] = true;
                tracks[t].boxes.push((i, faces[d]));
            }
        }
        for (d, face) in faces.iter().enumerate() {
            if !face_used[d] {
                tracks.push(Track {
                    boxes: vec![(i, *face)],
                });
            }
        }
    }

    let mean_side = |t: &Track| t.boxes.iter().map(|(_, b)| b.side()).sum::<f32>() / t.boxes.len() as f32;
    let main = tracks.iter().enumerate().max_by(|(_, a), (_, b)| {
        a.boxes
            .len()
            .cmp(&b.boxes.len())
            .then(mean_side(a).total_cmp(&mean_side(b)))
    });
    let mut person = vec![None; detections.len()];
    let mut second_face_frames = 0;
    if let Some((m, main)) = main {
        for (i, b) in &main.boxes {
            person[*i] = Some(*b);
        }
        for (t, other) in tracks.iter().enumerate() {
            if t != m {
                let shared = other.boxes.iter().filter(|(i, _)| person[*i].is_some()).count();
                second_face_frames = second_face_frames.max(shared);
            }
        }
    }
    Tracked {
        person,
        second_face_frames,
        tracks: tracks.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: f32, y: f32, s: f32) -> FaceBox {
        FaceBox { x, y, w: s, h: s }
    }

    #[test]
    fn one_moving_face_is_one_track() {
        let dets: Vec<Vec<FaceBox>> = (0..20)
            .map(|i| {
                if i % 7 == 3 {
                    vec![]
                } else {
                    vec![b(100.0 + 6.0 * i as f32, 80.0, 120.0)]
                }
            })
            .collect();
        let t = track(&dets);
        assert_eq!(t.tracks, 1);
        assert_eq!(t.frames_with_face(), 17);
        assert_eq!(t.check(), Ok(()));
    }

    #[test]
    fn a_second_face_in_many_frames_is_two_faces_but_one_false_alarm_is_not() {
        let mut dets: Vec<Vec<FaceBox>> = (0..20).map(|_| vec![b(50.0, 80.0, 110.0)]).collect();
        dets[4].push(b(300.0, 90.0, 90.0));
        assert_eq!(track(&dets).check(), Ok(()));
        for d in dets.iter_mut().take(12).skip(5) {
            d.push(b(300.0, 90.0, 100.0));
        }
        assert_eq!(track(&dets).check(), Err(Rejection::TwoFaces));
    }

    #[test]
    fn a_face_in_few_frames_is_no_face() {
        let dets: Vec<Vec<FaceBox>> = (0..20)
            .map(|i| if i < 8 { vec![b(50.0, 80.0, 110.0)] } else { vec![] })
            .collect();
        assert_eq!(track(&dets).check(), Err(Rejection::NoFace));
        assert_eq!(track(&[]).check(), Err(Rejection::NoFace));
    }
}

//! Recording challenges: a random order of head turns and random digits, so a recording made
//! for one challenge (or a photo) does not pass another. Plain functions; the routes store them.

use protocol::avatar::{ChallengeStep, CHALLENGE_DIGITS, CHALLENGE_TURNS};
use rand::Rng;

/// The steps of a new challenge: face the camera, the turns in a random order, then the digits.
pub fn new_steps(rng: &mut impl Rng) -> Vec<ChallengeStep> {
    let mut steps = vec![ChallengeStep::LookCenter];
    let mut left = rng.gen_bool(0.5);
    for _ in 0..CHALLENGE_TURNS {
        steps.push(if left {
            ChallengeStep::TurnLeft
        } else {
            ChallengeStep::TurnRight
        });
        // Turns alternate, so every turn is a real movement away from the previous pose.
        left = !left;
    }
    let digits: String = (0..CHALLENGE_DIGITS)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    steps.push(ChallengeStep::SayDigits { digits });
    steps
}

/// The head turns a challenge expects, in order.
pub fn expected_turns(steps: &[ChallengeStep]) -> Vec<faces::Turn> {
    steps
        .iter()
        .filter_map(|s| match s {
            ChallengeStep::TurnLeft => Some(faces::Turn::Left),
            ChallengeStep::TurnRight => Some(faces::Turn::Right),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_vary_and_alternate() {
        let mut rng = rand::thread_rng();
        let mut orders = std::collections::HashSet::new();
        for _ in 0..64 {
            let steps = new_steps(&mut rng);
            let turns = expected_turns(&steps);
            assert_eq!(turns.len(), CHALLENGE_TURNS);
            assert!(turns.windows(2).all(|w| w[0] != w[1]));
            orders.insert(format!("{turns:?}"));
            match steps.last() {
                Some(ChallengeStep::SayDigits { digits }) => {
                    assert_eq!(digits.len(), CHALLENGE_DIGITS);
                    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                }
                other => panic!("digits last, got {other:?}"),
            }
        }
        assert_eq!(orders.len(), 2, "both turn orders are drawn");
    }
}

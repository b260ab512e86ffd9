//! Which avatars a job casts and which crop each prompt gets: plain functions the room's
//! generation handler calls before asking the server's [`Casting`](crate::consent::Casting)
//! service, and again when live edits re-plan a running job.

use crate::consent::{AvatarRef, Cast};
use protocol::script::Shot;

/// `@handle`s in a prompt, lowercased, in order, without repeats (model v2 fills its avatar
/// slots in this order).
pub fn handles(prompt: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = prompt;
    while let Some(at) = rest.find('@') {
        let tail = &rest[at + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let handle = tail[..end].to_ascii_lowercase();
        if !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
        rest = &tail[end..];
    }
    out
}

/// Every avatar a shot casts: its `avatars` ids and the `@handle`s of its prompt.
pub fn shot_refs(shot: &Shot) -> Vec<AvatarRef> {
    let mut refs: Vec<AvatarRef> = shot.avatars.iter().map(|id| AvatarRef::Id(id.clone())).collect();
    refs.extend(handles(&shot.prompt).into_iter().map(AvatarRef::Handle));
    refs.dedup();
    refs
}

/// The crops for one shot's prompt: its `@handle`s in order, then avatars cast only by id.
pub fn crops_for(shot: &Shot, casts: &[Cast]) -> Vec<Vec<u8>> {
    let mut order: Vec<&Cast> = handles(&shot.prompt)
        .iter()
        .filter_map(|h| casts.iter().find(|c| c.handle == *h))
        .collect();
    for id in &shot.avatars {
        if let Some(c) = casts.iter().find(|c| c.avatar.to_string() == *id) {
            if !order.iter().any(|o| o.avatar == c.avatar) {
                order.push(c);
            }
        }
    }
    order.into_iter().map(|c| c.reference.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Leases;
    use uuid::Uuid;

    fn shot(prompt: &str, avatars: &[String]) -> Shot {
        Shot {
            id: "a".into(),
            prompt: prompt.into(),
            duration_s: 2.0,
            seed: 1,
            style: String::new(),
            avatars: avatars.to_vec(),
        }
    }

    #[test]
    fn handles_are_read_in_order_once() {
        assert_eq!(
            handles("@Alice dances with @bob_2, then @alice waves."),
            vec!["alice", "bob_2"]
        );
        assert!(handles("an email@ nobody").is_empty());
    }

    #[test]
    fn crops_follow_the_prompt_order_then_ids() {
        let leases = Leases::default();
        let cast = |handle: &str, byte: u8| {
            let avatar = Uuid::new_v4();
            Cast {
                avatar,
                handle: handle.into(),
                reference: vec![byte; 3],
                lease: leases.grant(avatar, Uuid::new_v4(), handle, 0).expect("fresh"),
            }
        };
        let (a, b, c) = (cast("alice", 1), cast("bob", 2), cast("carol", 3));
        let s = shot("@bob and @alice", &[c.avatar.to_string(), a.avatar.to_string()]);
        let casts = vec![a, b, c];
        assert_eq!(crops_for(&s, &casts), vec![vec![2; 3], vec![1; 3], vec![3; 3]]);
        let refs = shot_refs(&s);
        assert_eq!(refs.len(), 4);
        assert!(refs.contains(&AvatarRef::Handle("bob".into())));
    }
}

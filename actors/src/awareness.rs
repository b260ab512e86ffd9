//! Room presence (Yjs awareness): who is here, their name, colour and cursor.
//!
//! Plain Rust, owned by the room's `RoomSync`. Follows y-protocols' rules (a newer clock
//! wins; `null` with the same clock removes), adds what yrs leaves to servers: 30 s expiry,
//! per-connection ownership of client ids (one connection cannot overwrite or remove
//! another's presence), and removal of a connection's entries when it leaves.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::wire::{write_var_bytes, write_var_uint, Reader, WireError};
use crate::SessionId;

/// Entries not renewed for this long are removed (y-protocols `outdatedTimeout`).
pub const AWARENESS_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest JSON state one client may publish.
pub const MAX_AWARENESS_STATE_BYTES: usize = 8 * 1024;
/// Most client ids one connection may control (a stock client uses one).
pub const MAX_AWARENESS_CLIENTS_PER_SESSION: usize = 4;

#[derive(Debug, Clone)]
struct Entry {
    clock: u64,
    /// Raw JSON as the client sent it; `None` once removed (kept for the clock).
    state: Option<String>,
    updated: Instant,
    owner: SessionId,
}

/// Why an awareness update was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AwarenessError {
    /// Malformed encoding.
    #[error("malformed awareness update: {0}")]
    Wire(#[from] WireError),
    /// A state over [`MAX_AWARENESS_STATE_BYTES`].
    #[error("awareness state too large")]
    StateTooLarge,
    /// More client ids than [`MAX_AWARENESS_CLIENTS_PER_SESSION`].
    #[error("too many awareness client ids on one connection")]
    TooManyClients,
}

/// All awareness entries of one room.
#[derive(Debug, Default)]
pub struct AwarenessTable {
    entries: HashMap<u64, Entry>,
}

type Change = (u64, u64, Option<String>);

impl AwarenessTable {
    /// Applies an encoded awareness update from `session`. Returns the re-encoded entries that
    /// changed (to broadcast to everyone, sender included), or `None` if nothing changed.
    pub fn apply(
        &mut self,
        session: SessionId,
        update: &[u8],
        now: Instant,
    ) -> Result<Option<Vec<u8>>, AwarenessError> {
        let mut reader = Reader::new(update);
        let count = reader.var_uint()?;
        let mut changes: Vec<Change> = Vec::new();
        for _ in 0..count {
            let client = reader.var_uint()?;
            let clock = reader.var_uint()?;
            let json = reader.var_string()?;
            if json.len() > MAX_AWARENESS_STATE_BYTES {
                return Err(AwarenessError::StateTooLarge);
            }
            let state = (json != "null").then(|| json.to_owned());
            if let Some(change) = self.apply_entry(session, client, clock, state, now)? {
                changes.push(change);
            }
        }
        Ok((!changes.is_empty()).then(|| encode_entries(&changes)))
    }

    fn apply_entry(
        &mut self,
        session: SessionId,
        client: u64,
        clock: u64,
        state: Option<String>,
        now: Instant,
    ) -> Result<Option<Change>, AwarenessError> {
        if let Some(entry) = self.entries.get_mut(&client) {
            let live_elsewhere = entry.owner != session && entry.state.is_some();
            if live_elsewhere {
                return Ok(None); // another connection owns this client id
            }
            let newer = entry.clock < clock;
            let removal_at_same_clock = entry.clock == clock && state.is_none() && entry.state.is_some();
            if !(newer || removal_at_same_clock) {
                return Ok(None);
            }
            entry.clock = clock;
            entry.state = state.clone();
            entry.updated = now;
            entry.owner = session;
            return Ok(Some((client, clock, state)));
        }
        if state.is_none() {
            return Ok(None);
        }
        let owned = self
            .entries
            .values()
            .filter(|e| e.owner == session && e.state.is_some());
        if owned.count() >= MAX_AWARENESS_CLIENTS_PER_SESSION {
            return Err(AwarenessError::TooManyClients);
        }
        self.entries.insert(
            client,
            Entry {
                clock,
                state: state.clone(),
                updated: now,
                owner: session,
            },
        );
        Ok(Some((client, clock, state)))
    }

    /// Removes every live entry owned by `session` (it disconnected). Returns the removal
    /// update to broadcast, if there was anything to remove.
    pub fn remove_session(&mut self, session: SessionId) -> Option<Vec<u8>> {
        self.remove_where(|e| e.owner == session)
    }

    /// Removes entries not renewed within [`AWARENESS_TIMEOUT`].
    pub fn expire(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.remove_where(|e| now.duration_since(e.updated) >= AWARENESS_TIMEOUT)
    }

    fn remove_where(&mut self, mut predicate: impl FnMut(&Entry) -> bool) -> Option<Vec<u8>> {
        let mut changes = Vec::new();
        for (client, entry) in &mut self.entries {
            if entry.state.is_some() && predicate(entry) {
                entry.clock += 1;
                entry.state = None;
                changes.push((*client, entry.clock, None));
            }
        }
        // Removed entries keep their clock briefly so a late stale update is not re-added;
        // drop them once they are old, so the table does not grow forever.
        self.entries
            .retain(|_, e| e.state.is_some() || e.updated.elapsed() < AWARENESS_TIMEOUT);
        (!changes.is_empty()).then(|| encode_entries(&changes))
    }

    /// The full current state (answer to query-awareness and greeting for new sessions).
    pub fn full_state(&self) -> Option<Vec<u8>> {
        let live: Vec<Change> = self
            .entries
            .iter()
            .filter(|(_, e)| e.state.is_some())
            .map(|(client, e)| (*client, e.clock, e.state.clone()))
            .collect();
        (!live.is_empty()).then(|| encode_entries(&live))
    }

    /// Number of live entries.
    pub fn live_count(&self) -> usize {
        self.entries.values().filter(|e| e.state.is_some()).count()
    }
}

fn encode_entries(changes: &[Change]) -> Vec<u8> {
    let mut out = Vec::new();
    write_var_uint(&mut out, changes.len() as u64);
    for (client, clock, state) in changes {
        write_var_uint(&mut out, *client);
        write_var_uint(&mut out, *clock);
        write_var_bytes(&mut out, state.as_deref().unwrap_or("null").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(entries: &[(u64, u64, &str)]) -> Vec<u8> {
        let owned: Vec<Change> = entries
            .iter()
            .map(|(c, k, s)| (*c, *k, (*s != "null").then(|| s.to_string())))
            .collect();
        encode_entries(&owned)
    }

    #[test]
    fn newer_clock_wins_and_null_removes() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        assert!(table
            .apply(1, &update(&[(7, 1, "{\"a\":1}")]), now)
            .expect("ok")
            .is_some());
        assert!(table
            .apply(1, &update(&[(7, 1, "{\"a\":2}")]), now)
            .expect("ok")
            .is_none());
        assert!(table
            .apply(1, &update(&[(7, 2, "{\"a\":2}")]), now)
            .expect("ok")
            .is_some());
        assert_eq!(table.live_count(), 1);
        assert!(table.apply(1, &update(&[(7, 2, "null")]), now).expect("ok").is_some());
        assert_eq!(table.live_count(), 0);
    }

    #[test]
    fn another_session_cannot_take_over_a_live_client_id() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(1, &update(&[(7, 1, "{}")]), now).expect("ok");
        assert!(table.apply(2, &update(&[(7, 5, "null")]), now).expect("ok").is_none());
        assert_eq!(table.live_count(), 1);
    }

    #[test]
    fn leaving_and_expiry_remove_entries_with_a_bumped_clock() {
        let mut table = AwarenessTable::default();
        let start = Instant::now();
        table.apply(1, &update(&[(7, 3, "{}")]), start).expect("ok");
        table.apply(2, &update(&[(8, 1, "{}")]), start).expect("ok");
        assert_eq!(table.remove_session(1), Some(update(&[(7, 4, "null")])));
        assert_eq!(table.live_count(), 1);
        assert!(table.expire(start + Duration::from_secs(5)).is_none());
        assert_eq!(table.expire(start + AWARENESS_TIMEOUT), Some(update(&[(8, 2, "null")])));
        assert_eq!(table.live_count(), 0);
    }

    #[test]
    fn limits_are_enforced() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let big = format!("\"{}\"", "x".repeat(MAX_AWARENESS_STATE_BYTES));
        assert_eq!(
            table.apply(1, &update(&[(1, 1, &big)]), now),
            Err(AwarenessError::StateTooLarge)
        );
        let many: Vec<(u64, u64, &str)> = (0..=MAX_AWARENESS_CLIENTS_PER_SESSION as u64)
            .map(|c| (c, 1, "{}"))
            .collect();
        assert_eq!(table.apply(1, &update(&many), now), Err(AwarenessError::TooManyClients));
        assert!(table.apply(1, &[5, 1], now).is_err());
    }
}

//! Room presence (Yjs awareness): who is here, their name, colour and cursor.
//!
//! Plain Rust, owned by the room's `RoomSync`. Follows y-protocols' rules (a newer clock
//! wins; `null` with the same clock removes), adds what yrs leaves to servers: 30 s expiry,
//! per-connection ownership of client ids (one connection cannot overwrite or remove
//! another's presence), and removal of a connection's entries when it leaves.
//!
//! Every operation on one entry is O(1): each connection's ids are counted in their own
//! map, never by scanning the table. States are parsed: only JSON objects are stored,
//! `user.name` is the account's name whatever the client wrote, and colours must be hex.

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
/// Client ids one connection may ever introduce, live or removed (removed ones are kept
/// [`AWARENESS_TIMEOUT`] for their clock). A stock client introduces one per connection.
pub const MAX_AWARENESS_IDS_PER_SESSION: usize = 16;
/// Entries one awareness message may carry (a stock client sends its own only).
pub const MAX_AWARENESS_ENTRIES_PER_MESSAGE: usize = 8;

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
    /// More client ids than [`MAX_AWARENESS_CLIENTS_PER_SESSION`] live or
    /// [`MAX_AWARENESS_IDS_PER_SESSION`] in all.
    #[error("too many awareness client ids on one connection")]
    TooManyClients,
    /// More than [`MAX_AWARENESS_ENTRIES_PER_MESSAGE`] entries in one message.
    #[error("too many entries in one awareness message")]
    TooManyEntries,
    /// A state that is not a JSON object (or `null`).
    #[error("awareness state is not a JSON object")]
    NotAnObject,
}

/// Client ids a connection has introduced.
#[derive(Debug, Default, Clone, Copy)]
struct Owned {
    live: usize,
    total: usize,
}

/// All awareness entries of one room.
#[derive(Debug, Default)]
pub struct AwarenessTable {
    entries: HashMap<u64, Entry>,
    owned: HashMap<SessionId, Owned>,
    live: usize,
}

type Change = (u64, u64, Option<String>);

impl AwarenessTable {
    /// Applies an encoded awareness update from `session`. Returns the re-encoded entries that
    /// changed (to broadcast to everyone, sender included), or `None` if nothing changed.
    pub fn apply(
        &mut self,
        session: SessionId,
        username: &str,
        update: &[u8],
        now: Instant,
    ) -> Result<Option<Vec<u8>>, AwarenessError> {
        let mut reader = Reader::new(update);
        let count = reader.var_uint()?;
        if count > MAX_AWARENESS_ENTRIES_PER_MESSAGE as u64 {
            return Err(AwarenessError::TooManyEntries);
        }
        let mut changes: Vec<Change> = Vec::new();
        for _ in 0..count {
            let client = reader.var_uint()?;
            let clock = reader.var_uint()?;
            let json = reader.var_string()?;
            if json.len() > MAX_AWARENESS_STATE_BYTES {
                return Err(AwarenessError::StateTooLarge);
            }
            let state = sanitize_state(json, username)?;
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
            let (was_live, now_live) = (entry.state.is_some(), state.is_some());
            let previous_owner = entry.owner;
            if !was_live && now_live {
                // A removed id revived (by its old owner or by a new connection).
                let owned = self.owned.entry(session).or_default();
                let new_id = usize::from(previous_owner != session);
                if owned.live >= MAX_AWARENESS_CLIENTS_PER_SESSION
                    || owned.total + new_id > MAX_AWARENESS_IDS_PER_SESSION
                {
                    return Err(AwarenessError::TooManyClients);
                }
            }
            entry.clock = clock;
            entry.state = state.clone();
            entry.updated = now;
            entry.owner = session;
            match (was_live, now_live) {
                (true, false) => self.count_removed(previous_owner),
                (false, true) => {
                    self.forget_owner(previous_owner);
                    self.count_added(session);
                }
                _ => {}
            }
            return Ok(Some((client, clock, state)));
        }
        if state.is_none() {
            return Ok(None);
        }
        let owned = self.owned.entry(session).or_default();
        if owned.live >= MAX_AWARENESS_CLIENTS_PER_SESSION || owned.total >= MAX_AWARENESS_IDS_PER_SESSION {
            return Err(AwarenessError::TooManyClients);
        }
        self.count_added(session);
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

    fn count_added(&mut self, session: SessionId) {
        let owned = self.owned.entry(session).or_default();
        owned.live += 1;
        owned.total += 1;
        self.live += 1;
    }

    fn count_removed(&mut self, session: SessionId) {
        if let Some(owned) = self.owned.get_mut(&session) {
            owned.live = owned.live.saturating_sub(1);
        }
        self.live = self.live.saturating_sub(1);
    }

    /// A removed entry changed hands: its old owner no longer holds it.
    fn forget_owner(&mut self, session: SessionId) {
        if let Some(owned) = self.owned.get_mut(&session) {
            owned.total = owned.total.saturating_sub(1);
        }
    }

    /// Removes every live entry owned by `session` (it disconnected). Returns the removal
    /// update to broadcast, if there was anything to remove.
    pub fn remove_session(&mut self, session: SessionId) -> Option<Vec<u8>> {
        let removal = self.remove_where(|e| e.owner == session);
        self.owned.remove(&session);
        removal
    }

    /// Removes entries not renewed within [`AWARENESS_TIMEOUT`].
    pub fn expire(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.remove_where(|e| now.duration_since(e.updated) >= AWARENESS_TIMEOUT)
    }

    fn remove_where(&mut self, mut predicate: impl FnMut(&Entry) -> bool) -> Option<Vec<u8>> {
        let mut changes = Vec::new();
        let mut removed_from = Vec::new();
        for (client, entry) in &mut self.entries {
            if entry.state.is_some() && predicate(entry) {
                entry.clock += 1;
                entry.state = None;
                changes.push((*client, entry.clock, None));
                removed_from.push(entry.owner);
            }
        }
        for owner in removed_from {
            self.count_removed(owner);
        }
        // Removed entries keep their clock briefly so a late stale update is not re-added;
        // drop them once they are old, so the table does not grow forever.
        let mut forgotten = Vec::new();
        self.entries.retain(|_, e| {
            let keep = e.state.is_some() || e.updated.elapsed() < AWARENESS_TIMEOUT;
            if !keep {
                forgotten.push(e.owner);
            }
            keep
        });
        for owner in forgotten {
            self.forget_owner(owner);
        }
        self.owned.retain(|_, o| o.total > 0);
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
        self.live
    }
}

/// The state to store for `json` from `username`'s connection: `None` for a removal, the
/// re-serialized object otherwise, with `user.name` set to the account name (no one can
/// appear as someone else) and non-hex colours dropped (they end up in CSS).
fn sanitize_state(json: &str, username: &str) -> Result<Option<String>, AwarenessError> {
    if json == "null" {
        return Ok(None);
    }
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(|_| AwarenessError::NotAnObject)?;
    let object = value.as_object_mut().ok_or(AwarenessError::NotAnObject)?;
    if let Some(user) = object.get_mut("user") {
        let Some(user) = user.as_object_mut() else {
            return Err(AwarenessError::NotAnObject);
        };
        user.insert("name".into(), serde_json::Value::from(username));
        for key in ["color", "colorLight"] {
            if user.get(key).is_some_and(|c| !c.as_str().is_some_and(is_hex_colour)) {
                user.remove(key);
            }
        }
    }
    serde_json::to_string(&value)
        .map(Some)
        .map_err(|_| AwarenessError::NotAnObject)
}

/// `#rgb`, `#rrggbb` or `#rrggbbaa`.
fn is_hex_colour(text: &str) -> bool {
    text.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
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
            .apply(1, "ann", &update(&[(7, 1, "{\"a\":1}")]), now)
            .expect("ok")
            .is_some());
        assert!(table
            .apply(1, "ann", &update(&[(7, 1, "{\"a\":2}")]), now)
            .expect("ok")
            .is_none());
        assert!(table
            .apply(1, "ann", &update(&[(7, 2, "{\"a\":2}")]), now)
            .expect("ok")
            .is_some());
        assert_eq!(table.live_count(), 1);
        assert!(table
            .apply(1, "ann", &update(&[(7, 2, "null")]), now)
            .expect("ok")
            .is_some());
        assert_eq!(table.live_count(), 0);
    }

    #[test]
    fn another_session_cannot_take_over_a_live_client_id() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(1, "ann", &update(&[(7, 1, "{}")]), now).expect("ok");
        assert!(table
            .apply(2, "ann", &update(&[(7, 5, "null")]), now)
            .expect("ok")
            .is_none());
        assert_eq!(table.live_count(), 1);
    }

    #[test]
    fn leaving_and_expiry_remove_entries_with_a_bumped_clock() {
        let mut table = AwarenessTable::default();
        let start = Instant::now();
        table.apply(1, "ann", &update(&[(7, 3, "{}")]), start).expect("ok");
        table.apply(2, "ann", &update(&[(8, 1, "{}")]), start).expect("ok");
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
            table.apply(1, "ann", &update(&[(1, 1, &big)]), now),
            Err(AwarenessError::StateTooLarge)
        );
        let many: Vec<(u64, u64, &str)> = (0..=MAX_AWARENESS_CLIENTS_PER_SESSION as u64)
            .map(|c| (c, 1, "{}"))
            .collect();
        assert_eq!(
            table.apply(1, "ann", &update(&many), now),
            Err(AwarenessError::TooManyClients)
        );
        assert!(table.apply(1, "ann", &[5, 1], now).is_err());
    }

    #[test]
    fn tombstones_per_connection_are_bounded() {
        // The audit's freeze: (id, 1, "{}"), (id, 1, "null") pairs by the hundred thousand.
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let mut refused = None;
        for id in 0..1_000u64 {
            let pair = update(&[(id, 1, "{}"), (id, 1, "null")]);
            if let Err(err) = table.apply(1, "ann", &pair, now) {
                refused = Some((id, err));
                break;
            }
        }
        assert_eq!(
            refused,
            Some((MAX_AWARENESS_IDS_PER_SESSION as u64, AwarenessError::TooManyClients))
        );
        assert!(table.entries.len() <= MAX_AWARENESS_IDS_PER_SESSION);
        let many: Vec<(u64, u64, &str)> = (0..=MAX_AWARENESS_ENTRIES_PER_MESSAGE as u64)
            .map(|c| (100 + c, 1, "null"))
            .collect();
        assert_eq!(
            table.apply(2, "bob", &update(&many), now),
            Err(AwarenessError::TooManyEntries)
        );
        // Leaving frees the connection's accounting.
        table.remove_session(1);
        assert!(!table.owned.contains_key(&1) || table.owned[&1].live == 0);
    }

    #[test]
    fn states_are_parsed_names_are_the_account_and_colours_are_hex() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let spoof = r##"{"user":{"name":"alice","color":"url(http://x.example/t.png)","colorLight":"#30bced33"},"cursor":null}"##;
        let changed = table
            .apply(1, "mallory", &update(&[(7, 1, spoof)]), now)
            .expect("ok")
            .expect("changed");
        let mut reader = Reader::new(&changed);
        assert_eq!(reader.var_uint(), Ok(1));
        reader.var_uint().expect("client");
        reader.var_uint().expect("clock");
        let state: serde_json::Value = serde_json::from_str(reader.var_string().expect("json")).expect("json");
        assert_eq!(state["user"]["name"], "mallory");
        assert!(state["user"].get("color").is_none());
        assert_eq!(state["user"]["colorLight"], "#30bced33");
        for bad in ["{this is not json", "[1,2]", "42", r#"{"user":"alice"}"#] {
            assert_eq!(
                table.apply(1, "mallory", &update(&[(8, 1, bad)]), now),
                Err(AwarenessError::NotAnObject),
                "{bad}"
            );
        }
    }
}

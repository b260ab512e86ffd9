//! A bounded pre-scan of Yjs v1 updates and state vectors, run before any yrs call.
//!
//! yrs decodes nested values recursively with no depth limit (a stack overflow aborts the
//! process; `catch_unwind` cannot stop it) and reserves memory for counts it reads from the
//! wire. This walker reads the same structure iteratively except for nested values, whose
//! depth it bounds, checks every count against the bytes actually left, and accepts only the
//! subset of the format that yrs and stock Yjs read the same way. `RoomSync` calls it on every
//! editor update and step 1; the fuzz targets call it directly.
//!
//! Grammar (y-protocols / lib0 v1): `update := clients{ structs client clock struct* } deleteSet`.

use std::collections::HashMap;

use thiserror::Error;

use crate::wire::{Reader, WireError};

/// Deepest nesting of arrays / maps / JSON allowed in one value. Scripts use flat values;
/// 64 keeps yrs's recursion far inside a room thread's stack and loads in every Yjs client.
pub const MAX_VALUE_DEPTH: usize = 64;
/// Highest clock a struct may reach: yrs keeps clocks in `u32` (it panics past it).
pub const MAX_CLOCK: u64 = u32::MAX as u64;
/// Client ids are 53-bit (JavaScript-safe) integers; yrs asserts it and aliases larger ones.
pub const MAX_CLIENT_ID: u64 = (1 << 53) - 1;

/// Item content kinds (Yjs `contentRefs`) and the two non-item structs.
const STRUCT_GC: u8 = 0;
const STRUCT_SKIP: u8 = 10;
const CONTENT_DELETED: u8 = 1;
const CONTENT_BINARY: u8 = 3;
const CONTENT_STRING: u8 = 4;
const CONTENT_EMBED: u8 = 5;
const CONTENT_FORMAT: u8 = 6;
const CONTENT_TYPE: u8 = 7;
const CONTENT_ANY: u8 = 8;
/// Item info bits.
const HAS_ORIGIN: u8 = 0x80;
const HAS_RIGHT_ORIGIN: u8 = 0x40;
const HAS_PARENT_SUB: u8 = 0x20;
const CONTENT_MASK: u8 = 0x1f;
/// Shared type kinds an item may create: array, map, text, xml element, xml fragment, xml
/// text. Hooks (Yjs and yrs disagree on their encoding), weak links and subdocuments are
/// refused; the app uses none of them.
const TYPE_XML_ELEMENT: u64 = 3;
const ALLOWED_TYPES: [u64; 6] = [0, 1, 2, 3, 4, 6];
/// `readAny` tags (lib0).
const ANY_UNDEFINED: u8 = 127;
const ANY_NULL: u8 = 126;
const ANY_INT: u8 = 125;
const ANY_F32: u8 = 124;
const ANY_F64: u8 = 123;
const ANY_BIGINT: u8 = 122;
const ANY_FALSE: u8 = 121;
const ANY_TRUE: u8 = 120;
const ANY_STRING: u8 = 119;
const ANY_MAP: u8 = 118;
const ANY_ARRAY: u8 = 117;
const ANY_BUFFER: u8 = 116;

/// Why bytes are not an acceptable update or state vector.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScanError {
    /// Truncated, or a bad varint or string.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// A declared count larger than the bytes that could hold it.
    #[error("count {0} exceeds the bytes left")]
    CountTooLarge(u64),
    /// Values nested deeper than [`MAX_VALUE_DEPTH`].
    #[error("value nested deeper than {MAX_VALUE_DEPTH}")]
    TooDeep,
    /// A struct, content, type or value kind outside the accepted subset.
    #[error("unsupported {0} {1}")]
    Unsupported(&'static str, u64),
    /// A clock past [`MAX_CLOCK`], or an empty struct.
    #[error("bad clock or length")]
    BadClock,
    /// A client id past [`MAX_CLIENT_ID`].
    #[error("client id out of range")]
    BadClient,
    /// Bytes after the delete set.
    #[error("trailing bytes")]
    Trailing,
}

/// Clients one update may carry structs of. A client's own edits carry one; a reconnecting
/// client may carry a few more (edits it got from its other tabs). The bound also bounds the
/// work of [`UpdateShape::integrates_after`].
pub const MAX_CLIENTS_PER_UPDATE: u64 = 32;

/// One struct of a run: its clock, length and which ids it builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StructDeps {
    clock: u64,
    len: u64,
    /// Index range into [`UpdateShape::refs`].
    refs: std::ops::Range<usize>,
}

/// What a well-formed update holds, for callers that want to know without decoding.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpdateShape {
    /// Per client: the clock its structs start at and the clock after them.
    pub ranges: HashMap<u64, (u64, u64)>,
    /// Per client, its structs in order (what they refer to: origins and parents).
    runs: Vec<(u64, Vec<StructDeps>)>,
    /// Every referenced id `(client, clock)`, indexed by the structs.
    refs: Vec<(u64, u64)>,
    /// Per client: one past the highest clock the delete set names.
    deletes_need: HashMap<u64, u64>,
    /// Skip structs (gaps): a client's own edits never hold any.
    pub skips: u64,
    /// Structs (items, GCs, skips) across all clients.
    pub structs: u64,
    /// Deleted ranges in the delete set.
    pub deleted_ranges: u64,
    /// Items that create a shared type (array, map, text, xml). Shared types nest only inside
    /// other shared types, so a document's nesting depth is at most its number of types; yrs
    /// deletes and serializes nested types recursively, so `RoomSync` bounds that number.
    pub types: u64,
}

impl UpdateShape {
    /// True for an update that changes nothing (`00 00`, what a client with nothing new sends).
    pub fn is_empty(&self) -> bool {
        self.structs == 0 && self.deleted_ranges == 0
    }

    /// Whether a document whose state vector is `known` (client → next clock) integrates the
    /// whole update at once, as Yjs's causal order guarantees for real edits: every struct
    /// continues its client's clock and refers only to ids that exist before it (in the
    /// document, or earlier in the update: never itself or something later, which yrs would
    /// keep pending, and yrs panics encoding some pending states); the delete set names only
    /// existing ids. Work: at most (structs + 1) × clients steps.
    pub fn integrates_after(&self, known: impl Fn(u64) -> u64) -> bool {
        if self.skips > 0 {
            return false;
        }
        let mut have: HashMap<u64, u64> = HashMap::new();
        let now = |client: u64, have: &HashMap<u64, u64>| have.get(&client).copied().unwrap_or_else(|| known(client));
        for (client, run) in &self.runs {
            let start = run.first().map_or(0, |s| s.clock);
            let base = now(*client, &have);
            if start > base {
                return false; // a gap before the run
            }
            have.insert(*client, base);
        }
        let mut cursors = vec![0usize; self.runs.len()];
        loop {
            let mut progress = false;
            for (run_index, (client, run)) in self.runs.iter().enumerate() {
                while let Some(item) = run.get(cursors[run_index]) {
                    let ready = self.refs[item.refs.clone()]
                        .iter()
                        .all(|&(c, k)| k < now(c, &have).min(if c == *client { item.clock } else { u64::MAX }));
                    if !ready {
                        break;
                    }
                    let end = item.clock + item.len;
                    let entry = have.entry(*client).or_insert(0);
                    *entry = (*entry).max(end);
                    cursors[run_index] += 1;
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        let all_done = self.runs.iter().zip(&cursors).all(|((_, run), &at)| at == run.len());
        all_done
            && self
                .deletes_need
                .iter()
                .all(|(&client, &end)| end <= now(client, &have))
    }
}

/// Reads a client id.
fn client_id(reader: &mut Reader<'_>) -> Result<u64, ScanError> {
    let client = reader.var_uint()?;
    if client > MAX_CLIENT_ID {
        return Err(ScanError::BadClient);
    }
    Ok(client)
}

/// Reads a count and refuses it if even `min_bytes_each` per element would not fit.
fn count(reader: &mut Reader<'_>, min_bytes_each: u64) -> Result<u64, ScanError> {
    let n = reader.var_uint()?;
    if n.saturating_mul(min_bytes_each) > reader.remaining() as u64 {
        return Err(ScanError::CountTooLarge(n));
    }
    Ok(n)
}

/// Scans a v1 update. `Ok` means yrs can decode it without deep recursion or large
/// reservations.
pub fn scan_update_v1(bytes: &[u8]) -> Result<UpdateShape, ScanError> {
    let mut reader = Reader::new(bytes);
    let mut shape = UpdateShape::default();
    let clients = count(&mut reader, 3)?;
    if clients > MAX_CLIENTS_PER_UPDATE {
        return Err(ScanError::Unsupported("clients in one update", clients));
    }
    for _ in 0..clients {
        let structs = count(&mut reader, 1)?;
        let client = client_id(&mut reader)?;
        let start = reader.var_uint()?;
        let mut clock = start;
        let mut run = Vec::new();
        for _ in 0..structs {
            let first_ref = shape.refs.len();
            let (len, is_type) = scan_struct(&mut reader, &mut shape)?;
            shape.types += u64::from(is_type);
            run.push(StructDeps {
                clock,
                len,
                refs: first_ref..shape.refs.len(),
            });
            clock = clock.checked_add(len).ok_or(ScanError::BadClock)?;
            if clock > MAX_CLOCK {
                return Err(ScanError::BadClock);
            }
        }
        if structs > 0 {
            shape.runs.push((client, run));
        }
        shape.structs += structs;
        // Encoders write each client's structs as one run; a client listed twice could hide a
        // gap or an overlap between its runs (yrs overflowed integrating one: fuzz corpus
        // `update_scan/regression-gc-gap`).
        if structs > 0 && shape.ranges.insert(client, (start, clock)).is_some() {
            return Err(ScanError::Unsupported("client listed twice", client));
        }
    }
    shape.deleted_ranges = scan_delete_set(&mut reader, &mut shape)?;
    if reader.has_content() {
        return Err(ScanError::Trailing);
    }
    Ok(shape)
}

/// Scans a v1 state vector: `count (client clock)*`.
pub fn scan_state_vector_v1(bytes: &[u8]) -> Result<u64, ScanError> {
    let mut reader = Reader::new(bytes);
    let entries = count(&mut reader, 2)?;
    for _ in 0..entries {
        client_id(&mut reader)?;
        if reader.var_uint()? > MAX_CLOCK {
            return Err(ScanError::BadClock);
        }
    }
    if reader.has_content() {
        return Err(ScanError::Trailing);
    }
    Ok(entries)
}

fn scan_delete_set(reader: &mut Reader<'_>, shape: &mut UpdateShape) -> Result<u64, ScanError> {
    let mut ranges_total = 0;
    let clients = count(reader, 2)?;
    for _ in 0..clients {
        let client = client_id(reader)?;
        let ranges = count(reader, 2)?;
        for _ in 0..ranges {
            let clock = reader.var_uint()?;
            let len = reader.var_uint()?;
            let end = clock.checked_add(len).ok_or(ScanError::BadClock)?;
            if len == 0 || end > MAX_CLOCK {
                return Err(ScanError::BadClock);
            }
            let need = shape.deletes_need.entry(client).or_default();
            *need = (*need).max(end);
        }
        ranges_total += ranges;
    }
    Ok(ranges_total)
}

/// Reads an item id and records that the update builds on it.
fn referenced_id(reader: &mut Reader<'_>, shape: &mut UpdateShape) -> Result<(), ScanError> {
    let client = client_id(reader)?;
    let clock = reader.var_uint()?;
    if clock >= MAX_CLOCK {
        return Err(ScanError::BadClock);
    }
    shape.refs.push((client, clock));
    Ok(())
}

/// One struct; returns its length in clock units and whether it creates a shared type.
fn scan_struct(reader: &mut Reader<'_>, shape: &mut UpdateShape) -> Result<(u64, bool), ScanError> {
    let info = reader.u8()?;
    match info {
        STRUCT_GC | STRUCT_SKIP => {
            let len = reader.var_uint()?;
            if len == 0 || len > MAX_CLOCK {
                return Err(ScanError::BadClock);
            }
            shape.skips += u64::from(info == STRUCT_SKIP);
            return Ok((len, false));
        }
        _ => {}
    }
    let content = info & CONTENT_MASK;
    if info & HAS_ORIGIN != 0 {
        referenced_id(reader, shape)?;
    }
    if info & HAS_RIGHT_ORIGIN != 0 {
        referenced_id(reader, shape)?;
    }
    if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
        match reader.var_uint()? {
            1 => {
                reader.var_string()?;
            }
            0 => referenced_id(reader, shape)?,
            other => return Err(ScanError::Unsupported("parent info", other)),
        }
        if info & HAS_PARENT_SUB != 0 {
            reader.var_string()?;
        }
    }
    Ok((scan_content(reader, content)?, content == CONTENT_TYPE))
}

fn scan_content(reader: &mut Reader<'_>, content: u8) -> Result<u64, ScanError> {
    match content {
        CONTENT_DELETED => {
            let len = reader.var_uint()?;
            if len == 0 || len > MAX_CLOCK {
                return Err(ScanError::BadClock);
            }
            Ok(len)
        }
        CONTENT_BINARY => {
            reader.var_bytes()?;
            Ok(1)
        }
        CONTENT_STRING => {
            let text = reader.var_string()?;
            let len = text.encode_utf16().count() as u64;
            if len == 0 {
                return Err(ScanError::BadClock);
            }
            Ok(len)
        }
        CONTENT_EMBED => {
            scan_json(reader.var_string()?)?;
            Ok(1)
        }
        CONTENT_FORMAT => {
            reader.var_string()?;
            scan_json(reader.var_string()?)?;
            Ok(1)
        }
        CONTENT_TYPE => {
            let kind = reader.var_uint()?;
            if !ALLOWED_TYPES.contains(&kind) {
                return Err(ScanError::Unsupported("shared type", kind));
            }
            if kind == TYPE_XML_ELEMENT {
                reader.var_string()?;
            }
            Ok(1)
        }
        CONTENT_ANY => {
            let values = count(reader, 1)?;
            if values == 0 {
                return Err(ScanError::BadClock);
            }
            for _ in 0..values {
                scan_any(reader, 1)?;
            }
            Ok(values)
        }
        other => Err(ScanError::Unsupported("content", u64::from(other))),
    }
}

/// One lib0 `Any`, at nesting `depth` (1 for a top-level value).
fn scan_any(reader: &mut Reader<'_>, depth: usize) -> Result<(), ScanError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(ScanError::TooDeep);
    }
    match reader.u8()? {
        ANY_UNDEFINED | ANY_NULL | ANY_FALSE | ANY_TRUE => {}
        ANY_INT => {
            reader.var_int()?;
        }
        ANY_F32 => reader.skip(4)?,
        ANY_F64 | ANY_BIGINT => reader.skip(8)?,
        ANY_STRING => {
            reader.var_string()?;
        }
        ANY_BUFFER => {
            reader.var_bytes()?;
        }
        ANY_MAP => {
            for _ in 0..count(reader, 2)? {
                reader.var_string()?;
                scan_any(reader, depth + 1)?;
            }
        }
        ANY_ARRAY => {
            for _ in 0..count(reader, 1)? {
                scan_any(reader, depth + 1)?;
            }
        }
        other => return Err(ScanError::Unsupported("value", u64::from(other))),
    }
    Ok(())
}

/// Bounds the bracket nesting of a JSON text (yrs parses it with serde_json; stock Yjs with
/// `JSON.parse`). Brackets inside strings do not count.
fn scan_json(text: &str) -> Result<(), ScanError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_VALUE_DEPTH {
                    return Err(ScanError::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::write_var_uint;
    use yrs::updates::decoder::Decode;
    use yrs::updates::encoder::Encode;
    use yrs::{Any, Array, Doc, GetString, Map, ReadTxn, StateVector, Text, Transact, Update};

    /// An update with one `Any` item holding arrays nested `depth` deep.
    pub(crate) fn nested_any_update(depth: usize) -> Vec<u8> {
        let mut out = vec![1, 1]; // one client, one struct
        write_var_uint(&mut out, 7); // client
        out.push(0); // clock
        out.push(CONTENT_ANY); // info: no origins → parent info follows
        out.push(1); // parent is a named root type
        write_var_uint(&mut out, 1);
        out.push(b'a');
        out.push(1); // one value
        for _ in 0..depth.saturating_sub(1) {
            out.extend([ANY_ARRAY, 1]);
        }
        out.push(ANY_NULL);
        out.extend([0]); // empty delete set
        out
    }

    fn real_update() -> Vec<u8> {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("script");
        let map = doc.get_or_insert_map("meta");
        let array = doc.get_or_insert_array("shots");
        {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, 0, "a cat on a roof — un chat 🐈");
            text.remove_range(&mut txn, 1, 4);
            map.insert(&mut txn, "seed", 42);
            map.insert(&mut txn, "nested", Any::from(vec![Any::from(vec![Any::from(1.5)])]));
            array.push_back(&mut txn, "shot");
            array.push_back(&mut txn, yrs::MapPrelim::default());
        }
        let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
        update
    }

    #[test]
    fn real_updates_and_state_vectors_pass() {
        let update = real_update();
        let shape = scan_update_v1(&update).expect("a real update scans");
        assert!(!shape.is_empty());
        assert!(scan_update_v1(&[0, 0]).expect("empty").is_empty());
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        let sv = doc.transact().state_vector().encode_v1();
        assert_eq!(scan_state_vector_v1(&sv), Ok(1));
        let txn = doc.transact();
        assert!(txn
            .get_text("script")
            .is_some_and(|t| t.get_string(&txn).starts_with('a')));
    }

    #[test]
    fn nesting_past_the_limit_is_refused_before_yrs_sees_it() {
        assert!(scan_update_v1(&nested_any_update(MAX_VALUE_DEPTH)).is_ok());
        assert_eq!(
            scan_update_v1(&nested_any_update(MAX_VALUE_DEPTH + 1)),
            Err(ScanError::TooDeep)
        );
        // The audit's crashing message: 10,000 levels (~20 KB).
        assert_eq!(scan_update_v1(&nested_any_update(10_000)), Err(ScanError::TooDeep));
        let deep_json = format!("{}{}", "[".repeat(MAX_VALUE_DEPTH + 1), "]".repeat(MAX_VALUE_DEPTH + 1));
        assert_eq!(scan_json(&deep_json), Err(ScanError::TooDeep));
        assert_eq!(
            scan_json(r#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]"}"#),
            Ok(())
        );
    }

    #[test]
    fn counts_larger_than_the_message_are_refused() {
        // The audit's 8-byte step 1: a state vector declaring 2^28 entries.
        let mut sv = Vec::new();
        write_var_uint(&mut sv, 1 << 28);
        sv.extend([1, 1]);
        assert_eq!(scan_state_vector_v1(&sv), Err(ScanError::CountTooLarge(1 << 28)));
        let mut update = Vec::new();
        write_var_uint(&mut update, u32::MAX as u64);
        assert!(matches!(scan_update_v1(&update), Err(ScanError::CountTooLarge(_))));
    }

    #[test]
    fn truncations_and_garbage_are_errors_not_panics() {
        let update = real_update();
        for cut in 0..update.len() {
            assert!(scan_update_v1(&update[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = update;
        trailing.push(0);
        assert_eq!(scan_update_v1(&trailing), Err(ScanError::Trailing));
        assert!(scan_update_v1(&[0xff, 0xff, 0xff, 0x01]).is_err());
    }

    #[test]
    fn dependencies_are_known_only_when_the_document_has_them() {
        let update = real_update(); // one client, clocks from 0, refers to itself only
        let shape = scan_update_v1(&update).expect("scans");
        assert!(shape.integrates_after(|_| 0));
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(Update::decode_v1(&update).expect("decodes"))
            .expect("applies");
        let before = doc.transact().state_vector();
        let text = doc.get_or_insert_text("script");
        text.insert(&mut doc.transact_mut(), 3, "!");
        let next = doc.transact().encode_state_as_update_v1(&before);
        let next_shape = scan_update_v1(&next).expect("scans");
        assert!(!next_shape.integrates_after(|_| 0), "builds on the first update");
        let sv = before;
        assert!(next_shape.integrates_after(|c| sv.get(&yrs::block::ClientID::new(c)).into()));
        // The fuzzer's finds: a struct at clock 1 with nothing at 0, and an empty delete range;
        // a struct whose parent is itself.
        let self_parent = [1, 1, 73, 0, 0x23, 0, 73, 0, 1, b'p', 1, 7, 0];
        let shape = scan_update_v1(&self_parent).expect("scans");
        assert!(!shape.integrates_after(|_| 0));
        let gap = [1, 1, 1, 1, 0, 16, 0];
        assert!(!scan_update_v1(&gap).expect("scans").integrates_after(|_| 0));
        let empty_range = [0, 1, 5, 1, 0, 0];
        assert_eq!(scan_update_v1(&empty_range), Err(ScanError::BadClock));
        let mut huge_client = vec![1, 1];
        write_var_uint(&mut huge_client, MAX_CLIENT_ID + 1);
        huge_client.extend([0, 0, 1, 0]);
        assert_eq!(scan_update_v1(&huge_client), Err(ScanError::BadClient));
    }

    #[test]
    fn clocks_past_u32_are_refused() {
        let deleted_run = |clock: u64| {
            let mut update = vec![1, 1, 7];
            write_var_uint(&mut update, clock);
            update.extend([CONTENT_DELETED, 1, 1, b'a', 1, 0]);
            update
        };
        assert!(scan_update_v1(&deleted_run(MAX_CLOCK - 1)).is_ok());
        assert_eq!(scan_update_v1(&deleted_run(MAX_CLOCK)), Err(ScanError::BadClock));
    }
}

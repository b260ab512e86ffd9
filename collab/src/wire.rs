//! The y-websocket wire format: lib0 varints and the y-protocols message envelope.
//!
//! Plain functions with no actix or yrs types, so malformed input is handled in one place:
//! every decode path returns `WireError` instead of panicking, and every length is checked
//! against the bytes actually present before anything is allocated.

use thiserror::Error;

/// Outer message tags (y-protocols).
pub const MSG_SYNC: u64 = 0;
/// Awareness update.
pub const MSG_AWARENESS: u64 = 1;
/// Auth (permission denied / granted).
pub const MSG_AUTH: u64 = 2;
/// Ask the other side for its full awareness state.
pub const MSG_QUERY_AWARENESS: u64 = 3;
/// Sync sub-tags.
pub const SYNC_STEP1: u64 = 0;
/// Answer to step 1: the missing updates.
pub const SYNC_STEP2: u64 = 1;
/// An incremental document update.
pub const SYNC_UPDATE: u64 = 2;
/// Auth sub-tag for "permission denied".
pub const AUTH_PERMISSION_DENIED: u64 = 0;

/// Longest varint we accept: 53-bit integers fit in 8 groups of 7 bits (lib0).
const MAX_VARINT_BYTES: usize = 8;
/// Messages one frame may carry. Stock clients send one; the cap keeps the work (and the
/// replies) one frame can cause proportional to one message, not to the frame's length.
pub const MAX_MESSAGES_PER_FRAME: usize = 16;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    /// The frame ended in the middle of a value.
    #[error("unexpected end of message")]
    UnexpectedEnd,
    /// A varint ran over 8 bytes.
    #[error("varint too long")]
    VarintTooLong,
    /// Unknown outer or sync message type.
    #[error("unknown message type {0}")]
    UnknownType(u64),
    /// The frame held no message at all.
    #[error("empty frame")]
    Empty,
    /// A string was not UTF-8.
    #[error("invalid utf-8")]
    InvalidUtf8,
    /// More than [`MAX_MESSAGES_PER_FRAME`] messages in one frame.
    #[error("more than {MAX_MESSAGES_PER_FRAME} messages in one frame")]
    TooManyMessages,
}

/// One decoded y-protocols message. Payloads borrow from the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YMessage<'a> {
    /// Sync step 1 with the sender's encoded state vector.
    SyncStep1(&'a [u8]),
    /// Sync step 2 with a v1 update.
    SyncStep2(&'a [u8]),
    /// Incremental v1 update.
    Update(&'a [u8]),
    /// An encoded awareness update.
    Awareness(&'a [u8]),
    /// Request for the full awareness state.
    QueryAwareness,
    /// Auth message (clients have no business sending these; ignored).
    Auth,
}

/// Reads lib0-encoded values from a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Whether bytes remain.
    pub fn has_content(&self) -> bool {
        self.pos < self.buf.len()
    }

    /// Reads an unsigned LEB128 varint (lib0 `readVarUint`).
    pub fn var_uint(&mut self) -> Result<u64, WireError> {
        let mut value: u64 = 0;
        for i in 0..MAX_VARINT_BYTES {
            let byte = *self.buf.get(self.pos).ok_or(WireError::UnexpectedEnd)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(WireError::VarintTooLong)
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, WireError> {
        let byte = *self.buf.get(self.pos).ok_or(WireError::UnexpectedEnd)?;
        self.pos += 1;
        Ok(byte)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), WireError> {
        if n > self.remaining() {
            return Err(WireError::UnexpectedEnd);
        }
        self.pos += n;
        Ok(())
    }

    /// Reads a signed lib0 varint (sign in bit 6 of the first byte), returning its magnitude
    /// and sign; only its length matters to the scanner.
    pub fn var_int(&mut self) -> Result<(u64, bool), WireError> {
        let first = self.u8()?;
        let negative = first & 0x40 != 0;
        let mut value = u64::from(first & 0x3f);
        let mut more = first & 0x80 != 0;
        let mut shift = 6;
        for _ in 1..MAX_VARINT_BYTES {
            if !more {
                return Ok((value, negative));
            }
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            more = byte & 0x80 != 0;
        }
        if more {
            return Err(WireError::VarintTooLong);
        }
        Ok((value, negative))
    }

    /// Reads `varUint(len) • bytes`, checking the length against what is left.
    pub fn var_bytes(&mut self) -> Result<&'a [u8], WireError> {
        let len = self.var_uint()?;
        let left = self.buf.len() - self.pos;
        let len = usize::try_from(len).map_err(|_| WireError::UnexpectedEnd)?;
        if len > left {
            return Err(WireError::UnexpectedEnd);
        }
        let out = &self.buf[self.pos..self.pos + len];
        self.pos += len;
        Ok(out)
    }

    /// Reads a `varString`.
    pub fn var_string(&mut self) -> Result<&'a str, WireError> {
        std::str::from_utf8(self.var_bytes()?).map_err(|_| WireError::InvalidUtf8)
    }
}

/// Appends a varint.
pub fn write_var_uint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `varUint(len) • bytes`.
pub fn write_var_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Decodes every message in a frame (a frame may carry several back to back).
pub fn decode_frame(frame: &[u8]) -> Result<Vec<YMessage<'_>>, WireError> {
    let mut reader = Reader::new(frame);
    let mut messages = Vec::new();
    while reader.has_content() {
        if messages.len() == MAX_MESSAGES_PER_FRAME {
            return Err(WireError::TooManyMessages);
        }
        messages.push(decode_one(&mut reader)?);
    }
    if messages.is_empty() {
        return Err(WireError::Empty);
    }
    Ok(messages)
}

fn decode_one<'a>(reader: &mut Reader<'a>) -> Result<YMessage<'a>, WireError> {
    match reader.var_uint()? {
        MSG_SYNC => match reader.var_uint()? {
            SYNC_STEP1 => Ok(YMessage::SyncStep1(reader.var_bytes()?)),
            SYNC_STEP2 => Ok(YMessage::SyncStep2(reader.var_bytes()?)),
            SYNC_UPDATE => Ok(YMessage::Update(reader.var_bytes()?)),
            other => Err(WireError::UnknownType(other)),
        },
        MSG_AWARENESS => Ok(YMessage::Awareness(reader.var_bytes()?)),
        MSG_QUERY_AWARENESS => Ok(YMessage::QueryAwareness),
        MSG_AUTH => {
            let _sub = reader.var_uint()?;
            let _reason = reader.var_bytes()?;
            Ok(YMessage::Auth)
        }
        other => Err(WireError::UnknownType(other)),
    }
}

/// `[0, 0, sv]`: sync step 1.
pub fn encode_sync_step1(state_vector: &[u8]) -> Vec<u8> {
    encode_sync(SYNC_STEP1, state_vector)
}

/// `[0, 1, update]`: sync step 2.
pub fn encode_sync_step2(update: &[u8]) -> Vec<u8> {
    encode_sync(SYNC_STEP2, update)
}

/// `[0, 2, update]`: an incremental update.
pub fn encode_update(update: &[u8]) -> Vec<u8> {
    encode_sync(SYNC_UPDATE, update)
}

fn encode_sync(sub: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 6);
    write_var_uint(&mut out, MSG_SYNC);
    write_var_uint(&mut out, sub);
    write_var_bytes(&mut out, payload);
    out
}

/// `[1, awareness_update]`.
pub fn encode_awareness(update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(update.len() + 5);
    write_var_uint(&mut out, MSG_AWARENESS);
    write_var_bytes(&mut out, update);
    out
}

/// `[3]`: query awareness.
pub fn encode_query_awareness() -> Vec<u8> {
    vec![MSG_QUERY_AWARENESS as u8]
}

/// `[2, 0, reason]`: permission denied (the stock client logs it).
pub fn encode_permission_denied(reason: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(reason.len() + 4);
    write_var_uint(&mut out, MSG_AUTH);
    write_var_uint(&mut out, AUTH_PERMISSION_DENIED);
    write_var_bytes(&mut out, reason.as_bytes());
    out
}

/// An awareness message with no entries: harmless to clients, it keeps an idle socket from
/// looking dead (the stock client drops a socket that received nothing for 45 s).
pub fn encode_keepalive() -> Vec<u8> {
    encode_awareness(&[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for value in [0u64, 1, 127, 128, 300, 1 << 20, (1 << 53) - 1] {
            let mut out = Vec::new();
            write_var_uint(&mut out, value);
            assert_eq!(Reader::new(&out).var_uint(), Ok(value));
        }
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert_eq!(decode_frame(&[]), Err(WireError::Empty));
        assert_eq!(decode_frame(&[0x80]), Err(WireError::UnexpectedEnd));
        assert_eq!(decode_frame(&[0xff; 12]), Err(WireError::VarintTooLong));
        assert_eq!(decode_frame(&[9]), Err(WireError::UnknownType(9)));
        assert_eq!(decode_frame(&[0, 7, 0]), Err(WireError::UnknownType(7)));
        // length 100 with 2 bytes present
        assert_eq!(decode_frame(&[0, 2, 100, 1, 2]), Err(WireError::UnexpectedEnd));
        // The audit's query bomb: thousands of one-byte queries in one frame.
        assert_eq!(decode_frame(&[3; 20_000]), Err(WireError::TooManyMessages));
        assert_eq!(
            decode_frame(&[3; MAX_MESSAGES_PER_FRAME]).map(|m| m.len()),
            Ok(MAX_MESSAGES_PER_FRAME)
        );
    }

    #[test]
    fn signed_varints_read_like_lib0() {
        // lib0 writeVarInt(-1) = [0x41]; writeVarInt(100) = [0xa4, 0x01].
        assert_eq!(Reader::new(&[0x41]).var_int(), Ok((1, true)));
        assert_eq!(Reader::new(&[0xa4, 0x01]).var_int(), Ok((100, false)));
        assert_eq!(Reader::new(&[0xff; 12]).var_int(), Err(WireError::VarintTooLong));
    }

    #[test]
    fn several_messages_in_one_frame() {
        let mut frame = encode_sync_step1(&[0]);
        frame.extend(encode_query_awareness());
        frame.extend(encode_update(&[1, 2, 3]));
        let messages = decode_frame(&frame).expect("valid frame");
        assert_eq!(
            messages,
            vec![
                YMessage::SyncStep1(&[0]),
                YMessage::QueryAwareness,
                YMessage::Update(&[1, 2, 3])
            ]
        );
    }

    #[test]
    fn empty_doc_step1_matches_the_reference_bytes() {
        assert_eq!(encode_sync_step1(&[0]), vec![0, 0, 1, 0]);
        assert_eq!(encode_keepalive(), vec![1, 1, 0]);
    }
}

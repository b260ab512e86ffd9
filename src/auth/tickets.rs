//! Room tickets: short-lived, HMAC-SHA256-signed passes naming one room and one user,
//! checked at WebSocket upgrade (browsers cannot set headers on WebSockets).
//!
//! Format: `base64url(room ‖ user ‖ expires_be64) "." base64url(hmac)`. The role is not
//! trusted from the ticket: it is read from the database at upgrade.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// A ticket must be used within this many seconds.
pub const TICKET_TTL_SECS: i64 = 300;
/// Longest ticket string we try to parse.
const MAX_TICKET_CHARS: usize = 256;

/// Why a ticket was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a ticket we signed.
    #[error("invalid ticket")]
    Invalid,
    /// Too old.
    #[error("ticket expired")]
    Expired,
    /// Signed for another room.
    #[error("ticket is for another room")]
    WrongRoom,
}

/// Signs and checks tickets with one secret key.
#[derive(Clone)]
pub struct TicketSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for TicketSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketSigner(..)")
    }
}

impl TicketSigner {
    /// A signer with `key` (at least 32 bytes recommended).
    pub fn new(key: Vec<u8>) -> Self {
        TicketSigner { key }
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }

    /// A ticket for `user` in `room`, expiring at `expires_at` (unix seconds).
    pub fn sign(&self, room: Uuid, user: Uuid, expires_at: i64) -> String {
        let mut payload = Vec::with_capacity(40);
        payload.extend_from_slice(room.as_bytes());
        payload.extend_from_slice(user.as_bytes());
        payload.extend_from_slice(&expires_at.to_be_bytes());
        let tag = self.mac(&payload).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// Checks a ticket for `room` at time `now`; returns the user it names.
    pub fn verify(&self, ticket: &str, room: Uuid, now: i64) -> Result<Uuid, TicketError> {
        if ticket.len() > MAX_TICKET_CHARS {
            return Err(TicketError::Invalid);
        }
        let (payload, tag) = ticket.split_once('.').ok_or(TicketError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TicketError::Invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TicketError::Invalid)?;
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| TicketError::Invalid)?;
        if payload.len() != 40 {
            return Err(TicketError::Invalid);
        }
        let ticket_room = Uuid::from_slice(&payload[..16]).map_err(|_| TicketError::Invalid)?;
        let user = Uuid::from_slice(&payload[16..32]).map_err(|_| TicketError::Invalid)?;
        let mut expires = [0u8; 8];
        expires.copy_from_slice(&payload[32..]);
        if now > i64::from_be_bytes(expires) {
            return Err(TicketError::Expired);
        }
        if ticket_room != room {
            return Err(TicketError::WrongRoom);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_check_signature_room_and_expiry() {
        let signer = TicketSigner::new(vec![7; 32]);
        let (room, user) = (Uuid::new_v4(), Uuid::new_v4());
        let ticket = signer.sign(room, user, 1_000);
        assert_eq!(signer.verify(&ticket, room, 999), Ok(user));
        assert_eq!(signer.verify(&ticket, room, 1_001), Err(TicketError::Expired));
        assert_eq!(signer.verify(&ticket, Uuid::new_v4(), 999), Err(TicketError::WrongRoom));
        let other = TicketSigner::new(vec![8; 32]);
        assert_eq!(other.verify(&ticket, room, 999), Err(TicketError::Invalid));
        let mut tampered = ticket.clone();
        tampered.replace_range(0..1, if ticket.starts_with('A') { "B" } else { "A" });
        assert_eq!(signer.verify(&tampered, room, 999), Err(TicketError::Invalid));
        assert_eq!(signer.verify("garbage", room, 999), Err(TicketError::Invalid));
    }
}

//! Authentication: password hashing, browser-session cookies, and signed room tickets.

pub mod password;
pub mod session;
pub mod throttle;
pub mod tickets;

pub use session::{CurrentUser, SESSION_COOKIE};
pub use tickets::{TicketError, TicketSigner, TICKET_TTL_SECS};

//! Who is asking: the client's address for per-address limits (sign-up, sign-in). The peer
//! address, unless the peer is a configured trusted proxy, whose `X-Forwarded-For` then names
//! the client (its last entry not added by another trusted proxy).

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client's address as text (empty when unknown).
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    if !trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // Walk from the right: entries added by our own proxies are skipped; the first other one
    // is the client as the outermost trusted proxy saw it (earlier entries are the client's).
    forwarded
        .split(',')
        .rev()
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted_proxies.contains(ip))
        .unwrap_or(peer)
        .to_string()
}

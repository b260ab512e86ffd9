//! Which remote ICE candidates the server will send connectivity checks (STUN) to.
//!
//! A member names candidates (trickled on the control socket, or inside a WHEP offer); without
//! a filter the server would send STUN to any address and port it is told (the audit's F16:
//! scanning or reflection from the server's network). Plain functions, used by `peer`.
//! Rule: a candidate must be a UDP IP literal of the same reach as the server's own media
//! address: from a loopback media address anything but multicast / unspecified (local tests);
//! from a private one, private or public addresses; from a public one, public addresses only.
//! Peers we cannot reach this way still connect through their reflexive candidates
//! (learned from checks, not named) or TURN.

use std::net::IpAddr;

/// Trickled candidates one connection may add (a browser sends a handful).
pub const MAX_TRICKLED_CANDIDATES: usize = 16;

/// How far an address reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Loopback,
    Private,
    Public,
}

fn reach(ip: IpAddr) -> Option<Reach> {
    if ip.is_unspecified() || ip.is_multicast() {
        return None;
    }
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_broadcast() || v4.octets()[0] == 0 {
                None
            } else if v4.is_loopback() {
                Some(Reach::Loopback)
            } else if v4.is_private() || v4.is_link_local() || is_carrier_nat(v4) {
                Some(Reach::Private)
            } else {
                Some(Reach::Public)
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return reach(IpAddr::V4(v4));
            }
            if v6.is_loopback() {
                Some(Reach::Loopback)
            } else if v6.is_unique_local() || v6.is_unicast_link_local() {
                Some(Reach::Private)
            } else {
                Some(Reach::Public)
            }
        }
    }
}

/// 100.64.0.0/10 (carrier-grade NAT, RFC 6598): not routable from the internet.
fn is_carrier_nat(v4: std::net::Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    a == 100 && (b & 0xc0) == 64
}

/// Whether the server (media address `local`) may check `candidate` (an SDP `candidate:`
/// attribute value, with or without the `a=` prefix). `Err` says why not.
pub fn check_candidate(candidate: &str, local: IpAddr) -> Result<(), &'static str> {
    let body = candidate.trim().trim_start_matches("a=");
    if body.is_empty() {
        return Ok(()); // end-of-candidates
    }
    let fields: Vec<&str> = body.split_ascii_whitespace().collect();
    // candidate:foundation component transport priority address port typ type …
    let (Some(transport), Some(address), Some(port)) = (fields.get(2), fields.get(4), fields.get(5)) else {
        return Err("malformed candidate");
    };
    if !transport.eq_ignore_ascii_case("udp") {
        return Err("only UDP candidates are used");
    }
    if port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err("bad candidate port");
    }
    let ip: IpAddr = address.parse().map_err(|_| "candidate address is not an IP literal")?;
    let Some(theirs) = reach(ip) else {
        return Err("candidate address is not unicast");
    };
    let ours = reach(local).unwrap_or(Reach::Loopback);
    let allowed = match ours {
        Reach::Loopback => true,
        Reach::Private => theirs != Reach::Loopback,
        Reach::Public => theirs == Reach::Public,
    };
    if allowed {
        Ok(())
    } else {
        Err("candidate address is not reachable from this server")
    }
}

/// The offer with every candidate line the server may not check removed.
pub fn filter_offer(sdp: &str, local: IpAddr) -> String {
    let mut out = String::with_capacity(sdp.len());
    for line in sdp.split_inclusive('\n') {
        let value = line.trim_end();
        if value.starts_with("a=candidate:") && check_candidate(value, local).is_err() {
            continue;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const PRIVATE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 5));
    const PUBLIC: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

    fn candidate(address: &str, port: u16) -> String {
        format!("candidate:1 1 udp 2122260223 {address} {port} typ host generation 0")
    }

    #[test]
    fn a_public_server_checks_public_addresses_only() {
        assert_eq!(check_candidate(&candidate("198.51.100.9", 5000), PUBLIC), Ok(()));
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
        ] {
            assert!(check_candidate(&candidate(address, 5000), PUBLIC).is_err(), "{address}");
        }
    }

    #[test]
    fn a_private_server_keeps_off_loopback_and_nobody_gets_multicast() {
        assert_eq!(check_candidate(&candidate("10.1.2.3", 5000), PRIVATE), Ok(()));
        assert!(check_candidate(&candidate("127.0.0.1", 5000), PRIVATE).is_err());
        for local in [LOOPBACK, PRIVATE, PUBLIC] {
            for address in ["224.0.0.1", "0.0.0.0", "255.255.255.255", "ff02::1", "x.local"] {
                assert!(check_candidate(&candidate(address, 5000), local).is_err(), "{address}");
            }
            assert!(check_candidate(&candidate("198.51.100.9", 0), local).is_err());
            let tcp = "candidate:1 1 tcp 2122260223 198.51.100.9 9 typ host tcptype active";
            assert!(check_candidate(tcp, local).is_err());
            assert!(check_candidate("candidate:garbage", local).is_err());
        }
        assert_eq!(check_candidate(&candidate("127.0.0.1", 5000), LOOPBACK), Ok(()));
    }

    #[test]
    fn offers_lose_the_candidates_the_server_may_not_check() {
        let sdp = format!(
            "v=0\r\na={}\r\na={}\r\na=end-of-candidates\r\n",
            candidate("198.51.100.9", 5000),
            candidate("10.0.0.9", 5000)
        );
        let filtered = filter_offer(&sdp, PUBLIC);
        assert!(filtered.contains("198.51.100.9"));
        assert!(!filtered.contains("10.0.0.9"));
        assert!(filtered.ends_with("a=end-of-candidates\r\n"));
    }
}

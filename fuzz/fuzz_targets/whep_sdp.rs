//! What a WHEP offer or a trickled candidate goes through before a peer connection exists:
//! the candidate filter and webrtc-rs's SDP parser.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;

#[path = "../../actors/src/media/ice_filter.rs"]
#[allow(dead_code)]
mod ice_filter;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for local in [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))] {
        let _ = ice_filter::check_candidate(text, local);
        let filtered = ice_filter::filter_offer(text, local);
        assert!(filtered.len() <= text.len());
        let _ = rtc::peer_connection::sdp::RTCSessionDescription::offer(filtered);
    }
});

//! One viewer's WebRTC connection (webrtc-rs): negotiates a receive-only offer into an answer
//! carrying one VP8 track, watches the viewer's RTCP for loss reports (PLI/FIR → keyframe) and
//! tells the room's `MediaActor` when the connection fails or closes.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::Recipient;
use rtc::ice::mdns::MulticastDnsMode;
use rtc::interceptor::Slot;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::MIME_TYPE_VP8;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::rtp_transceiver::PayloadType;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::peer_connection::{
    register_default_interceptors, MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCConfigurationBuilder, RTCIceCandidateInit, RTCIceCandidateType, RTCIceGatheringState, RTCIceServer,
    RTCPeerConnectionState, RTCSessionDescription, Registry, SettingEngineBuilder,
};

use super::encoder::{EncodedSample, KeyframeRequests};
use super::ice_filter::{check_candidate, filter_offer, MAX_TRICKLED_CANDIDATES};
use super::rtcp::{is_keyframe_request, KeyframeRequestMarker, KEYFRAME_REQUEST_SLOT};
use super::{MediaError, ViewerGone, ViewerId};

/// Longest SDP offer accepted.
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// The answer waits at most this long for the server's ICE candidates.
pub const ICE_GATHER_TIMEOUT: Duration = Duration::from_secs(2);
const VP8_PAYLOAD_TYPE: u8 = 96;

/// Threads that drive every WebRTC connection of the process (UDP, ICE, DTLS, SRTP): one per
/// core, shared, so connections never run on a room's arbiter thread.
pub fn media_reactor_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Where viewers' media flows: ICE servers for browsers behind NAT, the address media sockets
/// bind, public addresses to advertise instead (1:1 NAT), and the watermark every frame gets.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Applied to every live frame before encoding (identity until provenance lands).
    pub mark: Arc<dyn media::FrameMark>,
    /// STUN/TURN servers (`stun:host:port`, `turn:host:port` with username/credential).
    pub ice_servers: Vec<IceServer>,
    /// Local address for each viewer's UDP socket (`127.0.0.1` on loopback).
    pub bind_ip: IpAddr,
    /// Addresses advertised as host candidates instead of `bind_ip` (behind 1:1 NAT).
    pub public_ips: Vec<String>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            mark: Arc::new(media::NoMark),
            ice_servers: Vec::new(),
            bind_ip: IpAddr::from([127, 0, 0, 1]),
            public_ips: Vec::new(),
        }
    }
}

/// One STUN or TURN server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

/// The fan-out's end of a viewer: the track frames are written to.
pub struct ViewerTrack {
    pub id: ViewerId,
    track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    payload_type: PayloadType,
    /// Delta frames are useless to a decoder that has not seen a keyframe yet.
    waiting_for_keyframe: bool,
}

impl std::fmt::Debug for ViewerTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewerTrack")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ViewerTrack {
    /// Writes one encoded frame; `Ok(false)` when skipped (waiting for a keyframe).
    pub async fn write(&mut self, sample: &EncodedSample) -> Result<bool, MediaError> {
        if self.waiting_for_keyframe && !sample.keyframe {
            return Ok(false);
        }
        self.waiting_for_keyframe = false;
        let s = Sample {
            data: sample.data.clone(),
            duration: sample.duration,
            ..Sample::new(Instant::now())
        };
        self.track
            .sample_writer(self.ssrc, self.payload_type)
            .write_sample(&s)
            .await
            .map_err(|e| MediaError::Peer(e.to_string()))?;
        Ok(true)
    }
}

/// The actor's end of a viewer: the connection itself.
pub struct ViewerPeer {
    pub pc: Arc<dyn PeerConnection>,
    /// The server's media address: which candidates it may check (`ice_filter`).
    local: IpAddr,
    /// Candidates trickled so far (at most [`MAX_TRICKLED_CANDIDATES`]).
    trickled: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for ViewerPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewerPeer").finish_non_exhaustive()
    }
}

impl ViewerPeer {
    /// Adds a trickled remote candidate.
    pub async fn add_candidate(
        &self,
        candidate: String,
        sdp_mid: Option<String>,
        sdp_mline_index: Option<u16>,
    ) -> Result<(), MediaError> {
        use std::sync::atomic::Ordering;
        if self.trickled.fetch_add(1, Ordering::Relaxed) >= MAX_TRICKLED_CANDIDATES {
            return Err(MediaError::InvalidSdp(format!(
                "more than {MAX_TRICKLED_CANDIDATES} ICE candidates"
            )));
        }
        check_candidate(&candidate, self.local)
            .map_err(|why| MediaError::InvalidSdp(format!("ICE candidate refused: {why}")))?;
        self.pc
            .add_ice_candidate(RTCIceCandidateInit {
                candidate,
                sdp_mid,
                sdp_mline_index,
                ..Default::default()
            })
            .await
            .map_err(|e| MediaError::InvalidSdp(format!("bad ICE candidate: {e}")))
    }
}

struct Handler {
    id: ViewerId,
    gathered: tokio::sync::mpsc::Sender<()>,
    gone: Recipient<ViewerGone>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.try_send(());
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!(viewer = self.id, %state, "viewer connection");
        if matches!(state, RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed) {
            let _ = self.gone.try_send(ViewerGone(self.id));
        }
    }
}

fn vp8() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![],
    }
}

fn peer_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Peer(e.to_string())
}

/// Answers a viewer's offer: a connection with one VP8 track, its answer SDP (non-trickle:
/// with the server's candidates), and the track for the fan-out.
pub async fn negotiate(
    id: ViewerId,
    offer: String,
    config: &MediaConfig,
    keyframes: Arc<KeyframeRequests>,
    gone: Recipient<ViewerGone>,
) -> Result<(String, ViewerPeer, ViewerTrack), MediaError> {
    if offer.len() > MAX_SDP_BYTES {
        return Err(MediaError::InvalidSdp(format!(
            "the offer is longer than {MAX_SDP_BYTES} bytes"
        )));
    }
    if !offer.lines().any(|l| l.starts_with("m=video")) {
        return Err(MediaError::InvalidSdp(
            "the offer has no video section to receive".into(),
        ));
    }
    // Candidates the server may not check are dropped from the offer, as trickled ones are.
    let offer = filter_offer(&offer, config.bind_ip);
    let offer = RTCSessionDescription::offer(offer).map_err(|e| MediaError::InvalidSdp(e.to_string()))?;
    let mut engine = MediaEngine::default();
    engine
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: vp8(),
                payload_type: VP8_PAYLOAD_TYPE,
            },
            RtpCodecKind::Video,
        )
        .map_err(peer_err)?;
    let registry = register_default_interceptors(Registry::new(), &mut engine)
        .map_err(peer_err)?
        .with(Slot::from(KEYFRAME_REQUEST_SLOT), KeyframeRequestMarker::default());
    let ice_servers = config
        .ice_servers
        .iter()
        .map(|s| RTCIceServer {
            urls: s.urls.clone(),
            username: s.username.clone(),
            credential: s.credential.clone(),
        })
        .collect();
    // mDNS off: browsers' `.local` candidates cannot be resolved without multicast, and the
    // server learns their real address from connectivity checks anyway.
    let mut settings = SettingEngineBuilder::new().with_multicast_dns_mode(MulticastDnsMode::Disabled);
    if !config.public_ips.is_empty() {
        settings = settings.with_nat_1to1_ips(config.public_ips.clone(), RTCIceCandidateType::Host);
    }
    let (gathered_tx, mut gathered_rx) = tokio::sync::mpsc::channel(1);
    let pc = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().with_ice_servers(ice_servers).build())
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings.build())
        .with_handler(Arc::new(Handler {
            id,
            gathered: gathered_tx,
            gone,
        }))
        .with_udp_addrs(vec![std::net::SocketAddr::new(config.bind_ip, 0)])
        .with_dedicated_reactor_pool_size(media_reactor_threads())
        .build()
        .await
        .map_err(peer_err)?;
    let pc: Arc<dyn PeerConnection> = Arc::new(pc);
    let result = async {
        let ssrc: u32 = rand_ssrc(id);
        let track = Arc::new(
            TrackLocalStaticSample::new(
                Instant::now(),
                MediaStreamTrack::new(
                    "reelroom-live".into(),
                    format!("live-{id}"),
                    "live preview".into(),
                    RtpCodecKind::Video,
                    vec![RTCRtpEncodingParameters {
                        rtp_coding_parameters: RTCRtpCodingParameters {
                            ssrc: Some(ssrc),
                            ..Default::default()
                        },
                        codec: vp8(),
                        ..Default::default()
                    }],
                ),
            )
            .map_err(peer_err)?,
        );
        let sender = pc
            .add_track(track.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(peer_err)?;
        pc.set_remote_description(offer)
            .await
            .map_err(|e| MediaError::InvalidSdp(e.to_string()))?;
        let answer = pc
            .create_answer(None)
            .await
            .map_err(|e| MediaError::InvalidSdp(e.to_string()))?;
        pc.set_local_description(answer).await.map_err(peer_err)?;
        let _ = tokio::time::timeout(ICE_GATHER_TIMEOUT, gathered_rx.recv()).await;
        let sdp = pc
            .local_description()
            .await
            .ok_or_else(|| MediaError::Peer("no local description".into()))?
            .sdp;
        let payload_type = sender
            .get_parameters()
            .await
            .map_err(peer_err)?
            .rtp_parameters
            .codecs
            .first()
            .map(|c| c.payload_type)
            .ok_or_else(|| MediaError::InvalidSdp("the offer accepts no VP8 video".into()))?;
        // Loss reports from this viewer ask the room's encoder for a keyframe.
        let rtcp_track = track.clone();
        actix::spawn(async move {
            while let Some(event) = rtcp_track.poll().await {
                if let TrackLocalEvent::OnRtcpPacket(packets) = event {
                    if packets.iter().any(|p| is_keyframe_request(p.as_ref())) {
                        keyframes.request_on_loss();
                    }
                }
            }
        });
        Ok::<_, MediaError>((
            sdp,
            ViewerTrack {
                id,
                track,
                ssrc,
                payload_type,
                waiting_for_keyframe: true,
            },
        ))
    }
    .await;
    match result {
        Ok((sdp, track)) => Ok((
            sdp,
            ViewerPeer {
                pc,
                local: config.bind_ip,
                trickled: Default::default(),
            },
            track,
        )),
        Err(e) => {
            let _ = pc.close().await;
            Err(e)
        }
    }
}

/// A track SSRC: unpredictable enough across viewers and restarts without a RNG dependency.
fn rand_ssrc(id: ViewerId) -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(id);
    h.finish() as u32
}

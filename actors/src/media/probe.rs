//! A receive-only viewer built on webrtc-rs, for tests, benchmarks and load tools: offers to
//! receive one video track, reassembles VP8 frames from RTP and (optionally) decodes them with
//! libvpx, keeping each frame's arrival time (and picture), i.e. what a browser would see.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use media::Vp8Decoder;
use rtc::ice::mdns::MulticastDnsMode;
use rtc::media::io::sample_builder::SampleBuilder;
use rtc::rtp::codec::vp8::Vp8Packet;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    register_default_interceptors, MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCConfigurationBuilder, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription, Registry,
    SettingEngineBuilder,
};

use super::MediaError;

/// RTP packets the frame reassembler waits for a late one.
const MAX_LATE_PACKETS: u16 = 128;

/// One received frame; `rgb` is empty unless the probe decodes.
#[derive(Debug, Clone)]
pub struct Picture {
    pub at: Instant,
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    pictures: Mutex<Vec<Picture>>,
    connected: Mutex<bool>,
    gathered: Mutex<bool>,
}

struct Handler {
    shared: Arc<Shared>,
    decode: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            *lock(&self.shared.gathered) = true;
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        *lock(&self.shared.connected) = state == RTCPeerConnectionState::Connected;
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let shared = self.shared.clone();
        let decode = self.decode;
        tokio::spawn(async move {
            let mut builder = SampleBuilder::new(MAX_LATE_PACKETS, Vp8Packet::default(), 90_000);
            let mut decoder = if decode { Vp8Decoder::new().ok() } else { None };
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                builder.push(Instant::now(), packet);
                while let Some(sample) = builder.pop(Instant::now()) {
                    let pictures = match decoder.as_mut() {
                        Some(d) => d.decode(&sample.data).unwrap_or_default(),
                        None => vec![(0, 0, Vec::new())],
                    };
                    let mut kept = lock(&shared.pictures);
                    for (width, height, rgb) in pictures {
                        kept.push(Picture {
                            at: Instant::now(),
                            width,
                            height,
                            rgb,
                        });
                    }
                }
            }
        });
    }
}

fn err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Peer(e.to_string())
}

/// A probe viewer and its connection.
pub struct ProbeViewer {
    pc: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ProbeViewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeViewer").finish_non_exhaustive()
    }
}

impl ProbeViewer {
    /// A viewer and its offer (with its candidates), ready for the server's answer. With
    /// `decode`, frames are decoded to RGB; without, only counted.
    pub async fn offer(decode: bool) -> Result<(ProbeViewer, String), MediaError> {
        let mut engine = MediaEngine::default();
        engine.register_default_codecs().map_err(err)?;
        let registry = register_default_interceptors(Registry::new(), &mut engine).map_err(err)?;
        let shared = Arc::new(Shared::default());
        let pc = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(engine)
            .with_interceptor_registry(registry)
            .with_setting_engine(
                SettingEngineBuilder::new()
                    .with_multicast_dns_mode(MulticastDnsMode::Disabled)
                    .build(),
            )
            .with_handler(Arc::new(Handler {
                shared: shared.clone(),
                decode,
            }))
            .with_udp_addrs(vec!["127.0.0.1:0"])
            .with_dedicated_reactor_pool_size(super::peer::media_reactor_threads())
            .build()
            .await
            .map_err(err)?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Recvonly,
            ..Default::default()
        };
        pc.add_transceiver_from_kind(RtpCodecKind::Video, Some(init))
            .await
            .map_err(err)?;
        let offer = pc.create_offer(None).await.map_err(err)?;
        pc.set_local_description(offer).await.map_err(err)?;
        let deadline = Instant::now() + super::peer::ICE_GATHER_TIMEOUT;
        while !*lock(&shared.gathered) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let sdp = pc.local_description().await.ok_or_else(|| err("no offer"))?.sdp;
        Ok((ProbeViewer { pc, shared }, sdp))
    }

    /// Applies the server's answer.
    pub async fn accept(&self, answer: String) -> Result<(), MediaError> {
        let answer = RTCSessionDescription::answer(answer).map_err(|e| MediaError::InvalidSdp(e.to_string()))?;
        self.pc.set_remote_description(answer).await.map_err(err)
    }

    /// Waits until the connection is up.
    pub async fn connected(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if *lock(&self.shared.connected) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Every frame received so far.
    pub fn pictures(&self) -> Vec<Picture> {
        lock(&self.shared.pictures).clone()
    }

    /// Frames received so far.
    pub fn frames_received(&self) -> usize {
        lock(&self.shared.pictures).len()
    }

    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
}

//! A receive-only WebRTC viewer built on webrtc-rs: offers to receive one video track,
//! reassembles VP8 frames from RTP and decodes them with libvpx, keeping every picture (RGB)
//! with its arrival time, so tests can check what a browser would see.

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

/// One decoded picture.
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

struct Handler(Arc<Shared>);

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            *self.0.gathered.lock().unwrap() = true;
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        *self.0.connected.lock().unwrap() = state == RTCPeerConnectionState::Connected;
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let shared = self.0.clone();
        tokio::spawn(async move {
            let mut builder = SampleBuilder::new(128, Vp8Packet::default(), 90_000);
            let mut decoder = Vp8Decoder::new().unwrap();
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                builder.push(Instant::now(), packet);
                while let Some(sample) = builder.pop(Instant::now()) {
                    let Ok(pictures) = decoder.decode(&sample.data) else {
                        continue;
                    };
                    let mut kept = shared.pictures.lock().unwrap();
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

/// A viewer and its connection.
pub struct LiveViewer {
    pc: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
}

impl LiveViewer {
    /// A viewer and its offer (with its candidates), ready for the server's answer.
    pub async fn offer() -> (LiveViewer, String) {
        let mut engine = MediaEngine::default();
        engine.register_default_codecs().unwrap();
        let registry = register_default_interceptors(Registry::new(), &mut engine).unwrap();
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
            .with_handler(Arc::new(Handler(shared.clone())))
            .with_udp_addrs(vec!["127.0.0.1:0"])
            .build()
            .await
            .unwrap();
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        pc.add_transceiver_from_kind(
            RtpCodecKind::Video,
            Some(RTCRtpTransceiverInit {
                direction: RTCRtpTransceiverDirection::Recvonly,
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        let offer = pc.create_offer(None).await.unwrap();
        pc.set_local_description(offer).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(3);
        while !*shared.gathered.lock().unwrap() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let sdp = pc.local_description().await.unwrap().sdp;
        (LiveViewer { pc, shared }, sdp)
    }

    /// Applies the server's answer.
    pub async fn accept(&self, answer: String) {
        self.pc
            .set_remote_description(RTCSessionDescription::answer(answer).unwrap())
            .await
            .unwrap();
    }

    /// Waits until the connection is up.
    pub async fn connected(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if *self.shared.connected.lock().unwrap() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Every picture decoded so far.
    pub fn pictures(&self) -> Vec<Picture> {
        self.shared.pictures.lock().unwrap().clone()
    }

    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
}

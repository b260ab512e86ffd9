//! The only unsafe code in reelroom: a minimal, owned wrapper over libvpx's VP8/VP9 encoders and
//! decoders (Debian's libvpx 1.12 through `env-libvpx-sys`'s pregenerated bindings), used by the
//! live stream (`vp8.rs`, VP8) and upload decoding (`upload/webm.rs`, VP8 and VP9). Safe crates
//! on crates.io need libvpx ≥ 1.14 or lack a force-keyframe call. Every pointer here is owned
//! by one `VpxEncoder`/`VpxDecoder` and lives exactly as long as it.
#![allow(unsafe_code)]

use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_uint, c_ulong};

use vpx_sys as sys;

/// A libvpx call failed.
#[derive(Debug, thiserror::Error)]
#[error("libvpx {call}: error {code}")]
pub struct VpxError {
    call: &'static str,
    code: i64,
}

fn check(call: &'static str, err: sys::vpx_codec_err_t) -> Result<(), VpxError> {
    if err == sys::vpx_codec_err_t::VPX_CODEC_OK {
        Ok(())
    } else {
        Err(VpxError { call, code: err as i64 })
    }
}

/// Which libvpx codec a context runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpxCodec {
    Vp8,
    Vp9,
}

impl VpxCodec {
    /// libvpx's interface table for this codec's encoder (`encoder`) or decoder.
    fn iface(self, encoder: bool) -> *mut sys::vpx_codec_iface_t {
        // SAFETY: these return pointers to libvpx's static interface tables; no arguments.
        unsafe {
            match (self, encoder) {
                (VpxCodec::Vp8, true) => sys::vpx_codec_vp8_cx(),
                (VpxCodec::Vp9, true) => sys::vpx_codec_vp9_cx(),
                (VpxCodec::Vp8, false) => sys::vpx_codec_vp8_dx(),
                (VpxCodec::Vp9, false) => sys::vpx_codec_vp9_dx(),
            }
        }
    }
}

/// Encoder settings.
#[derive(Debug, Clone, Copy)]
pub struct VpxEncoderConfig {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub bitrate_kbps: u32,
    pub keyframe_max_dist: u32,
    pub cpu_used: i32,
}

/// An initialised VP8 or VP9 encoder context.
pub struct VpxEncoder {
    ctx: Box<sys::vpx_codec_ctx_t>,
    width: u32,
    height: u32,
}

// The context is only touched through `&mut self`; libvpx keeps no thread-affine state.
unsafe impl Send for VpxEncoder {}

impl std::fmt::Debug for VpxEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpxEncoder")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl VpxEncoder {
    /// A VP8 encoder.
    pub fn new(c: VpxEncoderConfig) -> Result<Self, VpxError> {
        Self::with_codec(VpxCodec::Vp8, c)
    }

    /// A VP8 or VP9 encoder (realtime settings either way).
    pub fn with_codec(codec: VpxCodec, c: VpxEncoderConfig) -> Result<Self, VpxError> {
        // SAFETY: plain C structs filled by libvpx; the context is boxed so its address is stable.
        unsafe {
            let iface = codec.iface(true);
            let mut cfg = MaybeUninit::<sys::vpx_codec_enc_cfg_t>::zeroed().assume_init();
            check(
                "enc_config_default",
                sys::vpx_codec_enc_config_default(iface, &mut cfg, 0),
            )?;
            cfg.g_w = c.width;
            cfg.g_h = c.height;
            cfg.g_timebase = sys::vpx_rational {
                num: 1,
                den: c.fps as c_int,
            };
            cfg.g_threads = 1;
            cfg.g_lag_in_frames = 0;
            cfg.g_error_resilient = sys::VPX_ERROR_RESILIENT_DEFAULT;
            cfg.rc_end_usage = sys::vpx_rc_mode::VPX_CBR;
            cfg.rc_target_bitrate = c.bitrate_kbps;
            cfg.rc_dropframe_thresh = 0;
            cfg.kf_mode = sys::vpx_kf_mode::VPX_KF_AUTO;
            cfg.kf_min_dist = 0;
            cfg.kf_max_dist = c.keyframe_max_dist;
            let mut ctx = Box::new(MaybeUninit::<sys::vpx_codec_ctx_t>::zeroed().assume_init());
            check(
                "enc_init",
                sys::vpx_codec_enc_init_ver(&mut *ctx, iface, &cfg, 0, sys::VPX_ENCODER_ABI_VERSION as c_int),
            )?;
            let mut enc = VpxEncoder {
                ctx,
                width: c.width,
                height: c.height,
            };
            check(
                "control(cpu_used)",
                sys::vpx_codec_control_(
                    &mut *enc.ctx,
                    sys::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int,
                    c.cpu_used,
                ),
            )?;
            Ok(enc)
        }
    }

    /// Encodes one I420 picture (`width × height × 3 / 2` bytes); returns the compressed frame
    /// and whether it is a keyframe.
    pub fn encode(&mut self, i420: &[u8], pts: i64, force_keyframe: bool) -> Result<(Vec<u8>, bool), VpxError> {
        let expected = (self.width * self.height * 3 / 2) as usize;
        if i420.len() != expected {
            return Err(VpxError {
                call: "encode(input size)",
                code: i420.len() as i64,
            });
        }
        let flags: sys::vpx_enc_frame_flags_t = if force_keyframe {
            sys::VPX_EFLAG_FORCE_KF as sys::vpx_enc_frame_flags_t
        } else {
            0
        };
        let mut out = Vec::new();
        let mut key = false;
        // SAFETY: `image` borrows `i420` (checked size) only during vpx_codec_encode; packets
        // are copied out before the next call into the context.
        unsafe {
            let mut image = MaybeUninit::<sys::vpx_image_t>::zeroed().assume_init();
            let wrapped = sys::vpx_img_wrap(
                &mut image,
                sys::vpx_img_fmt::VPX_IMG_FMT_I420,
                self.width as c_uint,
                self.height as c_uint,
                1,
                i420.as_ptr() as *mut u8,
            );
            if wrapped.is_null() {
                return Err(VpxError {
                    call: "img_wrap",
                    code: 0,
                });
            }
            check(
                "encode",
                sys::vpx_codec_encode(&mut *self.ctx, &image, pts, 1, flags, sys::VPX_DL_REALTIME as c_ulong),
            )?;
            let mut iter: sys::vpx_codec_iter_t = std::ptr::null();
            loop {
                let pkt = sys::vpx_codec_get_cx_data(&mut *self.ctx, &mut iter);
                if pkt.is_null() {
                    break;
                }
                if (*pkt).kind == sys::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT {
                    let frame = (*pkt).data.frame;
                    if !frame.buf.is_null() {
                        out.extend_from_slice(std::slice::from_raw_parts(frame.buf as *const u8, frame.sz as usize));
                    }
                    key |= frame.flags & sys::VPX_FRAME_IS_KEY != 0;
                }
            }
        }
        Ok((out, key))
    }
}

impl Drop for VpxEncoder {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe {
            sys::vpx_codec_destroy(&mut *self.ctx);
        }
    }
}

/// One decoded picture's planes, copied out of libvpx.
#[derive(Debug, Clone)]
pub struct I420Picture {
    pub width: usize,
    pub height: usize,
    /// Y, U, V planes, each with its stride.
    pub planes: [(Vec<u8>, usize); 3],
}

/// An initialised VP8 or VP9 decoder context.
pub struct VpxDecoder {
    ctx: Box<sys::vpx_codec_ctx_t>,
}

// As for the encoder: only touched through `&mut self`.
unsafe impl Send for VpxDecoder {}

impl std::fmt::Debug for VpxDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpxDecoder").finish()
    }
}

impl VpxDecoder {
    /// A VP8 decoder.
    pub fn new() -> Result<Self, VpxError> {
        Self::with_codec(VpxCodec::Vp8)
    }

    /// A VP8 or VP9 decoder. Callers that take untrusted input check the frame size in the
    /// bitstream header first (`upload::vpxhdr`): libvpx allocates whatever a header asks for.
    pub fn with_codec(codec: VpxCodec) -> Result<Self, VpxError> {
        // SAFETY: as in `VpxEncoder::with_codec`.
        unsafe {
            let cfg = sys::vpx_codec_dec_cfg_t { threads: 1, w: 0, h: 0 };
            let mut ctx = Box::new(MaybeUninit::<sys::vpx_codec_ctx_t>::zeroed().assume_init());
            check(
                "dec_init",
                sys::vpx_codec_dec_init_ver(
                    &mut *ctx,
                    codec.iface(false),
                    &cfg,
                    0,
                    sys::VPX_DECODER_ABI_VERSION as c_int,
                ),
            )?;
            Ok(VpxDecoder { ctx })
        }
    }

    /// Decodes one compressed frame into the pictures it yields.
    pub fn decode(&mut self, data: &[u8]) -> Result<Vec<I420Picture>, VpxError> {
        let mut out = Vec::new();
        // SAFETY: images returned by get_frame stay valid until the next decode call; their
        // planes are copied out (height rows of stride bytes, halved for chroma) before that.
        unsafe {
            check(
                "decode",
                sys::vpx_codec_decode(
                    &mut *self.ctx,
                    data.as_ptr(),
                    data.len() as c_uint,
                    std::ptr::null_mut(),
                    0,
                ),
            )?;
            let mut iter: sys::vpx_codec_iter_t = std::ptr::null();
            loop {
                let img = sys::vpx_codec_get_frame(&mut *self.ctx, &mut iter);
                if img.is_null() {
                    break;
                }
                let img = &*img;
                if img.fmt != sys::vpx_img_fmt::VPX_IMG_FMT_I420 {
                    continue;
                }
                let (w, h) = (img.d_w as usize, img.d_h as usize);
                let plane = |i: usize, rows: usize| {
                    let stride = img.stride[i] as usize;
                    (
                        std::slice::from_raw_parts(img.planes[i], stride * rows).to_vec(),
                        stride,
                    )
                };
                out.push(I420Picture {
                    width: w,
                    height: h,
                    planes: [plane(0, h), plane(1, h.div_ceil(2)), plane(2, h.div_ceil(2))],
                });
            }
        }
        Ok(out)
    }
}

impl Drop for VpxDecoder {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once.
        unsafe {
            sys::vpx_codec_destroy(&mut *self.ctx);
        }
    }
}

//! The text-to-video denoiser: a prompt encoder (word embeddings + 2 transformer layers), an
//! avatar reference encoder, and a factorised space-time U-Net over 4×4 pixel patches that
//! predicts the clean clip x0. Architecture and numbers: docs/MODEL.md.

mod blocks;
pub mod upsample;

use tch::nn::{self, Module};
use tch::{Kind, Tensor};
use world::{FRAMES, REF_SIZE, SIZE};

use blocks::*;

pub const D_TEXT: i64 = 128;
pub const D_COND: i64 = 256;
pub const HEADS: i64 = 4;
pub const PATCH: i64 = 4;
/// Channels at the 16×16, 8×8 and 4×4 grids.
pub const CHANNELS: [i64; 3] = [64, 128, 192];
const TEXT_LAYERS: usize = 2;

/// Conditioning shared by every denoising step: context tokens (prompt + avatar), their
/// attention bias (0 or −1e9) and the pooled vector for FiLM.
#[derive(Debug)]
pub struct Cond {
    pub ctx: Tensor,
    pub bias: Tensor,
    pub pooled: Tensor,
    /// v2 only: the layout canvas [B, T, 4, 64, 64] in [−1, 1] (premultiplied RGB + alpha).
    pub canvas: Option<Tensor>,
}

impl Cond {
    /// Stacks two conditionings along the batch (for one guided forward pass).
    pub fn cat(a: &Cond, b: &Cond) -> Cond {
        Cond {
            ctx: Tensor::cat(&[&a.ctx, &b.ctx], 0),
            bias: Tensor::cat(&[&a.bias, &b.bias], 0),
            pooled: Tensor::cat(&[&a.pooled, &b.pooled], 0),
            // A branch without a canvas gets the empty one (transparent everywhere).
            canvas: match (&a.canvas, &b.canvas) {
                (Some(x), Some(y)) => Some(Tensor::cat(&[x, y], 0)),
                (Some(x), None) => Some(Tensor::cat(&[x, &(-x.ones_like())], 0)),
                (None, Some(y)) => Some(Tensor::cat(&[&(-y.ones_like()), y], 0)),
                (None, None) => None,
            },
        }
    }
}

fn mask_bias(mask: &Tensor) -> Tensor {
    // 0 where attended, −1e9 where masked; [B, 1, 1, L].
    Tensor::zeros(mask.size(), (Kind::Float, mask.device()))
        .masked_fill(&mask.logical_not(), -1e9)
        .unsqueeze(1)
        .unsqueeze(1)
}

#[derive(Debug)]
struct TextLayer {
    attn: SelfAttention,
    ff: FeedForward,
}

#[derive(Debug)]
struct TextEncoder {
    embed: nn::Embedding,
    pos: Tensor,
    layers: Vec<TextLayer>,
    norm: nn::LayerNorm,
}

impl TextEncoder {
    fn new(p: nn::Path, vocab: i64) -> Self {
        let layers = (0..TEXT_LAYERS)
            .map(|i| {
                let l = &p / "layers" / i;
                TextLayer {
                    attn: SelfAttention::new(&l / "attn", D_TEXT),
                    ff: FeedForward::new(&l / "ff", D_TEXT, 4),
                }
            })
            .collect();
        Self {
            embed: nn::embedding(&p / "embed", vocab, D_TEXT, Default::default()),
            pos: p.var(
                "pos",
                &[world::vocab::MAX_TOKENS as i64, D_TEXT],
                nn::Init::Randn { mean: 0.0, stdev: 0.02 },
            ),
            layers,
            norm: nn::layer_norm(&p / "norm", vec![D_TEXT], Default::default()),
        }
    }

    /// tokens [B, L] → (tokens [B, L, D], mask [B, L], pooled [B, D]).
    fn forward(&self, tokens: &Tensor) -> (Tensor, Tensor, Tensor) {
        let mask = tokens.ne(0);
        let bias = mask_bias(&mask);
        let l = tokens.size()[1];
        let mut x = self.embed.forward(tokens) + self.pos.narrow(0, 0, l).unsqueeze(0);
        for layer in &self.layers {
            x = layer.ff.forward(&layer.attn.forward(&x, Some(&bias)));
        }
        let x = self.norm.forward(&x);
        let m = mask.to_kind(Kind::Float).unsqueeze(-1);
        let pooled =
            (&x * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0);
        (x, mask, pooled)
    }
}

#[derive(Debug)]
struct RefEncoder {
    conv1: nn::Conv2D,
    conv2: nn::Conv2D,
    conv3: nn::Conv2D,
    pos: Tensor,
}

impl RefEncoder {
    fn new(p: nn::Path) -> Self {
        Self {
            conv1: conv3_down(&p / "conv1", 3, 64),
            conv2: conv3_down(&p / "conv2", 64, 128),
            conv3: conv1(&p / "conv3", 128, D_TEXT),
            pos: p.var(
                "pos",
                &[(REF_SIZE as i64 / 4).pow(2), D_TEXT],
                nn::Init::Randn { mean: 0.0, stdev: 0.02 },
            ),
        }
    }

    /// ref [B, 3, 32, 32] in [−1, 1] → (tokens [B, 64, D], pooled [B, D]).
    fn forward(&self, reference: &Tensor) -> (Tensor, Tensor) {
        let h = self
            .conv3
            .forward(&self.conv2.forward(&self.conv1.forward(reference).silu()).silu());
        let tokens = h.flatten(2, -1).transpose(1, 2) + self.pos.unsqueeze(0);
        let pooled = tokens.mean_dim(1, false, Kind::Float);
        (tokens, pooled)
    }
}

/// Predicts the clean clip x0 from a noisy clip at flow time t (1 = pure noise).
#[derive(Debug)]
pub struct VideoDenoiser {
    text: TextEncoder,
    reference: RefEncoder,
    time1: nn::Linear,
    time2: nn::Linear,
    text_proj: nn::Linear,
    ref_proj: nn::Linear,
    stem: nn::Conv2D,
    frame_pos0: Tensor,
    frame_pos2: Tensor,
    enc0: ResBlock,
    enc0_time: TemporalConv,
    down0: nn::Conv2D,
    enc1: ResBlock,
    enc1_time: TemporalAttention,
    enc1_text: CrossAttention,
    down1: nn::Conv2D,
    mid1: ResBlock,
    mid_attn: SpatioTemporalBlock,
    mid_text: CrossAttention,
    mid2: ResBlock,
    up1: nn::Conv2D,
    dec1: ResBlock,
    dec1_time: TemporalAttention,
    dec1_text: CrossAttention,
    up0: nn::Conv2D,
    dec0: ResBlock,
    dec0_time: TemporalConv,
    out_norm: nn::GroupNorm,
    out: nn::Conv2D,
    v2: Option<V2Parts>,
}

/// What model v2 adds to the v1 network: the layout canvas enters next to the stem (its conv
/// starts at zero, so v1 weights start out unchanged), and each subject slot's reference tokens
/// carry a slot embedding so cross-attention can tell the slots apart.
#[derive(Debug)]
struct V2Parts {
    canvas_stem: nn::Conv2D,
    slot_embed: Tensor,
    /// Per-pixel logit of how much of the canvas's subject to keep in the output.
    gate: nn::Conv2D,
}

/// The gate starts open (sigmoid(3) ≈ 0.95): subjects start as their references, and the
/// network learns where to let its own rendering (light, fog, occlusion, motion blur) through.
const GATE_BIAS: f64 = 3.0;

/// Subject slots of model v2 (kept in step with `world::v2::MAX_SLOTS`).
pub const V2_SLOTS: i64 = world::v2::MAX_SLOTS as i64;

/// Sinusoidal features of the flow time t ∈ [0, 1] (scaled by 1000): [B, D_TEXT].
fn time_features(t: &Tensor) -> Tensor {
    let half = D_TEXT / 2;
    let freqs = (Tensor::arange(half, (Kind::Float, t.device())) * (-(10000f64.ln()) / half as f64)).exp();
    let a = (t.to_kind(Kind::Float) * 1000.0).unsqueeze(1) * freqs.unsqueeze(0);
    Tensor::cat(&[a.cos(), a.sin()], 1)
}

impl VideoDenoiser {
    pub fn new(p: &nn::Path, vocab: i64) -> Self {
        let [c0, c1, c2] = CHANNELS;
        let pin = 3 * PATCH * PATCH;
        let frames = FRAMES as i64;
        let small = nn::Init::Randn { mean: 0.0, stdev: 0.02 };
        Self {
            text: TextEncoder::new(p / "text", vocab),
            reference: RefEncoder::new(p / "reference"),
            time1: nn::linear(p / "time1", D_TEXT, D_COND, Default::default()),
            time2: nn::linear(p / "time2", D_COND, D_COND, Default::default()),
            text_proj: nn::linear(p / "text_proj", D_TEXT, D_COND, Default::default()),
            ref_proj: nn::linear(p / "ref_proj", D_TEXT, D_COND, Default::default()),
            stem: conv3(p / "stem", 2 * pin + 1, c0),
            frame_pos0: p.var("frame_pos0", &[frames, c0], small),
            frame_pos2: p.var("frame_pos2", &[frames, c2], small),
            enc0: ResBlock::new(p / "enc0", c0, c0),
            enc0_time: TemporalConv::new(p / "enc0_time", c0),
            down0: conv3_down(p / "down0", c0, c1),
            enc1: ResBlock::new(p / "enc1", c1, c1),
            enc1_time: TemporalAttention::new(p / "enc1_time", c1),
            enc1_text: CrossAttention::new(p / "enc1_text", c1),
            down1: conv3_down(p / "down1", c1, c2),
            mid1: ResBlock::new(p / "mid1", c2, c2),
            mid_attn: SpatioTemporalBlock::new(p / "mid_attn", c2),
            mid_text: CrossAttention::new(p / "mid_text", c2),
            mid2: ResBlock::new(p / "mid2", c2, c2),
            up1: conv3(p / "up1", c2, c1),
            dec1: ResBlock::new(p / "dec1", 2 * c1, c1),
            dec1_time: TemporalAttention::new(p / "dec1_time", c1),
            dec1_text: CrossAttention::new(p / "dec1_text", c1),
            up0: conv3(p / "up0", c1, c0),
            dec0: ResBlock::new(p / "dec0", 2 * c0, c0),
            dec0_time: TemporalConv::new(p / "dec0_time", c0),
            out_norm: group_norm(p / "out_norm", c0),
            out: conv3(p / "out", c0, pin),
            v2: None,
        }
    }

    /// Model v2: v1's network plus the layout-canvas input and slot embeddings; `vocab` is the
    /// size of the v2 scene-token vocabulary.
    pub fn new_v2(p: &nn::Path, vocab: i64) -> Self {
        let mut me = Self::new(p, vocab);
        let zero = nn::ConvConfig {
            padding: 1,
            ws_init: nn::Init::Const(0.0),
            bs_init: nn::Init::Const(0.0),
            ..Default::default()
        };
        me.v2 = Some(V2Parts {
            canvas_stem: nn::conv2d(p / "canvas_stem", 4 * PATCH * PATCH, CHANNELS[0], 3, zero),
            slot_embed: p.var(
                "slot_embed",
                &[V2_SLOTS, D_TEXT],
                nn::Init::Randn { mean: 0.0, stdev: 0.02 },
            ),
            gate: nn::conv2d(
                p / "gate",
                CHANNELS[0],
                PATCH * PATCH,
                3,
                nn::ConvConfig {
                    padding: 1,
                    ws_init: nn::Init::Const(0.0),
                    bs_init: nn::Init::Const(GATE_BIAS),
                    ..Default::default()
                },
            ),
        });
        me
    }

    /// Model v2's conditioning: scene tokens [B, L], one reference per slot [B, S, 3, 32, 32]
    /// with `has_ref` [B, S], and the layout canvas [B, T, 4, 64, 64] (or `None` for the
    /// unconditional branch of guidance).
    pub fn encode_slots(&self, tokens: &Tensor, refs: &Tensor, has_ref: &Tensor, canvas: Option<&Tensor>) -> Cond {
        let (text, mask, pooled) = self.text.forward(tokens);
        let s = refs.size();
        let (b, slots) = (s[0], s[1]);
        let (ref_tokens, ref_pooled) = self.reference.forward(&refs.reshape([b * slots, 3, s[3], s[4]]));
        let per = ref_tokens.size()[1];
        let ref_tokens = ref_tokens.reshape([b, slots, per, D_TEXT]);
        let ref_tokens = match &self.v2 {
            Some(v2) => ref_tokens + v2.slot_embed.narrow(0, 0, slots).view([1, slots, 1, D_TEXT]),
            None => ref_tokens,
        };
        let ref_tokens = ref_tokens.reshape([b, slots * per, D_TEXT]);
        let ctx = Tensor::cat(&[&text, &ref_tokens], 1);
        let present = has_ref.gt(0.5);
        let ref_mask = present
            .unsqueeze(2)
            .expand([-1, -1, per], false)
            .reshape([b, slots * per]);
        let bias = mask_bias(&Tensor::cat(&[&mask, &ref_mask], 1));
        let w = has_ref.to_kind(Kind::Float);
        let ref_mean = (self.ref_proj.forward(&ref_pooled).reshape([b, slots, D_COND]) * w.unsqueeze(2))
            .sum_dim_intlist(1, false, Kind::Float)
            / w.sum_dim_intlist(1, true, Kind::Float).clamp_min(1.0);
        let pooled = self.text_proj.forward(&pooled) + ref_mean;
        Cond {
            ctx,
            bias,
            pooled,
            canvas: canvas.map(|c| c.shallow_clone()),
        }
    }

    /// Encodes a prompt (token ids [B, L]) and an optional avatar reference ([B, 3, 32, 32] in
    /// [−1, 1], with `has_ref` [B] = 1 where present).
    pub fn encode(&self, tokens: &Tensor, reference: &Tensor, has_ref: &Tensor) -> Cond {
        let (text, mask, pooled) = self.text.forward(tokens);
        let (ref_tokens, ref_pooled) = self.reference.forward(reference);
        let ctx = Tensor::cat(&[&text, &ref_tokens], 1);
        let ref_mask = has_ref.gt(0.5).unsqueeze(1).expand([-1, ref_tokens.size()[1]], false);
        let bias = mask_bias(&Tensor::cat(&[&mask, &ref_mask], 1));
        let pooled = self.text_proj.forward(&pooled) + has_ref.unsqueeze(1) * self.ref_proj.forward(&ref_pooled);
        Cond {
            ctx,
            bias,
            pooled,
            canvas: None,
        }
    }

    /// [`Self::forward`] without gradients, inputs cast to the weights' precision `kind`,
    /// output in f32 (what sampling calls for v1 and v2 alike).
    pub fn predict(
        &self,
        kind: Kind,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Cond,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Tensor {
        tch::no_grad(|| {
            self.forward(
                &x_t.to_kind(kind),
                &t.to_kind(kind),
                cond,
                &known.to_kind(kind),
                &known_mask.to_kind(kind),
            )
            .to_kind(Kind::Float)
        })
    }

    /// x_t, known [B, T, 3, 64, 64] in [−1, 1]; t [B]; known_mask [B, T] (1 = given frame).
    pub fn forward(&self, x_t: &Tensor, t: &Tensor, cond: &Cond, known: &Tensor, known_mask: &Tensor) -> Tensor {
        let s = x_t.size();
        let (b, frames) = (s[0], s[1]);
        let size = SIZE as i64;
        let c = (self.time2.forward(&self.time1.forward(&time_features(t)).silu()) + &cond.pooled).silu();
        let c = c.repeat_interleave_self_int(frames, 0, None);
        let x = x_t.reshape([b * frames, 3, size, size]).pixel_unshuffle(PATCH);
        let k = known.reshape([b * frames, 3, size, size]).pixel_unshuffle(PATCH);
        let grid = x.size()[2];
        let m = known_mask
            .to_kind(Kind::Float)
            .reshape([b * frames, 1, 1, 1])
            .expand([-1, 1, grid, grid], false);
        let (ctx, bias) = (&cond.ctx, &cond.bias);
        let mut h = self.stem.forward(&Tensor::cat(&[&x, &k, &m], 1));
        if let (Some(v2), Some(canvas)) = (&self.v2, &cond.canvas) {
            let c = canvas.reshape([b * frames, 4, size, size]).pixel_unshuffle(PATCH);
            h += v2.canvas_stem.forward(&c.to_kind(h.kind()));
        }
        let h = h + self.frame_pos0.repeat([b, 1]).unsqueeze(-1).unsqueeze(-1);
        let h = self.enc0_time.forward(&self.enc0.forward(&h, &c), frames);
        let s0 = h.shallow_clone();
        let h = self.down0.forward(&h);
        let h = self.enc1_text.forward(
            &self.enc1_time.forward(&self.enc1.forward(&h, &c), frames),
            frames,
            ctx,
            bias,
        );
        let s1 = h.shallow_clone();
        let h = self.down1.forward(&h) + self.frame_pos2.repeat([b, 1]).unsqueeze(-1).unsqueeze(-1);
        let h = self.mid1.forward(&h, &c);
        let h = self
            .mid_text
            .forward(&self.mid_attn.forward(&h, frames), frames, ctx, bias);
        let h = self.mid2.forward(&h, &c);
        let h = upsample2(&self.up1.forward(&h));
        let h = self.dec1.forward(&Tensor::cat(&[&h, &s1], 1), &c);
        let h = self
            .dec1_text
            .forward(&self.dec1_time.forward(&h, frames), frames, ctx, bias);
        let h = upsample2(&self.up0.forward(&h));
        let h = self
            .dec0_time
            .forward(&self.dec0.forward(&Tensor::cat(&[&h, &s0], 1), &c), frames);
        let h = self.out_norm.forward(&h).silu();
        let out = self.out.forward(&h).pixel_shuffle(PATCH);
        let out = match (&self.v2, &cond.canvas) {
            (Some(v2), Some(canvas)) => {
                // Composite: the gated canvas subject over the network's frame ([0, 1] space).
                let canvas = canvas.reshape([b * frames, 4, size, size]).to_kind(out.kind());
                let premult = (canvas.narrow(1, 0, 3) + 1.0) / 2.0;
                let alpha = (canvas.narrow(1, 3, 1) + 1.0) / 2.0;
                let open = v2.gate.forward(&h).pixel_shuffle(PATCH).sigmoid();
                let net = (out + 1.0) / 2.0;
                let mixed = net * (1.0 - &open * alpha) + open * premult;
                mixed * 2.0 - 1.0
            }
            _ => out,
        };
        out.view([b, frames, 3, size, size])
    }
}

fn upsample2(x: &Tensor) -> Tensor {
    let s = x.size();
    x.upsample_nearest2d([s[2] * 2, s[3] * 2], 2.0, 2.0)
}

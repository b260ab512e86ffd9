//! Building blocks of the denoiser (mirrored one-for-one in engine/python/reelroom_model.py,
//! same parameter names, so weights trained by either load in both).

use tch::nn::{self, Module};
use tch::Tensor;

use super::{D_COND, D_TEXT, HEADS};

/// Multi-head attention of `q` [B, Lq, C] over `k`, `v` [B, Lk, C] with an additive mask bias.
pub fn attention(q: &Tensor, k: &Tensor, v: &Tensor, bias: Option<&Tensor>) -> Tensor {
    let (b, lq, c) = q.size3().unwrap_or((0, 0, 0));
    let lk = k.size()[1];
    let d = c / HEADS;
    let split = |t: &Tensor, l: i64| t.view([b, l, HEADS, d]).transpose(1, 2);
    let o = Tensor::scaled_dot_product_attention(
        &split(q, lq),
        &split(k, lk),
        &split(v, lk),
        bias,
        0.0,
        false,
        None,
        false,
    );
    o.transpose(1, 2).reshape([b, lq, c])
}

pub fn group_norm(p: nn::Path, c: i64) -> nn::GroupNorm {
    nn::group_norm(p, 8, c, Default::default())
}

fn conv(p: nn::Path, cin: i64, cout: i64, k: i64, stride: i64) -> nn::Conv2D {
    nn::conv2d(
        p,
        cin,
        cout,
        k,
        nn::ConvConfig {
            padding: k / 2,
            stride,
            ..Default::default()
        },
    )
}

pub fn conv3(p: nn::Path, cin: i64, cout: i64) -> nn::Conv2D {
    conv(p, cin, cout, 3, 1)
}

pub fn conv3_down(p: nn::Path, cin: i64, cout: i64) -> nn::Conv2D {
    conv(p, cin, cout, 3, 2)
}

pub fn conv1(p: nn::Path, cin: i64, cout: i64) -> nn::Conv2D {
    conv(p, cin, cout, 1, 1)
}

#[derive(Debug)]
pub struct SelfAttention {
    norm: nn::LayerNorm,
    qkv: nn::Linear,
    out: nn::Linear,
}

impl SelfAttention {
    pub fn new(p: nn::Path, c: i64) -> Self {
        Self {
            norm: nn::layer_norm(&p / "norm", vec![c], Default::default()),
            qkv: nn::linear(&p / "qkv", c, 3 * c, Default::default()),
            out: nn::linear(&p / "out", c, c, Default::default()),
        }
    }

    pub fn forward(&self, x: &Tensor, bias: Option<&Tensor>) -> Tensor {
        let qkv = self.qkv.forward(&self.norm.forward(x)).chunk(3, -1);
        x + self.out.forward(&attention(&qkv[0], &qkv[1], &qkv[2], bias))
    }
}

#[derive(Debug)]
pub struct FeedForward {
    norm: nn::LayerNorm,
    fc1: nn::Linear,
    fc2: nn::Linear,
}

impl FeedForward {
    pub fn new(p: nn::Path, c: i64, mult: i64) -> Self {
        Self {
            norm: nn::layer_norm(&p / "norm", vec![c], Default::default()),
            fc1: nn::linear(&p / "fc1", c, mult * c, Default::default()),
            fc2: nn::linear(&p / "fc2", mult * c, c, Default::default()),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        x + self.fc2.forward(&self.fc1.forward(&self.norm.forward(x)).gelu("none"))
    }
}

/// Per-frame residual block with FiLM from the conditioning vector (time + text + avatar).
#[derive(Debug)]
pub struct ResBlock {
    norm1: nn::GroupNorm,
    conv1: nn::Conv2D,
    film: nn::Linear,
    norm2: nn::GroupNorm,
    conv2: nn::Conv2D,
    skip: Option<nn::Conv2D>,
}

impl ResBlock {
    pub fn new(p: nn::Path, cin: i64, cout: i64) -> Self {
        Self {
            norm1: group_norm(&p / "norm1", cin),
            conv1: conv3(&p / "conv1", cin, cout),
            film: nn::linear(&p / "film", D_COND, 2 * cout, Default::default()),
            norm2: group_norm(&p / "norm2", cout),
            conv2: conv3(&p / "conv2", cout, cout),
            skip: (cin != cout).then(|| conv1(&p / "skip", cin, cout)),
        }
    }

    /// `x` [BT, C, H, W]; `cond` [BT, D_COND], already through SiLU.
    pub fn forward(&self, x: &Tensor, cond: &Tensor) -> Tensor {
        let h = self.conv1.forward(&self.norm1.forward(x).silu());
        let film = self.film.forward(cond).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
        let h = self.norm2.forward(&h) * (film[0].shallow_clone() + 1.0) + &film[1];
        let h = self.conv2.forward(&h.silu());
        match &self.skip {
            Some(skip) => skip.forward(x) + h,
            None => x + h,
        }
    }
}

/// Mixes each pixel's features across neighbouring frames (1-D conv over time).
#[derive(Debug)]
pub struct TemporalConv {
    norm: nn::GroupNorm,
    conv: nn::Conv1D,
}

impl TemporalConv {
    pub fn new(p: nn::Path, c: i64) -> Self {
        Self {
            norm: group_norm(&p / "norm", c),
            conv: nn::conv1d(
                &p / "conv",
                c,
                c,
                3,
                nn::ConvConfig {
                    padding: 1,
                    ..Default::default()
                },
            ),
        }
    }

    pub fn forward(&self, x: &Tensor, frames: i64) -> Tensor {
        let [bt, c, h, w] = dims4(x);
        let y = x
            .view([bt / frames, frames, c, h, w])
            .permute([0, 3, 4, 2, 1])
            .reshape([-1, c, frames]);
        let y = self.conv.forward(&self.norm.forward(&y).silu());
        let y = y
            .view([bt / frames, h, w, c, frames])
            .permute([0, 4, 3, 1, 2])
            .reshape([bt, c, h, w]);
        x + y
    }
}

/// Self-attention across the frames at each pixel position.
#[derive(Debug)]
pub struct TemporalAttention {
    attn: SelfAttention,
}

impl TemporalAttention {
    pub fn new(p: nn::Path, c: i64) -> Self {
        Self {
            attn: SelfAttention::new(&p / "attn", c),
        }
    }

    pub fn forward(&self, x: &Tensor, frames: i64) -> Tensor {
        let [bt, c, h, w] = dims4(x);
        let y = x
            .view([bt / frames, frames, c, h, w])
            .permute([0, 3, 4, 1, 2])
            .reshape([-1, frames, c]);
        let y = self.attn.forward(&y, None);
        y.view([bt / frames, h, w, frames, c])
            .permute([0, 3, 4, 1, 2])
            .reshape([bt, c, h, w])
    }
}

/// Flattens [BT, C, H, W] into one token sequence per clip: [B, T·H·W, C].
fn to_tokens(x: &Tensor, frames: i64) -> Tensor {
    let [bt, c, h, w] = dims4(x);
    x.view([bt / frames, frames, c, h * w])
        .permute([0, 1, 3, 2])
        .reshape([bt / frames, frames * h * w, c])
}

fn from_tokens(y: &Tensor, frames: i64, shape: [i64; 4]) -> Tensor {
    let [bt, c, h, w] = shape;
    y.view([bt / frames, frames, h * w, c])
        .permute([0, 1, 3, 2])
        .reshape([bt, c, h, w])
}

/// Attention from every video token to the prompt (and avatar) tokens.
#[derive(Debug)]
pub struct CrossAttention {
    norm: nn::LayerNorm,
    q: nn::Linear,
    kv: nn::Linear,
    out: nn::Linear,
}

impl CrossAttention {
    pub fn new(p: nn::Path, c: i64) -> Self {
        Self {
            norm: nn::layer_norm(&p / "norm", vec![c], Default::default()),
            q: nn::linear(&p / "q", c, c, Default::default()),
            kv: nn::linear(&p / "kv", D_TEXT, 2 * c, Default::default()),
            out: nn::linear(&p / "out", c, c, Default::default()),
        }
    }

    pub fn forward(&self, x: &Tensor, frames: i64, ctx: &Tensor, bias: &Tensor) -> Tensor {
        let y = to_tokens(x, frames);
        let kv = self.kv.forward(ctx).chunk(2, -1);
        let y = self.out.forward(&attention(
            &self.q.forward(&self.norm.forward(&y)),
            &kv[0],
            &kv[1],
            Some(bias),
        ));
        x + from_tokens(&y, frames, dims4(x))
    }
}

/// Full attention over all frames and positions of the bottleneck, then a feed-forward.
#[derive(Debug)]
pub struct SpatioTemporalBlock {
    attn: SelfAttention,
    ff: FeedForward,
}

impl SpatioTemporalBlock {
    pub fn new(p: nn::Path, c: i64) -> Self {
        Self {
            attn: SelfAttention::new(&p / "attn", c),
            ff: FeedForward::new(&p / "ff", c, 2),
        }
    }

    pub fn forward(&self, x: &Tensor, frames: i64) -> Tensor {
        let y = self.ff.forward(&self.attn.forward(&to_tokens(x, frames), None));
        from_tokens(&y, frames, dims4(x))
    }
}

pub fn dims4(x: &Tensor) -> [i64; 4] {
    let s = x.size();
    [s[0], s[1], s[2], s[3]]
}

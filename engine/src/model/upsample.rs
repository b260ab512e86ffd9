//! Model v2's learned 2× upsampler: the 64×64 frames the denoiser makes plus the 128×128 layout
//! canvas → 128×128 frames. It works on 2×2 pixel patches (a 64×64 grid) so it costs about as
//! much as one small conv net at 64×64, and predicts a residual over bilinear upsampling.

use tch::nn::{self, Module};
use tch::{Kind, Tensor};

use super::blocks::conv3;

/// Hidden channels of the upsampler.
const WIDTH: i64 = 48;
/// Convolutions between the input and output layers.
const DEPTH: usize = 4;

#[derive(Debug)]
pub struct Upsampler {
    input: nn::Conv2D,
    hidden: Vec<nn::Conv2D>,
    out: nn::Conv2D,
}

impl Upsampler {
    pub fn new(p: &nn::Path) -> Self {
        let zero = nn::ConvConfig {
            padding: 1,
            ws_init: nn::Init::Const(0.0),
            bs_init: nn::Init::Const(0.0),
            ..Default::default()
        };
        Self {
            // 2×2 patches of the upsampled frame (12) and of the canvas (16).
            input: conv3(p / "input", 12 + 16, WIDTH),
            hidden: (0..DEPTH).map(|i| conv3(p / "hidden" / i, WIDTH, WIDTH)).collect(),
            // Starts as plain bilinear upsampling.
            out: nn::conv2d(p / "out", WIDTH, 12, 3, zero),
        }
    }

    /// `low` [N, 3, 64, 64] and `canvas` [N, 4, 128, 128], both in [−1, 1] → [N, 3, 128, 128].
    pub fn forward(&self, low: &Tensor, canvas: &Tensor) -> Tensor {
        let s = low.size();
        let (h, w) = (s[2] * 2, s[3] * 2);
        let base = low.upsample_bilinear2d([h, w], false, None, None);
        let x = Tensor::cat(
            &[base.pixel_unshuffle(2), canvas.to_kind(low.kind()).pixel_unshuffle(2)],
            1,
        );
        let mut y = self.input.forward(&x).silu();
        for conv in &self.hidden {
            y = &y + conv.forward(&y).silu();
        }
        (base + self.out.forward(&y).pixel_shuffle(2))
            .clamp(-1.0, 1.0)
            .to_kind(Kind::Float)
    }
}

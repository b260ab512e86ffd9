"""PyTorch twin of the tch model in engine/src/model/ (same modules, same parameter names).

Used by train_gpu.py to train on a GPU machine that has PyTorch but no Rust toolchain; the
Rust engine loads the safetensors it writes, and engine/tests/python_twin.rs checks that both
implementations compute the same output from the same weights.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

FRAMES, SIZE, PATCH, REF = 16, 64, 4, 32
D_TEXT, D_COND, HEADS, MAX_TOKENS = 128, 256, 4, 32
CH = (64, 128, 192)


def attention(q, k, v, heads, bias=None):
    """q [B, Lq, C], k/v [B, Lk, C], bias additive [B, 1, 1, Lk] or None."""
    b, lq, c = q.shape
    lk = k.shape[1]
    d = c // heads
    q = q.view(b, lq, heads, d).transpose(1, 2)
    k = k.view(b, lk, heads, d).transpose(1, 2)
    v = v.view(b, lk, heads, d).transpose(1, 2)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    return o.transpose(1, 2).reshape(b, lq, c)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = nn.LayerNorm(c)
        self.qkv = nn.Linear(c, 3 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x, bias=None):  # x [N, L, C]
        q, k, v = self.qkv(self.norm(x)).chunk(3, dim=-1)
        return x + self.out(attention(q, k, v, HEADS, bias))


class FeedForward(nn.Module):
    def __init__(self, c, mult):
        super().__init__()
        self.norm = nn.LayerNorm(c)
        self.fc1 = nn.Linear(c, mult * c)
        self.fc2 = nn.Linear(mult * c, c)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class TextEncoder(nn.Module):
    def __init__(self, vocab, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, D_TEXT)
        self.pos = nn.Parameter(torch.randn(MAX_TOKENS, D_TEXT) * 0.02)
        self.layers = nn.ModuleList([nn.ModuleDict({"attn": SelfAttention(D_TEXT), "ff": FeedForward(D_TEXT, 4)}) for _ in range(layers)])
        self.norm = nn.LayerNorm(D_TEXT)

    def forward(self, tokens):  # tokens [B, L] int64
        mask = tokens != 0
        bias = torch.zeros(mask.shape, dtype=torch.float32, device=tokens.device).masked_fill(~mask, -1e9)[:, None, None, :]
        x = self.embed(tokens) + self.pos[None, : tokens.shape[1]]
        for layer in self.layers:
            x = layer["ff"](layer["attn"](x, bias))
        x = self.norm(x)
        m = mask.float()[..., None]
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return x, mask, pooled


class RefEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(64, 128, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(128, D_TEXT, 1)
        self.pos = nn.Parameter(torch.randn((REF // 4) ** 2, D_TEXT) * 0.02)

    def forward(self, ref):  # ref [B, 3, 32, 32] in [-1, 1]
        h = self.conv3(F.silu(self.conv2(F.silu(self.conv1(ref)))))
        tokens = h.flatten(2).transpose(1, 2) + self.pos[None]
        return tokens, tokens.mean(1)


def group_norm(c):
    return nn.GroupNorm(8, c)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.film = nn.Linear(D_COND, 2 * cout)
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, cond):  # x [BT, C, H, W], cond [BT, D_COND] (already SiLU'd)
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(cond)[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(F.silu(h))
        return (self.skip(x) if self.skip is not None else x) + h


class TemporalConv(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = group_norm(c)
        self.conv = nn.Conv1d(c, c, 3, padding=1)

    def forward(self, x, frames):
        bt, c, h, w = x.shape
        y = x.view(bt // frames, frames, c, h, w).permute(0, 3, 4, 2, 1).reshape(-1, c, frames)
        y = self.conv(F.silu(self.norm(y)))
        y = y.view(bt // frames, h, w, c, frames).permute(0, 4, 3, 1, 2).reshape(bt, c, h, w)
        return x + y


class TemporalAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attn = SelfAttention(c)

    def forward(self, x, frames):
        bt, c, h, w = x.shape
        y = x.view(bt // frames, frames, c, h, w).permute(0, 3, 4, 1, 2).reshape(-1, frames, c)
        y = self.attn(y)
        return y.view(bt // frames, h, w, frames, c).permute(0, 3, 4, 1, 2).reshape(bt, c, h, w)


class CrossAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = nn.LayerNorm(c)
        self.q = nn.Linear(c, c)
        self.kv = nn.Linear(D_TEXT, 2 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x, frames, ctx, bias):
        bt, c, h, w = x.shape
        y = x.view(bt // frames, frames, c, h * w).permute(0, 1, 3, 2).reshape(bt // frames, frames * h * w, c)
        k, v = self.kv(ctx).chunk(2, dim=-1)
        y = self.out(attention(self.q(self.norm(y)), k, v, HEADS, bias))
        y = y.view(bt // frames, frames, h * w, c).permute(0, 1, 3, 2).reshape(bt, c, h, w)
        return x + y


class SpatioTemporalBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attn = SelfAttention(c)
        self.ff = FeedForward(c, 2)

    def forward(self, x, frames):
        bt, c, h, w = x.shape
        y = x.view(bt // frames, frames, c, h * w).permute(0, 1, 3, 2).reshape(bt // frames, frames * h * w, c)
        y = self.ff(self.attn(y))
        return y.view(bt // frames, frames, h * w, c).permute(0, 1, 3, 2).reshape(bt, c, h, w)


def time_features(t):
    """Sinusoidal features of the flow time t ∈ [0, 1] (scaled by 1000), [B, D_TEXT]."""
    half = D_TEXT // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    a = (t.float() * 1000.0)[:, None] * freqs[None]
    return torch.cat([a.cos(), a.sin()], dim=1)


class VideoDenoiser(nn.Module):
    """Predicts the clean clip x0 from a noisy clip x_t at flow time t (1 = pure noise)."""

    def __init__(self, vocab):
        super().__init__()
        c0, c1, c2 = CH
        pin = 3 * PATCH * PATCH
        self.text = TextEncoder(vocab)
        self.reference = RefEncoder()
        self.time1 = nn.Linear(D_TEXT, D_COND)
        self.time2 = nn.Linear(D_COND, D_COND)
        self.text_proj = nn.Linear(D_TEXT, D_COND)
        self.ref_proj = nn.Linear(D_TEXT, D_COND)
        self.stem = nn.Conv2d(2 * pin + 1, c0, 3, padding=1)
        self.frame_pos0 = nn.Parameter(torch.randn(FRAMES, c0) * 0.02)
        self.frame_pos2 = nn.Parameter(torch.randn(FRAMES, c2) * 0.02)
        self.enc0 = ResBlock(c0, c0)
        self.enc0_time = TemporalConv(c0)
        self.down0 = nn.Conv2d(c0, c1, 3, stride=2, padding=1)
        self.enc1 = ResBlock(c1, c1)
        self.enc1_time = TemporalAttention(c1)
        self.enc1_text = CrossAttention(c1)
        self.down1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.mid1 = ResBlock(c2, c2)
        self.mid_attn = SpatioTemporalBlock(c2)
        self.mid_text = CrossAttention(c2)
        self.mid2 = ResBlock(c2, c2)
        self.up1 = nn.Conv2d(c2, c1, 3, padding=1)
        self.dec1 = ResBlock(2 * c1, c1)
        self.dec1_time = TemporalAttention(c1)
        self.dec1_text = CrossAttention(c1)
        self.up0 = nn.Conv2d(c1, c0, 3, padding=1)
        self.dec0 = ResBlock(2 * c0, c0)
        self.dec0_time = TemporalConv(c0)
        self.out_norm = group_norm(c0)
        self.out = nn.Conv2d(c0, pin, 3, padding=1)

    def encode(self, tokens, ref, has_ref):
        """Conditioning shared by every step: (context tokens, attention bias, pooled vector)."""
        text, mask, pooled = self.text(tokens)
        ref_tokens, ref_pooled = self.reference(ref)
        ctx = torch.cat([text, ref_tokens], dim=1)
        ref_mask = (has_ref[:, None] > 0.5).expand(-1, ref_tokens.shape[1])
        full = torch.cat([mask, ref_mask], dim=1)
        bias = torch.zeros(full.shape, dtype=torch.float32, device=tokens.device).masked_fill(~full, -1e9)[:, None, None, :]
        pooled = self.text_proj(pooled) + has_ref[:, None] * self.ref_proj(ref_pooled)
        return ctx, bias, pooled

    def forward(self, x_t, t, cond, known, known_mask):
        """x_t, known [B, T, 3, 64, 64] in [-1, 1]; t [B]; known_mask [B, T] (1 = given frame)."""
        ctx, bias, pooled = cond
        b, frames = x_t.shape[:2]
        c = F.silu(self.time2(F.silu(self.time1(time_features(t)))) + pooled)
        c = c.repeat_interleave(frames, dim=0)
        x = F.pixel_unshuffle(x_t.reshape(b * frames, 3, SIZE, SIZE), PATCH)
        k = F.pixel_unshuffle(known.reshape(b * frames, 3, SIZE, SIZE), PATCH)
        m = known_mask.reshape(b * frames, 1, 1, 1).expand(-1, 1, x.shape[2], x.shape[3])
        h = self.stem(torch.cat([x, k, m], dim=1))
        h = h + self.frame_pos0.repeat(b, 1)[:, :, None, None]
        h = self.enc0_time(self.enc0(h, c), frames)
        s0 = h
        h = self.down0(h)
        h = self.enc1_text(self.enc1_time(self.enc1(h, c), frames), frames, ctx, bias)
        s1 = h
        h = self.down1(h) + self.frame_pos2.repeat(b, 1)[:, :, None, None]
        h = self.mid1(h, c)
        h = self.mid_text(self.mid_attn(h, frames), frames, ctx, bias)
        h = self.mid2(h, c)
        h = F.interpolate(self.up1(h), scale_factor=2.0, mode="nearest")
        h = self.dec1(torch.cat([h, s1], dim=1), c)
        h = self.dec1_text(self.dec1_time(h, frames), frames, ctx, bias)
        h = F.interpolate(self.up0(h), scale_factor=2.0, mode="nearest")
        h = self.dec0_time(self.dec0(torch.cat([h, s0], dim=1), c), frames)
        out = self.out(F.silu(self.out_norm(h)))
        return F.pixel_shuffle(out, PATCH).view(b, frames, 3, SIZE, SIZE)


@torch.no_grad()
def sample(model, tokens, ref, has_ref, steps=8, guidance=3.0, seed=0, known=None, known_mask=None):
    """Euler sampler of the flow ODE in x0 form (mirrors engine/src/sampler.rs); returns [B,T,3,H,W]."""
    b = tokens.shape[0]
    dev = tokens.device
    g = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randn(b, FRAMES, 3, SIZE, SIZE, generator=g).to(dev)
    if known is None:
        known = torch.zeros_like(x)
        known_mask = torch.zeros(b, FRAMES, device=dev)
    null = torch.zeros_like(tokens)
    null[:, 0] = 1
    cond = model.encode(tokens, ref, has_ref)
    uncond = model.encode(null, ref, torch.zeros_like(has_ref))
    ts = (1.0 - torch.arange(steps + 1) / steps) ** 2.0  # SCHEDULE_POWER in sampler.rs
    km = known_mask[:, :, None, None, None]
    for i in range(steps):
        t, t_next = ts[i].item(), ts[i + 1].item()
        x = km * known + (1 - km) * x
        tt = torch.full((b,), t, device=dev)
        x0 = model(x, tt, cond, known, known_mask)
        if guidance != 1.0:
            x0u = model(x, tt, uncond, known, known_mask)
            x0 = x0u + guidance * (x0 - x0u)
        x0 = x0.clamp(-1, 1)
        x = x0 + (t_next / t) * (x - x0)
    return km * known + (1 - km) * x

"""Exports a tiny TorchScript denoiser for the bring-your-own-model test.

Its forward(x_t, t, tokens, known, known_mask) predicts a flat clip whose grey level is set by
the first prompt token, so the test can check the exact frames the sampler produces.
  python export_tiny_denoiser.py OUT.pt
"""
import sys

import torch


class TinyDenoiser(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(0.01))

    def forward(self, x_t, t, tokens, known, known_mask):
        level = (tokens[:, 0].float() * self.scale - 1.0).clamp(-1.0, 1.0)
        return x_t * 0.0 + level.view(-1, 1, 1, 1, 1)


if __name__ == "__main__":
    torch.jit.script(TinyDenoiser()).save(sys.argv[1])

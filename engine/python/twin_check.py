"""Runs the PyTorch twin (reelroom_model.py) on fixed inputs with the given weights and saves
inputs and output, so engine/tests/python_twin.rs can check the tch model computes the same.
  python twin_check.py WEIGHTS.safetensors OUT.safetensors
"""
import sys

import torch
from safetensors.torch import load_file, save_file

from reelroom_model import FRAMES, MAX_TOKENS, REF, SIZE, VideoDenoiser
from train_gpu import vocab_size

torch.manual_seed(0)
model = VideoDenoiser(vocab_size())
model.load_state_dict({k: v.float() for k, v in load_file(sys.argv[1]).items()})
model.eval()
b = 2
x_t = torch.randn(b, FRAMES, 3, SIZE, SIZE)
t = torch.tensor([0.9, 0.3])
tokens = torch.zeros(b, MAX_TOKENS, dtype=torch.int64)
tokens[0, :4] = torch.tensor([5, 17, 40, 9])
tokens[1, :2] = torch.tensor([30, 12])
ref = torch.rand(b, 3, REF, REF) * 2 - 1
has_ref = torch.tensor([0.0, 1.0])
known = torch.rand(b, FRAMES, 3, SIZE, SIZE) * 2 - 1
known_mask = torch.zeros(b, FRAMES)
known_mask[1, :4] = 1.0
known = known * known_mask[:, :, None, None, None]
with torch.no_grad():
    out = model(x_t, t, model.encode(tokens, ref, has_ref), known, known_mask)
save_file({"x_t": x_t, "t": t, "tokens": tokens, "ref": ref, "has_ref": has_ref, "known": known,
           "known_mask": known_mask, "out": out.contiguous()}, sys.argv[2])

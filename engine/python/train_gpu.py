"""Trains the reelroom video model with PyTorch (CUDA when present), fed by the Rust
`world-stream` renderer, and evaluates it with the Rust `world-score` scorer.

This is the GPU path for machines without a Rust toolchain; `reelroom train` is the tch path.
Both train the same network (reelroom_model.py mirrors engine/src/model) on the same data.

  python train_gpu.py --stream world-stream --score world-score --minutes 9 --out ckpt/ [--resume ckpt/]
"""
import argparse
import json
import math
import os
import queue
import subprocess
import sys
import threading
import time

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from reelroom_model import FRAMES, MAX_TOKENS, REF, SIZE, VideoDenoiser, sample

FRAME_BYTES = FRAMES * SIZE * SIZE * 3
REF_BYTES = REF * REF * 3
RECORD = FRAME_BYTES + MAX_TOKENS * 2 + REF_BYTES + 2
CONTEXT_FRAMES = 4
UNK, NULL = 2, 1


def vocab_size():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "world", "src", "vocab.txt"), encoding="utf-8") as f:
        return 3 + sum(1 for line in f if line.strip())


def reader(proc, batch, q):
    buf = bytearray(batch * RECORD)
    view = memoryview(buf)
    while True:
        got = 0
        while got < len(buf):
            n = proc.stdout.readinto(view[got:])
            if not n:
                q.put(None)
                return
            got += n
        arr = np.frombuffer(bytes(buf), dtype=np.uint8).reshape(batch, RECORD)
        frames = torch.from_numpy(arr[:, :FRAME_BYTES].copy()).view(batch, FRAMES, SIZE, SIZE, 3)
        tok = np.ascontiguousarray(arr[:, FRAME_BYTES:FRAME_BYTES + 2 * MAX_TOKENS]).view("<u2").astype(np.int64)
        o = FRAME_BYTES + 2 * MAX_TOKENS
        ref = torch.from_numpy(arr[:, o:o + REF_BYTES].copy()).view(batch, REF, REF, 3)
        has_ref = torch.from_numpy(arr[:, o + REF_BYTES].astype(np.float32))
        known = torch.from_numpy(arr[:, o + REF_BYTES + 1].astype(np.int64))
        q.put((frames.pin_memory() if torch.cuda.is_available() else frames, torch.from_numpy(tok), ref, has_ref, known))


def to_unit(u8, dev):
    return u8.to(dev, non_blocking=True).float().div(127.5).sub(1.0)


def save(model, ema, meta, out):
    os.makedirs(out, exist_ok=True)
    half = lambda sd: {k: v.detach().to(torch.float16).contiguous().cpu() for k, v in sd.items()}
    save_file(half(ema), os.path.join(out, "ema.tmp"))
    os.replace(os.path.join(out, "ema.tmp"), os.path.join(out, "ema.safetensors"))
    save_file(half(model.state_dict()), os.path.join(out, "model.tmp"))
    os.replace(os.path.join(out, "model.tmp"), os.path.join(out, "model.safetensors"))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def evaluate(model, args, dev, n=360, guidance=3.0):
    """Held-out phrasings over every (colour, shape, motion) triple, scored by world-score."""
    raw = subprocess.run([args.stream, "--eval", str(n), "--seed", "99"], capture_output=True, check=True).stdout
    rec = 2 * MAX_TOKENS + 4
    arr = np.frombuffer(raw, dtype=np.uint8).reshape(n, rec)
    tokens = torch.from_numpy(np.ascontiguousarray(arr[:, :2 * MAX_TOKENS]).view("<u2").astype(np.int64)).to(dev)
    labels = arr[:, 2 * MAX_TOKENS:]
    clips = []
    model.eval()
    for i in range(0, n, 60):
        tk = tokens[i:i + 60]
        ref = torch.zeros(tk.shape[0], 3, REF, REF, device=dev)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dev.type == "cuda"):
            x = sample(model, tk, ref, torch.zeros(tk.shape[0], device=dev), steps=8, guidance=guidance, seed=i)
        clips.append(((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 1, 3, 4, 2).cpu().numpy())
    model.train()
    data = np.concatenate(clips).tobytes()
    out = subprocess.run([args.score], input=data, capture_output=True, check=True).stdout.decode().split("\n")
    got = np.array([[float(v) for v in line.split()] for line in out if line.strip()])
    ok = lambda col, lab: got[:, col] == labels[:, lab]
    held = labels[:, 3] == 1
    # Both columns hold indices into Colour::ALL, Shape::PLAIN and Motion::SINGLE.
    res = {
        "colour": float(ok(0, 0).mean()), "shape": float(ok(1, 1).mean()), "motion": float(ok(3, 2).mean()),
        "held_colour": float(ok(0, 0)[held].mean()), "held_shape": float(ok(1, 1)[held].mean()),
        "held_motion": float(ok(3, 2)[held].mean()), "coherence": float(got[:, 4].mean()), "guidance": guidance,
    }
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stream", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--resume")
    ap.add_argument("--minutes", type=float, default=9.0)
    ap.add_argument("--schedule-minutes", type=float, default=0.0, help="length of the whole LR schedule")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=14)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save-every", type=float, default=2.0, help="minutes")
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--eval", type=int, default=360)
    args = ap.parse_args()
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True
    model = VideoDenoiser(vocab_size()).to(dev)
    meta = {"step": 0, "minutes": 0.0}
    ema = {k: v.detach().clone().float() for k, v in model.state_dict().items()}
    if args.resume and os.path.exists(os.path.join(args.resume, "model.safetensors")):
        model.load_state_dict({k: v.float() for k, v in load_file(os.path.join(args.resume, "model.safetensors")).items()})
        ema = {k: v.float().to(dev) for k, v in load_file(os.path.join(args.resume, "ema.safetensors")).items()}
        meta = json.load(open(os.path.join(args.resume, "meta.json")))
        print(f"resumed at step {meta['step']}", flush=True)
    params = sum(p.numel() for p in model.parameters())
    print(f"params {params} device {dev} batch {args.batch}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.01)
    proc = subprocess.Popen([args.stream, "--seed", str(args.seed * 1000 + meta["step"]), "--threads", str(args.threads)],
                            stdout=subprocess.PIPE, bufsize=0)
    q = queue.Queue(maxsize=4)
    threading.Thread(target=reader, args=(proc, args.batch, q), daemon=True).start()
    total = (args.schedule_minutes or args.minutes) * 60.0
    start, last_save, last_log = time.time(), time.time(), time.time()
    base_minutes, base_step = meta["minutes"], meta["step"]
    step, wait, losses = meta["step"], 0.0, []
    while True:
        elapsed = time.time() - start
        if elapsed > args.minutes * 60 or (args.max_steps and step - base_step >= args.max_steps):
            break
        w0 = time.time()
        item = q.get()
        wait += time.time() - w0
        if item is None:
            break
        frames, tokens, ref, has_ref, known = item
        b = frames.shape[0]
        x0 = to_unit(frames, dev).permute(0, 1, 4, 2, 3)
        ref = to_unit(ref, dev).permute(0, 3, 1, 2)
        tokens, has_ref, known = tokens.to(dev), has_ref.to(dev), known.to(dev)
        # Classifier-free guidance dropout, and a few unknown words for robustness to new phrasing.
        drop = torch.rand(b, device=dev) < 0.1
        null = torch.zeros_like(tokens)
        null[:, 0] = NULL
        tokens = torch.where(drop[:, None], null, tokens)
        tokens = torch.where((torch.rand(tokens.shape, device=dev) < 0.05) & (tokens > UNK), torch.full_like(tokens, UNK), tokens)
        has_ref = has_ref * (torch.rand(b, device=dev) >= 0.1).float()
        km = (torch.arange(FRAMES, device=dev)[None] < known[:, None]).float()
        # Flow time: logit-normal, plus a uniform share so the noisiest steps are trained too.
        t = torch.sigmoid(torch.randn(b, device=dev) + 0.3)
        t = torch.where(torch.rand(b, device=dev) < 0.15, torch.rand(b, device=dev), t).clamp(1e-3, 1.0)
        noise = torch.randn_like(x0)
        tt = t[:, None, None, None, None]
        kk = km[:, :, None, None, None]
        x_t = kk * x0 + (1 - kk) * ((1 - tt) * x0 + tt * noise)
        lr_scale = min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (base_minutes * 60 + elapsed) / total))))
        for g in opt.param_groups:
            g["lr"] = args.lr * lr_scale
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dev.type == "cuda"):
            pred = model(x_t, t, model.encode(tokens, ref, has_ref), kk * x0, km)
        err = (pred.float() - x0) ** 2 * (1 - kk)
        loss = err.sum() / ((1 - kk).sum() * 3 * SIZE * SIZE).clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for k, v in model.state_dict().items():
                ema[k].mul_(decay).add_(v.float(), alpha=1 - decay)
        losses.append(loss.item() if step % 10 == 0 else None)
        recent = [v for v in losses[-200:] if v is not None]
        if time.time() - last_log > 20 and recent:
            print(f"step {step} loss {np.mean(recent):.4f} lr {args.lr * lr_scale:.2e} elapsed {elapsed / 60:.1f}m "
                  f"steps/s {(step - base_step) / max(elapsed, 1e-6):.2f} data-wait {wait / max(elapsed, 1e-6):.0%}", flush=True)
            last_log = time.time()
        if time.time() - last_save > args.save_every * 60:
            meta.update(step=step, minutes=base_minutes + elapsed / 60)
            save(model, ema, meta, args.out)
            last_save = time.time()
    proc.kill()
    elapsed = time.time() - start
    meta.update(step=step, minutes=base_minutes + elapsed / 60, batch=args.batch, params=params,
                clips_seen=step * args.batch, device=torch.cuda.get_device_name() if dev.type == "cuda" else "cpu")
    save(model, ema, meta, args.out)
    if args.eval:
        model.load_state_dict({k: v for k, v in ema.items()})
        for g in (3.0, 1.0):
            res = evaluate(model, args, dev, args.eval, g)
            meta.setdefault("eval", []).append(res)
            print("eval", json.dumps(res), flush=True)
        with open(os.path.join(args.out, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
    print("done", json.dumps({k: v for k, v in meta.items() if k != "eval"}), flush=True)


if __name__ == "__main__":
    main()

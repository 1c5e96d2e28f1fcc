#!/usr/bin/env python3
"""Expected outputs of ladder-ae's encoder models from PyTorch, on the very weights ladder-ae used.

Builds the model exactly as the PyTorch baseline does (torch_bench.build_model: timm vit_small_patch32_224, torchaudio
Conformer(512, 8, 512, 12, 31), FP16 on the GPU), loads the weights ladder-ae exported (one float16 .npy per graph
weight, named as the graph names them: the state-dict names, with each fused QKV projection split into .q/.k/.v and
convolution weights flattened), runs the given input, and writes

  OUT/expected_fp16.npy   the FP16 model's output (what ladder-ae is checked against)
  OUT/expected_fp32.npy   the same weights and input in FP32 with TF32 off (how far FP16 itself is from exact)

as float32 arrays, plus one JSON line on stdout with versions and shapes. Every model tensor must come from a file and
every file must be used: a naming mismatch fails with the names, never silently.

usage: torch_encoder_check.py --model vit|conformer --weights DIR --input X.npy --out OUT
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import build_model  # noqa: E402 - the baseline's own model constructor

SPLIT_QKV = {  # state-dict suffix of a fused projection -> suffixes of ladder-ae's three linears
    "attn.qkv.weight": ("attn.q.weight", "attn.k.weight", "attn.v.weight"),
    "attn.qkv.bias": ("attn.q.bias", "attn.k.bias", "attn.v.bias"),
    "self_attn.in_proj_weight": ("self_attn.q.weight", "self_attn.k.weight", "self_attn.v.weight"),
    "self_attn.in_proj_bias": ("self_attn.q.bias", "self_attn.k.bias", "self_attn.v.bias"),
}


def load_weights(model, wdir):
    files = {f[:-4] for f in os.listdir(wdir) if f.endswith(".npy")}
    used, state = set(), {}
    for key, t in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = t
            continue
        parts = None
        for fused, split in SPLIT_QKV.items():
            if key.endswith(fused):
                prefix = key[: -len(fused)]
                parts = [prefix + s for s in split]
        names = parts or [key]
        missing = [n for n in names if n not in files]
        if missing:
            sys.exit(f"error: model tensor {key} {tuple(t.shape)} has no exported weight {missing}")
        value = np.concatenate([np.load(os.path.join(wdir, n + ".npy")) for n in names], axis=0)
        if value.size != t.numel():
            sys.exit(f"error: {key}: model has {tuple(t.shape)}, exported {names} hold {value.shape}")
        state[key] = torch.from_numpy(value.astype(np.float16)).reshape(t.shape)
        used.update(names)
    unused = sorted(files - used)
    if unused:
        sys.exit(f"error: exported weights the model has no place for: {unused[:8]}{' ...' if len(unused) > 8 else ''}")
    model.load_state_dict(state, strict=True)


def forward(name, model, x):
    if name == "conformer":
        lengths = torch.full((x.shape[0],), x.shape[1], device=x.device, dtype=torch.int32)
        return model(x, lengths)[0]
    return model(x).reshape(x.shape[0], 1, -1)   # ladder-ae's graph keeps the pooled token's axis: [B, 1, classes]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, choices=["vit", "conformer"])
    p.add_argument("--weights", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    x = torch.from_numpy(np.load(a.input).astype(np.float16)).cuda()
    seq = x.shape[1] if a.model == "conformer" else 1
    model, _, more = build_model(a.model, x.shape[0], seq)
    load_weights(model, a.weights)
    model.eval()
    with torch.inference_mode():
        y16 = forward(a.model, model, x).float()
        model.float()
        y32 = forward(a.model, model, x.float())
    torch.cuda.synchronize()
    os.makedirs(a.out, exist_ok=True)
    np.save(os.path.join(a.out, "expected_fp16.npy"), np.ascontiguousarray(y16.cpu().numpy(), dtype=np.float32))
    np.save(os.path.join(a.out, "expected_fp32.npy"), np.ascontiguousarray(y32.cpu().numpy(), dtype=np.float32))
    v = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
    v.update({k: str(s) for k, s in more.items()})
    print(json.dumps({"model": a.model, "input": list(x.shape), "output": list(y16.shape), "finite": bool(torch.isfinite(y16).all()),
                      "versions": v}))


if __name__ == "__main__":
    main()

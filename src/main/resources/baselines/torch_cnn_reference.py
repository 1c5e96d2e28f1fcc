#!/usr/bin/env python3
"""PyTorch's output for the CNN executor's check (issue #11): builds torchvision's resnet50 or shufflenet_v2_x1_0,
loads the seeded parameters ladder-ae exported (org.ladderae.models.reference.CnnWeights#export), runs the exported
image in FP16 on the GPU in eval mode (real Conv2d + BatchNorm2d: ladder-ae folds the norms, PyTorch does not) and
writes the logits as float32 .npy. Optionally times the same eager model (CUDA events, median) for comparison.

The export directory holds one <state_dict name>.npy (float16) per parameter and image.npy; conv weights are OHWI
(ladder-ae's layout) and are permuted to PyTorch's OIHW here, the image is NHWC and is permuted to NCHW.
Every state_dict entry but num_batches_tracked must be present, and every file must be used: a mismatch is an error.
Prints one JSON line: versions, device, the output file, and the eager median in ms when --time is given.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch


def build(name):
    import torchvision
    ctor = {"resnet": torchvision.models.resnet50, "shufflenet": torchvision.models.shufflenet_v2_x1_0}[name]
    return ctor(weights=None), torchvision.__version__


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, choices=["resnet", "shufflenet"])
    p.add_argument("--dir", required=True, help="export directory (parameters and image.npy)")
    p.add_argument("--out", required=True, help="where to write the logits (.npy, float32)")
    p.add_argument("--time", type=int, default=0, help="also time N eager runs (CUDA events, median)")
    a = p.parse_args(argv)

    model, tv_version = build(a.model)
    state = model.state_dict()
    files = {f[:-4] for f in os.listdir(a.dir) if f.endswith(".npy") and f != "image.npy"}
    wanted = {k for k in state if not k.endswith("num_batches_tracked")}
    if files != wanted:
        print("parameter names differ from torchvision's: missing %s, unexpected %s"
              % (sorted(wanted - files)[:5], sorted(files - wanted)[:5]), file=sys.stderr)
        return 1
    new_state = {}
    for k, v in state.items():
        if k.endswith("num_batches_tracked"):
            new_state[k] = v
            continue
        arr = np.load(os.path.join(a.dir, k + ".npy"))
        t = torch.from_numpy(arr.astype(np.float32))
        if t.dim() == 4:
            t = t.permute(0, 3, 1, 2).contiguous()  # OHWI -> OIHW
        if tuple(t.shape) != tuple(v.shape):
            print(f"{k}: exported shape {tuple(t.shape)} is not torchvision's {tuple(v.shape)}", file=sys.stderr)
            return 1
        new_state[k] = t
    model.load_state_dict(new_state, strict=True)
    model = model.eval().to("cuda", torch.float16)

    x = torch.from_numpy(np.load(os.path.join(a.dir, "image.npy")).astype(np.float32))
    x = x.permute(0, 3, 1, 2).contiguous().to("cuda", torch.float16)  # NHWC -> NCHW
    with torch.inference_mode():
        y = model(x)
        torch.cuda.synchronize()
        np.save(a.out, y.float().cpu().numpy())
        info = {"torch": torch.__version__, "torchvision": tv_version, "device": torch.cuda.get_device_name(),
                "model": a.model, "batch": int(x.shape[0]), "out": a.out}
        if a.time > 0:
            for _ in range(5):
                model(x)
            times = []
            for _ in range(a.time):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                model(x)
                e.record()
                e.synchronize()
                times.append(s.elapsed_time(e))
            info["eager_median_ms"] = float(np.median(times))
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())

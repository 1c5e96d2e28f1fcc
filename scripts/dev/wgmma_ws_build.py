#!/usr/bin/env python3
"""Builds the ladder_gemm_wgmma_ws.cu cubins (nvcc, sm_90a) into OUTDIR with ws_manifest.json, for wgmma_ws_check.py.

  python3 scripts/dev/wgmma_ws_build.py OUTDIR
"""
import json, os, re, shutil, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/gemm/ladder_gemm_wgmma_ws.cu")
# kernel -> (WS_W, stages, bm (activation rows per CTA), bn (weight rows per CTA), stage bytes)
KERNELS = {
    "fp16": (0, 4, 128, 256, 128 * 128 + 256 * 128),
    "int4": (1, 6, 256, 128, 8 * 32 * 16 + 256 * 128),
    "nf4": (2, 6, 256, 128, 8 * 32 * 16 + 256 * 128),
    "fp8": (3, 5, 256, 128, 8 * 32 * 32 + 256 * 128),
}


def smem_bytes(ws_w, stages, stage_bytes):
    return stages * stage_bytes + 2 * stages * 8 + (1024 if ws_w == 2 else 0) + 1024


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    man = {}
    for kind, (w, st, bm, bn, sb) in KERNELS.items():
        name = f"ladder_gemm_ws_{kind}"
        cubin = f"ws_{kind}.cubin"
        cmd = ["nvcc", "-cubin", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", f"-DWS_W={w}",
               f"-DSTAGES={st}", f"-DKNAME={name}", "-o", os.path.join(out, cubin), SRC]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr); sys.exit(1)
        regs = re.search(r"Used (\d+) registers", r.stderr).group(1)
        spill = re.search(r"(\d+) bytes spill stores", r.stderr).group(1)
        warn = [l for l in r.stderr.splitlines() if "arning" in l]
        man[kind] = dict(cubin=cubin, name=name, smem=smem_bytes(w, st, sb), bm=bm, bn=bn, stages=st, regs=int(regs), spill=int(spill), warnings=warn)
        print(kind, man[kind])
    json.dump(man, open(os.path.join(out, "ws_manifest.json"), "w"), indent=1)
    shutil.copy(os.path.join(ROOT, "scripts/dev/wgmma_ws_check.py"), out)


if __name__ == "__main__":
    main()

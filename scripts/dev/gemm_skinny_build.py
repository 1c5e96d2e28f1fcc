#!/usr/bin/env python3
"""Build the cubins of gemm_skinny_check.py (nvcc 13.0, sm_90a): the skinny-M (M = 32) tile sweep of issue #6 and the
Figure 13 stage variants (LADDER_STAGE 0/1 next to the default build) of ladder_gemm.cu.

Usage: python3 scripts/dev/gemm_skinny_build.py OUTDIR [-j JOBS]   (writes OUTDIR/manifest.json with regs/spills/smem)
"""
import json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/gemm")
# LADDER_FMT -> (weights, acts, mma, BK, W bytes per row and K tile, A bytes per row and K tile, exponent bytes per row)
FMT = {0: ("fp16", "fp16", "mma16816", 64, 128, 128, 0), 1: ("int4", "fp16", "mma16816", 64, 32, 128, 0),
       3: ("nf4", "fp16", "mma16816", 64, 32, 128, 0), 4: ("fp8_e5m2", "fp16", "mma16816", 64, 64, 128, 0),
       5: ("int1", "int8", "mma16832", 128, 16, 128, 0), 8: ("mxfp8", "mxfp8", "mma16832", 128, 128, 128, 4),
       11: ("int1", "fp16", "mma16816", 64, 8, 128, 0), 7: ("fp8_e5m2", "fp8_e5m2", "mma16832", 128, 128, 128, 0)}
STAGE_TOKEN = {0: "_base", 1: "_transform", 3: ""}


def smem_of(fmt, bm, bn, st):
    _, _, _, _, wrow, arow, ex = FMT[fmt]
    return st * (bm * arow + bn * wrow + ex * (bm + bn)) + (1024 if fmt == 3 else 0)


def variants():
    out = []
    # skinny M: 32-row tiles, 4 or 8 warps along N, W tiles of 4..32 KiB per stage
    for fmt in (1, 3, 4, 11, 5, 0):
        tiles = [(128, 4), (256, 4), (256, 8), (512, 8)]
        if fmt in (5, 11):
            tiles.append((1024, 8))
        for bn, wn in tiles:
            for st in (4, 6, 8):
                if smem_of(fmt, 32, bn, st) <= 200 * 1024:
                    out.append((fmt, 32, bn, 1, wn, st, 3))
    # Figure 13 stages at the stage tiles of GemmKernels.forStage (large M 128x128 w2x2 3st; MXFP8 64x128 w2x4 3st)
    for fmt in (0, 1, 5, 8):
        bm, bn, wm, wn = (64, 128, 2, 4) if fmt == 8 else (128, 128, 2, 2)
        for stage in (0, 1, 3):
            out.append((fmt, bm, bn, wm, wn, 3, stage))
    out.append((8, 64, 128, 2, 4, 4, 3))   # the MXFP8 tile of GemmKernels.forShape (Figure 12 M2: 74 ms)
    out.append((7, 64, 128, 2, 4, 4, 3))   # plain E5M2 x E5M2 on the same tile: the MX block scaling's share of that time
    return out


def name_of(fmt, bm, bn, wm, wn, st, stage):
    w, a, mma, bk = FMT[fmt][:4]
    return f"ladder_gemm_w_{w}_a_{a}_{mma}_{bm}x{bn}x{bk}_w{wm}x{wn}_{st}stage{STAGE_TOKEN[stage]}"


def build(out, v):
    fmt, bm, bn, wm, wn, st, stage = v
    name = name_of(*v)
    defs = [f"-DKNAME={name}", f"-DLADDER_FMT={fmt}", f"-DBM={bm}", f"-DBN={bn}", f"-DWARPS_M={wm}", f"-DWARPS_N={wn}", f"-DSTAGES={st}"]
    if stage != 3:
        defs.append(f"-DLADDER_STAGE={stage}")
    cubin = os.path.join(out, name + ".cubin")
    cmd = ["nvcc", "-cubin", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", "-I", SRC, *defs, "-o", cubin,
           os.path.join(SRC, "ladder_gemm.cu")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    log = p.stdout + p.stderr
    sec = log.split(f"Compiling entry function '{name}'")[-1]
    regs = re.search(r"Used (\d+) registers", sec)
    spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", sec)
    return dict(name=name, cubin=name + ".cubin", fmt=fmt, w=FMT[fmt][0], a=FMT[fmt][1], bm=bm, bn=bn, wm=wm, wn=wn,
                bk=FMT[fmt][3], threads=wm * wn * 32, stages=st, stage=stage, smem=smem_of(fmt, bm, bn, st),
                regs=int(regs.group(1)) if regs else None,
                spill=(int(spill.group(1)) + int(spill.group(2))) if spill else None, ok=p.returncode == 0, log=log if p.returncode else "")


def main():
    out = sys.argv[1]
    jobs = int(sys.argv[sys.argv.index("-j") + 1]) if "-j" in sys.argv else 2
    only = sys.argv[sys.argv.index("--only-fmt") + 1] if "--only-fmt" in sys.argv else None
    os.makedirs(out, exist_ok=True)
    old = {}
    if only is not None and os.path.exists(os.path.join(out, "manifest.json")):   # rebuild one format, keep the rest
        old = {m["name"]: m for m in json.load(open(os.path.join(out, "manifest.json"))) if m["fmt"] != int(only)}
    todo = [v for v in variants() if only is None or v[0] == int(only)]
    with ThreadPoolExecutor(jobs) as ex:
        man = list(old.values()) + list(ex.map(lambda v: build(out, v), todo))
    bad = [m for m in man if not m["ok"]]
    for m in man:
        print(f"{m['name']:<75} regs={m['regs']} spill={m['spill']} smem={m['smem']}" + ("  FAILED" if not m["ok"] else ""))
    for m in bad:
        print(m["log"])
    keep = [m for m in man if m["ok"] and m["spill"] == 0]
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(keep, f, indent=1)
    print(f"{len(keep)} of {len(man)} kept (built, no spills)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Builds the ladder_gemm_wgmma_ws.cu cubins (nvcc, sm_90a) into OUTDIR with ws_manifest.json, for wgmma_ws_check.py.

  python3 scripts/dev/wgmma_ws_build.py OUTDIR [kernel,kernel,...]   (skinny-M kernels: *_s32m1 ... *_s64m2)
"""
import json, os, re, shutil, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/gemm/ladder_gemm_wgmma_ws.cu")
# kernel -> (WS_W, stages, bm (C rows per CTA), bn (C columns = weight rows per CTA), stage bytes, extra -D flags).
# Shared-memory operands (fp16, fp8e4m3, fp8e5m2, int8): 128 x 256 tiles; weights decoded in registers: 256 x 128.
_RS_F16 = lambda lb: 8 * 32 * lb + 256 * 128   # weight chunk (8 groups of 16 rows x 32 lanes x LB) + activation tile
KERNELS = {
    "fp16": (0, 4, 128, 256, 128 * 128 + 256 * 128, []),
    "int4": (1, 6, 256, 128, _RS_F16(16), []),
    "nf4": (2, 6, 256, 128, _RS_F16(16), []),
    "fp8": (3, 5, 256, 128, _RS_F16(32), []),
    "fp8e4m3": (4, 4, 128, 256, 128 * 128 + 256 * 128, []),
    "fp8e5m2": (5, 4, 128, 256, 128 * 128 + 256 * 128, []),
    "int8": (6, 4, 128, 256, 128 * 128 + 256 * 128, []),
    "int8w": (7, 5, 256, 128, _RS_F16(32), []),
    "int2w": (8, 6, 256, 128, _RS_F16(8), []),
    "int1w": (9, 6, 256, 128, _RS_F16(4), []),
    "int4xi8": (10, 5, 256, 128, _RS_F16(32), []),
    "int2xi8": (11, 6, 256, 128, _RS_F16(16), []),
    "int1xi8": (12, 6, 256, 128, _RS_F16(8), []),
    "int8_i32": (6, 4, 128, 256, 128 * 128 + 256 * 128, ["-DINT_OUT=1"]),
    # 2-CTA clusters sharing the W tile by TMA multicast (WS_CLUSTER=2; W box 128 rows)
    "fp16_c2": (0, 4, 128, 256, 128 * 128 + 256 * 128, ["-DWS_CLUSTER=2"]),
    "fp8e4m3_c2": (4, 4, 128, 256, 128 * 128 + 256 * 128, ["-DWS_CLUSTER=2"]),
    "fp8e5m2_c2": (5, 4, 128, 256, 128 * 128 + 256 * 128, ["-DWS_CLUSTER=2"]),
    "int8_c2": (6, 4, 128, 256, 128 * 128 + 256 * 128, ["-DWS_CLUSTER=2"]),
    "int4xi8_i32": (10, 5, 256, 128, _RS_F16(32), ["-DINT_OUT=1"]),
}


def _skinny(ws_w, lb, bm, mb, lane_table=False):
    """WS_SKINNY = bm activation rows per CTA, mb blocks of 64 weight rows per consumer: as many stages as fit 227 KiB
    (lane_table: NF4's 32 KiB bank-replicated table, WS_NF4_LANE)."""
    sb = 8 * mb * 32 * lb + bm * 128
    st = min(48, (232448 - 2048 - (32768 if lane_table else 1024)) // (sb + 16))
    return (ws_w, st, bm, 128 * mb, sb, [f"-DWS_SKINNY={bm}", f"-DWS_MB={mb}"] + (["-DWS_NF4_LANE=1"] if lane_table else []))


# skinny-M kernels (wgmma_skinny_check.py): <format>_s<bm>m<mb>
for _k, (_w, _lb) in {"int4": (1, 16), "nf4": (2, 16), "fp8": (3, 32), "int1w": (9, 4), "int1xi8": (12, 8)}.items():
    for _bm, _mb in ((32, 1), (32, 2), (32, 4), (64, 2)):
        KERNELS[f"{_k}_s{_bm}m{_mb}"] = _skinny(_w, _lb, _bm, _mb)
for _bm, _mb in ((32, 1), (32, 2), (32, 4), (64, 2)):
    KERNELS[f"nf4L_s{_bm}m{_mb}"] = _skinny(2, 16, _bm, _mb, True)


def smem_bytes(ws_w, stages, stage_bytes, lane_table=False):
    return stages * stage_bytes + 2 * stages * 8 + ((32768 if lane_table else 1024) if ws_w == 2 else 0) + 1024


def build(out, kind):
    w, st, bm, bn, sb, extra = KERNELS[kind]
    name = f"ladder_gemm_ws_{kind}"
    cubin = f"ws_{kind}.cubin"
    cmd = ["nvcc", "-cubin", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", f"-DWS_W={w}",
           f"-DSTAGES={st}", f"-DKNAME={name}", *extra, "-o", os.path.join(out, cubin), SRC]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(kind + ": " + r.stderr)
    regs = re.search(r"Used (\d+) registers", r.stderr).group(1)
    spill = re.search(r"(\d+) bytes spill stores", r.stderr).group(1)
    warn = [l for l in r.stderr.splitlines() if "arning" in l]
    sk = [int(x.split("=")[1]) for x in extra if x.startswith("-DWS_SKINNY=")]
    return dict(cubin=cubin, name=name, smem=smem_bytes(w, st, sb, "-DWS_NF4_LANE=1" in extra), bm=bm, bn=bn, stages=st, ws_w=w,
                skinny=sk[0] if sk else 0,
                int_out="-DINT_OUT=1" in extra, cluster=2 if "-DWS_CLUSTER=2" in extra else 1, regs=int(regs),
                spill=int(spill), warnings=warn)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else list(KERNELS)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        man = dict(zip(only, pool.map(lambda kind: build(out, kind), only)))
    for kind, m in man.items():
        print(kind, m)
    json.dump(man, open(os.path.join(out, "ws_manifest.json"), "w"), indent=1)
    shutil.copy(os.path.join(ROOT, "scripts/dev/wgmma_ws_check.py"), out)
    shutil.copy(os.path.join(ROOT, "scripts/dev/wgmma_skinny_check.py"), out)


if __name__ == "__main__":
    main()

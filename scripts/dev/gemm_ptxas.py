#!/usr/bin/env python3
"""ptxas report (sm_90a, nvcc 13.0) for ladder_gemm.cu mma.sync variants: registers, spills, dynamic smem.

Usage: python3 scripts/dev/gemm_ptxas.py [FMT,BM,BN,WM,WN,STAGES ...]
Without arguments: the variants GemmKernels.forShape picks for the format pairs of Figure 14 (LADDER_FMT 9-16)
plus the existing INT4/INT1 references. Shared memory is computed as ladder_gemm.cu lays it out (A_ROWB, W_ROWB).
"""
import os, re, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/gemm/ladder_gemm.cu")
# LADDER_FMT -> (label, A bytes per row and K tile, W bytes per row and K tile)
FMTS = {1: ("W_INT4A_FP16", 128, 32), 2: ("W_INT8A_INT8", 128, 128), 5: ("W_INT1A_INT8", 128, 16),
        9: ("W_INT8A_FP16", 128, 64), 10: ("W_INT2A_FP16", 128, 16), 11: ("W_INT1A_FP16", 128, 8),
        12: ("W_INT4A_INT8", 128, 64), 13: ("W_INT2A_INT8", 128, 32),
        14: ("W_INT4A_INT4", 64, 64), 15: ("W_INT2A_INT4", 64, 32), 16: ("W_INT1A_INT4", 64, 16)}
DEFAULT = [(f, 128, 128, 2, 2, s) for f, s in [(1, 5), (5, 3), (9, 5), (10, 5), (11, 5), (12, 3), (13, 3), (14, 4), (15, 4), (16, 4)]] \
    + [(f, 32, 128, 1, 4, s) for f, s in [(9, 6), (10, 6), (11, 6), (12, 4), (13, 4), (14, 4), (15, 4), (16, 4)]]


def build(v):
    fmt, bm, bn, wm, wn, st = v
    name = f"k_fmt{fmt}_{bm}x{bn}_w{wm}x{wn}_{st}st"
    with tempfile.TemporaryDirectory() as d:
        cmd = ["nvcc", "-cubin", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", f"-DKNAME={name}",
               f"-DLADDER_FMT={fmt}", f"-DBM={bm}", f"-DBN={bn}", f"-DWARPS_M={wm}", f"-DWARPS_N={wn}", f"-DSTAGES={st}",
               "-o", os.path.join(d, "k.cubin"), SRC]
        p = subprocess.run(cmd, capture_output=True, text=True)
    log = p.stdout + p.stderr
    if p.returncode != 0:
        return v, None, log
    sec = log.split(f"Compiling entry function '{name}'")[-1]
    regs = int(re.search(r"Used (\d+) registers", sec).group(1))
    sp = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", sec)
    _, arow, wrow = FMTS[fmt]
    smem = st * (bm * arow + bn * wrow)
    return v, (regs, int(sp.group(1)) + int(sp.group(2)), smem), log


def main():
    vs = [tuple(int(x) for x in a.split(",")) for a in sys.argv[1:]] or DEFAULT
    ok = True
    with ThreadPoolExecutor(os.cpu_count()) as ex:
        for v, r, log in ex.map(build, vs):
            fmt, bm, bn, wm, wn, st = v
            label = f"FMT {fmt:>2} {FMTS[fmt][0]:<13} {bm}x{bn} w{wm}x{wn} {st}st"
            if r is None:
                print(label, "BUILD FAILED\n", log); ok = False; continue
            regs, spill, smem = r
            bad = spill or smem > 232448
            ok &= not bad
            print(f"{label:<45} regs={regs:>3} spill={spill} smem={smem}{'  <-- BAD' if bad else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Compile the Ladder GEMM cubin variants (sm_90a) and write manifest.json for gemm_check.py.

Usage: python3 scripts/dev/gemm_build.py OUTDIR
Names follow org.ladderae.kernels.GemmConfig.kernelName():
  ladder_gemm_w_{W}_a_{A}_{mma}_{BM}x{BN}x{BK}_w{WM}x{WN}_{S}stage
"""
import json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/gemm")
FMTS = {0: ("fp16", "fp16", "mma16816", 64), 1: ("int4", "fp16", "mma16816", 64), 2: ("int8", "int8", "mma16832", 128)}

# (fmt, BM, BN, WARPS_M, WARPS_N, STAGES)
MMA_VARIANTS = [
    (0, 128, 256, 2, 4, 3), (0, 128, 128, 2, 2, 4), (0, 128, 128, 2, 2, 3), (0, 256, 128, 4, 2, 3), (0, 32, 128, 1, 4, 4),
    (1, 128, 256, 2, 4, 4), (1, 128, 128, 2, 2, 5), (1, 32, 128, 1, 4, 6),
    (2, 128, 256, 2, 4, 3), (2, 128, 128, 2, 2, 4), (2, 128, 128, 2, 2, 3), (2, 32, 128, 1, 4, 4),
]
# (WG, BN, STAGES)
WGMMA_VARIANTS = [(2, 256, 4), (2, 128, 5)]


def mma_name(fmt, bm, bn, wm, wn, st):
    w, a, mma, bk = FMTS[fmt]
    return f"ladder_gemm_w_{w}_a_{a}_{mma}_{bm}x{bn}x{bk}_w{wm}x{wn}_{st}stage"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/gemm"
    os.makedirs(out, exist_ok=True)
    manifest, report = [], []
    jobs = []
    for fmt, bm, bn, wm, wn, st in MMA_VARIANTS:
        name = mma_name(fmt, bm, bn, wm, wn, st)
        bk_bytes = 128
        a_stage = bm * 128
        w_stage = bn * (32 if fmt == 1 else 128)
        smem = st * (a_stage + w_stage)
        defs = [f"-DKNAME={name}", f"-DLADDER_FMT={fmt}", f"-DBM={bm}", f"-DBN={bn}", f"-DWARPS_M={wm}",
                f"-DWARPS_N={wn}", f"-DSTAGES={st}"]
        entry = dict(name=name, cubin=name + ".cubin", path="mma", fmt=fmt, w=FMTS[fmt][0], a=FMTS[fmt][1],
                     bm=bm, bn=bn, bk=FMTS[fmt][3], threads=wm * wn * 32, smem=smem, stages=st)
        jobs.append((entry, "ladder_gemm.cu", defs))
    for wg, bn, st in WGMMA_VARIANTS:
        bm = 64 * wg
        name = f"ladder_gemm_w_fp16_a_fp16_wgmma64x{bn}x16_{bm}x{bn}x64_wg{wg}_{st}stage"
        smem = st * (bm * 128 + bn * 128) + 1024
        defs = [f"-DKNAME={name}", f"-DWG={wg}", f"-DBN={bn}", f"-DSTAGES={st}"]
        entry = dict(name=name, cubin=name + ".cubin", path="wgmma", fmt=0, w="fp16", a="fp16", bm=bm, bn=bn,
                     bk=64, threads=128 * wg, smem=smem, stages=st)
        jobs.append((entry, "ladder_gemm_wgmma.cu", defs))
    procs = []
    for entry, src, defs in jobs:
        cmd = ["nvcc", "-cubin", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", "-I", SRC,
               *defs, "-o", os.path.join(out, entry["cubin"]), os.path.join(SRC, src)]
        procs.append((entry, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    ok = True
    for entry, p in procs:
        log = p.communicate()[0]
        if p.returncode != 0:
            print(log); ok = False; continue
        # the main kernel's resource line follows its 'Compiling entry function' line
        sec = log.split(f"Compiling entry function '{entry['name']}'")[-1]
        regs = re.search(r"Used (\d+) registers", sec)
        spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", sec)
        entry["regs"] = int(regs.group(1)) if regs else None
        entry["spill_bytes"] = int(spill.group(1)) + int(spill.group(2)) if spill else None
        warn = [l for l in log.splitlines() if "warning" in l.lower()]
        entry["warnings"] = warn
        manifest.append(entry)
        report.append(f"{entry['name']:<70} regs={entry['regs']:>3} spill={entry['spill_bytes']} smem={entry['smem']}"
                      + (f" WARN {warn}" if warn else ""))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("\n".join(report))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

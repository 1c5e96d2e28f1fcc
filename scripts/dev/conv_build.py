#!/usr/bin/env python3
"""Builds every distinct FP16 conv cubin named in conv_configs.json (ladder_conv.cu, nvcc, sm_90a) into OUTDIR.

conv_configs.json lists, per conv shape, the candidates of org.ladderae.kernels.ConvKernels in the Java order
(rank 0 = the heuristic pick) with their -D flags, grid, threads, shared memory and weight row length; it is
written by scripts/dev/conv_configs.jsh (jshell over target/classes) so the harness runs exactly Java's configs.

Entries name a candidate ("name": the kernel symbol plus _splitkN for split-K launches of the same cubin) and
its cubin ("sym"). With --baseline-src OLD.cu the wgmma candidates of batch > 1 shapes (not warp-specialised) are
also built from OLD.cu as "<sym>_old" (e.g. the previous session's kernel, for an A/B in the same run). The
configs actually built are written to OUTDIR/conv_configs.json for conv_check.py.

  python3 scripts/dev/conv_build.py OUTDIR [-j JOBS] [--baseline-src OLD.cu]
"""
import argparse, json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/conv/ladder_conv.cu")
SRC_HALO = os.path.join(ROOT, "src/main/resources/kernels/conv/ladder_conv_halo.cu")   # ConvMma.HALO configs (flags name -DWP=)


def build(out, name, flags, src=SRC):
    cmd = ["nvcc", "-cubin", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", *flags.split(), "-o",
           os.path.join(out, name + ".cubin"), src]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return name, dict(error=r.stderr[-2000:])
    regs = int(re.search(r"Used (\d+) registers", r.stderr).group(1))
    spill = int(re.search(r"(\d+) bytes spill stores", r.stderr).group(1))
    return name, dict(regs=regs, spill=spill, warnings=[l for l in r.stderr.splitlines() if "arning" in l])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("-j", type=int, default=os.cpu_count())
    ap.add_argument("--baseline-src")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cfgs = json.load(open(os.path.join(ROOT, "scripts/dev/conv_configs.json")))
    todo = {c["sym"]: (c["flags"], SRC_HALO if "-DWP=" in c["flags"] else SRC) for c in cfgs}
    if a.baseline_src:
        extra = []
        for c in cfgs:
            if "CONV_WGMMA=0" in c["flags"] or "CONV_WS=1" in c["flags"] or "-DWP=" in c["flags"] or c["dims"].startswith("1,"): continue
            o = dict(c, name=c["name"] + "_old", sym=c["sym"] + "_old", rank=1000 + c["rank"],
                     flags=c["flags"].replace("-DKNAME=" + c["sym"], "-DKNAME=" + c["sym"] + "_old"),
                     smem=c["smem"])
            extra.append(o)
            todo[o["sym"]] = (o["flags"], os.path.abspath(a.baseline_src))
        cfgs = cfgs + extra
    json.dump(cfgs, open(os.path.join(a.out, "conv_configs.json"), "w"))
    with ThreadPoolExecutor(a.j) as ex:
        res = dict(ex.map(lambda kv: build(a.out, kv[0], *kv[1]), todo.items()))
    bad = {k: v for k, v in res.items() if "error" in v}
    for k, v in res.items():
        print(k, v.get("regs"), "regs", v.get("spill"), "spill", *(v.get("warnings") or []))
    json.dump(res, open(os.path.join(a.out, "conv_manifest.json"), "w"), indent=1)
    if bad:
        for k, v in bad.items(): print("BUILD FAILED", k, v["error"])
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds every distinct FP16 conv cubin named in conv_configs.json (ladder_conv.cu, nvcc, sm_90a) into OUTDIR.

conv_configs.json lists, per conv shape, the candidates of org.ladderae.kernels.ConvKernels in the Java order
(rank 0 = the heuristic pick) with their -D flags, grid, threads, shared memory and weight row length; it is
written by scripts/dev/conv_configs.jsh (jshell over target/classes) so the harness runs exactly Java's configs.

  python3 scripts/dev/conv_build.py OUTDIR [-j JOBS]
"""
import argparse, json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src/main/resources/kernels/conv/ladder_conv.cu")


def build(out, name, flags):
    cmd = ["nvcc", "-cubin", "-gencode=arch=compute_90a,code=sm_90a", "-Xptxas", "-v", *flags.split(), "-o",
           os.path.join(out, name + ".cubin"), SRC]
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
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cfgs = json.load(open(os.path.join(ROOT, "scripts/dev/conv_configs.json")))
    todo = {c["name"]: c["flags"] for c in cfgs}
    with ThreadPoolExecutor(a.j) as ex:
        res = dict(ex.map(lambda kv: build(a.out, *kv), todo.items()))
    bad = {k: v for k, v in res.items() if "error" in v}
    for k, v in res.items():
        print(k, v.get("regs"), "regs", v.get("spill"), "spill", *(v.get("warnings") or []))
    json.dump(res, open(os.path.join(a.out, "conv_manifest.json"), "w"), indent=1)
    if bad:
        for k, v in bad.items(): print("BUILD FAILED", k, v["error"])
        sys.exit(1)


if __name__ == "__main__":
    main()

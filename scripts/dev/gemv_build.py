#!/usr/bin/env python3
"""Developer tool: build the GEMV cubins that scripts/dev/gemv_check.py runs on the GPU.

Mirrors org.ladderae.kernels.GemvKernels (kernel names, -D flags); the Java side is the product path.
Usage: python3 scripts/dev/gemv_build.py OUT_DIR [--quick]
Writes OUT_DIR/*.cubin and OUT_DIR/manifest.json (one entry per kernel: name, cubin, config).
"""
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

SRC = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'main', 'resources', 'kernels', 'gemv', 'ladder_gemv.cu')
W_CODES = {'fp16': 0, 'int8': 1, 'int4': 2, 'int2': 3, 'int1': 4, 'nf4': 5, 'fp8_e5m2': 6, 'fp8_e4m3': 7, 'mxfp8': 8}
A_CODES = {'fp16': 0, 'int8': 1, 'int4': 2}
STAGES = ['baseline', 'transform', 'ptx', 'holistic']
STAGE_TOKENS = {'baseline': 'base', 'transform': 'transform', 'ptx': 'transform_ptx', 'holistic': 'transform_ptx_holistic'}

PAIRS = [('fp16', 'fp16'), ('int8', 'fp16'), ('int4', 'fp16'), ('int2', 'fp16'), ('int1', 'fp16'),
         ('nf4', 'fp16'), ('fp8_e5m2', 'fp16'), ('fp8_e4m3', 'fp16'), ('mxfp8', 'fp16'),
         ('int8', 'int8'), ('int4', 'int8'), ('int2', 'int8'), ('int1', 'int8'),
         ('int4', 'int4'), ('int2', 'int4'), ('int1', 'int4')]
FIG13 = [('fp16', 'fp16'), ('int4', 'fp16'), ('mxfp8', 'fp16'), ('int1', 'int8')]
# Launch configuration of stages (a)-(c): one fixed, untuned choice (GemvConfig.DEFAULT_LAUNCH).
DEFAULT = dict(threads=128, rpw=1, splitk=1, unroll=1, bps=0)
# Candidates the holistic stage searches (GemvKernels.holisticCandidates); bps = blocks per SM cap (0: none).
CANDIDATES_M1 = [dict(threads=128, rpw=1, splitk=1, unroll=2, bps=0),
                 dict(threads=128, rpw=2, splitk=1, unroll=2, bps=0),
                 dict(threads=256, rpw=4, splitk=1, unroll=1, bps=0),
                 dict(threads=256, rpw=2, splitk=1, unroll=4, bps=0),
                 dict(threads=256, rpw=1, splitk=4, unroll=2, bps=0),
                 dict(threads=256, rpw=4, splitk=1, unroll=2, bps=0),
                 dict(threads=512, rpw=2, splitk=1, unroll=2, bps=0)]
CANDIDATES_M16 = [dict(threads=128, rpw=1, splitk=1, unroll=1, bps=0),
                  dict(threads=128, rpw=2, splitk=1, unroll=1, bps=0),
                  dict(threads=256, rpw=1, splitk=2, unroll=1, bps=0),
                  dict(threads=128, rpw=4, splitk=1, unroll=1, bps=0)]

CANDIDATES_MMA = [dict(threads=128, rpw=2, splitk=1, unroll=1, bps=0, mma=True),
                  dict(threads=128, rpw=4, splitk=1, unroll=1, bps=0, mma=True),
                  dict(threads=256, rpw=2, splitk=2, unroll=2, bps=0, mma=True)]


def kernel_name(w, a, stage, m, c):
    return (f"ladder_gemv_w_{w}_a_{a}_{STAGE_TOKENS[stage]}_m{m}_t{c['threads']}_r{c['rpw']}"
            f"_s{c['splitk']}_u{c['unroll']}" + ('_mma' if c.get('mma') else ''))


def nvcc_defines(w, a, stage, m, c):
    return {'LADDER_KERNEL_NAME': kernel_name(w, a, stage, m, c), 'W_FMT': W_CODES[w], 'A_FMT': A_CODES[a],
            'STAGE': STAGES.index(stage), 'GEMV_M': m, 'THREADS': c['threads'], 'RPW': c['rpw'],
            'SPLITK': c['splitk'], 'UNROLL': c['unroll'], 'MMA': int(bool(c.get('mma')))}


def configs(quick=False):
    out = []
    for (w, a) in FIG13:
        for stage in ['baseline', 'transform', 'ptx']:
            for m in ([1] if quick else [1, 3, 16]):
                out.append((w, a, stage, m, DEFAULT))
    for (w, a) in PAIRS:
        cm1 = CANDIDATES_M1
        if w == 'nf4':  # its shared LUT is filled per block: a persistent grid amortises it
            cm1 = [dict(c, bps=4) for c in cm1]
        for c in (cm1[:2] if quick else cm1):
            out.append((w, a, 'holistic', 1, c))
        if not quick:
            for c in CANDIDATES_M16:
                out.append((w, a, 'holistic', 16, dict(c, bps=4 if w == 'nf4' else 0)))
            out.append((w, a, 'holistic', 3, dict(CANDIDATES_M16[1], bps=4 if w == 'nf4' else 0)))
    # tensor-core holistic variant (FP16 activations, not MXFP8; INT1's 512-element K block misses K = 11008)
    for (w, a) in PAIRS:
        if a != 'fp16' or w in ('mxfp8', 'int1'):
            continue
        for c in CANDIDATES_MMA:
            for m in ([16] if quick else [1, 3, 16]):
                out.append((w, a, 'holistic', m, dict(c, bps=4 if w == 'nf4' else 0)))
    return out


def build(out_dir, quick=False, only_mma=False):
    os.makedirs(out_dir, exist_ok=True)
    entries = []
    def one(cfg):
        w, a, stage, m, c = cfg
        d = nvcc_defines(w, a, stage, m, c)
        cubin = d['LADDER_KERNEL_NAME'] + '.cubin'
        cmd = ['nvcc', '-cubin', '-gencode=arch=compute_90a,code=sm_90a', '-O3', '-Xptxas', '-v',
               '-o', os.path.join(out_dir, cubin), SRC] + [f'-D{k}={v}' for k, v in d.items()]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"nvcc failed for {d['LADDER_KERNEL_NAME']}:\n{r.stderr}")
        regs = [l for l in r.stderr.splitlines() if 'registers' in l or 'spill' in l]
        return dict(name=d['LADDER_KERNEL_NAME'], cubin=cubin, w=w, a=a, stage=stage, m=m, launch=c,
                    ptxas=' | '.join(x.strip() for x in regs))
    with ThreadPoolExecutor(max_workers=int(os.environ.get('JOBS', '2'))) as ex:
        cfgs = [c for c in configs(quick) if c[4].get('mma') or not only_mma]
        entries = list(ex.map(one, cfgs))
    mpath = os.path.join(out_dir, 'manifest.json')
    if only_mma and os.path.exists(mpath):  # add to an existing build
        old = [e for e in json.load(open(mpath)) if not e['launch'].get('mma')]
        entries = old + entries
    with open(mpath, 'w') as f:
        json.dump(entries, f, indent=1)
    spills = [e for e in entries if ' 0 bytes spill stores' not in e['ptxas']]
    print(f"built {len(entries)} cubins into {out_dir}; {len(spills)} with spills:")
    for e in spills:
        print('  ', e['name'], e['ptxas'])


if __name__ == '__main__':
    build(sys.argv[1], quick='--quick' in sys.argv, only_mma='--only-mma' in sys.argv)

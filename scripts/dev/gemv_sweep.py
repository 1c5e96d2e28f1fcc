#!/usr/bin/env python3
"""Developer tool: time GEMV launch configurations on the LLaMA-70B decode shapes (M = 1), for choosing the
executor's holistic launch (GemvKernels.holistic / holisticGrouped). Timing only: the chosen configuration is then
checked through the product path (LayerExecutorGpuTest, `bench layer`), which compares every layer with its reference.

  python3 scripts/dev/gemv_sweep.py [OUT_DIR]
Builds ladder_gemv.cu for each (format, launch) with nvcc, launches through cupy, CUDA-event median of 30 graph
replays of 10 launches over rotating weight copies (> 2x L2), and prints GB/s and % of the measured copy bandwidth.
"""
import os, subprocess, sys, itertools
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import cupy as cp

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'main', 'resources', 'kernels', 'gemv', 'ladder_gemv.cu')
OUT = sys.argv[1] if len(sys.argv) > 1 else '/tmp/gemv_sweep'
SHAPES = [('qkv', 10240, 8192), ('o', 8192, 8192), ('gate_up', 57344, 8192), ('down', 8192, 28672)]
# (W_FMT, GROUP, label, bits)
FORMATS = [(2, -1, 'int4_grow', 4), (0, 0, 'fp16', 16)]
LAUNCHES = [dict(t=t, r=r, s=s, u=u) for (t, r, s, u) in [
    (256, 4, 1, 2), (256, 4, 1, 1), (256, 2, 1, 2), (256, 2, 1, 4), (256, 1, 1, 4), (256, 1, 4, 2), (256, 2, 2, 2),
    (128, 4, 1, 2), (128, 2, 1, 2), (128, 2, 1, 4), (128, 1, 1, 4), (512, 4, 1, 2), (512, 2, 1, 2), (512, 1, 2, 2),
    (256, 8, 1, 1), (256, 4, 2, 1), (256, 1, 2, 4), (128, 1, 2, 4)]]
os.makedirs(OUT, exist_ok=True)


def name(f, l):
    return f"sw_{f[2]}_t{l['t']}_r{l['r']}_s{l['s']}_u{l['u']}"


def build(job):
    f, l = job
    n = name(f, l)
    cubin = os.path.join(OUT, n + '.cubin')
    d = dict(LADDER_KERNEL_NAME=n, W_FMT=f[0], A_FMT=0, STAGE=3, GEMV_M=1, THREADS=l['t'], RPW=l['r'], SPLITK=l['s'],
             UNROLL=l['u'], GROUP=f[1], MMA=0)
    r = subprocess.run(['nvcc', '-cubin', '-gencode=arch=compute_90a,code=sm_90a', '-O3', '-Xptxas', '-v', '-o', cubin, SRC]
                       + [f'-D{k}={v}' for k, v in d.items()], capture_output=True, text=True)
    if r.returncode != 0:
        return (f, l, None, r.stderr[-300:])
    regs = ' '.join(x.strip() for x in r.stderr.splitlines() if 'registers' in x)
    return (f, l, cubin, regs)


def copy_bw():
    a = cp.empty(1 << 30, cp.uint8); b = cp.empty_like(a)
    for _ in range(3): cp.copyto(b, a)
    e0, e1 = cp.cuda.Event(), cp.cuda.Event(); ts = []
    for _ in range(10):
        e0.record(); cp.copyto(b, a); e1.record(); e1.synchronize(); ts.append(cp.cuda.get_elapsed_time(e0, e1))
    return 2 * a.nbytes / (np.median(ts) * 1e-3)


def main():
    jobs = list(itertools.product(FORMATS, LAUNCHES))
    with ThreadPoolExecutor(max_workers=16) as ex:
        built = list(ex.map(build, jobs))
    bw = copy_bw()
    dev = cp.cuda.runtime.getDeviceProperties(0)
    sms = dev['multiProcessorCount']
    print(f"device {dev['name'].decode()}, {sms} SMs; copy bandwidth {bw / 1e12:.3f} TB/s")
    results = {}
    for f in FORMATS:
        for (tag, N, K) in SHAPES:
            wbytes = N * K * f[3] // 8
            copies = max(2, int(2 * 100e6 // wbytes) + 1)
            Ws = [cp.random.randint(0, 256, wbytes, dtype=cp.uint8) for _ in range(copies)]
            aux = cp.asarray(np.tile(np.array([0.01, 8.0], np.float16).view(np.uint32), N))
            A = (cp.random.random(K, dtype=cp.float32) - 0.5).astype(cp.float16)
            C = cp.empty(N, cp.float16)
            for (ff, l, cubin, regs) in built:
                if ff != f or cubin is None:
                    continue
                mod = cp.RawModule(path=cubin)
                k = mod.get_function(name(f, l))
                rows_per_block = (l['t'] // 32 // l['s']) * l['r']
                grid = (N + rows_per_block - 1) // rows_per_block
                def launch(i):
                    k((grid,), (l['t'],), (A, Ws[i % copies], aux, C, np.int32(N), np.int32(K)))
                for i in range(3): launch(i)
                cp.cuda.Device().synchronize()
                # 10 launches captured into a graph, so host launch overhead cannot leave the GPU idle between kernels
                stream = cp.cuda.Stream(non_blocking=True)
                with stream:
                    stream.begin_capture()
                    for i in range(10): launch(i)
                    graph = stream.end_capture()
                e0, e1 = cp.cuda.Event(), cp.cuda.Event(); ts = []
                with stream:
                    graph.launch(stream); stream.synchronize()
                    for rep in range(30):
                        e0.record(stream); graph.launch(stream); e1.record(stream); e1.synchronize()
                        ts.append(cp.cuda.get_elapsed_time(e0, e1) / 10)
                ms = float(np.median(ts))
                results.setdefault((f[2], tag), []).append((ms, l, regs, grid))
            del Ws
            cp.get_default_memory_pool().free_all_blocks()
    print(f"{'format':10} {'shape':8} {'best ms':>8} {'GB/s':>6} {'%copy':>6}  best launch (t,r,s,u) grid | current (256,4,1,2)/(256,1,4,2) ms | next best")
    for (fmt, tag), rs in results.items():
        N, K = next((n, k) for (t, n, k) in SHAPES if t == tag)
        bits = 4 if fmt.startswith('int4') else 16
        rs.sort(key=lambda x: x[0])
        cur = [x for x in rs if (x[1]['t'], x[1]['r'], x[1]['s'], x[1]['u']) == ((256, 4, 1, 2) if bits == 4 else (256, 1, 4, 2))]
        b = rs[0]; wb = N * K * bits / 8
        lt = lambda x: f"({x[1]['t']},{x[1]['r']},{x[1]['s']},{x[1]['u']}) {x[3]}"
        print(f"{fmt:10} {tag:8} {b[0]:8.4f} {wb / b[0] / 1e6:6.0f} {100 * wb / (b[0] * 1e-3) / bw:6.1f}  {lt(b):24} | "
              f"{cur[0][0] if cur else float('nan'):.4f} | " + ', '.join(f"{lt(x)} {x[0]:.4f}" for x in rs[1:4]))


if __name__ == '__main__':
    main()

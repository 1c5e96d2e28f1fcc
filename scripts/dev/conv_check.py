#!/usr/bin/env python3
"""Developer check + timing of Ladder's FP16 conv kernels (ladder_conv.cu) on the GPU machine.

Needs torch (CUDA) and libcuda; cubins from conv_build.py (CUBINS dir), configs from conv_configs.json.
For every conv shape and every candidate config (Java's order, rank 0 = heuristic):
  check  - fresh random FP16 data in [-1, 1) (never zeros), output NaN-poisoned, compared with a float64 reference
           (torch conv2d in double on the GPU); batch 128: every output checked for being written, the values of
           images 0 and N-1 compared (the reference of the whole batch would cost minutes). Rank 0 is also checked
           with the fused epilogue (random bias + residual, ReLU) on channel slices: input pixel stride 2C at
           offset C, output / residual pixel stride 2K at offset K (ShuffleNet's split and concat).
  time   - CUDA events, 3 warm-up launches, then rounds of back-to-back launches; the median per launch.
The fastest passing config per shape is then timed interleaved with torch's cuDNN conv (channels_last FP16,
cudnn.benchmark on) over more rounds. A kernel that faults kills the CUDA context: the driver (--drive) reruns
the worker without the kernel it was running and reports it.

  python3 conv_check.py CUBINS [--drive] [--only SUBSTR] [--exclude NAME,...]
"""
import argparse, ctypes, json, os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-3   # GemmRunner.FP16_TOLERANCE: FP32 accumulation + one FP16 rounding
FIG12 = {"C0": "128,64,56,56,64,3,3,1,1", "C1": "128,64,56,56,64,1,1,1,0", "C2": "128,128,28,28,128,3,3,1,1",
         "C3": "128,512,28,28,128,1,1,1,0", "C4": "1,64,56,56,64,3,3,1,1", "C5": "1,64,56,56,64,1,1,1,0",
         "C6": "1,128,28,28,128,3,3,1,1", "C7": "1,512,28,28,128,1,1,1,0"}


def drive(a):
    excluded = [x for x in (a.exclude or "").split(",") if x]
    t0 = time.time()
    for attempt in range(4):
        cmd = [sys.executable, "-u", os.path.abspath(__file__), a.cubins, "--exclude", ",".join(excluded)]
        if a.only: cmd += ["--only", a.only]
        cmd += ["--budget-s", str(max(10.0, a.budget_s - (time.time() - t0)))]
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(r.stdout); sys.stdout.flush()
        if r.returncode == 0:
            if excluded: print("EXCLUDED after a fault:", ",".join(excluded))
            return 0
        sys.stdout.write(r.stderr[-3000:])
        running = [l.split(" ", 1)[1].strip() for l in r.stdout.splitlines() if l.startswith("RUNNING ")]
        if not running: return r.returncode
        excluded.append(running[-1])
        print(f"WORKER DIED (rc {r.returncode}) while running {running[-1]}: rerunning without it")
    return 1


def worker(a):
    import torch
    import torch.nn.functional as F
    torch.backends.cudnn.benchmark = True
    cuda = ctypes.CDLL("libcuda.so.1")

    def ck(r, what):
        if r != 0:
            s = ctypes.c_char_p(); cuda.cuGetErrorString(r, ctypes.byref(s))
            raise RuntimeError(f"{what}: CUDA error {r} {s.value}")

    torch.zeros(1, device="cuda"); torch.cuda.synchronize()
    excluded = set(x for x in (a.exclude or "").split(",") if x)
    cfgs = [c for c in json.load(open(os.path.join(a.cubins, "conv_configs.json"))) if c["name"] not in excluded]
    for c in cfgs: c.setdefault("sym", c["name"]); c.setdefault("splits", 1)
    missing = sorted(set(c["sym"] for c in cfgs if not os.path.exists(os.path.join(a.cubins, c["sym"] + ".cubin"))))
    if missing: print("MISSING CUBINS (not built):", ", ".join(missing))
    cfgs = [c for c in cfgs if c["sym"] not in missing]
    if a.only: cfgs = [c for c in cfgs if a.only in c["dims"]]
    fns = {}

    def fn_of(c, reduce=False):
        if c["sym"] not in fns:
            mod = ctypes.c_void_p()
            ck(cuda.cuModuleLoadData(ctypes.byref(mod), open(os.path.join(a.cubins, c["sym"] + ".cubin"), "rb").read()), "load " + c["sym"])
            f = ctypes.c_void_p()
            ck(cuda.cuModuleGetFunction(ctypes.byref(f), mod, c["sym"].encode()), "getfn")
            ck(cuda.cuFuncSetAttribute(f, 8, c["smem"]), "smem attr")
            fr = ctypes.c_void_p()
            if cuda.cuModuleGetFunction(ctypes.byref(fr), mod, b"ladder_conv_splitk_reduce") != 0: fr = None
            fns[c["sym"]] = (mod, f, fr)
        return fns[c["sym"]][2 if reduce else 1]

    def launcher(c, dims, x, w, y, bias=None, res=None, relu=0, ldx=None, ldy=None, xoff=0, yoff=0):
        N, C, H, W, K, R, S, st, pad = dims
        P, Q = (H + 2 * pad - R) // st + 1, (W + 2 * pad - S) // st + 1
        ldx = ldx or C; ldy = ldy or K
        ptr = lambda t, off=0: ctypes.c_uint64(0 if t is None else t.data_ptr() + 2 * off)
        sk = c["splits"]
        M = N * P * Q
        wsp = torch.empty(sk * M * K if sk > 1 else 1, dtype=torch.float32, device="cuda")   # split-K FP32 partials
        args = [ptr(x, xoff), ptr(w), ctypes.c_uint64(wsp.data_ptr() if sk > 1 else 0), ctypes.c_uint64(0), ptr(y, yoff), ptr(bias), ptr(res, yoff)]
        args += [ctypes.c_int(v) for v in (N, C, H, W, K, R, S, st, pad, P, Q, ldx, ldy, c["ldw"], relu)]
        params = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in args])
        f = fn_of(c)
        rargs = [ctypes.c_uint64(wsp.data_ptr()), ctypes.c_int(sk), ctypes.c_int(M), ctypes.c_int(K), ptr(y, yoff), ptr(bias), ptr(res, yoff),
                 ctypes.c_int(ldy), ctypes.c_int(relu)]
        rparams = (ctypes.c_void_p * len(rargs))(*[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in rargs])
        fr = fn_of(c, reduce=True) if sk > 1 else None
        rgrid = (M * ((K + 3) // 4) + 255) // 256
        def go():   # on torch's current stream, so that CUDA-graph capture records it
            stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
            ck(cuda.cuLaunchKernel(f, c["grid"], sk, 1, c["threads"], 1, 1, c["smem"], stream, params, None), "launch " + c["name"])
            if sk > 1:
                ck(cuda.cuLaunchKernel(fr, rgrid, 1, 1, 256, 1, 1, 0, stream, rparams, None), "launch reduce " + c["name"])
        go.keep = (args, params, rargs, rparams, wsp)
        return go

    gen = torch.Generator(device="cuda").manual_seed(1234)

    def rnd(*shape):
        return (torch.rand(*shape, device="cuda", generator=gen) * 2 - 1).half()

    def device_weights(wk, ldw):   # KCRS fp16 -> KRSC rows padded to ldw
        K = wk.shape[0]
        m = wk.permute(0, 2, 3, 1).reshape(K, -1)
        out = torch.zeros(K, ldw, dtype=torch.float16, device="cuda")
        out[:, : m.shape[1]] = m
        return out.contiguous()

    def check(c, dims, epilogue):
        N, C, H, W, K, R, S, st, pad = dims
        P, Q = (H + 2 * pad - R) // st + 1, (W + 2 * pad - S) // st + 1
        xs = 2 * C if epilogue else C
        ys = 2 * K if epilogue else K
        xfull = rnd(N, H, W, xs)
        wk = rnd(K, C, R, S)
        wd = device_weights(wk, c["ldw"])
        y = torch.full((N, P, Q, ys), float("nan"), dtype=torch.float16, device="cuda")
        bias = rnd(K) if epilogue else None
        res = rnd(N, P, Q, ys) if epilogue else None
        xo, yo = (C, K) if epilogue else (0, 0)
        launcher(c, dims, xfull, wd, y, bias, res, 1 if epilogue else 0, xs, ys, xo, yo)()
        torch.cuda.synchronize()
        out = y[..., yo:yo + K]
        written = not torch.isnan(out).any().item()
        if epilogue:   # the other half of the output must be untouched (still NaN)
            written = written and torch.isnan(y[..., :yo]).all().item()
        imgs = [0] if N == 1 else [0, N - 1]
        x64 = xfull[imgs][..., xo:xo + C].permute(0, 3, 1, 2).double()
        ref = F.conv2d(x64, wk.double(), stride=st, padding=pad).permute(0, 2, 3, 1)
        if epilogue:
            ref = torch.relu(ref + bias.double() + res[imgs][..., yo:yo + K].double())
        o = out[imgs].double()
        err = ((o - ref).norm() / ref.norm()).item() if torch.isfinite(o).all() else float("inf")
        maxabs = (o - ref).abs().max().item() if torch.isfinite(o).all() else float("inf")
        return written and err <= TOL, err, maxabs

    graph_note = []

    def graph_of(f, reps):
        """reps back-to-back calls of f captured as one CUDA graph: times the GPU, not Python's launch overhead
        (ctypes and torch's dispatcher cost more than a batch-1 conv takes)."""
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3): f()
        torch.cuda.current_stream().wait_stream(side)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            for _ in range(reps): f()
        return g

    def time_ms(fns_, rounds, reps):
        """Median over rounds of (time of reps launches) / reps, the functions interleaved within each round."""
        runs = []
        for f in fns_:
            try:
                g = graph_of(f, reps)
                runs.append((g.replay, 1))
            except Exception as e:   # eager fallback, Python overhead included
                if not graph_note: graph_note.append(f"graph capture failed ({e}); eager timing")
                torch.cuda.synchronize()
                runs.append((f, reps))
        ev = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in runs]
        for f, n in runs:
            for _ in range(n): f()
        res = [[] for _ in runs]
        for _ in range(rounds):
            for i, (f, n) in enumerate(runs):
                ev[i][0].record()
                for _ in range(n): f()
                ev[i][1].record()
            torch.cuda.synchronize()
            for i in range(len(runs)): res[i].append(ev[i][0].elapsed_time(ev[i][1]) / reps)
        return [sorted(r)[len(r) // 2] for r in res]

    by_shape = {}
    for c in cfgs: by_shape.setdefault(c["dims"], []).append(c)
    rows = []
    t_start = time.time()
    def deep_batch1(d):   # the split-K targets: batch 1 with a K loop of >= 16 tiles
        v = [int(t) for t in d.split(",")]
        return v[0] == 1 and v[1] * v[5] * v[6] >= 1024
    order = sorted(by_shape, key=lambda d: (d not in FIG12.values(), not deep_batch1(d)))
    for dims_s in order:
        cs = by_shape[dims_s]
        if time.time() - t_start > a.budget_s:
            rows.append((dims_s, "skipped: over the time budget")); continue
        dims = tuple(int(v) for v in dims_s.split(","))
        N, C, H, W, K, R, S, st, pad = dims
        P, Q = (H + 2 * pad - R) // st + 1, (W + 2 * pad - S) // st + 1
        flops = 2.0 * N * P * Q * K * R * S * C
        x = rnd(N, H, W, C); wk = rnd(K, C, R, S)
        y = torch.empty(N, P, Q, K, dtype=torch.float16, device="cuda")
        results = []
        for c in cs:   # batch 1: check every candidate; batch > 1: time first, check the fastest until one passes
            print("RUNNING", c["name"], flush=True)
            if N == 1:
                ok, err, mx = check(c, dims, False)
                if not ok:
                    print(f"FAIL {dims_s} {c['name']} err {err:.2e}", flush=True)
                    results.append((c, None, err)); continue
            else:
                err = None
            wd = device_weights(wk, c["ldw"])
            go = launcher(c, dims, x, wd, y)
            reps = 20 if flops > 2e9 else 50
            ms = time_ms([go], 3, reps)[0]
            print(f"TIMED {dims_s} {c['name']} {ms:.4f}", flush=True)   # every candidate, for the notes
            results.append((c, ms, err))
        if N > 1:
            checked = []
            for r in sorted([r for r in results if r[1] is not None and not r[0]["name"].endswith("_old")], key=lambda r: r[1]):
                c = r[0]
                print("RUNNING", c["name"], flush=True)
                ok, err, mx = check(c, dims, False)
                if ok:
                    checked.append((c, r[1], err)); break
                print(f"FAIL {dims_s} {c['name']} err {err:.2e}", flush=True)
            timed_all = results
            results = checked
        else:
            timed_all = results
        olds = [r[1] for r in timed_all if r[0]["name"].endswith("_old") and r[1] is not None]
        prev = min(olds) if olds else None   # the previous session's kernels (--baseline-src), timed only
        heur = next((r for r in timed_all if r[0]["rank"] == 0), None)   # timed; checked at batch 1 (and by the epilogue check)
        c0 = next((c for c in cs if c["rank"] == 0), cs[0])
        print("RUNNING", c0["name"], flush=True)
        eok, eerr, _ = check(c0, dims, True)
        if not eok:
            print(f"FAIL {dims_s} {c0['name']} fused epilogue on channel slices err {eerr:.2e}", flush=True)
        passed = [r for r in results if r[1] is not None]
        if not passed:
            rows.append((dims_s, None)); continue
        best = min(passed, key=lambda r: r[1])
        if best[0]["name"] != c0["name"]:   # the winner also with the fused epilogue on channel slices
            print("RUNNING", best[0]["name"], flush=True)
            bok, berr, _ = check(best[0], dims, True)
            if not bok:
                print(f"FAIL {dims_s} {best[0]['name']} fused epilogue on channel slices err {berr:.2e}", flush=True)
            eok, eerr = eok and bok, max(eerr, berr)
        wd = device_weights(wk, best[0]["ldw"])
        go = launcher(best[0], dims, x, wd, y)
        xt = x.permute(0, 3, 1, 2)   # NCHW view of NHWC memory = channels_last
        wt = wk.contiguous(memory_format=torch.channels_last)
        cudnn = lambda: F.conv2d(xt, wt, stride=st, padding=pad)
        reps = 20 if flops > 2e9 else 50
        ours, theirs = time_ms([go, cudnn], 7, reps)
        maxerr = max([r[2] for r in passed] + [eerr])
        rows.append((dims_s, dict(ms=ours, cudnn=theirs, tflops=flops / ours / 1e9, ratio=theirs / ours, err=maxerr, epi=eok,
                                   best=best[0]["name"], heur_ms=heur[1] if heur else None, ncand=len(cs), npass=len(passed), prev=prev)))
        print(f"DONE {dims_s} best {best[0]['name']} {ours:.4f} ms cudnn {theirs:.4f} ms", flush=True)
    torch.cuda.synchronize()
    dev = torch.cuda.get_device_name()
    if graph_note: print("NOTE:", graph_note[0])
    print(f"\n== {dev}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}: Ladder FP16 conv (best passing candidate) vs cuDNN channels_last FP16 (CUDA-graph timing, median of rounds)")
    print(f"{'N,C,H,W,K,R,S,str,pad':28s} {'ms':>8s} {'TFLOP/s':>8s} {'cuDNN ms':>9s} {'ratio':>6s} {'heur ms':>8s} {'prev ms':>8s} {'relerr':>8s} checked/cands best")
    names = {v: k for k, v in FIG12.items()}
    for dims_s, r in rows:
        if not isinstance(r, dict):
            print(f"{names.get(dims_s, ''):3s}{dims_s:25s} {r or 'NO CANDIDATE PASSED'}"); continue
        h = f"{r['heur_ms']:.4f}" if r["heur_ms"] else "fail"
        pv = f"{r['prev']:.4f}" if r.get("prev") else "-"
        print(f"{names.get(dims_s, ''):3s}{dims_s:25s} {r['ms']:8.4f} {r['tflops']:8.1f} {r['cudnn']:9.4f} {r['ratio']:6.2f} {h:>8s} {pv:>8s} {r['err']:8.1e} "
              f"{'' if r['epi'] else 'EPILOGUE-FAIL '}{r['npass']}/{r['ncand']} {r['best'].replace('ladder_conv_w_fp16_a_fp16_nhwc_', '')}")
    json.dump(rows, open(os.path.join(os.environ.get("OUT", "."), "conv_results.json"), "w"), indent=1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cubins")
    ap.add_argument("--drive", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--exclude")
    ap.add_argument("--budget-s", type=float, default=150, help="stop starting new shapes after this many seconds")
    a = ap.parse_args()
    sys.exit(drive(a) if a.drive else worker(a))

#!/usr/bin/env python3
"""Developer check of the Ladder GEMM cubins on the GPU machine (needs torch + cupy there).

Loads every cubin listed in manifest.json (written by gemm_build.py) with cupy.RawModule(path=...),
checks it against float64 references on fresh random data (never zeros) with a NaN-poisoned output,
then times it with CUDA events (warm-up, median of >= 20) against torch.matmul FP16 (cuBLAS) and
torch._int_mm in the same run.

  python3 gemm_check.py [--dir DIR] [--only mma|wgmma] [--quick]
"""
import argparse, json, os, subprocess, sys, time
import numpy as np

# ---- INT4 packing (mirrors the kernel's documented layout; numpy or torch integer arrays) ----
# natural (artifact) packing: byte i of a row = e(2i) | e(2i+1) << 4  (element 0 in the low bits, unsigned)
# Ladder fragment layout: per block of 32 K elements, 16 bytes; word t (bytes 4t..4t+3) holds nibbles
# [e(2t), e(2t+8), e(2t+16), e(2t+24), e(2t+1), e(2t+9), e(2t+17), e(2t+25)], n0 in bits 0..3.
_WORD_SRC = [[2 * t, 2 * t + 8, 2 * t + 16, 2 * t + 24, 2 * t + 1, 2 * t + 9, 2 * t + 17, 2 * t + 25] for t in range(4)]
LO_SRC = [_WORD_SRC[b // 4][2 * (b % 4)] for b in range(16)]
HI_SRC = [_WORD_SRC[b // 4][2 * (b % 4) + 1] for b in range(16)]


def pack_int4_natural(q):
    return (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)


def unpack_int4_natural(p):
    out = np.empty((p.shape[0], p.shape[1] * 2), np.uint8)
    out[:, 0::2] = p & 15
    out[:, 1::2] = p >> 4
    return out


def ladder_layout_from_natural(p):
    """The offline layout transform: natural packed [N, K/2] -> Ladder fragment layout [N, K/2] (numpy)."""
    q = unpack_int4_natural(p)
    n, k = q.shape
    g = q.reshape(n, k // 32, 32)
    return (g[:, :, LO_SRC] | (g[:, :, HI_SRC] << 4)).reshape(n, k // 2).astype(np.uint8)


def ladder_layout_torch(q):
    """Same transform straight from unpacked values q (torch uint8 [N,K], 0..15), on the GPU for big shapes."""
    import torch
    n, k = q.shape
    g = q.reshape(n, k // 32, 32)
    lo = torch.tensor(LO_SRC, device=q.device)
    hi = torch.tensor(HI_SRC, device=q.device)
    return (g[:, :, lo] | (g[:, :, hi] << 4)).reshape(n, k // 2).contiguous()


def self_test_packing():
    rng = np.random.default_rng(1)
    q = rng.integers(0, 16, size=(8, 128), dtype=np.uint8)
    lad = ladder_layout_from_natural(pack_int4_natural(q))
    # decode the Ladder layout the way the kernel does: word t -> nibble i -> element _WORD_SRC[t][i]
    dec = np.zeros_like(q)
    words = lad.reshape(8, 4, 4, 4).view(np.uint8)  # [n, block, word, byte]
    for blk in range(4):
        for t in range(4):
            w = sum(int(0) for _ in [])
            for r in range(8):
                by = words[r, blk, t]
                val = int(by[0]) | int(by[1]) << 8 | int(by[2]) << 16 | int(by[3]) << 24
                for i in range(8):
                    dec[r, blk * 32 + _WORD_SRC[t][i]] = (val >> (4 * i)) & 15
    assert np.array_equal(dec, q), "INT4 Ladder layout self-test failed"
    assert np.array_equal(unpack_int4_natural(pack_int4_natural(q)), q)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--only", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=25)
    args = ap.parse_args()
    self_test_packing()

    import torch, cupy as cp
    dev = torch.cuda.get_device_name(0)
    print(f"device: {dev}; torch {torch.__version__}; cupy {cp.__version__}", flush=True)
    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    if args.only:
        manifest = [e for e in manifest if e["path"] == args.only]
    # SASS census (no device time worth counting)
    try:
        for e in manifest:
            sass = subprocess.run(["cuobjdump", "-sass", os.path.join(args.dir, e["cubin"])], capture_output=True, text=True).stdout
            ops = {}
            for tok in ["HMMA", "IMMA", "HGMMA", "LDGSTS", "LDSM", "LDS.", "LOP3", "HFMA2", "LDL", "STL", "BAR.SYNC", "WARPGROUP"]:
                ops[tok] = sass.count(tok)
            print(f"sass {e['name']}: " + " ".join(f"{k}={v}" for k, v in ops.items()), flush=True)
    except Exception as ex:
        print("cuobjdump not usable:", ex)

    kern = {}
    for e in manifest:
        mod = cp.RawModule(path=os.path.join(args.dir, e["cubin"]))
        f = mod.get_function(e["name"])
        f.max_dynamic_shared_size_bytes = e["smem"]
        red = None
        if e["path"] == "mma":
            red = mod.get_function("ladder_gemm_splitk_reduce")
        kern[e["name"]] = (mod, f, red)

    def launch(e, A, W, C, M, N, K, splits=1, ws=None):
        _, f, red = kern[e["name"]]
        num_m = (M + e["bm"] - 1) // e["bm"]
        grid = (num_m * (N // e["bn"]), 1, splits)
        wsp = ws.data_ptr() if ws is not None else 0
        f(grid, (e["threads"], 1, 1), (np.uint64(A.data_ptr()), np.uint64(W.data_ptr()), np.uint64(C.data_ptr()),
                                       np.uint64(wsp), np.int32(M), np.int32(N), np.int32(K)), shared_mem=e["smem"])
        if splits > 1:
            mn = M * N
            red(((mn // 2 + 255) // 256,), (256,), (np.uint64(wsp), np.uint64(C.data_ptr()), np.int64(mn), np.int32(splits)))

    gen = torch.Generator(device="cuda")
    gen.manual_seed(int(time.time()))

    def make_inputs(fmt, M, N, K):
        """Fresh random inputs on the GPU: (A, W_kernel, A_ref(fp16/int), W_ref dequantised)."""
        if fmt == 2:
            A = torch.randint(-8, 8, (M, K), dtype=torch.int8, device="cuda", generator=gen)
            W = torch.randint(-8, 8, (N, K), dtype=torch.int8, device="cuda", generator=gen)
            return A, W, W
        A = torch.randn((M, K), dtype=torch.float16, device="cuda", generator=gen)
        if fmt == 0:
            W = torch.randn((N, K), dtype=torch.float16, device="cuda", generator=gen)
            return A, W, W
        q = torch.randint(0, 16, (N, K), dtype=torch.uint8, device="cuda", generator=gen)
        return A, ladder_layout_torch(q), q

    def dequant(fmt, Wref):
        return Wref.half() if fmt == 1 else Wref

    def rel_err(out, ref):
        out = out.double(); ref = ref.double()
        return float(torch.linalg.norm(out - ref) / torch.linalg.norm(ref))

    def run_checked(e, M, N, K, splits=1, ref_kind="f64"):
        A, W, Wref = make_inputs(e["fmt"], M, N, K)
        C = torch.full((M, N), float("nan"), dtype=torch.float16, device="cuda")
        ws = None
        if splits > 1:
            ws = torch.full((splits, M, N), float("nan"), dtype=torch.float32, device="cuda")
            if e["fmt"] == 2:
                ws = ws.view(torch.int32)
        launch(e, A, W, C, M, N, K, splits, ws)
        cp.cuda.runtime.deviceSynchronize()
        nan = int(torch.isnan(C).sum())
        if ref_kind == "f64":
            if M * N * K <= 2 ** 29:  # numpy float64 on the host
                ref = torch.from_numpy(A.cpu().numpy().astype(np.float64) @ dequant(e["fmt"], Wref).cpu().numpy().astype(np.float64).T)
            else:
                ref = A.double() @ dequant(e["fmt"], Wref).double().T
            ref = ref.to(C.device)
        elif e["fmt"] == 2:
            ref = torch._int_mm(A, W.t())
        else:
            ref = torch.matmul(A, dequant(e["fmt"], Wref).t())
        err = rel_err(C, ref)
        tol = 2e-3 if ref_kind == "f64" else 5e-3
        ok = nan == 0 and err < tol
        del A, W, Wref, C, ws
        return ok, err, nan

    rows = []
    failed = set()
    # ---------------- correctness: small / odd shapes against float64 ----------------
    shapes = [(256, 512, 1024), (33, 512, 1024), (1, 256, 1024), (4095, 1024, 2048)]
    for e in manifest:
        for (M, N, K) in shapes:
            if N % e["bn"]:
                continue
            for splits in ([1, 2] if e["bm"] == 32 else [1]):
                if (K // e["bk"]) % splits:
                    continue
                ok, err, nan = run_checked(e, M, N, K, splits)
                tag = f"{M}x{N}x{K}" + (f" sk{splits}" if splits > 1 else "")
                print(f"check {e['name']:<68} {tag:<20} rel_err={err:.2e} nan={nan} {'PASS' if ok else 'FAIL'}", flush=True)
                rows.append((e["name"], tag, None, None, None, err, ok))
                if not ok:
                    failed.add(e["name"])

    # ---------------- timing ----------------
    def bench(fn, reps=args.reps, warm=3):
        for _ in range(warm):
            fn()
        torch.cuda.synchronize()
        ts = []
        for _ in range(reps):
            s = torch.cuda.Event(enable_timing=True); t = torch.cuda.Event(enable_timing=True)
            s.record(); fn(); t.record(); t.synchronize()
            ts.append(s.elapsed_time(t))
        ts.sort()
        return ts[len(ts) // 2], ts[0], ts[-1]

    big = [(16384, 16384, 16384), (4096, 28672, 8192), (32, 28672, 8192)]
    if args.quick:
        big = [(4096, 28672, 8192), (32, 28672, 8192)]
    table = []
    for (M, N, K) in big:
        fl = 2.0 * M * N * K
        A16 = torch.randn((M, K), dtype=torch.float16, device="cuda", generator=gen)
        W16 = torch.randn((N, K), dtype=torch.float16, device="cuda", generator=gen)
        C16 = torch.empty((M, N), dtype=torch.float16, device="cuda")
        cub = bench(lambda: torch.matmul(A16, W16.t(), out=C16))[0]
        table.append(("cuBLAS torch.matmul fp16", f"{M}x{N}x{K}", cub, fl / cub / 1e9, 1.0, None, True))
        A8 = torch.randint(-8, 8, (M, K), dtype=torch.int8, device="cuda", generator=gen)
        W8 = torch.randint(-8, 8, (N, K), dtype=torch.int8, device="cuda", generator=gen)
        try:
            im = bench(lambda: torch._int_mm(A8, W8.t()))[0]
            table.append(("torch._int_mm int8", f"{M}x{N}x{K}", im, fl / im / 1e9, cub / im, None, True))
        except Exception as ex:
            im = None
            print("torch._int_mm failed:", ex)
        del A16, W16, C16, A8, W8
        torch.cuda.empty_cache()
        for e in manifest:
            if e["name"] in failed or N % e["bn"]:
                continue
            small_m = e["bm"] == 32
            if (M <= 64) != small_m:
                continue
            for splits in ([1, 2, 4] if small_m else [1]):
                if (K // e["bk"]) % splits:
                    continue
                ok, err, nan = run_checked(e, M, N, K, splits, ref_kind="torch")
                A, W, Wref = make_inputs(e["fmt"], M, N, K)
                C = torch.empty((M, N), dtype=torch.float16, device="cuda")
                ws = None
                if splits > 1:
                    ws = torch.empty((splits, M, N), dtype=torch.float32, device="cuda")
                    if e["fmt"] == 2:
                        ws = ws.view(torch.int32)
                ms = bench(lambda: launch(e, A, W, C, M, N, K, splits, ws))[0]
                cp.cuda.runtime.deviceSynchronize()
                base = im if (e["fmt"] == 2 and im) else cub
                label = e["name"] + (f" sk{splits}" if splits > 1 else "")
                table.append((label, f"{M}x{N}x{K}", ms, fl / ms / 1e9, base / ms, err, ok))
                print(f"time {label:<72} {M}x{N}x{K:<8} {ms:8.3f} ms {fl/ms/1e9:7.1f} TFLOP/s x{base/ms:.3f} err={err:.1e} {'PASS' if ok else 'FAIL'}", flush=True)
                del A, W, Wref, C, ws
                torch.cuda.empty_cache()

    print(f"\n=== {dev}: ratio = cuBLAS FP16 ms / kernel ms (INT8 kernels: torch._int_mm ms / kernel ms) ===")
    print(f"{'kernel':<76} {'shape':<18} {'ms':>8} {'TFLOP/s':>8} {'ratio':>6} {'rel_err':>8} result")
    for name, shape, ms, tf, ratio, err, ok in table:
        es = f"{err:.1e}" if err is not None else "-"
        print(f"{name:<76} {shape:<18} {ms:8.3f} {tf:8.1f} {ratio:6.3f} {es:>8} {'PASS' if ok else 'FAIL'}")
    nfail = sum(1 for r in rows if not r[6]) + sum(1 for r in table if not r[6])
    print(f"correctness failures: {nfail}")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Developer check of ladder_gemm_wgmma_ws.cu (TMA + mbarrier + warp-specialised wgmma) on the GPU machine.

Needs torch (CUDA) and libcuda; the cubins are built here by wgmma_ws_build.py (nvcc -cubin, sm_90a).
Launches through the driver API (ctypes): tensor maps by cuTensorMapEncodeTiled, cuLaunchKernel with the
128-byte CUtensorMap passed by value (__grid_constant__). Checks every kernel on fresh random data (never
zeros) against a float64 reference with a NaN-poisoned output, M = 33 / 4095 / full tiles, then times it
interleaved with torch.matmul FP16 (cuBLAS) at the same shape, 3 rounds x median of 20 (CUDA events).

  python3 wgmma_ws_check.py --kernel fp16|int4|nf4|fp8 [--no-time]
"""
import argparse, ctypes, json, os, sys
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
cuda = ctypes.CDLL("libcuda.so.1")


def ck(r, what):
    if r != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorString(r, ctypes.byref(s))
        raise RuntimeError(f"{what}: CUDA error {r} {s.value}")


def load(path, name, smem):
    mod = ctypes.c_void_p()
    data = open(path, "rb").read()
    ck(cuda.cuModuleLoadData(ctypes.byref(mod), data), "cuModuleLoadData")
    fn = ctypes.c_void_p()
    ck(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, name.encode()), "cuModuleGetFunction")
    ck(cuda.cuFuncSetAttribute(fn, 8, smem), "cuFuncSetAttribute(max dynamic smem)")
    return fn


def tmap_2d_fp16(t, box_rows):
    """Tensor map of a row-major FP16 [rows, K] tensor: box {64, box_rows}, 128-byte swizzle, zero fill past the end."""
    rows, k = t.shape
    m = (ctypes.c_uint64 * 16)()
    gdim = (ctypes.c_uint64 * 2)(k, rows)
    gstr = (ctypes.c_uint64 * 1)(k * 2)
    box = (ctypes.c_uint32 * 2)(64, box_rows)
    est = (ctypes.c_uint32 * 2)(1, 1)
    # dtype FLOAT16 = 6, interleave none = 0, swizzle 128B = 3, L2 promotion 256B = 3, oob fill none (zeros) = 0
    ck(cuda.cuTensorMapEncodeTiled(ctypes.byref(m), 6, 2, ctypes.c_void_p(t.data_ptr()), gdim, gstr, box, est, 0, 3, 3, 0),
       "cuTensorMapEncodeTiled")
    return m


class Launch:
    def __init__(self, fn, grid, smem, args):
        self.fn, self.grid, self.smem = fn, grid, smem
        self.keep = args
        self.params = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.byref(a), ctypes.c_void_p) for a in args])

    def __call__(self):
        ck(cuda.cuLaunchKernel(self.fn, self.grid, 1, 1, 384, 1, 1, self.smem, None, self.params, None), "cuLaunchKernel")


# ---------------- weight layouts (mirror GemmWeightLayout) ----------------
def int4_word_src():
    return [[2 * t + (i >= 4) + 8 * (i % 4) for i in range(8)] for t in range(4)]


def nf4_word_src():
    return [[2 * t + (i & 1) + 8 * (i >> 1) for i in range(8)] for t in range(4)]


def mma_nibbles(q, src):
    """codes q [N, K] (uint8 0..15) -> mma layout bytes [N, K/2]: byte b of a 32-block = elem(lo) | elem(hi) << 4."""
    n, k = q.shape
    lo = torch.tensor([src[b // 4][2 * (b % 4)] for b in range(16)], device=q.device)
    hi = torch.tensor([src[b // 4][2 * (b % 4) + 1] for b in range(16)], device=q.device)
    g = q.reshape(n, k // 32, 32)
    return (g[:, :, lo] | (g[:, :, hi] << 4)).reshape(n, k // 2).contiguous()


def mma_byte_pairs(q):
    """8-bit codes [N, K] -> per 16 K, word t = [e(2t), e(2t+1), e(2t+8), e(2t+9)]."""
    n, k = q.shape
    idx = torch.tensor([e for t in range(4) for e in (2 * t, 2 * t + 1, 2 * t + 8, 2 * t + 9)], device=q.device)
    return q.reshape(n, k // 16, 16)[:, :, idx].reshape(n, k).contiguous()


def wgmma_fragment_order(mma, n, k, bits):
    """mma-layout bytes [N, K*bits/8] -> chunks [K/64][N/16][lane (g, t)][unit u][row half h] of 4-byte words."""
    units = 64 * bits // 128
    w = mma.view(torch.int32).reshape(n // 16, 2, 8, k // 64, units, 4)       # [n16, h, g, kt, u, t]
    return w.permute(3, 0, 2, 5, 4, 1).contiguous().view(torch.uint8).reshape(-1)


NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]


def make_weights(kind, n, k, gen):
    """(device bytes in the kernel's layout, dequantised FP16 weights [N, K])."""
    if kind == "int4":
        q = torch.randint(0, 16, (n, k), dtype=torch.uint8, device="cuda", generator=gen)
        return wgmma_fragment_order(mma_nibbles(q, int4_word_src()), n, k, 4), q.to(torch.float16)
    if kind == "nf4":
        q = torch.randint(0, 16, (n, k), dtype=torch.uint8, device="cuda", generator=gen)
        tab = torch.tensor(NF4, device="cuda").to(torch.float16)
        return wgmma_fragment_order(mma_nibbles(q, nf4_word_src()), n, k, 4), tab[q.long()]
    if kind == "fp8":
        v = (torch.randn(n, k, device="cuda", generator=gen) * 0.5).to(torch.float8_e5m2)
        q = v.view(torch.uint8)
        return wgmma_fragment_order(mma_byte_pairs(q), n, k, 8), v.to(torch.float16)
    raise ValueError(kind)


def self_test_layout():
    """Decode the fragment order the way the kernel's lanes do (INT4) and compare with the codes."""
    g = torch.Generator(device="cuda").manual_seed(5)
    n, k = 32, 128
    q = torch.randint(0, 16, (n, k), dtype=torch.uint8, device="cuda", generator=g)
    lay = wgmma_fragment_order(mma_nibbles(q, int4_word_src()), n, k, 4).cpu().view(torch.int32).reshape(k // 64, n // 16, 8, 4, 4)
    dec = torch.full((n, k), 99, dtype=torch.int32)
    for kt in range(k // 64):
        for n16 in range(n // 16):
            for gg in range(8):
                for t in range(4):
                    w = [int(x) & 0xFFFFFFFF for x in lay[kt, n16, gg, t]]
                    for s in range(4):
                        for h in range(2):
                            word = w[2 * (s >> 1) + h] >> (8 * (s & 1))
                            row = n16 * 16 + gg + 8 * h
                            col = kt * 64 + 16 * s + 2 * t
                            dec[row, col] = word & 15; dec[row, col + 1] = (word >> 16) & 15
                            dec[row, col + 8] = (word >> 4) & 15; dec[row, col + 9] = (word >> 20) & 15
    assert torch.equal(dec, q.cpu().to(torch.int32)), "fragment-order self-test failed"


def median_ms(fn, reps=20, warm=3):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        ts.append(a.elapsed_time(b))
    ts.sort()
    return ts[len(ts) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--no-time", action="store_true")
    ap.add_argument("--shapes", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    man = json.load(open(os.path.join(HERE, "ws_manifest.json")))[args.kernel]
    torch.cuda.init(); torch.zeros(1, device="cuda")
    ctx = ctypes.c_void_p(); ck(cuda.cuCtxGetCurrent(ctypes.byref(ctx)), "cuCtxGetCurrent")
    assert ctx.value, "no current CUDA context"
    print(f"# {torch.cuda.get_device_name()} kernel {args.kernel}: {man}", flush=True)
    fn = load(os.path.join(HERE, man["cubin"]), man["name"], man["smem"])
    lowbit = args.kernel != "fp16"
    bm, bn = man["bm"], man["bn"]
    if lowbit:
        self_test_layout()
    gen = torch.Generator(device="cuda").manual_seed(1234)

    def setup(m, n, k):
        a = torch.randn(m, k, device="cuda", dtype=torch.float16, generator=gen)
        c = torch.full((m, n), float("nan"), device="cuda", dtype=torch.float16)
        if lowbit:
            wdev, wdq = make_weights(args.kernel, n, k, gen)
            ta = tmap_2d_fp16(a, bm)
            grid = ((m + bm - 1) // bm) * (n // bn)
            cargs = [ta, ctypes.c_uint64(wdev.data_ptr()), ctypes.c_uint64(c.data_ptr()), ctypes.c_int(m), ctypes.c_int(n), ctypes.c_int(k)]
            keep = (a, wdev, wdq, c)
        else:
            wdq = torch.randn(n, k, device="cuda", dtype=torch.float16, generator=gen)
            ta, tw = tmap_2d_fp16(a, bm), tmap_2d_fp16(wdq, bn)
            grid = ((m + bm - 1) // bm) * (n // bn)
            cargs = [ta, tw, ctypes.c_uint64(c.data_ptr()), ctypes.c_int(m), ctypes.c_int(n), ctypes.c_int(k)]
            keep = (a, wdq, c)
        return Launch(fn, grid, man["smem"], cargs), a, wdq, c, keep

    ok = True
    for (m, n, k) in [(33, 2 * bn, 1024), (4095, 2 * bn, 512), (256, 4 * bn, 2048), (1000, 3 * bn, 4096)]:
        L, a, wdq, c, keep = setup(m, n, k)
        L(); torch.cuda.synchronize()
        ref = a.double() @ wdq.double().t()
        nan = int(torch.isnan(c).sum())
        err = float((c.double() - ref).norm() / ref.norm())
        good = nan == 0 and err < 1e-3
        ok &= good
        print(f"check {args.kernel} M={m} N={n} K={k}: rel.err {err:.3e} unwritten(NaN) {nan} -> {'PASS' if good else 'FAIL'}", flush=True)
        del L, a, wdq, c, keep
    if args.no_time:
        return 0 if ok else 1
    shapes = [(16384, 16384, 16384), (4096, 28672, 8192)] if not lowbit else [(4096, 28672, 8192), (8192, 28672, 8192)]
    if args.shapes:
        shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
    for (m, n, k) in shapes:
        L, a, wdq, c, keep = setup(m, n, k)
        L(); torch.cuda.synchronize()
        # large-shape agreement with cuBLAS on the same (dequantised) operands
        ref16 = a @ wdq.t()
        err = float((c.float() - ref16.float()).norm() / ref16.float().norm())
        nan = int(torch.isnan(c).sum())
        flop = 2.0 * m * n * k
        rows = []
        for rnd in range(args.rounds):
            tk = median_ms(L)
            tb = median_ms(lambda: torch.matmul(a, wdq.t()))
            rows.append((tk, tb))
        tks = sorted(r[0] for r in rows); tbs = sorted(r[1] for r in rows)
        ratios = sorted(r[1] / r[0] for r in rows)
        mid = len(rows) // 2
        print(f"time {args.kernel} {m}x{n}x{k}: kernel ms {['%.3f' % x for x in tks]} ({flop / tks[mid] / 1e9:.1f} TFLOP/s) "
              f"cuBLAS fp16 ms {['%.3f' % x for x in tbs]} ({flop / tbs[mid] / 1e9:.1f} TFLOP/s) ratio per round "
              f"{['%.3f' % x for x in ratios]} median {ratios[mid]:.3f}; vs cuBLAS rel.err {err:.2e} NaN {nan}", flush=True)
        del L, a, wdq, c, keep, ref16
        torch.cuda.empty_cache()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Developer check of ladder_gemm_wgmma_ws.cu (TMA + mbarrier + warp-specialised wgmma) on the GPU machine.

Needs torch (CUDA) and libcuda; the cubins are built here by wgmma_ws_build.py (nvcc -cubin, sm_90a).
Launches through the driver API (ctypes): tensor maps by cuTensorMapEncodeTiled, cuLaunchKernel with the
128-byte CUtensorMap passed by value (__grid_constant__). Checks every kernel on fresh random data (never
zeros) against a float64 reference (integer kernels: the exact sum) with a NaN-poisoned output (integer
outputs: poisoned with INT32_MIN), M = 33 / 4095 / full tiles, then times it interleaved with its torch baseline
at the same shape in the same process, R rounds x median of 20 (CUDA events): torch.matmul FP16 (cuBLAS) for FP16
activations, torch._scaled_mm E4M3 (out FP16, unit scales, as Table 1's baseline) for FP8 x FP8, torch._int_mm for
INT8 activations. Prints one table at the end.

  python3 wgmma_ws_check.py --kernel fp16,int4,... [--no-time] [--rounds R] [--shapes MxNxK,...]
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


def tmap_2d(t, box_rows):
    """Tensor map of a row-major [rows, K] FP16 or 8-bit tensor: box {128 bytes, box_rows}, 128-byte swizzle, zero fill."""
    rows, k = t.shape
    es = t.element_size()
    m = (ctypes.c_uint64 * 16)()
    gdim = (ctypes.c_uint64 * 2)(k, rows)
    gstr = (ctypes.c_uint64 * 1)(k * es)
    box = (ctypes.c_uint32 * 2)(128 // es, box_rows)
    est = (ctypes.c_uint32 * 2)(1, 1)
    # dtype FLOAT16 = 6 / UINT8 = 0, interleave none = 0, swizzle 128B = 3, L2 promotion 256B = 3, oob fill zeros = 0
    ck(cuda.cuTensorMapEncodeTiled(ctypes.byref(m), 6 if es == 2 else 0, 2, ctypes.c_void_p(t.data_ptr()), gdim, gstr, box,
                                   est, 0, 3, 3, 0), "cuTensorMapEncodeTiled")
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


def _half_pair(p):   # GemmWeightLayout.FieldLayout.halfPairElement(p / 16, p % 16)
    t, f = p // 16, p % 16
    h, j = f // 8, f % 8
    return 16 * (j >> 1) + 2 * t + 8 * (j & 1) + h


def _int2_int8(p):
    t, i, q = p // 16, (p % 16) // 4, p % 4
    return 32 * (q >> 1) + 16 * (q & 1) + 4 * t + i


def _int1_int8(p):   # int1ForMma: byte 4t+s, bit i -> e(32s+4t+i), bit 4+i -> e(32s+16+4t+i)
    byte, b = p // 8, p % 8
    t, s = byte // 4, byte % 4
    return 32 * s + 4 * t + (b % 4) + 16 * (b // 4)


# (bits, K block, element of field p): ladder_gemm.cu's FMT 10, 11, 12, 13, 5 layouts
FIELD_LAYOUTS = {
    "int2_fp16": (2, 64, _half_pair),
    "int1_fp16": (1, 64, _half_pair),
    "int4_int8": (4, 32, lambda p: 4 * (p // 8) + (p % 8) // 2 + 16 * (p % 2)),
    "int2_int8": (2, 64, _int2_int8),
    "int1_int8": (1, 128, _int1_int8),
}


def field_pack(q, layout):
    """codes [N, K] -> bytes [N, K*bits/8]: per K block, field p (bits p*bits..) = element(p) of the block."""
    bits, kb, elem = FIELD_LAYOUTS[layout]
    n, k = q.shape
    idx = torch.tensor([elem(p) for p in range(kb)], device=q.device)
    assert sorted(idx.tolist()) == list(range(kb))
    f = q.reshape(n, k // kb, kb)[:, :, idx].to(torch.int32).reshape(n, k * bits // 8, 8 // bits)
    sh = torch.arange(0, 8, bits, device=q.device, dtype=torch.int32)
    return (f << sh).sum(-1).to(torch.uint8).reshape(n, k * bits // 8).contiguous()


def wgmma_fragment_order(mma, n, k, bits, ktile=64):
    """mma-layout bytes [N, K*bits/8] -> chunks [K/ktile][N/16][lane (g, t)][unit u][row half h][q bytes]:
    per k tile a row has R = ktile*bits/8 bytes; lane t takes q = min(4, R/4) bytes of each 4q-byte unit."""
    r = ktile * bits // 8
    q = min(4, r // 4)
    units = r // (4 * q)
    w = mma.reshape(n // 16, 2, 8, k // ktile, units, 4, q)                     # [n16, h, g, kt, u, t, q]
    return w.permute(3, 0, 2, 5, 4, 1, 6).contiguous().reshape(-1)


NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]

# kernel -> (activation kind, baseline). Activation kinds: fp16, e4m3, e5m2, s8.
ACTS = {"fp16": "fp16", "fp16_c2": "fp16", "fp8e4m3_c2": "e4m3", "fp8e5m2_c2": "e5m2", "int8_c2": "s8", "int4": "fp16", "nf4": "fp16", "fp8": "fp16", "int8w": "fp16", "int2w": "fp16", "int1w": "fp16",
        "fp8e4m3": "e4m3", "fp8e5m2": "e5m2", "int8": "s8", "int8_i32": "s8",
        "int4xi8": "s8", "int2xi8": "s8", "int1xi8": "s8", "int4xi8_i32": "s8"}


def make_weights(kind, n, k, gen):
    """(device W in the kernel's layout, W values [N, K] as float64 on the device)."""
    dev = "cuda"
    def codes(bits):
        return torch.randint(0, 1 << bits, (n, k), dtype=torch.uint8, device=dev, generator=gen)
    if kind == "int4":
        q = codes(4); return wgmma_fragment_order(mma_nibbles(q, int4_word_src()), n, k, 4), q.double()
    if kind == "nf4":
        q = codes(4); tab = torch.tensor(NF4, device=dev).to(torch.float16)
        return wgmma_fragment_order(mma_nibbles(q, nf4_word_src()), n, k, 4), tab[q.long()].double()
    if kind == "fp8":
        v = (torch.randn(n, k, device=dev, generator=gen) * 0.5).to(torch.float8_e5m2)
        return wgmma_fragment_order(mma_byte_pairs(v.view(torch.uint8)), n, k, 8), v.double()
    if kind == "int8w":
        q = codes(8); return wgmma_fragment_order(mma_byte_pairs(q), n, k, 8), q.double()
    if kind == "int2w":
        q = codes(2); return wgmma_fragment_order(field_pack(q, "int2_fp16"), n, k, 2), q.double()
    if kind == "int1w":
        q = codes(1); return wgmma_fragment_order(field_pack(q, "int1_fp16"), n, k, 1), q.double()
    if kind in ("int4xi8", "int4xi8_i32"):
        q = codes(4); return wgmma_fragment_order(field_pack(q, "int4_int8"), n, k, 4, 128), q.double()
    if kind == "int2xi8":
        q = codes(2); return wgmma_fragment_order(field_pack(q, "int2_int8"), n, k, 2, 128), q.double()
    if kind == "int1xi8":
        q = codes(1); return wgmma_fragment_order(field_pack(q, "int1_int8"), n, k, 1, 128), q.double()
    raise ValueError(kind)


def make_ss_operand(act, rows, k, gen, s8_range=128):
    """(device tensor [rows, K], float64 values) for shared-memory operands of either side. INT8 values in
    [-s8_range, s8_range): kernels that write FP16 get a narrow range so that their sums stay finite in FP16."""
    if act == "fp16":
        v = torch.randn(rows, k, device="cuda", dtype=torch.float16, generator=gen)
        return v, v.double()
    if act in ("e4m3", "e5m2"):
        v = torch.randn(rows, k, device="cuda", generator=gen).to(torch.float8_e4m3fn if act == "e4m3" else torch.float8_e5m2)
        return v, v.double()
    v = torch.randint(-s8_range, s8_range, (rows, k), dtype=torch.int8, device="cuda", generator=gen)
    return v, v.double()


def self_test_layouts():
    """The fragment order read back the way the lanes of the INT4 kernel read it, and every field layout a permutation."""
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


class Case:
    """One kernel at one shape: operands, launch, reference, baseline."""

    def __init__(self, kind, man, fn, m, n, k, gen, timing=False):
        self.kind, self.m, self.n, self.k = kind, m, n, k
        act = ACTS[kind]
        self.act = act
        self.integer = act == "s8"
        self.int_out = man.get("int_out", False)
        bm, bn = man["bm"], man["bn"]
        ss = man["ws_w"] in (0, 4, 5, 6)
        rng = 128 if self.int_out or timing else 16
        self.a, self.a64 = make_ss_operand(act, m, k, gen, rng)
        if ss:
            self.w, self.w64 = make_ss_operand(act, n, k, gen, rng)
            wdev = None
        else:
            wdev, self.w64 = make_weights(kind, n, k, gen)
            self.w = wdev
        if self.int_out:
            self.c = torch.full((m, n), -2 ** 31, device="cuda", dtype=torch.int32)
        else:
            self.c = torch.full((m, n), float("nan"), device="cuda", dtype=torch.float16)
        ta = tmap_2d(self.a, bm)
        cl = man.get("cluster", 1)
        grid = ((m + bm - 1) // bm + cl - 1) // cl * cl * (n // bn)   # clusters: whole pairs of tile rows
        second = tmap_2d(self.w, bn // cl) if ss else ctypes.c_uint64(wdev.data_ptr())
        cargs = [ta, second, ctypes.c_uint64(self.c.data_ptr()), ctypes.c_int(m), ctypes.c_int(n), ctypes.c_int(k)]
        self.launch = Launch(fn, grid, man["smem"], cargs)

    def reference(self):
        return self.a64 @ self.w64.t()

    def error(self):
        """(error, unwritten): relative Frobenius error (integer: fraction of outputs off the rounded exact sum)."""
        ref = self.reference()
        if self.int_out:
            unwritten = int((self.c == -2 ** 31).sum())
            return float((self.c.double() != ref).double().mean()), unwritten
        unwritten = int(torch.isnan(self.c).sum())
        if self.integer:
            assert float(ref.abs().max()) < 2 ** 24, "exact sums must stay below 2^24 for the FP16 comparison"
            return float((self.c != ref.float().half()).double().mean()), unwritten
        return float((self.c.double() - ref).norm() / ref.norm()), unwritten

    def baseline(self):
        """(name, callable) of the torch baseline on operands of the same shape."""
        if self.act == "fp16":
            wq = self.w64.half()   # the dequantised weights (exact in FP16)
            self._keep = wq
            return "cuBLAS fp16 (torch.matmul)", lambda: torch.matmul(self.a, wq.t())
        if self.act in ("e4m3", "e5m2"):
            a8 = self.a if self.act == "e4m3" else self.a64.float().to(torch.float8_e4m3fn)
            w8 = self.w64.float().to(torch.float8_e4m3fn) if self.act == "e5m2" else self.w
            one = torch.tensor(1.0, device="cuda")
            self._keep = (a8, w8, one)
            return "torch._scaled_mm e4m3", lambda: torch._scaled_mm(a8, w8.t(), scale_a=one, scale_b=one, out_dtype=torch.float16)
        a8 = self.a
        w8 = self.w if self.kind in ("int8", "int8_i32", "int8_c2") else self.w64.to(torch.int8)
        self._keep = w8
        return "torch._int_mm", lambda: torch._int_mm(a8, w8.t())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True, help="comma-separated kernels of ws_manifest.json")
    ap.add_argument("--no-time", action="store_true")
    ap.add_argument("--shapes", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(HERE, "ws_manifest.json")))
    torch.cuda.init(); torch.zeros(1, device="cuda")
    ctx = ctypes.c_void_p(); ck(cuda.cuCtxGetCurrent(ctypes.byref(ctx)), "cuCtxGetCurrent")
    assert ctx.value, "no current CUDA context"
    self_test_layouts()
    print(f"# {torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    table = []
    all_ok = True
    for kind in args.kernel.split(","):
        man = manifest[kind]
        print(f"# kernel {kind}: {man}", flush=True)
        fn = load(os.path.join(HERE, man["cubin"]), man["name"], man["smem"])
        bm, bn = man["bm"], man["bn"]
        gen = torch.Generator(device="cuda").manual_seed(1234)
        a8 = ACTS[kind] != "fp16"
        ku = 256 if a8 else 128
        tol = 4e-3 if ACTS[kind] in ("e4m3", "e5m2") else (0.0 if ACTS[kind] == "s8" else 1e-3)
        worst = 0.0
        ok = True
        for (m, n, k) in [(33, 2 * bn, 1024), (4095, 2 * bn, 512), (300, 4 * bn, 2048), (1000, 3 * bn, 4096)]:
            k = (k + ku - 1) // ku * ku
            cs = Case(kind, man, fn, m, n, k, gen)
            cs.launch(); torch.cuda.synchronize()
            err, unw = cs.error()
            extra = ""
            if ACTS[kind] == "e4m3":   # torch's own FP8 GEMM error on the same operands, for scale
                _, f = cs.baseline()
                tref = cs.reference()
                extra = f" (torch._scaled_mm rel.err {float((f().double() - tref).norm() / tref.norm()):.2e})"
            good = unw == 0 and err <= tol
            ok &= good
            worst = max(worst, err)
            print(f"check {kind} M={m} N={n} K={k}: err {err:.3e}{extra} unwritten {unw} -> {'PASS' if good else 'FAIL'}", flush=True)
            del cs
        all_ok &= ok
        if args.no_time or kind.endswith("_i32"):
            table.append((kind, "checks", "", "", "", "", "", f"{worst:.2e}", "PASS" if ok else "FAIL"))
            continue
        if args.shapes:
            shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
        elif ACTS[kind] == "fp16":
            shapes = [(4096, 28672, 8192)] + ([(16384, 16384, 16384)] if kind.startswith("fp16") else [])
        else:
            shapes = [(16384, 16384, 16384), (4096, 28672, 8192)]
        for (m, n, k) in shapes:
            cs = Case(kind, man, fn, m, n, k, gen, timing=True)
            bname, bfn = cs.baseline()
            flop = 2.0 * m * n * k
            rows = []
            for _ in range(args.rounds):
                tk = median_ms(cs.launch)
                tb = median_ms(bfn)
                rows.append((tk, tb))
            cs.c.zero_()
            cs.launch(); torch.cuda.synchronize()
            nan = int(torch.isnan(cs.c.float()).sum()) if not cs.int_out else 0
            tks = sorted(r[0] for r in rows); tbs = sorted(r[1] for r in rows)
            ratios = sorted(r[1] / r[0] for r in rows)
            mid = len(rows) // 2
            print(f"time {kind} {m}x{n}x{k}: kernel ms {['%.3f' % x for x in tks]} baseline {bname} ms {['%.3f' % x for x in tbs]} "
                  f"ratios {['%.3f' % x for x in ratios]} NaN {nan}", flush=True)
            table.append((kind, f"{m}x{n}x{k}", f"{tks[mid]:.3f}", f"{flop / tks[mid] / 1e9:.1f}", bname, f"{tbs[mid]:.3f}",
                          f"{ratios[mid]:.3f} ({ratios[0]:.3f}..{ratios[-1]:.3f})", f"{worst:.2e}", "PASS" if ok else "FAIL"))
            del cs, bfn
            torch.cuda.empty_cache()
    print("\n| kernel | shape | ms | TFLOP/s (TOP/s) | baseline | baseline ms | ratio median (min..max) | check err (max) | check |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in table:
        print("| " + " | ".join(r) + " |")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())

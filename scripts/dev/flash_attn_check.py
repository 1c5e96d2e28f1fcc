#!/usr/bin/env python3
"""Developer check of the flash attention kernels in llm_ops.cu: old flash_attention_d{D} vs new flash_attention2_d{D}.

Loads an sm_90a cubin of llm_ops.cu through the driver API (ctypes), runs both kernels on fresh random FP16 inputs laid
out like the executor's (one fused QKV activation: q/k/v are column ranges of it, GQA via kv_heads < heads), poisons
the outputs with NaN first, and compares with torch scaled_dot_product_attention in float32 on the same inputs
(GQA by repeating KV heads, ALiBi as an additive slope * key bias, causal mask). Times old vs new vs torch SDPA
(flash backend, FP16, KV heads expanded) with CUDA events, median of many runs.

usage: flash_attn_check.py CUBIN
"""
import ctypes, math, sys, zlib
import torch
import torch.nn.functional as F

cuda = ctypes.CDLL("libcuda.so.1")
TOL = 1e-2   # max |out - ref| / max |ref|: FP16 output and FP16 P in the P.V product


def ck(r, what):
    if r != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorString(r, ctypes.byref(s))
        raise RuntimeError(f"{what}: CUDA error {r} {s.value}")


def median_ms(fn, reps=30, warm=5):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        ts.append(a.elapsed_time(b))
    ts.sort()
    return ts[len(ts) // 2]


def alibi_slopes(n):
    p = 2 ** math.floor(math.log2(n))
    base = [2 ** (-8 * (i + 1) / p) for i in range(p)]
    extra = [2 ** (-4 * (2 * i + 1) / p) for i in range(n - p)]
    return torch.tensor(base + extra, dtype=torch.float32)


class Kernels:
    def __init__(self, cubin):
        ck(cuda.cuInit(0), "cuInit")
        torch.zeros(1, device="cuda")   # primary context current
        self.mod = ctypes.c_void_p()
        ck(cuda.cuModuleLoadData(ctypes.byref(self.mod), open(cubin, "rb").read()), "cuModuleLoadData")
        self.fns = {}

    def fn(self, name):
        if name not in self.fns:
            f = ctypes.c_void_p()
            ck(cuda.cuModuleGetFunction(ctypes.byref(f), self.mod, name.encode()), "cuModuleGetFunction " + name)
            self.fns[name] = f
        return self.fns[name]


class Case:
    def __init__(self, name, batch, seq, heads, kv_heads, d, causal, alibi, timing):
        self.name, self.batch, self.seq, self.heads, self.kvh, self.d = name, batch, seq, heads, kv_heads, d
        self.causal, self.alibi, self.timing = causal, alibi, timing
        g = torch.Generator(device="cuda").manual_seed(zlib.crc32(name.encode()))
        width = (heads + 2 * kv_heads) * d
        self.qkv = (torch.randn(batch * seq, width, device="cuda", generator=g) * 1.0).half()
        self.out = torch.empty(batch * seq, heads * d, device="cuda", dtype=torch.half)
        self.slopes = alibi_slopes(heads).cuda() if alibi else None
        self.scale = 1 / math.sqrt(d)

    def args(self):
        d, H, K = self.d, self.heads, self.kvh
        ld = (H + 2 * K) * d
        p = self.qkv.data_ptr()
        a = [ctypes.c_uint64(p), ctypes.c_int(ld), ctypes.c_int(0), ctypes.c_int(d),
             ctypes.c_uint64(p), ctypes.c_int(ld), ctypes.c_int(H * d), ctypes.c_int(d),
             ctypes.c_uint64(p), ctypes.c_int(ld), ctypes.c_int((H + K) * d), ctypes.c_int(d),
             ctypes.c_uint64(self.out.data_ptr()), ctypes.c_uint64(self.slopes.data_ptr() if self.slopes is not None else 0),
             ctypes.c_int(self.seq), ctypes.c_int(H), ctypes.c_int(K), ctypes.c_float(self.scale), ctypes.c_int(1 if self.causal else 0)]
        return a

    def launcher(self, kern, new):
        f = kern.fn(("flash_attention2_d%d" if new else "flash_attention_d%d") % self.d)
        bm, threads = (128, 256) if new else (64, 128)
        a = self.args()
        params = (ctypes.c_void_p * len(a))(*[ctypes.cast(ctypes.byref(x), ctypes.c_void_p) for x in a])
        grid = ((self.seq + bm - 1) // bm, self.heads, self.batch)

        def go():
            ck(cuda.cuLaunchKernel(f, grid[0], grid[1], grid[2], threads, 1, 1, 0, None, params, None), "cuLaunchKernel")
        go.keep = (a, params)
        return go

    def qkv_heads(self, dtype):
        B, S, H, K, d = self.batch, self.seq, self.heads, self.kvh, self.d
        x = self.qkv.view(B, S, H + 2 * K, d).to(dtype)
        q = x[:, :, :H].transpose(1, 2)
        k = x[:, :, H:H + K].transpose(1, 2).repeat_interleave(H // K, dim=1)
        v = x[:, :, H + K:].transpose(1, 2).repeat_interleave(H // K, dim=1)
        return q.contiguous(), k.contiguous(), v.contiguous()

    def reference(self):
        q, k, v = self.qkv_heads(torch.float32)
        S = self.seq
        if self.alibi:
            bias = self.slopes.view(1, -1, 1, 1) * torch.arange(S, device="cuda", dtype=torch.float32).view(1, 1, 1, S)
            if self.causal:
                bias = bias + torch.full((S, S), float("-inf"), device="cuda").triu(1)
            r = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=self.scale)
        else:
            r = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal, scale=self.scale)
        return r.transpose(1, 2).reshape(self.batch * S, self.heads * self.d)

    def flops(self):
        full = 4.0 * self.batch * self.heads * self.seq * self.seq * self.d
        return full / 2 if self.causal else full


def main():
    if len(sys.argv) != 2:
        print("usage: flash_attn_check.py CUBIN", file=sys.stderr); sys.exit(2)
    kern = Kernels(sys.argv[1])
    cases = [
        Case("llama70b causal gqa d128 s4096", 1, 4096, 64, 8, 128, True, False, True),
        Case("causal gqa d128 s4095", 1, 4095, 64, 8, 128, True, False, True),
        Case("causal gqa d128 s130", 1, 130, 64, 8, 128, True, False, False),
        Case("alibi causal d128 s1030 b2", 2, 1030, 16, 16, 128, True, True, True),
        Case("alibi noncausal d64 s200", 1, 200, 8, 8, 64, False, True, False),
        Case("noncausal d64 b3 s50", 3, 50, 12, 12, 64, False, False, False),
        Case("noncausal d64 b3 s512", 3, 512, 12, 12, 64, False, False, True),
        Case("noncausal d32 b2 s300", 2, 300, 8, 8, 32, False, False, False),
        Case("causal gqa d16 b2 s257", 2, 257, 8, 2, 16, True, False, False),
    ]
    rows, all_ok = [], True
    for c in cases:
        ref = c.reference()
        denom = ref.abs().max().item()
        errs, times = {}, {}
        for new in (False, True):
            go = c.launcher(kern, new)
            c.out.fill_(float("nan"))
            go(); ck(cuda.cuCtxSynchronize(), "sync " + c.name)
            o = c.out.float()
            nan = torch.isnan(o).any().item()
            errs[new] = float("nan") if nan else (o - ref).abs().max().item() / denom
            times[new] = median_ms(go) if c.timing else None
        tt = None
        if c.timing and not c.alibi:
            q, k, v = c.qkv_heads(torch.half)
            from torch.nn.attention import sdpa_kernel, SDPBackend
            try:
                with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                    tt = median_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=c.causal, scale=c.scale))
            except RuntimeError as e:
                print(f"torch flash SDPA unavailable for {c.name}: {str(e).splitlines()[0]}")
        ok = errs[True] <= TOL
        all_ok &= ok
        rows.append((c.name, times[False], times[True], tt, c.flops(), errs[False], errs[True], ok))
        del ref
        torch.cuda.empty_cache()
    print(torch.cuda.get_device_name(0))
    f = lambda x: "n/a" if x is None else f"{x:.3f}"
    print(f"{'case':34} {'old ms':>8} {'new ms':>8} {'torch ms':>8} {'new TF/s':>8} {'old err':>9} {'new err':>9} ok")
    for n, to, tn, tt, fl, eo, en, ok in rows:
        tf = "n/a" if tn is None else f"{fl / tn / 1e9:.0f}"
        print(f"{n:34} {f(to):>8} {f(tn):>8} {f(tt):>8} {tf:>8} {eo:9.2e} {en:9.2e} {'PASS' if ok else 'FAIL'}")
    print("torch: SDPA flash backend, FP16, KV heads expanded (n/a: ALiBi cases, no flash backend for a float bias)")
    print("ALL PASS" if all_ok else "SOME FAILED")
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()

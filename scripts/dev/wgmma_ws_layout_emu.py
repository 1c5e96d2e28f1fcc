#!/usr/bin/env python3
"""CPU (numpy) emulation of ladder_gemm_wgmma_ws.cu's register decodes for the weights of WS_W 7-12: packs random codes
in the mma layout + wgmma fragment order (the same steps as wgmma_ws_check.py's torch code), then decodes each lane's
LB bytes the way decode_tile does (masks, shifts, prmt, magic-number halves) and places the registers by the wgmma
m64k16 (f16) / m64k32 (s8) A-fragment definitions. Every code must come back at its (row, k). No GPU needed.

  python3 scripts/dev/wgmma_ws_layout_emu.py
"""
import numpy as np


def _half_pair(p):
    t, f = p // 16, p % 16
    h, j = f // 8, f % 8
    return 16 * (j >> 1) + 2 * t + 8 * (j & 1) + h


def _int2_int8(p):
    t, i, q = p // 16, (p % 16) // 4, p % 4
    return 32 * (q >> 1) + 16 * (q & 1) + 4 * t + i


def _int1_int8(p):
    byte, b = p // 8, p % 8
    t, s = byte // 4, byte % 4
    return 32 * s + 4 * t + (b % 4) + 16 * (b // 4)


FIELD_LAYOUTS = {
    "int2_fp16": (2, 64, _half_pair),
    "int1_fp16": (1, 64, _half_pair),
    "int4_int8": (4, 32, lambda p: 4 * (p // 8) + (p % 8) // 2 + 16 * (p % 2)),
    "int2_int8": (2, 64, _int2_int8),
    "int1_int8": (1, 128, _int1_int8),
}


def field_pack(q, layout):
    bits, kb, elem = FIELD_LAYOUTS[layout]
    n, k = q.shape
    idx = np.array([elem(p) for p in range(kb)])
    assert sorted(idx.tolist()) == list(range(kb))
    f = q.reshape(n, k // kb, kb)[:, :, idx].astype(np.int64).reshape(n, k * bits // 8, 8 // bits)
    sh = np.arange(0, 8, bits)
    return (f << sh).sum(-1).astype(np.uint8).reshape(n, k * bits // 8)


def byte_pairs(q):
    n, k = q.shape
    idx = np.array([e for t in range(4) for e in (2 * t, 2 * t + 1, 2 * t + 8, 2 * t + 9)])
    return q.reshape(n, k // 16, 16)[:, :, idx].reshape(n, k)


def fragment_order(mma, n, k, bits, ktile):
    r = ktile * bits // 8
    q = min(4, r // 4)
    units = r // (4 * q)
    w = mma.reshape(n // 16, 2, 8, k // ktile, units, 4, q)
    return np.ascontiguousarray(w.transpose(3, 0, 2, 5, 4, 1, 6)).reshape(-1)


def h2(x):
    """uint32 -> (low half, high half) as float."""
    return np.array([x & 0xFFFF], dtype=np.uint16).view(np.float16)[0].item(), np.array([x >> 16], dtype=np.uint16).view(np.float16)[0].item()


def magic(h, s):
    lo, hi = h2(h)
    return ((lo - 1024.0) / 2 ** s, (hi - 1024.0) / 2 ** s)   # exact, like the hfma2 with a power-of-two scale


def field_pair(w, bits, j):
    mask = (((1 << bits) - 1) << (bits * j)) * 0x00010001
    return magic((w & mask) | 0x64006400, bits * j)


def prmt(a, b, sel):
    bs = [(a >> (8 * i)) & 0xFF for i in range(4)] + [(b >> (8 * i)) & 0xFF for i in range(4)]
    return sum(bs[(sel >> (4 * i)) & 0x7] << (8 * i) for i in range(4))


def unpack1(x):
    return (x * 0x00204081) & 0x01010101 & 0xFFFFFFFF


def decode(kind, w):
    """Lane words -> f[16]: half pairs (FP16 kinds) or byte quads (s8 kinds), as decode_tile."""
    f = [None] * 16
    if kind == "int8w":
        for s in range(4):
            f[4 * s + 0] = magic(prmt(w[2 * s], 0x64646464, 0x4140), 0); f[4 * s + 2] = magic(prmt(w[2 * s], 0x64646464, 0x4342), 0)
            f[4 * s + 1] = magic(prmt(w[2 * s + 1], 0x64646464, 0x4140), 0); f[4 * s + 3] = magic(prmt(w[2 * s + 1], 0x64646464, 0x4342), 0)
    elif kind == "int2w":
        for s in range(4):
            a, b = (w[0] >> 8, w[1] >> 8) if s >= 2 else (w[0], w[1])
            f[4 * s + 0] = field_pair(a, 2, 2 * (s & 1)); f[4 * s + 2] = field_pair(a, 2, 2 * (s & 1) + 1)
            f[4 * s + 1] = field_pair(b, 2, 2 * (s & 1)); f[4 * s + 3] = field_pair(b, 2, 2 * (s & 1) + 1)
    elif kind == "int1w":
        lo, hi = prmt(w[0], 0, 0x4140), prmt(w[0], 0, 0x4342)
        for s in range(4):
            f[4 * s + 0] = field_pair(lo, 1, 2 * s); f[4 * s + 2] = field_pair(lo, 1, 2 * s + 1)
            f[4 * s + 1] = field_pair(hi, 1, 2 * s); f[4 * s + 3] = field_pair(hi, 1, 2 * s + 1)
    elif kind == "int4xi8":
        for s in range(4):
            f[4 * s + 0] = w[2 * s] & 0x0F0F0F0F; f[4 * s + 2] = (w[2 * s] >> 4) & 0x0F0F0F0F
            f[4 * s + 1] = w[2 * s + 1] & 0x0F0F0F0F; f[4 * s + 3] = (w[2 * s + 1] >> 4) & 0x0F0F0F0F
    elif kind == "int2xi8":
        for s in range(4):
            lo, hi, sh = w[2 * (s >> 1)], w[2 * (s >> 1) + 1], 4 * (s & 1)
            f[4 * s + 0] = (lo >> sh) & 0x03030303; f[4 * s + 2] = (lo >> (sh + 2)) & 0x03030303
            f[4 * s + 1] = (hi >> sh) & 0x03030303; f[4 * s + 3] = (hi >> (sh + 2)) & 0x03030303
    else:  # int1xi8
        for s in range(4):
            f[4 * s + 0] = unpack1((w[0] >> (8 * s)) & 0xF); f[4 * s + 2] = unpack1((w[0] >> (8 * s + 4)) & 0xF)
            f[4 * s + 1] = unpack1((w[1] >> (8 * s)) & 0xF); f[4 * s + 3] = unpack1((w[1] >> (8 * s + 4)) & 0xF)
    return f


# kind -> (bits, activation K tile, mma layout builder)
KINDS = {
    "int8w": (8, 64, byte_pairs),
    "int2w": (2, 64, lambda q: field_pack(q, "int2_fp16")),
    "int1w": (1, 64, lambda q: field_pack(q, "int1_fp16")),
    "int4xi8": (4, 128, lambda q: field_pack(q, "int4_int8")),
    "int2xi8": (2, 128, lambda q: field_pack(q, "int2_int8")),
    "int1xi8": (1, 128, lambda q: field_pack(q, "int1_int8")),
}


def check(kind, n=32, k=512, seed=7):
    bits, kt_len, build = KINDS[kind]
    rng = np.random.default_rng(seed)
    q = rng.integers(0, 1 << bits, size=(n, k), dtype=np.uint8)
    lay = fragment_order(build(q), n, k, bits, kt_len)
    lb = 2 * kt_len * bits // 8 // 4
    dec = np.full((n, k), -1.0)
    o = 0
    for kt in range(k // kt_len):
        for n16 in range(n // 16):
            for g in range(8):
                for t in range(4):
                    by = lay[o:o + lb]; o += lb
                    w = [int(x) for x in np.frombuffer(by.tobytes(), dtype="<u4")]
                    f = decode(kind, w)
                    for s in range(4):
                        for i in range(4):
                            row = 16 * n16 + g + 8 * (i & 1)
                            if kt_len == 64:   # m64k16 f16: a0 (g, 2t..), a1 (g+8, 2t..), a2 (g, 2t+8..), a3 (g+8, 2t+8..)
                                col = kt * 64 + 16 * s + 2 * t + 8 * (i >> 1)
                                dec[row, col], dec[row, col + 1] = f[4 * s + i]
                            else:              # m64k32 s8: a0 (g, 4t..4t+3), a1 (g+8, ..), a2 (g, 16+4t..), a3 (g+8, 16+4t..)
                                col = kt * 128 + 32 * s + 4 * t + 16 * (i >> 1)
                                for e in range(4):
                                    dec[row, col + e] = (f[4 * s + i] >> (8 * e)) & 0xFF
    assert o == lay.size
    bad = int((dec != q).sum())
    print(f"{kind}: {n}x{k} lane decode vs codes: {bad} mismatches -> {'PASS' if bad == 0 else 'FAIL'}")
    return bad == 0


if __name__ == "__main__":
    import sys
    sys.exit(0 if all([check(kd) for kd in KINDS]) else 1)

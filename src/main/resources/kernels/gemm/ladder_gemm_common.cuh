// ladder-ae: common PTX helpers for the Ladder GEMM kernels (sm_80+; wgmma parts sm_90a only).
#pragma once
#include <cuda_fp16.h>
#include <stdint.h>

#define LADDER_DEV __device__ __forceinline__

LADDER_DEV uint32_t smem_u32(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }

// 16-byte async copy global->shared; src_bytes = 0 zero-fills (rows past M).
LADDER_DEV void cp_async16(uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}
LADDER_DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> LADDER_DEV void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

LADDER_DEV void ldmatrix_x4(uint32_t& r0, uint32_t& r1, uint32_t& r2, uint32_t& r3, uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(addr));
}

LADDER_DEV void mma_f16_16816(float* c, const uint32_t* a, const uint32_t* b) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

LADDER_DEV void mma_s8_16832(int* c, const uint32_t* a, const uint32_t* b) {
  asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// (a & b) | c in one instruction.
template <uint32_t B, uint32_t C> LADDER_DEV uint32_t lop3_and_or(uint32_t a) {
  uint32_t d;
  asm volatile("lop3.b32 %0, %1, %2, %3, 0xEA;\n" : "=r"(d) : "r"(a), "n"(B), "n"(C));
  return d;
}

// One 32-bit word of 8 unsigned nibbles [n0..n7] (n0 in bits 0-3) -> four half2:
// out[0] = (n0, n4), out[1] = (n1, n5), out[2] = (n2, n6), out[3] = (n3, n7).
// Magic-number trick: OR the nibble into the mantissa of 1024.0 (0x6400) and subtract 1024;
// for the high nibble of a byte (value*16 in the mantissa) multiply by 1/16 and subtract 64.
// With W_CENTRED (layer executor builds) the codes come out centred, n - 8: subtrahends 1032 and 72 (still exact).
#if defined(W_CENTRED) && W_CENTRED
#define U4_DECODE_MAGIC 0x64086408u    // half2(1032, 1032)
#define U4_DECODE_NEG 0xD480D480u      // half2(-72, -72)
#else
#define U4_DECODE_MAGIC 0x64006400u    // half2(1024, 1024)
#define U4_DECODE_NEG 0xD400D400u      // half2(-64, -64)
#endif
LADDER_DEV void decode_u4x8_to_half2x4(uint32_t w, uint32_t* out) {
  const uint32_t MAGIC = U4_DECODE_MAGIC;
  const uint32_t ONE_SIXTEENTH = 0x2C002C00u; // half2(1/16, 1/16)
  const uint32_t NEG_64 = U4_DECODE_NEG;
  uint32_t lo0 = lop3_and_or<0x000F000Fu, 0x64006400u>(w);
  uint32_t hi0 = lop3_and_or<0x00F000F0u, 0x64006400u>(w);
  uint32_t w2 = w >> 8;
  uint32_t lo1 = lop3_and_or<0x000F000Fu, 0x64006400u>(w2);
  uint32_t hi1 = lop3_and_or<0x00F000F0u, 0x64006400u>(w2);
  half2 r0 = __hsub2(*reinterpret_cast<half2*>(&lo0), *reinterpret_cast<const half2*>(&MAGIC));
  half2 r1 = __hfma2(*reinterpret_cast<half2*>(&hi0), *reinterpret_cast<const half2*>(&ONE_SIXTEENTH),
                     *reinterpret_cast<const half2*>(&NEG_64));
  half2 r2 = __hsub2(*reinterpret_cast<half2*>(&lo1), *reinterpret_cast<const half2*>(&MAGIC));
  half2 r3 = __hfma2(*reinterpret_cast<half2*>(&hi1), *reinterpret_cast<const half2*>(&ONE_SIXTEENTH),
                     *reinterpret_cast<const half2*>(&NEG_64));
  out[0] = *reinterpret_cast<uint32_t*>(&r0);
  out[1] = *reinterpret_cast<uint32_t*>(&r1);
  out[2] = *reinterpret_cast<uint32_t*>(&r2);
  out[3] = *reinterpret_cast<uint32_t*>(&r3);
}

// Half of the above: nibbles n0,n1,n4,n5 of w -> b0 = (n0, n4), b1 = (n1, n5). Call with w >> 8 for n2,n3,n6,n7.
LADDER_DEV void decode_u4x4_to_half2x2(uint32_t w, uint32_t& b0, uint32_t& b1) {
  const uint32_t MAGIC = U4_DECODE_MAGIC, ONE_SIXTEENTH = 0x2C002C00u, NEG_64 = U4_DECODE_NEG;
  uint32_t lo = lop3_and_or<0x000F000Fu, 0x64006400u>(w);
  uint32_t hi = lop3_and_or<0x00F000F0u, 0x64006400u>(w);
  half2 r0 = __hsub2(*reinterpret_cast<half2*>(&lo), *reinterpret_cast<const half2*>(&MAGIC));
  half2 r1 = __hfma2(*reinterpret_cast<half2*>(&hi), *reinterpret_cast<const half2*>(&ONE_SIXTEENTH),
                     *reinterpret_cast<const half2*>(&NEG_64));
  b0 = *reinterpret_cast<uint32_t*>(&r0);
  b1 = *reinterpret_cast<uint32_t*>(&r1);
}

// The QLoRA NormalFloat-4 table (the same values as org.ladderae.formats.Nf4 and the GEMV kernels).
__constant__ float c_nf4[16] = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
    -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
    0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

// Byte offset of 16-byte chunk c (0..7) of row r in a tile with 128-byte rows, XOR-swizzled
// (the CUTLASS Swizzle<3,4,3> / wgmma SWIZZLE_128B pattern when the tile is 1024-byte aligned).
LADDER_DEV uint32_t swz128(int r, int c) { return (uint32_t)(r * 128 + ((c ^ (r & 7)) << 4)); }

// Grouped (L2-friendly) tile order: consecutive blocks walk GROUP_M tile rows before moving on in N.
LADDER_DEV void tile_coords(int pid, int num_m, int num_n, int group_m, int& bm, int& bn) {
  int width = group_m * num_n;
  int group = pid / width;
  int first_m = group * group_m;
  int gsize = min(num_m - first_m, group_m);
  int in_group = pid % width;
  bm = first_m + (in_group % gsize);
  bn = in_group / gsize;
}

// 2^(e - 127) of an E8M0 code as a float: e = 0 is the subnormal 2^-127, e = 255 is NaN (OCP MX).
LADDER_DEV float e8m0_to_float(uint32_t e) {
  return e == 0 ? __int_as_float(0x00400000) : e == 255 ? __int_as_float(0x7FC00000) : __int_as_float((int)(e << 23));
}

// ---- sm_90a wgmma helpers (ladder_gemm_wgmma.cu, ladder_gemm_wgmma_ws.cu); inline, so unused on sm_80 builds ----
// Shared-memory matrix descriptor of a K-major tile with 128-byte rows and the 128-byte swizzle (8-row atoms).
LADDER_DEV uint64_t wgmma_desc_sw128(uint32_t saddr) {
  uint64_t d = 0;
  d |= (uint64_t)((saddr & 0x3FFFF) >> 4);        // start address
  d |= (uint64_t)1 << 16;                          // leading byte offset (unused for swizzled K-major)
  d |= (uint64_t)(1024 >> 4) << 32;                // stride byte offset: 8 rows x 128 B
  d |= (uint64_t)1 << 62;                          // layout: 128-byte swizzle
  return d;
}
LADDER_DEV void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
LADDER_DEV void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N> LADDER_DEV void wgmma_wait() { asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory"); }
LADDER_DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

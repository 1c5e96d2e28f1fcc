// ladder-ae: Ladder GEMM on tensor cores, portable sm_80+ path (mma.sync + ldmatrix + cp.async).
//
// Layout NT:  C[M,N] (FP16, row-major) = A[M,K] (row-major) x W[N,K]^T (W stored N x K, K contiguous).
//
// Configuration (all by -D):
//   KNAME            kernel symbol (CUTLASS-style name chosen by org.ladderae.kernels.GemmConfig)
//   LADDER_FMT       format pair and tensor-core instruction (FP32 accumulation unless INT32 is said):
//                    0 = W_FP16 A_FP16       mma m16n8k16 f16
//                    1 = W_INT4 A_FP16       unsigned 4-bit weights, Ladder fragment layout (below), lop3 + magic 0x6400
//                    2 = W_INT8 A_INT8       mma m16n8k32 s8, INT32 accumulation, output cast to FP16
//                    3 = W_NF4  A_FP16       NF4 codes, pair layout (below), decoded by a 256-entry half2 table in smem
//                    4 = W_E5M2 A_FP16       FP8 E5M2 weights, pair layout (below), byte -> high byte of a half (prmt, exact)
//                    5 = W_INT1 A_INT8       1-bit weights, bit layout (below), unpacked to s8 0/1 (imad + and); s8 mma, INT32
//                    6 = W_E4M3 A_E4M3       mma m16n8k32 e4m3 (sm_89+)
//                    7 = W_E5M2 A_E5M2       mma m16n8k32 e5m2 (sm_89+)
//                    8 = W_MXFP8 A_MXFP8     E5M2 elements, one E8M0 exponent per 32 K elements and row of A and of W;
//                                            one e5m2 m16n8k32 per MX block, scaled by 2^(ea+ew-254) into the FP32 sums.
//                                            A's exponents [M][K/32] follow A's elements in A's buffer, W's [N][K/32] W's.
//                    9 = W_INT8 A_FP16       unsigned 8-bit weights (0..255, as the GEMV kernels), 8-bit pair layout of FMT 4,
//                                            prmt into the mantissa of 1024.0 + hsub2 (exact)
//                   10 = W_INT2 A_FP16       unsigned 2-bit weights, INT2 fragment layout (below), lop3 + magic 0x6400
//                   11 = W_INT1 A_FP16       1-bit weights, INT1 half layout (below), prmt + lop3 + magic 0x6400
//                   12 = W_INT4 A_INT8       unsigned 4-bit weights unpacked to s8 0..15 (2 lop3 per 2 registers); s8 mma, INT32
//                   13 = W_INT2 A_INT8       unsigned 2-bit weights unpacked to s8 0..3 (shift + and); s8 mma, INT32
//                   14 = W_INT4 A_INT4       INT4 activations (packed, see below) x unsigned 4-bit weights; s8 mma, INT32
//                   15 = W_INT2 A_INT4       INT4 activations x unsigned 2-bit weights; s8 mma, INT32
//                   16 = W_INT1 A_INT4       INT4 activations x 1-bit weights; s8 mma, INT32
//   BM, BN           block tile (BM multiple of 16*WARPS_M, BN multiple of 16*WARPS_N)
//   WARPS_M, WARPS_N warp grid in the block
//   STAGES           cp.async pipeline depth (>= 2)
//   GROUP_M          grouped tile order for L2 reuse (default 8)
//   LADDER_STAGE     Figure 13 stage (org.ladderae.kernels.GemvStage ordinal; default 3, the full design):
//                    0 = baseline: weights in the plain row-major packing (org.ladderae.formats.BitPacking: element i of a
//                        row at bit i*bits), shared-memory tiles unswizzled (row-major), generic per-element decode
//                        (integer -> half conversions, one bit at a time);
//                    1 = +Transform: the Ladder weight layouts and swizzled tiles below, still the generic decode;
//                    2, 3 = +PTX / +Holistic: lop3/prmt/imad decodes (the code below without the switch; +Holistic differs
//                        only in the launch configuration the host picks). Stages 0 and 1 exist for FMT 0, 1, 5 and 8.
//                        FMT 8 (MXFP8) has no faster decode for +PTX: on sm_90 ptxas runs the e5m2 mma.sync as F2FP
//                        conversions + HMMA in every stage, and its block scales use exp2f (mx_scale), so its stages 1-3
//                        share one code and differ by tile only; stage 0 differs by the unswizzled tiles.
// The K tile is 64 K elements with FP16 activations (128 bytes of A per row) and 128 K elements with 8-bit or
// INT4 activations (128 / 64 bytes of A per row): BK = 64 / 128.
// Requirements: N % BN == 0, K % (BK * splits) == 0; M arbitrary (rows past M are zero-filled and not stored).
//
// Shared memory: A and W tiles use rows of 128 bytes (W: 16, 32 or 64 bytes for the packed formats) whose 16-byte
// chunks are XOR-swizzled by the row (chunk ^ (row / (8 / chunks)) % chunks): ldmatrix (8 rows x 16 B per phase),
// the per-lane word reads of the packed formats and the cp.async stores are bank-conflict free.
//
// Offline weight layouts (the "layout transform"; org.ladderae.kernels.GemmWeightLayout is the Java twin):
//  * INT4 (FMT 1): per 32 K elements 16 bytes = 4 words; word t holds nibbles (n0 = bits 0..3)
//    [e(2t), e(2t+8), e(2t+16), e(2t+24), e(2t+1), e(2t+9), e(2t+17), e(2t+25)], so lane (g, t) reads one word per
//    8-column block and k32 and decodes it straight into the B fragments of two k16 steps: lop3 pairs (n0,n4), (n1,n5).
//  * NF4 (FMT 3): same words, nibbles [e(2t), e(2t+1), e(2t+8), e(2t+9), e(2t+16), e(2t+17), e(2t+24), e(2t+25)]:
//    each byte is one B register's pair, so one table lookup per register.
//  * 8-bit (FMT 4): per 16 K elements 16 bytes = 4 words; word t = bytes [e(2t), e(2t+1), e(2t+8), e(2t+9)].
//  * INT1 (FMT 5): per 128 K elements 16 bytes = 4 words; byte s of word t = bits e(32s+4t+i) (i = 0..3) then
//    e(32s+16+4t+i): its low and high nibbles are the s8 B registers of k32 step s.
//  * INT2, FP16 acts (FMT 10): per 64 K elements 16 bytes = 4 words; in word t the 2-bit field j (j = 0..7) of the low
//    half (bits 2j, 2j+1) is e(16(j>>1) + 2t + 8(j&1)) and field j of the high half (bits 16+2j) the element after it:
//    B register b of k16 step s is field j = 2s+b of both halves, (w >> 8(s>>1)) masked at field 2(s&1)+b.
//  * INT1, FP16 acts (FMT 11): per 64 K elements 8 bytes = 4 halfwords; halfword t bit j (j = 0..7) is
//    e(16(j>>1) + 2t + 8(j&1)), bit 8+j the element after it; prmt spreads the two bytes into the halves, bit j of
//    each half is B register b of k16 step s, j = 2s+b. Rows of 8 bytes are copied with 8-byte cp.async, unswizzled.
//  * INT4, INT8 acts (FMT 12): per 32 K elements 16 bytes = 4 words; byte i of word t = e(4t+i) | e(16+4t+i) << 4:
//    w & 0x0F0F0F0F and (w >> 4) & 0x0F0F0F0F are the s8 B registers of one k32 step.
//  * INT2, INT8 acts (FMT 13): per 64 K elements 16 bytes = 4 words; byte i of word t, field q (bits 2q, 2q+1) =
//    e(32(q>>1) + 16(q&1) + 4t + i): (w >> 2q) & 0x03030303 is B register q&1 of k32 step 2*(64-block) + (q>>1).
//  * INT4 activations (FMT 14-16) are stored packed, as the GEMV kernels take them: K/2 bytes per row, byte j =
//    e(2j) | e(2j+1) << 4, signed two's-complement nibbles (-8..7). Lane (g, t) reads one word per row and k32 step:
//    elements 8t..8t+7 of the step. (w << 4) & 0xF0F0F0F0 = 16 x the even elements and w & 0xF0F0F0F0 = 16 x the odd
//    ones as s8 (the nibble in the high half of a byte needs no sign extension); they are the A registers a0/a1
//    (rows g / g+8) and a2/a3. So the mma's k index 4t+i is element 8t+2i and 16+4t+i is 8t+2i+1: the weights use
//    the same permutation of K inside each k32 step (an integer dot product does not depend on the order):
//    B register 0 byte i = e(8t+2i), register 1 byte i = e(8t+2i+1). The sums are 16x the true ones (exact in INT32
//    while 16 * 8 * 15 * K < 2^31, K < 1.1M); the epilogue shifts them right by 4 (exact).
//    - INT4 weights (FMT 14): per 32 K elements 16 bytes, word t = the natural packing of e(8t..8t+7) (nibble j =
//      e(8t+j)): w & 0x0F0F0F0F = even, (w >> 4) & 0x0F0F0F0F = odd elements. The Ladder layout is the identity.
//    - INT2 weights (FMT 15): as FMT 13, field q of byte i of word t = e(32(q>>1) + 8t + 2i + (q&1)).
//    - INT1 weights (FMT 16): as FMT 5, byte s of word t bit i = e(32s+8t+2i), bit 4+i = e(32s+8t+2i+1).
//
// Split-K: gridDim.z = splits. splits == 1 writes C; splits > 1 writes FP32 (INT32 for INT8 sums) partials
// to ws[z][M][N] and ladder_gemm_splitk_reduce sums them into C.
// INT_OUT, W_CENTRED: output variants for the layer executor (see below the format macros).
#include "ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_gemm
#endif
#ifndef LADDER_FMT
#define LADDER_FMT 0
#endif
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
#endif
#ifndef WARPS_M
#define WARPS_M 2
#endif
#ifndef WARPS_N
#define WARPS_N 2
#endif
#ifndef STAGES
#define STAGES 4
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif
#ifndef LADDER_STAGE
#define LADDER_STAGE 3
#endif
#define PLAIN_TILES (LADDER_STAGE == 0)     // baseline: row-major shared-memory tiles, natural weight packing
#define GENERIC_DECODE (LADDER_STAGE <= 1)  // baseline and +Transform: per-element conversions
static_assert(LADDER_STAGE >= 0 && LADDER_STAGE <= 3, "LADDER_STAGE is 0..3");
static_assert(LADDER_STAGE >= 2 || LADDER_FMT == 0 || LADDER_FMT == 1 || LADDER_FMT == 5 || LADDER_FMT == 8,
              "Figure 13 stages 0/1 exist for W_FP16A_FP16, W_INT4A_FP16, W_INT1A_INT8 and W_MXFP8A_MXFP8 only");

#define NTHREADS (WARPS_M * WARPS_N * 32)
#define WTM (BM / WARPS_M)
#define WTN (BN / WARPS_N)
#define MI (WTM / 16)
#define NI (WTN / 8)
// Activation kind: FP16 (k16 MMA steps), 8-bit (INT8, FP8, MXFP8: k32 steps, ldmatrix) or packed INT4 (k32 s8 steps,
// unpacked from per-lane word reads).
#define A_FP16 (LADDER_FMT == 0 || LADDER_FMT == 1 || LADDER_FMT == 3 || LADDER_FMT == 4 || (LADDER_FMT >= 9 && LADDER_FMT <= 11))
#define A_INT4 (LADDER_FMT >= 14 && LADDER_FMT <= 16)
#define A_8BIT (!A_FP16 && !A_INT4)
#define INT_ACC (LADDER_FMT == 2 || LADDER_FMT == 5 || (LADDER_FMT >= 12 && LADDER_FMT <= 16))
#define MX (LADDER_FMT == 8)
#if A_FP16
#define BK 64
#else
#define BK 128
#endif
// Bytes of one A row per K tile: 128, or 64 for packed INT4.
#if A_INT4
#define A_ROWB 64
#define ACC_SHIFT 4   // the INT4-activation sums are 16x the true ones (see the header)
#else
#define A_ROWB 128
#define ACC_SHIFT 0
#endif
#define A_CHUNKS (A_ROWB / 16)
// Bytes of one W row per K tile, as the kernel reads them.
#if LADDER_FMT == 11
#define W_ROWB 8
#elif LADDER_FMT == 5 || LADDER_FMT == 10 || LADDER_FMT == 16
#define W_ROWB 16
#elif LADDER_FMT == 1 || LADDER_FMT == 3 || LADDER_FMT == 13 || LADDER_FMT == 15
#define W_ROWB 32
#elif LADDER_FMT == 4 || LADDER_FMT == 9 || LADDER_FMT == 12 || LADDER_FMT == 14
#define W_ROWB 64
#else
#define W_ROWB 128
#endif
// 16-byte chunks per W row; rows under 16 bytes (INT1 with FP16 acts) are one 8-byte cp.async each, unswizzled.
#define W_CHUNKS (W_ROWB >= 16 ? W_ROWB / 16 : 1)
#define A_STAGE (BM * A_ROWB)
#define W_STAGE (BN * W_ROWB)
#if MX
#define EXP_STAGE ((BM + BN) * 4)   // 4 E8M0 exponents (one per k32 block) per row of A and of W
#else
#define EXP_STAGE 0
#endif
#define STAGE_BYTES (A_STAGE + W_STAGE + EXP_STAGE)
#define PIPE_BYTES (STAGES * STAGE_BYTES)   // the NF4 table (1 KiB) follows the pipeline stages

static_assert(WTM % 16 == 0 && WTN % 16 == 0, "warp tile must be a multiple of 16x16");
static_assert(STAGES >= 2, "need >= 2 stages");

#if INT_ACC
typedef int acc_t;
#else
typedef float acc_t;
#endif

// Output variants for the layer executor (default 0: FP16 C, unsigned weight codes):
//   INT_OUT    C holds the INT32 sums (INT8/INT4 activations; INT4 activations' after the >> 4), C[M][N] int32, so a
//              dequantising epilogue sees the exact sums (FP16 C overflows past 65504: INT8 x 8-bit weights, long K).
//   W_CENTRED  unsigned weight codes with FP16 activations (FMT 1, 9, 10, 11) decode to code - 2^(bits-1): the FP16
//              sums stay centred instead of growing with 2^(bits-1) * rowsum(A); the epilogue's zero point is then
//              zero - 2^(bits-1). The magic-number decodes only change their subtrahend (still exact).
#ifndef INT_OUT
#define INT_OUT 0
#endif
#ifndef W_CENTRED
#define W_CENTRED 0
#endif
#if INT_OUT && !INT_ACC
#error "INT_OUT stores INT32 sums: integer-activation formats only"
#endif
#if W_CENTRED && !(LADDER_FMT == 1 || LADDER_FMT == 9 || LADDER_FMT == 10 || LADDER_FMT == 11)
#error "W_CENTRED: unsigned INT8/INT4/INT2/INT1 weight codes with FP16 activations only"
#endif
#if W_CENTRED && GENERIC_DECODE
#error "W_CENTRED changes the fast decodes only (LADDER_STAGE >= 2)"
#endif
// The FMT 9 decode's subtrahend: 1024 (+ 128 centred), in both halves.
#define U8_DECODE_MAGIC (W_CENTRED ? 0x64806480u : 0x64006400u)

// Offset of 16-byte chunk c of row r in a tile of ROWB-byte rows (ROWB = 16 * CHUNKS): chunks XOR-swizzled by
// (r / (8 / CHUNKS)) % CHUNKS, so 8 consecutive rows' same chunk (ldmatrix) and the 4-byte word t of one chunk in
// 8 consecutive rows (the per-lane reads) fall in distinct banks. CHUNKS = 8 is swz128.
template <int ROWB> LADDER_DEV uint32_t swz_rows(int r, int c) {
  constexpr int CH = ROWB / 16;
#if PLAIN_TILES
  return (uint32_t)(r * ROWB + (c << 4));
#else
  return (uint32_t)(r * ROWB + ((c ^ ((r / (8 / CH)) & (CH - 1))) << 4));
#endif
}
// The ldmatrix reads of 128-byte tile rows (A, and W of FP16/8-bit weights): swizzled, or row-major in the baseline.
#if PLAIN_TILES
LADDER_DEV uint32_t ldsm_off(int r, int c) { return (uint32_t)(r * 128 + (c << 4)); }
#else
#define ldsm_off swz128
#endif
LADDER_DEV uint32_t w_swz(int r, int c) { return W_ROWB >= 16 ? swz_rows<(W_ROWB >= 16 ? W_ROWB : 16)>(r, c) : (uint32_t)(r * W_ROWB); }
LADDER_DEV uint32_t a_swz(int r, int c) { return swz_rows<A_ROWB>(r, c); }

LADDER_DEV void cp_async4(uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}
LADDER_DEV void cp_async8(uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}

__device__ __forceinline__ void load_stage(uint8_t* smem, int stage, int ktile, const uint8_t* A, const uint8_t* W,
                                           int M, int N, int K, int m0, int n0, int tid) {
  uint8_t* sA = smem + stage * STAGE_BYTES;
  uint8_t* sW = sA + A_STAGE;
  const size_t a_row = (size_t)K * A_ROWB / BK;
#pragma unroll
  for (int i = tid; i < BM * A_CHUNKS; i += NTHREADS) {
    int r = i / A_CHUNKS, c = i % A_CHUNKS;
    int gm = m0 + r;
    bool ok = gm < M;
    const uint8_t* src = A + (size_t)(ok ? gm : 0) * a_row + (size_t)ktile * A_ROWB + c * 16;
    cp_async16(smem_u32(sA + a_swz(r, c)), src, ok ? 16 : 0);
  }
  const size_t w_row = (size_t)K * W_ROWB / BK;
#if W_ROWB < 16
#pragma unroll
  for (int r = tid; r < BN; r += NTHREADS)
    cp_async8(smem_u32(sW + r * W_ROWB), W + (size_t)(n0 + r) * w_row + (size_t)ktile * W_ROWB, W_ROWB);
#else
#pragma unroll
  for (int i = tid; i < BN * W_CHUNKS; i += NTHREADS) {
    int r = i / W_CHUNKS, c = i % W_CHUNKS;
    const uint8_t* src = W + (size_t)(n0 + r) * w_row + (size_t)ktile * W_ROWB + c * 16;
    cp_async16(smem_u32(sW + w_swz(r, c)), src, 16);
  }
#endif
#if MX
  uint8_t* sE = sW + W_STAGE;   // [BM rows of A][4], then [BN rows of W][4]
  const uint8_t* aexp = A + (size_t)M * K;
  const uint8_t* wexp = W + (size_t)N * K;
  for (int i = tid; i < BM + BN; i += NTHREADS) {
    if (i < BM) {
      int gm = m0 + i;
      bool ok = gm < M;
      cp_async4(smem_u32(sE + 4 * i), aexp + (size_t)(ok ? gm : 0) * (K / 32) + ktile * 4, ok ? 4 : 0);
    } else {
      cp_async4(smem_u32(sE + 4 * i), wexp + (size_t)(n0 + i - BM) * (K / 32) + ktile * 4, 4);
    }
  }
#endif
}

LADDER_DEV void mma_k32_8bit(acc_t* c, const uint32_t* a, const uint32_t* b) {
#if LADDER_FMT == 6
  asm volatile("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#elif LADDER_FMT == 7 || LADDER_FMT == 8
  asm volatile("mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e5m2.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#elif INT_ACC
  mma_s8_16832(c, a, b);
#endif
}

// Four 1-bit codes (bits 0..3 of x) -> four s8 bytes 0/1: the multiply places bit i at bit 8i without carries.
LADDER_DEV uint32_t unpack_u1x4_to_s8x4(uint32_t x) { return (x * 0x00204081u) & 0x01010101u; }

#if GENERIC_DECODE
// Figure 13 baseline / +Transform decodes: one element at a time, no bit tricks.
LADDER_DEV uint32_t generic_u4_pair_to_half2(uint32_t lo, uint32_t hi) {   // two codes 0..15 -> half2(lo, hi)
  half2 v = __halves2half2(__uint2half_rn(lo & 15u), __uint2half_rn(hi & 15u));
  return *reinterpret_cast<uint32_t*>(&v);
}
LADDER_DEV uint32_t generic_u1x4_to_s8x4(uint32_t x) {   // bits 0..3 -> bytes 0/1
  uint32_t r = 0;
#pragma unroll
  for (int i = 0; i < 4; ++i) r |= ((x >> i) & 1u) << (8 * i);
  return r;
}
#endif

// MX block scale 2^(e - 127) of an E8M0 code, by exp2f in every stage: on the H100 it ran the MXFP8 GEMM 1.39x faster
// than the bit-assembled e8m0_to_float (4.51 vs 6.27 ms at 4096x8192x8192, 64x128 w2x4 3 stages, same error;
// docs/kernels/GEMM-NOTES.md "MXFP8 at large M"). A power of two for an integer argument (the checks with codes 125..129
// matched the float64 reference; 2^-127 for e = 0 is a float subnormal, not flushed: no -ftz); e = 255 (NaN in OCP MX)
// gives +inf, so the outputs that use it are non-finite either way.
LADDER_DEV float mx_scale(uint32_t e) { return exp2f((float)e - 127.0f); }

// FP16 bits of a small positive integer v (v < 2048: exact).
__host__ __device__ constexpr uint32_t half_bits_of_int(uint32_t v, uint32_t e = 0) {
  return (v >> (e + 1)) ? half_bits_of_int(v, e + 1) : (((e + 15u) << 10) | ((v - (1u << e)) << (10u - e)));
}

// h = half2 bits 0x6400 | (f << S) in each half (1024 + f * 2^S, f * 2^S < 1024) -> half2(f - C, f - C): one HFMA2
// h * 2^-S - (1024 * 2^-S + C), exact (a power-of-two scale, and the exact result f - C is representable); S = 0 is
// an HSUB2. C = 0 unless the codes are centred (W_CENTRED: C = 2^(bits-1)).
template <int S, int C = 0> LADDER_DEV uint32_t magic_field_to_half2(uint32_t h) {
  static_assert(S >= 0 && S <= 9, "the field must sit inside the 10-bit mantissa");
  half2 r;
  if (S == 0) {
    const uint32_t MAGIC = (0x6400u + C) * 0x00010001u;   // 1024 + C
    r = __hsub2(*reinterpret_cast<half2*>(&h), *reinterpret_cast<const half2*>(&MAGIC));
  } else {
    const uint32_t SCALE = ((15u - S) << 10) * 0x00010001u;           // half 2^-S
    const uint32_t BIAS = (0x8000u | half_bits_of_int((1u << (10 - S)) + C)) * 0x00010001u;  // half -(1024 * 2^-S + C)
    r = __hfma2(*reinterpret_cast<half2*>(&h), *reinterpret_cast<const half2*>(&SCALE), *reinterpret_cast<const half2*>(&BIAS));
  }
  return *reinterpret_cast<uint32_t*>(&r);
}

// Field J of BITS bits of both halves of w (bits BITS*J.. and 16+BITS*J..) -> half2 of the two unsigned codes.
template <int BITS, int J> LADDER_DEV uint32_t half_field_pair(uint32_t w) {
  constexpr uint32_t MASK = (((1u << BITS) - 1u) << (BITS * J)) * 0x00010001u;
  return magic_field_to_half2<BITS * J, W_CENTRED ? (1 << (BITS - 1)) : 0>((w & MASK) | 0x64006400u);   // one LOP3
}

// B registers (b0, b1) of k16 step KS (0..3) from a lane's INT2 word (FMT 10) or spread INT1 word (FMT 11): fields
// 2KS and 2KS+1 of the layout. INT2 fields 4..7 are reached by w >> 8 so that every field stays inside the mantissa.
template <int KS> LADDER_DEV void decode_w_lowbit_f16(uint32_t w, uint32_t& b0, uint32_t& b1) {
#if LADDER_FMT == 10
  const uint32_t ws = (KS >= 2) ? (w >> 8) : w;
  b0 = half_field_pair<2, 2 * (KS & 1)>(ws);
  b1 = half_field_pair<2, 2 * (KS & 1) + 1>(ws);
#else
  b0 = half_field_pair<1, 2 * KS>(w);
  b1 = half_field_pair<1, 2 * KS + 1>(w);
#endif
}
// The same for a k-step index that is a constant only after unrolling.
LADDER_DEV void decode_w_lowbit_f16(uint32_t w, int ks, uint32_t& b0, uint32_t& b1) {
  switch (ks) {
    case 0: decode_w_lowbit_f16<0>(w, b0, b1); break;
    case 1: decode_w_lowbit_f16<1>(w, b0, b1); break;
    case 2: decode_w_lowbit_f16<2>(w, b0, b1); break;
    default: decode_w_lowbit_f16<3>(w, b0, b1); break;
  }
}

extern "C" __global__ void __launch_bounds__(NTHREADS, 1)
KNAME(const uint8_t* __restrict__ A, const uint8_t* __restrict__ W, half* __restrict__ C, acc_t* __restrict__ ws,
      int M, int N, int K) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int splits = gridDim.z;
  const int ktiles = K / BK / splits;
  const int kt0 = blockIdx.z * ktiles;
  const int g = lane >> 2, t = lane & 3;

#if LADDER_FMT == 3
  // half2(NF4[b & 15], NF4[b >> 4]) for every byte b: one lookup decodes one B register. Filled before the first
  // barrier of the main loop, which orders it before any read.
  uint32_t* nf4_pairs = reinterpret_cast<uint32_t*>(smem + PIPE_BYTES);
  for (int b = tid; b < 256; b += NTHREADS) {
    half lo = __float2half_rn(c_nf4[b & 15]), hi = __float2half_rn(c_nf4[b >> 4]);
    nf4_pairs[b] = (uint32_t)__half_as_ushort(lo) | ((uint32_t)__half_as_ushort(hi) << 16);
  }
#endif

  acc_t acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < ktiles) load_stage(smem, s, kt0 + s, A, W, M, N, K, m0, n0, tid);
    cp_async_commit();
  }

  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    {  // prefetch tile kt + STAGES - 1 into the stage consumed at kt - 1 (all threads passed the barrier)
      int nk = kt + STAGES - 1;
      if (nk < ktiles) load_stage(smem, nk % STAGES, kt0 + nk, A, W, M, N, K, m0, n0, tid);
      cp_async_commit();
    }
    const uint8_t* sA = smem + (kt % STAGES) * STAGE_BYTES;
    const uint8_t* sW = sA + A_STAGE;
    const uint32_t sA_u = smem_u32(sA), sW_u = smem_u32(sW);
#if MX
    // This lane's exponent words (one byte per k32 block): A rows g and g+8 of every i (its accumulator rows) and
    // W rows = output columns 2t, 2t+1 of every 8-column block j (its accumulator columns).
    uint32_t ea[MI][2], ew[NI][2];
    {
      const uint32_t* sE = reinterpret_cast<const uint32_t*>(sW + W_STAGE);
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int h = 0; h < 2; ++h) ea[i][h] = sE[wm * WTM + i * 16 + g + 8 * h];
#pragma unroll
      for (int j = 0; j < NI; ++j)
#pragma unroll
        for (int c = 0; c < 2; ++c) ew[j][c] = sE[BM + wn * WTN + j * 8 + 2 * t + c];
    }
#endif

#if LADDER_FMT == 10 || LADDER_FMT == 11
    // One word per lane and 8-column block holds the B fragments of all four k16 steps of the tile.
    uint32_t wt[NI];
#pragma unroll
    for (int j = 0; j < NI; ++j) {
      int r = wn * WTN + j * 8 + g;
#if LADDER_FMT == 10
      wt[j] = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, 0) + t * 4);
#else
      // halfword t: bits 0..7 (low-half codes) -> bits 0..7, bits 8..15 (high-half codes) -> bits 16..23
      wt[j] = __byte_perm((uint32_t)*reinterpret_cast<const uint16_t*>(sW + r * W_ROWB + t * 2), 0u, 0x4140);
#endif
    }
#endif
#pragma unroll
    for (int kp = 0; kp < 2; ++kp) {  // two pairs of k-steps (32 bytes of A per row each step)
#if LADDER_FMT == 1 || LADDER_FMT == 3
      uint32_t wq[NI];  // one word = the B fragments of k-steps 2kp, 2kp+1 for one 8-column block
#pragma unroll
      for (int j = 0; j < NI; ++j) {
        int r = wn * WTN + j * 8 + g;
#if PLAIN_TILES
        // natural packing (byte i = e(2i) | e(2i+1) << 4): bytes t, t+4 (k-step 2kp), t+8, t+12 (2kp+1) of the 16-byte
        // chunk kp, one byte load each, gathered into the word that the decode below shifts through
        const uint8_t* src = sW + w_swz(r, kp) + t;
        wq[j] = (uint32_t)src[0] | (uint32_t)src[4] << 8 | (uint32_t)src[8] << 16 | (uint32_t)src[12] << 24;
#else
        wq[j] = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, kp) + t * 4);
#endif
      }
#endif
#pragma unroll
      for (int kh = 0; kh < 2; ++kh) {
        const int ks = kp * 2 + kh;
        uint32_t af[MI][4];
#if A_INT4
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          // word t of chunk ks of rows g and g+8 = packed elements 8t..8t+7 of k32 step ks (see the header)
          int r = wm * WTM + i * 16 + g;
          uint32_t lo = *reinterpret_cast<const uint32_t*>(sA + a_swz(r, ks) + t * 4);
          uint32_t hi = *reinterpret_cast<const uint32_t*>(sA + a_swz(r + 8, ks) + t * 4);
          af[i][0] = (lo << 4) & 0xF0F0F0F0u;   // 16 x even elements, row g
          af[i][1] = (hi << 4) & 0xF0F0F0F0u;   // row g + 8
          af[i][2] = lo & 0xF0F0F0F0u;          // 16 x odd elements, row g
          af[i][3] = hi & 0xF0F0F0F0u;
        }
#else
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          int r = wm * WTM + i * 16 + (lane & 15);
          int c = ks * 2 + (lane >> 4);
          ldmatrix_x4(af[i][0], af[i][1], af[i][2], af[i][3], sA_u + ldsm_off(r, c));
        }
#endif
        uint32_t bf[NI][2];
#if LADDER_FMT == 1
#pragma unroll
        for (int j = 0; j < NI; ++j) {
#if PLAIN_TILES
          // byte 2kh = (e(2t), e(2t+1)) of k-step ks, byte 2kh+1 = (e(2t+8), e(2t+9)): low nibble first
          const uint32_t b0 = wq[j] >> (16 * kh), b1 = wq[j] >> (16 * kh + 8);
          bf[j][0] = generic_u4_pair_to_half2(b0, b0 >> 4);
          bf[j][1] = generic_u4_pair_to_half2(b1, b1 >> 4);
#elif GENERIC_DECODE
          // the Ladder word's nibbles 2kh, 2kh+4 (b0) and 2kh+1, 2kh+5 (b1), converted one by one
          bf[j][0] = generic_u4_pair_to_half2(wq[j] >> (8 * kh), wq[j] >> (8 * kh + 16));
          bf[j][1] = generic_u4_pair_to_half2(wq[j] >> (8 * kh + 4), wq[j] >> (8 * kh + 20));
#else
          // kh = 0: (n0,n4) -> k = 2t,2t+1; (n1,n5) -> k = 2t+8,2t+9.  kh = 1: n2,n6 / n3,n7, k + 16.
          decode_u4x4_to_half2x2(wq[j] >> (8 * kh), bf[j][0], bf[j][1]);
#endif
        }
#elif LADDER_FMT == 3
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          bf[j][0] = nf4_pairs[(wq[j] >> (16 * kh)) & 0xFF];
          bf[j][1] = nf4_pairs[(wq[j] >> (16 * kh + 8)) & 0xFF];
        }
#elif LADDER_FMT == 4
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          int r = wn * WTN + j * 8 + g;
          uint32_t w = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, ks) + t * 4);
          bf[j][0] = __byte_perm(w, 0u, 0x1404);   // (e(2t), e(2t+1)) as the high bytes of two halves
          bf[j][1] = __byte_perm(w, 0u, 0x3424);   // (e(2t+8), e(2t+9))
        }
#elif LADDER_FMT == 5 || LADDER_FMT == 16
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          int r = wn * WTN + j * 8 + g;
#if PLAIN_TILES && LADDER_FMT == 5
          // natural bits (bit i of byte j = e(8j+i)): e(32ks+4t..) and e(32ks+16+4t..) are nibble t&1 of bytes
          // 4ks + t/2 and 4ks + 2 + t/2 of the row's 16-byte tile
          const uint8_t* src = sW + r * W_ROWB + 4 * ks + (t >> 1);
          uint32_t byte = ((uint32_t)src[0] >> (4 * (t & 1)) & 0xF) | ((uint32_t)src[2] >> (4 * (t & 1)) & 0xF) << 4;
#else
          uint32_t byte = (*reinterpret_cast<const uint32_t*>(sW + w_swz(r, 0) + t * 4) >> (8 * ks)) & 0xFF;
#endif
#if GENERIC_DECODE
          bf[j][0] = generic_u1x4_to_s8x4(byte & 0xF);
          bf[j][1] = generic_u1x4_to_s8x4(byte >> 4);
#else
          bf[j][0] = unpack_u1x4_to_s8x4(byte & 0xF);
          bf[j][1] = unpack_u1x4_to_s8x4(byte >> 4);
#endif
        }
#elif LADDER_FMT == 9
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          int r = wn * WTN + j * 8 + g;
          uint32_t w = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, ks) + t * 4);
          const uint32_t MAGIC = U8_DECODE_MAGIC;   // byte b into the mantissa of 1024.0: 1024 + b, exact for 0..255
          uint32_t h0 = __byte_perm(w, 0x64646464u, 0x4140), h1 = __byte_perm(w, 0x64646464u, 0x4342);
          half2 v0 = __hsub2(*reinterpret_cast<half2*>(&h0), *reinterpret_cast<const half2*>(&MAGIC));
          half2 v1 = __hsub2(*reinterpret_cast<half2*>(&h1), *reinterpret_cast<const half2*>(&MAGIC));
          bf[j][0] = *reinterpret_cast<uint32_t*>(&v0);   // (e(2t), e(2t+1))
          bf[j][1] = *reinterpret_cast<uint32_t*>(&v1);   // (e(2t+8), e(2t+9))
        }
#elif LADDER_FMT == 10 || LADDER_FMT == 11
#pragma unroll
        for (int j = 0; j < NI; ++j) decode_w_lowbit_f16(wt[j], ks, bf[j][0], bf[j][1]);
#elif LADDER_FMT == 12 || LADDER_FMT == 14
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          int r = wn * WTN + j * 8 + g;
          uint32_t w = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, ks) + t * 4);
          bf[j][0] = w & 0x0F0F0F0Fu;          // low nibbles as s8 0..15
          bf[j][1] = (w >> 4) & 0x0F0F0F0Fu;   // high nibbles
        }
#elif LADDER_FMT == 13 || LADDER_FMT == 15
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          // The word of k-steps 2kp, 2kp+1 is read again for kh = 1 rather than kept: holding NI more registers across
          // the k-step made the 128x128 INT8-activation tile spill (255 registers).
          int r = wn * WTN + j * 8 + g;
          uint32_t w = *reinterpret_cast<const uint32_t*>(sW + w_swz(r, kp) + t * 4);
          bf[j][0] = (w >> (4 * kh)) & 0x03030303u;       // field q = 2kh as s8 0..3
          bf[j][1] = (w >> (4 * kh + 2)) & 0x03030303u;   // field q = 2kh + 1
        }
#else
#pragma unroll
        for (int j = 0; j < NI / 2; ++j) {
          int r = wn * WTN + j * 16 + (lane & 7) + ((lane >> 4) << 3);
          int c = ks * 2 + ((lane >> 3) & 1);
          ldmatrix_x4(bf[2 * j][0], bf[2 * j][1], bf[2 * j + 1][0], bf[2 * j + 1][1], sW_u + ldsm_off(r, c));
        }
#endif
#if MX
        float sa[MI][2], sw[NI][2];
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int h = 0; h < 2; ++h) sa[i][h] = mx_scale((ea[i][h] >> (8 * ks)) & 0xFF);
#pragma unroll
        for (int j = 0; j < NI; ++j)
#pragma unroll
          for (int c = 0; c < 2; ++c) sw[j][c] = mx_scale((ew[j][c] >> (8 * ks)) & 0xFF);
#endif
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NI; ++j) {
#if MX
            // One MX block of A row and W column per k32 step: its exact-in-FP32 dot product, then the block scales.
            float part[4] = {0.f, 0.f, 0.f, 0.f};
            mma_k32_8bit(part, af[i], bf[j]);
#pragma unroll
            for (int r = 0; r < 4; ++r) acc[i][j][r] = fmaf(part[r], sa[i][r >> 1] * sw[j][r & 1], acc[i][j][r]);
#elif !A_FP16
            mma_k32_8bit(acc[i][j], af[i], bf[j]);
#else
            mma_f16_16816(acc[i][j], af[i], bf[j]);
#endif
          }
      }
    }
  }
  cp_async_wait<0>();

  // Epilogue: fragment (i, j): c0,c1 at (row g, cols 2t, 2t+1), c2,c3 at row g+8.
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        int row = m0 + wm * WTM + i * 16 + g + h * 8;
        int col = n0 + wn * WTN + j * 8 + 2 * t;
        if (row < M) {
#if ACC_SHIFT
          // multiples of 16 (INT4 activations): the arithmetic shift is an exact division
          const acc_t v0 = acc[i][j][2 * h] >> ACC_SHIFT, v1 = acc[i][j][2 * h + 1] >> ACC_SHIFT;
#else
          const acc_t v0 = acc[i][j][2 * h], v1 = acc[i][j][2 * h + 1];
#endif
          if (splits == 1) {
#if INT_OUT
            // two 4-byte stores: the int2 store made ptxas spill the 128x128 INT2 x INT8 tile (252 registers without)
            int* p = reinterpret_cast<int*>(C) + (size_t)row * N + col;
            p[0] = v0;
            p[1] = v1;
#else
#if INT_ACC
            half2 v = __halves2half2(__int2half_rn(v0), __int2half_rn(v1));
#else
            half2 v = __floats2half2_rn(v0, v1);
#endif
            *reinterpret_cast<half2*>(C + (size_t)row * N + col) = v;
#endif
          } else {
            acc_t* p = ws + ((size_t)blockIdx.z * M + row) * N + col;
            p[0] = v0;
            p[1] = v1;
          }
        }
      }
}

// Sum split-K partials: C[i] = sum_z ws[z][i], i over M*N (M*N even).
extern "C" __global__ void ladder_gemm_splitk_reduce(const acc_t* __restrict__ ws, half* __restrict__ C, long long MN,
                                                     int splits) {
  long long i = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * 2;
  if (i >= MN) return;
  acc_t s0 = 0, s1 = 0;
  for (int z = 0; z < splits; ++z) {
    s0 += ws[z * MN + i];
    s1 += ws[z * MN + i + 1];
  }
#if INT_OUT
  *reinterpret_cast<int2*>(reinterpret_cast<int*>(C) + i) = make_int2(s0, s1);
#elif INT_ACC
  *reinterpret_cast<half2*>(C + i) = __halves2half2(__int2half_rn(s0), __int2half_rn(s1));
#else
  *reinterpret_cast<half2*>(C + i) = __floats2half2_rn(s0, s1);
#endif
}

// ladder-ae: warp-specialised TMA + mbarrier + wgmma GEMM for sm_90a (v2 of ladder_gemm_wgmma.cu).
// Layout NT: C[M,N] (FP16) = A[M,K] (FP16, row-major) x W[N,K]^T.
//
// One CTA = 3 warpgroups (384 threads): warpgroup 0 is the producer (setmaxnreg.dec 40; one elected thread issues
// the copies), warpgroups 1 and 2 are consumers (setmaxnreg.inc 232). STAGES shared-memory stages, each guarded by
// a "full" mbarrier (TMA complete_tx) and an "empty" mbarrier (one arrive per consumer warp once its wgmma batch
// that read the stage has retired). Grouped tile order for L2 reuse. M arbitrary (TMA zero-fills rows past M,
// the epilogue does not store them).
//
// WS_W 0 (FP16 weights): CTA tile 128 (M) x 256 (N) x 64 (K). A and W tiles arrive by 2-D TMA with the 128-byte
//   swizzle (tensor maps tmA box {64, 128}, tmW box {64, 256}); each consumer warpgroup issues wgmma.m64n256k16
//   with both operands from shared memory (descriptors), wait_group 1 keeps one batch in flight.
// WS_W 1 (INT4), 2 (NF4), 3 (FP8 E5M2) weights: the kernel computes C^T = W . A^T. A CTA owns 128 weight rows
//   (N) x 256 activation rows (M). The weight tile is wgmma's A operand taken from REGISTERS: each lane loads its
//   16 (4-bit) or 32 (8-bit) bytes per k tile with one or two LDS.128 and decodes them straight into the
//   m64k16 A fragments (INT4: lop3 magic numbers; NF4: half2 table of the 256 byte values in shared memory;
//   E5M2: prmt into the high byte of a half). The activation tile (256 x 64 FP16) is wgmma's B operand by
//   descriptor (TMA, 128-byte swizzle, box {64, 256}). Weights come by one 1-D cp.async.bulk per stage from the
//   "wgmma fragment order" (GemmWeightLayout.wgmmaFragmentOrder): chunks of 32 lanes x LB bytes for (k tile kt,
//   16-row group n16) at byte ((kt * N/16) + n16) * 32 * LB, lane (g, t)'s bytes = for each K unit u of the tile
//   (32 elements for 4-bit, 16 for 8-bit) the mma-layout word t of row g then of row g + 8. The output tile is
//   transposed through shared memory and written with 16-byte stores. Requires K % 128 == 0 (two k tiles per
//   loop round: the A fragments alternate between two register sets so that a batch in flight keeps its inputs).
//
// WS_W 4 (FP8 E4M3 x E4M3), 5 (FP8 E5M2 x E5M2), 6 (INT8 x INT8, signed): WS_W 0's skeleton with 8-bit operands:
//   CTA tile 128 x 256 x 128 K elements (a 128-byte row is 128 elements), TMA boxes {128, 128} and {128, 256} of
//   UINT8 tensor maps, wgmma.m64n256k32 (e4m3 / e5m2: FP32 accumulators; s8: INT32) from shared memory, +32 bytes per
//   k32 step as for FP16. The FP8 sums are Hopper's FP8 wgmma accumulation (not promoted into separate FP32 sums).
// WS_W 7 (INT8, unsigned 0..255), 8 (INT2), 9 (INT1) weights x FP16: as WS_W 1-3, with the decodes of ladder_gemm.cu's
//   FMT 9 / 10 / 11 (prmt or lop3 into the mantissa of 1024.0, then hsub2 / hfma2: exact) on the fragment order of the
//   byte-pair / INT2 / INT1 mma layouts. A lane's bytes per k tile LB = 32 / 8 / 4 (INT1: halfword t of row g in the
//   low and of row g + 8 in the high half of one word).
// WS_W 10 (INT4), 11 (INT2), 12 (INT1) unsigned weights x INT8 activations: C^T = W . A^T on wgmma.m64n256k32.s32.s8.s8
//   with the weights unpacked to s8 (0 .. 2^b - 1) straight into wgmma's register A operand (the layouts of FMT 12, 13
//   and 5: and/shift masks, INT1's imad spread); the k tile is 128 K elements (the 128-byte INT8 activation row, TMA
//   box {128, 256}), LB = 32 / 16 / 8 bytes per lane. Requires K % 256 == 0.
// WS_SKINNY = 32 or 64 (weights in registers only; M <= 64 such as Figure 12's M1 / M4): the same C^T = W . A^T with
//   the activation tile of WS_SKINNY rows as wgmma N (m64n32 / m64n64, FP32 or INT32 accumulators of 16 / 32
//   registers), WS_MB (1, 2, 4) blocks of 64 weight rows per consumer warpgroup (CTA = 128 WS_MB weight rows, so the
//   activation tile is re-read from L2 once per 128 WS_MB weight rows), a deep pipeline (STAGES ~ 200 KiB of stages,
//   so that ~100 KiB of weights per SM are in flight) and split-K over the grid: CTA x takes tile x / splits and the
//   k tiles [s kper, (s + 1) kper) of split s = x % splits (kper = ceil(K/BK / splits) rounded up to even). With
//   splits == 1 the CTA writes FP16 C itself; otherwise every CTA adds its partial sums into the FP32 (INT32 for s8)
//   workspace ws[M][N] with atomics and bumps counters[tile]; the last CTA of a tile converts the tile to FP16 C and
//   zeroes its workspace and counter again, so ws and counters must be zero before the first launch and stay so.
//   Extra kernel arguments: (acc_t* ws, int* counters, int splits).
// Integer accumulators (WS_W 6, 10-12) are written as FP16 (__int2half_rn of the exact INT32 sum) like ladder_gemm.cu's
//   integer kernels, or, with -DINT_OUT=1, as the INT32 sums themselves (C is then int32_t*).
//
// Kernel arguments: (const __grid_constant__ TmaDesc tmA, const __grid_constant__ TmaDesc tmW (both operands from
//   shared memory: WS_W 0, 4-6) or const uint8_t* W (weights decoded in registers), half* C, int M, int N, int K).
// Requirements: N % BN == 0 (256 for shared-memory operands, 128 otherwise), K % BK == 0 (BK = 64 FP16 / 128 8-bit
//   activation elements) and, for weights in registers, K % (2 BK) == 0.
#include "ladder_gemm_common.cuh"
#include "ladder_tma.cuh"

#ifndef KNAME
#define KNAME ladder_gemm_wgmma_ws
#endif
#ifndef WS_W
#define WS_W 0
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif
#define NTHREADS 384
// Both operands by descriptor from shared memory (FP16, FP8 or INT8 on both sides), else weights decoded in registers.
#define WS_SS (WS_W == 0 || (WS_W >= 4 && WS_W <= 6))
// 8-bit activations (FP8 / INT8): a k tile is 128 elements and each wgmma takes k32.
#define WS_A8 ((WS_W >= 4 && WS_W <= 6) || WS_W >= 10)
// INT32 accumulators (s8 x s8).
#define WS_INT (WS_W == 6 || WS_W >= 10)
#if WS_A8
#define BK 128
#else
#define BK 64
#endif
#if WS_INT
typedef int acc_t;
#else
typedef float acc_t;
#endif
#if WS_INT && defined(INT_OUT) && INT_OUT
typedef int out_t;
#else
typedef half out_t;
#endif

#if WS_SS && defined(WS_SKINNY)
#error "WS_SKINNY needs weights decoded in registers"
#endif
#if WS_SS
#ifndef STAGES
#define STAGES 4
#endif
#define BM 128
#define BN 256
#define OPA_STAGE (BM * 128)   // A tile (rows of 128 B: 64 FP16 or 128 8-bit elements)
#define OPB_STAGE (BN * 128)   // W tile
#else
#if WS_W == 3 || WS_W == 7
#define WBITS 8
#elif WS_W == 8 || WS_W == 11
#define WBITS 2
#elif WS_W == 9 || WS_W == 12
#define WBITS 1
#else
#define WBITS 4
#endif
// bytes per lane per k tile (2 rows x BK x WBITS / 8 over the 4 lanes of a row group): FP16 activations 16 (4-bit),
// 32 (8-bit), 8 (INT2), 4 (INT1); INT8 activations (BK 128) twice that
#if WS_A8
#define LB (8 * WBITS)
#else
#define LB (4 * WBITS)
#endif
#ifdef WS_SKINNY
// Skinny M (see the header): WS_SKINNY activation rows per CTA (wgmma N 32 or 64), WS_MB blocks of 64 weight rows per
// consumer warpgroup.
#if WS_SKINNY != 32 && WS_SKINNY != 64
#error "WS_SKINNY must be 32 or 64"
#endif
#if defined(INT_OUT) && INT_OUT
#error "WS_SKINNY writes FP16 only"
#endif
#ifndef WS_MB
#define WS_MB 1
#endif
#define BN (128 * WS_MB)
#define BM WS_SKINNY
#else
#define BN 128                   // weight rows per CTA (wgmma M: 2 consumer warpgroups x 64)
#define BM 256                   // activation rows per CTA (wgmma N)
#endif
#define OPA_STAGE (BN / 16 * 32 * LB)   // decoded-from weight chunk: 8 groups of 16 rows
#define OPB_STAGE (BM * 128)            // activation tile
#ifndef STAGES
#define STAGES (OPA_STAGE + OPB_STAGE <= 36864 ? 6 : 5)
#endif
#ifndef WS_SKINNY
#define CT_PITCH (BN + 16 / (int)sizeof(out_t))   // elements per row of the transposed output staging tile (+16 B)
static_assert(BM * CT_PITCH * sizeof(out_t) <= STAGES * (OPA_STAGE + OPB_STAGE), "output staging tile over the stages");
#endif
#endif
#define STAGE_BYTES (OPA_STAGE + OPB_STAGE)
#define BAR_OFFSET (STAGES * STAGE_BYTES)
#define NF4_OFFSET (BAR_OFFSET + 2 * STAGES * 8)
// Dynamic shared memory to launch with: stages + barriers (+ NF4 table) + 1024 for the manual alignment.
#ifdef WS_NF4_LANE
// WS_NF4_LANE (skinny NF4 only): the half2 table of every byte replicated once per bank, word [byte][lane], 32 KiB, so
// the lanes' random byte lookups never conflict (the 1 KiB table costs ~3-4 wavefronts per LDS on random bytes)
#if WS_W != 2 || !defined(WS_SKINNY)
#error "WS_NF4_LANE is for the skinny NF4 kernel"
#endif
#define SMEM_BYTES (NF4_OFFSET + 32768 + 1024)
#else
#define SMEM_BYTES (NF4_OFFSET + (WS_W == 2 ? 1024 : 0) + 1024)
#endif

LADDER_DEV void consumer_sync() { asm volatile("bar.sync 1, 256;\n" ::: "memory"); }

// WS_CLUSTER 2 (shared-memory operands only): CTA pairs (cluster 2 x 1 x 1) on vertically adjacent tiles share the W tile;
// each CTA loads its own A box and one half (128 rows) of W, multicast into both CTAs' shared memory at the same
// offset, which halves the W traffic out of L2 (FP8 at ~1.2 PFLOP/s otherwise needs ~7.5 TB/s of L2 reads). A stage is
// free again only once the consumers of both CTAs have released it (empty barrier count 16: local and remote arrives).
#ifndef WS_CLUSTER
#define WS_CLUSTER 1
#endif
#if WS_CLUSTER == 2
#if !WS_SS
#error "WS_CLUSTER 2 needs both operands in shared memory"
#endif
#define WS_CLUSTER_ATTR __cluster_dims__(2, 1, 1)
LADDER_DEV uint32_t cluster_ctarank() {
  uint32_t r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(r));
  return r;
}
LADDER_DEV void cluster_sync_all() {
  asm volatile("barrier.cluster.arrive.release;\nbarrier.cluster.wait.acquire;\n" ::: "memory");
}
// Arrive on the mbarrier at the same shared-memory offset in CTA `peer` of the cluster.
LADDER_DEV void mbar_arrive_cluster(uint32_t bar, uint32_t peer) {
  uint32_t remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;\n" : "=r"(remote) : "r"(bar), "r"(peer));
  asm volatile("mbarrier.arrive.release.cluster.shared::cluster.b64 _, [%0];\n" ::"r"(remote) : "memory");
}
LADDER_DEV void tma_load_2d_multicast(uint32_t dst, const TmaDesc* map, uint32_t bar, int c0, int c1, uint16_t mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%0], [%1, {%3, %4}], [%2], %5;\n"
      ::"r"(dst), "l"(map), "r"(bar), "r"(c0), "r"(c1), "h"(mask) : "memory");
}
#else
#define WS_CLUSTER_ATTR
#endif


#define WS_D4(i) "+f"(d[i]), "+f"(d[(i) + 1]), "+f"(d[(i) + 2]), "+f"(d[(i) + 3])
#define WS_D16(i) WS_D4(i), WS_D4((i) + 4), WS_D4((i) + 8), WS_D4((i) + 12)
#define WS_D64(i) WS_D16(i), WS_D16((i) + 16), WS_D16((i) + 32), WS_D16((i) + 48)
#define WS_REGS128 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}"

// D[64 x 256] += A (smem descriptor) x B (smem descriptor), FP16 inputs, FP32 accumulation.
LADDER_DEV void wgmma_ss_n256(float* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 " WS_REGS128 ", %128, %129, p, 1, 1, 0, 0;\n}\n"
      : WS_D64(0), WS_D64(64)
      : "l"(da), "l"(db), "r"(1));
}
// D[64 x 256] += A (four registers per lane, the m16n8k16 A fragment of the lane's warp) x B (smem descriptor).
LADDER_DEV void wgmma_rs_n256(float* d, const uint32_t* a, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %133, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 " WS_REGS128 ", {%128, %129, %130, %131}, %132, p, 1, 1, 0;\n}\n"
      : WS_D64(0), WS_D64(64)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db), "r"(1));
}

#if WS_A8
#if WS_W == 4
#define WS_K32 "k32.f32.e4m3.e4m3 "
#define WS_K32_SCALES ", 1, 1"   // imm-scale-a, imm-scale-b (no transpose operands for 8-bit types)
#elif WS_W == 5
#define WS_K32 "k32.f32.e5m2.e5m2 "
#define WS_K32_SCALES ", 1, 1"
#else
#define WS_K32 "k32.s32.s8.s8 "
#define WS_K32_SCALES ""         // integer wgmma takes no scale operands
#endif
#if WS_INT
#define WS_ACC "+r"
#else
#define WS_ACC "+f"
#endif
#define WS_E4(i) WS_ACC(d[i]), WS_ACC(d[(i) + 1]), WS_ACC(d[(i) + 2]), WS_ACC(d[(i) + 3])
#define WS_E16(i) WS_E4(i), WS_E4((i) + 4), WS_E4((i) + 8), WS_E4((i) + 12)
#define WS_E64(i) WS_E16(i), WS_E16((i) + 16), WS_E16((i) + 32), WS_E16((i) + 48)
// D[64 x 256] += A x B over k32 of 8-bit elements, both from shared memory (descriptors).
LADDER_DEV void wgmma_ss8_n256(acc_t* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256" WS_K32 WS_REGS128 ", %128, %129, p" WS_K32_SCALES ";\n}\n"
      : WS_E64(0), WS_E64(64)
      : "l"(da), "l"(db), "r"(1));
}
// D[64 x 256] += A (four s8x4 registers per lane, the m16n8k32 A fragment of the lane's warp) x B (smem descriptor).
LADDER_DEV void wgmma_rs8_n256(acc_t* d, const uint32_t* a, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %133, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256" WS_K32 WS_REGS128 ", {%128, %129, %130, %131}, %132, p" WS_K32_SCALES ";\n}\n"
      : WS_E64(0), WS_E64(64)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db), "r"(1));
}
#endif

#ifdef WS_SKINNY
#if WS_A8
#define WS_SK_K "k32.s32.s8.s8 "
#define WS_SK_TAIL ""
#define WS_SK_ACC "+r"
#else
#define WS_SK_K "k16.f32.f16.f16 "
#define WS_SK_TAIL ", 1, 1, 0"
#define WS_SK_ACC "+f"
#endif
#define WS_SK4(i) WS_SK_ACC(d[i]), WS_SK_ACC(d[(i) + 1]), WS_SK_ACC(d[(i) + 2]), WS_SK_ACC(d[(i) + 3])
#define WS_SK16(i) WS_SK4(i), WS_SK4((i) + 4), WS_SK4((i) + 8), WS_SK4((i) + 12)
#if WS_SKINNY == 32
// D[64 x 32] += A (four registers per lane) x B (smem descriptor): 16 accumulators per lane.
LADDER_DEV void wgmma_rs_skinny(acc_t* d, const uint32_t* a, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %21, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n32" WS_SK_K "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15}, "
      "{%16, %17, %18, %19}, %20, p" WS_SK_TAIL ";\n}\n"
      : WS_SK16(0)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db), "r"(1));
}
#else
// D[64 x 64] += A (four registers per lane) x B (smem descriptor): 32 accumulators per lane.
LADDER_DEV void wgmma_rs_skinny(acc_t* d, const uint32_t* a, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n64" WS_SK_K "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,"
      "%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}, "
      "{%32, %33, %34, %35}, %36, p" WS_SK_TAIL ";\n}\n"
      : WS_SK16(0), WS_SK16(16)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db), "r"(1));
}
#endif
#endif

#if WS_W >= 7
// The decode helpers of ladder_gemm.cu (FMT 5, 10, 11), repeated here because that file is built on its own.
// h = half2 bits 0x6400 | (f << S) in each half (1024 + f * 2^S) -> half2(f, f), exact: h * 2^-S - 1024 * 2^-S.
template <int S> LADDER_DEV uint32_t ws_magic_field_to_half2(uint32_t h) {
  static_assert(S >= 0 && S <= 9, "the field must sit inside the 10-bit mantissa");
  half2 r;
  if (S == 0) {
    const uint32_t MAGIC = 0x64006400u;
    r = __hsub2(*reinterpret_cast<half2*>(&h), *reinterpret_cast<const half2*>(&MAGIC));
  } else {
    const uint32_t SCALE = ((15u - S) << 10) * 0x00010001u;           // half 2^-S
    const uint32_t BIAS = (0x8000u | ((25u - S) << 10)) * 0x00010001u;  // half -1024 * 2^-S
    r = __hfma2(*reinterpret_cast<half2*>(&h), *reinterpret_cast<const half2*>(&SCALE), *reinterpret_cast<const half2*>(&BIAS));
  }
  return *reinterpret_cast<uint32_t*>(&r);
}
// Field J of BITS bits of both halves of w -> half2 of the two unsigned codes (one LOP3 + one HFMA2/HSUB2).
template <int BITS, int J> LADDER_DEV uint32_t ws_half_field_pair(uint32_t w) {
  constexpr uint32_t MASK = (((1u << BITS) - 1u) << (BITS * J)) * 0x00010001u;
  return ws_magic_field_to_half2<BITS * J>((w & MASK) | 0x64006400u);
}
// Bytes 0 and 1 (S = 0x4140) or 2 and 3 (0x4342) of w as the mantissas of two halves of 1024 -> half2 of the codes.
template <uint32_t S> LADDER_DEV uint32_t ws_u8_pair_to_half2(uint32_t w) {
  uint32_t h = __byte_perm(w, 0x64646464u, S);
  return ws_magic_field_to_half2<0>(h);
}
// Four 1-bit codes (bits 0..3 of x) -> four s8 bytes 0/1: the multiply places bit i at bit 8i without carries.
LADDER_DEV uint32_t ws_unpack_u1x4_to_s8x4(uint32_t x) { return (x * 0x00204081u) & 0x01010101u; }
#endif

#if !WS_SS
// Decode one k tile (LB bytes of the lane) into the A fragments of its four k16 (k32 for INT8 activations) steps:
// f[4 s + i] = a_i of step s (a0 / a2: row g, a1 / a3: row g + 8, as the mma.sync B registers b0 / b1 of that row).
LADDER_DEV void decode_tile(uint32_t src, uint32_t* f, uint32_t nf4tab) {
#if WS_W == 1 || WS_W == 2
  uint32_t w[4];
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[0]), "=r"(w[1]), "=r"(w[2]), "=r"(w[3]) : "r"(src));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    const uint32_t lo = w[2 * (s >> 1)], hi = w[2 * (s >> 1) + 1];   // row g, row g + 8 (one 32-element unit)
#if WS_W == 1
    // INT4 Ladder word: (n0, n4) = (e(2t), e(2t+1)), (n1, n5) = (e(2t+8), e(2t+9)); >> 8 for the next k16 step.
    const int sh = 8 * (s & 1);
    decode_u4x4_to_half2x2(lo >> sh, f[4 * s + 0], f[4 * s + 2]);
    decode_u4x4_to_half2x2(hi >> sh, f[4 * s + 1], f[4 * s + 3]);
#else
    // NF4 pair word: byte j = (e(2t + 8j), e(2t + 8j + 1)); steps 0/1 take bytes 0,1 / 2,3.
    const int b = 2 * (s & 1);
#ifdef WS_NF4_LANE
    // nf4tab already points at this lane's column: byte x's word is at + 128 x
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 0]) : "r"(nf4tab + (((lo >> (8 * b)) & 0xFF) << 7)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 2]) : "r"(nf4tab + (((lo >> (8 * b + 8)) & 0xFF) << 7)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 1]) : "r"(nf4tab + (((hi >> (8 * b)) & 0xFF) << 7)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 3]) : "r"(nf4tab + (((hi >> (8 * b + 8)) & 0xFF) << 7)));
#else
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 0]) : "r"(nf4tab + 4 * ((lo >> (8 * b)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 2]) : "r"(nf4tab + 4 * ((lo >> (8 * b + 8)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 1]) : "r"(nf4tab + 4 * ((hi >> (8 * b)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 3]) : "r"(nf4tab + 4 * ((hi >> (8 * b + 8)) & 0xFF)));
#endif
#endif
  }
#elif WS_W == 3
  // E5M2 byte-pair word of one k16 step: [e(2t), e(2t+1), e(2t+8), e(2t+9)]; a half is the byte << 8.
  uint32_t w[8];
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[0]), "=r"(w[1]), "=r"(w[2]), "=r"(w[3]) : "r"(src));
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[4]), "=r"(w[5]), "=r"(w[6]), "=r"(w[7]) : "r"(src + 16));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[4 * s + 0] = __byte_perm(w[2 * s], 0, 0x1404);
    f[4 * s + 2] = __byte_perm(w[2 * s], 0, 0x3424);
    f[4 * s + 1] = __byte_perm(w[2 * s + 1], 0, 0x1404);
    f[4 * s + 3] = __byte_perm(w[2 * s + 1], 0, 0x3424);
  }
#elif WS_W == 7
  // Unsigned INT8 codes in the same byte-pair words (FMT 9): each byte into the mantissa of 1024.0, minus 1024.
  uint32_t w[8];
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[0]), "=r"(w[1]), "=r"(w[2]), "=r"(w[3]) : "r"(src));
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[4]), "=r"(w[5]), "=r"(w[6]), "=r"(w[7]) : "r"(src + 16));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[4 * s + 0] = ws_u8_pair_to_half2<0x4140>(w[2 * s]);       // (e(2t), e(2t+1)) of row g
    f[4 * s + 2] = ws_u8_pair_to_half2<0x4342>(w[2 * s]);       // (e(2t+8), e(2t+9))
    f[4 * s + 1] = ws_u8_pair_to_half2<0x4140>(w[2 * s + 1]);   // row g + 8
    f[4 * s + 3] = ws_u8_pair_to_half2<0x4342>(w[2 * s + 1]);
  }
#elif WS_W == 8
  // INT2 word of the 64-K tile per row (FMT 10): B register b of k16 step s = field 2(s&1)+b of w >> 8(s>>1).
  uint32_t w0, w1;
  asm volatile("ld.shared.v2.u32 {%0, %1}, [%2];\n" : "=r"(w0), "=r"(w1) : "r"(src));
  const uint32_t w0h = w0 >> 8, w1h = w1 >> 8;
  f[0] = ws_half_field_pair<2, 0>(w0);  f[2] = ws_half_field_pair<2, 1>(w0);
  f[1] = ws_half_field_pair<2, 0>(w1);  f[3] = ws_half_field_pair<2, 1>(w1);
  f[4] = ws_half_field_pair<2, 2>(w0);  f[6] = ws_half_field_pair<2, 3>(w0);
  f[5] = ws_half_field_pair<2, 2>(w1);  f[7] = ws_half_field_pair<2, 3>(w1);
  f[8] = ws_half_field_pair<2, 0>(w0h); f[10] = ws_half_field_pair<2, 1>(w0h);
  f[9] = ws_half_field_pair<2, 0>(w1h); f[11] = ws_half_field_pair<2, 1>(w1h);
  f[12] = ws_half_field_pair<2, 2>(w0h); f[14] = ws_half_field_pair<2, 3>(w0h);
  f[13] = ws_half_field_pair<2, 2>(w1h); f[15] = ws_half_field_pair<2, 3>(w1h);
#elif WS_W == 9
  // INT1 (FMT 11): halfword t of row g (low half of the word) and of row g + 8 (high half); prmt spreads each
  // halfword's two bytes into the two halves, then bit 2s+b of each half is B register b of k16 step s.
  uint32_t w;
  asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(w) : "r"(src));
  const uint32_t lo = __byte_perm(w, 0u, 0x4140), hi = __byte_perm(w, 0u, 0x4342);
  f[0] = ws_half_field_pair<1, 0>(lo);  f[2] = ws_half_field_pair<1, 1>(lo);
  f[1] = ws_half_field_pair<1, 0>(hi);  f[3] = ws_half_field_pair<1, 1>(hi);
  f[4] = ws_half_field_pair<1, 2>(lo);  f[6] = ws_half_field_pair<1, 3>(lo);
  f[5] = ws_half_field_pair<1, 2>(hi);  f[7] = ws_half_field_pair<1, 3>(hi);
  f[8] = ws_half_field_pair<1, 4>(lo);  f[10] = ws_half_field_pair<1, 5>(lo);
  f[9] = ws_half_field_pair<1, 4>(hi);  f[11] = ws_half_field_pair<1, 5>(hi);
  f[12] = ws_half_field_pair<1, 6>(lo); f[14] = ws_half_field_pair<1, 7>(lo);
  f[13] = ws_half_field_pair<1, 6>(hi); f[15] = ws_half_field_pair<1, 7>(hi);
#elif WS_W == 10
  // INT4 x INT8 (FMT 12): per k32 step one word per row, byte i = e(4t+i) | e(16+4t+i) << 4.
  uint32_t w[8];
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[0]), "=r"(w[1]), "=r"(w[2]), "=r"(w[3]) : "r"(src));
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[4]), "=r"(w[5]), "=r"(w[6]), "=r"(w[7]) : "r"(src + 16));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[4 * s + 0] = w[2 * s] & 0x0F0F0F0Fu;
    f[4 * s + 2] = (w[2 * s] >> 4) & 0x0F0F0F0Fu;
    f[4 * s + 1] = w[2 * s + 1] & 0x0F0F0F0Fu;
    f[4 * s + 3] = (w[2 * s + 1] >> 4) & 0x0F0F0F0Fu;
  }
#elif WS_W == 11
  // INT2 x INT8 (FMT 13): per 64 K one word per row, field q of byte i = e(32(q>>1) + 16(q&1) + 4t + i).
  uint32_t w[4];
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n" : "=r"(w[0]), "=r"(w[1]), "=r"(w[2]), "=r"(w[3]) : "r"(src));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    const uint32_t lo = w[2 * (s >> 1)], hi = w[2 * (s >> 1) + 1];
    const int sh = 4 * (s & 1);
    f[4 * s + 0] = (lo >> sh) & 0x03030303u;
    f[4 * s + 2] = (lo >> (sh + 2)) & 0x03030303u;
    f[4 * s + 1] = (hi >> sh) & 0x03030303u;
    f[4 * s + 3] = (hi >> (sh + 2)) & 0x03030303u;
  }
#else
  // INT1 x INT8 (FMT 5): per 128 K one word per row; byte s = the two s8 registers of k32 step s (low / high nibble).
  uint32_t w0, w1;
  asm volatile("ld.shared.v2.u32 {%0, %1}, [%2];\n" : "=r"(w0), "=r"(w1) : "r"(src));
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[4 * s + 0] = ws_unpack_u1x4_to_s8x4((w0 >> (8 * s)) & 0xF);
    f[4 * s + 2] = ws_unpack_u1x4_to_s8x4((w0 >> (8 * s + 4)) & 0xF);
    f[4 * s + 1] = ws_unpack_u1x4_to_s8x4((w1 >> (8 * s)) & 0xF);
    f[4 * s + 3] = ws_unpack_u1x4_to_s8x4((w1 >> (8 * s + 4)) & 0xF);
  }
#endif
}
#endif

extern "C" __global__ void __launch_bounds__(NTHREADS, 1) WS_CLUSTER_ATTR
KNAME(const __grid_constant__ TmaDesc tmA,
#if WS_SS
      const __grid_constant__ TmaDesc tmW,
#else
      const uint8_t* __restrict__ W,
#endif
      out_t* __restrict__ C, int M, int N, int K
#ifdef WS_SKINNY
      , acc_t* __restrict__ ws, int* __restrict__ counters, int splits
#endif
      ) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const uint32_t sbase = (smem_u32(smem) + 1023u) & ~1023u;
  uint8_t* sgen = smem + (sbase - smem_u32(smem));
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, wg = warp >> 2;
  const uint32_t full0 = sbase + BAR_OFFSET, empty0 = full0 + STAGES * 8;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
#if WS_CLUSTER == 2
  // The grid has 2 * ceil(num_m / 2) * num_n CTAs: pair p takes tile rows 2 bm2 and 2 bm2 + 1 of one column (a CTA
  // past M loads zeros and stores nothing, but still shares its half of W).
  const uint32_t crank = cluster_ctarank();
  tile_coords(blockIdx.x >> 1, (num_m + 1) / 2, num_n, (GROUP_M + 1) / 2, bm, bn);
  bm = 2 * bm + (int)crank;
#elif defined(WS_SKINNY)
  const int tile = blockIdx.x / splits;
  tile_coords(tile, num_m, num_n, GROUP_M, bm, bn);
#else
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
#endif
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles = K / BK;
#ifdef WS_SKINNY
  // this CTA's k tiles [kbeg, kend): an even count (the A fragments alternate between two register sets)
  const int kper = ((ktiles + splits - 1) / splits + 1) & ~1;
  const int kbeg = min(ktiles, (int)(blockIdx.x % splits) * kper), kend = min(ktiles, kbeg + kper);
#endif

  if (tid == 0) {
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmA) : "memory");
#if WS_SS
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmW) : "memory");
#endif
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(full0 + 8 * s, 1);
      mbar_init(empty0 + 8 * s, 8 * WS_CLUSTER);   // one arrive per consumer warp (of both CTAs of a pair)
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    fence_proxy_async();
  }
#if WS_CLUSTER == 2
  cluster_sync_all();   // both CTAs' barriers exist before any multicast or remote arrive
#else
  __syncthreads();
#endif

  if (wg == 0) {
    // ---------------- producer ----------------
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (tid == 0) {
#ifdef WS_SKINNY
      for (int kt = kbeg; kt < kend; ++kt) {
        const int s = (kt - kbeg) % STAGES;
        const uint32_t ph = ((kt - kbeg) / STAGES) & 1;
#else
      for (int kt = 0; kt < ktiles; ++kt) {
        const int s = kt % STAGES;
        const uint32_t ph = (kt / STAGES) & 1;
#endif
        mbar_wait(empty0 + 8 * s, ph ^ 1);
        const uint32_t full = full0 + 8 * s, sOp = sbase + s * STAGE_BYTES;
        mbar_expect_tx(full, STAGE_BYTES);
#if WS_CLUSTER == 2
        tma_load_2d(sOp, &tmA, full, kt * BK, m0);
        tma_load_2d_multicast(sOp + OPA_STAGE + crank * (OPB_STAGE / 2), &tmW, full, kt * BK, n0 + (int)crank * (BN / 2), 3);
#elif WS_SS
        tma_load_2d(sOp, &tmA, full, kt * BK, m0);
        tma_load_2d(sOp + OPA_STAGE, &tmW, full, kt * BK, n0);
#else
        bulk_load_1d(sOp, W + ((size_t)kt * (N / 16) + n0 / 16) * (32 * LB), OPA_STAGE, full);
        tma_load_2d(sOp + OPA_STAGE, &tmA, full, kt * BK, m0);
#endif
      }
    }
#if WS_CLUSTER == 2
    cluster_sync_all();   // stay until the peer's consumers no longer arrive on this CTA's barriers
#endif
    return;
  }

  // ---------------- consumers ----------------
  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
  const int cw = wg - 1, wq = warp & 3, g = lane >> 2, t = lane & 3;
#ifndef WS_SKINNY
  acc_t d[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) d[i] = 0;
#endif

#if WS_SS
  for (int kt = 0; kt < ktiles; ++kt) {
    const int s = kt % STAGES;
    mbar_wait(full0 + 8 * s, (kt / STAGES) & 1);
    const uint32_t sA = sbase + s * STAGE_BYTES + cw * 64 * 128, sW = sbase + s * STAGE_BYTES + OPA_STAGE;
    const uint64_t da = wgmma_desc_sw128(sA), db = wgmma_desc_sw128(sW);
    wgmma_fence();
#pragma unroll
#if WS_A8
    for (int ks = 0; ks < 4; ++ks) wgmma_ss8_n256(d, da + 2 * ks, db + 2 * ks);  // +32 bytes per k32 step
#else
    for (int ks = 0; ks < 4; ++ks) wgmma_ss_n256(d, da + 2 * ks, db + 2 * ks);   // +32 bytes per k16 step
#endif
    wgmma_commit();
    wgmma_wait<1>();
#if WS_CLUSTER == 2
    if (kt > 0 && lane == 0) {
      mbar_arrive(empty0 + 8 * ((kt - 1) % STAGES));
      mbar_arrive_cluster(empty0 + 8 * ((kt - 1) % STAGES), crank ^ 1);
    }
#else
    if (kt > 0 && lane == 0) mbar_arrive(empty0 + 8 * ((kt - 1) % STAGES));
#endif
  }
  wgmma_wait<0>();
#if WS_CLUSTER == 2
  cluster_sync_all();
#endif

#pragma unroll
  for (int j = 0; j < BN / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = m0 + cw * 64 + wq * 16 + g + 8 * h;
      const int col = n0 + j * 8 + 2 * t;
#if WS_INT && defined(INT_OUT) && INT_OUT
      if (row < M) *reinterpret_cast<int2*>(C + (size_t)row * N + col) = make_int2(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
#elif WS_INT
      if (row < M)
        *reinterpret_cast<half2*>(C + (size_t)row * N + col) = __halves2half2(__int2half_rn(d[4 * j + 2 * h]), __int2half_rn(d[4 * j + 2 * h + 1]));
#else
      if (row < M) *reinterpret_cast<half2*>(C + (size_t)row * N + col) = __floats2half2_rn(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
#endif
    }
#else
  uint32_t nf4tab = 0;
#if WS_W == 2 && defined(WS_NF4_LANE)
  nf4tab = sbase + NF4_OFFSET + 4 * lane;
  {
    // word [byte][bank] = (NF4[low nibble], NF4[high nibble]) for every bank
    half2* tab = reinterpret_cast<half2*>(sgen + NF4_OFFSET);
    for (int i = tid - 128; i < 256 * 32; i += 256) tab[i] = __floats2half2_rn(c_nf4[(i >> 5) & 15], c_nf4[i >> 9]);
  }
  consumer_sync();
#elif WS_W == 2
  nf4tab = sbase + NF4_OFFSET;
  {
    // half2 table of every byte: (NF4[low nibble], NF4[high nibble]).
    half2* tab = reinterpret_cast<half2*>(sgen + NF4_OFFSET);
    const int i = tid - 128;
    tab[i] = __floats2half2_rn(c_nf4[i & 15], c_nf4[i >> 4]);
  }
  consumer_sync();
#endif
#ifdef WS_SKINNY
  acc_t d[WS_MB][BM / 2];
#pragma unroll
  for (int b = 0; b < WS_MB; ++b)
#pragma unroll
    for (int i = 0; i < BM / 2; ++i) d[b][i] = 0;
  // 16-row group of block b of this warp: b * 8 + cw * 4 + wq (block b = weight rows [128 b, 128 b + 128) of the tile)
  const uint32_t laneOff = (uint32_t)((cw * 4 + wq) * 32 + lane) * LB;
  uint32_t fa[WS_MB][16], fb[WS_MB][16];
  auto k_tile = [&](int i, uint32_t (*f)[16]) {
    const int s = i % STAGES;
    mbar_wait(full0 + 8 * s, (i / STAGES) & 1);
    const uint32_t sW = sbase + s * STAGE_BYTES, sB = sW + OPA_STAGE;
#pragma unroll
    for (int b = 0; b < WS_MB; ++b) decode_tile(sW + b * (8 * 32 * LB) + laneOff, f[b], nf4tab);
    const uint64_t db = wgmma_desc_sw128(sB);
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < 4; ++ks)
#pragma unroll
      for (int b = 0; b < WS_MB; ++b) wgmma_rs_skinny(d[b], f[b] + 4 * ks, db + 2 * ks);
    wgmma_commit();
    wgmma_wait<1>();
    if (i > 0 && lane == 0) mbar_arrive(empty0 + 8 * ((i - 1) % STAGES));
  };
  for (int i = 0; i < kend - kbeg; i += 2) {
    k_tile(i, fa);
    k_tile(i + 1, fb);
  }
  wgmma_wait<0>();

  // Epilogue: D[b][n_local][m_local] (m64nBM fragment: row wq*16 + g + 8h, column 8j + 2t + e).
#pragma unroll
  for (int b = 0; b < WS_MB; ++b)
#pragma unroll
    for (int j = 0; j < BM / 8; ++j)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int col = n0 + b * 128 + cw * 64 + wq * 16 + g + 8 * h, row = m0 + j * 8 + 2 * t + e;
          const acc_t v = d[b][4 * j + 2 * h + e];
          if (row < M) {
#if WS_INT
            if (splits == 1) C[(size_t)row * N + col] = __int2half_rn(v);
#else
            if (splits == 1) C[(size_t)row * N + col] = __float2half_rn(v);
#endif
            else atomicAdd(ws + (size_t)row * N + col, v);
          }
        }
  if (splits > 1) {
    // The last CTA of the tile (counted after every CTA's adds are visible) converts it and re-zeroes ws and counter.
    __threadfence();
    consumer_sync();
    volatile int* flag = reinterpret_cast<volatile int*>(sgen);   // the stages are idle now
    if (tid == 128) *flag = atomicAdd(counters + tile, 1) == splits - 1;
    consumer_sync();
    if (*flag) {
      __threadfence();
      for (int i = tid - 128; i < BM * BN; i += 256) {
        const int row = m0 + i / BN, col = n0 + i % BN;
        if (row < M) {
          acc_t* p = ws + (size_t)row * N + col;
#if WS_INT
          C[(size_t)row * N + col] = __int2half_rn(__ldcg(p));
#else
          C[(size_t)row * N + col] = __float2half_rn(__ldcg(p));
#endif
          __stcg(p, (acc_t)0);
        }
      }
      if (tid == 128) counters[tile] = 0;
    }
  }
#else
  const uint32_t laneOff = (uint32_t)((cw * 4 + wq) * 32 + lane) * LB;
  uint32_t fa[16], fb[16];
  // One k tile: wait for its stage, decode its weights into f, issue its 4 wgmma and, once the batch before it has
  // retired (wait_group 1), hand the previous tile's stage back to the producer.
  auto k_tile = [&](int k, uint32_t* f) {
    const int s = k % STAGES;
    mbar_wait(full0 + 8 * s, (k / STAGES) & 1);
    const uint32_t sW = sbase + s * STAGE_BYTES, sB = sW + OPA_STAGE;
    decode_tile(sW + laneOff, f, nf4tab);
    const uint64_t db = wgmma_desc_sw128(sB);
    wgmma_fence();
#pragma unroll
#if WS_A8
    for (int ks = 0; ks < 4; ++ks) wgmma_rs8_n256(d, f + 4 * ks, db + 2 * ks);
#else
    for (int ks = 0; ks < 4; ++ks) wgmma_rs_n256(d, f + 4 * ks, db + 2 * ks);
#endif
    wgmma_commit();
    wgmma_wait<1>();
    if (k > 0 && lane == 0) mbar_arrive(empty0 + 8 * ((k - 1) % STAGES));
  };
  // Even tiles decode into fa, odd ones into fb: the batch still in flight keeps reading the other set.
  for (int kt = 0; kt < ktiles; kt += 2) {
    k_tile(kt, fa);
    k_tile(kt + 1, fb);
  }
  wgmma_wait<0>();

  // Epilogue: D[n_local][m_local] -> staging Ct[m_local][n_local] (pitch CT_PITCH elements) -> 16-byte stores of C rows.
  consumer_sync();   // every consumer's last batch has retired: the stage buffers are free
  out_t* ct = reinterpret_cast<out_t*>(sgen);
#pragma unroll
  for (int j = 0; j < BM / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h)
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int nl = cw * 64 + wq * 16 + g + 8 * h, ml = j * 8 + 2 * t + e;
#if WS_INT && defined(INT_OUT) && INT_OUT
        ct[ml * CT_PITCH + nl] = d[4 * j + 2 * h + e];
#elif WS_INT
        ct[ml * CT_PITCH + nl] = __int2half_rn(d[4 * j + 2 * h + e]);
#else
        ct[ml * CT_PITCH + nl] = __float2half_rn(d[4 * j + 2 * h + e]);
#endif
      }
  consumer_sync();
  const int ctid = tid - 128;
  constexpr int VEC = 16 / sizeof(out_t);   // elements per 16-byte store
#pragma unroll 4
  for (int i = ctid; i < BM * (BN / VEC); i += 256) {
    const int ml = i / (BN / VEC), c = i % (BN / VEC);
    const int row = m0 + ml;
    if (row < M)
      *reinterpret_cast<uint4*>(C + (size_t)row * N + n0 + VEC * c) = *reinterpret_cast<const uint4*>(ct + ml * CT_PITCH + VEC * c);
  }
#endif   // WS_SKINNY
#endif
}

// ladder-ae: wgmma (sm_90a) GEMM with both operands from shared memory, generated helpers + kernel.
// Layout NT: C[M,N] (FP16) = A[M,K] (row-major) x W[N,K]^T (K contiguous); A and W of the same element type:
//   WG_ELEM 0 = FP16 (m64nNk16, FP32 accumulation), 1 = FP8 E4M3, 2 = FP8 E5M2 (m64nNk32, FP32 accumulation),
//           3 = INT8 (m64nNk32 s8, INT32 accumulation, output cast to FP16).
// Every tile row is 128 bytes (64 FP16 or 128 8-bit elements), so the 128-byte swizzle, the descriptors and the
// +32 bytes per wgmma K step are the same for every element type.
//
// Design (v1, "cp.async + wgmma"): WG consumer warpgroups (all threads also load), each owns 64 rows x BN columns
// and issues wgmma.m64n{BN} with both operands from shared memory (K-major, 128-byte swizzle, 1024-byte
// aligned tiles: exactly the swz128 layout of the mma.sync path). Tiles come in by cp.async (16 B, zero-fill past
// M), STAGES deep with prefetch distance STAGES-2 so that one wgmma batch may stay in flight (wait_group 1)
// while its stage is never overwritten. No TMA/mbarrier/warp specialisation yet (that is v2).
//
// -D: KNAME, WG_ELEM, WG (warpgroups = BM/64; 1 or 2), BN (128 or 256), STAGES (>= 3), GROUP_M.
// Requirements: N % BN == 0, K % BK == 0 (BK = 64 FP16 / 128 8-bit elements); M arbitrary.
#include "ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_gemm_wgmma
#endif
#ifndef WG
#define WG 2
#endif
#ifndef BN
#define BN 256
#endif
#ifndef STAGES
#define STAGES 4
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif
#ifndef WG_ELEM
#define WG_ELEM 0
#endif
#define BM (64 * WG)
#define ELEM_BYTES (WG_ELEM == 0 ? 2 : 1)
#define BK (128 / ELEM_BYTES)
#if WG_ELEM == 3
typedef int acc_t;
#else
typedef float acc_t;
#endif
#define NTHREADS (128 * WG)
#define A_STAGE (BM * 128)
#define W_STAGE (BN * 128)
#define STAGE_BYTES (A_STAGE + W_STAGE)
static_assert(STAGES >= 3, "wgmma pipeline needs >= 3 stages");


// One wgmma per N (256 or 128) for the element type chosen by WG_ELEM; the scale-d predicate is always 1
// (accumulate; d starts at 0). 16-bit and FP8 inputs take the immediate scale-a/scale-b operands, s8 does not.
#if WG_ELEM == 0
#define WG_INSTR "k16.f32.f16.f16 "
#define WG_IMM_SCALES ", 1, 1, 0, 0"   // scale-a, scale-b, then no transpose of A or B (16-bit types only)
#elif WG_ELEM == 1
#define WG_INSTR "k32.f32.e4m3.e4m3 "
#define WG_IMM_SCALES ", 1, 1"
#elif WG_ELEM == 2
#define WG_INSTR "k32.f32.e5m2.e5m2 "
#define WG_IMM_SCALES ", 1, 1"
#else
#define WG_INSTR "k32.s32.s8.s8 "
#define WG_IMM_SCALES ""
#endif
#if WG_ELEM == 3
#define WG_ACC "+r"
#else
#define WG_ACC "+f"
#endif
#define WG_D4(i) WG_ACC(d[i]), WG_ACC(d[(i) + 1]), WG_ACC(d[(i) + 2]), WG_ACC(d[(i) + 3])
#define WG_D16(i) WG_D4(i), WG_D4((i) + 4), WG_D4((i) + 8), WG_D4((i) + 12)
#define WG_D64(i) WG_D16(i), WG_D16((i) + 16), WG_D16((i) + 32), WG_D16((i) + 48)
#define WG_REGS128 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}"
#define WG_REGS64 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}"
LADDER_DEV void wgmma_m64n256(acc_t* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256" WG_INSTR WG_REGS128 ", %128, %129, p" WG_IMM_SCALES ";\n}\n"
      : WG_D64(0), WG_D64(64)
      : "l"(da), "l"(db), "r"(1));
}
LADDER_DEV void wgmma_m64n128(acc_t* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n128" WG_INSTR WG_REGS64 ", %64, %65, p" WG_IMM_SCALES ";\n}\n"
      : WG_D64(0)
      : "l"(da), "l"(db), "r"(1));
}

#if BN == 256
#define WGMMA wgmma_m64n256
#else
#define WGMMA wgmma_m64n128
#endif

__device__ __forceinline__ void load_stage(uint32_t sbase, int stage, int ktile, const uint8_t* A, const uint8_t* W,
                                           int M, int K, int m0, int n0, int tid) {
  const uint32_t sA = sbase + stage * STAGE_BYTES, sW = sA + A_STAGE;
  const size_t row = (size_t)K * ELEM_BYTES;
#pragma unroll
  for (int i = tid; i < BM * 8; i += NTHREADS) {
    int r = i >> 3, c = i & 7, gm = m0 + r;
    bool ok = gm < M;
    cp_async16(sA + swz128(r, c), A + (size_t)(ok ? gm : 0) * row + (size_t)ktile * 128 + c * 16, ok ? 16 : 0);
  }
#pragma unroll
  for (int i = tid; i < BN * 8; i += NTHREADS) {
    int r = i >> 3, c = i & 7;
    cp_async16(sW + swz128(r, c), W + (size_t)(n0 + r) * row + (size_t)ktile * 128 + c * 16, 16);
  }
}

// Dynamic shared memory: STAGES * STAGE_BYTES + 1024 (for manual 1024-byte alignment).
extern "C" __global__ void __launch_bounds__(NTHREADS, 1)
KNAME(const uint8_t* __restrict__ A, const uint8_t* __restrict__ W, half* __restrict__ C, acc_t* __restrict__ ws,
      int M, int N, int K) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const uint32_t sbase = (smem_u32(smem) + 1023u) & ~1023u;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, wg = warp >> 2, wq = warp & 3;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles = K / BK;

  acc_t d[BN / 2];
#pragma unroll
  for (int i = 0; i < BN / 2; ++i) d[i] = 0;

#pragma unroll
  for (int s = 0; s < STAGES - 2; ++s) {
    if (s < ktiles) load_stage(sbase, s, s, A, W, M, K, m0, n0, tid);
    cp_async_commit();
  }
  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 3>();
    fence_proxy_async();
    __syncthreads();
    {
      int nk = kt + STAGES - 2;
      if (nk < ktiles) load_stage(sbase, nk % STAGES, nk, A, W, M, K, m0, n0, tid);
      cp_async_commit();
    }
    const uint32_t sA = sbase + (kt % STAGES) * STAGE_BYTES + wg * 64 * 128, sW = sbase + (kt % STAGES) * STAGE_BYTES + A_STAGE;
    const uint64_t da = wgmma_desc_sw128(sA), db = wgmma_desc_sw128(sW);
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < 4; ++ks) WGMMA(d, da + 2 * ks, db + 2 * ks);  // +32 bytes per K step
    wgmma_commit();
    wgmma_wait<1>();
  }
  wgmma_wait<0>();
  cp_async_wait<0>();

  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int j = 0; j < BN / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      int row = m0 + wg * 64 + wq * 16 + g + 8 * h;
      int col = n0 + j * 8 + 2 * t;
      if (row < M) {
#if WG_ELEM == 3
        half2 v = __halves2half2(__int2half_rn(d[4 * j + 2 * h]), __int2half_rn(d[4 * j + 2 * h + 1]));
#else
        half2 v = __floats2half2_rn(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
#endif
        *reinterpret_cast<half2*>(C + (size_t)row * N + col) = v;
      }
    }
}

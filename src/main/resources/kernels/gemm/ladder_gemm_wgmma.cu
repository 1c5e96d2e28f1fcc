// ladder-ae: wgmma (sm_90a) FP16 GEMM, generated helpers + kernel.
// Layout NT: C[M,N] (FP16) = A[M,K] (FP16 row-major) x W[N,K]^T (FP16, K contiguous), FP32 accumulation.
//
// Design (v1, "cp.async + wgmma"): WG consumer warpgroups (all threads also load), each owns 64 rows x BN columns
// and issues wgmma.m64n{BN}k16 with both operands from shared memory (K-major, 128-byte swizzle, 1024-byte
// aligned tiles: exactly the swz128 layout of the mma.sync path). Tiles come in by cp.async (16 B, zero-fill past
// M), STAGES deep with prefetch distance STAGES-2 so that one wgmma batch may stay in flight (wait_group 1)
// while its stage is never overwritten. No TMA/mbarrier/warp specialisation yet (that is v2).
//
// -D: KNAME, WG (warpgroups = BM/64; 1 or 2), BN (128 or 256), STAGES (>= 3), GROUP_M.
// Requirements: N % BN == 0, K % 64 == 0; M arbitrary.
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
#define BM (64 * WG)
#define BK 64
#define NTHREADS (128 * WG)
#define A_STAGE (BM * 128)
#define W_STAGE (BN * 128)
#define STAGE_BYTES (A_STAGE + W_STAGE)
static_assert(STAGES >= 3, "wgmma pipeline needs >= 3 stages");

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

LADDER_DEV void wgmma_m64n256k16_f32_f16(float* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 "
      "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}, %128, %129, p, 1, 1, 0, 0;\n}\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
      : "l"(da), "l"(db), "r"(1));
}

LADDER_DEV void wgmma_m64n128k16_f32_f16(float* d, uint64_t da, uint64_t db) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 "
      "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, %64, %65, p, 1, 1, 0, 0;\n}\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
      : "l"(da), "l"(db), "r"(1));
}

#if BN == 256
#define WGMMA wgmma_m64n256k16_f32_f16
#else
#define WGMMA wgmma_m64n128k16_f32_f16
#endif

__device__ __forceinline__ void load_stage(uint32_t sbase, int stage, int ktile, const uint8_t* A, const uint8_t* W,
                                           int M, int K, int m0, int n0, int tid) {
  const uint32_t sA = sbase + stage * STAGE_BYTES, sW = sA + A_STAGE;
  const size_t row = (size_t)K * 2;
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
KNAME(const uint8_t* __restrict__ A, const uint8_t* __restrict__ W, half* __restrict__ C, float* __restrict__ ws,
      int M, int N, int K) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const uint32_t sbase = (smem_u32(smem) + 1023u) & ~1023u;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, wg = warp >> 2, wq = warp & 3;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles = K / BK;

  float d[BN / 2];
#pragma unroll
  for (int i = 0; i < BN / 2; ++i) d[i] = 0.f;

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
    for (int ks = 0; ks < 4; ++ks) WGMMA(d, da + 2 * ks, db + 2 * ks);  // +32 bytes per k16 step
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
      if (row < M) *reinterpret_cast<half2*>(C + (size_t)row * N + col) = __floats2half2_rn(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
    }
}

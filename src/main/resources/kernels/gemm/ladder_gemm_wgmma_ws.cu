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
// Kernel arguments: (const __grid_constant__ TmaDesc tmA, const __grid_constant__ TmaDesc tmW (WS_W 0) or
//   const uint8_t* W (WS_W != 0), half* C, int M, int N, int K).
// Requirements: N % BN == 0 (256 for WS_W 0, 128 otherwise), K % 64 == 0 (WS_W 0) or K % 128 == 0.
#include "ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_gemm_wgmma_ws
#endif
#ifndef WS_W
#define WS_W 0
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif
#define BK 64
#define NTHREADS 384

#if WS_W == 0
#ifndef STAGES
#define STAGES 4
#endif
#define BM 128
#define BN 256
#define OPA_STAGE (BM * 128)   // A tile (FP16 rows of 128 B)
#define OPB_STAGE (BN * 128)   // W tile
#else
#if WS_W == 3
#define WBITS 8
#else
#define WBITS 4
#endif
#define LB (4 * WBITS)           // bytes per lane per k tile: 16 (4-bit) or 32 (8-bit)
#define BN 128                   // weight rows per CTA (wgmma M: 2 consumer warpgroups x 64)
#define BM 256                   // activation rows per CTA (wgmma N)
#ifndef STAGES
#define STAGES (WBITS == 4 ? 6 : 5)
#endif
#define OPA_STAGE (BN / 16 * 32 * LB)   // decoded-from weight chunk: 8 groups of 16 rows
#define OPB_STAGE (BM * 128)            // activation tile
#define CT_PITCH (BN + 8)               // halves per row of the transposed output staging tile
#endif
#define STAGE_BYTES (OPA_STAGE + OPB_STAGE)
#define BAR_OFFSET (STAGES * STAGE_BYTES)
#define NF4_OFFSET (BAR_OFFSET + 2 * STAGES * 8)
// Dynamic shared memory to launch with: stages + barriers (+ NF4 table) + 1024 for the manual alignment.
#define SMEM_BYTES (NF4_OFFSET + (WS_W == 2 ? 1024 : 0) + 1024)

struct __align__(64) TmaDesc { uint64_t v[16]; };

LADDER_DEV void mbar_init(uint32_t bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
LADDER_DEV void mbar_expect_tx(uint32_t bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
LADDER_DEV void mbar_arrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
LADDER_DEV void mbar_wait(uint32_t bar, uint32_t parity) {
  uint32_t done;
  do {
    asm volatile(
        "{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
        : "=r"(done) : "r"(bar), "r"(parity) : "memory");
  } while (!done);
}
LADDER_DEV void tma_load_2d(uint32_t dst, const TmaDesc* map, uint32_t bar, int c0, int c1) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4}], [%2];\n"
      ::"r"(dst), "l"(map), "r"(bar), "r"(c0), "r"(c1) : "memory");
}
LADDER_DEV void bulk_load_1d(uint32_t dst, const void* src, uint32_t bytes, uint32_t bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n"
               ::"r"(dst), "l"(src), "r"(bytes), "r"(bar) : "memory");
}
LADDER_DEV void consumer_sync() { asm volatile("bar.sync 1, 256;\n" ::: "memory"); }


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

#if WS_W != 0
// Decode one k tile (LB bytes of the lane) into the A fragments of its four k16 steps: f[4 s + i] = a_i of step s.
LADDER_DEV void decode_tile(uint32_t src, uint32_t* f, uint32_t nf4tab) {
#if WBITS == 4
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
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 0]) : "r"(nf4tab + 4 * ((lo >> (8 * b)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 2]) : "r"(nf4tab + 4 * ((lo >> (8 * b + 8)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 1]) : "r"(nf4tab + 4 * ((hi >> (8 * b)) & 0xFF)));
    asm volatile("ld.shared.u32 %0, [%1];\n" : "=r"(f[4 * s + 3]) : "r"(nf4tab + 4 * ((hi >> (8 * b + 8)) & 0xFF)));
#endif
  }
#else
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
#endif
}
#endif

extern "C" __global__ void __launch_bounds__(NTHREADS, 1)
KNAME(const __grid_constant__ TmaDesc tmA,
#if WS_W == 0
      const __grid_constant__ TmaDesc tmW,
#else
      const uint8_t* __restrict__ W,
#endif
      half* __restrict__ C, int M, int N, int K) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const uint32_t sbase = (smem_u32(smem) + 1023u) & ~1023u;
  uint8_t* sgen = smem + (sbase - smem_u32(smem));
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, wg = warp >> 2;
  const uint32_t full0 = sbase + BAR_OFFSET, empty0 = full0 + STAGES * 8;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles = K / BK;

  if (tid == 0) {
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmA) : "memory");
#if WS_W == 0
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmW) : "memory");
#endif
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(full0 + 8 * s, 1);
      mbar_init(empty0 + 8 * s, 8);   // one arrive per consumer warp
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    fence_proxy_async();
  }
  __syncthreads();

  if (wg == 0) {
    // ---------------- producer ----------------
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (tid == 0) {
      for (int kt = 0; kt < ktiles; ++kt) {
        const int s = kt % STAGES;
        const uint32_t ph = (kt / STAGES) & 1;
        mbar_wait(empty0 + 8 * s, ph ^ 1);
        const uint32_t full = full0 + 8 * s, sOp = sbase + s * STAGE_BYTES;
        mbar_expect_tx(full, STAGE_BYTES);
#if WS_W == 0
        tma_load_2d(sOp, &tmA, full, kt * BK, m0);
        tma_load_2d(sOp + OPA_STAGE, &tmW, full, kt * BK, n0);
#else
        bulk_load_1d(sOp, W + ((size_t)kt * (N / 16) + n0 / 16) * (32 * LB), OPA_STAGE, full);
        tma_load_2d(sOp + OPA_STAGE, &tmA, full, kt * BK, m0);
#endif
      }
    }
    return;
  }

  // ---------------- consumers ----------------
  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
  const int cw = wg - 1, wq = warp & 3, g = lane >> 2, t = lane & 3;
  float d[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) d[i] = 0.f;

#if WS_W == 0
  for (int kt = 0; kt < ktiles; ++kt) {
    const int s = kt % STAGES;
    mbar_wait(full0 + 8 * s, (kt / STAGES) & 1);
    const uint32_t sA = sbase + s * STAGE_BYTES + cw * 64 * 128, sW = sbase + s * STAGE_BYTES + OPA_STAGE;
    const uint64_t da = wgmma_desc_sw128(sA), db = wgmma_desc_sw128(sW);
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < 4; ++ks) wgmma_ss_n256(d, da + 2 * ks, db + 2 * ks);   // +32 bytes per k16 step
    wgmma_commit();
    wgmma_wait<1>();
    if (kt > 0 && lane == 0) mbar_arrive(empty0 + 8 * ((kt - 1) % STAGES));
  }
  wgmma_wait<0>();

#pragma unroll
  for (int j = 0; j < BN / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = m0 + cw * 64 + wq * 16 + g + 8 * h;
      const int col = n0 + j * 8 + 2 * t;
      if (row < M) *reinterpret_cast<half2*>(C + (size_t)row * N + col) = __floats2half2_rn(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
    }
#else
  uint32_t nf4tab = 0;
#if WS_W == 2
  nf4tab = sbase + NF4_OFFSET;
  {
    // half2 table of every byte: (NF4[low nibble], NF4[high nibble]).
    half2* tab = reinterpret_cast<half2*>(sgen + NF4_OFFSET);
    const int i = tid - 128;
    tab[i] = __floats2half2_rn(c_nf4[i & 15], c_nf4[i >> 4]);
  }
  consumer_sync();
#endif
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
    for (int ks = 0; ks < 4; ++ks) wgmma_rs_n256(d, f + 4 * ks, db + 2 * ks);
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

  // Epilogue: D[n_local][m_local] -> staging Ct[m_local][n_local] (pitch CT_PITCH halves) -> 16-byte stores of C rows.
  consumer_sync();   // every consumer's last batch has retired: the stage buffers are free
  half* ct = reinterpret_cast<half*>(sgen);
#pragma unroll
  for (int j = 0; j < BM / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h)
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int nl = cw * 64 + wq * 16 + g + 8 * h, ml = j * 8 + 2 * t + e;
        ct[ml * CT_PITCH + nl] = __float2half_rn(d[4 * j + 2 * h + e]);
      }
  consumer_sync();
  const int ctid = tid - 128;
#pragma unroll 4
  for (int i = ctid; i < BM * (BN / 8); i += 256) {
    const int ml = i / (BN / 8), c = i % (BN / 8);
    const int row = m0 + ml;
    if (row < M)
      *reinterpret_cast<uint4*>(C + (size_t)row * N + n0 + 8 * c) = *reinterpret_cast<const uint4*>(ct + ml * CT_PITCH + 8 * c);
  }
#endif
}

// ladder-ae: Ladder FP16 pointwise (1x1, stride 1, no padding) conv2d on sm_90a: a persistent, warp-specialised
// streaming GEMM with resident weights and TMA loads. NHWC, FP32 accumulation.
//
// A 1x1 conv over NHWC is the GEMM Y[M, K] = X[M, C] . Wt[K, C]^T with M = N*H*W pixels. ResNet's 1x1 layers have
// few channels (C1: C = K = 64; C3: C = 512, K = 128), so they are bound by HBM: every input pixel is read once and
// every output pixel written once. Why a kernel of its own: the halo conv (ladder_conv_halo.cu) gathers pixels with
// per-thread 16-byte cp.async copies and stores the output channel-major from the accumulators (scalar 2-byte
// shared stores), and the im2col kernel refills the weights for every tile. Here one thread of the producer
// warpgroup streams the pixel tiles by 2-D TMA (tensor map tmX over X as [M rows, C columns], row pitch ldx, box
// {64 channels, 64 * MI pixels}, 128-byte swizzle), the weights of the block's BN output channels stay in shared
// memory, and the output leaves through a swizzled shared-memory tile as coalesced 16-byte rows.
//
// wgmma m64 x BN x k16, A = pixels (TMA tile, K-major, 128-byte swizzle), B = weights (BN rows of 64 channels per
// 64-channel chunk, K-major, 128-byte swizzle), both from shared memory. Block = 1 producer warpgroup + NCW consumer
// warpgroups; consumer i of a block takes the block's tiles i, i + NCW, ... (one tile = 64 * MI pixels x BN output
// channels, all of C), each consumer with its own ring of NSTR stages (one stage = one 64-channel chunk of one
// tile, MI * 8 KB), so one consumer's epilogue overlaps the other's loads and MMAs. Blocks are persistent:
// gridDim.x % CB == 0 (CB = ceil(K / BN) output-channel blocks); block b keeps channels (b % CB) * BN .. + BN - 1
// and walks the pixel tiles b / CB, + gridDim.x / CB, ...
//
// Epilogue (ladder_conv_tma_common.cuh, shared with ladder_conv_i2c.cu): bias (+ ReLU without residual) in FP32, FP16 into the consumer's staging tile [64 * MI pixels][BN
// channels] (16-byte chunk ^ (pixel & 7)), then 16-byte rows to Y (+ residual in FP32, ReLU); with a residual the
// sum is rounded twice, as in ladder_conv.cu and ladder_conv_halo.cu. Pixels past M (TMA zero-fills them) and
// channels past K are not stored.
//
// Configuration (-D): KNAME, PW_C (the input channels C, compiled in: the resident weights set the shared memory
// size, so a cubin serves one C), BN (64, 128 or 256), MI (1 or 2 m64 tiles per consumer tile; MI * BN <= 256: the
// accumulators are MI * BN / 2 registers), NCW (1 or 2 consumer warpgroups), NSTR (stages per consumer ring), MINB
// (blocks per SM). Shared memory (dynamic): 1024 (alignment) + C/64 * BN * 128 (weights) + NCW * NSTR * MI * 8192
// (rings) + NCW * 64 * MI * BN * 2 (staging); org.ladderae.kernels.ConvConfig.pointwiseSharedMemoryBytes.
//
// Arguments: (const __grid_constant__ TmaDesc tmX, const half* Wt [K][ldw] (KRSC with R = S = 1), half* Y (pixel
// stride ldy), const half* bias (or null), const half* residual (pixel stride ldy, or null), int M, int C, int K,
// int ldy, int ldw, int relu). Requires C == PW_C, K % 8 == 0, ldy % 8 == 0.
#include "../gemm/ladder_gemm_common.cuh"
#include "../gemm/ladder_tma.cuh"
#include "ladder_wgmma_ss.cuh"
#include "ladder_conv_tma_common.cuh"

#ifndef KNAME
#define KNAME ladder_conv_pw
#endif
#ifndef PW_C
#define PW_C 64
#endif
#ifndef BN
#define BN 64
#endif
#ifndef MI
#define MI 2
#endif
#ifndef NCW
#define NCW 2
#endif
#ifndef NSTR
#define NSTR 4
#endif
#ifndef MINB
#define MINB 1
#endif

#define TM (64 * MI)                    // pixels per tile
#define STAGE_BYTES (MI * 8192)         // one 64-channel chunk of a tile: TM rows of 128 bytes
#define STAGING_BYTES (TM * BN * 2)     // one consumer's FP16 output tile
#define NTHREADS ((NCW + 1) * 128)
static_assert(BN == 64 || BN == 128 || BN == 256, "BN: 64, 128 or 256 output channels per block");
static_assert(MI >= 1 && MI <= 2 && MI * BN <= 256, "MI * BN / 2 accumulator registers: at most 128");
static_assert(PW_C % 64 == 0, "PW_C: a multiple of 64 input channels");
static_assert(NCW >= 1 && NCW <= 2 && NSTR >= 2, "1-2 consumer warpgroups, >= 2 stages each");

LADDER_DEV void pw_named_sync(int id) { asm volatile("bar.sync %0, 128;\n" ::"r"(id) : "memory"); }

extern "C" __global__ void __launch_bounds__(NTHREADS, MINB)
KNAME(const __grid_constant__ TmaDesc tmX, const half* __restrict__ Wt, half* __restrict__ Y, const half* __restrict__ bias,
      const half* __restrict__ residual, int M, int C, int K, int ldy, int ldw, int relu) {
  // A launch outside the compiled contract writes nothing (its NaN-poisoned check fails loudly).
  if (C != PW_C || (K & 7) != 0 || (ldy & 7) != 0 || M <= 0) return;
  extern __shared__ __align__(1024) uint8_t smem[];
  uint8_t* sbase = smem + (((smem_u32(smem) + 1023u) & ~1023u) - smem_u32(smem));
  __shared__ __align__(8) uint64_t bars[2 * NCW * NSTR];
  constexpr int KC = PW_C / 64;
  const uint32_t sW = smem_u32(sbase);
  const uint32_t sRing = sW + KC * BN * 128;
  const uint32_t sStaging = sRing + NCW * NSTR * STAGE_BYTES;
  const uint32_t full0 = smem_u32(bars), empty0 = full0 + 8 * NCW * NSTR;
  const int tid = threadIdx.x;
  const int CB = (K + BN - 1) / BN;
  const int co0 = (blockIdx.x % CB) * BN;
  const int tiles = (M + TM - 1) / TM;
  const int t0 = blockIdx.x / CB, tStep = gridDim.x / CB;

  // Resident weights: chunk kc = BN output channels x 64 input channels, rows of 128 bytes, 128-byte swizzle;
  // channels past K are zeros.
  for (int i = tid; i < KC * BN * 8; i += NTHREADS) {
    const int ch = i & 7, row = (i >> 3) % BN, kc = (i >> 3) / BN;
    const bool ok = co0 + row < K;
    const half* src = Wt + (ok ? (size_t)(co0 + row) * ldw + kc * 64 + ch * 8 : 0);
    cp_async16(sW + kc * BN * 128 + swz128(row, ch), src, ok ? 16 : 0);
  }
  cp_async_commit();
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < NCW * NSTR; ++s) {
      mbar_init(full0 + 8 * s, 1);
      mbar_init(empty0 + 8 * s, 128);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  cp_async_wait<0>();
  fence_proxy_async();
  __syncthreads();

  if (tid >= NCW * 128) {
    // Producer: one thread streams (tile, chunk) boxes into the ring of the tile's consumer.
    if (tid == NCW * 128) {
      asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmX) : "memory");
      int u[NCW];
#pragma unroll
      for (int r = 0; r < NCW; ++r) u[r] = 0;
      int i = 0;
      for (int t = t0; t < tiles; t += tStep, ++i) {
        const int ring = i % NCW;
        for (int kc = 0; kc < KC; ++kc) {
          const int s = ring * NSTR + u[ring] % NSTR;
          if (u[ring] >= NSTR) mbar_wait(empty0 + 8 * s, ((u[ring] / NSTR) - 1) & 1);
          mbar_expect_tx(full0 + 8 * s, STAGE_BYTES);
          tma_load_2d(sRing + s * STAGE_BYTES, &tmX, full0 + 8 * s, kc * 64, t * TM);
          ++u[ring];
        }
      }
    }
    return;
  }

  // Consumers.
  const int cw = tid >> 7, wtid = tid & 127, wq = wtid >> 5, lane = tid & 31, g = lane >> 2, t4 = lane & 3;
  const uint32_t so = sStaging + cw * STAGING_BYTES;
  const bool relu_now = relu && residual == nullptr;
  float d[MI][BN / 2];
  int u = 0, i = 0;
  for (int t = t0; t < tiles; t += tStep, ++i) {
    if (i % NCW != cw) continue;
    int prev_s = -1;
    for (int kc = 0; kc < KC; ++kc, ++u) {
      const int s = cw * NSTR + u % NSTR;
      mbar_wait(full0 + 8 * s, (u / NSTR) & 1);
      const uint32_t sa = sRing + s * STAGE_BYTES;
      const uint64_t db = wgmma_desc_sw128(sW + kc * BN * 128);
      wgmma_fence();
      conv_wgmma_chunk<BN, MI>(d, sa, db, kc != 0);
      wgmma_commit();
      if (prev_s >= 0) {
        wgmma_wait<1>();
        mbar_arrive(empty0 + 8 * prev_s);
      }
      prev_s = s;
    }
    wgmma_wait<0>();
    mbar_arrive(empty0 + 8 * prev_s);

    // Epilogue (ladder_conv_tma_common.cuh): FP16 into this consumer's staging tile, then 16-byte rows to Y.
    conv_epilogue_stage<BN, MI>(d, so, wq, g, t4, bias, co0, K, relu_now);
    pw_named_sync(1 + cw);
    conv_epilogue_store<BN>(so, TM, t * TM, M, co0, K, Y, ldy, residual, relu, wtid);
    pw_named_sync(1 + cw);
  }
}

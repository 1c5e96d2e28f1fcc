// ladder-ae: Ladder FP16 conv2d on sm_90a as a persistent, warp-specialised implicit GEMM whose pixel tiles arrive by
// im2col-mode TMA. NHWC, KRSC weights, FP32 accumulation, any R x S filter, stride and padding with C % 64 == 0.
//
// The conv is the GEMM Y[M, K] = A[M, R*S*C] . Wt[K, R*S*C]^T over the M = N*P*Q output pixels, where row m of A holds
// the input pixels under output pixel m's window. Why this kernel: the halo conv (ladder_conv_halo.cu) puts the weights
// in wgmma's M (64 output channels a block), so a layer with K = 128 gathers its halo twice, and it builds the halo with
// per-thread cp.async copies and stores the output channel-major from the accumulators. Here the hardware gathers A:
// one im2col TMA per (tile, filter tap, 64 input channels) copies TM output pixels' input pixels for that tap (the map's
// bounding box walks W, then H, then images, with the padding as out-of-bounds zeros) into the 128-byte-swizzled
// K-major tile that wgmma reads, and a tiled TMA brings the matching BN x 64 block of weights. Pixels are wgmma's M,
// output channels its N, so a block's TM x BN tile covers all of a K = 128 layer once.
//
// Block = 1 producer warpgroup (one thread issues the copies) + NCW consumer warpgroups that share every stage
// (consumer cw takes pixel rows cw * MI * 64 .. + MI * 64 - 1 of the tile): NST stages of A (TM rows of 128 bytes) and
// B (BN rows of 128 bytes), guarded by mbarriers full (TMA complete_tx) and empty (every consumer thread arrives once the
// wgmma batch that read the stage has retired). Blocks are persistent: block b takes tiles b, b + gridDim.x, ... of the
// ceil(M / TM) * CB tiles (CB = ceil(K / BN) output-channel blocks; tile t = pixel tile t / CB, channel block t % CB,
// so the channel blocks of a pixel tile run side by side and share its pixels in L2). K loop: R*S taps x C/64 chunks.
//
// Epilogue (ladder_conv_tma_common.cuh): bias, residual, ReLU fused; FP16 rows through each consumer's staging tile as
// coalesced 16-byte stores. Pixels past M (zero-filled by TMA) and channels past K are not stored.
//
// Configuration (-D): KNAME, BN (64 or 128 output channels per tile), MI (1 or 2 m64 blocks per consumer; MI * BN <= 256:
// MI * BN / 2 accumulator registers), NCW (1 or 2 consumer warpgroups), NST (stages). TM = NCW * MI * 64 pixels
// (pixelsPerColumn of the im2col map: at most 256). Shared memory (dynamic): 1024 (alignment) + NST * (TM + BN) * 128
// (stages) + NCW * MI * 64 * BN * 2 (staging); org.ladderae.kernels.ConvConfig.im2colTmaSharedMemoryBytes.
//
// Arguments: (const __grid_constant__ TmaDesc tmX (im2col map of X: dims {C, W, H, N}, pixel stride ldx, box 64
// channels x TM pixels, lower corner {-pad, -pad}, upper corner {(Q-1)*stride - pad - (W-1), (P-1)*stride - pad - (H-1)},
// traversal strides {stride, stride}, 128-byte swizzle), const __grid_constant__ TmaDesc tmW (tiled map of Wt [K][ldw],
// KRSC rows, box {64, BN}, 128-byte swizzle), half* Y (pixel stride ldy), const half* bias (or null), const half*
// residual (pixel stride ldy, or null), int N, int C, int K, int R, int S, int P, int Q, int stride, int pad, int ldy,
// int relu). Requires C % 64 == 0, K % 8 == 0, ldy % 8 == 0.
#include "../gemm/ladder_gemm_common.cuh"
#include "../gemm/ladder_tma.cuh"
#include "ladder_wgmma_ss.cuh"
#include "ladder_conv_tma_common.cuh"

#ifndef KNAME
#define KNAME ladder_conv_i2c
#endif
#ifndef BN
#define BN 128
#endif
#ifndef MI
#define MI 2
#endif
#ifndef NCW
#define NCW 2
#endif
#ifndef NST
#define NST 3
#endif

#define TM (NCW * MI * 64)              // pixels per tile
#define A_BYTES (TM * 128)              // one tap's 64 channels of the tile's pixels
#define STAGE_BYTES (A_BYTES + BN * 128)
#define STAGING_BYTES (MI * 64 * BN * 2)   // one consumer's FP16 output rows
#define NTHREADS ((NCW + 1) * 128)
static_assert(BN == 64 || BN == 128, "BN: 64 or 128 output channels per tile");
static_assert(MI >= 1 && MI <= 2 && MI * BN <= 256, "MI * BN / 2 accumulator registers: at most 128");
static_assert(NCW >= 1 && NCW <= 2 && NST >= 2, "1-2 consumer warpgroups, >= 2 stages");
static_assert(TM <= 256, "pixelsPerColumn of an im2col TMA: at most 256");

LADDER_DEV void i2c_named_sync(int id) { asm volatile("bar.sync %0, 128;\n" ::"r"(id) : "memory"); }

extern "C" __global__ void __launch_bounds__(NTHREADS, 1)
KNAME(const __grid_constant__ TmaDesc tmX, const __grid_constant__ TmaDesc tmW, half* __restrict__ Y,
      const half* __restrict__ bias, const half* __restrict__ residual, int N, int C, int K, int R, int S, int P, int Q,
      int stride, int pad, int ldy, int relu) {
  // A launch outside the contract writes nothing (its NaN-poisoned check fails loudly).
  if ((C & 63) != 0 || C <= 0 || (K & 7) != 0 || (ldy & 7) != 0 || N <= 0 || P <= 0 || Q <= 0) return;
  extern __shared__ __align__(1024) uint8_t smem[];
  uint8_t* sbase = smem + (((smem_u32(smem) + 1023u) & ~1023u) - smem_u32(smem));
  __shared__ __align__(8) uint64_t bars[2 * NST];
  const uint32_t sStages = smem_u32(sbase);
  const uint32_t sStaging = sStages + NST * STAGE_BYTES;
  const uint32_t full0 = smem_u32(bars), empty0 = full0 + 8 * NST;
  const int tid = threadIdx.x;
  const int M = N * P * Q;
  const int CB = (K + BN - 1) / BN;
  const int tiles = (M + TM - 1) / TM * CB;
  const int kc_per_tap = C / 64, ksteps = R * S * kc_per_tap;

  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < NST; ++s) {
      mbar_init(full0 + 8 * s, 1);
      mbar_init(empty0 + 8 * s, NCW * 128);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  __syncthreads();

  if (tid >= NCW * 128) {
    // Producer: one thread walks (tile, tap, 64-channel chunk) and fills the ring in that order.
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (tid == NCW * 128) {
      asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmX) : "memory");
      asm volatile("prefetch.tensormap [%0];\n" ::"l"(&tmW) : "memory");
      int u = 0;
      for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
        const int m0 = (t / CB) * TM, co0 = (t % CB) * BN;
        const int n = m0 / (P * Q), pq = m0 - n * P * Q, p = pq / Q, q = pq - p * Q;
        const int wb = q * stride - pad, hb = p * stride - pad;   // the window corner of the tile's first pixel
        for (int r = 0; r < R; ++r)
          for (int s = 0; s < S; ++s)
            for (int kc = 0; kc < kc_per_tap; ++kc, ++u) {
              const int st = u % NST;
              if (u >= NST) mbar_wait(empty0 + 8 * st, ((u / NST) - 1) & 1);
              const uint32_t full = full0 + 8 * st, dst = sStages + st * STAGE_BYTES;
              mbar_expect_tx(full, STAGE_BYTES);
              tma_load_im2col_4d(dst, &tmX, full, kc * 64, wb, hb, n, (uint16_t)s, (uint16_t)r);
              tma_load_2d(dst + A_BYTES, &tmW, full, (r * S + s) * C + kc * 64, co0);
            }
      }
    }
    return;
  }

  // Consumers.
  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
  const int cw = tid >> 7, wtid = tid & 127, wq = wtid >> 5, lane = tid & 31, g = lane >> 2, t4 = lane & 3;
  const uint32_t so = sStaging + cw * STAGING_BYTES;
  const bool relu_now = relu && residual == nullptr;
  float d[MI][BN / 2];
  int u = 0;
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    const int m0 = (t / CB) * TM, co0 = (t % CB) * BN;
    int prev = -1;
    for (int k = 0; k < ksteps; ++k, ++u) {
      const int st = u % NST;
      mbar_wait(full0 + 8 * st, (u / NST) & 1);
      const uint32_t sa = sStages + st * STAGE_BYTES + cw * (MI * 8192);
      const uint64_t db = wgmma_desc_sw128(sStages + st * STAGE_BYTES + A_BYTES);
      wgmma_fence();
      conv_wgmma_chunk<BN, MI>(d, sa, db, k != 0);
      wgmma_commit();
      if (prev >= 0) {
        wgmma_wait<1>();
        mbar_arrive(empty0 + 8 * prev);
      }
      prev = st;
    }
    wgmma_wait<0>();
    mbar_arrive(empty0 + 8 * prev);

    conv_epilogue_stage<BN, MI>(d, so, wq, g, t4, bias, co0, K, relu_now);
    i2c_named_sync(1 + cw);
    conv_epilogue_store<BN>(so, MI * 64, m0 + cw * MI * 64, M, co0, K, Y, ldy, residual, relu, wtid);
    i2c_named_sync(1 + cw);
  }
}

// ladder-ae: Ladder FP16 conv2d on sm_90a as a persistent, warp-specialised direct convolution over a halo tile
// ("padded-grid" implicit GEMM): stride 1, C % 64 == 0, K % 8 == 0, NHWC, FP32 accumulation.
//
// Same arguments and fused epilogue as ladder_conv.cu: Y[n,p,q,k] = relu?(conv(X, Wt) + bias[k] + residual[n,p,q,k]),
// X pixel stride ldx, Y / residual pixel stride ldy, weights Wt[K][ldw] with k = (r*S + s)*C + c (KRSC).
//
// Why: ladder_conv.cu gathers an im2col tile per filter tap, so a 3x3 conv moves every input pixel into shared
// memory 9 times and its 128-pixel tiles have a 9-step K loop between a pipeline fill and an epilogue. Here a tile is
// TP whole output rows of one image; the output pixels are numbered on the padded input grid (row width WP = W + 2*pad),
// so output pixel j reads input pixel j + r*WP + s of the halo for tap (r, s): every tap is the same shared tile at a
// shifted start address. The halo (TP + R - 1 rows of WP pixels, 64 channels) is gathered once per 64 input channels
// (cp.async, zero-filled padding), so each input pixel crosses into shared memory (TP + R - 1) / TP times.
//
// wgmma with the weights as M (64 output channels) and the pixels as N = NW (TP * WP rounded up to 8; output pixels
// in the WP - Q padding columns are computed and dropped). B (pixels) uses the no-swizzle K-major layout: pixel j,
// channel c at (c / 8) * PLANE + j * 16 + (c % 8) * 2, i.e. 8 x 8 core matrices of 128 contiguous bytes, N-direction
// core matrices 128 bytes apart (SBO), K-direction ones PLANE = HPX * 16 + 16 bytes apart (LBO); a shift by any
// number of pixels is a 16-byte multiple of the start address. A (weights) is resident in shared memory for the whole kernel: the
// R*S*(C/64) tiles of 64 channels x 64 k for this block's 64 output channels, 128-byte swizzled (as ladder_conv.cu).
//
// Blocks are persistent (MINB per SM): gridDim.x % CB == 0 (CB = ceil(K / 64) output-channel blocks), block b keeps output channels
// (b % CB) * 64 .. +63 and walks the spatial tiles (image, row block) b / CB, + gridDim.x / CB, ... One producer
// warpgroup gathers halo chunks (tile, 64 input channels) into an NST-stage ring (mbarriers full / empty); NCW consumer
// warpgroups take the tiles in turn (consumer i of a block: its tiles i, i + NCW, ...), so one consumer's epilogue
// overlaps the other's MMAs. Epilogue: bias (+ ReLU without residual) in FP32, FP16 into the tile's last stage (free
// after its MMAs), then 16-byte rows to Y (+ residual in FP32, ReLU); with a residual the sum is rounded twice.
//
// Configuration (-D): KNAME, WP (padded row width = W + 2*pad), TP (output rows per tile), CR, CS (filter R, S),
// NCW (consumer warpgroups), NST (stages), RINGS (1 or NCW, below), MINB (blocks per SM). Shared memory (dynamic): 1024 (alignment) +
// CR*CS*(C/64)*8192 (weights) + NST * 8 * (HPX * 16 + 16) (stages); org.ladderae.kernels.ConvConfig.sharedMemoryBytes.
#include "../gemm/ladder_gemm_common.cuh"
#include "../gemm/ladder_tma.cuh"
#include "ladder_wgmma_ss.cuh"
#include "ladder_conv_tma_common.cuh"

#ifndef KNAME
#define KNAME ladder_conv_halo
#endif
#ifndef WP
#define WP 58
#endif
#ifndef TP
#define TP 4
#endif
#ifndef CR
#define CR 3
#endif
#ifndef CS
#define CS 3
#endif
#ifndef NCW
#define NCW 2
#endif
#ifndef NST
#define NST 3
#endif
#ifndef MINB
#define MINB 1   // blocks per SM the registers are budgeted for (2: 128 registers a thread, for N <= 128)
#endif

#define NPIX (TP * WP)
#define NW ((NPIX + 7) / 8 * 8)
// Halo pixels read by the last tap of the last (padded) output pixel, rounded up to 8.
#define HPX ((NW + (CR - 1) * WP + (CS - 1) + 7) / 8 * 8)
#define HALO_ROWS (TP + CR - 1)
// K planes of a stage: 8 x HPX pixels x 16 bytes, each padded by 16 bytes so that the 8 planes of one pixel fall in
// 8 distinct bank groups (the producer writes a pixel's 8 chunks in one phase).
#define PLANE (HPX * 16 + 16)
#define STAGE_BYTES (8 * PLANE)
// Rings: 1 = all consumers share the NST stages (a consumer skips the other's chunks; its wait on a stage's "full"
// parity is only unambiguous when the previous fill of that stage has completed, which holds iff
// NST >= KC * (NCW - 1) + 1, KC = C / 64: ConvConfig checks it); NCW = one ring of NST / NCW stages per consumer.
#ifndef RINGS
#define RINGS 1
#endif
#define NSTR (NST / RINGS)
static_assert(RINGS == 1 || (RINGS == NCW && NST % NCW == 0), "RINGS: 1 (shared) or NCW (NST / NCW stages each)");
#define NTHREADS ((NCW + 1) * 128)
static_assert(NW <= 256, "pixels per tile (wgmma N) at most 256");
static_assert(NCW >= 1 && NCW <= 2 && NST >= 2, "1-2 consumer warpgroups, >= 2 stages");

LADDER_DEV void named_sync(int id, int n) { asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(n) : "memory"); }

// No-swizzle K-major descriptor: core matrices 8 rows x 16 B contiguous, K-direction stride lbo, N-direction 128 B.
LADDER_DEV uint64_t desc_noswizzle(uint32_t saddr, uint32_t lbo) {
  uint64_t d = 0;
  d |= (uint64_t)((saddr & 0x3FFFF) >> 4);
  d |= (uint64_t)((lbo & 0x3FFFF) >> 4) << 16;
  d |= (uint64_t)(128 >> 4) << 32;
  return d;
}

extern "C" __global__ void __launch_bounds__(NTHREADS, MINB)
KNAME(const uint8_t* __restrict__ Xb, const uint8_t* __restrict__ Wb, const uint8_t* __restrict__ XS,
      const uint8_t* __restrict__ WS, half* __restrict__ Y, const half* __restrict__ bias, const half* __restrict__ residual,
      int N, int C, int H, int W, int K, int R, int S, int stride, int pad, int P, int Q, int ldx, int ldy, int ldw, int relu) {
  (void)XS; (void)WS;
  // The geometry is compiled in; a launch with another one writes nothing (its NaN-poisoned check fails loudly).
  if (R != CR || S != CS || stride != 1 || W + 2 * pad != WP || Q != W + 2 * pad - CS + 1 || P != H + 2 * pad - CR + 1 || (C & 63) != 0 ||
      (K & 7) != 0)
    return;
  const half* X = reinterpret_cast<const half*>(Xb);
  const half* Wt = reinterpret_cast<const half*>(Wb);
  extern __shared__ __align__(1024) uint8_t smem[];
  uint8_t* sbase = smem + (((smem_u32(smem) + 1023u) & ~1023u) - smem_u32(smem));
  __shared__ __align__(8) uint64_t bars[2 * NST];
  const int KC = C >> 6;
  const uint32_t sW = smem_u32(sbase);
  const uint32_t sRing = sW + CR * CS * KC * 8192;
  const uint32_t full0 = smem_u32(bars), empty0 = full0 + 8 * NST;
  const int tid = threadIdx.x;
  const int CB = (K + 63) >> 6;
  const int cb = blockIdx.x % CB;
  const int co0 = cb * 64;
  const int PB = (P + TP - 1) / TP;
  const int NSP = N * PB;
  const int sp0 = blockIdx.x / CB, spStep = gridDim.x / CB;

  // Resident weights: tile (rs, kc) = 64 output channels x 64 k, rows of 128 bytes, 128-byte swizzle.
  {
    const int tiles = CR * CS * KC;
    for (int i = tid; i < tiles * 64 * 8; i += NTHREADS) {
      const int ch = i & 7, row = (i >> 3) & 63, t = i >> 9;
      const int rs = t / KC, kc = t - rs * KC;
      const bool ok = co0 + row < K;
      const half* src = Wt + (ok ? (size_t)(co0 + row) * ldw + rs * C + kc * 64 + ch * 8 : 0);
      cp_async16(sW + t * 8192 + swz128(row, ch), src, ok ? 16 : 0);
    }
    cp_async_commit();
  }
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < NST; ++s) {
      mbar_init(full0 + 8 * s, 128);
      mbar_init(empty0 + 8 * s, 128);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  cp_async_wait<0>();
  fence_proxy_async();
  __syncthreads();

  if (tid >= NCW * 128) {
    // Producer: halo chunk (tile, kc) -> the next stage of its ring. Each 8-thread phase copies one pixel's 128 bytes
    // (eight 16-byte chunks into the eight K planes, PLANE = 16 mod 128 apart: no bank conflict); a warp reads 4 whole
    // pixels. Thread ptid always copies chunk ptid % 8.
    const int ptid = tid - NCW * 128;
    const int c = ptid & 7, jq = ptid >> 3;
    int u0 = 0, u1 = 0;   // fills so far of ring 0 / ring 1
    int i = 0;
    for (int sp = sp0; sp < NSP; sp += spStep, ++i) {
      const int n = sp / PB, pb = sp - n * PB;
      const int h0 = pb * TP - pad;
      const int ring = RINGS == 1 ? 0 : i % RINGS;
      for (int kc = 0; kc < KC; ++kc) {
        const int u = ring ? u1++ : u0++;
        const int s = ring * NSTR + u % NSTR;
        if (u >= NSTR) mbar_wait(empty0 + 8 * s, ((u / NSTR) - 1) & 1);
        const uint32_t sb = sRing + s * STAGE_BYTES + c * PLANE;
        const half* xk = X + kc * 64 + c * 8;
#pragma unroll 2
        for (int j = jq; j < HPX; j += 16) {
          const int hr = j / WP, hc = j - hr * WP;
          const int h = h0 + hr, w = hc - pad;
          const bool ok = hr < HALO_ROWS && (unsigned)h < (unsigned)H && (unsigned)w < (unsigned)W;
          const half* src = ok ? xk + ((size_t)(n * H + h) * W + w) * ldx : X;
          cp_async16(sb + j * 16, src, ok ? 16 : 0);
        }
        asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(full0 + 8 * s) : "memory");
      }
    }
    cp_async_wait<0>();
    return;
  }

  // Consumers.
  const int cw = tid >> 7, wtid = tid & 127, wq = wtid >> 5, lane = tid & 31, g = lane >> 2, t = lane & 3;
  float d[NW / 2];
#pragma unroll
  for (int i = 0; i < NW / 2; ++i) d[i] = 0.f;
  // Bias of this thread's two output channels (rows wq*16 + g, + 8 of the wgmma tile).
  float b0 = 0.f, b1 = 0.f;
  {
    const int c0 = co0 + wq * 16 + g, c1 = c0 + 8;
    if (bias != nullptr) {
      if (c0 < K) b0 = __half2float(bias[c0]);
      if (c1 < K) b1 = __half2float(bias[c1]);
    }
  }
  const bool relu_now = relu && residual == nullptr;
  // u: this consumer's position in its ring (RINGS == NCW), or the block's position in the shared ring (RINGS == 1),
  // where the chunks of the other consumer's tiles are skipped (safe when NST >= KC * (NCW - 1) + 1: see above).
  int u = 0, i = 0;
  const int ring = RINGS == 1 ? 0 : cw;
  for (int sp = sp0; sp < NSP; sp += spStep, ++i) {
    if (i % NCW != cw) {
      if (RINGS == 1) u += KC;
      continue;
    }
    const int n = sp / PB, pb = sp - n * PB;
    int prev_s = -1;
    for (int kc = 0; kc < KC; ++kc, ++u) {
      const int s = ring * NSTR + u % NSTR;
      mbar_wait(full0 + 8 * s, (u / NSTR) & 1);
      fence_proxy_async();
      const uint32_t sb = sRing + s * STAGE_BYTES;
      wgmma_fence();
#pragma unroll
      for (int rs = 0; rs < CR * CS; ++rs) {
        const int r = rs / CS, q = rs - r * CS;
        const uint64_t da = wgmma_desc_sw128(sW + (rs * KC + kc) * 8192);
#pragma unroll
        for (int ks = 0; ks < 4; ++ks) {
          const uint64_t db = desc_noswizzle(sb + (r * WP + q) * 16 + ks * 2 * PLANE, PLANE);
          wgmma_ss<NW>(d, da + 2 * ks, db, (kc | rs | ks) != 0);
        }
      }
      wgmma_commit();
      if (prev_s >= 0) {
        wgmma_wait<1>();
        mbar_arrive(empty0 + 8 * prev_s);
      }
      prev_s = s;
    }
    wgmma_wait<0>();
    // Epilogue: FP16 tile [pixel j][64 channels] (16-byte chunk ^ (j & 7)) in the last stage of the tile.
    const uint32_t so = sRing + prev_s * STAGE_BYTES;
#pragma unroll
    for (int j = 0; j < NW / 8; ++j)
#pragma unroll
      for (int hh = 0; hh < 2; ++hh)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int px = j * 8 + 2 * t + e, co = wq * 16 + g + 8 * hh;
          float v = d[4 * j + 2 * hh + e] + (hh ? b1 : b0);
          if (relu_now) v = fmaxf(v, 0.f);
          const __half hv = __float2half_rn(v);
          asm volatile("st.shared.b16 [%0], %1;\n" ::"r"(so + px * 128 + (((co >> 3) ^ (px & 7)) << 4) + (co & 7) * 2),
                       "h"(*reinterpret_cast<const unsigned short*>(&hv)) : "memory");
        }
    named_sync(1 + cw, 128);
    for (int idx = wtid; idx < NPIX * 8; idx += 128) {
      const int px = idx >> 3, ch = idx & 7;
      const int pr = px / WP, q = px - pr * WP;
      const int p = pb * TP + pr, co = co0 + ch * 8;
      if (q >= Q || p >= P || co >= K) continue;
      uint4 v;
      asm volatile("ld.shared.v4.b32 {%0,%1,%2,%3}, [%4];\n" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                   : "r"(so + px * 128 + ((ch ^ (px & 7)) << 4)) : "memory");
      const size_t o = ((size_t)(n * P + p) * Q + q) * ldy + co;
      if (residual != nullptr) conv_residual_relu8(v, residual + o, relu);
      *reinterpret_cast<uint4*>(Y + o) = v;
    }
    named_sync(1 + cw, 128);
    mbar_arrive(empty0 + 8 * prev_s);
  }
}

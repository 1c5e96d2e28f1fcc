// ladder-ae: Ladder conv2d on tensor cores as an implicit GEMM (mma.sync + ldmatrix + cp.async), sm_80+.
//
// Y[N,P,Q,K] (NHWC, FP16) = conv2d(X[N,H,W,C] (NHWC), Wt[K][R][S][C]), dilation 1, groups 1.
// GEMM view: M = N*P*Q output pixels, N_gemm = K output channels, K_gemm = R*S*C with k = (r*S + s)*C + c.
// The A tile (BM output pixels x 64 K elements) is gathered straight from X by cp.async: since C % 64 == 0 a K tile
// lies inside one filter tap (r, s), so each row is one contiguous 64-channel run of one input pixel, or zero-filled
// (src-size 0) where the tap falls into the padding or the row is past M. Per-row pixel coordinates are computed once
// per block into a shared-memory table.
//
// Configuration (all by -D):
//   KNAME       kernel symbol (chosen by org.ladderae.kernels.ConvConfig)
//   CONV_FMT    0 = W_FP16  A_FP16   mma m16n8k16 f16, FP32 accumulation
//               1 = W_FP8   A_FP16   E5M2 weights in the FP8 fragment layout (below), decoded in registers (prmt)
//               2 = W_MXFP8 A_MXFP8  E5M2 elements of W and X + E8M0 exponents per 32 along K (W: XS[pixel][C/32],
//                                    WS[k][R*S*C/32]); each 32-block is an exact FP16 MMA into FP32 partials that are
//                                    scaled by 2^(ea-127) * 2^(ew-127) into the FP32 accumulators
//               3 = W_INT4  A_INT4   unsigned INT4 weights x signed INT4 activations (two per byte, element 0 low),
//                                    unpacked to s8 in registers, mma m16n8k32 s8, INT32 accumulation, FP16 output
//   BM, BN, WARPS_M, WARPS_N, STAGES, MIN_BLOCKS (blocks per SM the register budget is sized for)
//
// Byte tiles (FMT 1-3) are read with ldmatrix.b16 too: lane (g, t) gets bytes 4t..4t+3 of its row's 16-byte chunk.
// The MMA fragment wants k = {2t, 2t+1 | 2t+8, 2t+9} (f16) or {4t..4t+3 | 16+4t..16+4t+3} (s8), so those 4 bytes
// are used as exactly these k positions. The reduction order inside a 16/32-element chunk is thereby permuted the
// same way for both operands when both are byte tiles (FMT 2, 3: no layout change needed). For FMT 1 the FP16
// activations are in natural order, so the weights carry the permutation: within each 16-element group, byte 4t+j
// holds element {2t, 2t+1, 2t+8, 2t+9}[j] (ConvWeightLayout.fp8ForMma, applied offline).
//
// Shared memory rows are 128 / 64 / 32 bytes (8 / 4 / 2 chunks of 16 B) per 64 K elements, XOR-swizzled so that the
// 8 rows of one ldmatrix phase hit 8 distinct 16-byte bank groups.
#include "../gemm/ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_conv
#endif
#ifndef CONV_FMT
#define CONV_FMT 0
#endif
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 64
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
#ifndef MIN_BLOCKS
#define MIN_BLOCKS 1
#endif
#ifndef GROUP_M
#define GROUP_M 8
#endif

#define NTHREADS (WARPS_M * WARPS_N * 32)
#define WTM (BM / WARPS_M)
#define WTN (BN / WARPS_N)
#define MI (WTM / 16)
#define NI (WTN / 8)
#define BK 64

#if CONV_FMT == 0
#define A_BITS 16
#define W_BITS 16
#elif CONV_FMT == 1
#define A_BITS 16
#define W_BITS 8
#elif CONV_FMT == 2
#define A_BITS 8
#define W_BITS 8
#else
#define A_BITS 4
#define W_BITS 4
#endif
#define A_ROWB (BK * A_BITS / 8)
#define W_ROWB (BK * W_BITS / 8)
#define A_CH (A_ROWB / 16)
#define W_CH (W_ROWB / 16)
#define A_STAGE (BM * A_ROWB)
#define W_STAGE (BN * W_ROWB)
#if CONV_FMT == 2
#define SCALE_STAGE ((((BM + BN) * 2) + 127) / 128 * 128)
#else
#define SCALE_STAGE 0
#endif
#define STAGE_BYTES (A_STAGE + W_STAGE + SCALE_STAGE)
#define ROWTAB_BYTES (BM * 16)

static_assert(WTM % 16 == 0 && WTN % 16 == 0, "warp tile must be a multiple of 16x16");
static_assert(STAGES >= 2, "need >= 2 stages");
#if CONV_FMT >= 2
static_assert(MI % 2 == 0, "byte A tiles load two 16-row fragments per ldmatrix.x4");
#endif
#if CONV_FMT >= 1
static_assert(NI % 4 == 0, "byte W tiles load four 8-column fragments per ldmatrix.x4");
#endif

#if CONV_FMT == 3
typedef int acc_t;
#else
typedef float acc_t;
#endif

// Byte offset of 16-byte chunk c of row r in a tile of CH chunks per row (CH = 8, 4, 2).
template <int CH> LADDER_DEV uint32_t swz(int r, int c) {
  constexpr int SH = CH == 8 ? 0 : CH == 4 ? 1 : 2;
  return (uint32_t)(r * CH * 16 + ((c ^ ((r >> SH) & (CH - 1))) << 4));
}

// E5M2 bytes (b0..b3 of w) -> half2(b0, b1) and half2(b2, b3): the byte is the high byte of the half (exact).
LADDER_DEV uint32_t e5m2_lo(uint32_t w) { return __byte_perm(w, 0u, 0x1404); }
LADDER_DEV uint32_t e5m2_hi(uint32_t w) { return __byte_perm(w, 0u, 0x3424); }
// Nibbles n0..n7 of w -> s8x4 (n0, n2, n4, n6) and (n1, n3, n5, n7); signed: bit 3 replicated into the high nibble.
LADDER_DEV uint32_t u4_lo(uint32_t w) { return w & 0x0F0F0F0Fu; }
LADDER_DEV uint32_t u4_hi(uint32_t w) { return (w >> 4) & 0x0F0F0F0Fu; }
LADDER_DEV uint32_t s4_ext(uint32_t x) { return x | ((x & 0x08080808u) * 0x1Eu); }

struct ConvParams {
  int N, C, H, W, K, R, S, stride, pad, P, Q;
};

// Row table entry: pixel base n*H*W (-1 past M), top-left input coordinates of the receptive field.
struct RowInfo { int pix; int hb; int wb; int pad_; };

LADDER_DEV void load_stage(uint8_t* smem, int stage, int kt, const uint8_t* X, const uint8_t* Wt, const uint8_t* XS,
                           const uint8_t* WS, const ConvParams& p, int n0, int tid, const RowInfo* rows) {
  uint8_t* sA = smem + ROWTAB_BYTES + stage * STAGE_BYTES;
  uint8_t* sW = sA + A_STAGE;
  const int k0 = kt * BK;
  const int rs = k0 / p.C, c0 = k0 - rs * p.C;
  const int r = rs / p.S, s = rs - r * p.S;
#pragma unroll
  for (int i = tid; i < BM * A_CH; i += NTHREADS) {
    int row = i / A_CH, c = i % A_CH;
    RowInfo ri = rows[row];
    int h = ri.hb + r, w = ri.wb + s;
    bool ok = ri.pix >= 0 && (unsigned)h < (unsigned)p.H && (unsigned)w < (unsigned)p.W;
    size_t pix = ok ? (size_t)(ri.pix + h * p.W + w) : 0;
    const uint8_t* src = X + (pix * p.C + c0) * A_BITS / 8 + c * 16;
    cp_async16(smem_u32(sA + swz<A_CH>(row, c)), src, ok ? 16 : 0);
  }
  const size_t kg = (size_t)p.R * p.S * p.C;
#pragma unroll
  for (int i = tid; i < BN * W_CH; i += NTHREADS) {
    int row = i / W_CH, c = i % W_CH;
    const uint8_t* src = Wt + ((size_t)(n0 + row) * kg + k0) * W_BITS / 8 + c * 16;
    cp_async16(smem_u32(sW + swz<W_CH>(row, c)), src, 16);
  }
#if CONV_FMT == 2
  // The two exponents (32-blocks) of this K tile per row: 2 bytes, 2-byte aligned (C and k0 multiples of 64).
  uint16_t* sS = reinterpret_cast<uint16_t*>(sW + W_STAGE);
  for (int i = tid; i < BM + BN; i += NTHREADS) {
    uint16_t v;
    if (i < BM) {
      RowInfo ri = rows[i];
      int h = ri.hb + r, w = ri.wb + s;
      bool ok = ri.pix >= 0 && (unsigned)h < (unsigned)p.H && (unsigned)w < (unsigned)p.W;
      v = ok ? *reinterpret_cast<const uint16_t*>(XS + (size_t)(ri.pix + h * p.W + w) * (p.C / 32) + c0 / 32) : (uint16_t)0x7F7F;
    } else {
      v = *reinterpret_cast<const uint16_t*>(WS + (size_t)(n0 + i - BM) * (kg / 32) + k0 / 32);
    }
    sS[i] = v;
  }
#endif
}

extern "C" __global__ void __launch_bounds__(NTHREADS, MIN_BLOCKS)
KNAME(const uint8_t* __restrict__ X, const uint8_t* __restrict__ Wt, const uint8_t* __restrict__ XS,
      const uint8_t* __restrict__ WS, half* __restrict__ Y, int N, int C, int H, int W, int K, int R, int S, int stride,
      int pad, int P, int Q) {
  const ConvParams p{N, C, H, W, K, R, S, stride, pad, P, Q};
  extern __shared__ __align__(1024) uint8_t smem[];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  const int PQ = p.P * p.Q;
  const int M = p.N * PQ;
  const int num_m = (M + BM - 1) / BM, num_n = p.K / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles = p.R * p.S * p.C / BK;

  RowInfo* rows = reinterpret_cast<RowInfo*>(smem);
  for (int i = tid; i < BM; i += NTHREADS) {
    int m = m0 + i;
    RowInfo ri{-1, 0, 0, 0};
    if (m < M) {
      int n = m / PQ, pq = m - n * PQ;
      int oh = pq / p.Q, ow = pq - oh * p.Q;
      ri.pix = n * p.H * p.W;
      ri.hb = oh * p.stride - p.pad;
      ri.wb = ow * p.stride - p.pad;
    }
    rows[i] = ri;
  }
  __syncthreads();

  acc_t acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < ktiles) load_stage(smem, s, s, X, Wt, XS, WS, p, n0, tid, rows);
    cp_async_commit();
  }

  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    {  // prefetch tile kt + STAGES - 1 into the stage consumed at kt - 1 (every thread has passed the barrier)
      int nk = kt + STAGES - 1;
      if (nk < ktiles) load_stage(smem, nk % STAGES, nk, X, Wt, XS, WS, p, n0, tid, rows);
      cp_async_commit();
    }
    const uint8_t* sA = smem + ROWTAB_BYTES + (kt % STAGES) * STAGE_BYTES;
    const uint32_t sA_u = smem_u32(sA), sW_u = sA_u + A_STAGE;

#if CONV_FMT == 3
    constexpr int KSTEPS = 2;  // k32 per step, one 16-byte chunk of a 32-byte row
#else
    constexpr int KSTEPS = 4;  // k16 per step
#endif
#if CONV_FMT == 2
    float part[MI][NI][4];
#endif
#pragma unroll
    for (int ks = 0; ks < KSTEPS; ++ks) {
      uint32_t af[MI][4];
#if A_BITS == 16
#pragma unroll
      for (int i = 0; i < MI; ++i) {
        int r = wm * WTM + i * 16 + (lane & 15);
        ldmatrix_x4(af[i][0], af[i][1], af[i][2], af[i][3], sA_u + swz<8>(r, ks * 2 + (lane >> 4)));
      }
#else
#pragma unroll
      for (int i = 0; i < MI; i += 2) {
        uint32_t q0, q1, q2, q3;  // rows g, g+8 of fragment i, then of i + 1
        ldmatrix_x4(q0, q1, q2, q3, sA_u + swz<A_CH>(wm * WTM + i * 16 + lane, ks));
#if CONV_FMT == 2
        af[i][0] = e5m2_lo(q0); af[i][1] = e5m2_lo(q1); af[i][2] = e5m2_hi(q0); af[i][3] = e5m2_hi(q1);
        af[i + 1][0] = e5m2_lo(q2); af[i + 1][1] = e5m2_lo(q3); af[i + 1][2] = e5m2_hi(q2); af[i + 1][3] = e5m2_hi(q3);
#else
        af[i][0] = s4_ext(u4_lo(q0)); af[i][1] = s4_ext(u4_lo(q1)); af[i][2] = s4_ext(u4_hi(q0)); af[i][3] = s4_ext(u4_hi(q1));
        af[i + 1][0] = s4_ext(u4_lo(q2)); af[i + 1][1] = s4_ext(u4_lo(q3));
        af[i + 1][2] = s4_ext(u4_hi(q2)); af[i + 1][3] = s4_ext(u4_hi(q3));
#endif
      }
#endif
      uint32_t bf[NI][2];
#if W_BITS == 16
#pragma unroll
      for (int j = 0; j < NI / 2; ++j) {
        int r = wn * WTN + j * 16 + (lane & 7) + ((lane >> 4) << 3);
        int c = ks * 2 + ((lane >> 3) & 1);
        ldmatrix_x4(bf[2 * j][0], bf[2 * j][1], bf[2 * j + 1][0], bf[2 * j + 1][1], sW_u + swz<8>(r, c));
      }
#else
#pragma unroll
      for (int j = 0; j < NI; j += 4) {
        uint32_t q[4];  // column g of fragments j .. j+3
        ldmatrix_x4(q[0], q[1], q[2], q[3], sW_u + swz<W_CH>(wn * WTN + j * 8 + lane, ks));
#pragma unroll
        for (int u = 0; u < 4; ++u) {
#if W_BITS == 8
          bf[j + u][0] = e5m2_lo(q[u]);
          bf[j + u][1] = e5m2_hi(q[u]);
#else
          bf[j + u][0] = u4_lo(q[u]);
          bf[j + u][1] = u4_hi(q[u]);
#endif
        }
      }
#endif
#if CONV_FMT == 2
      if ((ks & 1) == 0) {
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NI; ++j)
#pragma unroll
            for (int r = 0; r < 4; ++r) part[i][j][r] = 0.f;
      }
#endif
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j) {
#if CONV_FMT == 3
          mma_s8_16832(acc[i][j], af[i], bf[j]);
#elif CONV_FMT == 2
          mma_f16_16816(part[i][j], af[i], bf[j]);
#else
          mma_f16_16816(acc[i][j], af[i], bf[j]);
#endif
        }
#if CONV_FMT == 2
      if (ks & 1) {  // end of a 32-block: scale the exact block product into the accumulators
        const uint8_t* sS = sA + A_STAGE + W_STAGE;
        const int blk = ks >> 1, g = lane >> 2, t = lane & 3;
        float sw[NI][2];
#pragma unroll
        for (int j = 0; j < NI; ++j)
#pragma unroll
          for (int e = 0; e < 2; ++e) sw[j][e] = e8m0_to_float(sS[2 * (BM + wn * WTN + j * 8 + 2 * t + e) + blk]);
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            float sa = e8m0_to_float(sS[2 * (wm * WTM + i * 16 + g + 8 * h) + blk]);
#pragma unroll
            for (int j = 0; j < NI; ++j)
#pragma unroll
              for (int e = 0; e < 2; ++e) acc[i][j][2 * h + e] = fmaf(part[i][j][2 * h + e], sa * sw[j][e], acc[i][j][2 * h + e]);
          }
      }
#endif
    }
  }
  cp_async_wait<0>();

  // Epilogue: fragment (i, j): c0,c1 at (row g, cols 2t, 2t+1), c2,c3 at row g+8; Y is [M][K] (NHWC).
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        int row = m0 + wm * WTM + i * 16 + g + h * 8;
        int col = n0 + wn * WTN + j * 8 + 2 * t;
        if (row < M) {
#if CONV_FMT == 3
          half2 v = __halves2half2(__int2half_rn(acc[i][j][2 * h]), __int2half_rn(acc[i][j][2 * h + 1]));
#else
          half2 v = __floats2half2_rn(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
#endif
          *reinterpret_cast<half2*>(Y + (size_t)row * p.K + col) = v;
        }
      }
}

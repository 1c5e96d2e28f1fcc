// ladder-ae: Ladder conv2d on tensor cores as an implicit GEMM (NHWC), sm_80+ (mma.sync) and sm_90a (wgmma).
//
// Y[N,P,Q,K] (NHWC, FP16) = epilogue(conv2d(X[N,H,W,C] (NHWC), Wt[K][R][S][C])), dilation 1, groups 1, where the
// fused epilogue is y = relu?(acc + bias[k] + residual[n,p,q,k]) (bias and residual optional: null pointers; the
// executor folds batch-norm into the weights and the bias).
// GEMM view: M = N*P*Q output pixels, N_gemm = K output channels, K_gemm = R*S*C with k = (r*S + s)*C + c.
// Pixel strides: X pixel i starts at X + i*ldx elements, Y / residual pixel i at Y + i*ldy (ldx >= C, ldy >= K), so
// a conv can read a channel slice of a wider tensor and write into one (ShuffleNet's split and concat).
// Weight rows are ldw elements apart (ldw = R*S*C rounded up to 64, zero-padded: ConvWeightLayout.rowLength).
//
// The A tile (BM output pixels x 64 K elements) is gathered straight from X by cp.async into shared memory; each
// thread always copies the same column of the tile, so it decodes its filter tap (r, s, c) once per K tile. Copies
// are A_VEC elements wide (8: 16 B, 4: 8 B, 2: 4 B; 1: a plain 2-byte load, for C = 3): the largest that divides C
// and ldx, so one copy never straddles two taps. Taps in the padding, rows past M and k >= R*S*C are zero-filled.
// Weight rows past K are zero-filled and output columns past K not stored, so K needs no multiple of the tile.
// Per-row pixel coordinates are computed once per block into a shared-memory table.
//
// Configuration (all by -D):
//   KNAME       kernel symbol (chosen by org.ladderae.kernels.ConvConfig)
//   CONV_FMT    0 = W_FP16  A_FP16   mma m16n8k16 f16 (or wgmma m64nBNk16 with CONV_WGMMA), FP32 accumulation
//               1 = W_FP8   A_FP16   E5M2 weights in the FP8 fragment layout (below), decoded in registers (prmt);
//                                    FP16 activations gathered as in format 0 (any C, A_VEC wide), weight rows padded
//               2 = W_MXFP8 A_MXFP8  E5M2 elements of W and X + E8M0 exponents per 32 along K (W: XS[pixel][C/32],
//                                    WS[k][R*S*C/32]); each 32-block is an exact FP16 MMA into FP32 partials that are
//                                    scaled by 2^(ea-127) * 2^(ew-127) into the FP32 accumulators
//               3 = W_INT4  A_INT4   unsigned INT4 weights x signed INT4 activations (two per byte, element 0 low),
//                                    unpacked to s8 in registers, mma m16n8k32 s8, INT32 accumulation, FP16 output
//               4 = W_INT1  A_INT4   1-bit weight codes (8 per byte along K, element 0 in bit 0) x signed INT4
//                                    activations: each K tile's codes are expanded while staged into an INT4 tile
//                                    (code 1 -> +1, code 0 -> -1: the binary weight sign(w)), then the format 3 path
//               Formats 3-4: with XS / WS non-null, y = acc * XS[0] (FP32 activation scale, per tensor) * WS[k] (FP32
//               weight scale per output channel) before bias / residual / ReLU; null pointers mean scale 1.
//               Formats 2-4 need C % 64 == 0 (a K tile inside one tap) and ldx == C.
//   BM, BN, WARPS_M, WARPS_N, STAGES, MIN_BLOCKS (blocks per SM the register budget is sized for)
//   A_VEC       FP16 gather width in elements (8, 4, 2, 1)
//   CONV_WGMMA  1: FP16 on sm_90a warpgroup MMA. WARPS_M = 4 * warpgroups (each one m64 x BN), WARPS_N = 1,
//               BN in {64, 128, 256}; both tiles are K-major with the 128-byte swizzle the descriptors name.
//               2: the same with pixels as wgmma's N (weights m64 x pixels n = BM / (WARPS_M / 4)): WARPS_M / 4
//               warpgroups along pixels, WARPS_N along channels (BN = 64 * WARPS_N).
//
// Byte tiles (FMT 1-3) are read with ldmatrix.b16 too: lane (g, t) gets bytes 4t..4t+3 of its row's 16-byte chunk.
// The MMA fragment wants k = {2t, 2t+1 | 2t+8, 2t+9} (f16) or {4t..4t+3 | 16+4t..16+4t+3} (s8), so those 4 bytes
// are used as exactly these k positions. The reduction order inside a 16/32-element chunk is thereby permuted the
// same way for both operands when both are byte tiles (FMT 2, 3: no layout change needed). For FMT 1 the FP16
// activations are in natural order, so the weights carry the permutation: within each 16-element group, byte 4t+j
// holds element {2t, 2t+1, 2t+8, 2t+9}[j] (ConvWeightLayout.fp8ForMma, applied offline).
//
// Shared memory rows are 128 / 64 / 32 bytes (8 / 4 / 2 chunks of 16 B) per 64 K elements, XOR-swizzled so that the
// 8 rows of one ldmatrix phase hit 8 distinct 16-byte bank groups; for 128-byte rows this is exactly the 128-byte
// swizzle of wgmma descriptors (stages start 1024-byte aligned).
#include "../gemm/ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_conv
#endif
#ifndef CONV_FMT
#define CONV_FMT 0
#endif
#ifndef CONV_WGMMA
#define CONV_WGMMA 0
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
#ifndef A_VEC
#define A_VEC 8
#endif
#ifndef CONV_WS
#define CONV_WS 0
#endif

#define NTHREADS (WARPS_M * WARPS_N * 32)
// Threads of a block: the MMA warps, plus one producer warpgroup with CONV_WS.
#define NT_ALL (NTHREADS + (CONV_WS ? 128 : 0))
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
#define W_BITS 4  // the shared-memory tile; format 4 stores 1 bit per weight in global memory
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

#if CONV_WGMMA == 1
static_assert(CONV_FMT == 0, "the wgmma path is FP16 only");
static_assert(WARPS_N == 1 && BM == 16 * WARPS_M && WARPS_M % 4 == 0, "wgmma: one m64 tile per warpgroup");
static_assert(BN == 64 || BN == 128 || BN == 256, "wgmma: BN in {64, 128, 256}");
static_assert(STAGES >= 3, "wgmma pipeline needs >= 3 stages");
#define WG_N BN
#define EP_LD (BN + 8)
#elif CONV_WGMMA == 2
// Pixels as the wgmma N: each warpgroup computes 64 output channels (the weights are wgmma's A, m64) x WG_PX
// pixels (wgmma's B, n = WG_PX), so a wgmma reads 2 KB of weights + WG_PX * 32 B of pixels from shared memory
// for 64 * WG_PX * 16 MACs: for K = 64 layers a far better ratio than 64-row pixel tiles x 64 channels.
// Warpgroups: WARPS_M / 4 along pixels, WARPS_N along channels.
static_assert(CONV_FMT == 0, "the wgmma path is FP16 only");
static_assert(WARPS_M % 4 == 0 && BN == 64 * WARPS_N, "pixel-N wgmma: 64 channels per warpgroup");
#define WG_PX (BM / (WARPS_M / 4))
static_assert(WG_PX == 64 || WG_PX == 128 || WG_PX == 256, "pixel-N wgmma: 64, 128 or 256 pixels per warpgroup");
static_assert(STAGES >= 3, "wgmma pipeline needs >= 3 stages");
#define WG_N WG_PX
#define EP_LD (BN + 4)
#else
static_assert(WTM % 16 == 0 && WTN % 16 == 0, "warp tile must be a multiple of 16x16");
static_assert(STAGES >= 2, "need >= 2 stages");
#endif
#if CONV_WS
static_assert(CONV_WGMMA != 0 && A_VEC >= 2, "warp specialisation: wgmma paths, cp.async gathers (A_VEC >= 2)");
#endif
#if CONV_WGMMA
static_assert(BM * EP_LD * 4 <= STAGES * STAGE_BYTES, "wgmma: the FP32 output tile must fit in the pipeline stages");
#endif
static_assert(A_VEC == 8 || A_VEC == 4 || A_VEC == 2 || A_VEC == 1, "A_VEC in {8, 4, 2, 1}");
static_assert(NTHREADS % (BK / A_VEC) == 0, "each thread gathers one fixed column of the A tile");
#if CONV_FMT >= 2
static_assert(MI % 2 == 0, "byte A tiles load two 16-row fragments per ldmatrix.x4");
#endif
#if CONV_FMT >= 1
static_assert(NI % 4 == 0, "byte W tiles load four 8-column fragments per ldmatrix.x4");
#endif

#if CONV_FMT >= 3
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
// Bits b0..b7 of the low byte of b -> nibbles n0..n7 (n_i = b_i ? 1 : 0xF, i.e. INT4 +1 / -1): spread each bit
// into its nibble (x_i in {0, 1}), then 0xF ^ (0xE * x_i) per nibble (no carries: each nibble product is 0 or 0xE).
LADDER_DEV uint32_t bits_to_pm1_nibbles(uint32_t b) {
  uint32_t x = b & 0xFFu;
  x = (x | (x << 12)) & 0x000F000Fu;
  x = (x | (x << 6)) & 0x03030303u;
  x = (x | (x << 3)) & 0x11111111u;
  return 0xFFFFFFFFu ^ (x * 0xEu);
}
// Nibbles n0..n7 of w -> s8x4 (n0, n2, n4, n6) and (n1, n3, n5, n7); signed: bit 3 replicated into the high nibble.
LADDER_DEV uint32_t u4_lo(uint32_t w) { return w & 0x0F0F0F0Fu; }
LADDER_DEV uint32_t u4_hi(uint32_t w) { return (w >> 4) & 0x0F0F0F0Fu; }
LADDER_DEV uint32_t s4_ext(uint32_t x) { return x | ((x & 0x08080808u) * 0x1Eu); }


LADDER_DEV void cp_async8(uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}
LADDER_DEV void cp_async4(uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes));
}

struct ConvParams {
  int N, C, H, W, K, R, S, stride, pad, P, Q, ldx, ldy, ldw, gemmK;
};

// Row table entry: pixel base n*H*W (-1 past M), top-left input coordinates of the receptive field.
struct RowInfo { int pix; int hb; int wb; int pad_; };

#if CONV_FMT <= 1
// FP16 activations: any C (A_VEC | C, A_VEC | ldx); the thread's column, hence its tap, is the same for every row it copies.
template <int NT>
LADDER_DEV void load_stage_t(uint8_t* stage_ptr, int kt, const uint8_t* Xb, const uint8_t* Wb, const ConvParams& p, int n0, int tid,
                             const RowInfo* rows) {
  const half* X = reinterpret_cast<const half*>(Xb);
  const uint32_t sA = smem_u32(stage_ptr), sW = sA + A_STAGE;
  constexpr int COLS = BK / A_VEC;
  const int col = tid % COLS;
  const int kk = kt * BK + col * A_VEC;
  const bool kok = kk < p.gemmK;
  const int rs = kk / p.C, cc = kk - rs * p.C;
  const int r = rs / p.S, s = rs - r * p.S;
  const int chunk = (col * A_VEC) >> 3, inchunk = ((col * A_VEC) & 7) * 2;
#pragma unroll 4
  for (int row = tid / COLS; row < BM; row += NT / COLS) {
    const RowInfo ri = rows[row];
    const int h = ri.hb + r, w = ri.wb + s;
    const bool ok = kok && ri.pix >= 0 && (unsigned)h < (unsigned)p.H && (unsigned)w < (unsigned)p.W;
    const half* src = X + (ok ? (size_t)(ri.pix + h * p.W + w) * p.ldx + cc : 0);
    const uint32_t dst = sA + swz<8>(row, chunk) + inchunk;
#if A_VEC == 8
    cp_async16(dst, src, ok ? 16 : 0);
#elif A_VEC == 4
    cp_async8(dst, src, ok ? 8 : 0);
#elif A_VEC == 2
    cp_async4(dst, src, ok ? 4 : 0);
#else
    const unsigned short v = ok ? __ldg(reinterpret_cast<const unsigned short*>(src)) : (unsigned short)0;
    asm volatile("st.shared.u16 [%0], %1;\n" ::"r"(dst), "h"(v));
#endif
  }
#if W_BITS == 16
  const half* Wt = reinterpret_cast<const half*>(Wb);
  const int wc = tid & 7;
#pragma unroll
  for (int row = tid >> 3; row < BN; row += NT / 8) {
    const bool ok = n0 + row < p.K;
    const half* src = Wt + (ok ? (size_t)(n0 + row) * p.ldw + kt * BK + wc * 8 : 0);
    cp_async16(sW + swz<8>(row, wc), src, ok ? 16 : 0);
  }
#else
  // FP8 weights (format 1): rows of ldw bytes (zero-padded to the K tile), 64-byte tile rows.
#pragma unroll
  for (int i = tid; i < BN * W_CH; i += NT) {
    const int row = i / W_CH, c = i % W_CH;
    const bool ok = n0 + row < p.K;
    const uint8_t* src = Wb + (ok ? ((size_t)(n0 + row) * p.ldw + kt * BK) * W_BITS / 8 + c * 16 : 0);
    cp_async16(sW + swz<W_CH>(row, c), src, ok ? 16 : 0);
  }
#endif
}
// Every thread of the block gathers (all but the warp-specialised kernel).
LADDER_DEV void load_stage(uint8_t* stage_ptr, int kt, const uint8_t* Xb, const uint8_t* Wb, const uint8_t*, const uint8_t*,
                           const ConvParams& p, int n0, int tid, const RowInfo* rows) {
  load_stage_t<NTHREADS>(stage_ptr, kt, Xb, Wb, p, n0, tid, rows);
}
#else
// Byte formats: C % 64 == 0, so a K tile lies inside one filter tap.
LADDER_DEV void load_stage(uint8_t* stage_ptr, int kt, const uint8_t* X, const uint8_t* Wt, const uint8_t* XS,
                           const uint8_t* WS, const ConvParams& p, int n0, int tid, const RowInfo* rows) {
  uint8_t* sA = stage_ptr;
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
#if CONV_FMT == 4
  // 1-bit codes: 32 of them (one aligned 4-byte word, rows of ldw / 8 bytes) expand to one 16-byte INT4 chunk, so the
  // tile is exactly a format 3 tile of +-1 values. A plain load + st.shared (no cp.async): the codes are 1/4 of
  // the tile's bytes; rows past K are stored as zeros.
#pragma unroll
  for (int i = tid; i < BN * W_CH; i += NTHREADS) {
    int row = i / W_CH, c = i % W_CH;
    uint4 v = make_uint4(0u, 0u, 0u, 0u);
    if (n0 + row < p.K) {
      const uint32_t b = __ldg(reinterpret_cast<const uint32_t*>(Wt + ((size_t)(n0 + row) * p.ldw + k0) / 8) + c);
      v = make_uint4(bits_to_pm1_nibbles(b), bits_to_pm1_nibbles(b >> 8), bits_to_pm1_nibbles(b >> 16), bits_to_pm1_nibbles(b >> 24));
    }
    *reinterpret_cast<uint4*>(sW + swz<W_CH>(row, c)) = v;
  }
#else
#pragma unroll
  for (int i = tid; i < BN * W_CH; i += NTHREADS) {
    int row = i / W_CH, c = i % W_CH;
    bool ok = n0 + row < p.K;
    const uint8_t* src = Wt + (ok ? ((size_t)(n0 + row) * p.ldw + k0) * W_BITS / 8 + c * 16 : 0);
    cp_async16(smem_u32(sW + swz<W_CH>(row, c)), src, ok ? 16 : 0);
  }
#endif
#if CONV_FMT == 2
  // The two exponents (32-blocks) of this K tile per row: 2 bytes, 2-byte aligned (C and k0 multiples of 64).
  const size_t kg = (size_t)p.gemmK;
  uint16_t* sS = reinterpret_cast<uint16_t*>(sW + W_STAGE);
  for (int i = tid; i < BM + BN; i += NTHREADS) {
    uint16_t v;
    if (i < BM) {
      RowInfo ri = rows[i];
      int h = ri.hb + r, w = ri.wb + s;
      bool ok = ri.pix >= 0 && (unsigned)h < (unsigned)p.H && (unsigned)w < (unsigned)p.W;
      v = ok ? *reinterpret_cast<const uint16_t*>(XS + (size_t)(ri.pix + h * p.W + w) * (p.C / 32) + c0 / 32) : (uint16_t)0x7F7F;
    } else {
      v = n0 + i - BM < p.K ? *reinterpret_cast<const uint16_t*>(WS + (size_t)(n0 + i - BM) * (kg / 32) + k0 / 32) : (uint16_t)0x7F7F;
    }
    sS[i] = v;
  }
#endif
}
#endif

// Fused epilogue of two adjacent outputs (row, col), (row, col + 1); col is even.
LADDER_DEV void store_pair(half* __restrict__ Y, const half* __restrict__ bias, const half* __restrict__ res, const ConvParams& p,
                           int M, int relu, bool vec2, int row, int col, float v0, float v1) {
  if (row >= M || col >= p.K) return;
  const bool two = col + 1 < p.K;
  if (bias != nullptr) {
    v0 += __half2float(bias[col]);
    if (two) v1 += __half2float(bias[col + 1]);
  }
  const size_t o = (size_t)row * p.ldy + col;
  if (res != nullptr) {
    v0 += __half2float(res[o]);
    if (two) v1 += __half2float(res[o + 1]);
  }
  if (relu) {
    v0 = fmaxf(v0, 0.f);
    v1 = fmaxf(v1, 0.f);
  }
  if (two && vec2) {
    *reinterpret_cast<half2*>(Y + o) = __floats2half2_rn(v0, v1);
  } else {
    Y[o] = __float2half_rn(v0);
    if (two) Y[o + 1] = __float2half_rn(v1);
  }
}

// Fused epilogue of one output (pixel row, channel col): the pixel-N wgmma path, whose threads hold channels g, g + 8.
LADDER_DEV void store_one(half* __restrict__ Y, const half* __restrict__ bias, const half* __restrict__ res, const ConvParams& p,
                          int M, int relu, int row, int col, float v) {
  if (row >= M || col >= p.K) return;
  if (bias != nullptr) v += __half2float(bias[col]);
  const size_t o = (size_t)row * p.ldy + col;
  if (res != nullptr) v += __half2float(res[o]);
  if (relu) v = fmaxf(v, 0.f);
  Y[o] = __float2half_rn(v);
}

// Split-K (FP16 only; chosen at launch time, same cubin): gridDim.y > 1 splits the K tiles into gridDim.y
// contiguous ranges; split z writes its raw FP32 partial sums to WS_F32[z][M][K] (the XS pointer slot, unused by
// FP16) and ladder_conv_splitk_reduce sums the splits in a fixed order and applies the fused epilogue. For batch-1
// layers whose output tiles cannot fill the SMs (stage 3-4 convs: 2-16 tiles for 132 SMs, K loops up to 72 tiles).
LADDER_DEV void store_partial(float* __restrict__ ws, int M, int K, int row, int col, float v) {
  if (row < M && col < K) ws[((size_t)blockIdx.y * M + row) * K + col] = v;
}

// The epilogue of four adjacent channels col..col+3 of pixel row (vec4: col + 3 < K, Y / residual 8-byte aligned).
LADDER_DEV void store_quad(half* __restrict__ Y, const half* __restrict__ bias, const half* __restrict__ res, const ConvParams& p,
                           int relu, bool vec4, int row, int col, float4 v) {
  float a[4] = {v.x, v.y, v.z, v.w};
  const size_t o = (size_t)row * p.ldy + col;
  if (vec4 && col + 3 < p.K) {
    if (bias != nullptr) {
      const uint2 b = __ldg(reinterpret_cast<const uint2*>(bias + col));
      const float2 b0 = __half22float2(*reinterpret_cast<const half2*>(&b.x)), b1 = __half22float2(*reinterpret_cast<const half2*>(&b.y));
      a[0] += b0.x; a[1] += b0.y; a[2] += b1.x; a[3] += b1.y;
    }
    if (res != nullptr) {
      const uint2 r = *reinterpret_cast<const uint2*>(res + o);
      const float2 r0 = __half22float2(*reinterpret_cast<const half2*>(&r.x)), r1 = __half22float2(*reinterpret_cast<const half2*>(&r.y));
      a[0] += r0.x; a[1] += r0.y; a[2] += r1.x; a[3] += r1.y;
    }
    if (relu) {
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = fmaxf(a[i], 0.f);
    }
    half2 h0 = __floats2half2_rn(a[0], a[1]), h1 = __floats2half2_rn(a[2], a[3]);
    uint2 out;
    out.x = *reinterpret_cast<uint32_t*>(&h0);
    out.y = *reinterpret_cast<uint32_t*>(&h1);
    *reinterpret_cast<uint2*>(Y + o) = out;
  } else {
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      if (col + i >= p.K) break;
      float x = a[i];
      if (bias != nullptr) x += __half2float(bias[col + i]);
      if (res != nullptr) x += __half2float(res[o + i]);
      if (relu) x = fmaxf(x, 0.f);
      Y[o + i] = __float2half_rn(x);
    }
  }
}

// Sums the split-K partials WS_F32[splits][M][K] in split order and applies the epilogue; four channels per thread.
extern "C" __global__ void __launch_bounds__(256)
ladder_conv_splitk_reduce(const float* __restrict__ ws, int splits, int M, int K, half* __restrict__ Y, const half* __restrict__ bias,
                          const half* __restrict__ residual, int ldy, int relu) {
  const int kq = (K + 3) / 4;
  const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= (long long)M * kq) return;
  const int row = (int)(i / kq), col = (int)(i - (long long)row * kq) * 4;
  const bool aligned = (K & 3) == 0;
  float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
  for (int z = 0; z < splits; ++z) {
    const float* src = ws + ((size_t)z * M + row) * K + col;
    if (aligned) {
      const float4 t = __ldg(reinterpret_cast<const float4*>(src));
      v.x += t.x; v.y += t.y; v.z += t.z; v.w += t.w;
    } else {
      v.x += src[0];
      if (col + 1 < K) v.y += src[1];
      if (col + 2 < K) v.z += src[2];
      if (col + 3 < K) v.w += src[3];
    }
  }
  ConvParams p{};
  p.K = K;
  p.ldy = ldy;
  const bool vec4 = (ldy & 3) == 0 && (reinterpret_cast<uintptr_t>(Y) & 7) == 0 && (residual == nullptr || (reinterpret_cast<uintptr_t>(residual) & 7) == 0) &&
                    (bias == nullptr || (reinterpret_cast<uintptr_t>(bias) & 7) == 0);
  store_quad(Y, bias, residual, p, relu, vec4, row, col, v);
}

LADDER_DEV void mbar_init(uint32_t bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
LADDER_DEV void mbar_arrive(uint32_t bar) { asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory"); }
LADDER_DEV void mbar_wait(uint32_t bar, uint32_t parity) {
  uint32_t done;
  do {
    asm volatile("{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done) : "r"(bar), "r"(parity) : "memory");
  } while (!done);
}

#if CONV_WGMMA
#define WG_D4(i) "+f"(d[i]), "+f"(d[(i) + 1]), "+f"(d[(i) + 2]), "+f"(d[(i) + 3])
#define WG_D16(i) WG_D4(i), WG_D4((i) + 4), WG_D4((i) + 8), WG_D4((i) + 12)
#define WG_D32(i) WG_D16(i), WG_D16((i) + 16)
#define WG_D64(i) WG_D32(i), WG_D32((i) + 32)
#define WG_REGS32 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31}"
#define WG_REGS64 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}"
#define WG_REGS128 "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127}"
// d += A(64 x 16, K-major, 128-byte swizzle) * B(WG_N x 16, K-major, 128-byte swizzle)^T; scale-d 1, no transposes.
LADDER_DEV void wgmma_tile(float* d, uint64_t da, uint64_t db) {
#if WG_N == 64
  asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"
               "wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 " WG_REGS32 ", %32, %33, p, 1, 1, 0, 0;\n}\n"
               : WG_D32(0) : "l"(da), "l"(db), "r"(1));
#elif WG_N == 128
  asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
               "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 " WG_REGS64 ", %64, %65, p, 1, 1, 0, 0;\n}\n"
               : WG_D64(0) : "l"(da), "l"(db), "r"(1));
#else
  asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
               "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 " WG_REGS128 ", %128, %129, p, 1, 1, 0, 0;\n}\n"
               : WG_D64(0), WG_D64(64) : "l"(da), "l"(db), "r"(1));
#endif
}
#endif

// Dynamic shared memory: 1024 (alignment) + STAGES * STAGE_BYTES + BM * 16 (row table); ConvConfig.sharedMemoryBytes.
extern "C" __global__ void __launch_bounds__(NT_ALL, MIN_BLOCKS)
KNAME(const uint8_t* __restrict__ X, const uint8_t* __restrict__ Wt, const uint8_t* __restrict__ XS,
      const uint8_t* __restrict__ WS, half* __restrict__ Y, const half* __restrict__ bias, const half* __restrict__ residual,
      int N, int C, int H, int W, int K, int R, int S, int stride, int pad, int P, int Q, int ldx, int ldy, int ldw, int relu) {
  const ConvParams p{N, C, H, W, K, R, S, stride, pad, P, Q, ldx, ldy, ldw, R * S * C};
  extern __shared__ __align__(1024) uint8_t smem[];
  uint8_t* sbase = smem + (((smem_u32(smem) + 1023u) & ~1023u) - smem_u32(smem));
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int PQ = p.P * p.Q;
  const int M = p.N * PQ;
  const int num_m = (M + BM - 1) / BM, num_n = (p.K + BN - 1) / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int ktiles_all = (p.gemmK + BK - 1) / BK;
#if CONV_FMT == 0
  // Split-K: this block's K tiles are kbeg .. kbeg + ktiles - 1 (all of them without a split).
  float* const ws = gridDim.y > 1 ? reinterpret_cast<float*>(const_cast<uint8_t*>(XS)) : nullptr;
  const int kper = (ktiles_all + (int)gridDim.y - 1) / (int)gridDim.y;
  const int kbeg = min(ktiles_all, (int)blockIdx.y * kper);
  const int ktiles = min(kper, ktiles_all - kbeg);
#else
  float* const ws = nullptr;
  const int kbeg = 0, ktiles = ktiles_all;
#endif
  const bool vec2 = (p.ldy & 1) == 0 && (reinterpret_cast<uintptr_t>(Y) & 3) == 0;

  RowInfo* rows = reinterpret_cast<RowInfo*>(sbase + STAGES * STAGE_BYTES);
  for (int i = tid; i < BM; i += NT_ALL) {
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
  const int g = lane >> 2, t = lane & 3;

#if CONV_WGMMA
  const int wg = warp >> 2, wq = warp & 3;
#if CONV_WGMMA == 2
  const int wgm = wg % (WARPS_M / 4), wgn = wg / (WARPS_M / 4);
#endif
  float d[WG_N / 2];
#pragma unroll
  for (int i = 0; i < WG_N / 2; ++i) d[i] = 0.f;
#if CONV_WS
  // Warp specialisation: the last warpgroup gathers stage after stage (cp.async, each thread arriving on the
  // stage's "full" mbarrier when its copies land: cp.async.mbarrier.arrive.noinc), the MMA warpgroups wait on
  // "full", run the stage's wgmma and, once it has retired (wgmma_wait<1> one tile later), arrive on "empty"
  // (one arrive per MMA warp), which the producer waits for before refilling the stage. No block-wide barrier
  // in the main loop: the gather of tiles kt+1 .. kt+STAGES-1 overlaps the wgmma of tile kt.
  __shared__ __align__(8) uint64_t bars[2 * STAGES];
  const uint32_t full0 = smem_u32(bars), empty0 = full0 + 8 * STAGES;
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(full0 + 8 * s, 128);
      mbar_init(empty0 + 8 * s, NTHREADS / 32);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }
  __syncthreads();
  if (tid >= NTHREADS) {
    const int ptid = tid - NTHREADS;
    for (int kt = 0; kt < ktiles; ++kt) {
      const int s = kt % STAGES;
      if (kt >= STAGES) mbar_wait(empty0 + 8 * s, ((kt / STAGES) - 1) & 1);
      load_stage_t<128>(sbase + s * STAGE_BYTES, kbeg + kt, X, Wt, p, n0, ptid, rows);
      asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(full0 + 8 * s) : "memory");
    }
  } else {
    for (int kt = 0; kt < ktiles; ++kt) {
      const int s = kt % STAGES;
      mbar_wait(full0 + 8 * s, (kt / STAGES) & 1);
      fence_proxy_async();  // the producer's cp.async writes (generic proxy), acquired through the mbarrier -> wgmma
      const uint32_t st = smem_u32(sbase + s * STAGE_BYTES);
#if CONV_WGMMA == 1
      const uint64_t da = wgmma_desc_sw128(st + wg * 64 * 128), db = wgmma_desc_sw128(st + A_STAGE);
#else
      const uint64_t da = wgmma_desc_sw128(st + A_STAGE + wgn * 64 * 128), db = wgmma_desc_sw128(st + wgm * WG_PX * 128);
#endif
      wgmma_fence();
#pragma unroll
      for (int ks = 0; ks < 4; ++ks) wgmma_tile(d, da + 2 * ks, db + 2 * ks);
      wgmma_commit();
      wgmma_wait<1>();
      if (kt > 0 && lane == 0) mbar_arrive(empty0 + 8 * ((kt - 1) % STAGES));
    }
  }
#else
#pragma unroll
  for (int s = 0; s < STAGES - 2; ++s) {
    if (s < ktiles) load_stage(sbase + s * STAGE_BYTES, kbeg + s, X, Wt, XS, WS, p, n0, tid, rows);
    cp_async_commit();
  }
  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 3>();
    fence_proxy_async();  // this thread's cp.async / st.shared writes -> visible to the async proxy (wgmma)
    __syncthreads();      // ... of every thread; and every warpgroup finished the wgmma of tile kt - 2
    {
      int nk = kt + STAGES - 2;  // its stage was read by tile kt - 2, complete (wgmma_wait<1> below) before the barrier
      if (nk < ktiles) load_stage(sbase + (nk % STAGES) * STAGE_BYTES, kbeg + nk, X, Wt, XS, WS, p, n0, tid, rows);
      cp_async_commit();
    }
    const uint32_t st = smem_u32(sbase + (kt % STAGES) * STAGE_BYTES);
#if CONV_WGMMA == 1
    const uint64_t da = wgmma_desc_sw128(st + wg * 64 * 128), db = wgmma_desc_sw128(st + A_STAGE);
#else
    const uint64_t da = wgmma_desc_sw128(st + A_STAGE + wgn * 64 * 128), db = wgmma_desc_sw128(st + wgm * WG_PX * 128);
#endif
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < 4; ++ks) wgmma_tile(d, da + 2 * ks, db + 2 * ks);  // +32 bytes per K step
    wgmma_commit();
    wgmma_wait<1>();
  }
#endif
  wgmma_wait<0>();
  cp_async_wait<0>();
  // Epilogue through shared memory: the FP32 tile goes to the (now idle) pipeline stages, then each thread reads
  // four adjacent channels of one pixel and writes them with one 8-byte store (bias and residual 8-byte loads),
  // so a warp writes whole 128-byte pixel rows instead of the fragments' scattered 2- and 4-byte stores.
  __syncthreads();  // every warpgroup's wgmma has finished reading the stages
  float* const ep = reinterpret_cast<float*>(sbase);
  if (tid < NTHREADS) {  // the MMA warps (not a producer warpgroup)
#if CONV_WGMMA == 1
  // d[4j + 2h + e]: pixel wg*64 + wq*16 + g + 8h, channel j*8 + 2t + e; EP_LD = 8 mod 32: the float2 stores of
  // a half-warp (g 0..3, t 0..3) hit 32 distinct banks.
#pragma unroll
  for (int j = 0; j < BN / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h)
      *reinterpret_cast<float2*>(ep + (wg * 64 + wq * 16 + g + 8 * h) * EP_LD + j * 8 + 2 * t) = make_float2(d[4 * j + 2 * h], d[4 * j + 2 * h + 1]);
#else
  // d[4j + 2h + e]: channel (wgmma row) wgn*64 + wq*16 + g + 8h, pixel (wgmma column) wgm*WG_PX + j*8 + 2t + e;
  // EP_LD = 4 mod 32: a warp's stores (pixel 2t + e, channel g) hit banks 8t + g, all distinct.
#pragma unroll
  for (int j = 0; j < WG_PX / 8; ++j)
#pragma unroll
    for (int h = 0; h < 2; ++h)
#pragma unroll
      for (int e = 0; e < 2; ++e)
        ep[(wgm * WG_PX + j * 8 + 2 * t + e) * EP_LD + wgn * 64 + wq * 16 + g + 8 * h] = d[4 * j + 2 * h + e];
#endif
  }
  __syncthreads();
  (void)vec2;
  const bool vec4 = (p.ldy & 3) == 0 && (reinterpret_cast<uintptr_t>(Y) & 7) == 0 &&
                    (residual == nullptr || (reinterpret_cast<uintptr_t>(residual) & 7) == 0) &&
                    (bias == nullptr || (reinterpret_cast<uintptr_t>(bias) & 7) == 0);
  constexpr int QPR = BN / 4;  // float4 per tile row
#pragma unroll 4
  for (int i = tid; i < BM * QPR; i += NT_ALL) {
    const int r = i / QPR, q = i - r * QPR;
    const int row = m0 + r, col = n0 + q * 4;
    if (row >= M || col >= p.K) continue;
    const float4 v = *reinterpret_cast<const float4*>(ep + r * EP_LD + q * 4);
    if (ws != nullptr) {
      if ((p.K & 3) == 0) {
        *reinterpret_cast<float4*>(ws + ((size_t)blockIdx.y * M + row) * p.K + col) = v;
      } else {
        store_partial(ws, M, p.K, row, col, v.x);
        store_partial(ws, M, p.K, row, col + 1, v.y);
        store_partial(ws, M, p.K, row, col + 2, v.z);
        store_partial(ws, M, p.K, row, col + 3, v.w);
      }
    } else {
      store_quad(Y, bias, residual, p, relu, vec4, row, col, v);
    }
  }
#else
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  acc_t acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < ktiles) load_stage(sbase + s * STAGE_BYTES, kbeg + s, X, Wt, XS, WS, p, n0, tid, rows);
    cp_async_commit();
  }

  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    {  // prefetch tile kt + STAGES - 1 into the stage consumed at kt - 1 (every thread has passed the barrier)
      int nk = kt + STAGES - 1;
      if (nk < ktiles) load_stage(sbase + (nk % STAGES) * STAGE_BYTES, kbeg + nk, X, Wt, XS, WS, p, n0, tid, rows);
      cp_async_commit();
    }
    const uint8_t* sA = sbase + (kt % STAGES) * STAGE_BYTES;
    const uint32_t sA_u = smem_u32(sA), sW_u = sA_u + A_STAGE;
#if CONV_FMT >= 3
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
#elif CONV_FMT == 4
          bf[j + u][0] = s4_ext(u4_lo(q[u]));   // +-1 nibbles
          bf[j + u][1] = s4_ext(u4_hi(q[u]));
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
#if CONV_FMT >= 3
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
        const int blk = ks >> 1;
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
#if CONV_FMT >= 3
  // Dequantising scales of the integer sums (exact up to 2^24 in FP32; null: scale 1).
  const float a_scale = XS != nullptr ? *reinterpret_cast<const float*>(XS) : 1.f;
  const float* const w_scale = reinterpret_cast<const float*>(WS);
#endif

  // Epilogue: fragment (i, j): c0,c1 at (row g, cols 2t, 2t+1), c2,c3 at row g+8; Y is [M][ldy] (NHWC).
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int h = 0; h < 2; ++h)
      {
        const int row = m0 + wm * WTM + i * 16 + g + h * 8, col = n0 + wn * WTN + j * 8 + 2 * t;
        if (ws != nullptr) {  // split-K partial (FP16 only)
          store_partial(ws, M, p.K, row, col, (float)acc[i][j][2 * h]);
          store_partial(ws, M, p.K, row, col + 1, (float)acc[i][j][2 * h + 1]);
        } else {
#if CONV_FMT >= 3
          float v0 = (float)acc[i][j][2 * h] * a_scale, v1 = (float)acc[i][j][2 * h + 1] * a_scale;
          if (w_scale != nullptr && row < M) {
            if (col < p.K) v0 *= w_scale[col];
            if (col + 1 < p.K) v1 *= w_scale[col + 1];
          }
          store_pair(Y, bias, residual, p, M, relu, vec2, row, col, v0, v1);
#else
          store_pair(Y, bias, residual, p, M, relu, vec2, row, col, (float)acc[i][j][2 * h], (float)acc[i][j][2 * h + 1]);
#endif
        }
      }
#endif
}

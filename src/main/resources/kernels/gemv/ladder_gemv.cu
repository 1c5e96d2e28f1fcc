// Ladder GEMV for small M (1..16): C[M][N] = A[M][K] * W[N][K]^T, output FP16.
//
// One source, many kernels: the format pair, the Figure 13 stage and the launch configuration are
// compile-time macros, so each configuration is its own cubin with a stable extern "C" name
// (org.ladderae.kernels.GemvKernels computes the name and the -D flags; scripts/dev/gemv_build.py
// mirrors it for the developer check).
//
// Macros (all required except where a default is given):
//   LADDER_KERNEL_NAME  extern "C" symbol of the kernel
//   W_FMT   0 FP16, 1 INT8, 2 INT4, 3 INT2, 4 INT1 (unsigned ints), 5 NF4, 6 FP8 E5M2, 7 FP8 E4M3, 8 MXFP8
//   A_FMT   0 FP16, 1 INT8 (signed), 2 INT4 (signed, two per byte, element 0 in the low nibble)
//   STAGE   0 baseline (plain layout, per-element generic decode, scalar loads)
//           1 +transform (transformed layout, 16-byte streaming loads, per-element generic decode)
//           2 +ptx (transformed layout, 16-byte loads, lop3/prmt/cvt decode into half2, dp4a)
//           3 +holistic (same code as 2; the launch configuration is chosen per shape)
//   GEMV_M  rows of A (1..16), compile time so the accumulators stay in registers
//   THREADS threads per block (multiple of 32)
//   RPW     weight rows per warp (register blocking: one activation load serves RPW rows)
//   SPLITK  warps of a block that share the same rows and split K among them (reduced in shared memory)
//   UNROLL  16-byte chunks per lane and row issued before the first use (loads in flight)
//   GROUP   (default 0) per-group scales and zero points: 0 none; G > 0 one (scale, zero) per G elements
//           of K; -1 one per row. Weight value = (decode(code) - zero) * scale. FP16 activations, INTx or
//           NF4 weights, STAGE >= 2; G is a multiple of the elements in 16 bytes, so a 16-byte chunk never
//           straddles two groups (tensor-core path: of its K block, 4 x the elements in 16 bytes).
//   INT_OUT (default 0) integer activations only: C receives the exact INT32 sums instead of their FP16 rounding.
//           A layer with quantised activations scales them afterwards (per-token activation scale, per-row weight
//           scale and zero point); FP16 would overflow past 65504 and lose the low bits the zero-point term cancels.
//
// Arguments, in order: (const void* A, const void* W, const uint8_t* aux, half* C, int N, int K)
//   A    activations, M x K row-major (FP16 halves, INT8 bytes, or INT4 packed K/2 bytes per row)
//   W    weights, N rows of K*bits/8 bytes; STAGE 0: plain packing (element 0 in the low bits);
//        STAGE >= 1: WeightLayout.transform (slots permuted inside each 32-bit word, see slot_elem)
//   aux  MXFP8: E8M0 block exponents; STAGE 0: [K/32][N] (the artifact's layout), STAGE >= 1: [N][K/32].
//        GROUP != 0: half2 (scale, zero) per row and group, [N][groups]. Otherwise ignored.
//   C    output M x N row-major FP16; with INT_OUT, INT32 (the exact sums, for a dequantising epilogue)
// Grid: any number of blocks (the kernel strides over row tiles); the natural grid is
//   ceil(N / ((THREADS/32/SPLITK) * RPW)). K must be a multiple of 128/bits (and of 32 for MXFP8).

#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>
#include <type_traits>

// Each configuration uses a subset of the helpers below; unused ones are expected.
#pragma nv_diag_suppress 177

#ifndef LADDER_KERNEL_NAME
#error "LADDER_KERNEL_NAME must be defined"
#endif
#ifndef UNROLL
#define UNROLL 1
#endif
#ifndef MMA
#define MMA 0
#endif
#ifndef GROUP
#define GROUP 0
#endif
#ifndef INT_OUT
#define INT_OUT 0
#endif

namespace {

constexpr int kWFmt = W_FMT, kAFmt = A_FMT, kStage = STAGE, kM = GEMV_M;
constexpr int kThreads = THREADS, kRpw = RPW, kSplitK = SPLITK, kUnroll = UNROLL;
constexpr int kGroup = GROUP;
constexpr int kWarps = kThreads / 32;
constexpr int kGroups = kWarps / kSplitK;
constexpr int kRowsPerBlock = kGroups * kRpw;

enum { W_FP16 = 0, W_INT8 = 1, W_INT4 = 2, W_INT2 = 3, W_INT1 = 4, W_NF4 = 5, W_E5M2 = 6, W_E4M3 = 7, W_MXFP8 = 8 };
enum { A_FP16 = 0, A_INT8 = 1, A_INT4 = 2 };

constexpr int kBits = kWFmt == W_FP16 ? 16
                    : (kWFmt == W_INT4 || kWFmt == W_NF4) ? 4
                    : kWFmt == W_INT2 ? 2 : kWFmt == W_INT1 ? 1 : 8;
constexpr bool kIsInt = kWFmt >= W_INT8 && kWFmt <= W_INT1;
constexpr bool kIntAct = kAFmt != A_FP16;
constexpr bool kFloatAcc8 = kWFmt == W_E5M2 || kWFmt == W_E4M3 || kWFmt == W_MXFP8;  // wide range: FP32 partials
constexpr int kElemsPerWord = 32 / kBits;
constexpr int kElemsPerChunk = 4 * kElemsPerWord;  // one 16-byte load
constexpr unsigned kFieldMask = kBits == 16 ? 0xffffu : (1u << kBits) - 1u;

static_assert(kThreads % 32 == 0 && kWarps % kSplitK == 0, "THREADS/32 must be a multiple of SPLITK");
static_assert(kM >= 1 && kM <= 16, "GEMV_M must be 1..16");
static_assert(!kIntAct || kIsInt, "integer activations need integer weights");
static_assert(kAFmt != A_INT4 || kBits <= 4, "INT4 activations pair with INT4/2/1 weights");
static_assert(kGroup == 0 || (kAFmt == A_FP16 && (kIsInt || kWFmt == W_NF4) && kStage >= 2),
              "group scales: FP16 activations, INTx/NF4 weights, stage >= 2");
static_assert(kGroup <= 0 || kGroup % kElemsPerChunk == 0, "a group holds whole 16-byte chunks");
static_assert(!INT_OUT || (kIntAct && !MMA), "INT32 output: integer activations (CUDA-core kernel)");

// Element index (inside its 32-bit word) that the transformed layout stores in slot s (bits s*kBits..).
// The order is the one the fast decode of STAGE >= 2 produces, so it pairs with activations in
// natural order and needs no shuffles. Java: org.ladderae.kernels.WeightLayout.slotElement.
__host__ __device__ constexpr int slot_elem(int s) {
  if (kBits >= 8 || kWFmt == W_NF4) return s;                 // prmt/cvt/LUT work in natural order
  if (kAFmt == A_FP16) {                                       // lop3 pair t = slots (t, t + n/2)
    return s < kElemsPerWord / 2 ? 2 * s : 2 * (s - kElemsPerWord / 2) + 1;
  }
  const int g = 8 / kBits, j = s / g, i = s % g;               // byte j, bit-group i
  if (kAFmt == A_INT8) return 4 * i + j;                       // group i feeds one dp4a of 4 acts
  return 8 * (i >> 1) + 2 * j + (i & 1);                       // INT4 acts: even/odd nibble bytes
}

__constant__ float c_nf4[16] = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
    -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
    0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

// ---------------------------------------------------------------- generic (stages 0, 1) decode
__device__ __forceinline__ float e8m0_scale(unsigned e) {
  // 2^(e-127) exactly; e = 0 is the float subnormal 2^-127, e = 255 is NaN (OCP MX).
  return e == 255u ? __int_as_float(0x7fc00000) : e == 0u ? __int_as_float(0x00400000) : __int_as_float(int(e) << 23);
}

__device__ __forceinline__ float generic_decode(unsigned f) {
  if (kWFmt == W_FP16) return __half2float(__ushort_as_half((unsigned short)f));
  if (kIsInt) return (float)f;
  if (kWFmt == W_NF4) return c_nf4[f];
  if (kWFmt == W_E4M3) {
    unsigned s = f >> 7, e = (f >> 3) & 15u, m = f & 7u;
    float v = (e == 15u && m == 7u) ? __int_as_float(0x7fc00000)
            : e == 0u ? ldexpf((float)m, -9) : ldexpf(1.0f + m / 8.0f, (int)e - 7);
    return s ? -v : v;
  }
  // E5M2 (also the MXFP8 element)
  unsigned s = f >> 7, e = (f >> 2) & 31u, m = f & 3u;
  float v = e == 31u ? (m ? __int_as_float(0x7fc00000) : __int_as_float(0x7f800000))
          : e == 0u ? ldexpf((float)m, -16) : ldexpf(1.0f + m / 4.0f, (int)e - 15);
  return s ? -v : v;
}

__device__ __forceinline__ float act_float(const void* A, int m, int k, int K) {
  return __half2float(static_cast<const __half*>(A)[(size_t)m * K + k]);
}
__device__ __forceinline__ int act_int(const void* A, int m, int k, int K) {
  if (kAFmt == A_INT8) return static_cast<const int8_t*>(A)[(size_t)m * K + k];
  unsigned b = static_cast<const uint8_t*>(A)[(size_t)m * (K / 2) + k / 2];
  int nib = (b >> ((k & 1) * 4)) & 15;
  return nib >= 8 ? nib - 16 : nib;
}

// ---------------------------------------------------------------- fast (stage 2, 3) helpers
__device__ __forceinline__ uint4 ldg_stream(const void* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
  return v;
}
__device__ __forceinline__ unsigned lop3_and_or(unsigned a, unsigned b, unsigned c) {
  unsigned d;  // (a & b) | c
  asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}
__device__ __forceinline__ unsigned prmt(unsigned a, unsigned b, unsigned sel) {
  unsigned d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(sel));
  return d;
}
__device__ __forceinline__ int dp4a_su(int a, unsigned b, int c) {
  int d;  // signed activations . unsigned weights
  asm("dp4a.s32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}
__device__ __forceinline__ half2 as_h2(unsigned u) { return *reinterpret_cast<half2*>(&u); }
__device__ __forceinline__ unsigned word_of(const uint4& v, int i) {
  return i == 0 ? v.x : i == 1 ? v.y : i == 2 ? v.z : v.w;
}

// Pair t of a 32-bit weight word as half2 (elements 2t, 2t+1 of the word in transformed order).
template <int T>
__device__ __forceinline__ half2 fast_pair(unsigned w, const uint32_t* nf4_lut, int lane) {
  if constexpr (kWFmt == W_FP16) {
    return as_h2(w);
  } else if constexpr (kWFmt == W_INT8) {
    // bytes under the magic 0x64 exponent: 1024 + q exactly, then subtract 1024
    unsigned h = prmt(w, 0x64646464u, T == 0 ? 0x4140u : 0x4342u);
    return __hsub2(as_h2(h), as_h2(0x64006400u));
  } else if constexpr (kWFmt == W_E5M2 || kWFmt == W_MXFP8) {
    // E5M2 (also the MXFP8 element; its E8M0 scale is applied per chunk in FP32): byte -> high byte of a half, exact
    return as_h2(prmt(w, 0u, T == 0 ? 0x1404u : 0x3424u));
  } else if constexpr (kWFmt == W_E4M3) {
    __half2_raw r = __nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)(T == 0 ? (w & 0xffffu) : (w >> 16)), __NV_E4M3);
    return *reinterpret_cast<half2*>(&r);
  } else if constexpr (kWFmt == W_NF4) {
    // byte (two NF4 indices) -> half2 from a 256-entry LUT; lane-private copy, no bank conflicts
    unsigned b = (w >> (8 * T)) & 0xffu;
    return as_h2(nf4_lut[b * 32 + lane]);
  } else {
    // sub-byte unsigned ints: slots at bits pos and 16+pos hold elements (2t, 2t+1); OR them into
    // the mantissa of 1024.0 with one lop3, then undo magic and bit offset with one exact hfma2.
    constexpr int pos = kBits * T, sh = (pos / 8) * 8, j = pos % 8;
    constexpr unsigned mask = (kFieldMask << j) * 0x00010001u;
    unsigned h = lop3_and_or(sh ? (w >> sh) : w, mask, 0x64006400u);
    if constexpr (j == 0) return __hsub2(as_h2(h), as_h2(0x64006400u));
    constexpr float scale = 1.0f / (1 << j);
    return __hfma2(as_h2(h), __float2half2_rn(scale), __float2half2_rn(-1024.0f * scale));
  }
}

template <int T, typename F>
__device__ __forceinline__ void static_for(F&& f) {
  if constexpr (T > 0) { static_for<T - 1>(f); f(std::integral_constant<int, T - 1>{}); }
}

// Overloads instead of if-constexpr: the kernel is not a template, so both branches must type-check.
__device__ __forceinline__ void fma_part(half2& p, half2 w, half2 a) { p = __hfma2(w, a, p); }
__device__ __forceinline__ void fma_part(float& p, half2 w, half2 a) {
  const float2 wf = __half22float2(w), af = __half22float2(a);
  p = fmaf(wf.x, af.x, fmaf(wf.y, af.y, p));
}
__device__ __forceinline__ void fold_part(float& acc, float p, float scale) { acc = fmaf(p, scale, acc); }
__device__ __forceinline__ void fold_part(float& acc, half2 p, float) {
  const float2 pf = __half22float2(p);
  acc += pf.x + pf.y;
}
template <typename P> __device__ __forceinline__ void fold_part(int&, P, float) {}  // never instantiated with int acts
// Group-scaled fold: the chunk's partial sum of (code - zero) * a, times the group's scale.
__device__ __forceinline__ void fold_scaled(float& acc, half2 p, float scale) {
  const float2 pf = __half22float2(p);
  acc = fmaf(pf.x + pf.y, scale, acc);
}
__device__ __forceinline__ void fold_scaled(float& acc, float p, float scale) { acc = fmaf(p, scale, acc); }
template <typename P> __device__ __forceinline__ void fold_scaled(int&, P, float) {}
__device__ __forceinline__ __half out_half(float v, int) { return __float2half_rn(v); }
__device__ __forceinline__ __half out_half(int v, int shift) { return __int2half_rn(v >> shift); }

// The NF4 decode table in shared memory: entry 32*b + lane holds the half2 of the two NF4 codes in byte b, one copy
// per lane so that the 32 lanes of a warp never hit the same bank. Every thread of the block helps; ends in a barrier.
__device__ __forceinline__ void fill_nf4_lut(uint32_t* nf4_lut) {
  for (int i = threadIdx.x; i < 256 * 32; i += kThreads) {
    unsigned b = i >> 5;
    __half lo = __float2half_rn(c_nf4[b & 15]), hi = __float2half_rn(c_nf4[b >> 4]);
    nf4_lut[i] = (unsigned)__half_as_ushort(lo) | ((unsigned)__half_as_ushort(hi) << 16);
  }
  __syncthreads();
}
}  // namespace

#if !MMA
extern "C" __global__ void __launch_bounds__(THREADS)
LADDER_KERNEL_NAME(const void* __restrict__ A, const void* __restrict__ W, const uint8_t* __restrict__ aux,
                   __half* __restrict__ C, int N, int K) {
  using Acc = typename std::conditional<kIntAct, int, float>::type;
  constexpr int kRedSize = kSplitK > 1 ? kSplitK * kRowsPerBlock * kM : 1;
  __shared__ Acc red[kRedSize];
#if W_FMT == 5 && STAGE >= 2
  __shared__ uint32_t nf4_lut[256 * 32];
  fill_nf4_lut(nf4_lut);
#else
  const uint32_t* nf4_lut = nullptr;
#endif

  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int grp = warp / kSplitK, ks = warp % kSplitK;
  const size_t row_bytes = (size_t)K * kBits / 8;
  const int chunks = (int)(row_bytes / 16);
  const int tiles = (N + kRowsPerBlock - 1) / kRowsPerBlock;
  const uint8_t* Wb = static_cast<const uint8_t*>(W);

  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int row0 = tile * kRowsPerBlock + grp * kRpw;
    int rows[kRpw];
#pragma unroll
    for (int r = 0; r < kRpw; ++r) rows[r] = min(row0 + r, N - 1);  // clamp: loads stay in bounds
    Acc acc[kRpw][kM];
#pragma unroll
    for (int r = 0; r < kRpw; ++r)
#pragma unroll
      for (int m = 0; m < kM; ++m) acc[r][m] = 0;

    if constexpr (kStage == 0) {
      // ---- baseline: element k of each row, plain packing, generic conversion
      for (int k = ks * 32 + lane; k < K; k += 32 * kSplitK) {
#pragma unroll
        for (int r = 0; r < kRpw; ++r) {
          const uint8_t* wr = Wb + rows[r] * row_bytes;
          unsigned f;
          if (kBits == 16) f = reinterpret_cast<const unsigned short*>(wr)[k];
          else f = (wr[(size_t)k * kBits / 8] >> ((k % (8 / kBits)) * kBits)) & kFieldMask;
          if constexpr (kIntAct) {
#pragma unroll
            for (int m = 0; m < kM; ++m) acc[r][m] += (int)f * act_int(A, m, k, K);
          } else {
            float v = generic_decode(f);
            if (kWFmt == W_MXFP8) v *= e8m0_scale(aux[(size_t)(k / 32) * N + rows[r]]);
#pragma unroll
            for (int m = 0; m < kM; ++m) acc[r][m] += v * act_float(A, m, k, K);
          }
        }
      }
    } else {
      for (int c0 = ks * 32 + lane; c0 < chunks; c0 += 32 * kSplitK * kUnroll) {
        uint4 wv[kUnroll][kRpw];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const int c = c0 + u * 32 * kSplitK;
#pragma unroll
          for (int r = 0; r < kRpw; ++r)
            wv[u][r] = c < chunks ? ldg_stream(Wb + rows[r] * row_bytes + (size_t)c * 16) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const int c = c0 + u * 32 * kSplitK;
          if (c >= chunks) break;
          const int kc = c * kElemsPerChunk;  // first element of this chunk
          if constexpr (kStage == 1) {
            // ---- +transform: 16-byte loads of the transformed weights and of the activations;
            // decode is still element by element with generic integer/float conversions.
            constexpr int kActWords = (kAFmt == A_FP16 ? 2 * kElemsPerChunk : kAFmt == A_INT8 ? kElemsPerChunk : kElemsPerChunk / 2) / 4;
#pragma unroll
            for (int m = 0; m < kM; ++m) {
              const uint8_t* ap = static_cast<const uint8_t*>(A) +
                  (kAFmt == A_FP16 ? ((size_t)m * K + kc) * 2 : kAFmt == A_INT8 ? (size_t)m * K + kc : ((size_t)m * K + kc) / 2);
              unsigned aw[kActWords];
#pragma unroll
              for (int v = 0; v < kActWords / 4; ++v) {
                const uint4 t = __ldg(reinterpret_cast<const uint4*>(ap) + v);
                aw[4 * v] = t.x; aw[4 * v + 1] = t.y; aw[4 * v + 2] = t.z; aw[4 * v + 3] = t.w;
              }
#pragma unroll
              for (int r = 0; r < kRpw; ++r) {
                float scale = 1.0f;
                if (kWFmt == W_MXFP8) scale = e8m0_scale(aux[(size_t)rows[r] * (K / 32) + kc / 32]);
#pragma unroll
                for (int wi = 0; wi < 4; ++wi) {
                  const unsigned w = word_of(wv[u][r], wi);
#pragma unroll
                  for (int s = 0; s < kElemsPerWord; ++s) {
                    const unsigned f = (w >> (s * kBits)) & kFieldMask;
                    const int e = wi * kElemsPerWord + slot_elem(s);  // element of the chunk in slot s
                    if constexpr (kAFmt == A_INT8) {
                      acc[r][m] += (int)f * (int)(int8_t)(aw[e / 4] >> (8 * (e % 4)));
                    } else if constexpr (kAFmt == A_INT4) {
                      acc[r][m] += (int)f * ((int)((aw[e / 8] >> (4 * (e % 8))) << 28) >> 28);
                    } else {
                      const float a = __half2float(__ushort_as_half((unsigned short)(aw[e / 2] >> (16 * (e % 2)))));
                      acc[r][m] += generic_decode(f) * scale * a;
                    }
                  }
                }
              }
            }
          } else if constexpr (kIntAct) {
            // ---- +ptx, integer activations: unpack weight bit-groups to bytes, dp4a
            constexpr int kActBytes = kAFmt == A_INT8 ? kElemsPerChunk : kElemsPerChunk / 2;
            constexpr int kActVecs = kActBytes >= 16 ? kActBytes / 16 : 1;  // >= 1 so the unused instantiation compiles
            constexpr int kGroupsPerWord = 8 / kBits;
            constexpr unsigned kByteMask = kFieldMask * 0x01010101u;
#pragma unroll
            for (int m = 0; m < kM; ++m) {
              const uint8_t* ap = static_cast<const uint8_t*>(A) + (size_t)m * (kAFmt == A_INT8 ? K : K / 2) + kc / (kAFmt == A_INT8 ? 1 : 2);
              unsigned aw[kActVecs * 4];
#pragma unroll
              for (int v = 0; v < kActVecs; ++v) {
                uint4 t = __ldg(reinterpret_cast<const uint4*>(ap) + v);
                aw[4 * v] = t.x; aw[4 * v + 1] = t.y; aw[4 * v + 2] = t.z; aw[4 * v + 3] = t.w;
              }
#pragma unroll
              for (int r = 0; r < kRpw; ++r) {
                int s = acc[r][m];
#pragma unroll
                for (int wi = 0; wi < 4; ++wi) {
                  const unsigned w = word_of(wv[u][r], wi);
#pragma unroll
                  for (int i = 0; i < kGroupsPerWord; ++i) {
                    const unsigned g = kBits == 8 ? w : (w >> (i * kBits)) & kByteMask;
                    if constexpr (kAFmt == A_INT8) {
                      s = dp4a_su((int)aw[wi * kElemsPerWord / 4 + i], g, s);
                    } else {
                      // two signed nibbles per byte -> bytes holding 16*a (exact; the sum is shifted back at the end)
                      const unsigned a8 = aw[wi * kElemsPerWord / 8 + (i >> 1)];
                      const unsigned a16 = (i & 1) ? (a8 & 0xf0f0f0f0u) : ((a8 << 4) & 0xf0f0f0f0u);
                      s = dp4a_su((int)a16, g, s);
                    }
                  }
                }
                acc[r][m] = s;
              }
            }
          } else {
            // ---- +ptx, FP16 activations: decode a unit (>= 8 elements) of every row once, reuse for all M
            constexpr int kUnitWords = kElemsPerWord >= 8 ? 1 : 8 / kElemsPerWord;
            constexpr int kUnitElems = kUnitWords * kElemsPerWord;
            constexpr int kPairs = kUnitElems / 2;
            using Part = typename std::conditional<kFloatAcc8, float, half2>::type;
            // GROUP: this chunk's (scale, zero) per row; one group spans whole chunks
            float gscale[kRpw];
            half2 gzero[kRpw];
            if constexpr (kGroup != 0) {
              const int groups = kGroup > 0 ? K / kGroup : 1;
              const int gi = kGroup > 0 ? kc / kGroup : 0;
#pragma unroll
              for (int r = 0; r < kRpw; ++r) {
                const half2 sz = __ldg(reinterpret_cast<const half2*>(aux) + (size_t)rows[r] * groups + gi);
                gscale[r] = __low2float(sz);
                gzero[r] = __high2half2(sz);
              }
            }
            Part part[kRpw][kM];
#pragma unroll
            for (int r = 0; r < kRpw; ++r)
#pragma unroll
              for (int m = 0; m < kM; ++m) part[r][m] = Part{};
#pragma unroll
            for (int unit = 0; unit < 4 / kUnitWords; ++unit) {
              half2 dw[kRpw][kPairs];
#pragma unroll
              for (int r = 0; r < kRpw; ++r)
#pragma unroll
                for (int uw = 0; uw < kUnitWords; ++uw) {
                  const unsigned w = word_of(wv[u][r], unit * kUnitWords + uw);
                  static_for<kElemsPerWord / 2>([&](auto t) {
                    dw[r][uw * (kElemsPerWord / 2) + decltype(t)::value] = fast_pair<decltype(t)::value>(w, nf4_lut, lane);
                  });
                }
              if constexpr (kGroup != 0) {
#pragma unroll
                for (int r = 0; r < kRpw; ++r)
#pragma unroll
                  for (int p = 0; p < kPairs; ++p) dw[r][p] = __hsub2(dw[r][p], gzero[r]);
              }
#pragma unroll
              for (int m = 0; m < kM; ++m) {
                const uint4* ap = reinterpret_cast<const uint4*>(static_cast<const __half*>(A) + (size_t)m * K + kc + unit * kUnitElems);
                half2 a[kPairs];
#pragma unroll
                for (int v = 0; v < kPairs / 4; ++v) {
                  uint4 t = __ldg(ap + v);
                  a[4 * v] = as_h2(t.x); a[4 * v + 1] = as_h2(t.y); a[4 * v + 2] = as_h2(t.z); a[4 * v + 3] = as_h2(t.w);
                }
#pragma unroll
                for (int r = 0; r < kRpw; ++r)
#pragma unroll
                  for (int p = 0; p < kPairs; ++p) {
                    fma_part(part[r][m], dw[r][p], a[p]);
                  }
              }
            }
#pragma unroll
            for (int r = 0; r < kRpw; ++r) {
              float scale = 1.0f;
              if constexpr (kWFmt == W_MXFP8) scale = e8m0_scale(__ldg(aux + (size_t)rows[r] * (K / 32) + kc / 32));
#pragma unroll
              for (int m = 0; m < kM; ++m) {
                if constexpr (kGroup != 0) fold_scaled(acc[r][m], part[r][m], gscale[r]);
                else fold_part(acc[r][m], part[r][m], scale);
              }
            }
          }
        }
      }
    }

    // ---- reduce over the warp's lanes, then over the SPLITK warps that share these rows
#pragma unroll
    for (int r = 0; r < kRpw; ++r)
#pragma unroll
      for (int m = 0; m < kM; ++m)
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) acc[r][m] += __shfl_xor_sync(0xffffffffu, acc[r][m], o);

    constexpr int kShift = (kAFmt == A_INT4 && kStage >= 2) ? 4 : 0;
    auto store = [&](int row, int m, Acc v) {
      if (row < N) {
        if constexpr (INT_OUT != 0) reinterpret_cast<int*>(C)[(size_t)m * N + row] = (int)v >> kShift;
        else C[(size_t)m * N + row] = out_half(v, kShift);
      }
    };
    if constexpr (kSplitK == 1) {
      if (lane == 0) {
#pragma unroll
        for (int r = 0; r < kRpw; ++r)
#pragma unroll
          for (int m = 0; m < kM; ++m) store(row0 + r, m, acc[r][m]);
      }
    } else {
      if (lane == 0) {
#pragma unroll
        for (int r = 0; r < kRpw; ++r)
#pragma unroll
          for (int m = 0; m < kM; ++m) red[(ks * kRowsPerBlock + grp * kRpw + r) * kM + m] = acc[r][m];
      }
      __syncthreads();
      for (int i = threadIdx.x; i < kRowsPerBlock * kM; i += kThreads) {
        Acc v = 0;
#pragma unroll
        for (int s = 0; s < kSplitK; ++s) v += red[s * kRowsPerBlock * kM + i];
        store(tile * kRowsPerBlock + i / kM, i % kM, v);
      }
      __syncthreads();
    }
  }
}
#endif  // !MMA

#if MMA
// Holistic variant for M = 2..16 with FP16 activations: the decoded weights feed tensor cores
// (mma.sync m16n8k16, FP32 accumulate), so each weight is decoded once for all M rows and the FMAs
// leave the CUDA cores. Weight layout: WeightLayout.tileForMma -- tiles of 8 rows x (4 * elements per
// 16 bytes) K; in a tile, lane 4*n+q holds, for each k16 step t, elements 16t + 2q + {0,1,8,9} of row n
// (its B fragment), word-permuted like the FP16-activation transform. Rows are padded to a multiple of 8.
// RPW = n8-tiles per warp (they share each A fragment); SPLITK warps split K.
namespace {
__device__ __forceinline__ void mma_16816(float (&d)[4], unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
__device__ __forceinline__ unsigned ld_act2(const __half* p) { return __ldg(reinterpret_cast<const unsigned*>(p)); }
__device__ __forceinline__ unsigned h2u(half2 h) { return *reinterpret_cast<unsigned*>(&h); }
}  // namespace

// Grouped builds name 2 resident blocks: without it ptxas held the INT4 M = 8 kernel to 128 registers and spilled.
#if GROUP != 0
#define MMA_BOUNDS __launch_bounds__(THREADS, 2)
#else
#define MMA_BOUNDS __launch_bounds__(THREADS)
#endif
extern "C" __global__ void MMA_BOUNDS
LADDER_KERNEL_NAME(const void* __restrict__ A, const void* __restrict__ W, const uint8_t* __restrict__ aux,
                   __half* __restrict__ C, int N, int K) {
  static_assert(kAFmt == A_FP16 && kWFmt != W_MXFP8, "the tensor-core GEMV takes FP16 activations and non-MX weights");
  constexpr int kSteps = kElemsPerChunk / 4;   // k16 steps per 16-byte load
  constexpr int kKBlk = 16 * kSteps;
  static_assert(kGroup <= 0 || kGroup % kKBlk == 0, "tensor-core GEMV: a group holds whole K blocks");
  constexpr int kNT = kRpw;
  constexpr int kPairsPerWord = kElemsPerWord / 2;
  __shared__ float red[kSplitK > 1 ? kSplitK * kGroups * kNT * 32 * 4 : 1];
#if W_FMT == 5
  __shared__ uint32_t nf4_lut[256 * 32];
  fill_nf4_lut(nf4_lut);
#else
  const uint32_t* nf4_lut = nullptr;
#endif
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int grp = warp / kSplitK, ks = warp % kSplitK;
  const int g = lane >> 2, q = lane & 3;
  const int kblocks = K / kKBlk;
  const int n8 = (N + 7) / 8;
  const int tiles = (n8 + kGroups * kNT - 1) / (kGroups * kNT);
  const uint8_t* Wb = static_cast<const uint8_t*>(W);
  const __half* Ah = static_cast<const __half*>(A);
  const __half* arow0 = Ah + (size_t)min(g, kM - 1) * K + 2 * q;
  const __half* arow1 = Ah + (size_t)min(g + 8, kM - 1) * K + 2 * q;
  const bool has0 = g < kM, has1 = g + 8 < kM;

  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    int t8[kNT];
#pragma unroll
    for (int j = 0; j < kNT; ++j) t8[j] = min((tile * kGroups + grp) * kNT + j, n8 - 1);
    float d[kNT][4];
#pragma unroll
    for (int j = 0; j < kNT; ++j) d[j][0] = d[j][1] = d[j][2] = d[j][3] = 0.f;

    for (int kb0 = ks; kb0 < kblocks; kb0 += kSplitK * kUnroll) {
      uint4 wv[kUnroll][kNT];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int kb = kb0 + u * kSplitK;
#pragma unroll
        for (int j = 0; j < kNT; ++j)
          wv[u][j] = kb < kblocks ? ldg_stream(Wb + (((size_t)t8[j] * kblocks + kb) * 32 + lane) * 16) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int kb = kb0 + u * kSplitK;
        if (kb >= kblocks) break;
        half2 bp[kNT][kSteps * 2];
#pragma unroll
        for (int j = 0; j < kNT; ++j)
#pragma unroll
          for (int wi = 0; wi < 4; ++wi) {
            const unsigned w = word_of(wv[u][j], wi);
            static_for<kPairsPerWord>([&](auto t) {
              bp[j][wi * kPairsPerWord + decltype(t)::value] = fast_pair<decltype(t)::value>(w, nf4_lut, lane);
            });
          }
        if constexpr (kGroup != 0) {
          // GROUP: the K block lies in one group. B fragment rows (this lane's weight row g of each tile) take the
          // group's zero before the MMA, as the CUDA-core kernel does (half2 code - zero); the block's sums go to
          // FP32 partials that take the scale of their output columns (2q, 2q+1) when added to d. Rows past N (the
          // tile padding: zero codes, outputs dropped) read the last row's parameters.
          const int groups = kGroup > 0 ? K / kGroup : 1;
          const int gi = kGroup > 0 ? kb * kKBlk / kGroup : 0;
          const half2* gp = reinterpret_cast<const half2*>(aux);
          float sc[kNT][2];
          float dk[kNT][4];
#pragma unroll
          for (int j = 0; j < kNT; ++j) {
            const half2 zero = __high2half2(__ldg(gp + (size_t)min(t8[j] * 8 + g, N - 1) * groups + gi));
#pragma unroll
            for (int p = 0; p < kSteps * 2; ++p) bp[j][p] = __hsub2(bp[j][p], zero);
#pragma unroll
            for (int c = 0; c < 2; ++c) sc[j][c] = __low2float(__ldg(gp + (size_t)min(t8[j] * 8 + 2 * q + c, N - 1) * groups + gi));
            dk[j][0] = dk[j][1] = dk[j][2] = dk[j][3] = 0.f;
          }
#pragma unroll
          for (int t = 0; t < kSteps; ++t) {
            const int k = kb * kKBlk + 16 * t;
            const unsigned a0 = has0 ? ld_act2(arow0 + k) : 0u, a2 = has0 ? ld_act2(arow0 + k + 8) : 0u;
            const unsigned a1 = has1 ? ld_act2(arow1 + k) : 0u, a3 = has1 ? ld_act2(arow1 + k + 8) : 0u;
#pragma unroll
            for (int j = 0; j < kNT; ++j) mma_16816(dk[j], a0, a1, a2, a3, h2u(bp[j][2 * t]), h2u(bp[j][2 * t + 1]));
          }
#pragma unroll
          for (int j = 0; j < kNT; ++j)
#pragma unroll
            for (int i = 0; i < 4; ++i) d[j][i] = fmaf(dk[j][i], sc[j][i & 1], d[j][i]);
        } else {
#pragma unroll
          for (int t = 0; t < kSteps; ++t) {
            const int k = kb * kKBlk + 16 * t;
            const unsigned a0 = has0 ? ld_act2(arow0 + k) : 0u, a2 = has0 ? ld_act2(arow0 + k + 8) : 0u;
            const unsigned a1 = has1 ? ld_act2(arow1 + k) : 0u, a3 = has1 ? ld_act2(arow1 + k + 8) : 0u;
#pragma unroll
            for (int j = 0; j < kNT; ++j) mma_16816(d[j], a0, a1, a2, a3, h2u(bp[j][2 * t]), h2u(bp[j][2 * t + 1]));
          }
        }
      }
    }
    // d[j] = C[g][n + 2q, +1] and C[g + 8][n + 2q, +1] with n = 8 * t8[j]
    auto store = [&](int j, float (&v)[4]) {
      const int nt = (tile * kGroups + grp) * kNT + j;
      if (nt >= n8) return;
      const int n = nt * 8 + 2 * q;
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int m = g + (i >> 1) * 8, col = n + (i & 1);
        if (m < kM && col < N) C[(size_t)m * N + col] = __float2half_rn(v[i]);
      }
    };
    if constexpr (kSplitK == 1) {
#pragma unroll
      for (int j = 0; j < kNT; ++j) store(j, d[j]);
    } else {
#pragma unroll
      for (int j = 0; j < kNT; ++j)
#pragma unroll
        for (int i = 0; i < 4; ++i) red[(((ks * kGroups + grp) * kNT + j) * 32 + lane) * 4 + i] = d[j][i];
      __syncthreads();
      if (ks == 0) {
#pragma unroll
        for (int j = 0; j < kNT; ++j) {
          float v[4];
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            v[i] = 0.f;
            for (int s2 = 0; s2 < kSplitK; ++s2) v[i] += red[(((s2 * kGroups + grp) * kNT + j) * 32 + lane) * 4 + i];
          }
          store(j, v);
        }
      }
      __syncthreads();
    }
  }
}
#endif  // MMA

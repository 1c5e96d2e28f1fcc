// ladder-ae: Ladder GEMM on tensor cores, portable sm_80+ path (mma.sync + ldmatrix + cp.async).
//
// Layout NT:  C[M,N] (FP16, row-major) = A[M,K] (row-major) x W[N,K]^T (W stored N x K, K contiguous).
//
// Configuration (all by -D):
//   KNAME            kernel symbol (CUTLASS-style name chosen by org.ladderae.kernels.GemmConfig)
//   LADDER_FMT       0 = W_FP16 A_FP16  (mma m16n8k16 f16, FP32 accumulation)
//                    1 = W_INT4 A_FP16  (unsigned 4-bit weights in the Ladder fragment layout, see below;
//                                        decoded to FP16 in registers with lop3 + magic 0x6400)
//                    2 = W_INT8 A_INT8  (mma m16n8k32 s8, INT32 accumulation, output cast to FP16)
//   BM, BN           block tile (BM multiple of 16*WARPS_M, BN multiple of 16*WARPS_N)
//   WARPS_M, WARPS_N warp grid in the block
//   STAGES           cp.async pipeline depth (>= 2)
//   GROUP_M          grouped tile order for L2 reuse (default 8)
// The K tile is fixed to 128 bytes of A per row: 64 FP16 or 128 INT8 elements (BK = 64 / 128).
// Requirements: N % BN == 0, K % (BK * splits) == 0; M arbitrary (rows past M are zero-filled and not stored).
//
// Shared memory: A and W tiles (FP16/INT8) use 128-byte rows with the 16-byte chunk XOR swizzle
// chunk' = chunk ^ (row & 7): ldmatrix (8 rows x 16 B per phase) and cp.async stores are bank-conflict free.
//
// INT4 Ladder layout (the offline "layout transform"): W is N x K/2 bytes; within each row, each block of
// 32 K elements is 16 bytes = 4 words; word t (t = 0..3) holds the 8 nibbles (n0 = bits 0..3)
//   [e(b+2t), e(b+2t+8), e(b+2t+16), e(b+2t+24), e(b+2t+1), e(b+2t+9), e(b+2t+17), e(b+2t+25)]   (b = block start)
// so that lane (g = lane/4, t = lane%4) of a warp reads one word per 8-column block and k32 block and decodes
// it straight into the mma B fragments of two k16 steps (no shuffles). In shared memory the two 16-byte chunks
// of a 32-byte W row are swapped on rows with (row & 4) so a warp's 8 rows x 16 B read is conflict-free.
//
// Split-K: gridDim.z = splits. splits == 1 writes C; splits > 1 writes FP32 (INT32 for FMT 2) partials
// to ws[z][M][N] and ladder_gemm_splitk_reduce sums them into C.
#include "ladder_gemm_common.cuh"

#ifndef KNAME
#define KNAME ladder_gemm
#endif
#ifndef LADDER_FMT
#define LADDER_FMT 0
#endif
#ifndef BM
#define BM 128
#endif
#ifndef BN
#define BN 128
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
#ifndef GROUP_M
#define GROUP_M 8
#endif

#define NTHREADS (WARPS_M * WARPS_N * 32)
#define WTM (BM / WARPS_M)
#define WTN (BN / WARPS_N)
#define MI (WTM / 16)
#define NI (WTN / 8)
#define A_ROWB 128
#if LADDER_FMT == 2
#define BK 128
#define A_ELEM_BYTES 1
#else
#define BK 64
#define A_ELEM_BYTES 2
#endif
#if LADDER_FMT == 1
#define W_ROWB 32
#else
#define W_ROWB 128
#endif
#define A_STAGE (BM * A_ROWB)
#define W_STAGE (BN * W_ROWB)
#define STAGE_BYTES (A_STAGE + W_STAGE)

static_assert(WTM % 16 == 0 && WTN % 16 == 0, "warp tile must be a multiple of 16x16");
static_assert(STAGES >= 2, "need >= 2 stages");

#if LADDER_FMT == 2
typedef int acc_t;
#else
typedef float acc_t;
#endif

__device__ __forceinline__ void load_stage(uint8_t* smem, int stage, int ktile, const uint8_t* A, const uint8_t* W,
                                           int M, int K, int m0, int n0, int tid) {
  uint8_t* sA = smem + stage * STAGE_BYTES;
  uint8_t* sW = sA + A_STAGE;
  const size_t a_row = (size_t)K * A_ELEM_BYTES;
#pragma unroll
  for (int i = tid; i < BM * 8; i += NTHREADS) {
    int r = i >> 3, c = i & 7;
    int gm = m0 + r;
    bool ok = gm < M;
    const uint8_t* src = A + (size_t)(ok ? gm : 0) * a_row + (size_t)ktile * A_ROWB + c * 16;
    cp_async16(smem_u32(sA + swz128(r, c)), src, ok ? 16 : 0);
  }
#if LADDER_FMT == 1
  const size_t w_row = (size_t)K / 2;
#pragma unroll
  for (int i = tid; i < BN * 2; i += NTHREADS) {
    int r = i >> 1, c = i & 1;
    const uint8_t* src = W + (size_t)(n0 + r) * w_row + (size_t)ktile * W_ROWB + c * 16;
    cp_async16(smem_u32(sW + r * W_ROWB + ((c ^ ((r >> 2) & 1)) << 4)), src, 16);
  }
#else
  const size_t w_row = (size_t)K * A_ELEM_BYTES;
#pragma unroll
  for (int i = tid; i < BN * 8; i += NTHREADS) {
    int r = i >> 3, c = i & 7;
    const uint8_t* src = W + (size_t)(n0 + r) * w_row + (size_t)ktile * W_ROWB + c * 16;
    cp_async16(smem_u32(sW + swz128(r, c)), src, 16);
  }
#endif
}

extern "C" __global__ void __launch_bounds__(NTHREADS, 1)
KNAME(const uint8_t* __restrict__ A, const uint8_t* __restrict__ W, half* __restrict__ C, acc_t* __restrict__ ws,
      int M, int N, int K) {
  extern __shared__ __align__(1024) uint8_t smem[];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  const int num_m = (M + BM - 1) / BM, num_n = N / BN;
  int bm, bn;
  tile_coords(blockIdx.x, num_m, num_n, GROUP_M, bm, bn);
  const int m0 = bm * BM, n0 = bn * BN;
  const int splits = gridDim.z;
  const int ktiles = K / BK / splits;
  const int kt0 = blockIdx.z * ktiles;

  acc_t acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < ktiles) load_stage(smem, s, kt0 + s, A, W, M, K, m0, n0, tid);
    cp_async_commit();
  }

  for (int kt = 0; kt < ktiles; ++kt) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    {  // prefetch tile kt + STAGES - 1 into the stage consumed at kt - 1 (all threads passed the barrier)
      int nk = kt + STAGES - 1;
      if (nk < ktiles) load_stage(smem, nk % STAGES, kt0 + nk, A, W, M, K, m0, n0, tid);
      cp_async_commit();
    }
    const uint8_t* sA = smem + (kt % STAGES) * STAGE_BYTES;
    const uint8_t* sW = sA + A_STAGE;
    const uint32_t sA_u = smem_u32(sA), sW_u = smem_u32(sW);

#pragma unroll
    for (int kp = 0; kp < 2; ++kp) {  // two pairs of k-steps (32 bytes of A per row each step)
#if LADDER_FMT == 1
      uint32_t wq[NI];  // one word = 8 nibbles = B fragments of k-steps 2kp, 2kp+1 for one 8-column block
#pragma unroll
      for (int j = 0; j < NI; ++j) {
        int r = wn * WTN + j * 8 + (lane >> 2);
        wq[j] = *reinterpret_cast<const uint32_t*>(sW + r * W_ROWB + ((kp ^ ((r >> 2) & 1)) << 4) + (lane & 3) * 4);
      }
#endif
#pragma unroll
      for (int kh = 0; kh < 2; ++kh) {
        const int ks = kp * 2 + kh;
        uint32_t af[MI][4];
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          int r = wm * WTM + i * 16 + (lane & 15);
          int c = ks * 2 + (lane >> 4);
          ldmatrix_x4(af[i][0], af[i][1], af[i][2], af[i][3], sA_u + swz128(r, c));
        }
        uint32_t bf[NI][2];
#if LADDER_FMT == 1
#pragma unroll
        for (int j = 0; j < NI; ++j) {
          // kh = 0: (n0,n4) -> k = 2t,2t+1; (n1,n5) -> k = 2t+8,2t+9.  kh = 1: n2,n6 / n3,n7, k + 16.
          decode_u4x4_to_half2x2(wq[j] >> (8 * kh), bf[j][0], bf[j][1]);
        }
#else
#pragma unroll
        for (int j = 0; j < NI / 2; ++j) {
          int r = wn * WTN + j * 16 + (lane & 7) + ((lane >> 4) << 3);
          int c = ks * 2 + ((lane >> 3) & 1);
          ldmatrix_x4(bf[2 * j][0], bf[2 * j][1], bf[2 * j + 1][0], bf[2 * j + 1][1], sW_u + swz128(r, c));
        }
#endif
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NI; ++j) {
#if LADDER_FMT == 2
            mma_s8_16832(acc[i][j], af[i], bf[j]);
#else
            mma_f16_16816(acc[i][j], af[i], bf[j]);
#endif
          }
      }
    }
  }
  cp_async_wait<0>();

  // Epilogue: fragment (i, j): c0,c1 at (row g, cols 2t, 2t+1), c2,c3 at row g+8.
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
          if (splits == 1) {
#if LADDER_FMT == 2
            half2 v = __halves2half2(__int2half_rn(acc[i][j][2 * h]), __int2half_rn(acc[i][j][2 * h + 1]));
#else
            half2 v = __floats2half2_rn(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
#endif
            *reinterpret_cast<half2*>(C + (size_t)row * N + col) = v;
          } else {
            acc_t* p = ws + ((size_t)blockIdx.z * M + row) * N + col;
            p[0] = acc[i][j][2 * h];
            p[1] = acc[i][j][2 * h + 1];
          }
        }
      }
}

// Sum split-K partials: C[i] = sum_z ws[z][i], i over M*N (M*N even).
extern "C" __global__ void ladder_gemm_splitk_reduce(const acc_t* __restrict__ ws, half* __restrict__ C, long long MN,
                                                     int splits) {
  long long i = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * 2;
  if (i >= MN) return;
  acc_t s0 = 0, s1 = 0;
  for (int z = 0; z < splits; ++z) {
    s0 += ws[z * MN + i];
    s1 += ws[z * MN + i + 1];
  }
#if LADDER_FMT == 2
  *reinterpret_cast<half2*>(C + i) = __halves2half2(__int2half_rn(s0), __int2half_rn(s1));
#else
  *reinterpret_cast<half2*>(C + i) = __floats2half2_rn(s0, s1);
#endif
}

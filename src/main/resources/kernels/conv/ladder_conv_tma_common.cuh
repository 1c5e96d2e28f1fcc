// ladder-ae: pieces shared by the sm_90a TMA conv kernels whose accumulators hold pixels as wgmma's M
// (ladder_conv_pw.cu, ladder_conv_i2c.cu): the MMAs of one 64-channel stage and the fused epilogue of one consumer
// warpgroup's tile of NM * 64 pixels x NB output channels; the residual + ReLU of 8 channels is also the halo conv's.
//
// conv_wgmma_chunk: NM m64 blocks of A (pixels: 128-byte swizzled rows of 64 channels at sa, the blocks 8 KB apart)
//   times NB rows of B (weights, descriptor db), 4 k16 steps (+32 bytes each); the first step overwrites d unless
//   accumulate.
// Why through shared memory: a thread's accumulators are 2 adjacent channels of 2 pixel rows, so stores straight from
// registers are 4-byte pieces spread over 8 rows per warp instruction. Staged as FP16 rows (16-byte chunk j of row r at
// chunk j ^ (r & 7): the 8 rows a warp instruction writes fall in distinct banks), each pixel leaves as NB / 8 coalesced
// 16-byte stores, and the residual is read the same way.
//
// conv_epilogue_stage: bias (+ ReLU when there is no residual) in FP32, FP16 into the staging tile so (NB * 2 bytes a
//   pixel row). This thread (warp wq of the warpgroup, lane g * 4 + t4) holds pixels mi * 64 + wq * 16 + g (+8) x
//   channels 8j + 2 t4 (+1) of the tile (wgmma's m64nN accumulator layout).
// conv_epilogue_store: rows r < rows of the staging tile to Y[(row0 + r) * ldy + co0 ..] where row0 + r < M and the
//   channel < K (+ residual at the same offsets, in FP32, then ReLU); with a residual the sum is rounded twice, as in
//   ladder_conv.cu. wtid: the thread's index in its warpgroup (128 threads share the rows).
#pragma once
#include "../gemm/ladder_gemm_common.cuh"
#include "ladder_wgmma_ss.cuh"

template <int NB, int NM>
LADDER_DEV void conv_wgmma_chunk(float (&d)[NM][NB / 2], uint32_t sa, uint64_t db, bool accumulate) {
#pragma unroll
  for (int mi = 0; mi < NM; ++mi) {
    const uint64_t da = wgmma_desc_sw128(sa + mi * 8192);
#pragma unroll
    for (int ks = 0; ks < 4; ++ks) wgmma_ss<NB>(d[mi], da + 2 * ks, db + 2 * ks, accumulate || ks != 0);
  }
}

// 8 FP16 channels v += the residual's 8 at r, in FP32, then ReLU when relu; rounded to FP16 again.
LADDER_DEV void conv_residual_relu8(uint4& v, const half* __restrict__ r, int relu) {
  const uint4 rv = *reinterpret_cast<const uint4*>(r);
  uint32_t* a = reinterpret_cast<uint32_t*>(&v);
  const uint32_t* rb = reinterpret_cast<const uint32_t*>(&rv);
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    float2 x = __half22float2(*reinterpret_cast<const half2*>(&a[k]));
    const float2 y = __half22float2(*reinterpret_cast<const half2*>(&rb[k]));
    x.x += y.x; x.y += y.y;
    if (relu) { x.x = fmaxf(x.x, 0.f); x.y = fmaxf(x.y, 0.f); }
    half2 hv = __floats2half2_rn(x.x, x.y);
    a[k] = *reinterpret_cast<uint32_t*>(&hv);
  }
}

template <int NB, int NM>
LADDER_DEV void conv_epilogue_stage(float (&d)[NM][NB / 2], uint32_t so, int wq, int g, int t4, const half* __restrict__ bias,
                                    int co0, int K, bool relu_now) {
#pragma unroll
  for (int j = 0; j < NB / 8; ++j) {
    const int n = j * 8 + 2 * t4;
    float2 b = make_float2(0.f, 0.f);
    if (bias != nullptr && co0 + n < K) b = __half22float2(*reinterpret_cast<const half2*>(bias + co0 + n));
#pragma unroll
    for (int mi = 0; mi < NM; ++mi)
#pragma unroll
      for (int hh = 0; hh < 2; ++hh) {
        const int r = mi * 64 + wq * 16 + g + 8 * hh;
        float v0 = d[mi][4 * j + 2 * hh] + b.x, v1 = d[mi][4 * j + 2 * hh + 1] + b.y;
        if (relu_now) { v0 = fmaxf(v0, 0.f); v1 = fmaxf(v1, 0.f); }
        half2 hv = __floats2half2_rn(v0, v1);
        asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(so + r * (NB * 2) + ((j ^ (r & 7)) << 4) + t4 * 4),
                     "r"(*reinterpret_cast<uint32_t*>(&hv)) : "memory");
      }
  }
}

template <int NB>
LADDER_DEV void conv_epilogue_store(uint32_t so, int rows, int row0, int M, int co0, int K, half* __restrict__ Y, int ldy,
                                    const half* __restrict__ residual, int relu, int wtid) {
  for (int idx = wtid; idx < rows * (NB / 8); idx += 128) {
    const int r = idx / (NB / 8), ch = idx % (NB / 8);
    const int row = row0 + r, co = co0 + ch * 8;
    if (row >= M || co >= K) continue;
    uint4 v;
    asm volatile("ld.shared.v4.b32 {%0,%1,%2,%3}, [%4];\n" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(so + r * (NB * 2) + ((ch ^ (r & 7)) << 4)) : "memory");
    const size_t o = (size_t)row * ldy + co;
    if (residual != nullptr) conv_residual_relu8(v, residual + o, relu);
    *reinterpret_cast<uint4*>(Y + o) = v;
  }
}

// Self-test kernel: y = W x for an fp16 row-major W (n rows of k), fp16 x and y, fp32 accumulation.
// Memory-bound (each weight read once), so the shape is about moving bytes:
//  - one warp per row, ROWS_PER_BLOCK rows (warps) per block;
//  - 16-byte loads (8 halves) per lane, coalesced across the warp (512 contiguous bytes);
//  - UNROLL independent loads issued before first use, to keep enough bytes in flight;
//  - weights are streamed past L1 (ld.global.nc.L1::no_allocate); x is small and re-read by every warp;
//  - warp shuffle reduction, lane 0 writes the row's result.
// Requires k % 8 == 0 and 16-byte-aligned W and x (the host checks).
#include <cuda_fp16.h>
#include <stdint.h>

#define ROWS_PER_BLOCK 4
#define UNROLL 8

__device__ __forceinline__ uint4 load_streaming(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

__device__ __forceinline__ float dot8(uint4 w, uint4 x) {
    const __half2* wh = reinterpret_cast<const __half2*>(&w);
    const __half2* xh = reinterpret_cast<const __half2*>(&x);
    float acc = 0.f;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        float2 wf = __half22float2(wh[j]);
        float2 xf = __half22float2(xh[j]);
        acc = fmaf(wf.x, xf.x, acc);
        acc = fmaf(wf.y, xf.y, acc);
    }
    return acc;
}

extern "C" __global__ void __launch_bounds__(ROWS_PER_BLOCK * 32)
gemv_fp16(const __half* __restrict__ W, const __half* __restrict__ x, __half* __restrict__ y, int n, int k) {
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (row >= n) return;
    const uint4* w4 = reinterpret_cast<const uint4*>(W + (size_t)row * k);
    const uint4* x4 = reinterpret_cast<const uint4*>(x);
    const int k8 = k >> 3;
    float acc = 0.f;
    for (int base = lane; base < k8; base += 32 * UNROLL) {
        uint4 wv[UNROLL];
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int i = base + u * 32;
            wv[u] = i < k8 ? load_streaming(w4 + i) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int u = 0; u < UNROLL; u++) {
            int i = base + u * 32;
            if (i < k8) acc += dot8(wv[u], __ldg(x4 + i));
        }
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if (lane == 0) y[row] = __float2half_rn(acc);
}

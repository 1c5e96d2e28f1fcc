// ladder-ae: TMA tensor-map loads and mbarrier helpers for the sm_90a kernels (GEMM and conv), shared.
#pragma once
#include "ladder_gemm_common.cuh"

// The driver's 128-byte CUtensorMap, passed as a const __grid_constant__ kernel parameter (org.ladderae.gpu.TensorMaps).
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
// Im2col-mode TMA (a map from cuTensorMapEncodeIm2col over an NHWC tensor, dims {C, W, H, N}): pixelsPerColumn pixels of
// channelsPerPixel channels from channel c, starting at the window corner (w, h) of image n and walking the map's
// bounding box in W, then H, then N order, each pixel shifted by the filter tap (ow, oh); out-of-bounds pixels (the
// padding, and past the last image) arrive as zeros and still count towards complete_tx.
LADDER_DEV void tma_load_im2col_4d(uint32_t dst, const TmaDesc* map, uint32_t bar, int c, int w, int h, int n, uint16_t ow,
                                   uint16_t oh) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4, %5, %6}], "
      "[%2], {%7, %8};\n"
      ::"r"(dst), "l"(map), "r"(bar), "r"(c), "r"(w), "r"(h), "r"(n), "h"(ow), "h"(oh) : "memory");
}

// The non-GEMM operators of the CNN executor (org.ladderae.executor.cnn): ResNet-50 and ShuffleNet v2.
// Activations are NHWC FP16, row-major with channels fastest; FP32 math. Optional pointers (bias, residual)
// are tested against null (the host passes 0). Element-wise kernels use grid-stride loops over 64-bit indices.
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>

#define GRID_STRIDE(i, total) for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (total); i += (int64_t)gridDim.x * blockDim.x)

// Direct convolution, one thread per output element (k fastest, so a warp shares its input pixel): the depthwise
// 3x3 convs of ShuffleNet (groups = C = K: 9 multiply-adds per output) and a fallback for any conv the tensor-core
// kernels do not take. y = relu?(sum + bias + residual); weights OHWI [K][R][S][C/groups].
extern "C" __global__ void conv2d_direct(const half* __restrict__ x, const half* __restrict__ w, const half* __restrict__ bias,
                                         const half* __restrict__ res, half* __restrict__ y,
                                         int n, int h, int wd, int c, int k, int r, int s, int stride, int pad, int groups,
                                         int p, int q, int relu) {
    int cg = c / groups, kg = k / groups;
    int64_t total = (int64_t)n * p * q * k;
    GRID_STRIDE(i, total) {
        int ko = (int)(i % k);
        int64_t pix = i / k;
        int ow = (int)(pix % q), oh = (int)((pix / q) % p), b = (int)(pix / ((int64_t)p * q));
        int c0 = (ko / kg) * cg;
        float acc = bias ? __half2float(bias[ko]) : 0.f;
        for (int rr = 0; rr < r; rr++) {
            int ih = oh * stride - pad + rr;
            if (ih < 0 || ih >= h) continue;
            for (int ss = 0; ss < s; ss++) {
                int iw = ow * stride - pad + ss;
                if (iw < 0 || iw >= wd) continue;
                const half* xp = x + (((int64_t)b * h + ih) * wd + iw) * c + c0;
                const half* wp = w + (((int64_t)ko * r + rr) * s + ss) * cg;
                for (int ci = 0; ci < cg; ci++) acc += __half2float(xp[ci]) * __half2float(wp[ci]);
            }
        }
        if (res) acc += __half2float(res[i]);
        y[i] = __float2half(relu ? fmaxf(acc, 0.f) : acc);
    }
}

// Depthwise 3x3 (groups = C = K), two channels per thread (half2 loads; C even). Weights OHWI [C][3][3][1].
extern "C" __global__ void depthwise3x3(const half* __restrict__ x, const half* __restrict__ w, const half* __restrict__ bias,
                                        half* __restrict__ y, int n, int h, int wd, int c, int stride, int p, int q, int relu) {
    int c2 = c / 2;
    int64_t total = (int64_t)n * p * q * c2;
    GRID_STRIDE(i, total) {
        int cc = (int)(i % c2) * 2;
        int64_t pix = i / c2;
        int ow = (int)(pix % q), oh = (int)((pix / q) % p), b = (int)(pix / ((int64_t)p * q));
        float a0 = bias ? __half2float(bias[cc]) : 0.f, a1 = bias ? __half2float(bias[cc + 1]) : 0.f;
        for (int rr = 0; rr < 3; rr++) {
            int ih = oh * stride - 1 + rr;
            if (ih < 0 || ih >= h) continue;
            for (int ss = 0; ss < 3; ss++) {
                int iw = ow * stride - 1 + ss;
                if (iw < 0 || iw >= wd) continue;
                float2 v = __half22float2(*reinterpret_cast<const half2*>(x + (((int64_t)b * h + ih) * wd + iw) * c + cc));
                a0 += v.x * __half2float(w[cc * 9 + rr * 3 + ss]);
                a1 += v.y * __half2float(w[(cc + 1) * 9 + rr * 3 + ss]);
            }
        }
        if (relu) { a0 = fmaxf(a0, 0.f); a1 = fmaxf(a1, 0.f); }
        *reinterpret_cast<half2*>(y + pix * c + cc) = __floats2half2_rn(a0, a1);
    }
}

// Max pool, NHWC; padded taps are skipped (never selected), as torch.nn.MaxPool2d.
extern "C" __global__ void maxpool_nhwc(const half* __restrict__ x, half* __restrict__ y, int n, int h, int wd, int c,
                                        int kernel, int stride, int pad, int p, int q) {
    int64_t total = (int64_t)n * p * q * c;
    GRID_STRIDE(i, total) {
        int ch = (int)(i % c);
        int64_t pix = i / c;
        int ow = (int)(pix % q), oh = (int)((pix / q) % p), b = (int)(pix / ((int64_t)p * q));
        float m = -INFINITY;
        for (int rr = 0; rr < kernel; rr++) {
            int ih = oh * stride - pad + rr;
            if (ih < 0 || ih >= h) continue;
            for (int ss = 0; ss < kernel; ss++) {
                int iw = ow * stride - pad + ss;
                if (iw >= 0 && iw < wd) m = fmaxf(m, __half2float(x[(((int64_t)b * h + ih) * wd + iw) * c + ch]));
            }
        }
        y[i] = __float2half(m);
    }
}

// Mean over H*W: [N][HW][C] -> [N][C]. Block (n, 32-channel slice): 8 warps split the pixels, lanes take channels.
extern "C" __global__ void global_avgpool_nhwc(const half* __restrict__ x, half* __restrict__ y, int n, int hw, int c) {
    __shared__ float part[8][32];
    int b = blockIdx.y, ch = blockIdx.x * 32 + (threadIdx.x & 31), warp = threadIdx.x >> 5;
    float s = 0.f;
    if (ch < c)
        for (int i = warp; i < hw; i += 8) s += __half2float(x[((int64_t)b * hw + i) * c + ch]);
    part[warp][threadIdx.x & 31] = s;
    __syncthreads();
    if (warp == 0 && ch < c) {
        float t = 0.f;
        for (int j = 0; j < 8; j++) t += part[j][threadIdx.x];
        y[(int64_t)b * c + ch] = __float2half(t / hw);
    }
}

// [rows][c] -> first [rows][c/2], second [rows][c/2].
extern "C" __global__ void channel_split(const half* __restrict__ x, half* __restrict__ a, half* __restrict__ b, int64_t rows, int c) {
    int half_c = c / 2;
    GRID_STRIDE(i, rows * c) {
        int64_t row = i / c;
        int ch = (int)(i % c);
        if (ch < half_c) a[row * half_c + ch] = x[i];
        else b[row * half_c + ch - half_c] = x[i];
    }
}

// a [rows][ca], b [rows][cb] -> [rows][ca + cb].
extern "C" __global__ void channel_concat(const half* __restrict__ a, const half* __restrict__ b, half* __restrict__ y, int64_t rows, int ca, int cb) {
    int c = ca + cb;
    GRID_STRIDE(i, rows * c) {
        int64_t row = i / c;
        int ch = (int)(i % c);
        y[i] = ch < ca ? a[row * ca + ch] : b[row * cb + ch - ca];
    }
}

// Output channel j = i * groups + g takes input channel g * (c / groups) + i.
extern "C" __global__ void channel_shuffle(const half* __restrict__ x, half* __restrict__ y, int64_t rows, int c, int groups) {
    int m = c / groups;
    GRID_STRIDE(i, rows * c) {
        int64_t row = i / c;
        int j = (int)(i % c);
        y[i] = x[row * c + (j % groups) * m + j / groups];
    }
}

// Concat of a and b (c/2 channels each) followed by a 2-group channel shuffle, in one pass: y[2i] = a[i], y[2i+1] = b[i].
extern "C" __global__ void concat_shuffle2(const half* __restrict__ a, const half* __restrict__ b, half* __restrict__ y, int64_t rows, int half_c) {
    GRID_STRIDE(i, rows * half_c) {
        half2 v;
        v.x = a[i];
        v.y = b[i];
        reinterpret_cast<half2*>(y)[i] = v;
    }
}

// The classifier: y[M][N] = x[M][K] * W[N][K]^T + bias[N]. 64x64 output tile per block of 256 threads, each thread
// a 4x4 sub-tile, K in steps of 16 through shared memory (transposed so the inner loop reads consecutive floats).
#define FC_T 64
#define FC_BK 16
extern "C" __global__ void linear_bias(const half* __restrict__ x, const half* __restrict__ w, const half* __restrict__ bias,
                                       half* __restrict__ y, int m, int n, int k) {
    __shared__ float xs[FC_BK][FC_T + 4], ws[FC_BK][FC_T + 4];
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    int row0 = blockIdx.y * FC_T, col0 = blockIdx.x * FC_T;
    float acc[4][4] = {};
    for (int k0 = 0; k0 < k; k0 += FC_BK) {
        for (int e = threadIdx.x; e < FC_T * FC_BK; e += 256) {
            int rr = e / FC_BK, kk = e % FC_BK;
            int gr = row0 + rr, gc = col0 + rr, gk = k0 + kk;
            xs[kk][rr] = (gr < m && gk < k) ? __half2float(x[(int64_t)gr * k + gk]) : 0.f;
            ws[kk][rr] = (gc < n && gk < k) ? __half2float(w[(int64_t)gc * k + gk]) : 0.f;
        }
        __syncthreads();
        for (int kk = 0; kk < FC_BK; kk++) {
            float a[4], bb[4];
            for (int i = 0; i < 4; i++) { a[i] = xs[kk][ty * 4 + i]; bb[i] = ws[kk][tx * 4 + i]; }
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * bb[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; i++) {
        int gr = row0 + ty * 4 + i;
        if (gr >= m) continue;
        for (int j = 0; j < 4; j++) {
            int gc = col0 + tx * 4 + j;
            if (gc < n) y[(int64_t)gr * n + gc] = __float2half(acc[i][j] + (bias ? __half2float(bias[gc]) : 0.f));
        }
    }
}

// ---- activation quantisers of the low-bit convs (CPU semantics: org.ladderae.executor.cnn.CnnQuantization) ----

// MXFP8 (org.ladderae.formats.Mxfp8.encodeBlock) of an NHWC tensor whose C is a multiple of 32: every 32
// consecutive elements (one pixel's 32-channel block) share the E8M0 exponent X + 127, X = floor(log2 amax) - 15
// (E5M2's emax); elements RNE(v / 2^X) saturated to +-57344 (exact for FP16 inputs: v / 2^X is an FP16 value scaled
// by a power of two). One thread per block: four 16-byte loads, two 16-byte stores.
extern "C" __global__ void quant_mxfp8_blocks(const half* __restrict__ x, int64_t blocks, uint8_t* __restrict__ codes, uint8_t* __restrict__ exps) {
    GRID_STRIDE(b, blocks) {
        const uint4* src = reinterpret_cast<const uint4*>(x + b * 32);
        float v[32];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            uint4 u = src[i];
            const half2* h = reinterpret_cast<const half2*>(&u);
#pragma unroll
            for (int j = 0; j < 4; j++) {
                float2 f = __half22float2(h[j]);
                v[8 * i + 2 * j] = f.x;
                v[8 * i + 2 * j + 1] = f.y;
            }
        }
        float amax = 0.f;
#pragma unroll
        for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(v[i]));
        // amax is an FP16 value, normal in FP32: its exponent field is floor(log2 amax) exactly.
        int e = amax == 0.f ? -127 : (int)((__float_as_uint(amax) >> 23) & 0xff) - 127 - 15;
        e = max(-127, min(127, e));
        const float inv = amax == 0.f ? 1.f : __int_as_float((127 - e) << 23);
        uint32_t out[8];
#pragma unroll
        for (int i = 0; i < 8; i++) {
            uint32_t w = 0;
#pragma unroll
            for (int j = 0; j < 4; j++) w |= (uint32_t)__nv_cvt_float_to_fp8(v[4 * i + j] * inv, __NV_SATFINITE, __NV_E5M2) << (8 * j);
            out[i] = w;
        }
        uint4* dst = reinterpret_cast<uint4*>(codes + b * 32);
        dst[0] = make_uint4(out[0], out[1], out[2], out[3]);
        dst[1] = make_uint4(out[4], out[5], out[6], out[7]);
        exps[b] = (uint8_t)(e + 127);
    }
}

// INT4 per tensor, pass 1: max |x| of each block's grid-stride share (n even), into partial[blockIdx.x]. Two passes
// (no atomics, nothing to reset between runs): quant_int4_tensor reduces the partials again in every block.
__device__ __forceinline__ float cnn_block_max(float v, float* red) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = (blockDim.x + 31) >> 5;
    __syncthreads();
    if (lane == 0) red[warp] = v;
    __syncthreads();
    float t = 0.f;
    for (int w = 0; w < warps; w++) t = fmaxf(t, red[w]);
    return t;
}

extern "C" __global__ void absmax_partial(const half* __restrict__ x, int64_t pairs, float* __restrict__ partial) {
    __shared__ float red[32];
    float m = 0.f;
    GRID_STRIDE(i, pairs) {
        float2 f = __half22float2(reinterpret_cast<const half2*>(x)[i]);
        m = fmaxf(m, fmaxf(fabsf(f.x), fabsf(f.y)));
    }
    m = cnn_block_max(m, red);
    if (threadIdx.x == 0) partial[blockIdx.x] = m;
}

// Pass 2: amax = max(partial[0 .. parts)), scale = amax / 7 (FP32), code = RNE(x / scale) (IEEE division) clamped
// to [-7, 7], two per byte (element 0 low), as org.ladderae.formats.ActivationQuantizer.quantizeInt does per row; an
// all-zero tensor has scale 0 and codes 0. Block 0 stores the scale the conv's epilogue multiplies by.
extern "C" __global__ void quant_int4_tensor(const half* __restrict__ x, int64_t pairs, const float* __restrict__ partial, int parts,
                                             uint8_t* __restrict__ codes, float* __restrict__ scale) {
    __shared__ float red[32];
    float m = 0.f;
    for (int i = threadIdx.x; i < parts; i += blockDim.x) m = fmaxf(m, partial[i]);
    const float amax = cnn_block_max(m, red);
    const float s = amax / 7.f;
    if (blockIdx.x == 0 && threadIdx.x == 0) *scale = s;
    GRID_STRIDE(i, pairs) {
        float2 f = __half22float2(reinterpret_cast<const half2*>(x)[i]);
        int lo = amax > 0.f ? max(-7, min(7, __float2int_rn(__fdiv_rn(f.x, s)))) : 0;
        int hi = amax > 0.f ? max(-7, min(7, __float2int_rn(__fdiv_rn(f.y, s)))) : 0;
        codes[i] = (uint8_t)((lo & 15) | ((hi & 15) << 4));
    }
}

// Encoder-model ops of the layer executor (ViT, Conformer): the index arithmetic of
// org.ladderae.models.reference.EncoderOps, on FP16 activations with FP32 arithmetic.
#include <cuda_fp16.h>
#include <stdint.h>

__device__ __forceinline__ float sigmoidf_(float x) { return 1.f / (1.f + __expf(-x)); }

// Image [B][C][H][W] -> patch rows [B * (H/p) * (W/p)][C * p * p], each row in (c, i, j) order: 8 pixels (16 bytes)
// per thread, p % 8 == 0 (host checks). Consecutive threads read consecutive 16-byte runs of one image row.
extern "C" __global__ void patchify(const half* __restrict__ img, half* __restrict__ out, int batch, int C, int H, int W, int p) {
    const int ph = H / p, pw = W / p, width = C * p * p, vecs_per_row = width / 8;
    const long long total = (long long)batch * ph * pw * vecs_per_row;
    for (long long v = (long long)blockIdx.x * blockDim.x + threadIdx.x; v < total; v += (long long)gridDim.x * blockDim.x) {
        long long row = v / vecs_per_row;
        int e = (int)(v % vecs_per_row) * 8;
        int n = (int)(row / (ph * pw)), pr = (int)(row % (ph * pw)), py = pr / pw, px = pr % pw;
        int ch = e / (p * p), ij = e % (p * p), i = ij / p, j = ij % p;
        const uint4* src = reinterpret_cast<const uint4*>(img + (((size_t)n * C + ch) * H + py * p + i) * W + px * p + j);
        reinterpret_cast<uint4*>(out)[v] = *src;
    }
}

// out[b][t][e] = (t == 0 ? token[e] : x[b][t-1][e]) + pos[t][e] for t <= n.
extern "C" __global__ void class_token(const half* __restrict__ x, const half* __restrict__ token, const half* __restrict__ pos,
                                       half* __restrict__ out, int batch, int n, int d) {
    const long long total = (long long)batch * (n + 1) * d;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += (long long)gridDim.x * blockDim.x) {
        int e = (int)(idx % d);
        long long bt = idx / d;
        int t = (int)(bt % (n + 1)), b = (int)(bt / (n + 1));
        float v = t == 0 ? __half2float(token[e]) : __half2float(x[((size_t)b * n + t - 1) * d + e]);
        out[idx] = __float2half(v + __half2float(pos[(size_t)t * d + e]));
    }
}

// out[b][e] = x[b][index][e].
extern "C" __global__ void take_token(const half* __restrict__ x, half* __restrict__ out, int batch, int seq, int index, int d) {
    const long long total = (long long)batch * d;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += (long long)gridDim.x * blockDim.x) {
        int b = (int)(idx / d), e = (int)(idx % d);
        out[idx] = x[((size_t)b * seq + index) * d + e];
    }
}

// out = a + scale * b, n even (half2).
extern "C" __global__ void scaled_add(const half2* __restrict__ a, const half2* __restrict__ b, half2* __restrict__ out, long long n, float scale) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n / 2; i += (long long)gridDim.x * blockDim.x) {
        float2 x = __half22float2(a[i]), y = __half22float2(b[i]);
        out[i] = __floats2half2_rn(x.x + scale * y.x, x.y + scale * y.y);
    }
}

// kind 0: SiLU x * sigmoid(x); kind 1: exact GeLU 0.5 x (1 + erf(x / sqrt 2)) (torch.nn.GELU(), timm's MLP).
extern "C" __global__ void activation(const half* __restrict__ x, half* __restrict__ out, long long n, int kind) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float v = __half2float(x[i]);
        v = kind == 0 ? v * sigmoidf_(v) : 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
        out[i] = __float2half(v);
    }
}

// GLU over the last axis: out[r][i] = x[r][i] * sigmoid(x[r][c + i]), x [rows][2c].
extern "C" __global__ void glu(const half* __restrict__ x, half* __restrict__ out, int rows, int c) {
    const long long total = (long long)rows * c;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += (long long)gridDim.x * blockDim.x) {
        long long r = idx / c;
        int i = (int)(idx % c);
        const half* row = x + r * 2 * c;
        out[idx] = __float2half(__half2float(row[i]) * sigmoidf_(__half2float(row[c + i])));
    }
}

#define DW_TT 64     // time steps per block
#define DW_CC 64     // channels per block
#define DW_MAXK 63   // largest kernel the tile holds (EncoderSteps.MAX_KERNEL)

// Depthwise conv1d along the sequence of channels-last activations [B * seq][C]: out[b][t][c] = bias[c] +
// sum_j w[c][j] * in[b][t + j - (K-1)/2][c] (zeros outside), then SiLU when silu. in is x itself, or, when glu, the GLU
// of x [B * seq][2C] computed while loading (x[.][c] * sigmoid(x[.][C + c])). Weights and bias FP32 (BatchNorm folded on
// the host). Block (32, 8) owns 64 time steps x 64 channels: the input span (64 + K - 1 rows) is staged in shared memory
// as FP32, then each thread computes 8 time steps of 2 adjacent channels. C even (host checks).
extern "C" __global__ void __launch_bounds__(256) depthwise_conv1d(const half* __restrict__ x, int ldx, int glu,
                                                                   const float* __restrict__ w, const float* __restrict__ bias,
                                                                   half* __restrict__ out, int seq, int C, int K, int silu) {
    __shared__ __align__(16) float tile[(DW_TT + DW_MAXK - 1) * DW_CC];   // float2 reads
    const int b = blockIdx.z, t0 = blockIdx.x * DW_TT, c0 = blockIdx.y * DW_CC, pad = (K - 1) / 2, span = DW_TT + K - 1;
    const int tid = threadIdx.y * 32 + threadIdx.x;
    for (int idx = tid; idx < span * DW_CC; idx += 256) {
        int r = idx / DW_CC, cc = idx % DW_CC, t = t0 - pad + r, c = c0 + cc;
        float v = 0.f;
        if (t >= 0 && t < seq && c < C) {
            const half* row = x + ((size_t)b * seq + t) * ldx;
            v = __half2float(row[c]);
            if (glu) v *= sigmoidf_(__half2float(row[C + c]));
        }
        tile[idx] = v;
    }
    __syncthreads();
    const int cc = threadIdx.x * 2, c = c0 + cc;
    if (c >= C) return;
    float acc0[8], acc1[8];
    const float b0 = bias[c], b1 = bias[c + 1];
#pragma unroll
    for (int s = 0; s < 8; s++) { acc0[s] = b0; acc1[s] = b1; }
    const float* w0 = w + (size_t)c * K;
    const float* w1 = w0 + K;
    const int tt = threadIdx.y * 8;
    for (int j = 0; j < K; j++) {
        float wa = w0[j], wb = w1[j];
#pragma unroll
        for (int s = 0; s < 8; s++) {
            float2 in = *reinterpret_cast<const float2*>(&tile[(tt + s + j) * DW_CC + cc]);
            acc0[s] += wa * in.x;
            acc1[s] += wb * in.y;
        }
    }
#pragma unroll
    for (int s = 0; s < 8; s++) {
        int t = t0 + tt + s;
        if (t >= seq) break;
        float y0 = acc0[s], y1 = acc1[s];
        if (silu) { y0 *= sigmoidf_(y0); y1 *= sigmoidf_(y1); }
        *reinterpret_cast<half2*>(out + ((size_t)b * seq + t) * C + c) = __floats2half2_rn(y0, y1);
    }
}

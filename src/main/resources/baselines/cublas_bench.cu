// cuBLAS / cuBLASLt GEMM benchmark for the ladder-ae baselines (Figure 12 matmul panel, Table 1).
// Shipped as source with the harness, built on demand with nvcc:
//   nvcc -O2 -std=c++17 -arch=sm_90a cublas_bench.cu -lcublasLt -lcublas -o cublas_bench
// Layout as in the paper: NT, C[M,N] = A[M,K] * W[N,K]^T, all row-major. cuBLAS is column-major, so
// the call computes C^T[N,M] = op_T(W) * A with W and A both read as K-major ("TN" in BLAS terms).
// Usage: cublas_bench --types fp16,fp16acc32,fp32,int8,fp8 --warmup 10 --iters 50
//                     --shape M0:1,14336,57344 [--shape ...]
// Prints one JSON object per line and per (shape, type): median_ms, cv, samples_ms, or a status
// "na"/"failed" with the reason. Timing: one CUDA event pair around each call, after warm-up, with
// inputs rotated among several buffer sets when one set would fit in L2.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

struct Failure : std::runtime_error { using std::runtime_error::runtime_error; };

#define CUDA_CHECK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
    throw Failure(std::string(#x) + ": " + cudaGetErrorString(e_)); } } while (0)
#define CUBLAS_CHECK(x) do { cublasStatus_t s_ = (x); if (s_ != CUBLAS_STATUS_SUCCESS) { \
    throw Failure(std::string(#x) + ": " + cublasGetStatusString(s_)); } } while (0)

struct Shape { std::string name; long m, n, k; };

static std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') { o += '\\'; o += c; }
        else if (c == '\n') o += "\\n";
        else if ((unsigned char)c < 0x20) o += ' ';
        else o += c;
    }
    return o;
}

// Deterministic pseudo-random fill on the device: never zeros (zeros can run faster than real data).
__device__ inline uint32_t hash32(uint64_t i, uint32_t seed) {
    uint64_t x = i * 0x9E3779B97F4A7C15ull + seed;
    x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ull; x ^= x >> 29;
    return (uint32_t)x;
}
__device__ inline float uniform_pm1(uint64_t i, uint32_t seed) {  // in [-1, 1)
    return (hash32(i, seed) >> 8) * (2.0f / 16777216.0f) - 1.0f;
}
__global__ void fill_half(__half* p, size_t n, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        p[i] = __float2half(uniform_pm1(i, seed));
}
__global__ void fill_float(float* p, size_t n, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        p[i] = uniform_pm1(i, seed);
}
__global__ void fill_int8(int8_t* p, size_t n, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        p[i] = (int8_t)((int)(hash32(i, seed) % 255u) - 127);
}
__global__ void fill_fp8(__nv_fp8_e4m3* p, size_t n, uint32_t seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        p[i] = __nv_fp8_e4m3(uniform_pm1(i, seed) * 4.0f);
}

struct Buffers {
    std::vector<void*> a, w;  // rotated input sets
    void* c = nullptr;
    ~Buffers() {
        for (void* p : a) cudaFree(p);
        for (void* p : w) cudaFree(p);
        if (c) cudaFree(c);
    }
};

enum class Kind { FP16, FP16ACC32, FP32, INT8, FP8 };

struct TypeInfo { Kind kind; const char* name; const char* formats; size_t in_bytes; size_t out_bytes; const char* api; };

static TypeInfo type_info(const std::string& t) {
    if (t == "fp16") return {Kind::FP16, "fp16", "W_FP16A_FP16", 2, 2, "cublasGemmEx FP16 in/out, CUBLAS_COMPUTE_16F (as the paper)"};
    if (t == "fp16acc32") return {Kind::FP16ACC32, "fp16acc32", "W_FP16A_FP16", 2, 2, "cublasGemmEx FP16 in/out, CUBLAS_COMPUTE_32F (as torch.matmul)"};
    if (t == "fp32") return {Kind::FP32, "fp32", "W_FP32A_FP32", 4, 4, "cublasGemmEx FP32, CUBLAS_COMPUTE_32F (no TF32)"};
    if (t == "int8") return {Kind::INT8, "int8", "W_INT8A_INT8", 1, 4, "cublasGemmEx INT8 in, INT32 out, CUBLAS_COMPUTE_32I (IMMA)"};
    if (t == "fp8") return {Kind::FP8, "fp8", "W_FP8E4M3A_FP8E4M3", 1, 2, "cublasLtMatmul E4M3 x E4M3, FP16 out, FP32 compute"};
    throw Failure("unknown type " + t);
}

static void fill(Kind kind, void* p, size_t n, uint32_t seed) {
    int threads = 256, blocks = 4096;
    switch (kind) {
        case Kind::FP16: case Kind::FP16ACC32: fill_half<<<blocks, threads>>>((__half*)p, n, seed); break;
        case Kind::FP32: fill_float<<<blocks, threads>>>((float*)p, n, seed); break;
        case Kind::INT8: fill_int8<<<blocks, threads>>>((int8_t*)p, n, seed); break;
        case Kind::FP8: fill_fp8<<<blocks, threads>>>((__nv_fp8_e4m3*)p, n, seed); break;
    }
    CUDA_CHECK(cudaGetLastError());
}

struct Context {
    cublasHandle_t blas = nullptr;
    cublasLtHandle_t lt = nullptr;
    void* workspace = nullptr;
    size_t workspace_bytes = 64u << 20;
    size_t l2_bytes = 0;
    std::string device;
};

// One GEMM call on buffer set `s`. For FP8 the Lt descriptors are made once per shape (see run_shape).
struct LtPlan {
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t lw = nullptr, la = nullptr, lc = nullptr;
    cublasLtMatmulAlgo_t algo{};
    ~LtPlan() {
        if (lc) cublasLtMatrixLayoutDestroy(lc);
        if (la) cublasLtMatrixLayoutDestroy(la);
        if (lw) cublasLtMatrixLayoutDestroy(lw);
        if (op) cublasLtMatmulDescDestroy(op);
    }
};

static void gemm(Context& ctx, Kind kind, const Shape& sh, const void* a, const void* w, void* c, LtPlan* plan) {
    int m = (int)sh.n, n = (int)sh.m, k = (int)sh.k;  // column-major view: C^T[N,M]
    switch (kind) {
        case Kind::FP16: {
            __half alpha = __float2half(1.0f), beta = __float2half(0.0f);
            CUBLAS_CHECK(cublasGemmEx(ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, w, CUDA_R_16F, k, a, CUDA_R_16F, k,
                                      &beta, c, CUDA_R_16F, m, CUBLAS_COMPUTE_16F, CUBLAS_GEMM_DEFAULT));
            break;
        }
        case Kind::FP16ACC32: {
            float alpha = 1.0f, beta = 0.0f;
            CUBLAS_CHECK(cublasGemmEx(ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, w, CUDA_R_16F, k, a, CUDA_R_16F, k,
                                      &beta, c, CUDA_R_16F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
            break;
        }
        case Kind::FP32: {
            float alpha = 1.0f, beta = 0.0f;
            CUBLAS_CHECK(cublasGemmEx(ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, w, CUDA_R_32F, k, a, CUDA_R_32F, k,
                                      &beta, c, CUDA_R_32F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
            break;
        }
        case Kind::INT8: {
            int32_t alpha = 1, beta = 0;
            CUBLAS_CHECK(cublasGemmEx(ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, w, CUDA_R_8I, k, a, CUDA_R_8I, k,
                                      &beta, c, CUDA_R_32I, m, CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT));
            break;
        }
        case Kind::FP8: {
            float alpha = 1.0f, beta = 0.0f;
            CUBLAS_CHECK(cublasLtMatmul(ctx.lt, plan->op, &alpha, w, plan->lw, a, plan->la, &beta, c, plan->lc, c, plan->lc,
                                        &plan->algo, ctx.workspace, ctx.workspace_bytes, 0));
            break;
        }
    }
}

static void make_fp8_plan(Context& ctx, const Shape& sh, LtPlan& p) {
    uint64_t m = sh.n, n = sh.m, k = sh.k;
    CUBLAS_CHECK(cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t t = CUBLAS_OP_T, nn = CUBLAS_OP_N;
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t));
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSB, &nn, sizeof nn));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p.lw, CUDA_R_8F_E4M3, k, m, k));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p.la, CUDA_R_8F_E4M3, k, n, k));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p.lc, CUDA_R_16F, m, n, m));
    cublasLtMatmulPreference_t pref;
    CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
    CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ctx.workspace_bytes,
                                                      sizeof ctx.workspace_bytes));
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(ctx.lt, p.op, p.lw, p.la, p.lc, p.lc, pref, 1, &result, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
        throw Failure(std::string("NA:cuBLASLt has no FP8 E4M3 algorithm for this shape (") + cublasGetStatusString(s) + ", " +
                      std::to_string(found) + " found)");
    }
    p.algo = result.algo;
}

static void emit_status(const Shape& sh, const TypeInfo& ti, const Context& ctx, const char* status, const std::string& reason) {
    printf("{\"bench\":\"cublas\",\"system\":\"cuBLAS\",\"workload\":\"%s\",\"M\":%ld,\"N\":%ld,\"K\":%ld,\"type\":\"%s\","
           "\"formats\":\"%s\",\"status\":\"%s\",\"reason\":\"%s\",\"device\":\"%s\"}\n",
           json_escape(sh.name).c_str(), sh.m, sh.n, sh.k, ti.name, ti.formats, status, json_escape(reason).c_str(),
           json_escape(ctx.device).c_str());
    fflush(stdout);
}

static void run_shape(Context& ctx, const Shape& sh, const TypeInfo& ti, int warmup, int iters) {
    size_t a_elems = (size_t)sh.m * sh.k, w_elems = (size_t)sh.n * sh.k, c_elems = (size_t)sh.m * sh.n;
    size_t set_bytes = (a_elems + w_elems) * ti.in_bytes + c_elems * ti.out_bytes;
    // Rotate among enough input sets that their total is at least 4x L2, so repeated calls do not
    // run out of a warm cache (at most 64 sets).
    int sets = (int)std::min<size_t>(64, std::max<size_t>(1, (4 * ctx.l2_bytes + set_bytes - 1) / std::max<size_t>(1, set_bytes)));
    size_t free_b = 0, total_b = 0;
    CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    if ((a_elems + w_elems) * ti.in_bytes * sets + c_elems * ti.out_bytes + ctx.workspace_bytes > free_b * 9 / 10) {
        if (sets > 1) sets = 1;
        if ((a_elems + w_elems) * ti.in_bytes + c_elems * ti.out_bytes > free_b * 9 / 10)
            throw Failure("NA:does not fit in free GPU memory");
    }
    Buffers b;
    for (int s = 0; s < sets; s++) {
        void *a, *w;
        CUDA_CHECK(cudaMalloc(&a, a_elems * ti.in_bytes));
        b.a.push_back(a);
        CUDA_CHECK(cudaMalloc(&w, w_elems * ti.in_bytes));
        b.w.push_back(w);
        fill(ti.kind, a, a_elems, 1000 + 2 * s);
        fill(ti.kind, w, w_elems, 1001 + 2 * s);
    }
    CUDA_CHECK(cudaMalloc(&b.c, c_elems * ti.out_bytes));
    CUDA_CHECK(cudaDeviceSynchronize());

    LtPlan plan;
    if (ti.kind == Kind::FP8) make_fp8_plan(ctx, sh, plan);
    for (int i = 0; i < warmup; i++) gemm(ctx, ti.kind, sh, b.a[i % sets], b.w[i % sets], b.c, &plan);
    CUDA_CHECK(cudaDeviceSynchronize());

    std::vector<cudaEvent_t> ev(2 * iters);
    for (auto& e : ev) CUDA_CHECK(cudaEventCreate(&e));
    for (int i = 0; i < iters; i++) {
        CUDA_CHECK(cudaEventRecord(ev[2 * i]));
        gemm(ctx, ti.kind, sh, b.a[i % sets], b.w[i % sets], b.c, &plan);
        CUDA_CHECK(cudaEventRecord(ev[2 * i + 1]));
    }
    CUDA_CHECK(cudaEventSynchronize(ev.back()));
    CUDA_CHECK(cudaGetLastError());
    std::vector<double> ms(iters);
    for (int i = 0; i < iters; i++) {
        float t = 0;
        CUDA_CHECK(cudaEventElapsedTime(&t, ev[2 * i], ev[2 * i + 1]));
        ms[i] = t;
    }
    for (auto& e : ev) cudaEventDestroy(e);

    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double median = iters % 2 ? sorted[iters / 2] : 0.5 * (sorted[iters / 2 - 1] + sorted[iters / 2]);
    double mean = 0;
    for (double x : ms) mean += x;
    mean /= iters;
    double var = 0;
    for (double x : ms) var += (x - mean) * (x - mean);
    var /= std::max(1, iters - 1);
    double cv = mean > 0 ? std::sqrt(var) / mean : 0;
    double tflops = 2.0 * sh.m * sh.n * sh.k / (median * 1e-3) / 1e12;

    int cublas_ver = 0;
    cublasGetVersion(ctx.blas, &cublas_ver);
    int rt = 0;
    cudaRuntimeGetVersion(&rt);
    std::ostringstream s;
    s.precision(9);
    s << "[";
    for (int i = 0; i < iters; i++) s << (i ? "," : "") << ms[i];
    s << "]";
    printf("{\"bench\":\"cublas\",\"system\":\"cuBLAS\",\"workload\":\"%s\",\"M\":%ld,\"N\":%ld,\"K\":%ld,\"type\":\"%s\","
           "\"formats\":\"%s\",\"status\":\"ok\",\"median_ms\":%.6f,\"cv\":%.5f,\"samples_ms\":%s,\"device\":\"%s\","
           "\"versions\":{\"cublas\":\"%d\",\"cuda_runtime\":\"%d\"},"
           "\"extras\":{\"tflops\":%.3f,\"input_sets\":%d,\"warmup\":%d},\"api\":\"%s\"}\n",
           json_escape(sh.name).c_str(), sh.m, sh.n, sh.k, ti.name, ti.formats, median, cv, s.str().c_str(),
           json_escape(ctx.device).c_str(), cublas_ver, rt, tflops, sets, warmup, ti.api);
    fflush(stdout);
}

static std::vector<std::string> split(const std::string& s, char d) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, d)) if (!item.empty()) out.push_back(item);
    return out;
}

int main(int argc, char** argv) {
    std::vector<Shape> shapes;
    std::vector<std::string> types = {"fp16"};
    int warmup = 10, iters = 50;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) { fprintf(stderr, "missing value after %s\n", a.c_str()); exit(2); }
            return argv[++i];
        };
        if (a == "--shape") {
            std::string v = next();
            auto colon = v.find(':');
            std::string name = colon == std::string::npos ? v : v.substr(0, colon);
            auto dims = split(colon == std::string::npos ? v : v.substr(colon + 1), ',');
            if (dims.size() != 3) { fprintf(stderr, "bad --shape %s (want NAME:M,N,K)\n", v.c_str()); return 2; }
            shapes.push_back({name, atol(dims[0].c_str()), atol(dims[1].c_str()), atol(dims[2].c_str())});
        } else if (a == "--types") {
            types = split(next(), ',');
        } else if (a == "--warmup") {
            warmup = atoi(next().c_str());
        } else if (a == "--iters") {
            iters = atoi(next().c_str());
        } else {
            fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (shapes.empty() || iters < 1) { fprintf(stderr, "usage: cublas_bench --shape NAME:M,N,K [...] [--types fp16,...]\n"); return 2; }

    Context ctx;
    try {
        cudaDeviceProp prop;
        CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
        ctx.device = prop.name;
        ctx.l2_bytes = prop.l2CacheSize;
        CUBLAS_CHECK(cublasCreate(&ctx.blas));
        CUBLAS_CHECK(cublasLtCreate(&ctx.lt));
        CUDA_CHECK(cudaMalloc(&ctx.workspace, ctx.workspace_bytes));
        CUBLAS_CHECK(cublasSetWorkspace(ctx.blas, ctx.workspace, ctx.workspace_bytes));
    } catch (const Failure& f) {
        fprintf(stderr, "cublas_bench: setup failed: %s\n", f.what());
        return 1;
    }
    int failures = 0;
    for (const auto& t : types) {
        TypeInfo ti;
        try { ti = type_info(t); } catch (const Failure& f) { fprintf(stderr, "%s\n", f.what()); return 2; }
        for (const auto& sh : shapes) {
            try {
                run_shape(ctx, sh, ti, warmup, iters);
            } catch (const Failure& f) {
                std::string msg = f.what();
                bool na = msg.rfind("NA:", 0) == 0;
                // A cuBLAS "not supported" status means the library has no kernel for this case: n/a, not a failure.
                if (!na && msg.find("CUBLAS_STATUS_NOT_SUPPORTED") != std::string::npos) na = true;
                emit_status(sh, ti, ctx, na ? "na" : "failed", na && msg.rfind("NA:", 0) == 0 ? msg.substr(3) : msg);
                if (!na) failures++;
                cudaGetLastError();  // clear a sticky-free error so the next shape can run
            }
        }
    }
    cudaFree(ctx.workspace);
    cublasLtDestroy(ctx.lt);
    cublasDestroy(ctx.blas);
    return failures ? 3 : 0;
}

package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One launch configuration of the Ladder tensor-core GEMM ({@code kernels/gemm/ladder_gemm.cu} for the
 * portable mma.sync path, {@code kernels/gemm/ladder_gemm_wgmma.cu} for the sm_90a wgmma path).
 *
 * <p>Layout NT: {@code C[M,N] (FP16) = A[M,K] x W[N,K]^T}. The kernel's K tile is 128 bytes of A per row
 * (64 FP16 or 128 INT8 elements), so {@code bk} follows from the activation format. The grid is
 * one-dimensional over output tiles (grouped order for L2 reuse) times {@code splitK} in z; with
 * {@code splitK > 1} the kernel writes FP32 (INT32 for INT8 activations) partials to a workspace of
 * {@link #workspaceBytes()} and {@code ladder_gemm_splitk_reduce} sums them into C.
 *
 * @param weight     weight format ({@link Format#FP16}, {@link Format#INT4} (Ladder fragment layout) or {@link Format#INT8})
 * @param activation activation format ({@link Format#FP16} or {@link Format#INT8})
 * @param path       tensor-core instruction family
 * @param m          rows of A and C (any value >= 1)
 * @param n          rows of W, columns of C (multiple of bn)
 * @param k          reduction length (multiple of bk * splitK)
 * @param bm         block tile rows (mma: multiple of 16 * warpsM; wgmma: 64 * warpgroups)
 * @param bn         block tile columns
 * @param warpsM     warps along M (wgmma: 4 * warpgroups, warpsN = 1)
 * @param warpsN     warps along N
 * @param stages     shared-memory pipeline depth
 * @param splitK     number of K slices (gridDim.z); mma path only
 */
public record GemmConfig(Format weight, Format activation, Path path, int m, int n, int k, int bm, int bn,
                         int warpsM, int warpsN, int stages, int splitK) {

    /** Storage formats the GEMM kernels take. */
    public enum Format { FP16, INT8, INT4 }

    /** Tensor-core instruction family: mma.sync m16n8k16 (f16), m16n8k32 (s8), or Hopper wgmma. */
    public enum Path { MMA16816, MMA16832, WGMMA }

    /** Largest dynamic shared memory per block on H100/H200 (227 KiB). */
    public static final int MAX_SMEM_PER_BLOCK = 232_448;

    public GemmConfig {
        if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("shape must be positive: " + m + "x" + n + "x" + k);
        if (stages < 2 || splitK < 1 || warpsM < 1 || warpsN < 1) throw new IllegalArgumentException("bad stages/splitK/warps");
        boolean ok = switch (path) {
            case MMA16816 -> activation == Format.FP16 && (weight == Format.FP16 || weight == Format.INT4);
            case MMA16832 -> activation == Format.INT8 && weight == Format.INT8;
            case WGMMA -> activation == Format.FP16 && weight == Format.FP16;
        };
        if (!ok) throw new IllegalArgumentException("no kernel for W_" + weight + " A_" + activation + " on " + path);
        if (path == Path.WGMMA) {
            if (warpsN != 1 || warpsM % 4 != 0 || bm != 16 * warpsM || (bn != 128 && bn != 256) || stages < 3 || splitK != 1)
                throw new IllegalArgumentException("wgmma: bm = 64 per warpgroup, bn 128/256, stages >= 3, no split-K");
        } else {
            if (bm % (16 * warpsM) != 0 || bn % (16 * warpsN) != 0)
                throw new IllegalArgumentException("warp tile must be a multiple of 16x16");
        }
        int bk = activation == Format.INT8 ? 128 : 64;
        if (n % bn != 0) throw new IllegalArgumentException("N=" + n + " not a multiple of BN=" + bn);
        if (k % (bk * splitK) != 0) throw new IllegalArgumentException("K=" + k + " not a multiple of BK*splitK=" + bk * splitK);
        if (sharedMemoryBytesOf(weight, path, bm, bn, stages) > MAX_SMEM_PER_BLOCK)
            throw new IllegalArgumentException("shared memory " + sharedMemoryBytesOf(weight, path, bm, bn, stages) + " B over the limit");
    }

    /** The mma.sync configuration with the default kernel for the formats. */
    public static GemmConfig mma(Format weight, Format activation, int m, int n, int k, int bm, int bn,
                                 int warpsM, int warpsN, int stages, int splitK) {
        Path p = activation == Format.INT8 ? Path.MMA16832 : Path.MMA16816;
        return new GemmConfig(weight, activation, p, m, n, k, bm, bn, warpsM, warpsN, stages, splitK);
    }

    /** The wgmma FP16 configuration: {@code warpgroups} x 64 rows, bn columns. */
    public static GemmConfig wgmma(int m, int n, int k, int warpgroups, int bn, int stages) {
        return new GemmConfig(Format.FP16, Format.FP16, Path.WGMMA, m, n, k, 64 * warpgroups, bn, 4 * warpgroups, 1, stages, 1);
    }

    /** K elements per pipeline stage: 128 bytes of A per row. */
    public int bk() { return activation == Format.INT8 ? 128 : 64; }

    public int threads() { return warpsM * warpsN * 32; }

    /** The CUDA source (resource path) that builds this configuration. */
    public String source() {
        return path == Path.WGMMA ? "kernels/gemm/ladder_gemm_wgmma.cu" : "kernels/gemm/ladder_gemm.cu";
    }

    /** CUTLASS-style symbol, e.g. {@code ladder_gemm_w_int4_a_fp16_mma16816_128x256x64_w2x4_4stage}. Split-K is a launch choice, not part of the name. */
    public String kernelName() {
        String w = weight.name().toLowerCase(Locale.ROOT), a = activation.name().toLowerCase(Locale.ROOT);
        String tile = bm + "x" + bn + "x" + bk();
        return switch (path) {
            case MMA16816, MMA16832 -> "ladder_gemm_w_" + w + "_a_" + a + "_" + path.name().toLowerCase(Locale.ROOT) + "_"
                    + tile + "_w" + warpsM + "x" + warpsN + "_" + stages + "stage";
            case WGMMA -> "ladder_gemm_w_" + w + "_a_" + a + "_wgmma64x" + bn + "x16_" + tile + "_wg" + (warpsM / 4) + "_" + stages + "stage";
        };
    }

    /** nvcc flags for a standalone build: cubin, the sm_90a target and {@link #defineFlags()}. */
    public List<String> nvccFlags() {
        List<String> f = new ArrayList<>(List.of("-cubin", "-gencode=arch=compute_90a,code=sm_90a"));
        f.addAll(defineFlags());
        return f;
    }

    /**
     * -O3 and the -D macros: what {@link KernelCache} needs besides the source (it adds -cubin and the
     * target). They depend on the kernel, not on M, N, K, so one binary serves every shape it divides.
     */
    public List<String> defineFlags() {
        List<String> f = new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName()));
        if (path == Path.WGMMA) {
            f.add("-DWG=" + warpsM / 4);
            f.add("-DBN=" + bn);
            f.add("-DSTAGES=" + stages);
        } else {
            int fmt = weight == Format.INT4 ? 1 : activation == Format.INT8 ? 2 : 0;
            f.addAll(List.of("-DLADDER_FMT=" + fmt, "-DBM=" + bm, "-DBN=" + bn, "-DWARPS_M=" + warpsM, "-DWARPS_N=" + warpsN,
                    "-DSTAGES=" + stages));
        }
        return f;
    }

    /** The same kernel and split-K at another shape (the correctness check runs the timed binary on a small one). */
    public GemmConfig withShape(int m, int n, int k) {
        return new GemmConfig(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK);
    }

    /** "W_INT4A_FP16", the paper's label for the format pair. */
    public String formatLabel() { return "W_" + weight + "A_" + activation; }

    /** Grid {x, y, z}: x = output tiles (ceil(M/BM) * N/BN), z = split-K slices. */
    public int[] grid() { return new int[] {((m + bm - 1) / bm) * (n / bn), 1, splitK}; }

    public int[] block() { return new int[] {threads(), 1, 1}; }

    /** Dynamic shared memory in bytes (set as the function's max dynamic shared size before launch). */
    public int sharedMemoryBytes() { return sharedMemoryBytesOf(weight, path, bm, bn, stages); }

    private static int sharedMemoryBytesOf(Format weight, Path path, int bm, int bn, int stages) {
        int wRow = weight == Format.INT4 ? 32 : 128;
        int bytes = stages * (bm * 128 + bn * wRow);
        return path == Path.WGMMA ? bytes + 1024 : bytes;  // wgmma aligns its tiles to 1024 B by hand
    }

    /** Split-K workspace (FP32 or INT32 partials), 0 without split-K. */
    public long workspaceBytes() { return splitK == 1 ? 0 : 4L * splitK * m * n; }

    /** Bytes of W as the kernel reads it (INT4: N x K/2 in the Ladder fragment layout). */
    public long weightBytes() { return weight == Format.INT4 ? (long) n * k / 2 : (long) n * k * (weight == Format.INT8 ? 1 : 2); }

    public double flops() { return 2.0 * m * n * k; }
}

package org.ladderae.experiments;

/**
 * Rough durations for {@code --dry-run}, from the H100 runs in docs/runs. They plan a session's GPU
 * time; they are never reported as results.
 */
final class Estimates {
    /** nvcc on one GEMV configuration with a cold kernel cache; cached builds cost nothing. */
    static final double KERNEL_BUILD_S = 20;
    /** Kernel builds run in parallel, one nvcc per core; assume this many at once. */
    static final int BUILD_PARALLELISM = 8;
    /** Check at up to 1000 rows on a double-precision CPU reference, plus the timer's warm-up and 150 ms target. */
    static final double GEMV_POINT_S = 1.0;
    /** GemvRunner fills timing weights with valid codes on the host, about this fast. */
    static final double HOST_FILL_BYTES_PER_S = 1e9;
    /** Starting one benchmark process (python import of torch, or the cached cuBLAS benchmark). */
    static final double BASELINE_PROCESS_S = 15;
    /**
     * A conv point (8 cuDNN convs took about 20 s with the process start on the H100) or a whole model: one process
     * per model and setting, eager then Inductor, took 22-32 s on the H100 (2026-11-26, Figure 9's 14 settings).
     */
    static final double BASELINE_CONV_S = 1, BASELINE_MODEL_S = 30;
    /**
     * One end-to-end point on the Ladder model executor (check on the small layer, build, time): Figure 9's 36 LLaMA and
     * BLOOM points took 29.5 s on the H100 (2026-11-26); the SEQ4096 ones are the slow ones.
     */
    static final double LADDER_MODEL_S = 1;
    /** FP16 dense tensor peak of an H100 SXM: GEMM time at peak, a lower bound. */
    static final double GEMM_TFLOPS = 989.4;

    /** A GEMM point's check: up to 4095 x 512 x 512 on the double-precision CPU reference, plus M = 33. */
    static final double GEMM_CHECK_S = 3;
    /** Achieved GEMM throughput the H100 run measured (mma.sync ~330 TFLOP/s FP16); time is at least 20 repetitions. */
    static final double GEMM_ACHIEVED_TFLOPS = 330;
    static final int GEMM_MIN_REPS = 20;

    private Estimates() {}

    /**
     * One Ladder GEMM point: the check, filling A and W on the host ({@code bytesPerElement} of the
     * larger operand), and the timed repetitions at the measured throughput.
     */
    static double gemmPoint(long m, long n, long k, int bytesPerElement) {
        double fill = (double) (m + n) * k * bytesPerElement / HOST_FILL_BYTES_PER_S;
        return GEMM_CHECK_S + fill + 2.0 * m * n * k / (GEMM_ACHIEVED_TFLOPS * 1e12) * GEMM_MIN_REPS;
    }

    /** One conv candidate tile: its checks on the CPU reference (up to ~1e8 multiply-adds each) and a GpuTimer run (~0.35 s). */
    static final double CONV_CANDIDATE_S = 1.5;

    /** One Ladder conv point: every candidate tile checked and timed. */
    static double convPoint(int candidates) { return candidates * CONV_CANDIDATE_S; }

    static double gemvPoint(long weightBytes) { return GEMV_POINT_S + weightBytes / HOST_FILL_BYTES_PER_S; }

    static double kernelBuilds(int configs) {
        return Math.ceil(configs / (double) BUILD_PARALLELISM) * KERNEL_BUILD_S;
    }

    /** {@code repetitions} runs of each of {@code variants} precisions of a GEMM at the FP16 peak. */
    static double gemm(long m, long n, long k, int repetitions, int variants) {
        return 2.0 * m * n * k / (GEMM_TFLOPS * 1e12) * repetitions * variants;
    }
}

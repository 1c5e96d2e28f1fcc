package org.ladderae.kernels;

import org.ladderae.kernels.GemmConfig.Format;

/**
 * The GEMM kernel a shape runs without tuning: the fastest variant of the H100 run in
 * docs/kernels/GEMM-NOTES.md for each format and M regime. M &lt;= 64 is memory-bound and takes the
 * 32-row tiles (INT4 with split-K 4, which measured 2x faster there); larger M takes the 128-row
 * tiles, and FP16 the wgmma kernel where the GPU is sm_90a.
 */
public final class GemmKernels {
    /** Up to this M the 32-row, memory-bound tiles win. */
    static final int SMALL_M = 64;

    private GemmKernels() {}

    /** The formats there is a GEMM kernel for: W_FP16A_FP16, W_INT4A_FP16, W_INT8A_INT8. */
    public static boolean supports(Format weights, Format acts) {
        return acts == Format.FP16 ? weights == Format.FP16 || weights == Format.INT4 : weights == Format.INT8;
    }

    /**
     * The configuration for {@code m x n x k} on {@code arch}; IllegalArgumentException when no kernel
     * takes the formats or N is not a multiple of 128 (K of 64 FP16 / 128 INT8 elements).
     */
    public static GemmConfig forShape(Format weights, Format acts, int m, int n, int k, TargetArch arch) {
        if (!supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        if (m <= SMALL_M) {
            return switch (weights) {
                case INT4 -> GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 6, k % (64 * 4) == 0 ? 4 : 1);
                default -> GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 4, 1);
            };
        }
        boolean wgmma = arch.major() == 9 && arch.archSpecific();
        return switch (weights) {
            case FP16 -> wgmma && n % 256 == 0 ? GemmConfig.wgmma(m, n, k, 2, 256, 4)
                    : n % 256 == 0 ? GemmConfig.mma(weights, acts, m, n, k, 128, 256, 2, 4, 3, 1)
                    : GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 4, 1);
            case INT4 -> GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 5, 1);
            case INT8 -> GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 3, 1);
        };
    }
}

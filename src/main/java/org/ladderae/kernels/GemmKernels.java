package org.ladderae.kernels;

import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Path;

/**
 * The GEMM kernel a shape runs without tuning: the fastest variant of the H100 run in
 * docs/kernels/GEMM-NOTES.md for each format and M regime. M &lt;= 64 is memory-bound and takes the
 * 32-row tiles (INT4 with split-K 4, which measured 2x faster there); larger M takes the 128-row
 * tiles, and where the GPU is sm_90a the wgmma kernel for the pairs it has (FP16, INT8, FP8 x FP8).
 * Formats without a measured variant yet (NF4, FP8 weights, INT1, MXFP8) take their format family's
 * tiles; the FP8-activation mma tiles are 32x32 per warp because ptxas spills the 64x64 warp tile there.
 */
public final class GemmKernels {
    /** Up to this M the 32-row, memory-bound tiles win (the GEMM tuner's space splits its regimes here too). */
    public static final int SMALL_M = 64;

    private GemmKernels() {}

    /** Whether any GEMM kernel takes the formats (see {@link GemmConfig#supports}). */
    public static boolean supports(Format weights, Format acts) {
        for (Path p : Path.values()) if (GemmConfig.supports(weights, acts, p)) return true;
        return false;
    }

    /** The pairs with a kernel, as "W_xA_y" labels (for messages). */
    public static String supportedPairs() {
        StringBuilder b = new StringBuilder();
        for (Format a : Format.values())
            for (Format w : Format.values())
                if (supports(w, a)) b.append(b.length() == 0 ? "" : ", ").append("W_").append(w).append("A_").append(a);
        return b.toString();
    }

    /**
     * The configuration for {@code m x n x k} on {@code arch}; IllegalArgumentException when no kernel
     * takes the formats or N is not a multiple of 128 (K of 64 FP16 / 128 8-bit elements).
     */
    public static GemmConfig forShape(Format weights, Format acts, int m, int n, int k, TargetArch arch) {
        if (!supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        boolean fp8Acts = acts == Format.FP8_E4M3 || acts == Format.FP8_E5M2 || acts == Format.MXFP8;
        if (m <= SMALL_M) {
            return switch (weights) {
                case INT4, NF4 -> GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 6, k % (64 * 4) == 0 ? 4 : 1);
                default -> GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 4, 1);
            };
        }
        // wgmma s8 ran 1068 TOPS at 16384^3 on the H100 against 684 for mma.sync (docs/kernels/GEMM-NOTES.md, run 3)
        boolean wgmma = arch.major() == 9 && arch.archSpecific() && n % 256 == 0 && GemmConfig.supports(weights, acts, Path.WGMMA);
        if (wgmma) return GemmConfig.wgmma(weights, m, n, k, 2, 256, 4);
        if (fp8Acts) return GemmConfig.mma(weights, acts, m, n, k, 64, 128, 2, 4, 4, 1);
        return switch (weights) {
            case FP16 -> n % 256 == 0 ? GemmConfig.mma(weights, acts, m, n, k, 128, 256, 2, 4, 3, 1)
                    : GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 4, 1);
            case INT4, NF4, FP8_E5M2 -> GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 5, 1);
            default -> GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 3, 1);
        };
    }
}

package org.ladderae.kernels;

import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Path;

/**
 * The GEMM kernel a shape runs without tuning: the fastest variant of the H100 run in
 * docs/kernels/GEMM-NOTES.md for each format and M regime. M &lt;= 64 is memory-bound and takes the
 * 32-row tiles split along K ({@link #smallM}); larger M takes the 128-row
 * tiles, and where the GPU is sm_90a the wgmma kernel for the pairs it has (FP16, INT8, FP8 x FP8).
 * Formats without a measured variant yet (NF4, FP8 weights, INT1, MXFP8, and the Figure 14 pairs: INT8/INT2/INT1
 * weights with FP16 activations, INT4/INT2 weights with INT8 activations, INT4/INT2/INT1 weights with INT4
 * activations) take their format family's tiles: low-bit weights with FP16 activations INT4's (a decode in
 * registers before an f16 MMA), integer activations INT8's 128x128; the packed INT4-activation tiles are half as
 * wide in shared memory, so they take 4 stages where INT8 takes 3. The FP8-activation mma tiles are 32x32 per warp
 * because ptxas spills the 64x64 warp tile there.
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
     * The kernel of Figure 13 stage {@code stage}: HOLISTIC is {@link #forShape} (the per-shape launch configuration);
     * BASELINE, TRANSFORM and PTX run one fixed, untuned mma.sync configuration (32x128 w1x4 4 stages up to
     * {@link #SMALL_M}, else 128x128 w2x2 3 stages, 64x128 w2x4 for FP8 activations; no split-K) with that stage's code,
     * so the stages differ by the layout, then the decode, then the launch configuration, as the GEMV's do.
     * IllegalArgumentException for a pair without stage code ({@link GemmConfig#hasStageSwitches}) below HOLISTIC.
     */
    public static GemmConfig forStage(Format weights, Format acts, int m, int n, int k, TargetArch arch, GemvStage stage) {
        if (stage == GemvStage.HOLISTIC) return forShape(weights, acts, m, n, k, arch);
        if (!GemmConfig.hasStageSwitches(weights, acts))
            throw new IllegalArgumentException("the GEMM has Figure 13 stages for W_FP16A_FP16, W_INT4A_FP16, W_INT1A_INT8 and W_MXFP8A_MXFP8, not W_"
                    + weights + "A_" + acts + " (only its holistic kernel)");
        boolean fp8Acts = acts == Format.MXFP8;
        GemmConfig c = m <= SMALL_M ? GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 4, 1)
                : fp8Acts ? GemmConfig.mma(weights, acts, m, n, k, 64, 128, 2, 4, 3, 1)
                : GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 3, 1);
        return c.withStage(stage);
    }

    /**
     * M &lt;= 64: 32-row tiles streaming W, split along K so that the SMs fill. Measured on the H100 at Figure 12 M1/M4
     * (M = 32, docs/kernels/GEMM-NOTES.md "Skinny M", every tile 32x128..32x1024, 4-8 stages, split-K 1-16): weights under
     * 8 bits peak at split-K 8 with 4 stages (INT4 x FP16 53 % of copy bandwidth vs 48 % at the former split-K 4, INT1 x
     * INT8 28 / 23 % vs 15 / 9 % without split-K); 8- and 16-bit weights at split-K 2 when the N tiles alone leave SMs
     * idle (FP16 at N = 8192: 88 % vs 56 %; at N = 14336 no split, 95 %), with 6 stages for FP16 activations. Wider
     * tiles and 8 warps did not help: the low-bit tiles are bound by mma.sync throughput (~200 TFLOP/s with the decode).
     */
    static GemmConfig smallM(Format weights, Format acts, int m, int n, int k) {
        int bk = acts == Format.FP16 ? 64 : 128;
        int tiles = (m + 31) / 32 * (n / 128);
        if (weights.bits() < 8) {
            int split = 8;
            while (split > 1 && k % (bk * split) != 0) split /= 2;
            return GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, 4, split);
        }
        int split = tiles < 100 && k % (2 * bk) == 0 ? 2 : 1;
        return GemmConfig.mma(weights, acts, m, n, k, 32, 128, 1, 4, acts == Format.FP16 ? 6 : 4, split);
    }

    /**
     * The configuration for {@code m x n x k} on {@code arch}; IllegalArgumentException when no kernel
     * takes the formats or N is not a multiple of 128 (K of 64 FP16 / 128 8-bit elements).
     */
    public static GemmConfig forShape(Format weights, Format acts, int m, int n, int k, TargetArch arch) {
        if (!supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        boolean fp8Acts = acts == Format.FP8_E4M3 || acts == Format.FP8_E5M2 || acts == Format.MXFP8;
        if (m <= SMALL_M) return smallM(weights, acts, m, n, k);
        // TMA + warp-specialised wgmma for FP16 activations (docs/kernels/GEMM-NOTES.md, "wgmma v2")
        boolean hopper = arch.major() == 9 && arch.archSpecific();
        if (hopper && acts == Format.FP16 && GemmConfig.supports(weights, acts, Path.WGMMA_TMA)
                && (weights == Format.FP16 ? n % 256 == 0 && k % 64 == 0 : n % 128 == 0 && k % 128 == 0))
            return GemmConfig.wgmmaTma(weights, m, n, k);
        // wgmma s8 ran 1068 TOPS at 16384^3 on the H100 against 684 for mma.sync (docs/kernels/GEMM-NOTES.md, run 3)
        boolean wgmma = arch.major() == 9 && arch.archSpecific() && n % 256 == 0 && GemmConfig.supports(weights, acts, Path.WGMMA);
        if (wgmma) return GemmConfig.wgmma(weights, m, n, k, 2, 256, 4);
        if (fp8Acts) return GemmConfig.mma(weights, acts, m, n, k, 64, 128, 2, 4, 4, 1);
        if (acts == Format.INT4) return GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 4, 1);
        if (weights == Format.FP16)
            return n % 256 == 0 ? GemmConfig.mma(weights, acts, m, n, k, 128, 256, 2, 4, 3, 1)
                    : GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 4, 1);
        // weights decoded to FP16 in registers (INT4 measured 5.65 ms at 4096x8192x28672 with this tile, run 3)
        if (acts == Format.FP16) return GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 5, 1);
        return GemmConfig.mma(weights, acts, m, n, k, 128, 128, 2, 2, 3, 1);
    }
}

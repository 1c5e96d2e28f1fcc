package org.ladderae.kernels;

import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Path;

/**
 * The GEMM kernel a shape runs without tuning: the fastest variant of the H100 run in
 * docs/kernels/GEMM-NOTES.md for each format and M regime. M &lt;= 64 is memory-bound and takes the
 * 32-row tiles split along K ({@link #smallM}); larger M takes the 128-row
 * tiles, and where the GPU is sm_90a the TMA wgmma kernel for the pairs it has (every FP16-activation pair but FP8
 * E4M3 / MXFP8 weights, FP8 x FP8, INT8/INT4/INT2/INT1 weights x INT8; all measured at 0.94-1.5x their torch baseline
 * on the H100, docs/kernels/GEMM-NOTES.md "wgmma v3"); the cp.async wgmma kernel only where the TMA tile does not
 * divide the shape (it needs the same N % 256 and K % BK, so in practice only when a tuned checkpoint names it).
 * Without wgmma (or M &lt;= 64), the mma.sync tiles of each format family: low-bit weights with FP16 activations
 * INT4's (a decode in registers before an f16 MMA), integer activations INT8's 128x128; the packed INT4-activation
 * tiles are half as wide in shared memory, so they take 4 stages where INT8 takes 3. The FP8-activation mma tiles are
 * 32x32 per warp because ptxas spills the 64x64 warp tile there.
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

    /** From this M up to {@link #SMALL_M} the skinny TMA wgmma kernel takes the pairs it has on sm_90a. */
    public static final int SKINNY_TMA_MIN_M = 17;

    /**
     * The skinny-M TMA wgmma kernel ({@link GemmConfig#tmaSkinny()}) for 17 &lt;= M &lt;= 64 on sm_90a, or null where the
     * shape does not divide its tile. Measured on the H100 at Figure 12 M1 (32x14336x57344) and M4 (32x8192x28672),
     * docs/kernels/GEMM-NOTES.md "wgmma skinny M": 1.2-1.6x faster than the mma.sync 32-row tiles for every pair it has
     * (INT4 x FP16 83 / 75 % of copy bandwidth, FP8 E5M2 95 / 96 %, NF4 67 / 60 %, INT1 x INT8 37 / 28 %, INT1 x FP16
     * 22 / 18 %). 32 activation rows up to M = 32, else 64 (the rows are wgmma N, so padding costs tensor time; at
     * 64x8192x28672 INT4 ran 0.073 ms with 64x256 tiles vs 0.085 with two rows of 32x128, NF4 0.087 vs 0.112) but for
     * FP8 E5M2 (0.082 ms with 32x128 vs 0.094); 128 weight rows per CTA for INT4 / FP8 E5M2 at 32 rows, else 256 (NF4 / INT1
     * decode more per byte, and a wider tile reads the activations from L2 less often); split-K the smallest power of two that puts ~100 CTAs on the 132 SMs
     * (64 for 8-bit weights, whose tiles stream twice the bytes), as the sweep's best points do.
     */
    static GemmConfig skinnyTma(Format weights, Format acts, int m, int n, int k) {
        int bk = acts == Format.FP16 ? 64 : 128;
        // FP8 E5M2 keeps 32-row tiles at M = 64 too (two tile rows: 95 % of copy vs 83 % with one 64-row tile)
        int bm = m <= 32 || weights == Format.FP8_E5M2 ? 32 : 64;
        int bn = bm == 32 && (weights == Format.INT4 || weights == Format.FP8_E5M2) ? 128 : 256;
        if (n % bn != 0 && n % 128 == 0) bn = 128;
        if (n % bn != 0 || k % (2 * bk) != 0) return null;
        int tiles = (m + bm - 1) / bm * (n / bn), want = weights.bits() == 8 ? 64 : 100, ktiles = k / bk;
        int split = 1;
        while (split < 16 && tiles * split < want && 2 * (2 * split) <= ktiles) split *= 2;
        return GemmConfig.wgmmaTmaSkinny(weights, acts, m, n, k, bm, bn, split);
    }

    /**
     * The configuration for {@code m x n x k} on {@code arch}; IllegalArgumentException when no kernel
     * takes the formats or N is not a multiple of 128 (K of 64 FP16 / 128 8-bit elements).
     */
    public static GemmConfig forShape(Format weights, Format acts, int m, int n, int k, TargetArch arch) {
        if (!supports(weights, acts)) throw new IllegalArgumentException("no GEMM kernel for W_" + weights + "A_" + acts);
        boolean fp8Acts = acts == Format.FP8_E4M3 || acts == Format.FP8_E5M2 || acts == Format.MXFP8;
        boolean hopper = arch.hasWgmma();
        if (m <= SMALL_M && m >= SKINNY_TMA_MIN_M && hopper && GemmConfig.tmaSkinnySupports(weights, acts)) {
            GemmConfig c = skinnyTma(weights, acts, m, n, k);
            if (c != null) return c;
        }
        if (m <= SMALL_M) return smallM(weights, acts, m, n, k);
        // TMA + warp-specialised wgmma (docs/kernels/GEMM-NOTES.md, "wgmma v2" and "wgmma v3"): FP16, FP8 and INT8 on
        // both sides from shared memory (128x256 tiles), every other pair it takes with the weights decoded in registers
        if (hopper && GemmConfig.supports(weights, acts, Path.WGMMA_TMA)) {
            int bk = acts == Format.FP16 ? 64 : 128;
            boolean fits = GemmConfig.tmaSharedOperands(weights, acts) ? n % 256 == 0 && k % bk == 0 : n % 128 == 0 && k % (2 * bk) == 0;
            if (fits) return GemmConfig.wgmmaTma(weights, acts, m, n, k);
        }
        // wgmma s8 ran 1068 TOPS at 16384^3 on the H100 against 684 for mma.sync (docs/kernels/GEMM-NOTES.md, run 3)
        boolean wgmma = arch.hasWgmma() && n % 256 == 0 && GemmConfig.supports(weights, acts, Path.WGMMA);
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

package org.ladderae.executor;

import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.Op;

/**
 * Which Ladder kernel runs one (fused) linear at M = rows: the GEMV (M <= 16, every weight format, per-group
 * scales inside the kernel) or the tensor-core GEMM (M > 16). The GEMM multiplies raw weight codes (as the
 * artifact's kernels do); a format with scales (INT4, NF4) is then only possible with one scale and zero point per
 * output row, which {@code linear_epilogue} applies as (G - zero * rowsum(A)) * scale. Exactly one of gemv/gemm is set.
 * <p>Quantised activations ({@link LayerPlan.Linear#acts}): INT8/INT4 run the integer GEMV (INTx weights; INT32
 * output) or the INT8 GEMM where {@link GemmKernels#supports} has the pair, both over raw codes with whole-row weight
 * scales, dequantised by {@code dequant_epilogue_*}; MXFP8 runs the W_MXFP8 GEMV on the decoded FP16 values
 * ({@link ActivationLayout#MXFP8_AS_FP16}) or the MXFP8 x MXFP8 GEMM.
 *
 * @param paddedN N rounded up to the GEMM tile (the extra weight rows are zero codes and their outputs are dropped)
 */
public record LinearChoice(GemvConfig gemv, GemmConfig gemm, int paddedN) {
    public boolean usesGemm() { return gemm != null; }

    /** Whether the epilogue kernel must run after the GEMV/GEMM (bias, GeLU, row scales, or a padded N). */
    public boolean needsEpilogue(LayerPlan.Linear l) {
        return l.hasBias() || l.gelu() || integerActivations(l) || (usesGemm() && (paddedN != l.nTotal() || Op.Linear.hasGroupScales(l.format())));
    }

    /** Whether the epilogue needs the row sums of A (the zero-point term of INTx weights on the GEMM). */
    public boolean needsRowSums(LayerPlan.Linear l) { return usesGemm() && l.format().isUnsignedInt(); }

    /** Whether the kernel multiplies integer activation codes (the dequantising epilogue then applies both scales). */
    public static boolean integerActivations(LayerPlan.Linear l) { return l.acts().isInt(); }

    /**
     * The kernel for {@code l} at {@code rows}; {@code like}, when given, is the choice made for the same linear of
     * the full-size layer, reused so that the small check layer runs the very kernel configuration that is timed.
     * IllegalArgumentException with the reason when no kernel takes the format at this M.
     */
    public static LinearChoice select(LayerPlan.Linear l, int rows, GemvStage stage, TargetArch arch, LinearChoice like) {
        if (l.acts() != ActivationFormat.FP16) return selectQuantized(l, rows, stage, arch, like);
        WeightFormat w = l.format();
        int n = l.nTotal(), k = l.k();
        boolean grouped = Op.Linear.hasGroupScales(w);
        if (rows <= GemvConfig.MAX_M) {
            GemvConfig c;
            if (like != null && like.gemv() != null && like.gemv().m() == rows && fits(like.gemv(), n, k)) c = like.gemv();
            else if (stage == GemvStage.HOLISTIC) c = grouped ? GemvKernels.holisticGrouped(w, ActFormat.FP16, rows, n, k, l.groupSize())
                    : GemvKernels.holistic(w, ActFormat.FP16, rows, n, k);
            else c = grouped ? GemvConfig.of(w, ActFormat.FP16, rows, stage).withGroups(l.groupSize()) : GemvConfig.of(w, ActFormat.FP16, rows, stage);
            c.validateShape(n, k);
            return new LinearChoice(c, null, n);
        }
        GemmConfig.Format f = switch (w) {
            case FP16 -> GemmConfig.Format.FP16;
            case INT4 -> GemmConfig.Format.INT4;
            case NF4 -> GemmConfig.Format.NF4;
            case FP8_E5M2 -> GemmConfig.Format.FP8_E5M2;
            // INT2/INT1 codes (0..3, 0..1) keep the FP16 sums the GEMM writes small; unsigned INT8 codes (0..255) would not:
            // the zero-point correction after the GEMM subtracts ~127 x sum(a) from sums that FP16 already rounded.
            case INT2 -> GemmConfig.Format.INT2;
            case INT1 -> GemmConfig.Format.INT1;
            default -> throw new IllegalArgumentException(l.name() + ": no GEMM kernel takes W_" + w + " with FP16 activations (M = " + rows
                    + " > " + GemvConfig.MAX_M + " needs the GEMM); GEMM pairs: " + GemmKernels.supportedPairs());
        };
        if (grouped && l.groupSize() != GroupQuantizer.WHOLE_ROW)
            throw new IllegalArgumentException(l.name() + ": the GEMM applies one scale per output row (group size -1), not groups of " + l.groupSize());
        return gemm(l, f, GemmConfig.Format.FP16, rows, n, k, arch, like, stage);
    }

    /** {@link #select} for a linear reading quantised activations (see the class comment). */
    private static LinearChoice selectQuantized(LayerPlan.Linear l, int rows, GemvStage stage, TargetArch arch, LinearChoice like) {
        WeightFormat w = l.format();
        ActivationFormat a = l.acts();
        int n = l.nTotal(), k = l.k();
        String pair = "W_" + w + "A_" + a;
        if (a == ActivationFormat.MXFP8 && w != WeightFormat.MXFP8)
            throw new IllegalArgumentException(l.name() + ": MXFP8 activations pair with MXFP8 weights only, not " + pair);
        if (a.isInt()) {
            ActFormat gemvActs = a == ActivationFormat.INT8 ? ActFormat.INT8 : ActFormat.INT4;
            if (!gemvActs.accepts(w)) throw new IllegalArgumentException(l.name() + ": no Ladder kernel takes " + pair);
            // The integer kernels take raw codes; the epilogue applies one weight scale and zero point per output row.
            if (l.groupSize() != GroupQuantizer.WHOLE_ROW)
                throw new IllegalArgumentException(l.name() + ": " + pair + " applies one weight scale per output row (group size -1), not groups of " + l.groupSize());
        }
        if (rows <= GemvConfig.MAX_M) {
            // MXFP8: the W_MXFP8 GEMV on the decoded FP16 activations (no MXFP8-activation GEMV exists).
            ActFormat gemvActs = a == ActivationFormat.INT8 ? ActFormat.INT8 : a == ActivationFormat.INT4 ? ActFormat.INT4 : ActFormat.FP16;
            GemvConfig c;
            if (like != null && like.gemv() != null && like.gemv().m() == rows && fits(like.gemv(), n, k)) c = like.gemv();
            else if (stage == GemvStage.HOLISTIC) c = GemvKernels.holistic(w, gemvActs, rows, n, k);
            else c = GemvConfig.of(w, gemvActs, rows, stage);
            if (a.isInt() && !c.int32Output()) c = c.withInt32Output();
            c.validateShape(n, k);
            return new LinearChoice(c, null, n);
        }
        GemmConfig.Format gw = gemmWeights(w, a), ga = gemmActs(a);
        if (gw == null || ga == null || !GemmKernels.supports(gw, ga))
            throw new IllegalArgumentException(l.name() + ": no GEMM kernel takes " + pair + " (M = " + rows + " > " + GemvConfig.MAX_M
                    + " needs the GEMM); GEMM pairs: " + GemmKernels.supportedPairs());
        if (w == WeightFormat.INT8)
            throw new IllegalArgumentException(l.name() + ": " + pair + " on the GEMM: its INT8 x INT8 kernel writes the INT32 sums as FP16, which "
                    + "overflows (65504) at K = " + k + " for per-token INT8 activations and 8-bit weight codes; it needs an INT32 output");
        if (!StackedWeights.hasGemmLayout(w, a))
            throw new IllegalArgumentException(l.name() + ": the layer executor has no GEMM weight layout for " + pair + " yet");
        return gemm(l, gw, ga, rows, n, k, arch, like, stage);
    }

    /**
     * The GEMM for {@code rows x n x k}: the configuration of {@code like} (the full-size layer's choice, for a small
     * check layer) at this shape where it fits, else the kernels' own choice for Figure 13 stage {@code stage}
     * ({@link GemmKernels#forStage}: below HOLISTIC only for the pairs with stage code); N padded to the tile.
     */
    private static LinearChoice gemm(LayerPlan.Linear l, GemmConfig.Format w, GemmConfig.Format a, int rows, int n, int k, TargetArch arch,
                                     LinearChoice like, GemvStage stage) {
        if (stage != GemvStage.HOLISTIC && !GemmConfig.hasStageSwitches(w, a))
            throw new IllegalArgumentException(l.name() + ": M = " + rows + " runs on the GEMM, which has Figure 13 stages for W_FP16A_FP16, "
                    + "W_INT4A_FP16, W_INT1A_INT8 and W_MXFP8A_MXFP8 only (W_" + w + "A_" + a + ": only the holistic kernel)");
        if (like != null && like.gemm() != null) {
            int padded = roundUp(n, like.gemm().bn());
            try {
                return new LinearChoice(null, like.gemm().withShape(rows, padded, k), padded);
            } catch (IllegalArgumentException e) {
                // K of the small layer does not divide into the full-size kernel's split-K: its own choice below.
            }
        }
        int padded = roundUp(n, 128);
        return new LinearChoice(null, GemmKernels.forStage(w, a, rows, padded, k, arch, stage), padded);
    }

    /** The GEMM's storage format for weights {@code w} beside activations {@code a}, or null when it has none. */
    private static GemmConfig.Format gemmWeights(WeightFormat w, ActivationFormat a) {
        return switch (w) {
            case INT8 -> GemmConfig.Format.INT8;
            case INT4 -> GemmConfig.Format.INT4;
            case INT1 -> GemmConfig.Format.INT1;
            case MXFP8 -> GemmConfig.Format.MXFP8;
            default -> null;
        };
    }

    /** The GEMM's activation format for quantised activations; null for INT4 (no INT4-activation GEMM format here). */
    private static GemmConfig.Format gemmActs(ActivationFormat a) {
        return switch (a) {
            case INT8 -> GemmConfig.Format.INT8;
            case MXFP8 -> GemmConfig.Format.MXFP8;
            default -> null;
        };
    }

    private static boolean fits(GemvConfig c, int n, int k) {
        try {
            c.validateShape(n, k);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static int roundUp(int v, int unit) { return (v + unit - 1) / unit * unit; }
}

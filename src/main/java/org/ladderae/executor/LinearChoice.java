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
 * output) or the integer GEMM (mma.sync m16n8k32, INT32 output; INT8 weights stored as signed code - 128), both over raw
 * codes with whole-row weight scales, dequantised by {@code dequant_epilogue_i32}; MXFP8 runs the W_MXFP8 GEMV on the decoded FP16 values
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
            // Unsigned INTx codes run the centred-code kernels (code - 2^(bits-1), see centredCodes below).
            case INT8 -> GemmConfig.Format.INT8;
            case INT2 -> GemmConfig.Format.INT2;
            case INT1 -> GemmConfig.Format.INT1;
            default -> throw new IllegalArgumentException(l.name() + ": no GEMM kernel takes W_" + w + " with FP16 activations (M = " + rows
                    + " > " + GemvConfig.MAX_M + " needs the GEMM); GEMM pairs: " + GemmKernels.supportedPairs());
        };
        if (grouped && l.groupSize() != GroupQuantizer.WHOLE_ROW)
            throw new IllegalArgumentException(l.name() + ": the GEMM applies one scale per output row (group size -1), not groups of " + l.groupSize());
        LinearChoice c = gemm(l, f, GemmConfig.Format.FP16, rows, n, k, arch, like, stage);
        return w.isUnsignedInt() && c.gemm().stage().fastDecode() ? centredCodes(c) : c;   // Figure 13's slower stages: raw codes
    }

    /**
     * Unsigned INTx weights with FP16 activations on the GEMM decode code - 2^(bits-1): the FP16 sums the GEMM writes
     * stay centred (a sum of unsigned codes grows with 2^(bits-1) x rowsum(A) and overflowed FP16 in BLOOM's layers at
     * M > 16); the epilogue's zero point is then zero - 2^(bits-1) ({@link #zeroShift}).
     */
    private static LinearChoice centredCodes(LinearChoice c) {
        GemmConfig g = c.gemm();
        if (g.variant() == GemmConfig.Variant.CENTRED_CODES) return c;
        if (!GemmConfig.supportsVariant(g.weight(), g.activation(), g.path(), GemmConfig.Variant.CENTRED_CODES))
            g = GemmConfig.mma(g.weight(), g.activation(), g.m(), g.n(), g.k(), 128, 128, 2, 2, 5, 1);   // FP16-decode tiles
        return new LinearChoice(null, g.withVariant(GemmConfig.Variant.CENTRED_CODES), c.paddedN());
    }

    /**
     * Integer activations on the GEMM write the exact INT32 sums (mma.sync m16n8k32; the wgmma s8 kernel writes FP16,
     * which overflows): the dequantising epilogue reads them as the integer GEMV's.
     */
    private static LinearChoice int32Sums(LinearChoice c, int rows) {
        GemmConfig g = c.gemm();
        if (g.variant() == GemmConfig.Variant.INT32_OUT) return c;
        if (g.path() != GemmConfig.Path.MMA16832)   // GemmKernels' own mma.sync tiles for integer activations
            g = rows <= GemmKernels.SMALL_M ? GemmConfig.mma(g.weight(), g.activation(), g.m(), g.n(), g.k(), 32, 128, 1, 4, 4, 1)
                    : GemmConfig.mma(g.weight(), g.activation(), g.m(), g.n(), g.k(), 128, 128, 2, 2, 3, 1);
        return new LinearChoice(null, g.withVariant(GemmConfig.Variant.INT32_OUT), c.paddedN());
    }

    /**
     * What the epilogue subtracts from the zero point: 2^(bits-1) for centred codes; 128 for INT8 weights beside INT8
     * activations on the GEMM (stored as signed code - 128 for the s8 MMA); else 0.
     */
    public double zeroShift(LayerPlan.Linear l) {
        if (!usesGemm()) return 0;
        if (gemm.variant() == GemmConfig.Variant.CENTRED_CODES) return 1 << (l.format().bits() - 1);
        if (integerActivations(l) && l.format() == WeightFormat.INT8) return 128;
        return 0;
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
        if (!StackedWeights.hasGemmLayout(w, a))
            throw new IllegalArgumentException(l.name() + ": the layer executor has no GEMM weight layout for " + pair + " yet");
        LinearChoice c = gemm(l, gw, ga, rows, n, k, arch, like, stage);
        return a.isInt() && c.gemm().stage().fastDecode() ? int32Sums(c, rows) : c;   // Figure 13's slower stages: FP16 sums
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
        if (like != null && like.gemm() != null && like.gemm().weight() == w && like.gemm().activation() == a) {
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
            case INT2 -> GemmConfig.Format.INT2;
            case INT1 -> GemmConfig.Format.INT1;
            case MXFP8 -> GemmConfig.Format.MXFP8;
            default -> null;
        };
    }

    /** The GEMM's activation format for quantised activations (INT4: signed, packed two per byte, as the quantiser writes them). */
    private static GemmConfig.Format gemmActs(ActivationFormat a) {
        return switch (a) {
            case INT8 -> GemmConfig.Format.INT8;
            case INT4 -> GemmConfig.Format.INT4;
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

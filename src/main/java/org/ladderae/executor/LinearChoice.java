package org.ladderae.executor;

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
 *
 * @param paddedN N rounded up to the GEMM tile (the extra weight rows are zero codes and their outputs are dropped)
 */
public record LinearChoice(GemvConfig gemv, GemmConfig gemm, int paddedN) {
    public boolean usesGemm() { return gemm != null; }

    /** Whether the epilogue kernel must run after the GEMV/GEMM (bias, GeLU, row scales, or a padded N). */
    public boolean needsEpilogue(LayerPlan.Linear l) {
        return l.hasBias() || l.gelu() || (usesGemm() && (paddedN != l.nTotal() || Op.Linear.hasGroupScales(l.format())));
    }

    /** Whether the epilogue needs the row sums of A (the zero-point term of INTx weights on the GEMM). */
    public boolean needsRowSums(LayerPlan.Linear l) { return usesGemm() && l.format().isUnsignedInt(); }

    /**
     * The kernel for {@code l} at {@code rows}; {@code like}, when given, is the choice made for the same linear of
     * the full-size layer, reused so that the small check layer runs the very kernel configuration that is timed.
     * IllegalArgumentException with the reason when no kernel takes the format at this M.
     */
    public static LinearChoice select(LayerPlan.Linear l, int rows, GemvStage stage, TargetArch arch, LinearChoice like) {
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
        if (stage != GemvStage.HOLISTIC)
            throw new IllegalArgumentException(l.name() + ": M = " + rows + " runs on the GEMM, which has no Figure 13 stages (only the holistic kernel)");
        GemmConfig.Format f = switch (w) {
            case FP16 -> GemmConfig.Format.FP16;
            case INT4 -> GemmConfig.Format.INT4;
            case NF4 -> GemmConfig.Format.NF4;
            case FP8_E5M2 -> GemmConfig.Format.FP8_E5M2;
            default -> throw new IllegalArgumentException(l.name() + ": no GEMM kernel takes W_" + w + " with FP16 activations (M = " + rows
                    + " > " + GemvConfig.MAX_M + " needs the GEMM); GEMM pairs: " + GemmKernels.supportedPairs());
        };
        if (grouped && l.groupSize() != GroupQuantizer.WHOLE_ROW)
            throw new IllegalArgumentException(l.name() + ": the GEMM applies one scale per output row (group size -1), not groups of " + l.groupSize());
        if (like != null && like.gemm() != null) {
            int padded = roundUp(n, like.gemm().bn());
            try {
                return new LinearChoice(null, like.gemm().withShape(rows, padded, k), padded);
            } catch (IllegalArgumentException e) {
                // K of the small layer does not divide into the full-size kernel's split-K: fall through to its own choice.
            }
        }
        int padded = roundUp(n, 128);
        GemmConfig c = GemmKernels.forShape(f, GemmConfig.Format.FP16, rows, padded, k, arch);
        return new LinearChoice(null, c, padded);
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

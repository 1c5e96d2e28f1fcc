package org.ladderae.experiments;

import java.util.List;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;

/**
 * Figure 14 measured here: the operator panel at M = 1 (BS1 SEQ1: M0-M3 of a LLaMA-2-70B layer) for
 * all twelve weight/activation bit widths with Ladder's GEMV kernels (the original artifact drew this
 * panel from paper data even with --reproduce; here it is measured), and the M = 4096 operator panel
 * with the tensor-core GEMM kernels for W_FP16A_FP16, W_INT4A_FP16 and W_INT8A_INT8; its other
 * series are n/a with the missing kernel named, and the end-to-end panels until the model executor exists.
 */
final class Figure14Reproduction {
    static final String OPERATORS_M1 = "matmul_bs1_seq1";
    static final String OPERATORS_M4096 = "matmul_bs1_seq4096";
    static final List<String> END_TO_END = List.of("e2e_bs1_seq1", "e2e_bs1_seq4096");
    static final String NEEDS_EXECUTOR = "needs the model executor";

    private Figure14Reproduction() {}

    static ReproducePlan plan(Dataset paper) {
        List<LadderGemvPoints.Point> gemv = LadderGemvPoints.forPanel(paper.requirePanel(OPERATORS_M1));
        Panel m4096 = paper.requirePanel(OPERATORS_M4096);
        List<LadderGemmPoints.Point> gemm = LadderGemmPoints.forPanel(m4096);
        List<ReproducePlan.PlannedPoint> points = new java.util.ArrayList<>(gemv.stream().map(LadderGemvPoints.Point::plan).toList());
        points.addAll(gemm.stream().map(LadderGemmPoints.Point::plan).toList());
        List<String> notes = new java.util.ArrayList<>(LadderGemmPoints.planNotes(m4096));
        notes.add(String.join(", ", END_TO_END) + ": n/a (" + NEEDS_EXECUTOR + ")");
        return new ReproducePlan(points, List.of(LadderGemvPoints.buildCost(gemv), LadderGemmPoints.buildCost(gemm)), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
        Panel operators = paper.requirePanel(OPERATORS_M1);
        List<Measurement> ms = new java.util.ArrayList<>(LadderGemvPoints.measure(LadderGemvPoints.forPanel(operators), ctx, copy, rc, "figure14"));
        ms.addAll(LadderGemmPoints.measure(LadderGemmPoints.forPanel(paper.requirePanel(OPERATORS_M4096)), ctx, rc, "figure14"));
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1, all twelve bit widths) and tensor-core GEMM kernels (M = 4096: "
                + "W_FP16A_FP16, W_INT4A_FP16, W_INT8A_INT8) checked against a CPU reference before timing; INTx weights are "
                + "unsigned codes as in the artifact, except the GEMM's INT8 x INT8 (signed, s8 IMMA).";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(paper, ms)), ms);
    }

    /** The paper's four panels in its order: the M = 1 operators from {@code ms}, the others n/a with their reasons. */
    static List<Panel> measuredPanels(Dataset paper, List<Measurement> ms) {
        return paper.panels().stream().map(p -> MeasuredPanels.fill(p, ms, (s, x) -> notMeasured(p, s, x))).toList();
    }

    private static String notMeasured(Panel panel, org.ladderae.paperdata.Series s, String x) {
        if (END_TO_END.contains(panel.id())) return NEEDS_EXECUTOR;
        String gemm = LadderGemmPoints.notCovered(panel, s, x);
        return gemm != null ? gemm : "not measured by this build";
    }
}

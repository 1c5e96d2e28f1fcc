package org.ladderae.experiments;

import java.util.List;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;

/**
 * Figure 14 measured here: the operator panel at M = 1 (BS1 SEQ1: M0-M3 of a LLaMA-2-70B layer) for
 * all twelve weight/activation bit widths with Ladder's GEMV kernels. (The original artifact drew
 * this panel from paper data even with --reproduce; here it is measured.) The M = 4096 operator
 * panel and the end-to-end panels are n/a with their reasons until their kernels and the model
 * executor exist.
 */
final class Figure14Reproduction {
    static final String OPERATORS_M1 = "matmul_bs1_seq1";
    static final String OPERATORS_M4096 = "matmul_bs1_seq4096";
    static final List<String> END_TO_END = List.of("e2e_bs1_seq1", "e2e_bs1_seq4096");
    static final String GEMM_NOT_YET = "M = 4096 needs the tensor-core GEMM kernels, not wired into the harness yet";
    static final String NEEDS_EXECUTOR = "needs the model executor";

    private Figure14Reproduction() {}

    static ReproducePlan plan(Dataset paper) {
        List<LadderGemvPoints.Point> ladder = LadderGemvPoints.forPanel(paper.requirePanel(OPERATORS_M1));
        return new ReproducePlan(ladder.stream().map(LadderGemvPoints.Point::plan).toList(), List.of(LadderGemvPoints.buildCost(ladder)),
                List.of(OPERATORS_M4096 + ": n/a (" + GEMM_NOT_YET + ")", String.join(", ", END_TO_END) + ": n/a (" + NEEDS_EXECUTOR + ")"));
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
        Panel operators = paper.requirePanel(OPERATORS_M1);
        List<Measurement> ms = LadderGemvPoints.measure(LadderGemvPoints.forPanel(operators), ctx, copy, rc, "figure14");
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1, all twelve bit widths) checked against a CPU reference before timing; "
                + "INTx weights are unsigned codes as in the artifact.";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(paper, ms)), ms);
    }

    /** The paper's four panels in its order: the M = 1 operators from {@code ms}, the others n/a with their reasons. */
    static List<Panel> measuredPanels(Dataset paper, List<Measurement> ms) {
        return paper.panels().stream().map(p -> MeasuredPanels.fill(p, ms, (s, x) -> notMeasured(p.id()))).toList();
    }

    private static String notMeasured(String panelId) {
        if (END_TO_END.contains(panelId)) return NEEDS_EXECUTOR;
        if (panelId.equals(OPERATORS_M4096)) return GEMM_NOT_YET;
        return "not measured by this build";
    }
}

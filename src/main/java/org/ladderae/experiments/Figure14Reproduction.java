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
 * with the tensor-core GEMM kernels for all twelve series (any series without a kernel would stay n/a with the
 * missing kernel named), and the end-to-end panels (one LLaMA-2-70B layer at BS1 SEQ1 and
 * BS1 SEQ4096 for the twelve configurations) through {@link LadderModelRunner#installed()}.
 */
final class Figure14Reproduction {
    static final String OPERATORS_M1 = "matmul_bs1_seq1";
    static final String OPERATORS_M4096 = "matmul_bs1_seq4096";
    static final List<String> END_TO_END = List.of("e2e_bs1_seq1", "e2e_bs1_seq4096");
    static final String NEEDS_EXECUTOR = "the end-to-end layer was not measured in this run";
    /** The end-to-end panels' x category, and the batch/sequence of each panel (its setting in the paper data). */
    static final String END_TO_END_X = "End2End LLAMA";
    static final java.util.Map<String, int[]> END_TO_END_SETTING = java.util.Map.of("e2e_bs1_seq1", new int[] {1, 1}, "e2e_bs1_seq4096", new int[] {1, 4096});
    private Figure14Reproduction() {}

    static ReproducePlan plan(Dataset paper) {
        List<LadderGemvPoints.Point> gemv = LadderGemvPoints.forPanel(paper.requirePanel(OPERATORS_M1));
        Panel m4096 = paper.requirePanel(OPERATORS_M4096);
        List<LadderGemmPoints.Point> gemm = LadderGemmPoints.forPanel(m4096);
        List<ReproducePlan.PlannedPoint> points = new java.util.ArrayList<>(gemv.stream().map(LadderGemvPoints.Point::plan).toList());
        points.addAll(gemm.stream().map(LadderGemmPoints.Point::plan).toList());
        List<String> notes = new java.util.ArrayList<>(LadderGemmPoints.planNotes(m4096));
        for (ModelPointOf e : endToEnd(paper))
            points.add(new ReproducePlan.PlannedPoint("Ladder layer", e.point().formats().label(), e.panel(), END_TO_END_X,
                    "llama layer BS" + e.point().batch() + " SEQ" + e.point().seq(), Estimates.LADDER_MODEL_S));
        return new ReproducePlan(points, List.of(LadderGemvPoints.buildCost(gemv), LadderGemmPoints.buildCost(gemm)), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
        Panel operators = paper.requirePanel(OPERATORS_M1);
        List<Measurement> ms = new java.util.ArrayList<>(LadderGemvPoints.measure(LadderGemvPoints.forPanel(operators), ctx, copy, rc, "figure14"));
        ms.addAll(LadderGemmPoints.measure(LadderGemmPoints.forPanel(paper.requirePanel(OPERATORS_M4096)), ctx, rc, "figure14"));
        ms.addAll(measureEndToEnd(paper, rc, LadderModelRunner.installed()));
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1, all twelve bit widths) and tensor-core GEMM kernels (M = 4096: "
                + String.join(", ", LadderGemmPoints.forPanel(paper.requirePanel(OPERATORS_M4096)).stream()
                        .map(p -> p.series().label()).distinct().toList()) + ") checked against a CPU "
                + "reference before timing; INTx weights are unsigned codes as in the artifact, except the GEMM's INT8 x INT8 "
                + "(signed, s8 IMMA); INT4 activations are signed, packed two per byte, unpacked to s8 in the GEMM. End-to-end layers: "
                + "integer-activation linears at SEQ4096 on the mma.sync integer GEMM writing INT32 sums; each layer timed as one CUDA graph "
                + "replay (its kernel-by-kernel time is the measurement's launched_median_ms).";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(paper, ms)), ms);
    }

    /** One end-to-end point and the panel it fills. */
    record ModelPointOf(String panel, LadderModelRunner.ModelPoint point) {}

    /** Every Ladder series of the end-to-end panels as a LLaMA layer point at the panel's batch and sequence. */
    static List<ModelPointOf> endToEnd(Dataset paper) {
        List<ModelPointOf> out = new java.util.ArrayList<>();
        for (String id : END_TO_END) {
            int[] bs = END_TO_END_SETTING.get(id);
            for (org.ladderae.paperdata.Series s : paper.requirePanel(id).series())
                if (s.system().equals(LadderPointLoop.SYSTEM) && s.formats() != null)
                    out.add(new ModelPointOf(id, new LadderModelRunner.ModelPoint("llama", bs[0], bs[1], s.formats(), org.ladderae.kernels.GemvStage.HOLISTIC)));
        }
        return out;
    }

    /** Measures the end-to-end points and files each under its panel id and x category (what {@link MeasuredPanels} matches). */
    static List<Measurement> measureEndToEnd(Dataset paper, ReproduceContext rc, LadderModelRunner runner) {
        List<ModelPointOf> points = endToEnd(paper);
        List<Measurement> ms = runner.measure(points.stream().map(ModelPointOf::point).toList(), rc);
        List<Measurement> out = new java.util.ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            Measurement m = ms.get(i);
            out.add(new Measurement(m.system(), m.formats(), points.get(i).panel(), END_TO_END_X, m.status(), m.timing(), m.reason(), m.device(),
                    m.versions(), m.extras()));
        }
        return out;
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

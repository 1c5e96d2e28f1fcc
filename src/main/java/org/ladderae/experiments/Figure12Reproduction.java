package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;

/**
 * Figure 12 measured here: Ladder's GEMV kernels at the batch-1 points (M0, M3), cuBLAS at every
 * matmul point, cuDNN at every conv point, and n/a with its reason for what this build or machine
 * cannot run (the M >= 32 GEMMs and the conv kernels are not integrated yet; CUTLASS fpA_intB,
 * vLLM, AMOS and TensorIR are not installed).
 */
final class Figure12Reproduction {
    static final String GEMM_NOT_YET = "M >= 32 needs the tensor-core GEMM kernels, which are not wired into the harness yet "
            + "(developer kernels: docs/kernels/GEMM-NOTES.md)";
    static final String CONV_NOT_YET = "Ladder conv kernels are not built yet";
    private static final Set<String> BASELINES = Set.of("cuBLAS", "PyTorch", "CUTLASS", "vLLM", "AMOS", "TensorIR");

    private Figure12Reproduction() {}

    private static List<BaselinePoints.Step> baselines(String python) {
        return BaselinePoints.select(python, BASELINES, w -> w.workload().equals("matmul") || w.workload().equals("conv"));
    }

    static ReproducePlan plan(Dataset paper, boolean quick) {
        List<LadderGemvPoints.Point> ladder = LadderGemvPoints.forPanel(paper.requirePanel("matmul"));
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>(ladder.stream().map(LadderGemvPoints.Point::plan).toList());
        points.addAll(BaselinePoints.plan(baselines("python3"), quick));
        return new ReproducePlan(points, List.of(LadderGemvPoints.buildCost(ladder)),
                List.of("Ladder matmul M >= 32: n/a (" + GEMM_NOT_YET + ")", "Ladder conv: n/a (" + CONV_NOT_YET + ")"));
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        Panel matmul = paper.requirePanel("matmul");
        Panel conv = paper.requirePanel("conv");
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);

        List<Measurement> ms = new ArrayList<>(LadderGemvPoints.measure(LadderGemvPoints.forPanel(matmul), ctx, copy, rc, "figure12"));
        ms.addAll(BaselinePoints.run(baselines(rc.python()), rc, "figure12"));

        Panel measuredMatmul = MeasuredPanels.fill(matmul, ms, (s, x) -> s.isLadder() ? GEMM_NOT_YET : "not measured by this build");
        Panel measuredConv = MeasuredPanels.fill(conv, ms, (s, x) -> s.isLadder() ? CONV_NOT_YET : "not measured by this build");
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1) checked against a double-precision CPU reference before timing; "
                + "the MXFP8 series runs MXFP8 weights (exact OCP decode) with FP16 activations.";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, List.of(measuredMatmul, measuredConv)), ms);
    }
}

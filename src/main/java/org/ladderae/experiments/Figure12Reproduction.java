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
 * Figure 12 measured here: Ladder's GEMV kernels at the batch-1 points (M0, M3), its tensor-core GEMM
 * kernels at M1/M2/M4/M5 for every Ladder series of the figure, cuBLAS at every matmul point, Ladder's
 * implicit-GEMM conv kernels (W_FP16A_FP16, W_FP8A_FP16, W_MXFP8A_MXFP8, W_INT4A_INT4) and cuDNN at
 * every conv point, and n/a with its reason for what this machine cannot run (CUTLASS fpA_intB, vLLM,
 * AMOS and TensorIR are not installed).
 */
final class Figure12Reproduction {
    private static final Set<String> BASELINES = Set.of("cuBLAS", "PyTorch", "CUTLASS", "vLLM", "AMOS", "TensorIR");

    private Figure12Reproduction() {}

    private static List<BaselinePoints.Step> baselines(String python) {
        return BaselinePoints.select(python, BASELINES, w -> w.workload().equals("matmul") || w.workload().equals("conv"));
    }

    static ReproducePlan plan(Dataset paper, boolean quick) {
        Panel matmul = paper.requirePanel("matmul");
        List<LadderGemvPoints.Point> gemv = LadderGemvPoints.forPanel(matmul);
        List<LadderGemmPoints.Point> gemm = LadderGemmPoints.forPanel(matmul);
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>(gemv.stream().map(LadderGemvPoints.Point::plan).toList());
        points.addAll(gemm.stream().map(LadderGemmPoints.Point::plan).toList());
        List<LadderConvPoints.Point> conv = LadderConvPoints.forPanel(paper.requirePanel("conv"));
        points.addAll(conv.stream().map(LadderConvPoints.Point::plan).toList());
        points.addAll(BaselinePoints.plan(baselines("python3"), quick));
        List<String> notes = new ArrayList<>(LadderGemmPoints.planNotes(matmul));
        return new ReproducePlan(points, List.of(LadderGemvPoints.buildCost(gemv), LadderGemmPoints.buildCost(gemm),
                LadderConvPoints.buildCost(conv)), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        Panel matmul = paper.requirePanel("matmul");
        Panel conv = paper.requirePanel("conv");
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);

        List<Measurement> ms = new ArrayList<>(LadderGemvPoints.measure(LadderGemvPoints.forPanel(matmul), ctx, copy, rc, "figure12"));
        ms.addAll(LadderGemmPoints.measure(LadderGemmPoints.forPanel(matmul), ctx, rc, "figure12"));
        ms.addAll(LadderConvPoints.measure(LadderConvPoints.forPanel(conv), ctx, rc, "figure12"));
        ms.addAll(BaselinePoints.run(baselines(rc.python()), rc, "figure12"));

        Panel measuredMatmul = measuredMatmul(matmul, ms);
        Panel measuredConv = MeasuredPanels.fill(conv, ms, (s, x) -> java.util.Objects.requireNonNullElse(
                s.isLadder() && s.formats() != null ? LadderConvPoints.noKernelReason(s.formats()) : null, "not measured by this build"));
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1) and tensor-core GEMM kernels (M = 32, 4096) checked against a "
                + "double-precision CPU reference before timing; the MXFP8 series runs MXFP8 weights (exact OCP decode) with "
                + "FP16 activations at M = 1. Ladder conv: NHWC implicit GEMM on tensor cores (mma.sync), fastest of a few "
                + "candidate tiles that passed the check; cuDNN via torch conv2d FP16 (NCHW, as the paper; channels-last also recorded).";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, List.of(measuredMatmul, measuredConv)), ms);
    }

    /** The matmul panel from {@code ms}; a Ladder series without a GEMM kernel is n/a at M >= 32 with the kernel named. */
    static Panel measuredMatmul(Panel matmul, List<Measurement> ms) {
        return MeasuredPanels.fill(matmul, ms, (s, x) -> java.util.Objects.requireNonNullElse(LadderGemmPoints.notCovered(matmul, s, x),
                "not measured by this build"));
    }
}

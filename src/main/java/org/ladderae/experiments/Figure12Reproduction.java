package org.ladderae.experiments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.Baselines;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.XCategory;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Figure 12 measured here: Ladder's GEMV kernels at the batch-1 points (M0, M3), cuBLAS at every
 * matmul point, cuDNN at every conv point, and n/a with its reason for what this build or machine
 * cannot run (the M >= 32 GEMMs and the conv kernels are not integrated yet; CUTLASS fpA_intB,
 * vLLM, AMOS and TensorIR are not installed).
 */
final class Figure12Reproduction {
    private static final Logger LOG = LoggerFactory.getLogger(Figure12Reproduction.class);
    static final String GEMM_NOT_YET = "M >= 32 needs the tensor-core GEMM kernels, which are not wired into the harness yet "
            + "(developer kernels: docs/kernels/GEMM-NOTES.md)";
    static final String CONV_NOT_YET = "Ladder conv kernels are not built yet";

    /** The paper's Ladder series and the kernel formats that measure them. MXFP8 weights run with FP16 activations here. */
    static final Map<FormatPair, WeightFormat[]> LADDER = Map.of(
            FormatPair.FP16, new WeightFormat[] {WeightFormat.FP16},
            new FormatPair(NumberFormat.INT4, NumberFormat.FP16), new WeightFormat[] {WeightFormat.INT4},
            new FormatPair(NumberFormat.NF4, NumberFormat.FP16), new WeightFormat[] {WeightFormat.NF4},
            new FormatPair(NumberFormat.FP8, NumberFormat.FP16), new WeightFormat[] {WeightFormat.FP8_E5M2},
            new FormatPair(NumberFormat.INT1, NumberFormat.INT8), new WeightFormat[] {WeightFormat.INT1},
            new FormatPair(NumberFormat.MXFP8, NumberFormat.MXFP8), new WeightFormat[] {WeightFormat.MXFP8});

    static Reproduction run(Dataset paper, ReproduceContext rc) {
        CudaContext ctx = CudaContext.forDevice(0);
        String gpu = ctx.device().name();
        Panel matmul = paper.requirePanel("matmul");
        Panel conv = paper.requirePanel("conv");
        List<Measurement> ms = new ArrayList<>();

        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
        GemvRunner runner = new GemvRunner(ctx, KernelCache.defaultCache());
        try {
            List<GemvConfig> configs = new ArrayList<>();
            for (XCategory x : matmul.x()) {
                if (x.intAttribute("M") > GemvConfig.MAX_M) continue;
                for (Map.Entry<FormatPair, WeightFormat[]> e : LADDER.entrySet()) {
                    ActFormat a = e.getKey().activations() == NumberFormat.INT8 ? ActFormat.INT8 : ActFormat.FP16;
                    configs.add(GemvKernels.holistic(e.getValue()[0], a, x.intAttribute("M"), x.intAttribute("N"), x.intAttribute("K")));
                }
            }
            runner.buildAll(configs);
            for (XCategory x : matmul.x()) {
                int m = x.intAttribute("M"), n = x.intAttribute("N"), k = x.intAttribute("K");
                if (m > GemvConfig.MAX_M) continue;
                for (Map.Entry<FormatPair, WeightFormat[]> e : LADDER.entrySet()) {
                    ms.add(ladderPoint(runner, e.getKey(), e.getValue()[0], x.plainLabel(), m, n, k, rc.seed(), gpu, copy));
                }
            }
        } finally {
            runner.close();
        }

        BaselineRunner.Options options = new BaselineRunner.Options(rc.python(), rc.quick(), Duration.ofMinutes(10),
                BaselineRunner.Options.defaultCacheDir());
        Set<String> wanted = Set.of("cuBLAS", "PyTorch", "CUTLASS", "vLLM", "AMOS", "TensorIR");
        for (BaselineRunner r : Baselines.all(rc.python(), options.cacheDir())) {
            if (!wanted.contains(r.system())) continue;
            List<BaselineWorkload> work = r.workloads().stream()
                    .filter(w -> w.workload().equals("matmul") || w.workload().equals("conv")).toList();
            if (work.isEmpty()) continue;
            LOG.info("figure12: {} on {} points", r.system(), work.size());
            ms.addAll(r.run(work, options));
        }

        Panel measuredMatmul = MeasuredPanels.fill(matmul, ms, (s, x) -> s.isLadder() ? GEMM_NOT_YET : "not measured by this build");
        Panel measuredConv = MeasuredPanels.fill(conv, ms, (s, x) -> s.isLadder() ? CONV_NOT_YET : "not measured by this build");
        String provenance = "ladder-ae --reproduce on " + gpu + "; copy bandwidth " + Math.round(copy.gbPerSecond())
                + " GB/s. Ladder GEMV kernels (M = 1) checked against a double-precision CPU reference before timing; "
                + "the MXFP8 series runs MXFP8 weights (exact OCP decode) with FP16 activations.";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, List.of(measuredMatmul, measuredConv)), ms);
    }

    private static Measurement ladderPoint(GemvRunner runner, FormatPair pair, WeightFormat w, String setting, int m, int n, int k,
                                           long seed, String gpu, CopyBandwidth.Result copy) {
        ActFormat a = pair.activations() == NumberFormat.INT8 ? ActFormat.INT8 : ActFormat.FP16;
        try {
            GemvConfig c = GemvKernels.holistic(w, a, m, n, k);
            GemvRunner.Check check = runner.check(c, Math.min(n, 1000), 4096, seed);
            if (!check.passed()) {
                return Measurement.failed("Ladder", pair, "matmul", setting, String.format(
                        "failed its correctness check (error %.2e, tolerance %.0e, all written: %s): not timed",
                        check.error(), check.tolerance(), check.allWritten()));
            }
            GemvRunner.Timing t = runner.time(c, n, k, seed);
            LOG.info("figure12 {} {}: {} ms", setting, pair.label(), String.format("%.4f", t.stats().medianMs()));
            return new Measurement("Ladder", pair, "matmul", setting, Measurement.Status.OK, t.stats(), null, gpu,
                    Map.of("kernel", GemvKernels.spec(c).kernelName()),
                    Map.of("gb_per_s", t.gbPerSecond(), "fraction_of_copy", t.gbPerSecond() / copy.gbPerSecond(), "check_error", check.error()));
        } catch (RuntimeException e) {
            return Measurement.failed("Ladder", pair, "matmul", setting, e.getMessage());
        }
    }
}

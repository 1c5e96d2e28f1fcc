package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;

/**
 * End to end on the GPU: tune three small GEMMs (large-M FP16 and INT1 x INT8, where sm_90a adds wgmma and TMA candidates,
 * and an M = 32 one with split-K), save them as checkpoints, then run them back from their binaries alone against the CPU reference.
 */
@Tag("gpu")
class GemmTuningGpuTest {

    @Test
    void tunesSmallGemmsSavesThemAndRunsThemBackWithoutACompiler(@TempDir Path dir) throws Exception {
        CudaContext ctx = GpuTestSupport.context();
        KernelCache cache = KernelCache.defaultCache();
        Assumptions.assumeTrue(cache.nvcc().isPresent(), "tuning needs nvcc");
        TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
        TuningEnvironment env = TuningEnvironment.of(ctx, cache);
        CheckpointStore store = new CheckpointStore(dir);
        Tuner tuner = new Tuner(Runtime.getRuntime().availableProcessors(), new PrintWriter(System.out, true), false);
        Map<List<Object>, GemmConfig> winners = new java.util.LinkedHashMap<>();
        // W_INT1A_INT8 at M = 256: on sm_90a the TMA kernel's stage counts (weights decoded to s8 in registers) compete
        for (List<Object> problem : List.of(List.<Object>of(Format.FP16, Format.FP16, 256, 512, 1024), List.<Object>of(Format.INT4, Format.FP16, 32, 512, 1024),
                List.<Object>of(Format.INT1, Format.INT8, 256, 512, 1024))) {
            Format w = (Format) problem.get(0), a = (Format) problem.get(1);
            int m = (int) problem.get(2), n = (int) problem.get(3), k = (int) problem.get(4);
            try (GemmRunner runner = new GemmRunner(ctx, cache); GemmTuningProblem p = new GemmTuningProblem(w, a, m, n, k, runner, cache, arch, 11)) {
                TuningReport<GemmConfig> report = tuner.tune(p);
                System.out.println(p.describe() + ": best " + report.best().kernelName() + " split-K " + report.best().splitK() + " at " + report.bestMs() + " ms");
                assertThat(report.trials()).hasSize(p.candidates().size());
                assertThat(report.bestMs()).isPositive().isLessThanOrEqualTo(report.medianMs());
                assertThat(report.trials().stream().filter(TuningReport.Trial::ok).mapToDouble(TuningReport.Trial::medianMs).min().orElseThrow())
                        .as("the winner is the fastest that passed").isLessThanOrEqualTo(report.bestMs());
                GemmCheckpoints.save(store, report, env, false);
                winners.put(problem, report.best());
            }
        }
        winners.forEach((problem, best) -> {
            GemmCheckpoints.Lookup found = GemmCheckpoints.lookup(store, arch.smName(), (Format) problem.get(0), (Format) problem.get(1),
                    (int) problem.get(2), (int) problem.get(3), (int) problem.get(4));
            assertThat(found.tuned()).hasValueSatisfying(t -> assertThat(t.config()).isEqualTo(best));
        });
        List<ShippedCheckpointCheck.Result> results = ShippedCheckpointCheck.run(ctx, store, 23);
        assertThat(results).hasSize(3).allSatisfy(r -> {
            assertThat(r.operator()).isEqualTo("gemm");
            assertThat(r.passed()).as(r.id() + ": " + r.problem() + " error " + r.error()).isTrue();
        });
    }
}

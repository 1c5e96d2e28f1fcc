package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.TargetArch;

/**
 * Every shipped checkpoint of this GPU's arch runs from its binary alone (the checker's kernel cache has
 * no compiler) and matches the double-precision reference. The distribution's gpu-check runs this with
 * nvcc removed from PATH as well. Runs on the GPU machine only.
 */
@Tag("gpu")
class ShippedCheckpointsGpuTest {

    @Test
    void everyShippedCheckpointForThisArchRunsWithoutACompilerAndMatchesTheReference() throws Exception {
        CudaContext ctx = GpuTestSupport.context();
        CheckpointStore shipped = CheckpointStore.installed();
        String arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor()).smName();
        List<ShippedCheckpointCheck.Result> results = ShippedCheckpointCheck.run(ctx, shipped, System.nanoTime());
        for (var r : results) System.out.printf("%-90s %-8s error %.2e (tolerance %.0e) %s%n", r.id(), r.operator(), r.error(), r.tolerance(),
                r.passed() ? "pass" : "FAILED " + r.problem());
        if (arch.equals("sm_90a")) assertThat(results).as("checkpoints shipped for " + arch + " in " + shipped.root()).isNotEmpty();
        assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.id() + ": " + r.problem()).isTrue());
    }
}

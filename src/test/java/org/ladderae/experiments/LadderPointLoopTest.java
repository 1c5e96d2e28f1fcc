package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.executor.LayerBench;
import org.ladderae.executor.LayerExecutor;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

class LadderPointLoopTest {
    private static final LadderModelRunner.ModelPoint POINT = new LadderModelRunner.ModelPoint("vit", 128, 1, FormatPair.FP16, GemvStage.HOLISTIC);
    private static final LayerExecutor.Memory MEMORY = new LayerExecutor.Memory(0, 1L << 20, 3L << 20, 2L << 20);

    private static ReproduceContext context(Path dir, StringWriter printed) {
        return new ReproduceContext(new PrintWriter(printed), "python3", true, 1, "0.0", MeasurementLog.fresh(dir.resolve("m.json")));
    }

    @Test
    void aFailedCheckIsRecordedFailedAndNotTimed(@TempDir Path dir) {
        StringWriter printed = new StringWriter();
        LayerBench.Check bad = new LayerBench.Check("vit-check", 0.3, 1e-2, true);
        Measurement m = LadderPointLoop.modelRecord(POINT, context(dir, printed), "GPU", bad, true, null, null, 0, Map.of());
        assertThat(m.status()).isEqualTo(Measurement.Status.FAILED);
        assertThat(m.reason()).contains("relative error 3.00e-01").endsWith("; not timed");
        assertThat(printed.toString()).startsWith("vit BS128 W_FP16A_FP16: check vit-check");
    }

    @Test
    void aNonFiniteFullRunFailsEvenWhenTheSmallCheckPassed(@TempDir Path dir) {
        LayerBench.Check ok = new LayerBench.Check("vit-check", 1e-3, 1e-2, true);
        Measurement m = LadderPointLoop.modelRecord(POINT, context(dir, new StringWriter()), "GPU", ok, false,
                TimingStats.of(new double[] {2.0}), MEMORY, 1L << 20, Map.of());
        assertThat(m.status()).isEqualTo(Measurement.Status.FAILED);
        assertThat(m.reason()).contains("not finite");
    }

    @Test
    void aPassingPointCarriesTimingMemoryAndTheCallersExtras(@TempDir Path dir) {
        LayerBench.Check ok = new LayerBench.Check("vit-check", 1e-3, 1e-2, true);
        Measurement m = LadderPointLoop.modelRecord(POINT, context(dir, new StringWriter()), "GPU", ok, true,
                TimingStats.of(new double[] {2.0, 3.0, 4.0}), MEMORY, 1L << 20, Map.of("cuda_graph", 1.0));
        assertThat(m.status()).isEqualTo(Measurement.Status.OK);
        assertThat(m.medianMs()).isEqualTo(3.0);
        assertThat(m.extras()).containsEntry("peak_driver_mib", 3.0).containsEntry("peak_alloc_mib", 2.0)
                .containsEntry("weights_mib", 1.0).containsEntry("check_relative_error", 1e-3).containsEntry("cuda_graph", 1.0);
        assertThat(m.device()).isEqualTo("GPU");
    }
}

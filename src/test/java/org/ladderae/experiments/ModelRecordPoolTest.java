package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

/** Whole-model records shared between the experiments of one `all` run: what is kept, what is reused, what is written. */
class ModelRecordPoolTest {
    private static final FormatPair FP16 = new FormatPair(NumberFormat.FP16, NumberFormat.FP16);

    private static Measurement ok(String system, String workload, String setting, double ms) {
        return Measurement.ok(system, FP16, workload, setting, TimingStats.of(new double[] {ms, ms * 1.1}), "GPU", Map.of());
    }

    @Test
    void keepsModelWorkloadsOnlyBecauseOperatorNamesMeanOtherShapesInOtherFigures() {
        ModelRecordPool pool = new ModelRecordPool();
        pool.add(List.of(ok("PyTorch", "llama", "BS1 SEQ1", 1.2), ok("Ladder", "M0", "M0", 0.1), ok("PyTorch", "resnet", "BS1", 3.0)));
        assertThat(pool.records()).extracting(Measurement::workload).containsExactly("llama", "resnet");
    }

    @Test
    void aLaterExperimentReusesBorrowedRecordsAndWritesOnlyThoseItReused(@TempDir Path dir) throws Exception {
        ModelRecordPool pool = new ModelRecordPool();
        pool.add(List.of(ok("PyTorch", "llama", "BS1 SEQ1", 1.2), ok("PyTorch-Inductor", "llama", "BS1 SEQ1", 0.46),
                ok("PyTorch", "bloom", "BS1 SEQ1", 1.4)));
        MeasurementLog log = MeasurementLog.fresh(dir.resolve("measurements.json")).borrowing(pool.records());
        List<Measurement> reused = log.reuse(m -> m.workload().equals("llama") && m.setting().equals("BS1 SEQ1"));
        assertThat(reused).extracting(Measurement::system).containsExactly("PyTorch", "PyTorch-Inductor");
        assertThat(MeasurementLog.read(dir.resolve("measurements.json"))).extracting(Measurement::workload).containsOnly("llama");
        assertThat(log.reuse("PyTorch", FP16, "llama", "BS32 SEQ1")).as("not measured earlier").isNull();
    }

    @Test
    void aFailedEarlierRunMakesTheModelBeMeasuredAgain() {
        ModelRecordPool pool = new ModelRecordPool();
        pool.add(List.of(ok("PyTorch", "vit", "BS1", 2.0),
                Measurement.failed("PyTorch-Inductor", FP16, "vit", "BS1", "timed out after 300 s")));
        MeasurementLog log = MeasurementLog.fresh(null).borrowing(pool.records());
        assertThat(log.reuse(m -> m.workload().equals("vit") && m.setting().equals("BS1"))).isEmpty();
    }

    @Test
    void theResumedRunsOwnRecordsComeBeforeBorrowedOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("measurements.json");
        MeasurementLog first = MeasurementLog.fresh(file);
        first.record(List.of(ok("PyTorch", "llama", "BS1 SEQ1", 1.0)));
        MeasurementLog resumed = MeasurementLog.resume(file).borrowing(List.of(ok("PyTorch", "llama", "BS1 SEQ1", 9.0)));
        assertThat(resumed.reuse("PyTorch", FP16, "llama", "BS1 SEQ1").timing().medianMs()).isLessThan(2.0);
    }
}

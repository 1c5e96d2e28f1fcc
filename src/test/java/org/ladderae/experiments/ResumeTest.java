package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.Detection;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/** --resume: which points of an interrupted run are reused, which are measured again, and what the file keeps. */
class ResumeTest {
    private static final FormatPair INT4 = new FormatPair(NumberFormat.INT4, NumberFormat.FP16);
    private static final BaselineWorkload GEMM = BaselineWorkload.table1Gemm();

    /** A measurements.json as ExperimentRunner writes it (snake_case, every statistic): one OK point, one failed. */
    private static final String INTERRUPTED = """
            [ {
              "system" : "Ladder", "formats" : { "weights" : "INT4", "activations" : "FP16" },
              "workload" : "matmul_bs1_seq1", "setting" : "M0", "status" : "OK",
              "timing" : { "median_ms" : 0.01, "min_ms" : 0.01, "p90_ms" : 0.011, "mean_ms" : 0.0102, "cv" : 0.01,
                           "samples_ms" : [ 0.01, 0.011 ] },
              "reason" : null, "device" : "NVIDIA H100 80GB HBM3", "versions" : { "kernel" : "gemv_int4" }, "extras" : { "gb_per_s" : 2900.0 }
            }, {
              "system" : "Ladder", "formats" : { "weights" : "INT4", "activations" : "FP16" },
              "workload" : "matmul_bs1_seq1", "setting" : "M1", "status" : "FAILED", "timing" : null,
              "reason" : "failed its correctness check", "device" : null, "versions" : { }, "extras" : { }
            }, {
              "system" : "FakeA", "formats" : { "weights" : "FP16", "activations" : "FP16" },
              "workload" : "gemm", "setting" : "16384x16384x16384", "status" : "OK",
              "timing" : { "median_ms" : 9.0, "min_ms" : 9.0, "p90_ms" : 9.0, "mean_ms" : 9.0, "cv" : 0.0, "samples_ms" : [ 9.0 ] },
              "reason" : null, "device" : "NVIDIA H100 80GB HBM3", "versions" : { }, "extras" : { }
            } ]
            """;

    private static MeasurementLog interrupted(Path dir) throws IOException {
        Files.writeString(dir.resolve("measurements.json"), INTERRUPTED);
        return MeasurementLog.resume(dir.resolve("measurements.json"));
    }

    @Test
    void okPointsAreReusedWithEveryStatisticFailedOnesMeasuredAgain(@TempDir Path dir) throws IOException {
        MeasurementLog log = interrupted(dir);
        Measurement m0 = log.reuse("Ladder", INT4, "matmul_bs1_seq1", "M0");
        assertThat(m0).isNotNull();
        assertThat(m0.timing().samplesMs()).containsExactly(0.01, 0.011);
        assertThat(m0.versions()).containsEntry("kernel", "gemv_int4");
        assertThat(log.reuse("Ladder", INT4, "matmul_bs1_seq1", "M1")).isNull();
        assertThat(log.reuse("Ladder", INT4, "matmul_bs1_seq4096", "M0")).as("same x label, other panel").isNull();
    }

    @Test
    void theFirstWriteOfAResumedRunKeepsTheInterruptedFileAsBackupLaterOnesDoNotTouchIt(@TempDir Path dir) throws IOException {
        MeasurementLog log = interrupted(dir);
        log.record(List.of(Measurement.notAvailable("Ladder", INT4, "matmul_bs1_seq1", "M1", "still broken")));
        assertThat(dir.resolve("measurements.json.bak")).hasContent(INTERRUPTED);
        log.record(List.of(Measurement.notAvailable("Ladder", INT4, "matmul_bs1_seq1", "M2", "not built")));
        assertThat(dir.resolve("measurements.json.bak")).as("still the interrupted run's file").hasContent(INTERRUPTED);
        assertThat(log.hasWritten()).isTrue();
    }

    @Test
    void theFileKeepsTheEarlierRecordsUntilTheyAreReplaced(@TempDir Path dir) throws IOException {
        MeasurementLog log = interrupted(dir);
        log.record(List.of(Measurement.notAvailable("Ladder", INT4, "matmul_bs1_seq1", "M1", "still broken")));
        List<Measurement> onDisk = MeasurementLog.read(dir.resolve("measurements.json"));
        assertThat(onDisk).hasSize(3);
        assertThat(onDisk).filteredOn(m -> m.setting().equals("M1")).singleElement()
                .satisfies(m -> assertThat(m.reason()).isEqualTo("still broken"));
    }

    /** A runner that reports one system and counts the workloads it is asked to run. */
    private static class FakeRunner implements BaselineRunner {
        final String name;
        final List<BaselineWorkload> ran = new ArrayList<>();

        FakeRunner(String name) { this.name = name; }

        @Override public String system() { return name; }
        @Override public List<BaselineWorkload> workloads() { return List.of(GEMM); }
        @Override public Detection detect() { return Detection.notAvailable("fake"); }

        @Override public List<Measurement> run(List<BaselineWorkload> workloads, Options options) {
            ran.addAll(workloads);
            return workloads.stream().map(w -> Measurement.notAvailable(name, FormatPair.FP16, w.workload(), w.setting(), "fake")).toList();
        }
    }

    @Test
    void aBaselineIsSkippedOnlyWhereItsOwnRecordsAreAllOk(@TempDir Path dir) throws IOException {
        MeasurementLog log = interrupted(dir);
        FakeRunner a = new FakeRunner("FakeA");
        FakeRunner b = new FakeRunner("FakeB");
        ReproduceContext rc = new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0", log);
        List<Measurement> ms = BaselinePoints.run(List.of(new BaselinePoints.Step(a, List.of(GEMM)), new BaselinePoints.Step(b, List.of(GEMM))),
                rc, "table1");
        // FakeA's OK record is reused; FakeB had none (the run stopped before it) and runs, though the workload has an OK record.
        assertThat(a.ran).isEmpty();
        assertThat(b.ran).containsExactly(GEMM);
        assertThat(ms).extracting(Measurement::system).containsExactly("FakeA", "FakeB");
    }

    @Test
    void eachModelIsRecordedAsItFinishesSoAnInterruptedRunKeepsIt(@TempDir Path dir) throws IOException {
        BaselineWorkload llama = BaselineWorkload.model("llama", 1, 1), bloom = BaselineWorkload.model("bloom", 1, 1);
        // Stands in for a run stopped while the second model runs: the first model's record must already be on disk.
        BaselineRunner interrupted = new FakeRunner("FakeTorch") {
            @Override public List<Measurement> run(List<BaselineWorkload> workloads, Options options) {
                if (workloads.contains(bloom)) throw new IllegalStateException("stopped");
                return workloads.stream().map(w -> Measurement.ok(name, FormatPair.FP16, w.workload(), w.setting(),
                        org.ladderae.results.TimingStats.of(new double[] {1.0}), "GPU", null)).toList();
            }
        };
        Path file = dir.resolve("measurements.json");
        ReproduceContext rc = new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0", MeasurementLog.fresh(file));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BaselinePoints.run(
                List.of(new BaselinePoints.Step(interrupted, List.of(llama, bloom))), rc, "figure9")).hasMessage("stopped");
        assertThat(MeasurementLog.read(file)).singleElement().satisfies(m -> assertThat(m.workload()).isEqualTo("llama"));
    }
}

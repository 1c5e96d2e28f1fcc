package org.ladderae.baselines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;

@DisabledOnOs(OS.WINDOWS)
class BenchmarkProcessTest {
    @TempDir Path dir;

    static final List<BaselineWorkload> GEMMS = BaselineWorkload.figure12Gemms().subList(0, 2);
    static final List<BenchmarkProcess.Expected> MATMUL = List.of(new BenchmarkProcess.Expected("PyTorch-matmul", FormatPair.FP16));
    static final String M0_LINE = "{\"system\":\"PyTorch-matmul\",\"workload\":\"M0\",\"setting\":\"\",\"formats\":\"W_FP16A_FP16\","
            + "\"status\":\"ok\",\"median_ms\":0.5,\"samples_ms\":[0.5,0.5,0.6],\"device\":\"Fake GPU\"}";

    private BaselineRunner.Options options(Duration timeout) { return new BaselineRunner.Options("unused", true, timeout, dir.resolve("cache")); }

    @Test
    void theProcessRunsOnTheGpuItsOptionsName() throws Exception {
        Path fake = FakePrograms.script(dir, "bench", "echo '" + M0_LINE.replace("Fake GPU", "GPU '\"$CUDA_VISIBLE_DEVICES\"'") + "'");
        List<Measurement> ms = BenchmarkProcess.run(List.of(fake.toString()), options(Duration.ofSeconds(20)).onDevices("3"), null, GEMMS.subList(0, 1),
                MATMUL, JsonLines.Line::measurement);
        assertThat(ms).singleElement().satisfies(m -> assertThat(m.device()).isEqualTo("GPU 3"));
        assertThat(options(Duration.ofSeconds(1)).environment()).doesNotContainKey("CUDA_VISIBLE_DEVICES").containsEntry("PYTHONUNBUFFERED", "1");
    }

    @Test
    void relabelsLinesToTheChartsWorkloadAndFailsTheMissingOnes() throws Exception {
        Path fake = FakePrograms.script(dir, "bench", "echo '" + M0_LINE + "'; echo 'note: M1 skipped' >&2");
        List<Measurement> ms = BenchmarkProcess.run(List.of(fake.toString()), options(Duration.ofSeconds(20)), null, GEMMS, MATMUL,
                JsonLines.Line::measurement);
        assertThat(ms).hasSize(2);
        assertThat(ms.get(0).status()).isEqualTo(Measurement.Status.OK);
        assertThat(ms.get(0).workload()).isEqualTo("matmul");
        assertThat(ms.get(0).setting()).isEqualTo("M0");
        assertThat(ms.get(1).status()).isEqualTo(Measurement.Status.FAILED);
        assertThat(ms.get(1).setting()).isEqualTo("M1");
        assertThat(ms.get(1).reason()).contains("no result line").contains("note: M1 skipped");
    }

    @Test
    void aCrashKeepsWhatWasPrintedAndFailsTheRestWithTheStderrTail() throws Exception {
        Path fake = FakePrograms.script(dir, "bench", "echo '" + M0_LINE + "'; echo 'RuntimeError: CUDA error: illegal memory access' >&2; exit 3");
        List<Measurement> ms = BenchmarkProcess.run(List.of(fake.toString()), options(Duration.ofSeconds(20)), null, GEMMS, MATMUL,
                JsonLines.Line::measurement);
        assertThat(ms.get(0).status()).isEqualTo(Measurement.Status.OK);
        assertThat(ms.get(1).status()).isEqualTo(Measurement.Status.FAILED);
        assertThat(ms.get(1).reason()).startsWith("exit status 3").contains("illegal memory access");
    }

    @Test
    void aHangIsKilledAndRecordedAsTimedOut() throws Exception {
        Path fake = FakePrograms.script(dir, "bench", "echo 'loading' >&2; sleep 30");
        long t0 = System.nanoTime();
        List<Measurement> ms = BenchmarkProcess.run(List.of(fake.toString()), options(Duration.ofMillis(500)), null, GEMMS, MATMUL,
                JsonLines.Line::measurement);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(ms).hasSize(2).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(Measurement.Status.FAILED);
            assertThat(m.reason()).startsWith("timed out").contains("loading");
        });
    }

    @Test
    void aMissingProgramFailsEveryExpectedRecord() {
        List<Measurement> ms = BenchmarkProcess.run(List.of(dir.resolve("no-such-bench").toString()), options(Duration.ofSeconds(5)), null,
                GEMMS, MATMUL, JsonLines.Line::measurement);
        assertThat(ms).hasSize(2).allSatisfy(m -> assertThat(m.reason()).startsWith("cannot start"));
    }
}

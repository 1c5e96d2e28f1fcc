package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.Detection;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;

class BaselinePointsTest {
    @TempDir Path dir;

    /** Answers n/a for each workload, noting the GPU its options named and how many ran at once. */
    static final class RecordingRunner implements BaselineRunner {
        final Map<String, String> deviceOf = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger(), mostAtOnce = new AtomicInteger();

        @Override public String system() { return "Fake"; }

        @Override public List<BaselineWorkload> workloads() { return BaselineWorkload.figure9Models(); }

        @Override public Detection detect() { return Detection.available(Map.of()); }

        @Override
        public List<Measurement> run(List<BaselineWorkload> workloads, Options options) {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            List<Measurement> out = new ArrayList<>();
            for (BaselineWorkload w : workloads) {
                deviceOf.put(w.workload() + " " + w.setting(), String.valueOf(options.visibleDevices()));
                out.add(Measurement.notAvailable("Fake", FormatPair.FP16, w.workload(), w.setting(), "fake"));
            }
            return out;
        }
    }

    private ReproduceContext context() {
        return new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0", MeasurementLog.fresh(dir.resolve("m.json")));
    }

    private static List<List<BaselineWorkload>> oneBatchEach() { return BaselineWorkload.figure9Models().stream().map(List::of).toList(); }

    @Test
    void batchesRunOnePerGpuAtATimeOverEveryGpuAndComeBackInOrder() {
        RecordingRunner runner = new RecordingRunner();
        BaselineRunner.Options options = new BaselineRunner.Options("python3", true, Duration.ofSeconds(5), dir);
        ReproduceContext rc = context();
        List<Measurement> ms = BaselinePoints.runBatches(runner, oneBatchEach(), options, List.of("4", "6"), rc, "test");
        List<String> expected = BaselineWorkload.figure9Models().stream().map(w -> w.workload() + " " + w.setting()).toList();
        assertThat(ms.stream().map(m -> m.workload() + " " + m.setting()).toList()).isEqualTo(expected);
        assertThat(runner.deviceOf.values()).containsOnly("4", "6").contains("4", "6");
        assertThat(runner.mostAtOnce.get()).isEqualTo(2);
        assertThat(rc.measurements().snapshot()).hasSize(expected.size());
    }

    @Test
    void oneInheritedGpuRunsTheBatchesOneAfterAnother() {
        RecordingRunner runner = new RecordingRunner();
        BaselineRunner.Options options = new BaselineRunner.Options("python3", true, Duration.ofSeconds(5), dir);
        List<Measurement> ms = BaselinePoints.runBatches(runner, oneBatchEach(), options, Collections.singletonList(null), context(), "test");
        assertThat(ms).hasSize(BaselineWorkload.figure9Models().size());
        assertThat(runner.deviceOf.values()).containsOnly("null");
        assertThat(runner.mostAtOnce.get()).isEqualTo(1);
    }
}

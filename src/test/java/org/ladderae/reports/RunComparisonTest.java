package org.ladderae.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {
    static Path run(Path dir, String name, String experiment, double fp16, Double int4) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Files.writeString(run.resolve("data.json"), """
                {"experiment": "%s", "unit": "ms", "dataset": {"panels": [{"id": "matmul",
                  "x": [{"label": "M0"}, {"label": "M3"}],
                  "series": [{"plain_name": "Ladder", "values": [%s, 1.0]},
                             {"plain_name": "Ladder-W_INT4A_FP16", "values": [%s, 0.5]}]}]}}
                """.formatted(experiment, fp16, int4 == null ? "null" : int4));
        return run;
    }

    @Test
    void reportsSlowerAndFasterPointsBeyondTheFactor(@TempDir Path dir) throws IOException {
        Path a = run(dir, "a", "figure12", 2.0, 0.6);
        Path b = run(dir, "b", "figure12", 2.5, 0.5);
        RunComparison.Result r = RunComparison.compare(a, b, 1.1);
        assertThat(r.compared()).isEqualTo(4);
        assertThat(r.worse()).singleElement().satisfies(c -> {
            assertThat(c.series()).isEqualTo("Ladder");
            assertThat(c.x()).isEqualTo("M0");
            assertThat(c.ratio()).isEqualTo(1.25);
        });
        assertThat(r.better()).singleElement().satisfies(c -> assertThat(c.series()).isEqualTo("Ladder-W_INT4A_FP16"));
    }

    @Test
    void pointsMissingOnOneSideAreCountedNotCompared(@TempDir Path dir) throws IOException {
        RunComparison.Result r = RunComparison.compare(run(dir, "a", "figure12", 2.0, 0.6), run(dir, "b", "figure12", 2.0, null), 1.1);
        assertThat(r.compared()).isEqualTo(3);
        assertThat(r.onlyInOne()).isEqualTo(1);
        assertThat(r.better()).isEmpty();
        assertThat(r.worse()).isEmpty();
    }

    @Test
    void differentExperimentsAreRefused(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> RunComparison.compare(run(dir, "a", "figure12", 1, 1.0), run(dir, "b", "figure14", 1, 1.0), 1.1))
                .hasMessageContaining("different experiments: figure12 and figure14");
    }
}

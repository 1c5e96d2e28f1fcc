package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TunerTest {
    /** Candidates are thread counts; a table gives each one's time; some fail to compile or are wrong. */
    record FakeProblem(Map<Integer, Double> timeMs, Set<Integer> compileFails, Set<Integer> wrong) implements TuningProblem<Integer> {
        public String describe() { return "fake"; }

        public List<Integer> candidates() { return timeMs.keySet().stream().sorted().toList(); }

        public byte[] compile(Integer c) {
            if (compileFails.contains(c)) throw new IllegalStateException("ptxas: too many registers");
            return new byte[] {c.byteValue()};
        }

        public double measureMs(Integer c, byte[] binary) {
            assertThat(binary[0]).isEqualTo(c.byteValue());
            return timeMs.get(c);
        }

        public boolean verify(Integer c, byte[] binary) { return !wrong.contains(c); }
    }

    private final StringWriter progress = new StringWriter();
    private final Tuner tuner = new Tuner(2, new PrintWriter(progress), false);

    @Test
    void keepsTheFastestCorrectCandidate() throws Exception {
        FakeProblem p = new FakeProblem(Map.of(64, 0.30, 128, 0.10, 256, 0.20, 512, 0.05), Set.of(512), Set.of());
        TuningReport<Integer> r = tuner.tune(p);
        assertThat(r.best()).isEqualTo(128);
        assertThat(r.bestMs()).isEqualTo(0.10);
        assertThat(r.candidatesTried()).isEqualTo(4);
        assertThat(r.trials()).filteredOn(t -> !t.ok()).singleElement()
                .satisfies(t -> assertThat(t.failure()).contains("too many registers"));
        assertThat(r.medianMs()).isEqualTo(0.20);
        assertThat(progress.toString()).contains("compile fake: 4/4 (100%)").contains("measure fake: 4/4 (100%)");
    }

    @Test
    void aFastButWrongKernelIsNeverKept() throws Exception {
        FakeProblem p = new FakeProblem(Map.of(64, 0.30, 128, 0.10, 256, 0.20), Set.of(), Set.of(128));
        TuningReport<Integer> r = tuner.tune(p);
        assertThat(r.best()).isEqualTo(256);
        assertThat(r.trials()).anySatisfy(t -> assertThat(t.failure()).isEqualTo("wrong result"));
    }

    @Test
    void failsClearlyWhenNothingWorks() {
        FakeProblem p = new FakeProblem(Map.of(64, 0.30), Set.of(64), Set.of());
        assertThatThrownBy(() -> tuner.tune(p)).isInstanceOf(Tuner.TuningException.class)
                .hasMessageContaining("fake: no candidate both ran and passed its check").hasMessageContaining("ptxas");
    }

    @Test
    void etaFormatting() {
        assertThat(org.ladderae.env.ProgressBar.format(java.time.Duration.ofSeconds(75))).isEqualTo("1:15");
        assertThat(org.ladderae.env.ProgressBar.format(java.time.Duration.ofSeconds(3723))).isEqualTo("1:02:03");
    }
}

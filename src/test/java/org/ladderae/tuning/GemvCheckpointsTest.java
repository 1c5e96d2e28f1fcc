package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvLaunch;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;

class GemvCheckpointsTest {
    static GemvTuningProblem problem(WeightFormat w, ActFormat a, int m, int n, int k) {
        return new GemvTuningProblem(w, a, m, n, k, null, null, TargetArch.parse("sm_90a"), 1);
    }

    @Test
    void theSearchSpaceHoldsTheHeuristicsChoiceAndOnlyLaunchesThatFitTheShape() {
        GemvTuningProblem p = problem(WeightFormat.INT4, ActFormat.FP16, 1, 28672, 8192);
        List<GemvLaunch> candidates = p.candidates();
        assertThat(candidates).contains(GemvKernels.holistic(WeightFormat.INT4, ActFormat.FP16, 1, 28672, 8192).launch());
        assertThat(candidates).doesNotHaveDuplicates().allSatisfy(l -> p.config(l).validateShape(28672, 8192));
        assertThat(problem(WeightFormat.INT1, ActFormat.INT8, 3, 1000, 4096).candidates()).isNotEmpty();
    }

    @Test
    void aTunedKernelRoundTripsThroughACheckpointAndLoadsWithoutTheCompiler(@TempDir Path dir) throws IOException {
        GemvTuningProblem p = problem(WeightFormat.INT4, ActFormat.FP16, 1, 8192, 28672);
        GemvLaunch best = p.candidates().get(0);
        byte[] cubin = {1, 2, 3, 4, 5};
        TuningReport<GemvLaunch> report = new TuningReport<>(p.describe(), best, cubin, 0.05, 0.07,
                List.of(new TuningReport.Trial<>(best, 0.05, null), new TuningReport.Trial<>(p.candidates().get(1), 0.07, null)),
                Duration.ofMillis(3000), Duration.ofMillis(800), Duration.ofMillis(3800));
        CheckpointManifest m = GemvCheckpoints.manifest(p, report, "sm_90a", "Test GPU", "13.0", "13.0.88", 132);
        assertThat(m.launch().params()).containsEntry("threads", best.threads()).containsEntry("split_k", best.splitK());
        assertThat(m.tuning().phaseTimeMs()).containsEntry("compile", 3000.0).containsEntry("measure", 800.0);
        assertThat(m.tuning().candidatesTried()).isEqualTo(2);

        CheckpointStore store = new CheckpointStore(dir);
        GemvCheckpoints.save(store, m, cubin, false);
        GemvCheckpoints.Tuned tuned = GemvCheckpoints.find(store, "sm_90a", WeightFormat.INT4, ActFormat.FP16, 1, 8192, 28672).orElseThrow();
        assertThat(tuned.config()).isEqualTo(p.config(best));
        assertThat(tuned.cubin()).containsExactly(cubin);
        assertThat(GemvCheckpoints.find(store, "sm_80", WeightFormat.INT4, ActFormat.FP16, 1, 8192, 28672)).isEmpty();
        assertThat(GemvCheckpoints.find(store, "sm_90a", WeightFormat.NF4, ActFormat.FP16, 1, 8192, 28672)).isEmpty();
    }

    @Test
    void launchParamsRoundTrip() {
        GemvLaunch l = new GemvLaunch(256, 2, 4, 2, 0, false);
        assertThat(GemvCheckpoints.launch(GemvCheckpoints.params(l))).isEqualTo(l);
    }
}

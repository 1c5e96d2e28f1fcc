package org.ladderae.tuning;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Function;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.env.ProgressBar;

/**
 * What {@code --force-tune-ladder} does for any operator: tune on all cores, save the verified winner as a
 * checkpoint (replacing one for the same key: the run's own directory holds only this run's tuning).
 */
public record TunedCheckpoint<C>(TuningReport<C> report, Checkpoint checkpoint) {

    public static <C> TunedCheckpoint<C> tuneAndSave(TuningProblem<C> problem, PrintWriter progress, CheckpointStore store,
                                                     Function<TuningReport<C>, CheckpointManifest> manifest) throws Tuner.TuningException, IOException {
        TuningReport<C> report = new Tuner(Runtime.getRuntime().availableProcessors(), progress, ProgressBar.isTerminal()).tune(problem);
        Checkpoint saved = store.save(manifest.apply(report), report.bestBinary(), true);
        return new TunedCheckpoint<>(report, saved);
    }

    /** How a measurement's notes name the kernel's origin. */
    public String source() {
        return String.format(Locale.ROOT, "tuned in this run in %.1f s (%d candidates): %s", report.total().toMillis() / 1e3, report.candidatesTried(),
                checkpoint.directory());
    }
}

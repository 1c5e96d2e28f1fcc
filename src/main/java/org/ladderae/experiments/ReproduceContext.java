package org.ladderae.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What a reproduction needs besides the GPU: where to print progress, the baselines' interpreter,
 * how hard to measure, the run's {@link MeasurementLog} (records points as they are measured, and
 * holds the points of the run being resumed), and whether to re-tune Ladder's kernels instead of
 * loading the shipped checkpoints ({@code forceTune}; new checkpoints go to {@code tunedCheckpoints},
 * inside the run directory, never over the shipped ones).
 */
public record ReproduceContext(PrintWriter out, String python, boolean quick, long seed, String version, MeasurementLog measurements,
                               boolean forceTune, Path tunedCheckpoints) {
    public ReproduceContext(PrintWriter out, String python, boolean quick, long seed, String version, MeasurementLog measurements) {
        this(out, python, quick, seed, version, measurements, false, null);
    }

    /** The same settings recording into {@code log}: {@link ExperimentRunner} opens the log in the run directory. */
    public ReproduceContext withMeasurements(MeasurementLog log) {
        return new ReproduceContext(out, python, quick, seed, version, log, forceTune, tunedCheckpoints);
    }

    /** The same settings writing re-tuned checkpoints under {@code dir}. */
    public ReproduceContext withTunedCheckpoints(Path dir) {
        return new ReproduceContext(out, python, quick, seed, version, measurements, forceTune, dir);
    }
}

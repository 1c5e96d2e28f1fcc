package org.ladderae.experiments;

import java.io.PrintWriter;

/**
 * What a reproduction needs besides the GPU: where to print progress, the baselines' interpreter,
 * how hard to measure, and the run's {@link MeasurementLog} (records points as they are measured,
 * and holds the points of the run being resumed).
 */
public record ReproduceContext(PrintWriter out, String python, boolean quick, long seed, String version, MeasurementLog measurements) {
    /** The same settings recording into {@code log}: {@link ExperimentRunner} opens the log in the run directory. */
    public ReproduceContext withMeasurements(MeasurementLog log) { return new ReproduceContext(out, python, quick, seed, version, log); }
}

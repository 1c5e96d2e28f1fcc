package org.ladderae.tuning;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.checkpoints.TuningSummary;

/**
 * What a tuning run found and what it cost. {@code trials} holds every candidate's outcome so a
 * checkpoint can record how many were tried and how the winner compares with the median.
 */
public record TuningReport<C>(String problem, C best, byte[] bestBinary, double bestMs, double medianMs,
                              List<Trial<C>> trials, Duration compileTime, Duration measureTime, Duration total) {

    /** One candidate: its time, or why it has none (failed to compile, failed to run, wrong result). */
    public record Trial<C>(C candidate, Double medianMs, String failure) {
        public boolean ok() { return failure == null; }
    }

    public long candidatesTried() { return trials.size(); }

    /** The manifest's record of this run: wall time per phase in the tuner's order, candidates, best and median. */
    public TuningSummary summary() {
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("compile", (double) compileTime.toMillis());
        phases.put("measure", (double) measureTime.toMillis());
        return new TuningSummary(total.toMillis(), phases, (int) candidatesTried(), bestMs, medianMs);
    }
}

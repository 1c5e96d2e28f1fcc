package org.ladderae.results;

import java.util.Arrays;
import java.util.List;

/**
 * Statistics of repeated timings, in milliseconds. The samples are kept so a result can be
 * re-analysed later; the median is the number the project reports.
 */
public record TimingStats(double medianMs, double minMs, double p90Ms, double meanMs, double cv, List<Double> samplesMs) {

    public TimingStats { samplesMs = List.copyOf(samplesMs); }

    public static TimingStats of(double[] samplesMs) {
        if (samplesMs.length == 0) throw new IllegalArgumentException("no timing samples");
        double[] s = samplesMs.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElseThrow();
        double var = Arrays.stream(s).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, s.length - 1);
        return new TimingStats(quantile(s, 0.5), s[0], quantile(s, 0.9), mean,
                mean > 0 ? Math.sqrt(var) / mean : 0, Arrays.stream(samplesMs).boxed().toList());
    }

    /** Linear interpolation between closest ranks of sorted data. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

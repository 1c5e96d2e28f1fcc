package org.ladderae.reports;

import java.util.Optional;
import java.util.function.Function;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/**
 * A statement the paper makes that a run can test, e.g. "INT4 GEMV is at least 3x faster than
 * FP16 at batch 1". Its value is computed from a data set (the paper's, or a measured one of the
 * same shape), never typed in; the verdict compares that value with the threshold.
 */
public record Claim(String experiment, String statement, String unit, double threshold, Function<Dataset, Optional<Double>> metric) {

    public enum Verdict { HOLDS, FAILS, NOT_TESTED }

    public Optional<Double> valueIn(Dataset dataset) {
        try {
            return metric.apply(dataset);
        } catch (RuntimeException missingPanelOrSeries) {
            return Optional.empty();
        }
    }

    public Verdict verdict(Optional<Double> value) {
        return value.map(v -> v >= threshold ? Verdict.HOLDS : Verdict.FAILS).orElse(Verdict.NOT_TESTED);
    }

    /** time(baseline) / time(series) at one x category of one panel; empty if either is missing. */
    public static Function<Dataset, Optional<Double>> speedup(String panelId, String x, String baseline, String series) {
        return d -> {
            Panel p = d.requirePanel(panelId);
            int i = p.xIndex(x);
            Optional<Double> base = p.series(baseline).map(s -> s.value(i));
            Optional<Double> mine = p.series(series).map(s -> s.value(i));
            return base.flatMap(b -> mine.filter(m -> m > 0).map(m -> b / m));
        };
    }

    /** The value of one series at one x category (for tables whose cells are already ratios). */
    public static Function<Dataset, Optional<Double>> value(String panelId, String x, String series) {
        return d -> {
            Panel p = d.requirePanel(panelId);
            int i = p.xIndex(x);
            return p.series(series).map((Series s) -> s.value(i));
        };
    }
}

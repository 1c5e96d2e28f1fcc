package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.results.Measurement;

/**
 * Builds a measured data set in the paper's own shape: the same panels, x categories and series as
 * the paper's, each point filled from a {@link Measurement} of the same system and formats whose
 * workload is the panel's id and whose setting is the x category, or left null with the reason it
 * was not measured. (Matching the workload keeps panels with the same x labels apart, e.g.
 * Figure 14's M0-M3 at BS1 SEQ1 and at BS1 SEQ4096.) The charts then draw it with the paper's layout.
 */
public final class MeasuredPanels {
    public static final String DATASET_ID = "measured";

    private MeasuredPanels() {}

    /**
     * @param notMeasured the reason for a point no measurement covers, given the series and x label
     */
    public static Panel fill(Panel template, List<Measurement> measurements, BiFunction<Series, String, String> notMeasured) {
        return fill(template, measurements, Measurement::medianMs, "no timing", notMeasured);
    }

    /**
     * As {@link #fill(Panel, List, BiFunction)}, with the value of an OK record taken by {@code value}
     * (e.g. Figure 11's peak memory from the extras); an OK record without one is left null with
     * {@code missingValue} as the reason.
     */
    public static Panel fill(Panel template, List<Measurement> measurements, Function<Measurement, Double> value, String missingValue,
                             BiFunction<Series, String, String> notMeasured) {
        List<Series> series = new ArrayList<>();
        for (Series s : template.series()) {
            List<Double> values = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            for (String x : template.xPlainLabels()) {
                Measurement m = find(measurements, template.id(), s, x);
                Double v = m != null && m.status() == Measurement.Status.OK ? value.apply(m) : null;
                if (v != null) {
                    values.add(v);
                    reasons.add(null);
                } else if (m != null && m.status() == Measurement.Status.OK) {
                    values.add(null);
                    reasons.add(missingValue);
                } else {
                    values.add(null);
                    reasons.add(m != null ? m.status().name().toLowerCase() + ": " + m.reason() : notMeasured.apply(s, x));
                }
            }
            series.add(new Series(s.name(), s.plainName(), s.system(), s.formats(), s.stage(), values, reasons, null));
        }
        return new Panel(template.id(), template.title(), template.workload(), null, template.x(), template.plottedX(),
                template.peakTflops(), series);
    }

    private static Measurement find(List<Measurement> ms, String workload, Series s, String x) {
        for (Measurement m : ms) {
            if (m.workload().equals(workload) && m.system().equals(s.system()) && Objects.equals(m.formats(), s.formats())
                    && m.setting().equals(x)) return m;
        }
        return null;
    }

    public static Dataset dataset(String gpuName, String version, String provenance, List<Panel> panels) {
        return new Dataset(DATASET_ID, "measured by ladder-ae " + version + " on " + gpuName, gpuName,
                gpuName, new Dataset.Source("ladder-ae", "-", version, "measurements.json"),
                provenance, panels);
    }
}

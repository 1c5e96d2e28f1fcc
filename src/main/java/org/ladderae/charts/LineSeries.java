package org.ladderae.charts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One line: a value per category, null where nothing was measured (the line skips it). */
public record LineSeries(SeriesStyle style, List<Double> values) {
    public LineSeries { values = Collections.unmodifiableList(new ArrayList<>(values)); }
}

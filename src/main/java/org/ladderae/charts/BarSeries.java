package org.ladderae.charts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One bar series: a value (or null with a mark) per category. */
public record BarSeries(SeriesStyle style, List<Double> values, List<Mark> marks) {
    public BarSeries {
        values = Collections.unmodifiableList(new ArrayList<>(values));
        marks = Collections.unmodifiableList(new ArrayList<>(marks));
        if (values.size() != marks.size()) throw new IllegalArgumentException("values and marks differ in length");
    }

    public Mark mark(int category) { return values.get(category) == null ? marks.get(category) : null; }
}

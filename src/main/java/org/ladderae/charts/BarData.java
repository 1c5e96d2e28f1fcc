package org.ladderae.charts;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/** The bars of one panel: categories on x, series in bar order. */
public record BarData(List<String> categories, List<BarSeries> series) {
    public BarData {
        categories = List.copyOf(categories);
        series = List.copyOf(series);
    }

    /** Largest value, 0 when there is none. */
    public double max() {
        return series.stream().flatMap(s -> s.values().stream()).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** Only the category at {@code index}, for figures that draw one sub-plot per category. */
    public BarData category(int index) {
        return new BarData(List.of(categories.get(index)), series.stream()
                .map(s -> new BarSeries(s.style(), nullable(s.values().get(index)),
                        java.util.Collections.singletonList(s.marks().get(index))))
                .toList());
    }

    /** Whether no series has a value at {@code index}. */
    public boolean emptyAt(int index) {
        return series.stream().allMatch(s -> s.values().get(index) == null);
    }

    public List<Integer> indices() { return IntStream.range(0, categories.size()).boxed().toList(); }

    private static List<Double> nullable(Double v) { return java.util.Collections.singletonList(v); }
}

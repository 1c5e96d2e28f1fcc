package org.ladderae.charts;

import org.jfree.chart.ui.Drawable;

/**
 * Picks how a bar panel is drawn from its data: a notice when nothing has a value, a broken axis
 * when the figure asks for one and a bar exceeds the lower part, else plain grouped bars.
 */
public final class BarPanels {
    private BarPanels() {}

    /** @param emptyNotice text for a panel without any value ("Out of memory") */
    public static Drawable plain(BarData data, BarOptions options, String emptyNotice) {
        if (data.indices().stream().allMatch(data::emptyAt)) {
            return new EmptyPanel(emptyNotice, options.categoryLabels ? String.join(" / ", data.categories()) : null);
        }
        return GroupedBarChart.create(data, options);
    }

    /**
     * A broken y axis: lower part {@code yMin..lowerMax}, upper part from {@code upperMin} to
     * {@code upperMax}. If no bar exceeds {@code lowerMax}, a plain panel is clearer.
     */
    public static Drawable broken(BarData data, BarOptions options, String emptyNotice, double upperMin,
                                  double upperMax, double lowerMax, int upperWeight, int lowerWeight) {
        if (!BrokenAxisChart.needed(data, lowerMax)) return plain(data, options, emptyNotice);
        double from = upperFrom(data, upperMin, lowerMax);
        double to = Math.max(upperMax, from + 1);
        return BrokenAxisChart.create(data, options, from, to, lowerMax, upperWeight, lowerWeight);
    }

    /**
     * Where the upper part of a broken axis starts: the layout's {@code upperMin}, or lower, so that every bar
     * taller than the lower part shows its top (a bar ending inside the gap would look as tall as the lower part).
     */
    static double upperFrom(BarData data, double upperMin, double lowerMax) {
        double lowestAbove = data.series().stream().flatMap(s -> s.values().stream()).filter(v -> v != null && v > lowerMax)
                .mapToDouble(Double::doubleValue).min().orElse(data.max());
        return Math.max(lowerMax, Math.min(upperMin, Math.floor(lowestAbove)));
    }
}

package org.ladderae.charts;

import java.awt.Color;
import java.util.List;

/** One legend item: a label and how its swatch looks. */
public record LegendEntry(String label, Color color, Swatch swatch) {
    public enum Swatch { BOX, DASHED_LINE, LINE_WITH_MARKER }

    public static List<LegendEntry> boxes(List<SeriesStyle> styles) {
        return styles.stream().map(s -> new LegendEntry(s.label(), s.color(), Swatch.BOX)).toList();
    }

    public static List<LegendEntry> lines(List<SeriesStyle> styles) {
        return styles.stream().map(s -> new LegendEntry(s.label(), s.color(), Swatch.LINE_WITH_MARKER)).toList();
    }

    /** The entry explaining the dashed line at y=1. */
    public static LegendEntry baseline(String label) { return new LegendEntry(label, Color.BLACK, Swatch.DASHED_LINE); }
}

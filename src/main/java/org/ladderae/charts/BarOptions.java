package org.ladderae.charts;

/**
 * How a bar panel is drawn. {@code barWidth} is one bar's width as a fraction of a category's
 * slot, as matplotlib's {@code width}; the whole group is capped at 95% of the slot.
 */
public final class BarOptions {
    double yMin = 0;
    Double yMax;
    Double baseline;
    double barWidth = 0.09;
    boolean integerTicks = true;
    boolean marks = true;
    String xLabel;
    String yLabel;
    boolean categoryLabels = true;

    public static BarOptions defaults() { return new BarOptions(); }

    public BarOptions range(double min, double max) { this.yMin = min; this.yMax = max; return this; }

    /** Top of the y axis; by default 10% above the tallest bar. */
    public BarOptions yMax(double max) { this.yMax = max; return this; }

    /** Dashed horizontal line at {@code y} (the normalisation baseline). */
    public BarOptions baseline(double y) { this.baseline = y; return this; }

    public BarOptions barWidth(double w) { this.barWidth = w; return this; }

    public BarOptions integerTicks(boolean b) { this.integerTicks = b; return this; }

    public BarOptions marks(boolean b) { this.marks = b; return this; }

    public BarOptions xLabel(String s) { this.xLabel = s; return this; }

    public BarOptions yLabel(String s) { this.yLabel = s; return this; }

    public BarOptions categoryLabels(boolean b) { this.categoryLabels = b; return this; }

    public BarOptions copy() {
        BarOptions o = new BarOptions();
        o.yMin = yMin; o.yMax = yMax; o.baseline = baseline; o.barWidth = barWidth; o.integerTicks = integerTicks;
        o.marks = marks; o.xLabel = xLabel; o.yLabel = yLabel; o.categoryLabels = categoryLabels;
        return o;
    }
}

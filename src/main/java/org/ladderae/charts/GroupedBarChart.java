package org.ladderae.charts;

import java.awt.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Grouped bars: categories on x, one bar per series in data order, optional dashed baseline and
 * marks on missing values. {@link #plot} is also the building block of {@link BrokenAxisChart}.
 */
public final class GroupedBarChart {
    private static final double MAX_GROUP = 0.95;
    private static final double HEADROOM = 1.1;

    private GroupedBarChart() {}

    public static JFreeChart create(BarData data, BarOptions options) {
        CategoryPlot plot = plot(data, options);
        plot.setDomainAxis(domainAxis(data, options));
        return ChartStyle.chart(plot);
    }

    /** A plot without a domain axis (the caller adds one, possibly shared). */
    static CategoryPlot plot(BarData data, BarOptions o) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (BarSeries s : data.series()) {
            for (int i = 0; i < data.categories().size(); i++) {
                dataset.addValue(s.values().get(i), s.style().key(), data.categories().get(i));
            }
        }
        NumberAxis y = new NumberAxis();
        ChartStyle.axis(y, o.yLabel);
        double max = o.yMax != null ? o.yMax : Math.max(o.yMin + 1, data.max() * HEADROOM);
        y.setRange(o.yMin, max);
        if (o.integerTicks && (max - o.yMin >= 2 || o.yMin > 0)) y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CategoryPlot plot = new CategoryPlot(dataset, null, y, new MarkingBarRenderer(data, o.marks));
        ChartStyle.plot(plot);
        plot.setRangeGridlinesVisible(false);
        plot.setDomainGridlinesVisible(false);
        if (o.baseline != null) plot.addRangeMarker(new ValueMarker(o.baseline, Color.BLACK, ChartStyle.BASELINE_STROKE), Layer.FOREGROUND);
        return plot;
    }

    /**
     * A category axis whose margins give each bar {@code barWidth} of a category slot, so bars
     * keep the paper's proportions whatever the number of categories.
     */
    static CategoryAxis domainAxis(BarData data, BarOptions o) {
        CategoryAxis x = new CategoryAxis();
        ChartStyle.axis(x, o.xLabel);
        int categories = data.categories().size();
        double group = Math.min(MAX_GROUP, o.barWidth * Math.max(1, data.series().size()));
        double gap = 1 - group;
        x.setLowerMargin(gap / 2 / categories);
        x.setUpperMargin(gap / 2 / categories);
        x.setCategoryMargin(categories > 1 ? gap * (categories - 1) / categories : 0);
        x.setTickLabelsVisible(o.categoryLabels);
        x.setTickMarksVisible(false);
        x.setMaximumCategoryLabelLines(2);
        return x;
    }
}

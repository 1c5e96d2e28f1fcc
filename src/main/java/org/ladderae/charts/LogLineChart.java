package org.ladderae.charts;

import java.awt.BasicStroke;
import java.awt.geom.Ellipse2D;
import java.util.List;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Lines with round markers over categorical x on a log y axis (Figure 11). Missing values are
 * not drawn, as a zero is not drawable on a log axis in the original either.
 */
public final class LogLineChart {
    private static final double MARKER = 4.5;

    private LogLineChart() {}

    public static JFreeChart create(List<String> categories, List<LineSeries> lines, String xLabel, String yLabel,
                                    double yMin, double yMax) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true);
        for (int s = 0; s < lines.size(); s++) {
            LineSeries line = lines.get(s);
            for (int i = 0; i < categories.size(); i++) dataset.addValue(line.values().get(i), line.style().key(), categories.get(i));
            renderer.setSeriesPaint(s, line.style().color());
            renderer.setSeriesStroke(s, new BasicStroke(1.2f));
            renderer.setSeriesShape(s, new Ellipse2D.Double(-MARKER / 2, -MARKER / 2, MARKER, MARKER));
        }
        CategoryAxis x = new CategoryAxis();
        ChartStyle.axis(x, xLabel);
        x.setLowerMargin(0.08);
        x.setUpperMargin(0.08);
        x.setTickMarksVisible(false);
        LogAxis y = new DecadeLogAxis();
        ChartStyle.axis(y, yLabel);
        y.setRange(yMin, yMax);
        CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
        ChartStyle.plot(plot);
        plot.setRangeGridlinePaint(new java.awt.Color(0xDD, 0xDD, 0xDD));
        return ChartStyle.chart(plot);
    }

    /** A log range enclosing all values with a little room: one third of a decade each side. */
    public static double[] range(List<LineSeries> lines) {
        double min = lines.stream().flatMap(l -> l.values().stream()).filter(Objects::nonNull).filter(v -> v > 0)
                .mapToDouble(Double::doubleValue).min().orElse(1);
        double max = lines.stream().flatMap(l -> l.values().stream()).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).max().orElse(10);
        return new double[] {min / Math.pow(10, 1 / 3.0), max * Math.pow(10, 1 / 3.0)};
    }
}

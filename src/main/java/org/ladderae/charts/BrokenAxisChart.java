package org.ladderae.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.ui.Drawable;

/**
 * Bars on a y axis broken in two: an upper part for the few tall bars and a lower part for the
 * rest, stacked with a small gap and diagonal break marks on both frames, as the paper draws the
 * panels where one speedup dwarfs the others. Marks and the baseline line live in the lower part.
 */
public final class BrokenAxisChart implements Drawable {
    private static final double GAP = 4;
    private static final double BREAK_MARK = 3.5;

    private final JFreeChart chart;

    private BrokenAxisChart(JFreeChart chart) { this.chart = chart; }

    /**
     * @param upperWeight relative heights of the two parts (the paper uses 1:2)
     */
    public static BrokenAxisChart create(BarData data, BarOptions options, double upperMin, double upperMax,
                                         double lowerMax, int upperWeight, int lowerWeight) {
        BarOptions upperOptions = options.copy().range(upperMin, upperMax).marks(false);
        upperOptions.baseline = null;
        upperOptions.yLabel = null;
        BarOptions lowerOptions = options.copy().range(options.yMin, lowerMax);
        CategoryPlot upper = GroupedBarChart.plot(data, upperOptions);
        CategoryPlot lower = GroupedBarChart.plot(data, lowerOptions);
        CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(GroupedBarChart.domainAxis(data, options));
        combined.setGap(GAP);
        combined.add(upper, upperWeight);
        combined.add(lower, lowerWeight);
        ChartStyle.plot(combined);
        combined.setOutlineVisible(false);
        return new BrokenAxisChart(ChartStyle.chart(combined));
    }

    /** Whether the tallest bar needs a broken axis at all: without it a plain chart is clearer. */
    public static boolean needed(BarData data, double lowerMax) { return data.max() > lowerMax; }

    @Override
    public void draw(Graphics2D g2, Rectangle2D area) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g2, area, info);
        PlotRenderingInfo plots = info.getPlotInfo();
        if (plots.getSubplotCount() < 2) return;
        Rectangle2D top = plots.getSubplotInfo(0).getDataArea();
        Rectangle2D bottom = plots.getSubplotInfo(1).getDataArea();
        Graphics2D g = (Graphics2D) g2.create();
        try {
            g.setPaint(Color.WHITE);
            // Open the frame where the axis is broken (bottom edge of the upper part, top edge of
            // the lower part), keeping the side frames, then draw the diagonal marks.
            g.fill(new Rectangle2D.Double(top.getMinX() + 0.6, top.getMaxY() - 0.6, top.getWidth() - 1.2,
                    bottom.getMinY() - top.getMaxY() + 1.2));
            g.setPaint(Color.BLACK);
            g.setStroke(new BasicStroke(0.8f));
            for (double x : new double[] {top.getMinX(), top.getMaxX()}) {
                g.draw(new Line2D.Double(x - BREAK_MARK, top.getMaxY() + BREAK_MARK / 2, x + BREAK_MARK, top.getMaxY() - BREAK_MARK / 2));
                g.draw(new Line2D.Double(x - BREAK_MARK, bottom.getMinY() + BREAK_MARK / 2, x + BREAK_MARK, bottom.getMinY() - BREAK_MARK / 2));
            }
        } finally {
            g.dispose();
        }
    }
}

package org.ladderae.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.ui.RectangleInsets;

/** The shared look of every panel: white, black frame, bundled font, sizes in points. */
public final class ChartStyle {
    public static final float TICK_FONT = 8f;
    public static final float LABEL_FONT = 9f;
    public static final float MARK_FONT = 6.5f;
    public static final Stroke BASELINE_STROKE = new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[] {4f, 3f}, 0f);
    public static final Color MARK_LIMITATION = new Color(0xD6, 0x10, 0x10);
    public static final Color MARK_MISSING = new Color(0x80, 0x80, 0x80);

    private ChartStyle() {}

    static void axis(Axis axis, String label) {
        axis.setLabel(label);
        axis.setLabelFont(ChartFonts.regular(LABEL_FONT));
        axis.setTickLabelFont(ChartFonts.regular(TICK_FONT));
        axis.setAxisLinePaint(Color.BLACK);
        axis.setTickMarkPaint(Color.BLACK);
        axis.setTickLabelPaint(Color.BLACK);
        axis.setLabelPaint(Color.BLACK);
    }

    static void plot(Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.BLACK);
        plot.setOutlineStroke(new BasicStroke(0.8f));
        plot.setInsets(new RectangleInsets(2, 2, 2, 2));
    }

    static JFreeChart chart(Plot plot) {
        JFreeChart chart = new JFreeChart(null, ChartFonts.regular(LABEL_FONT), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setBorderVisible(false);
        chart.setPadding(new RectangleInsets(1, 1, 1, 1));
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }
}

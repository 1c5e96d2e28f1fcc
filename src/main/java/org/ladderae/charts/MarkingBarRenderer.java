package org.ladderae.charts;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;

/**
 * A bar renderer that, where a value is missing, draws the series' mark ("vLLM OOM", ...) rotated
 * upward from the zero line at the bar's position, as the paper's plotting scripts do.
 */
final class MarkingBarRenderer extends BarRenderer {
    private static final long serialVersionUID = 1L;
    private static final float MIN_MARK_FONT = 4.5f;

    private final transient BarData data;
    private final boolean drawMarks;

    MarkingBarRenderer(BarData data, boolean drawMarks) {
        this.data = data;
        this.drawMarks = drawMarks;
        setBarPainter(new StandardBarPainter());
        setShadowVisible(false);
        setDrawBarOutline(true);
        setDefaultOutlineStroke(new java.awt.BasicStroke(0.3f));
        setDefaultOutlinePaint(java.awt.Color.DARK_GRAY);
        setItemMargin(0);
        for (int i = 0; i < data.series().size(); i++) setSeriesPaint(i, data.series().get(i).style().color());
    }

    @Override
    public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                         CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row, int column,
                         int pass) {
        if (dataset.getValue(row, column) != null) {
            super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
            return;
        }
        Mark mark = data.series().get(row).mark(column);
        if (!drawMarks || mark == null || pass != 0) return;
        double x = calculateBarW0(plot, plot.getOrientation(), dataArea, domainAxis, state, row, column)
                + state.getBarWidth() / 2;
        double zero = Math.max(0, rangeAxis.getLowerBound());
        double y = rangeAxis.valueToJava2D(zero, dataArea, plot.getRangeAxisEdge()) - 2;
        g2.setPaint(mark.limitation() ? ChartStyle.MARK_LIMITATION : ChartStyle.MARK_MISSING);
        g2.setFont(fitting(g2, mark.text(), y - dataArea.getMinY() - 2));
        TextUtils.drawRotatedString(mark.text(), g2, (float) x, (float) y, TextAnchor.CENTER_LEFT,
                -Math.PI / 2, (float) x, (float) y);
    }

    /** The mark font, shrunk (down to a floor) so the text fits the height above the zero line. */
    private static Font fitting(Graphics2D g2, String text, double room) {
        float size = ChartStyle.MARK_FONT;
        Font f = ChartFonts.regular(size);
        while (size > MIN_MARK_FONT && g2.getFontMetrics(f).stringWidth(text) > room) {
            size -= 0.5f;
            f = ChartFonts.regular(size);
        }
        return f;
    }
}

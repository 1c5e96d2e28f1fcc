package org.ladderae.charts;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import org.jfree.chart.ui.Drawable;

/**
 * A legend shared by several panels, drawn in {@code columns} columns (row by row) and centred in
 * its area; the font shrinks if the widest row would not fit.
 */
public final class Legend implements Drawable {
    private static final float FONT = 8f;
    private static final float MIN_FONT = 5f;
    private static final double SWATCH = 14;
    private static final double PAD = 3;
    private static final double COLUMN_GAP = 10;

    private final List<LegendEntry> entries;
    private final int columns;

    public Legend(List<LegendEntry> entries, int columns) {
        this.entries = List.copyOf(entries);
        this.columns = Math.max(1, Math.min(columns, entries.size()));
    }

    public int rows() { return (entries.size() + columns - 1) / columns; }

    @Override
    public void draw(Graphics2D g2, Rectangle2D area) {
        if (entries.isEmpty()) return;
        Graphics2D g = (Graphics2D) g2.create();
        try {
            float size = FONT;
            Font font = ChartFonts.regular(size);
            double[] widths = columnWidths(g.getFontMetrics(font));
            while ((sum(widths) > area.getWidth() || rowHeight(g.getFontMetrics(font)) * rows() > area.getHeight())
                    && size > MIN_FONT) {
                size -= 0.5f;
                font = ChartFonts.regular(size);
                widths = columnWidths(g.getFontMetrics(font));
            }
            FontMetrics fm = g.getFontMetrics(font);
            double rowHeight = rowHeight(fm);
            double x0 = area.getCenterX() - sum(widths) / 2;
            double y0 = area.getCenterY() - rowHeight * rows() / 2;
            g.setFont(font);
            for (int i = 0; i < entries.size(); i++) {
                int row = i / columns, col = i % columns;
                double x = x0;
                for (int c = 0; c < col; c++) x += widths[c];
                double yMid = y0 + rowHeight * row + rowHeight / 2;
                LegendEntry e = entries.get(i);
                swatch(g, e, x, yMid, fm.getAscent() * 0.8);
                g.setPaint(java.awt.Color.BLACK);
                g.drawString(e.label(), (float) (x + SWATCH + PAD), (float) (yMid + fm.getAscent() / 2.0 - 1));
            }
        } finally {
            g.dispose();
        }
    }

    /** Height the legend needs at its preferred font size. */
    public double preferredHeight() { return rows() * (FONT * 1.45); }

    private double[] columnWidths(FontMetrics fm) {
        double[] w = new double[columns];
        for (int i = 0; i < entries.size(); i++) {
            w[i % columns] = Math.max(w[i % columns], SWATCH + PAD + fm.stringWidth(entries.get(i).label()) + COLUMN_GAP);
        }
        return w;
    }

    private static double rowHeight(FontMetrics fm) { return fm.getHeight() * 1.1; }

    private static double sum(double[] a) { double s = 0; for (double v : a) s += v; return s; }

    private static void swatch(Graphics2D g, LegendEntry e, double x, double yMid, double h) {
        g.setPaint(e.color());
        switch (e.swatch()) {
            case BOX -> {
                Rectangle2D box = new Rectangle2D.Double(x, yMid - h / 2, SWATCH, h);
                g.fill(box);
                g.setPaint(java.awt.Color.DARK_GRAY);
                g.setStroke(new BasicStroke(0.3f));
                g.draw(box);
            }
            case DASHED_LINE -> {
                g.setStroke(ChartStyle.BASELINE_STROKE);
                g.draw(new Line2D.Double(x, yMid, x + SWATCH, yMid));
            }
            case LINE_WITH_MARKER -> {
                g.setStroke(new BasicStroke(1.2f));
                g.draw(new Line2D.Double(x, yMid, x + SWATCH, yMid));
                g.fill(new Ellipse2D.Double(x + SWATCH / 2 - 2.2, yMid - 2.2, 4.4, 4.4));
            }
        }
    }
}

package org.ladderae.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.ui.Drawable;

/**
 * A framed panel with only a notice, for a setting where nothing could run (Figure 9's BLOOM
 * BS1 SEQ4096: "Out of memory"). The frame is inset like a chart's data area so it lines up.
 */
public record EmptyPanel(String notice, String categoryLabel) implements Drawable {
    private static final double LEFT = 22, TOP = 3, BOTTOM = 14, RIGHT = 3;

    @Override
    public void draw(Graphics2D g2, Rectangle2D area) {
        Rectangle2D frame = new Rectangle2D.Double(area.getX() + LEFT, area.getY() + TOP,
                area.getWidth() - LEFT - RIGHT, area.getHeight() - TOP - BOTTOM);
        Graphics2D g = (Graphics2D) g2.create();
        try {
            g.setPaint(Color.BLACK);
            g.setStroke(new BasicStroke(0.8f));
            g.draw(frame);
        } finally {
            g.dispose();
        }
        TextPainter.notice(notice).draw(g2, frame);
        if (categoryLabel != null) {
            new TextPainter(categoryLabel, ChartFonts.regular(ChartStyle.TICK_FONT), Color.BLACK, false)
                    .draw(g2, new Rectangle2D.Double(frame.getX(), frame.getMaxY(), frame.getWidth(), BOTTOM));
        }
    }
}

package org.ladderae.charts;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.ui.Drawable;
import org.jfree.chart.ui.TextAnchor;

/**
 * Text centred in its area: captions, shared axis labels (vertical), footers. Horizontal text
 * wraps at word boundaries when wider than the area.
 */
public record TextPainter(String text, Font font, Color color, boolean vertical) implements Drawable {

    public static TextPainter caption(String text) { return new TextPainter(text, ChartFonts.regular(9.5f), Color.BLACK, false); }

    public static TextPainter axisLabel(String text) { return new TextPainter(text, ChartFonts.regular(ChartStyle.LABEL_FONT), Color.BLACK, true); }

    public static TextPainter footer(String text) { return new TextPainter(text, ChartFonts.regular(6f), new Color(0x55, 0x55, 0x55), false); }

    /** Text in an otherwise empty panel, e.g. "Out of memory". */
    public static TextPainter notice(String text) { return new TextPainter(text, ChartFonts.regular(8.5f), ChartStyle.MARK_LIMITATION, true); }

    @Override
    public void draw(Graphics2D g2, Rectangle2D area) {
        Graphics2D g = (Graphics2D) g2.create();
        try {
            g.setFont(font);
            g.setPaint(color);
            float x = (float) area.getCenterX(), y = (float) area.getCenterY();
            if (vertical) {
                TextUtils.drawRotatedString(text, g, x, y, TextAnchor.CENTER, -Math.PI / 2, x, y);
                return;
            }
            FontMetrics fm = g.getFontMetrics();
            List<String> lines = wrap(text, fm, area.getWidth());
            double lineHeight = fm.getHeight();
            double top = area.getCenterY() - lineHeight * lines.size() / 2 + lineHeight / 2;
            for (int i = 0; i < lines.size(); i++) {
                TextUtils.drawAlignedString(lines.get(i), g, x, (float) (top + i * lineHeight), TextAnchor.CENTER);
            }
        } finally {
            g.dispose();
        }
    }

    static List<String> wrap(String text, FontMetrics fm, double width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(candidate) > width && !line.isEmpty()) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        if (!line.isEmpty()) lines.add(line.toString());
        return lines;
    }
}

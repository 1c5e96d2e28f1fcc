package org.ladderae.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A log axis labelled at 1, 2 and 5 times powers of ten, which read as round numbers; JFreeChart's
 * default picks fractional powers (6,310, 15,849).
 */
final class DecadeLogAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    private static final int[] STEPS = {1, 2, 5};

    DecadeLogAxis() {
        setNumberFormatOverride(new DecimalFormat("#,##0"));
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        List<ValueTick> ticks = new ArrayList<>();
        double lo = getLowerBound(), hi = getUpperBound();
        for (int exp = (int) Math.floor(Math.log10(lo)); exp <= Math.ceil(Math.log10(hi)); exp++) {
            for (int step : STEPS) {
                double v = step * Math.pow(10, exp);
                if (v < lo || v > hi) continue;
                ticks.add(new NumberTick(TickType.MAJOR, v, getNumberFormatOverride().format(v),
                        TextAnchor.CENTER_RIGHT, TextAnchor.CENTER, 0));
            }
        }
        return ticks;
    }
}

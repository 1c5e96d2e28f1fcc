package org.ladderae.charts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/**
 * A panel's values as they are (latency in ms), for the absolute view beside a normalised one: where
 * the normalisation baseline differs from the paper's, the absolute bars show what was measured
 * without any choice of baseline. Missing values keep the mark derived from their null reason.
 */
public final class Latencies {
    private Latencies() {}

    public static BarData of(Panel panel, Map<String, SeriesStyle> styles) {
        List<BarSeries> bars = new ArrayList<>();
        for (Series s : panel.series()) {
            SeriesStyle style = styles.get(SeriesStyle.keyOf(s));
            List<Double> values = new ArrayList<>();
            List<Mark> marks = new ArrayList<>();
            for (int i = 0; i < panel.x().size(); i++) {
                Double v = s.value(i);
                boolean drawn = v != null && v > 0;
                values.add(drawn ? v : null);
                marks.add(drawn ? null : Mark.forNull(s.nullReason(i), Speedups.shortName(style.label())));
            }
            bars.add(new BarSeries(style, values, marks));
        }
        return new BarData(panel.xLabels().stream().map(LatexText::plain).toList(), bars);
    }
}

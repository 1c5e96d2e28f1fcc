package org.ladderae.charts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/**
 * Normalises a panel's latencies to a baseline series: speedup = time(baseline) / time(series),
 * computed from the data for each category. A missing value keeps the mark derived from its
 * null reason; a missing baseline turns the category's bars into grey "no baseline" marks.
 */
public final class Speedups {
    private Speedups() {}

    /**
     * @param keepBaseline whether the baseline gets bars of its own (all 1.0) or is left to the
     *                     dashed line at y=1
     */
    public static BarData relativeTo(Panel panel, SeriesMatch baseline, Map<String, SeriesStyle> styles,
                                     boolean keepBaseline) {
        Optional<Series> base = baseline.in(panel);
        List<BarSeries> bars = new ArrayList<>();
        for (Series s : panel.series()) {
            boolean isBase = base.isPresent() && base.get() == s;
            if (isBase && !keepBaseline) continue;
            List<Double> values = new ArrayList<>();
            List<Mark> marks = new ArrayList<>();
            for (int i = 0; i < panel.x().size(); i++) {
                Double t = s.value(i);
                Double b = base.isPresent() ? base.get().value(i) : null;
                SeriesStyle style = styles.get(SeriesStyle.keyOf(s));
                if (t == null || t <= 0) {
                    values.add(null);
                    marks.add(Mark.forNull(s.nullReason(i), shortName(style.label())));
                } else if (b == null || b <= 0) {
                    values.add(null);
                    marks.add(new Mark("no " + baseline.description() + " baseline", false));
                } else {
                    values.add(b / t);
                    marks.add(null);
                }
            }
            bars.add(new BarSeries(styles.get(SeriesStyle.keyOf(s)), values, marks));
        }
        return new BarData(panel.xLabels().stream().map(LatexText::plain).toList(), bars);
    }

    /** The system part of a legend label ("vLLM-W_INT4A_FP16" -> "vLLM"), as the paper's marks use. */
    static String shortName(String label) {
        int dash = label.indexOf("-W_");
        return dash > 0 ? label.substring(0, dash) : label;
    }
}

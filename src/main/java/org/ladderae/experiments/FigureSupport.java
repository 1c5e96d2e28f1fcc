package org.ladderae.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.ladderae.charts.LegendEntry;
import org.ladderae.charts.SeriesMatch;
import org.ladderae.charts.SeriesStyle;
import org.ladderae.charts.Figure;
import org.ladderae.charts.FigureWriter;
import org.ladderae.charts.LatexText;
import org.ladderae.charts.TextPainter;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/** What the figure experiments share: names and labels from the layout, the footer, writing. */
final class FigureSupport {
    static final double FOOTER_HEIGHT = 16;

    private FigureSupport() {}

    /** The original's output name, from the layout's output_files ("png/figure9_end2end_v100.png"). */
    static String outputName(RenderContext ctx) {
        JsonNode files = ctx.data().layout().path("output_files");
        if (files.isArray() && !files.isEmpty()) {
            String file = Path.of(files.get(0).asText()).getFileName().toString();
            return file.substring(0, file.lastIndexOf('.'));
        }
        return ctx.data().experiment();
    }

    /** The layout's y label as plain text. */
    static String yLabel(RenderContext ctx) { return LatexText.plain(ctx.data().layout().path("y_label").asText("")); }

    /** Which device measured the numbers; when it is not the V100 the artifact is named after, why. */
    static String footer(RenderContext ctx) {
        Dataset d = ctx.dataset();
        String text = "Data: " + ctx.deviceLabel();
        if (d.deviceNote() != null && !d.device().contains("V100") && !d.deviceNote().equals(d.device())) {
            text += ". " + d.deviceNote();
        }
        return text;
    }

    static void addFooter(Figure figure, Figure.Strips strips, RenderContext ctx) {
        figure.add(strips.last(), TextPainter.footer(footer(ctx)));
    }

    static List<Path> write(RenderContext ctx, Figure figure) throws IOException {
        return write(ctx, figure, "");
    }

    /** A second chart of the same experiment, named as the first plus {@code suffix}. */
    static List<Path> write(RenderContext ctx, Figure figure, String suffix) throws IOException {
        return FigureWriter.write(figure, ctx.outputDir(), outputName(ctx) + suffix,
                ctx.formats().contains(RenderContext.ChartFormat.PNG), ctx.formats().contains(RenderContext.ChartFormat.PDF));
    }

    /** Puts a vertical {@code label} in a {@code width}-point strip at the left of {@code row}; returns the rest. */
    static Rectangle2D yLabelled(Figure figure, Rectangle2D row, String label, double width) {
        figure.add(new Rectangle2D.Double(row.getX(), row.getY(), width, row.getHeight()), TextPainter.axisLabel(label));
        return indent(row, width);
    }

    static Rectangle2D indent(Rectangle2D r, double left) {
        return new Rectangle2D.Double(r.getX() + left, r.getY(), r.getWidth() - left, r.getHeight());
    }

    /**
     * Legend of the bars of {@code panels}: baselines first, Ladder's variants last, the
     * normalisation baseline (if any) as the dashed line it is drawn as.
     */
    static List<LegendEntry> barLegend(List<Panel> panels, Map<String, SeriesStyle> styles, SeriesMatch baseline) {
        List<SeriesStyle> shown = new ArrayList<>();
        String baselineName = null;
        for (Series s : ladderLast(series(panels))) {
            SeriesStyle style = styles.get(SeriesStyle.keyOf(s));
            if (baseline != null && baseline.test().test(s)) baselineName = style.label();
            else if (!shown.contains(style)) shown.add(style);
        }
        List<LegendEntry> entries = new ArrayList<>(LegendEntry.boxes(shown));
        if (baselineName != null) entries.add(LegendEntry.baseline(baselineName + " (= 1)"));
        return entries;
    }

    static List<Series> series(List<Panel> panels) {
        List<Series> all = new ArrayList<>();
        for (Panel p : panels) all.addAll(p.series());
        return all;
    }

    /** Baselines first, Ladder's variants last, otherwise in data order (the paper's legends). */
    static List<Series> ladderLast(List<Series> series) {
        return series.stream().sorted(Comparator.comparing(Series::isLadder)).toList();
    }

    static List<Panel> panels(Dataset d, String... ids) {
        List<Panel> out = new ArrayList<>();
        for (String id : ids) out.add(d.requirePanel(id));
        return out;
    }
}

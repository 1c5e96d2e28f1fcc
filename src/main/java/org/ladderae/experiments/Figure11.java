package org.ladderae.experiments;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ladderae.charts.Figure;
import org.ladderae.charts.Grid;
import org.ladderae.charts.LatexText;
import org.ladderae.charts.Legend;
import org.ladderae.charts.LegendEntry;
import org.ladderae.charts.LineSeries;
import org.ladderae.charts.LogLineChart;
import org.ladderae.charts.Palette;
import org.ladderae.charts.SeriesStyle;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/** Peak GPU memory of one LLaMA-2-70B layer / BLOOM-176B block per framework and precision. */
public final class Figure11 extends Experiment {
    private static final double LEGEND = 30, Y_LABEL = 14;

    @Override public String id() { return "figure11"; }

    @Override public String summary() { return "Peak GPU memory of one LLaMA-2-70B layer / BLOOM-176B block per framework and precision"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("peak memory of PyTorch eager and Inductor live (driver-level and allocator peak), Ladder series through "
                + "the model executor; TensorRT, vLLM, Welder, ONNXRuntime-CUDA n/a with their reasons");
    }

    @Override public Reproduction reproduce(org.ladderae.paperdata.Dataset paper, ReproduceContext context) {
        return Figure11Reproduction.run(paper, context, LadderModelRunner.installed());
    }

    @Override public ReproducePlan plan(org.ladderae.paperdata.Dataset paper, boolean quick) { return Figure11Reproduction.plan(paper, quick); }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Path> files = new ArrayList<>(renderChart(ctx));
        if (ctx.dataset().panel("llama" + Figure11Reproduction.ALLOCATOR_SUFFIX).isPresent()) files.addAll(writeTables(ctx));
        return files;
    }

    /**
     * A measured data set's numbers as tables, per model: the paper's memory, the measured driver-level
     * peak (what the chart draws, the paper's method) and the allocator peak, per series and setting.
     */
    private static List<Path> writeTables(RenderContext ctx) throws IOException {
        org.ladderae.paperdata.Dataset paper = ctx.data().requireDataset("paper");
        List<org.ladderae.reports.Table> tables = new ArrayList<>();
        for (String id : Figure11Reproduction.PANELS) {
            Panel driver = ctx.dataset().requirePanel(id);
            Panel allocator = ctx.dataset().requirePanel(id + Figure11Reproduction.ALLOCATOR_SUFFIX);
            Panel paperPanel = paper.requirePanel(id);
            List<String> columns = new ArrayList<>(List.of("series"));
            columns.addAll(driver.xPlainLabels());
            var t = org.ladderae.reports.Table.builder("Peak GPU memory (MiB), " + id + ": paper (" + paper.device() + ") vs measured ("
                    + ctx.dataset().device() + ")", columns);
            java.util.function.DoubleFunction<String> mib = v -> String.format(java.util.Locale.ROOT, "%.0f", v);
            for (Series s : driver.series()) {
                paperPanel.series(s.plainName()).ifPresent(ps -> t.row(s.plainName() + " (paper)", ps.values(), mib, "n/a"));
                t.row(s.plainName() + " (driver)", s.values(), mib, "n/a");
                t.row(s.plainName() + " (allocator)", allocator.series(s.plainName()).orElseThrow().values(), mib, "n/a");
            }
            tables.add(t.note("driver: device memory in use while the layer runs (CUDA context included, as nvidia-smi); "
                    + "allocator: the framework's own peak; n/a: see measurements.json for the reason").build());
        }
        return org.ladderae.reports.TableWriter.write(tables, ctx.outputDir(), FigureSupport.outputName(ctx) + "_table", ctx.out());
    }

    private static List<Path> renderChart(RenderContext ctx) throws IOException {
        List<Panel> panels = FigureSupport.panels(ctx.dataset(), "llama", "bloom");
        Map<String, SeriesStyle> styles = Palette.styles(FigureSupport.series(panels));

        Figure figure = new Figure(9, 3.6);
        Figure.Strips strips = figure.strips(4);
        figure.add(strips.next(LEGEND), new Legend(LegendEntry.lines(legendStyles(panels, styles)), 6));
        Rectangle2D body = FigureSupport.yLabelled(figure, strips.rest(FigureSupport.FOOTER_HEIGHT), FigureSupport.yLabel(ctx), Y_LABEL);
        FigureSupport.addFooter(figure, strips, ctx);
        Grid grid = Grid.of(body, 1, panels.size(), 12, 0);
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            List<LineSeries> lines = plotted(panel, styles);
            double[] range = LogLineChart.range(lines);
            figure.add(grid.cell(0, p), LogLineChart.create(plottedX(panel), lines, LatexText.plain(panel.title()), null, range[0], range[1]));
        }
        return FigureSupport.write(ctx, figure);
    }

    /** Series without any value say so in the legend, so a missing line is not searched for. */
    private static List<SeriesStyle> legendStyles(List<Panel> panels, Map<String, SeriesStyle> styles) {
        List<SeriesStyle> out = new ArrayList<>();
        for (SeriesStyle style : styles.values()) {
            boolean measured = FigureSupport.series(panels).stream()
                    .anyMatch(s -> SeriesStyle.keyOf(s).equals(style.key()) && s.values().stream().anyMatch(v -> v != null));
            out.add(measured ? style : new SeriesStyle(style.key(), style.label() + " (no data)", style.color(), style.ladder()));
        }
        return out;
    }

    /** The settings the panel draws: {@code plotted_x} when given (BLOOM: the first two). */
    private static List<String> plottedX(Panel panel) {
        return panel.plottedX() != null ? panel.plottedX() : panel.xLabels();
    }

    private static List<LineSeries> plotted(Panel panel, Map<String, SeriesStyle> styles) {
        List<LineSeries> lines = new ArrayList<>();
        for (Series s : panel.series()) {
            List<Double> values = new ArrayList<>();
            for (String x : plottedX(panel)) values.add(s.value(panel.xIndex(x)));
            lines.add(new LineSeries(styles.get(SeriesStyle.keyOf(s)), values));
        }
        return lines;
    }
}

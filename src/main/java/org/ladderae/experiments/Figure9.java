package org.ladderae.experiments;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ui.Drawable;
import org.ladderae.charts.BarData;
import org.ladderae.charts.BarOptions;
import org.ladderae.charts.BarPanels;
import org.ladderae.charts.Figure;
import org.ladderae.charts.Grid;
import org.ladderae.charts.Latencies;
import org.ladderae.charts.Legend;
import org.ladderae.charts.LegendEntry;
import org.ladderae.charts.Mark;
import org.ladderae.charts.Palette;
import org.ladderae.charts.SeriesMatch;
import org.ladderae.charts.SeriesStyle;
import org.ladderae.charts.Speedups;
import org.ladderae.charts.TextPainter;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;

/** End-to-end latency of LLaMA/BLOOM layers and four CNN/encoder models on V100, as speedup over Welder. */
public final class Figure9 extends Experiment {
    private static final SeriesMatch WELDER = SeriesMatch.system("Welder", FormatPair.FP16);
    /** What a reproduction normalises to: Welder is not available here, PyTorch-Inductor is measured. */
    static final String MEASURED_BASELINE = org.ladderae.baselines.TorchRunner.INDUCTOR;
    private static final SeriesMatch INDUCTOR = SeriesMatch.system(MEASURED_BASELINE, FormatPair.FP16);
    /** Broken axes of the BS1 SEQ1 sub-plots (EXPERIMENTS.md 5.1): upper part from, lower part 0 to. */
    private static final Map<String, double[]> BROKEN = Map.of("llama", new double[] {10, 5, 1.0}, "bloom", new double[] {13, 6, 1.05});
    private static final double LEGEND = 16, ROW = 138, CAPTION = 14, Y_LABEL = 14;

    @Override public String id() { return "figure9"; }

    @Override public String summary() { return "End-to-end latency of LLaMA/BLOOM layers and four CNN/encoder models on V100, as speedup over Welder"; }

    @Override public String baselineSeries() { return MEASURED_BASELINE; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("PyTorch eager and Inductor live for every model and setting; Ladder series through the model executor; "
                + "Welder, TensorRT, vLLM, ONNXRuntime-CUDA, AMOS and TensorIR n/a with their reasons; normalised to PyTorch-Inductor");
    }

    @Override public Reproduction reproduce(Dataset paper, ReproduceContext context) {
        return Figure9Reproduction.run(paper, context, LadderModelRunner.installed());
    }

    @Override public ReproducePlan plan(Dataset paper, boolean quick) { return Figure9Reproduction.plan(paper, quick); }

    /**
     * The series the bars are normalised to: Welder, as the paper, where the data has a Welder value;
     * otherwise (a reproduction here, where Welder is n/a) PyTorch-Inductor, and the y label says so.
     */
    static SeriesMatch normalisedTo(Dataset d) {
        boolean welder = d.panels().stream().anyMatch(p -> WELDER.in(p).map(s -> s.values().stream().anyMatch(v -> v != null)).orElse(false));
        return welder ? WELDER : INDUCTOR;
    }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        Dataset d = ctx.dataset();
        SeriesMatch baseline = normalisedTo(d);
        List<Panel> llms = FigureSupport.panels(d, "llama", "bloom");
        List<Panel> cnns = FigureSupport.panels(d, "resnet", "shufflenet", "conformer", "vit");
        List<Panel> all = new ArrayList<>(llms);
        all.addAll(cnns);
        Map<String, SeriesStyle> styles = Palette.styles(FigureSupport.series(all));
        // Measured: a short label (a longer one overran the row's height); the legend names PyTorch-Inductor (= 1) and
        // the run's notes say why it is not Welder.
        String yLabel = baseline == WELDER ? FigureSupport.yLabel(ctx) : "Speedup vs. Inductor";

        Figure figure = new Figure(16, 5.0);
        Figure.Strips strips = figure.strips(4);
        figure.add(strips.next(LEGEND), legend(llms, styles, baseline));
        Grid top = Grid.of(FigureSupport.yLabelled(figure, strips.next(ROW), yLabel, Y_LABEL), 1, 6, 6, 0);
        Grid topCaptions = Grid.of(FigureSupport.indent(strips.next(CAPTION), Y_LABEL), 1, 2, 6, 0);
        strips.next(4);
        figure.add(strips.next(LEGEND), legend(cnns, styles, baseline));
        Grid bottom = Grid.of(FigureSupport.yLabelled(figure, strips.next(ROW), yLabel, Y_LABEL), 1, 4, 10, 0);
        Grid bottomCaptions = Grid.of(FigureSupport.indent(strips.next(CAPTION), Y_LABEL), 1, 4, 10, 0);
        FigureSupport.addFooter(figure, strips, ctx);

        for (int p = 0; p < llms.size(); p++) {
            Panel panel = llms.get(p);
            BarData speedups = Speedups.relativeTo(panel, baseline, styles, false);
            for (int c = 0; c < speedups.categories().size(); c++) {
                figure.add(top.cell(0, p * 3 + c), llmSetting(panel, speedups, c));
            }
            figure.add(topCaptions.cell(0, p), TextPainter.caption(panel.title()));
        }
        for (int p = 0; p < cnns.size(); p++) {
            BarData speedups = Speedups.relativeTo(cnns.get(p), baseline, styles, false);
            figure.add(bottom.cell(0, p), BarPanels.plain(speedups, BarOptions.defaults().baseline(1).barWidth(0.09), "No data"));
            figure.add(bottomCaptions.cell(0, p), TextPainter.caption(cnns.get(p).title()));
        }
        List<Path> files = new ArrayList<>(FigureSupport.write(ctx, figure));
        if (baseline != WELDER) files.addAll(renderLatency(ctx, llms, cnns, styles));
        return files;
    }

    /**
     * Absolute latency (ms), one sub-plot per model and setting, drawn beside the normalised chart when
     * the baseline is not the paper's, so the measurement can be read without any baseline.
     */
    private static List<Path> renderLatency(RenderContext ctx, List<Panel> llms, List<Panel> cnns, Map<String, SeriesStyle> styles)
            throws IOException {
        Figure figure = new Figure(16, 5.0);
        Figure.Strips strips = figure.strips(4);
        figure.add(strips.next(LEGEND), legend(llms, styles, null));
        Grid top = Grid.of(FigureSupport.yLabelled(figure, strips.next(ROW), "Latency (ms)", Y_LABEL), 1, 6, 6, 0);
        Grid topCaptions = Grid.of(FigureSupport.indent(strips.next(CAPTION), Y_LABEL), 1, 2, 6, 0);
        strips.next(4);
        figure.add(strips.next(LEGEND), legend(cnns, styles, null));
        Grid bottom = Grid.of(FigureSupport.yLabelled(figure, strips.next(ROW), "Latency (ms)", Y_LABEL), 1, 8, 6, 0);
        Grid bottomCaptions = Grid.of(FigureSupport.indent(strips.next(CAPTION), Y_LABEL), 1, 4, 10, 0);
        FigureSupport.addFooter(figure, strips, ctx);
        BarOptions options = BarOptions.defaults().barWidth(0.09).integerTicks(false);
        for (int p = 0; p < llms.size(); p++) {
            BarData ms = Latencies.of(llms.get(p), styles);
            for (int c = 0; c < ms.categories().size(); c++) figure.add(top.cell(0, p * 3 + c), BarPanels.plain(ms.category(c), options.copy(), "No data"));
            figure.add(topCaptions.cell(0, p), TextPainter.caption(llms.get(p).title()));
        }
        for (int p = 0; p < cnns.size(); p++) {
            BarData ms = Latencies.of(cnns.get(p), styles);
            for (int c = 0; c < ms.categories().size(); c++) figure.add(bottom.cell(0, p * 2 + c), BarPanels.plain(ms.category(c), options.copy(), "No data"));
            figure.add(bottomCaptions.cell(0, p), TextPainter.caption(cnns.get(p).title()));
        }
        return FigureSupport.write(ctx, figure, "_latency");
    }

    /** One LLM setting is its own small sub-plot; BS1 SEQ1 has the broken axis. */
    private static Drawable llmSetting(Panel panel, BarData speedups, int category) {
        BarData one = speedups.category(category);
        String notice = allOutOfMemory(panel, category) ? "Out of memory" : "No data";
        double[] broken = BROKEN.get(panel.id());
        if (category == 0 && broken != null) {
            double upperMax = broken[2] * Math.ceil(one.max());
            return BarPanels.broken(one, BarOptions.defaults().baseline(1).barWidth(0.07), notice,
                    broken[0], upperMax, broken[1], 1, 2);
        }
        return BarPanels.plain(one, BarOptions.defaults().baseline(1).barWidth(0.09), notice);
    }

    private static boolean allOutOfMemory(Panel panel, int category) {
        return panel.series().stream().allMatch(s -> s.value(category) == null && Mark.isOutOfMemory(s.nullReason(category)));
    }

    private static Legend legend(List<Panel> panels, Map<String, SeriesStyle> styles, SeriesMatch baseline) {
        List<LegendEntry> entries = FigureSupport.barLegend(panels, styles, baseline);
        return new Legend(entries, entries.size());
    }
}

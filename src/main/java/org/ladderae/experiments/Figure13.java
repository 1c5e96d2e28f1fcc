package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ladderae.charts.BarData;
import org.ladderae.charts.BarOptions;
import org.ladderae.charts.BarPanels;
import org.ladderae.charts.Figure;
import org.ladderae.charts.Grid;
import org.ladderae.charts.Legend;
import org.ladderae.charts.LegendEntry;
import org.ladderae.charts.Palette;
import org.ladderae.charts.SeriesMatch;
import org.ladderae.charts.SeriesStyle;
import org.ladderae.charts.Speedups;
import org.ladderae.paperdata.Panel;

/** Optimisation breakdown on one LLaMA-2-70B layer: +Transform, +PTX, +Holistic Schedule. */
public final class Figure13 extends Experiment {
    private static final SeriesMatch TRANSFORM = SeriesMatch.plainName("+Transform");
    /** Left panel's y axis top (EXPERIMENTS.md 5.4); the right one goes to ceil(left panel's max). */
    private static final double LEFT_TOP = 2.3;
    private static final double LEGEND = 16, Y_LABEL = 14, HEADROOM = 1.05;

    @Override public String id() { return "figure13"; }

    @Override public String summary() { return "Optimisation breakdown on one LLaMA-2-70B layer: +Transform, +PTX, +Holistic Schedule"; }

    @Override public String baselineSeries() { return "+Transform"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("LLaMA-2-70B layer at BS1 SEQ1 and BS1 SEQ4096 with the kernel stages +Transform, +PTX, +Holistic Schedule "
                + "through the model executor; Welder-Roller n/a");
    }

    @Override public Reproduction reproduce(org.ladderae.paperdata.Dataset paper, ReproduceContext context) {
        return Figure13Reproduction.run(paper, context, LadderModelRunner.installed());
    }

    @Override public ReproducePlan plan(org.ladderae.paperdata.Dataset paper, boolean quick) { return Figure13Reproduction.plan(paper); }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Panel> panels = FigureSupport.panels(ctx.dataset(), "bs1_seq1", "bs1_seq4096");
        Map<String, SeriesStyle> styles = Palette.styles(FigureSupport.series(panels));
        BarData left = Speedups.relativeTo(panels.get(0), TRANSFORM, styles, true);
        BarData right = Speedups.relativeTo(panels.get(1), TRANSFORM, styles, true);
        // The spec's fixed tops, raised only where another data set's bars would not fit.
        double leftTop = Math.max(LEFT_TOP, left.max() * HEADROOM);
        double rightTop = Math.max(Math.ceil(left.max()), right.max() * HEADROOM);

        Figure figure = new Figure(12, 3.8);
        Figure.Strips strips = figure.strips(4);
        figure.add(strips.next(LEGEND), new Legend(LegendEntry.boxes(List.copyOf(styles.values())), styles.size()));
        Grid grid = Grid.of(FigureSupport.yLabelled(figure, strips.rest(FigureSupport.FOOTER_HEIGHT), FigureSupport.yLabel(ctx), Y_LABEL),
                1, 2, 14, 0);
        FigureSupport.addFooter(figure, strips, ctx);
        BarOptions options = BarOptions.defaults().barWidth(0.2).integerTicks(false);
        figure.add(grid.cell(0, 0), BarPanels.plain(left, options.copy().range(0, leftTop).xLabel(panels.get(0).title()), "No data"));
        figure.add(grid.cell(0, 1), BarPanels.plain(right, options.copy().range(0, rightTop).xLabel(panels.get(1).title()), "No data"));
        return FigureSupport.write(ctx, figure);
    }
}

package org.ladderae.experiments;

import java.awt.geom.Rectangle2D;
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
import org.ladderae.charts.Palette;
import org.ladderae.charts.SeriesMatch;
import org.ladderae.charts.SeriesStyle;
import org.ladderae.charts.Speedups;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;

/** Operator latency (GEMM/GEMV M0-M5, Conv2d C0-C7) as speedup over Ladder W_FP16A_FP16. */
public final class Figure12 extends Experiment {
    private static final SeriesMatch LADDER_FP16 = SeriesMatch.system("Ladder", FormatPair.FP16);
    /** Matmul panel's broken axis (EXPERIMENTS.md 5.3): upper 8..14, lower 0..4. */
    private static final double UPPER_FROM = 8, UPPER_TO = 14, LOWER_TO = 4;
    private static final double LEGEND_WIDTH = 150, Y_LABEL = 14;

    @Override public String id() { return "figure12"; }

    @Override public String summary() { return "Operator latency (GEMM/GEMV M0-M5, Conv2d C0-C7) as speedup over Ladder W_FP16A_FP16"; }

    @Override public String baselineSeries() { return "Ladder"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("matmul M0/M3 with Ladder GEMV kernels (shipped checkpoints), M1/M2/M4/M5 with its GEMM kernels, every Ladder "
                + "series; cuBLAS M0-M5; conv C0-C7 with Ladder conv kernels (FP16, W_FP8A_FP16, W_MXFP8A_MXFP8, W_INT4A_INT4) and cuDNN; "
                + "CUTLASS, vLLM, AMOS, TensorIR n/a with their reasons");
    }

    @Override public Reproduction reproduce(org.ladderae.paperdata.Dataset paper, ReproduceContext context) {
        return Figure12Reproduction.run(paper, context);
    }

    @Override public ReproducePlan plan(org.ladderae.paperdata.Dataset paper, boolean quick) {
        return Figure12Reproduction.plan(paper, quick);
    }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Panel> panels = FigureSupport.panels(ctx.dataset(), "matmul", "conv");
        Map<String, SeriesStyle> styles = Palette.styles(FigureSupport.series(panels));
        BarData matmul = Speedups.relativeTo(panels.get(0), LADDER_FP16, styles, false);
        BarData conv = Speedups.relativeTo(panels.get(1), LADDER_FP16, styles, false);

        Figure figure = new Figure(8, 4.2);
        Figure.Strips strips = figure.strips(4);
        Rectangle2D body = strips.rest(FigureSupport.FOOTER_HEIGHT);
        FigureSupport.addFooter(figure, strips, ctx);
        Rectangle2D plots = FigureSupport.yLabelled(figure, new Rectangle2D.Double(body.getX(), body.getY(),
                body.getWidth() - LEGEND_WIDTH, body.getHeight()), FigureSupport.yLabel(ctx), Y_LABEL);
        figure.add(new Rectangle2D.Double(plots.getMaxX() + 4, body.getY(), LEGEND_WIDTH - 4, body.getHeight() / 2),
                new Legend(FigureSupport.barLegend(panels, styles, LADDER_FP16), 1));
        // Height ratios 0.5 : 1 : 1.5 of the original: the broken matmul panel takes the first two.
        Grid grid = new Grid(plots, new double[] {1.5, 1.5}, 1, 0, 6);
        BarOptions options = BarOptions.defaults().baseline(1).barWidth(0.1);
        figure.add(grid.cell(0, 0), BarPanels.broken(matmul, options.copy().xLabel(panels.get(0).title()), "No data",
                UPPER_FROM, Math.max(UPPER_TO, Math.ceil(matmul.max())), LOWER_TO, 1, 2));
        figure.add(grid.cell(1, 0), BarPanels.plain(conv, options.copy().xLabel(panels.get(1).title()), "No data"));
        return FigureSupport.write(ctx, figure);
    }
}

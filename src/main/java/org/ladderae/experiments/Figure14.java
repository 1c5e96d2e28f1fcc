package org.ladderae.experiments;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.ladderae.charts.TextPainter;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;

/** Scaling the bit width of weights and activations: LLaMA-2-70B layer and its four GEMV/GEMM shapes. */
public final class Figure14 extends Experiment {
    private static final SeriesMatch LADDER_FP16 = SeriesMatch.system("Ladder", FormatPair.FP16);
    /** 2 x 2: end-to-end on top, operators below; left BS1 SEQ1, right BS1 SEQ4096. */
    private static final String[][] PANELS = {{"e2e_bs1_seq1", "e2e_bs1_seq4096"}, {"matmul_bs1_seq1", "matmul_bs1_seq4096"}};
    private static final double LEGEND_ROW = 11.5, CAPTION = 14, Y_LABEL = 14;

    @Override public String id() { return "figure14"; }

    @Override public String summary() { return "Scaling the bit width of weights and activations: LLaMA-2-70B layer and its four GEMV/GEMM shapes"; }

    @Override public String baselineSeries() { return "Ladder"; }

    @Override public ReproduceSupport reproduceSupport() {
        return gpuSupport("operators M0-M3 at M = 1 for all 12 bit widths with Ladder GEMV kernels (shipped checkpoints); M = 4096 "
                + "with the GEMM kernels that exist (FP16, W_INT4A_FP16, W_INT8A_INT8, W_INT1A_INT8; the rest n/a); end-to-end "
                + "LLaMA-2-70B layer through the model executor (FP16-activation formats)");
    }

    @Override public Reproduction reproduce(org.ladderae.paperdata.Dataset paper, ReproduceContext context) {
        return Figure14Reproduction.run(paper, context);
    }

    @Override public ReproducePlan plan(org.ladderae.paperdata.Dataset paper, boolean quick) {
        return Figure14Reproduction.plan(paper);
    }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        List<Panel> panels = FigureSupport.panels(ctx.dataset(), PANELS[0][0], PANELS[0][1], PANELS[1][0], PANELS[1][1]);
        Map<String, SeriesStyle> styles = Palette.styles(FigureSupport.series(panels));
        List<LegendEntry> entries = FigureSupport.barLegend(panels, styles, LADDER_FP16);
        // The original uses ncol = number of labels // 3.
        Legend legend = new Legend(entries, Math.max(1, entries.size() / 3));

        Figure figure = new Figure(8, 4.8);
        Figure.Strips strips = figure.strips(4);
        figure.add(strips.next(LEGEND_ROW * legend.rows() + 4), legend);
        var body = FigureSupport.yLabelled(figure, strips.rest(FigureSupport.FOOTER_HEIGHT + CAPTION), FigureSupport.yLabel(ctx), Y_LABEL);
        var captions = Grid.of(FigureSupport.indent(strips.next(CAPTION), Y_LABEL), 1, 2, 12, 0);
        FigureSupport.addFooter(figure, strips, ctx);
        Grid grid = Grid.of(body, 2, 2, 12, 6);
        BarOptions options = BarOptions.defaults().baseline(1).barWidth(0.07);
        for (int row = 0; row < 2; row++) {
            for (int col = 0; col < 2; col++) {
                BarData speedups = Speedups.relativeTo(panels.get(row * 2 + col), LADDER_FP16, styles, false);
                figure.add(grid.cell(row, col), BarPanels.plain(speedups, options.copy(), "No data"));
            }
        }
        JsonNode layoutCaptions = ctx.data().layout().path("captions");
        for (int col = 0; col < 2; col++) {
            String caption = layoutCaptions.has(col) ? layoutCaptions.get(col).asText() : panels.get(col).title();
            figure.add(captions.cell(0, col), TextPainter.caption(caption));
        }
        return FigureSupport.write(ctx, figure);
    }
}

package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvShape;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.paperdata.Series;

/** Which paper series the conv kernels measure on Figure 12's conv panel, and the reasons for the rest. */
class LadderConvPointsTest {
    private static final Dataset FIGURE12 = new PaperDataLoader().load("figure12").requireDataset("paper");

    @Test
    void everyLadderSeriesOfTheConvPanelHasAKernelAtAllEightShapes() {
        Panel conv = FIGURE12.requirePanel("conv");
        List<LadderConvPoints.Point> points = LadderConvPoints.forPanel(conv);
        assertThat(points).hasSize(4 * 8);
        assertThat(points).extracting(LadderConvPoints.Point::format)   // W_INT1A_INT4 is a Figure 9 (ResNet) format, not a conv-panel series
                .containsOnly(ConvFormat.W_FP16A_FP16, ConvFormat.W_FP8A_FP16, ConvFormat.W_MXFP8A_MXFP8, ConvFormat.W_INT4A_INT4);
        for (LadderConvPoints.Point p : points)
            assertThat(p.shape()).as(p.setting()).isEqualTo(ConvShape.FIGURE12.get(p.setting()));   // panel attributes = EXPERIMENTS.md table
        assertThat(LadderConvPoints.format(new FormatPair(NumberFormat.MXFP8, NumberFormat.MXFP8))).contains(ConvFormat.W_MXFP8A_MXFP8);
        assertThat(LadderConvPoints.format(new FormatPair(NumberFormat.FP8, NumberFormat.FP16))).contains(ConvFormat.W_FP8A_FP16);
        assertThat(LadderConvPoints.noKernelReason(new FormatPair(NumberFormat.NF4, NumberFormat.FP16))).startsWith("no conv kernel for W_NF4A_FP16");
    }

    @Test
    void unmeasuredConvPointsSayNotMeasuredAndBaselinesStayTheirs() {
        Panel conv = FIGURE12.requirePanel("conv");
        Panel filled = MeasuredPanels.fill(conv, List.of(), (s, x) -> "not measured by this build");
        Series ladder = filled.series().stream().filter(Series::isLadder).findFirst().orElseThrow();
        assertThat(ladder.values()).containsOnlyNulls();
    }
}

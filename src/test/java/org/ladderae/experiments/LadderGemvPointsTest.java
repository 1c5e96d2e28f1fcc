package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.paperdata.Series;

/** Which GEMV kernel formats stand for each paper series, and which points of a panel they cover. */
class LadderGemvPointsTest {
    private static final Dataset FIGURE14 = new PaperDataLoader().load("figure14").requireDataset("paper");

    @Test
    void everyFigure14SeriesMapsToItsOwnWeightAndActivationFormats() {
        Panel m1 = FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M1);
        assertThat(m1.series()).hasSize(12);
        for (Series s : m1.series()) {
            LadderGemvPoints.KernelFormats kf = LadderGemvPoints.kernelFormats(s.formats()).orElseThrow();
            assertThat(kf.weights().name()).as(s.plainName()).isEqualTo(s.formats().weights().name());
            assertThat(kf.acts().name()).as(s.plainName()).isEqualTo(s.formats().activations().name());
            assertThat(kf.substitution()).as(s.plainName()).isNull();
        }
    }

    @Test
    void figure14OperatorPointsAreAllTwelveSeriesAtM0ToM3WithThePaperShapes() {
        List<LadderGemvPoints.Point> points = LadderGemvPoints.forPanel(FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M1));
        assertThat(points).hasSize(48);
        assertThat(points).extracting(LadderGemvPoints.Point::workload).containsOnly("matmul_bs1_seq1");
        LadderGemvPoints.Point m3 = points.stream().filter(p -> p.setting().equals("M3")
                && p.series().equals(new FormatPair(NumberFormat.INT1, NumberFormat.INT4))).findFirst().orElseThrow();
        assertThat(List.of(m3.m(), m3.n(), m3.k())).containsExactly(1, 8192, 28672);
        assertThat(m3.config().weights()).isEqualTo(WeightFormat.INT1);
        assertThat(m3.config().acts()).isEqualTo(ActFormat.INT4);
        // The M = 4096 panel is beyond the GEMV kernels: no points.
        assertThat(LadderGemvPoints.forPanel(FIGURE14.requirePanel(Figure14Reproduction.OPERATORS_M4096))).isEmpty();
    }

    @Test
    void figure12KeepsItsSubstitutionsExplicit() {
        assertThat(LadderGemvPoints.kernelFormats(new FormatPair(NumberFormat.MXFP8, NumberFormat.MXFP8)).orElseThrow())
                .satisfies(kf -> {
                    assertThat(kf.weights()).isEqualTo(WeightFormat.MXFP8);
                    assertThat(kf.acts()).isEqualTo(ActFormat.FP16);
                    assertThat(kf.substitution()).contains("FP16 activations");
                });
        assertThat(LadderGemvPoints.kernelFormats(new FormatPair(NumberFormat.FP8, NumberFormat.FP16)).orElseThrow().weights())
                .isEqualTo(WeightFormat.FP8_E5M2);
        // Only M0 and M3 of Figure 12 are batch 1: 6 Ladder series x 2.
        assertThat(LadderGemvPoints.forPanel(new PaperDataLoader().load("figure12").requireDataset("paper").requirePanel("matmul")))
                .hasSize(12).extracting(LadderGemvPoints.Point::setting).containsOnly("M0", "M3");
    }

    @Test
    void pairsWithoutAGemvKernelAreNotMapped() {
        // FP16 weights with INT8 activations: the kernels take INTx weights with INT8 activations only.
        assertThat(LadderGemvPoints.kernelFormats(new FormatPair(NumberFormat.FP16, NumberFormat.INT8))).isEmpty();
    }
}

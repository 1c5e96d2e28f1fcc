package org.ladderae.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.paperdata.XCategory;

class SpeedupsTest {
    private static final FormatPair INT4 = new FormatPair(NumberFormat.INT4, NumberFormat.FP16);

    private static Series series(String name, String system, FormatPair f, Double... values) {
        List<Double> v = Arrays.asList(values);
        List<String> reasons = v.stream().map(x -> x == null ? "not supported: plot label 'vLLM-4b Not Support'" : null).toList();
        return new Series(name, name, system, f, null, v, reasons, null);
    }

    private static Panel panel(Series... series) {
        return new Panel("p", "P", null, null, List.of(new XCategory("A", "A", null), new XCategory("B", "B", null)),
                null, null, List.of(series));
    }

    @Test
    void speedupIsBaselineTimeOverSeriesTimeAndTheBaselineIsDropped() {
        Panel p = panel(series("Pytorch Inductor", "PyTorch-Inductor", FormatPair.FP16, 4.0, 2.0),
                series("Welder", "Welder", FormatPair.FP16, 2.0, 3.0),
                series("vLLM-W_INT4A_FP16", "vLLM", INT4, null, 1.5));
        Map<String, SeriesStyle> styles = Palette.styles(p.series());

        BarData bars = Speedups.relativeTo(p, SeriesMatch.system("Welder", FormatPair.FP16), styles, false);

        assertThat(bars.series()).extracting(s -> s.style().label()).containsExactly("Pytorch Inductor", "vLLM-W_INT4A_FP16");
        assertThat(bars.series().get(0).values().get(0)).isCloseTo(0.5, within(1e-12));
        assertThat(bars.series().get(0).values().get(1)).isCloseTo(1.5, within(1e-12));
        assertThat(bars.series().get(1).values().get(0)).isNull();
        assertThat(bars.series().get(1).mark(0)).isEqualTo(new Mark("vLLM-4b Not Support", true));
        assertThat(bars.series().get(1).values().get(1)).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void aMissingBaselineGivesGreyMarksInsteadOfNumbers() {
        Panel p = panel(series("Ladder", "Ladder", FormatPair.FP16, 1.0, 2.0));
        BarData bars = Speedups.relativeTo(p, SeriesMatch.system("Welder", FormatPair.FP16), Palette.styles(p.series()), false);
        assertThat(bars.series().get(0).values()).containsOnlyNulls();
        assertThat(bars.series().get(0).mark(1).limitation()).isFalse();
        assertThat(bars.series().get(0).mark(1).text()).contains("baseline");
    }

    @Test
    void ladderVariantsShareOneHueFamilyAndBaselinesKeepTheirColour() {
        Panel p = panel(series("Welder", "Welder", FormatPair.FP16, 1.0, 1.0),
                series("Bitter", "Ladder", FormatPair.FP16, 1.0, 1.0),
                series("Bitter-W_INT4A_FP16", "Ladder", INT4, 1.0, 1.0));
        Map<String, SeriesStyle> styles = Palette.styles(p.series());
        float[] hsb0 = hsb(styles.get("Ladder|W_FP16A_FP16"));
        float[] hsb1 = hsb(styles.get("Ladder|W_INT4A_FP16"));
        assertThat(hsb0[0]).isBetween(0.40f, 0.80f);
        assertThat(hsb1[0]).isBetween(0.40f, 0.80f);
        assertThat(styles.get("Ladder|W_FP16A_FP16").color()).isNotEqualTo(styles.get("Ladder|W_INT4A_FP16").color());
        assertThat(Palette.styles(List.of(p.series().get(0))).get("Welder|W_FP16A_FP16").color())
                .isEqualTo(styles.get("Welder|W_FP16A_FP16").color());
    }

    private static float[] hsb(SeriesStyle s) {
        return java.awt.Color.RGBtoHSB(s.color().getRed(), s.color().getGreen(), s.color().getBlue(), null);
    }
}

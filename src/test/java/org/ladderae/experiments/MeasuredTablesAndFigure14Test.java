package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.gpu.GpuPeaks;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

/** Table 1 and Figure 14 data sets built from fake measurements: percent of peak, n/a reasons, and drawing. */
class MeasuredTablesAndFigure14Test {
    private static final String H100 = "NVIDIA H100 80GB HBM3";
    private static final FormatPair INT8 = new FormatPair(NumberFormat.INT8, NumberFormat.INT8);
    private static final BaselineWorkload GEMM = BaselineWorkload.table1Gemm();

    private static Measurement gemm(String system, FormatPair f, double ms) {
        return Measurement.ok(system, f, GEMM.workload(), GEMM.setting(), TimingStats.of(new double[] {ms}), H100, null);
    }

    /** 2 * 16384^3 flop in 10 ms = 879.6 TFLOP/s. */
    private static final double TEN_MS_TFLOPS = 2.0 * 16384 * 16384 * 16384 / 1e-2 / 1e12;

    private static Dataset table1(String gpu, List<Measurement> ms) {
        Panel paperPanel = new PaperDataLoader().load("table1").requireDataset("paper").panels().get(0);
        return Table1Reproduction.measured(paperPanel, gpu, GpuPeaks.forDevice(gpu), ms, "0.0");
    }

    @Test
    void table1PercentIsTflopsOverTheDatasheetPeakOfThatPrecision() {
        Dataset d = table1(H100, List.of(gemm("cuBLAS", FormatPair.FP16, 10), gemm("cuBLAS", INT8, 10),
                Measurement.failed("PyTorch-int_mm", INT8, GEMM.workload(), GEMM.setting(), "CUDA error")));
        Panel percent = d.panels().get(0);
        assertThat(percent.series()).extracting(s -> s.plainName()).containsExactly("cuBLAS", "Ladder", "PyTorch");
        assertThat(percent.series("cuBLAS").orElseThrow().value(0)).isCloseTo(TEN_MS_TFLOPS / 989.4 * 100, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(percent.series("cuBLAS").orElseThrow().value(1)).isCloseTo(TEN_MS_TFLOPS / 1978.9 * 100, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(percent.series("cuBLAS").orElseThrow().nullReason(3)).isEqualTo(Table1.NO_KERNEL);
        assertThat(percent.series("PyTorch").orElseThrow().nullReason(1)).isEqualTo("failed: CUDA error");
        // Ladder: every column has a GEMM kernel now, none measured in this list.
        for (int column = 0; column < 4; column++)
            assertThat(percent.series("Ladder").orElseThrow().nullReason(column)).isEqualTo("not measured by this build");
        assertThat(percent.peakTflops()).containsEntry("W_FP16A_FP16", 989.4);
        assertThat(d.panels().get(1).series("cuBLAS").orElseThrow().value(0)).isCloseTo(TEN_MS_TFLOPS, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void anUnknownGpuGetsTflopsAndSaysItsPeakIsUnknown() {
        Dataset d = table1("NVIDIA GeForce RTX 4090", List.of(gemm("cuBLAS", FormatPair.FP16, 10)));
        assertThat(d.panels().get(0).title()).contains("peak unknown");
        assertThat(d.panels().get(0).series("cuBLAS").orElseThrow().nullReason(0)).contains("unknown");
        assertThat(d.panels().get(1).series("cuBLAS").orElseThrow().value(0)).isNotNull();
        assertThat(d.provenance()).contains("unknown");
    }

    @Test
    void measuredTable1RendersPercentTflopsXAndNa(@TempDir Path out) throws IOException {
        Dataset d = table1(H100, List.of(gemm("cuBLAS", FormatPair.FP16, 10)));
        StringWriter text = new StringWriter();
        new Table1().render(new RenderContext(new PaperDataLoader().load("table1"), d, out, EnumSet.of(RenderContext.ChartFormat.PNG),
                new PrintWriter(text)));
        assertThat(text.toString()).contains("Performance Overview - " + H100).containsPattern("\\| cuBLAS +\\| +89% +\\| +n/a")
                .contains("879.6").contains("peaks used, TFLOP/s: W_FP16A_FP16 989.4");
        // cuBLAS NF4: no kernel (x); Ladder: not measured here (n/a).
        assertThat(text.toString()).containsPattern("\\| Ladder +\\| +n/a +\\|").containsPattern("\\| cuBLAS .*\\| +x +\\|");
    }

    @Test
    void figure14MeasuresTheM1OperatorsAndExplainsTheOtherPanels(@TempDir Path out) throws IOException {
        ExperimentData data = new PaperDataLoader().load("figure14");
        Dataset paper = data.requireDataset("paper");
        List<Measurement> ms = new ArrayList<>();
        for (LadderGemvPoints.Point p : LadderGemvPoints.forPanel(paper.requirePanel(Figure14Reproduction.OPERATORS_M1))) {
            double ms1 = p.series().equals(FormatPair.FP16) ? 0.4 : 0.1;
            ms.add(Measurement.ok("Ladder", p.series(), p.workload(), p.setting(), TimingStats.of(new double[] {ms1}), "Test GPU", null));
        }
        Dataset d = MeasuredPanels.dataset("Test GPU", "0.0", "test", Figure14Reproduction.measuredPanels(paper, ms));
        assertThat(d.panels()).extracting(Panel::id).containsExactlyElementsOf(paper.panels().stream().map(Panel::id).toList());
        Panel m1 = d.requirePanel(Figure14Reproduction.OPERATORS_M1);
        assertThat(m1.series()).allSatisfy(s -> assertThat(s.values()).doesNotContainNull());
        // Same x labels M0-M3, other panel: the M = 1 measurements must not leak into it.
        Panel m4096 = d.requirePanel(Figure14Reproduction.OPERATORS_M4096);
        assertThat(m4096.series("Ladder").orElseThrow().nullReason(0)).isEqualTo("not measured by this build");
        assertThat(m4096.series().stream().filter(s -> new FormatPair(NumberFormat.INT2, NumberFormat.FP16).equals(s.formats())).findFirst()
                .orElseThrow().nullReason(0)).as("W_INT2A_FP16 has a GEMM kernel now").isEqualTo("not measured by this build");
        assertThat(d.requirePanel("e2e_bs1_seq1").series("Ladder").orElseThrow().nullReason(0)).isEqualTo(Figure14Reproduction.NEEDS_EXECUTOR);

        List<Path> files = new Figure14().render(new RenderContext(data, d, out, EnumSet.of(RenderContext.ChartFormat.PNG),
                new PrintWriter(new StringWriter())));
        assertThat(files).singleElement().satisfies(f -> assertThat(Files.size(f)).isGreaterThan(10_000));
        var ratios = org.ladderae.reports.PaperVsMeasured.tables(paper, d, "Ladder").stream()
                .filter(t -> t.title().startsWith("Speedup over Ladder in matmul_bs1_seq1")).findFirst().orElseThrow();
        assertThat(ratios.cell("Ladder-W_INT4A_INT4 (measured)", "M0")).isEqualTo("4.00x");
    }

    @Test
    void tflopsOfAGemmMeasurement() {
        assertThat(Table1Reproduction.tflops(gemm("cuBLAS", FormatPair.FP16, 10), GEMM)).isCloseTo(879.6, org.assertj.core.data.Offset.offset(0.05));
        assertThat(Table1Reproduction.percentOfPeak(494.7, 989.4)).isEqualTo(50.0);
    }
}

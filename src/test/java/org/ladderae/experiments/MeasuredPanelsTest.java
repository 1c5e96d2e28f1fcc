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
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.reports.PaperVsMeasured;
import org.ladderae.reports.Table;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

/** A measured data set takes the paper's shape, keeps each point's reason, and draws with the paper's layout. */
class MeasuredPanelsTest {
    private static final FormatPair INT4 = new FormatPair(NumberFormat.INT4, NumberFormat.FP16);

    static Measurement ok(String system, FormatPair f, String x, double ms) {
        return Measurement.ok(system, f, "matmul", x, TimingStats.of(new double[] {ms, ms, ms}), "Test GPU", null);
    }

    static Dataset measuredFigure12(ExperimentData data) {
        Dataset paper = data.requireDataset("paper");
        List<Measurement> ms = new ArrayList<>(List.of(
                ok("Ladder", FormatPair.FP16, "M0", 0.5), ok("Ladder", INT4, "M0", 0.125), ok("cuBLAS", FormatPair.FP16, "M0", 0.6),
                Measurement.notAvailable("vLLM", INT4, "matmul", "M0", "vLLM not installed")));
        Panel matmul = MeasuredPanels.fill(paper.requirePanel("matmul"), ms, (s, x) -> s.isLadder() ? "kernel not built" : "not measured");
        Panel conv = MeasuredPanels.fill(paper.requirePanel("conv"), ms, (s, x) -> "not measured");
        return MeasuredPanels.dataset("Test GPU", "0.0", "test", List.of(matmul, conv));
    }

    @Test
    void pointsAreFilledFromMatchingMeasurementsAndTheRestCarryReasons() {
        Dataset d = measuredFigure12(new PaperDataLoader().load("figure12"));
        Panel matmul = d.requirePanel("matmul");
        assertThat(matmul.x()).hasSize(6);
        assertThat(matmul.series("Ladder-W_INT4A_FP16").orElseThrow().value(0)).isEqualTo(0.125);
        assertThat(matmul.series("Ladder-W_INT4A_FP16").orElseThrow().nullReason(1)).isEqualTo("kernel not built");
        assertThat(matmul.series("vLLM-W_INT4A_FP16").orElseThrow().nullReason(0)).isEqualTo("na: vLLM not installed");
        assertThat(d.device()).isEqualTo("Test GPU");
    }

    @Test
    void paperVsMeasuredComparesSpeedupsOverTheBaseline() {
        ExperimentData data = new PaperDataLoader().load("figure12");
        List<Table> tables = PaperVsMeasured.tables(data.requireDataset("paper"), measuredFigure12(data), "Ladder");
        Table ratios = tables.stream().filter(t -> t.title().startsWith("Speedup over Ladder in matmul")).findFirst().orElseThrow();
        assertThat(ratios.cell("Ladder-W_INT4A_FP16 (measured)", "M0")).isEqualTo("4.00x");
        assertThat(ratios.cell("Ladder-W_INT4A_FP16 (paper)", "M0")).isEqualTo("3.61x");
        assertThat(ratios.cell("Ladder-W_INT4A_FP16 (measured)", "M1")).isEqualTo("n/a");
        assertThat(ratios.title()).contains("paper (A100)").contains("measured (Test GPU)");
    }

    @Test
    void aMostlyUnmeasuredDatasetStillDrawsWithThePaperLayout(@TempDir Path out) throws IOException {
        ExperimentData data = new PaperDataLoader().load("figure12");
        RenderContext ctx = new RenderContext(data, measuredFigure12(data), out, EnumSet.of(RenderContext.ChartFormat.PNG),
                new PrintWriter(new StringWriter()));
        List<Path> files = new Figure12().render(ctx);
        assertThat(files).singleElement().satisfies(f -> assertThat(Files.size(f)).isGreaterThan(10_000));
        assertThat(ctx.deviceLabel()).isEqualTo("measured by ladder-ae on Test GPU (not the paper's GPU: compare ratios, not times)");
    }

    @Test
    void paperVsMeasuredWritesOneFileSetPerPanel(@TempDir Path out) throws IOException {
        ExperimentData data = new PaperDataLoader().load("figure12");
        List<Path> files = PaperVsMeasured.write(data.requireDataset("paper"), measuredFigure12(data), "Ladder", out, "figure12_paper_vs_measured",
                new PrintWriter(new StringWriter()));
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("figure12_paper_vs_measured_matmul.csv",
                "figure12_paper_vs_measured_conv.md");
        assertThat(Files.readString(out.resolve("figure12_paper_vs_measured_matmul.csv"))).contains("Ladder-W_INT4A_FP16 (measured)");
    }
}

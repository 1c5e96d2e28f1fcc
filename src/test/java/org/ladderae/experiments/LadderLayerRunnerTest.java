package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

class LadderLayerRunnerTest {
    private static LadderModelRunner.ModelPoint point(String workload, NumberFormat w, NumberFormat a) {
        return new LadderModelRunner.ModelPoint(workload, 1, 1, new FormatPair(w, a), GemvStage.HOLISTIC);
    }

    @Test
    void whatTheExecutorCannotRunIsNaWithItsReason() {
        assertThat(LadderLayerRunner.notRunnable(point("llama", NumberFormat.INT4, NumberFormat.FP16))).isNull();
        assertThat(LadderLayerRunner.notRunnable(point("bloom", NumberFormat.FP8, NumberFormat.FP8))).isNull();   // E5M2 weights, FP16 acts
        assertThat(LadderLayerRunner.notRunnable(point("llama", NumberFormat.INT4, NumberFormat.INT8))).isNull();      // integer GEMV, INT32 out
        assertThat(LadderLayerRunner.notRunnable(point("bloom", NumberFormat.MXFP8, NumberFormat.MXFP8))).isNull();
        assertThat(LadderLayerRunner.notRunnable(point("llama", NumberFormat.INT8, NumberFormat.INT4))).contains("no Ladder kernel takes W_INT8A_INT4");
        assertThat(LadderLayerRunner.notRunnable(new LadderModelRunner.ModelPoint("llama", 1, 4096, new FormatPair(NumberFormat.INT4, NumberFormat.INT4),
                GemvStage.HOLISTIC))).isNull();   // the INT4 x INT4 GEMM, INT32 sums
        assertThat(LadderLayerRunner.notRunnable(new LadderModelRunner.ModelPoint("llama", 1, 4096, new FormatPair(NumberFormat.INT8, NumberFormat.INT8),
                GemvStage.HOLISTIC))).isNull();   // the INT8 x INT8 mma.sync GEMM, INT32 sums
        assertThat(LadderLayerRunner.notRunnable(new LadderModelRunner.ModelPoint("llama", 1, 4096, new FormatPair(NumberFormat.INT1, NumberFormat.INT8),
                GemvStage.HOLISTIC))).isNull();   // the INT8 x INT1 GEMM
        assertThat(LadderLayerRunner.notRunnable(point("llama", NumberFormat.FP16, NumberFormat.FP8_E4M3))).contains("INT8, INT4 or MXFP8 only");
        assertThat(LadderLayerRunner.notRunnable(point("resnet", NumberFormat.FP16, NumberFormat.FP16))).contains("not resnet");
        assertThat(LadderLayerRunner.notRunnable(point("llama", NumberFormat.BF16, NumberFormat.FP16))).contains("no Ladder kernel");
    }

    @Test
    void installedRunnerReportsUnrunnablePointsWithoutAGpu(@TempDir Path dir) {
        ReproduceContext rc = new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0",
                MeasurementLog.fresh(dir.resolve("m.json")));
        // vit with FP8 E4M3 activations: the encoder runner has no such quantiser (FP16 vit is runnable and would open the GPU)
        List<Measurement> ms = LadderModelRunner.installed().measure(List.of(point("vit", NumberFormat.FP16, NumberFormat.FP8_E4M3),
                point("llama", NumberFormat.INT8, NumberFormat.INT4)), rc);
        assertThat(ms).extracting(Measurement::status).containsOnly(Measurement.Status.NA);
        assertThat(rc.measurements().snapshot()).hasSize(2);
    }

    @Test
    void figure14EndToEndPanelsAreFilledFromTheLayerRunner(@TempDir Path dir) throws Exception {
        Dataset paper = new PaperDataLoader().load("figure14").requireDataset("paper");
        List<Figure14Reproduction.ModelPointOf> points = Figure14Reproduction.endToEnd(paper);
        assertThat(points).hasSize(24);
        assertThat(points).extracting(p -> p.point().seq()).contains(1, 4096);
        LadderModelRunner fake = (ps, rc) -> ps.stream().map(p -> p.formats().equals(FormatPair.FP16)
                ? Measurement.ok("Ladder", p.formats(), p.workload(), p.setting(), TimingStats.of(new double[] {p.seq() == 1 ? 0.6 : 20}), "Test GPU", null)
                : Measurement.notAvailable("Ladder", p.formats(), p.workload(), p.setting(), "no kernel")).toList();
        ReproduceContext rc = new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0", MeasurementLog.fresh(dir.resolve("m.json")));
        List<Measurement> ms = Figure14Reproduction.measureEndToEnd(paper, rc, fake);
        Dataset d = MeasuredPanels.dataset("Test GPU", "0.0", "test", Figure14Reproduction.measuredPanels(paper, ms));
        Panel seq1 = d.requirePanel("e2e_bs1_seq1"), seq4096 = d.requirePanel("e2e_bs1_seq4096");
        assertThat(seq1.series("Ladder").orElseThrow().values()).containsExactly(0.6);
        assertThat(seq4096.series("Ladder").orElseThrow().values()).containsExactly(20.0);
        assertThat(seq1.series("Ladder-W_INT4A_FP16").orElseThrow().nullReason(0)).isEqualTo("na: no kernel");
    }
}

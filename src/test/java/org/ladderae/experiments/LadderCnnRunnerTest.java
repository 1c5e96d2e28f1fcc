package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

class LadderCnnRunnerTest {
    private static LadderModelRunner.ModelPoint point(String workload, int batch, NumberFormat w, NumberFormat a) {
        return new LadderModelRunner.ModelPoint(workload, batch, 1, new FormatPair(w, a), GemvStage.HOLISTIC);
    }

    @Test
    void paperSeriesMapToConvFormats() {
        assertThat(LadderCnnRunner.convFormat(FormatPair.FP16)).isEqualTo(ConvFormat.W_FP16A_FP16);
        assertThat(LadderCnnRunner.convFormat(new FormatPair(NumberFormat.FP8, NumberFormat.FP8))).isEqualTo(ConvFormat.W_FP8A_FP16);  // E5M2 weights, FP16 acts
        assertThat(LadderCnnRunner.convFormat(new FormatPair(NumberFormat.MXFP8, NumberFormat.MXFP8))).isEqualTo(ConvFormat.W_MXFP8A_MXFP8);
        assertThat(LadderCnnRunner.convFormat(new FormatPair(NumberFormat.INT1, NumberFormat.INT4))).isEqualTo(ConvFormat.W_INT1A_INT4);
        assertThat(LadderCnnRunner.convFormat(new FormatPair(NumberFormat.INT4, NumberFormat.FP16))).isNull();
    }

    @Test
    void whatTheCnnExecutorCannotRunIsNaWithItsReason() {
        assertThat(LadderCnnRunner.notRunnable(point("resnet", 128, NumberFormat.FP16, NumberFormat.FP16))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("shufflenet", 1, NumberFormat.FP16, NumberFormat.FP16))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("resnet", 1, NumberFormat.INT1, NumberFormat.INT4))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("resnet", 128, NumberFormat.FP8, NumberFormat.FP8))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("resnet", 128, NumberFormat.MXFP8, NumberFormat.MXFP8))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("shufflenet", 1, NumberFormat.FP8, NumberFormat.FP8))).isNull();
        assertThat(LadderCnnRunner.notRunnable(point("resnet", 1, NumberFormat.INT4, NumberFormat.FP16))).contains("no Ladder conv kernel computes W_INT4A_FP16");
        assertThat(LadderCnnRunner.notRunnable(point("vit", 1, NumberFormat.FP16, NumberFormat.FP16))).contains("not vit");
        assertThat(LadderCnnRunner.notRunnable(new LadderModelRunner.ModelPoint("resnet", 1, 1, FormatPair.FP16, GemvStage.PTX))).contains("no kernel stages");
    }

    @Test
    void dispatchKeepsThePointsOrderAndAThrowingRunnerFailsOnlyItsPoints(@TempDir Path dir) {
        List<String> asked = new ArrayList<>();
        LadderModelRunner fine = (ps, rc) -> ps.stream().map(p -> {
            asked.add(p.workload() + " " + p.setting());
            return Measurement.notAvailable("Ladder", p.formats(), p.workload(), p.setting(), "fake");
        }).toList();
        LadderModelRunner broken = (ps, rc) -> { throw new IllegalStateException("no GPU here"); };
        ModelRunnerDispatch d = new ModelRunnerDispatch(Map.of("resnet", () -> broken), () -> fine);
        ReproduceContext rc = new ReproduceContext(new PrintWriter(new StringWriter()), "python3", true, 1, "0.0",
                MeasurementLog.fresh(dir.resolve("m.json")));
        List<Measurement> ms = d.measure(List.of(point("llama", 1, NumberFormat.FP16, NumberFormat.FP16), point("resnet", 128, NumberFormat.FP16, NumberFormat.FP16),
                point("bloom", 1, NumberFormat.FP16, NumberFormat.FP16)), rc);
        assertThat(ms).extracting(Measurement::workload).containsExactly("llama", "resnet", "bloom");
        assertThat(ms).extracting(Measurement::status).containsExactly(Measurement.Status.NA, Measurement.Status.FAILED, Measurement.Status.NA);
        assertThat(ms.get(1).reason()).contains("IllegalStateException: no GPU here");
        assertThat(asked).containsExactly("llama BS1 SEQ1", "bloom BS1 SEQ1");
    }
}

package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;

/** Which encoder points the executor can run (CPU only: lowering and kernel selection as on an H100). */
class EncoderModelRunnerTest {
    private static LadderModelRunner.ModelPoint point(String model, int batch, NumberFormat w, NumberFormat a) {
        return new LadderModelRunner.ModelPoint(model, batch, 1, new FormatPair(w, a), GemvStage.HOLISTIC);
    }

    @Test
    void fp16AndTheArtifactsFp8RunBothModelsAtBothBatches() {
        for (String model : new String[] {"vit", "conformer"})
            for (int batch : new int[] {1, 128}) {
                assertThat(EncoderModelRunner.notRunnable(point(model, batch, NumberFormat.FP16, NumberFormat.FP16))).isNull();
                assertThat(EncoderModelRunner.notRunnable(point(model, batch, NumberFormat.FP8, NumberFormat.FP8))).isNull();   // E5M2 weights, FP16 activations
            }
    }

    @Test
    void otherPointsSayWhyNot() {
        assertThat(EncoderModelRunner.notRunnable(point("resnet", 1, NumberFormat.FP16, NumberFormat.FP16))).contains("not resnet");
        assertThat(EncoderModelRunner.notRunnable(point("vit", 1, NumberFormat.FP16, NumberFormat.FP8_E4M3))).contains("INT8, INT4 or MXFP8 only");
        assertThat(EncoderModelRunner.notRunnable(new LadderModelRunner.ModelPoint("vit", 1, 1, FormatPair.FP16, GemvStage.BASELINE))).contains("holistic");
        // At M = 50 and more the integer-activation linears run the mma.sync integer GEMM (INT32 sums); a pair without any kernel says so.
        assertThat(EncoderModelRunner.notRunnable(point("conformer", 1, NumberFormat.INT4, NumberFormat.INT8))).isNull();
        assertThat(EncoderModelRunner.notRunnable(point("conformer", 1, NumberFormat.INT8, NumberFormat.INT4))).contains("W_INT8A_INT4");
    }
}

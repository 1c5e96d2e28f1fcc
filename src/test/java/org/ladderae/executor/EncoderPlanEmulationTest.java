package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.EncoderModels;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.models.reference.SeededWeights;

/**
 * The lowered encoder plans emulated on the CPU with the kernels' indexing ({@link PlanEmulator}, {@link EncoderStepEmulator})
 * against the reference executor on the same weights: the lowering's views, row counts (patches, tokens, pooled rows),
 * fusions (GLU into the conv, BatchNorm folded, SiLU) and quantised-activation placement, without a GPU.
 */
class EncoderPlanEmulationTest {
    private static double error(ModelGraph g, boolean gemmEpilogue) {
        Map<String, DenseTensor> in = SeededWeights.inputs(g, 5), master = SeededWeights.masterWeights(g, 5);
        DenseTensor emulated = new PlanEmulator(g, master, gemmEpilogue).run(in);
        DenseTensor ref = ReferenceExecutor.run(g, in, SeededWeights.decodedWeights(g, 5)).values().iterator().next();
        assertThat(emulated.allFinite()).isTrue();
        return LayerComparison.relativeFrobeniusError(ref, emulated);
    }

    @Test
    void vitPlanMatchesTheReference() {
        for (int batch : new int[] {1, 3})
            for (WeightFormat w : List.of(WeightFormat.FP16, WeightFormat.INT4))
                assertThat(error(EncoderModels.vit(EncoderModels.VIT_CHECK, batch).withLinearFormat(w, -1), true)).as("BS" + batch + " " + w).isLessThan(1e-12);
    }

    @Test
    void conformerPlanMatchesTheReference() {
        // 1e-6: the depthwise conv's weights with the BatchNorm folded in are FP32 on the device (2^-24 relative rounding)
        for (int[] bt : new int[][] {{1, 40}, {2, 33}})
            assertThat(error(EncoderModels.conformer(EncoderModels.CONFORMER_CHECK, bt[0], bt[1]), false)).as("BS" + bt[0] + " T" + bt[1]).isLessThan(1e-6);
    }

    @Test
    void quantisedActivationPlansMatchTheReference() {
        // per-token INT8 activations before every linear, also the patch embedding (49 rows per image) and the head (1 per image)
        assertThat(error(EncoderModels.vit(EncoderModels.VIT_CHECK, 2).withLinearFormat(WeightFormat.INT4, -1).withActivationFormat(ActivationFormat.INT8), false))
                .isLessThan(1e-9);
        assertThat(error(EncoderModels.conformer(EncoderModels.CONFORMER_CHECK, 1, 24).withLinearFormat(WeightFormat.INT4, -1)
                .withActivationFormat(ActivationFormat.INT4), false)).isLessThan(1e-9);
    }

    @Test
    void fusedConvModuleAtPartialTilesMatchesTheReference() {
        assertThat(error(EncoderExecutorGpuTest.convModule(3, 5, 130, 3), false)).isLessThan(1e-6);
        assertThat(error(EncoderExecutorGpuTest.convModule(2, 70, 96, 31), false)).isLessThan(1e-6);
        assertThat(LayerPlan.lower(EncoderExecutorGpuTest.convModule(1, 9, 64, 63)).steps()).hasSize(1);   // GLU, conv, BatchNorm and SiLU: one step
    }
}

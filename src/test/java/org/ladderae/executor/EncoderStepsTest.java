package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.EncoderModels;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;

/** Lowering of the encoder models to the layer executor's steps (CPU only). */
class EncoderStepsTest {
    @Test
    void vitRunsEachLinearAtItsOwnRowCount() {
        LayerPlan p = LayerPlan.lower(EncoderModels.vit(EncoderModels.VIT_S32, 128));
        assertThat(p.batch()).isEqualTo(128);
        assertThat(p.seq()).isEqualTo(50);
        assertThat(p.buffers().get("image").rows()).isEqualTo(128);
        assertThat(p.buffers().get("image").width()).isEqualTo(3 * 224 * 224);
        LayerPlan.Linear patch = p.linears().get(0), head = p.linears().get(p.linears().size() - 1);
        assertThat(p.rows(patch)).isEqualTo(128 * 49);
        assertThat(p.rows(head)).isEqualTo(128);
        assertThat(p.rows(p.linears().get(1))).isEqualTo(128 * 50);
        // q, k, v of each block stack into one linear of N = 1152
        assertThat(p.linears().get(1).nTotal()).isEqualTo(3 * 384);
        assertThat(p.linears()).hasSize(1 + 12 * 4 + 1);
        assertThat(p.steps()).filteredOn(s -> s instanceof LayerPlan.Activation a && a.gelu()).hasSize(12);
        assertThat(p.buffers().get(p.output()).rows()).isEqualTo(128);
    }

    @Test
    void conformerFusesGluBatchNormAndSiluIntoTheDepthwiseConv() {
        LayerPlan p = LayerPlan.lower(EncoderModels.conformer(EncoderModels.CONFORMER, 2, 512));
        assertThat(p.seq()).isEqualTo(512);
        List<LayerPlan.DepthwiseConv> convs = p.steps().stream().filter(s -> s instanceof LayerPlan.DepthwiseConv).map(s -> (LayerPlan.DepthwiseConv) s).toList();
        assertThat(convs).hasSize(12);
        for (LayerPlan.DepthwiseConv c : convs) {
            assertThat(c.glu()).isTrue();
            assertThat(c.batchNorm()).isNotNull();
            assertThat(c.silu()).isTrue();
            assertThat(c.x().width()).isEqualTo(1024);   // reads the pointwise conv's 2C output
        }
        assertThat(p.steps()).noneMatch(s -> s instanceof LayerPlan.Glu);
        assertThat(p.steps()).filteredOn(s -> s instanceof LayerPlan.ScaledAdd).hasSize(24);
        assertThat(p.buffers()).doesNotContainKey("conformer_layers.0.glu").doesNotContainKey("conformer_layers.0.bn");
    }

    @Test
    void aBatchNormAloneIsRejectedWithItsName() {
        ModelGraph g = ModelGraph.builder("bn").input(Tensor.of("x", DType.FP16, 1, 4, 8))
                .weight(Tensor.of("w", DType.FP16, 8)).weight(Tensor.of("b", DType.FP16, 8)).weight(Tensor.of("m", DType.FP16, 8)).weight(Tensor.of("v", DType.FP16, 8))
                .op(new Op.BatchNorm("lonely_bn", "x", "w", "b", "m", "v", "y", 1e-5)).output("y").build();
        assertThatThrownBy(() -> LayerPlan.lower(g)).hasMessageContaining("lonely_bn").hasMessageContaining("depthwise conv");
    }

    @Test
    void fp16AndFp8WeightsHaveAKernelForEveryLinearAtBothBatches() {
        for (String model : List.of("vit", "conformer"))
            for (int batch : new int[] {1, 128})
                for (WeightFormat w : List.of(WeightFormat.FP16, WeightFormat.FP8_E5M2))
                    assertThat(EncoderBench.whyNoKernel(model, batch, w, ActivationFormat.FP16)).as(model + " BS" + batch + " " + w).isNull();
    }

    @Test
    void checkModelsKeepTheFullModelsKernelFamilies() {
        for (String model : List.of("vit", "conformer"))
            for (int batch : new int[] {1, 128}) {
                LayerPlan full = LayerPlan.lower(EncoderBench.graph(model, true, batch, WeightFormat.FP16, ActivationFormat.FP16));
                LayerPlan check = LayerPlan.lower(EncoderBench.graph(model, false, batch, WeightFormat.FP16, ActivationFormat.FP16));
                for (LayerPlan.Linear l : check.linears()) {
                    LayerPlan.Linear f = full.linears().stream().filter(x -> x.name().equals(l.name())).findFirst().orElseThrow();
                    assertThat(check.rows(l) > 16).as(model + " " + l.name()).isEqualTo(full.rows(f) > 16);
                }
                assertThat(check.seq() >= LayerExecutor.FLASH_MIN_SEQ).isEqualTo(full.seq() >= LayerExecutor.FLASH_MIN_SEQ);
            }
    }

    @Test
    void fullModelsActivationsFitOneH100AtBatch128() {
        for (String model : List.of("vit", "conformer")) {
            LayerPlan p = LayerPlan.lower(EncoderBench.graph(model, true, 128, WeightFormat.FP16, ActivationFormat.FP16));
            System.out.printf("%s BS128: %.0f MiB of activation buffers%n", model, p.activationBytes() / 1048576.0);
            assertThat(p.activationBytes()).isLessThan(40L << 30);
        }
    }
}

package org.ladderae.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EncoderModelsTest {
    private static long elements(ModelGraph g) { return g.weights().stream().mapToLong(Tensor::elements).sum(); }

    @Test
    void vitSmallPatch32HasTimmsShapesAndParameterCount() {
        ModelGraph g = EncoderModels.vit(EncoderModels.VIT_S32, 128);
        assertThat(g.tensor("patches").shape()).containsExactly(128, 49, 3072);
        assertThat(g.tensor("x0").shape()).containsExactly(128, 50, 384);
        assertThat(g.tensor("logits").shape()).containsExactly(128, 1, 1000);
        // timm.create_model("vit_small_patch32_224").parameters() sums to 22,878,952 (the qkv projection counted as q, k, v here).
        assertThat(elements(g)).isEqualTo(22_878_952L);
        assertThat(g.linears()).hasSize(1 + 12 * 6 + 1);
        assertThat(g.opCounts()).containsEntry("Attention", 12).containsEntry("Gelu", 12).containsEntry("LayerNorm", 25);
    }

    @Test
    void conformerHasTorchaudiosShapesAndParameterCount() {
        ModelGraph g = EncoderModels.conformer(EncoderModels.CONFORMER, 2, 512);
        assertThat(g.tensor(g.outputs().get(0)).shape()).containsExactly(2, 512, 512);
        // torchaudio Conformer(512, 8, 512, 12, 31) has 34,940,928 parameters; the graph also holds each BatchNorm's running
        // mean and variance (buffers in torch): 12 layers x 2 x 512 more.
        assertThat(elements(g)).isEqualTo(34_940_928L + 12 * 2 * 512);
        assertThat(g.opCounts()).containsEntry("DepthwiseConv1d", 12).containsEntry("BatchNorm", 12).containsEntry("Glu", 12)
                .containsEntry("ScaledAdd", 24).containsEntry("Silu", 36);
    }

    @Test
    void flopsCountTheLinearsConvAndAttention() {
        ModelGraph g = EncoderModels.vit(EncoderModels.VIT_S32, 1);
        // timm's model card lists 1.1 GMACs per image for vit_small_patch32_224: ~2.3 GFLOPs.
        assertThat(g.flops() / 1e9).isBetween(2.2, 2.4);
    }

    @Test
    void graphsSurviveJsonRoundTrip() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (ModelGraph g : new ModelGraph[] {EncoderModels.vit(EncoderModels.VIT_CHECK, 2), EncoderModels.conformer(EncoderModels.CONFORMER_CHECK, 1, 40)}) {
            ModelGraph back = json.readValue(json.writeValueAsString(g), ModelGraph.class);
            assertThat(back).isEqualTo(g);
        }
    }
}

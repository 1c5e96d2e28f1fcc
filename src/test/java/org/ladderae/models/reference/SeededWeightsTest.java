package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.LlmLayers;
import org.ladderae.models.ModelGraph;

class SeededWeightsTest {
    private final ModelGraph llama = LlmLayers.llamaSmall(1, 4);

    @Test
    void sameSeedGivesTheSameValuesAndAnotherSeedOtherValues() {
        Map<String, DenseTensor> a = SeededWeights.masterWeights(llama, 7), b = SeededWeights.masterWeights(llama, 7), c = SeededWeights.masterWeights(llama, 8);
        assertThat(a).isEqualTo(b);
        assertThat(a.get("mlp.up_proj.weight")).isNotEqualTo(c.get("mlp.up_proj.weight"));
    }

    @Test
    void aTensorsValuesDependOnlyOnSeedAndNameNotOnTheLayersFormat() {
        Map<String, DenseTensor> fp16 = SeededWeights.masterWeights(llama, 7);
        Map<String, DenseTensor> int4 = SeededWeights.masterWeights(llama.withLinearFormat(WeightFormat.INT4, 128), 7);
        assertThat(int4).isEqualTo(fp16);
        // Two weights of the same shape still get different values.
        assertThat(fp16.get("self_attn.k_proj.weight")).isNotEqualTo(fp16.get("self_attn.v_proj.weight"));
    }

    @Test
    void valuesAreFp16AndScaledByRole() {
        Map<String, DenseTensor> w = SeededWeights.masterWeights(llama, 1);
        for (DenseTensor t : w.values()) for (double v : t.values()) assertThat(Fp16.round(v)).isEqualTo(v);
        double amplitude = Math.sqrt(3.0 / 384);  // down_proj: K = FFN = 384
        for (double v : w.get("mlp.down_proj.weight").values()) assertThat(Math.abs(v)).isLessThanOrEqualTo(Fp16.round(amplitude));
        for (double v : w.get("input_layernorm.weight").values()) assertThat(v).isBetween(0.9, 1.1);
    }

    @Test
    void decodedFp16WeightsAreTheMasterWeightsAndDecodedInt4OnesAreNot() {
        assertThat(SeededWeights.decodedWeights(llama, 3)).isEqualTo(SeededWeights.masterWeights(llama, 3));
        ModelGraph int4 = llama.withLinearFormat(WeightFormat.INT4, 32);
        Map<String, DenseTensor> decoded = SeededWeights.decodedWeights(int4, 3), master = SeededWeights.masterWeights(int4, 3);
        assertThat(decoded.get("mlp.gate_proj.weight")).isNotEqualTo(master.get("mlp.gate_proj.weight"));
        assertThat(decoded.get("input_layernorm.weight")).isEqualTo(master.get("input_layernorm.weight"));
    }

    @Test
    void bloomsAttentionMaskIsAllTokens() {
        DenseTensor mask = SeededWeights.inputs(LlmLayers.bloomSmall(2, 3), 1).get("attention_mask");
        assertThat(mask.values()).containsOnly(1.0).hasSize(6);
    }
}

package org.ladderae.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.WeightFormat;

class LlmLayersTest {
    private static Map<String, LinearShape> linearShapes(ModelGraph g) {
        Map<String, LinearShape> m = new java.util.LinkedHashMap<>();
        for (Op.Linear l : g.linears()) m.put(l.name(), l.shape());
        return m;
    }

    @Test
    void llamaLayerHasTheArtifactsLinearShapes() {
        ModelGraph g = LlmLayers.llama2_70b(1, 1);
        assertThat(linearShapes(g)).containsExactly(
                Map.entry("self_attn.q_proj", new LinearShape(8192, 8192)),
                Map.entry("self_attn.k_proj", new LinearShape(1024, 8192)),
                Map.entry("self_attn.v_proj", new LinearShape(1024, 8192)),
                Map.entry("self_attn.o_proj", new LinearShape(8192, 8192)),
                Map.entry("mlp.gate_proj", new LinearShape(28672, 8192)),
                Map.entry("mlp.up_proj", new LinearShape(28672, 8192)),
                Map.entry("mlp.down_proj", new LinearShape(8192, 28672)));
        assertThat(g.distinctLinearShapes()).containsExactly(new LinearShape(8192, 8192), new LinearShape(1024, 8192),
                new LinearShape(28672, 8192), new LinearShape(8192, 28672));
        assertThat(g.opCounts()).containsEntry("RmsNorm", 2).containsEntry("Rotary", 2).containsEntry("Attention", 1)
                .containsEntry("SiluGate", 1).containsEntry("Add", 2);
    }

    @Test
    void llamaLayerWeightBytesPerFormat() {
        ModelGraph g = LlmLayers.llama2_70b(1, 1);
        long params = 2L * 8192 * 8192 + 2L * 1024 * 8192 + 3L * 28672 * 8192;
        assertThat(params).isEqualTo(855_638_016L);
        assertThat(g.linearWeightBytes()).isEqualTo(1_711_276_032L);          // about 1.71 GB in FP16
        assertThat(g.otherWeightBytes()).isEqualTo(2L * 8192 * 2);           // two RMSNorm scales
        ModelGraph int4 = g.withLinearFormat(WeightFormat.INT4, 128);
        assertThat(int4.linearWeightBytes()).isEqualTo(params / 2 + params / 128 * 4); // nibbles + FP16 scale and zero per 128
        assertThat(g.withLinearFormat(WeightFormat.NF4, 64).linearWeightBytes()).isEqualTo(params / 2 + params / 64 * 2);
        assertThat(g.withLinearFormat(WeightFormat.FP8_E4M3, 128).linearWeightBytes()).isEqualTo(params);
        assertThat(g.withLinearFormat(WeightFormat.MXFP8, 128).linearWeightBytes()).isEqualTo(params + params / 32);
    }

    @Test
    void llamaFlopsAreLinearPlusAttention() {
        int b = 1, s = 4096;
        ModelGraph g = LlmLayers.llama2_70b(b, s);
        long linear = 2L * b * s * 855_638_016L;
        long attention = 4L * b * 64 * s * s * 128;
        assertThat(g.flops()).isGreaterThan(linear + attention).isLessThan((long) ((linear + attention) * 1.01));
        assertThat(g.tensor("output").shape()).containsExactly(1, 4096, 8192);
        assertThat(g.tensor("k").shape()).containsExactly(1, 4096, 1024);
    }

    @Test
    void bloomBlockHasTheArtifactsShapesAndBiases() {
        ModelGraph g = LlmLayers.bloom176b(32, 1);
        assertThat(linearShapes(g)).containsExactly(
                Map.entry("self_attention.query_key_value", new LinearShape(43008, 14336)),
                Map.entry("self_attention.dense", new LinearShape(14336, 14336)),
                Map.entry("mlp.dense_h_to_4h", new LinearShape(57344, 14336)),
                Map.entry("mlp.dense_4h_to_h", new LinearShape(14336, 57344)));
        assertThat(g.linears()).allSatisfy(l -> assertThat(l.bias()).isNotNull());
        assertThat(g.tensor("alibi").shape()).containsExactly(32 * 112, 1, 1);
        assertThat(g.tensor("q").shape()).containsExactly(32, 1, 14336);
        long params = 43008L * 14336 + 14336L * 14336 + 2L * 57344 * 14336;
        assertThat(g.linearWeightBytes()).isEqualTo(2 * params);
        assertThat(g.otherWeightBytes()).isEqualTo(2L * (43008 + 14336 + 57344 + 14336) + 4L * 14336 * 2);
    }

    @Test
    void graphRoundTripsThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ModelGraph g = LlmLayers.bloom176b(1, 4096).withLinearFormat(WeightFormat.INT4, 128);
        ModelGraph back = json.readValue(json.writeValueAsString(g), ModelGraph.class);
        assertThat(back).isEqualTo(g);
        assertThat(json.writeValueAsString(g)).contains("\"op\":\"Attention\"", "\"format\":\"INT4\"");
    }

    @Test
    void shapeMismatchNamesTheOp() {
        var b = ModelGraph.builder("bad").input(Tensor.of("x", DType.FP16, 1, 1, 4096))
                .weight(Tensor.of("w", DType.FP16, 8192, 8192))
                .op(new Op.Linear("proj", "x", "w", null, "y", 8192, 8192, WeightFormat.FP16, 0)).output("y");
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Linear 'proj': input x[1,1,4096] fp16 does not end in K = 8192");
        var missing = ModelGraph.builder("bad").input(Tensor.of("x", DType.FP16, 1, 8))
                .op(new Op.Add("res", "x", "nowhere", "y")).output("y");
        assertThatThrownBy(missing::build).hasMessageContaining("Add 'res' reads 'nowhere'");
        assertThatThrownBy(() -> new Op.Linear("p", "x", "w", null, "y", 8, 100, WeightFormat.INT4, 128))
                .hasMessageContaining("K = 100 is not a multiple of the group size 128");
        assertThatThrownBy(() -> LlmLayers.llama2_70b(0, 1)).hasMessageContaining("must be positive");
    }

    @Test
    void gqaNeedsHeadsToGroup() {
        assertThatThrownBy(() -> new LlmLayers.LlamaConfig("odd", 8192, 64, 7, 28672, 1e-5, 1e4)).hasMessageContaining("do not group into 7");
        assertThat(List.of(LlmLayers.LLAMA2_70B.headDim(), LlmLayers.BLOOM_176B.headDim(), LlmLayers.BLOOM_176B.ffn())).containsExactly(128, 128, 57344);
    }
}

package org.ladderae.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;

/** A torch-shaped export of one LlamaDecoderLayer (see {@link LlamaLayerOnnx}) maps onto the IR's fused ops. */
class LlamaLayerImportTest {
    @TempDir Path dir;

    private ImportedModel load(ModelProto m) throws IOException {
        Path p = dir.resolve("layer.onnx");
        Files.write(p, m.toByteArray());
        return OnnxImporter.importFile(p, WeightFormat.INT4, 32);
    }

    @Test
    void decoderLayerMapsToFusedOps() throws IOException {
        ModelGraph g = load(new LlamaLayerOnnx().build()).graph();
        assertThat(g.ops()).extracting(Op::kind).containsExactly(
                "RmsNorm", "Linear", "Linear", "Linear", "Rotary", "Rotary", "Attention", "Linear", "Add",
                "RmsNorm", "Linear", "Linear", "SiluGate", "Linear", "Add");
        Op.RmsNorm norm = (Op.RmsNorm) g.ops().get(0);
        assertThat(norm.input()).isEqualTo("hidden_states");               // the FP32 Casts fold into the norm
        assertThat(norm.weight()).isEqualTo("input_layernorm.weight");
        Op.Rotary qRope = (Op.Rotary) g.ops().get(4), kRope = (Op.Rotary) g.ops().get(5);
        assertThat(qRope.input()).isEqualTo("q");
        assertThat(qRope.heads()).isEqualTo(4);
        assertThat(qRope.headDim()).isEqualTo(16);
        assertThat(qRope.theta()).isEqualTo(10000.0);
        assertThat(kRope.input()).isEqualTo("k");
        assertThat(kRope.heads()).isEqualTo(2);
        Op.Attention att = (Op.Attention) g.ops().get(6);
        assertThat(List.of(att.q(), att.k(), att.v())).containsExactly(qRope.output(), kRope.output(), "v");
        assertThat(att.heads()).isEqualTo(4);
        assertThat(att.kvHeads()).isEqualTo(2);
        assertThat(att.headDim()).isEqualTo(16);
        assertThat(att.causal()).isTrue();
        assertThat(att.output()).isEqualTo("/attn/merged");
        assertThat(((Op.Linear) g.ops().get(7)).input()).isEqualTo("/attn/merged");
        Op.SiluGate gate = (Op.SiluGate) g.ops().get(12);
        assertThat(List.of(gate.gate(), gate.up())).containsExactly("gate", "up");
        assertThat(g.linears()).allSatisfy(l -> assertThat(l.format()).isEqualTo(WeightFormat.INT4));
        assertThat(g.tensor("out").shape()).containsExactly(1, 4, 64);
        // the rotary tables and the mask were recognised, not kept as weights
        assertThat(g.weights()).extracting(t -> t.name()).noneMatch(n -> n.contains("cos") || n.contains("mask") || n.startsWith("const_"));
    }

    @Test
    void ropeThetaIsReadFromTheTables() throws IOException {
        LlamaLayerOnnx layer = new LlamaLayerOnnx();
        layer.theta = 500000;
        layer.seq = 16;
        layer.heads = 2;           // head dim 32: more frequencies to check
        layer.kvHeads = 1;
        ModelGraph g = load(layer.build()).graph();
        assertThat(g.ops()).filteredOn(o -> o instanceof Op.Rotary).extracting(o -> ((Op.Rotary) o).theta()).containsOnly(500000.0);
        assertThat(g.ops()).filteredOn(o -> o instanceof Op.Attention).extracting(o -> ((Op.Attention) o).kvHeads()).containsExactly(1);
    }

    @Test
    void multiHeadAttentionWithoutRepeatKv() throws IOException {
        LlamaLayerOnnx layer = new LlamaLayerOnnx();
        layer.kvHeads = 4;
        ModelGraph g = load(layer.build()).graph();
        Op.Attention att = (Op.Attention) g.ops().stream().filter(o -> o instanceof Op.Attention).findFirst().orElseThrow();
        assertThat(att.kvHeads()).isEqualTo(4);
    }

    @Test
    void maskThatIsNotCausalIsReported() {
        LlamaLayerOnnx layer = new LlamaLayerOnnx();
        layer.causalMask = false;
        assertThatThrownBy(() -> load(layer.build())).isInstanceOf(OnnxImportException.class)
                .hasMessageStartingWith("attention at Softmax node '/attn/Softmax': the added mask is not causal (row 0, column 0");
    }

    @Test
    void scoreScaleOtherThanInverseSqrtHeadDimIsReported() {
        LlamaLayerOnnx layer = new LlamaLayerOnnx();
        layer.scoreScale = 0.5;
        assertThatThrownBy(() -> load(layer.build())).isInstanceOf(OnnxImportException.class)
                .hasMessage("attention at Softmax node '/attn/Softmax': scores are scaled by 0.5, not 1/sqrt(16)");
    }

    @Test
    void dynamicBatchLeavesShapeUnfoldedAndSaysSo() {
        LlamaLayerOnnx layer = new LlamaLayerOnnx();
        layer.dynamicBatch = true;
        assertThatThrownBy(() -> load(layer.build())).isInstanceOf(OnnxImportException.class)
                .hasMessage("unsupported ONNX op 'Shape' at node '/attn/Shape'");
    }
}

package org.ladderae.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.kernels.WeightLayout;
import org.ladderae.models.CompiledModelWriter;
import org.ladderae.models.Op;
import org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.GraphProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;
import org.ladderae.models.onnx.proto.OnnxProtos.NodeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.OperatorSetIdProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorProto;

/** ladder.QuantLinear: pre-quantised INT4 codes, scales and zeros are read and written as they are. */
class QuantLinearImportTest {
    @TempDir Path dir;
    static final int N = 64, K = 256, G = 128;

    final int[] codes = new int[N * K];
    final float[] scales = new float[N * K / G], zeros = new float[N * K / G];

    private ModelProto model(int bits, long groupSize) {
        Random r = new Random(3);
        for (int i = 0; i < codes.length; i++) codes[i] = r.nextInt(16);
        for (int i = 0; i < scales.length; i++) { scales[i] = 0.01f * (1 + r.nextInt(8)); zeros[i] = r.nextInt(16); }
        byte[] packed = new byte[N * K / 2];
        for (int i = 0; i < codes.length; i += 2) packed[i / 2] = (byte) (codes[i] | codes[i + 1] << 4);  // element 0 in the low nibble
        GraphProto.Builder g = GraphProto.newBuilder().setName("quant")
                .addInput(OnnxModels.value("x", TensorProto.DataType.FLOAT16, 1, 2, K))
                .addOutput(OnnxModels.value("y", TensorProto.DataType.FLOAT16, 1, 2, N))
                .addInitializer(TensorProto.newBuilder().setName("fc.weight.qweight").setDataType(TensorProto.DataType.UINT8_VALUE)
                        .addDims(N).addDims(K / 2).setRawData(ByteString.copyFrom(packed)))
                .addInitializer(OnnxModels.fp16("fc.weight.scales", scales, N, K / G))
                .addInitializer(OnnxModels.fp16("fc.weight.zeros", zeros, N, K / G))
                .addNode(NodeProto.newBuilder().setOpType("QuantLinear").setDomain("ladder").setName("/fc/QuantLinear")
                        .addAllInput(List.of("x", "fc.weight.qweight", "fc.weight.scales", "fc.weight.zeros")).addOutput("y")
                        .addAttribute(OnnxModels.intAttr("bits", bits)).addAttribute(OnnxModels.intAttr("group_size", groupSize)));
        return OnnxModels.model(g).toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ladder").setVersion(1)).build();
    }

    private ImportedModel load(ModelProto m) throws IOException {
        Path p = dir.resolve("q.onnx");
        Files.write(p, m.toByteArray());
        return OnnxImporter.importFile(p, WeightFormat.FP16, 0);  // --weights applies to float linears only
    }

    @Test
    void quantLinearMapsToInt4LinearWithItsGroupSize() throws IOException {
        ImportedModel im = load(model(4, G));
        Op.Linear l = im.graph().linears().get(0);
        assertThat(l.format()).isEqualTo(WeightFormat.INT4);
        assertThat(l.groupSize()).isEqualTo(G);
        assertThat(List.of(l.n(), l.k(), l.weight())).containsExactly(N, K, "fc.weight");
        QuantizedWeight q = im.quantizedWeights().get("fc.weight");
        assertThat(q.codes(5)).containsExactly(java.util.Arrays.copyOfRange(codes, 5 * K, 6 * K));
        double[] w = q.dequantizedRow(5);
        int group = 1, i = 130;
        assertThat(w[i]).isEqualTo((codes[5 * K + i] - (double) zeros[5 * 2 + group]) * org.ladderae.formats.Fp16.round(scales[5 * 2 + group]));
        assertThat(im.graph().tensor("y").shape()).containsExactly(1, 2, N);
    }

    @Test
    void compiledModelKeepsTheCodesInsteadOfRequantising() throws IOException {
        ImportedModel im = load(model(4, G));
        Path out = dir.resolve("compiled");
        CompiledModelWriter.write(im, out);
        byte[] written = Files.readAllBytes(out.resolve("weights/fc.weight.int4"));
        byte[] expected = WeightLayout.transform(WeightLayout.packPlain(codes, WeightFormat.INT4, N, K), WeightFormat.INT4, ActFormat.FP16, N, K);
        assertThat(written).isEqualTo(expected);
        assertThat(Files.size(out.resolve("weights/fc.weight.scales.f16"))).isEqualTo(2L * N * K / G);
    }

    @Test
    void groupSizeThatDoesNotDivideKIsOneLine() {
        assertThatThrownBy(() -> load(model(4, 96))).isInstanceOf(OnnxImportException.class)
                .hasMessage("QuantLinear node '/fc/QuantLinear': group_size 96 does not divide K = 256");
        assertThatThrownBy(() -> load(model(3, G))).hasMessage("QuantLinear node '/fc/QuantLinear': bits = 3; 2, 4 or 8 are read");
    }
}

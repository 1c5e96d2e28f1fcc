package org.ladderae.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.LinearShape;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;

class OnnxImporterTest {
    @TempDir Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private ImportedModel load(ModelProto m, WeightFormat f, int group) throws IOException {
        return OnnxImporter.importFile(write("model.onnx", m.toByteArray()), f, group);
    }

    @Test
    void rmsNormMlpFusesNormSiluAndBiases() throws IOException {
        ImportedModel im = load(OnnxModels.rmsNormMlp(128, 256), WeightFormat.INT4, 64);
        ModelGraph g = im.graph();
        assertThat(g.ops()).extracting(Op::kind).containsExactly("RmsNorm", "Linear", "Silu", "Linear", "Add");
        Op.RmsNorm norm = (Op.RmsNorm) g.ops().get(0);
        assertThat(norm.input()).isEqualTo("x");
        assertThat(norm.weight()).isEqualTo("norm.weight");
        assertThat(norm.eps()).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-9));
        Op.Linear fc1 = (Op.Linear) g.ops().get(1);
        assertThat(fc1.shape()).isEqualTo(new LinearShape(256, 128));      // stored [K=128][N=256], Ladder keeps [N][K]
        assertThat(fc1.bias()).isEqualTo("fc1.bias");
        assertThat(fc1.output()).isEqualTo("fc1/out");
        assertThat(fc1.format()).isEqualTo(WeightFormat.INT4);
        assertThat(fc1.groupSize()).isEqualTo(64);
        assertThat(g.distinctLinearShapes()).containsExactly(new LinearShape(256, 128), new LinearShape(128, 256));
        assertThat(g.tensor("y").shape()).containsExactly(Tensor.DYNAMIC, 4, 128);
        assertThat(g.linearWeightBytes()).isEqualTo(2 * (128L * 256 / 2 + 128L * 256 / 64 * 4));
        assertThat(im.source().sha256()).hasSize(64);
        assertThat(im.source().opsetVersion()).isEqualTo(13);
    }

    @Test
    void transposedMatMulWeightReadsAsLadderRows() throws IOException {
        ModelProto m = OnnxModels.rmsNormMlp(128, 256);
        ImportedModel im = load(m, WeightFormat.FP16, 128);
        OnnxWeight w = im.weights().get("fc1.weightT");
        assertThat(w.transposed()).isTrue();
        float[] stored = OnnxModels.random(128 * 256, 1);                     // [K=128][N=256], as written
        double[] row5 = w.row(5);
        assertThat(row5).hasSize(128);
        for (int k = 0; k < 128; k += 17) assertThat(row5[k]).isEqualTo(org.ladderae.formats.Fp16.round(stored[k * 256 + 5]));
        assertThat(im.graph().linears().get(0).groupSize()).isZero();          // FP16 carries no scales
    }

    @Test
    void gemmGateUpDownFusesSiluGate() throws IOException {
        ModelGraph g = load(OnnxModels.gatedSiluMlp(64, 192), WeightFormat.NF4, 32).graph();
        assertThat(g.ops()).extracting(Op::kind).containsExactly("Linear", "Linear", "SiluGate", "Linear");
        Op.SiluGate gate = (Op.SiluGate) g.ops().get(2);
        assertThat(gate.gate()).isEqualTo("gate");
        assertThat(gate.up()).isEqualTo("up");
        assertThat(g.linears()).extracting(Op.Linear::shape)
                .containsExactly(new LinearShape(192, 64), new LinearShape(192, 64), new LinearShape(64, 192));
        assertThat(g.tensor("y").shape()).containsExactly(8, 64);
    }

    @Test
    void unsupportedOpNamesOpAndNode() throws IOException {
        assertThatThrownBy(() -> load(OnnxModels.withErf(32), WeightFormat.FP16, 128))
                .isInstanceOf(OnnxImportException.class).hasMessage("unsupported ONNX op 'Erf' at node '/mlp/act/Erf'");
    }

    @Test
    void truncatedFileIsOneLine() throws IOException {
        byte[] full = OnnxModels.rmsNormMlp(128, 256).toByteArray();
        for (int cut : new int[] {full.length / 2, full.length - 3, 5}) {
            Path p = write("cut" + cut + ".onnx", Arrays.copyOf(full, cut));
            assertThatThrownBy(() -> OnnxImporter.importFile(p, WeightFormat.FP16, 128))
                    .isInstanceOf(OnnxImportException.class)
                    .hasMessageStartingWith(p.toString() + " is")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").containsAnyOf("truncated", "not an ONNX model"));
        }
    }

    @Test
    void randomAndTextFilesAreNotOnnx() throws IOException {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        for (Path p : new Path[] {write("noise.onnx", noise), write("readme.onnx", "# not a model\n".getBytes()), write("empty.onnx", new byte[0])}) {
            assertThatThrownBy(() -> OnnxImporter.importFile(p, WeightFormat.FP16, 128))
                    .isInstanceOf(OnnxImportException.class).hasMessageContaining("not an ONNX model")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThatThrownBy(() -> OnnxImporter.importFile(dir.resolve("absent.onnx"), WeightFormat.FP16, 128))
                .hasMessage("no such file: " + dir.resolve("absent.onnx"));
    }

    @Test
    void groupSizeThatDoesNotDivideKIsReportedForTheLayer() throws IOException {
        assertThatThrownBy(() -> load(OnnxModels.gatedSiluMlp(96, 192), WeightFormat.INT4, 64))
                .isInstanceOf(OnnxImportException.class).hasMessageContaining("gate_proj: K = 96 is not a multiple of the group size 64");
    }
}

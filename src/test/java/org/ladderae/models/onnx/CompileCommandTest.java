package org.ladderae.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.cli.Cli;
import org.ladderae.cli.CliRun;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.UnsignedInt;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.kernels.WeightLayout;
import org.ladderae.models.ModelGraph;

/** {@code ladder-ae compile} end to end on small ONNX models written in the test. */
class CompileCommandTest {
    @TempDir Path dir;

    private static CliRun run(String... args) { return CliRun.of(args); }

    @Test
    void int4CompileWritesTransformedWeightsScalesZerosAndManifest() throws Exception {
        Path model = dir.resolve("mlp.onnx");
        Files.write(model, OnnxModels.rmsNormMlp(128, 256).toByteArray());
        Path out = dir.resolve("compiled");
        CliRun r = run("compile", model.toString(), "--weights", "int4", "--group-size", "64", "--out", out.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("RmsNorm=1, Linear=2, Silu=1, Add=1", "256x128, 128x256", "int4, group 64", "run it: ladder-ae run ");

        JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(m.get("executor").asText()).startsWith("ladder-ae run DIR");
        assertThat(m.at("/source/sha256").asText()).isEqualTo(org.ladderae.checkpoints.Sha256.of(model));
        ModelGraph g = new ObjectMapper().treeToValue(m.get("graph"), ModelGraph.class);   // the graph is data that reads back
        assertThat(g.linears()).allSatisfy(l -> assertThat(l.format()).isEqualTo(WeightFormat.INT4));

        // fc1: N=256, K=128; undo the transform and dequantise: each value within half a step of the FP16 source.
        byte[] packed = Files.readAllBytes(out.resolve("weights/fc1.weightT.int4"));
        assertThat(packed).hasSize(256 * 128 / 2);
        int[] codes = WeightLayout.unpackPlain(WeightLayout.inverse(packed, WeightFormat.INT4, ActFormat.FP16, 256, 128), WeightFormat.INT4, 256, 128);
        int[] scales = BitPacking.unpack(Files.readAllBytes(out.resolve("weights/fc1.weightT.scales.f16")), 16, 256 * 2);
        int[] zeros = BitPacking.unpack(Files.readAllBytes(out.resolve("weights/fc1.weightT.zeros.f16")), 16, 256 * 2);
        float[] source = OnnxModels.random(128 * 256, 1);   // stored [K][N]
        for (int n = 0; n < 256; n += 31) {
            for (int k = 0; k < 128; k += 7) {
                double scale = Fp16.INSTANCE.decode(scales[n * 2 + k / 64]), zero = Fp16.INSTANCE.decode(zeros[n * 2 + k / 64]);
                double value = (UnsignedInt.INT4.decode(codes[n * 128 + k]) - zero) * scale;
                assertThat(value).isCloseTo(Fp16.round(source[k * 256 + n]), org.assertj.core.data.Offset.offset(scale * 0.51 + 1e-3));
            }
        }
        assertThat(Files.size(out.resolve("weights/norm.weight.f16"))).isEqualTo(2 * 128);
        assertThat(m.get("files").size()).isEqualTo(2 * 3 + 2);   // two linears x (codes, scales, zeros), the norm weight and fc1 bias
    }

    @Test
    void fp16CompileKeepsValuesExactly() throws Exception {
        Path model = dir.resolve("gated.onnx");
        Files.write(model, OnnxModels.gatedSiluMlp(64, 192).toByteArray());
        Path out = dir.resolve("fp16");
        assertThat(run("compile", model.toString(), "--out", out.toString()).code()).isZero();
        int[] codes = BitPacking.unpack(Files.readAllBytes(out.resolve("weights/gate.weight.fp16")), 16, 192 * 64);
        float[] source = OnnxModels.random(192 * 64, 4);    // Gemm transB=1: stored [N][K] already
        for (int i = 0; i < codes.length; i += 101) assertThat(Fp16.INSTANCE.decode(codes[i])).isEqualTo(Fp16.round(source[i]));
    }

    @Test
    void userErrorsAreOneLine() throws Exception {
        Path bad = dir.resolve("erf.onnx");
        Files.write(bad, OnnxModels.withErf(32).toByteArray());
        CliRun r = run("compile", bad.toString(), "--out", dir.resolve("x").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("ladder-ae: unsupported ONNX op 'Erf' at node '/mlp/act/Erf'");

        Path noise = dir.resolve("noise.onnx");
        Files.write(noise, new byte[] {(byte) 0xff, 0x13, 0x37, 0x00, 0x42});
        CliRun n = run("compile", noise.toString());
        assertThat(n.code()).isEqualTo(1);
        assertThat(n.err().strip()).startsWith("ladder-ae: " + noise + " is").doesNotContain("\n");

        CliRun fmt = run("compile", bad.toString(), "--weights", "int3");
        assertThat(fmt.code()).isEqualTo(2);
        assertThat(fmt.err().strip()).startsWith("ladder-ae: unknown --weights 'int3'").doesNotContain("\n");

        Path model = dir.resolve("mlp.onnx");
        Files.write(model, OnnxModels.rmsNormMlp(128, 256).toByteArray());
        Path out = dir.resolve("once");
        assertThat(run("compile", model.toString(), "--out", out.toString()).code()).isZero();
        CliRun again = run("compile", model.toString(), "--out", out.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("ladder-ae: " + out + " already holds a compiled model; choose another --out");
    }
}

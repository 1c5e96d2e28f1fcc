package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.onnx.OnnxModels;

/** {@code ladder-ae run} on a compiled model, through the CPU reference (the GPU path runs on the GPU machine). */
class RunCommandTest {
    @TempDir Path dir;

    private static CliRun run(String... args) { return CliRun.of(args); }

    private Path compiled() throws Exception {
        Path model = dir.resolve("mlp.onnx");
        Files.write(model, OnnxModels.rmsNormMlp(128, 256).toByteArray());
        Path out = dir.resolve("compiled");
        assertThat(run("compile", model.toString(), "--weights", "int4", "--group-size", "64", "--out", out.toString()).code()).isZero();
        return out;
    }

    @Test
    void cpuReferencePrintsTheOutputAndMatchesItsOwnSavedOutputButNotAPerturbedOne() throws Exception {
        Path c = compiled();
        Path x = dir.resolve("x.npy");
        double[] xs = new double[2 * 4 * 128];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < xs.length; i++) xs[i] = rnd.nextGaussian();
        new NpyArray(List.of(2, 4, 128), xs).writeFp16(x);   // the model's batch is dynamic: the file gives it
        Path saved = dir.resolve("y.npy");
        CliRun r = run("run", c.toString(), "--input", x.toString(), "--cpu-reference", "--save", saved.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("output", "values: [", "CPU reference");
        NpyArray y = NpyArray.read(saved);
        assertThat(y.values()).isNotEmpty();
        assertThat(java.util.Arrays.stream(y.values()).map(Math::abs).max().orElse(0)).isGreaterThan(0);

        CliRun same = run("run", c.toString(), "--input", x.toString(), "--cpu-reference", "--expect", saved.toString());
        assertThat(same.code()).isZero();
        assertThat(same.out()).contains("MATCH").doesNotContain("MISMATCH");

        double[] off = y.values().clone();
        for (int i = 0; i < off.length; i++) off[i] = -off[i];
        Path wrong = dir.resolve("wrong.npy");
        new NpyArray(y.shape(), off).writeFp16(wrong);
        CliRun mismatch = run("run", c.toString(), "--input", x.toString(), "--cpu-reference", "--expect", wrong.toString());
        assertThat(mismatch.code()).isEqualTo(1);
        assertThat(mismatch.out()).contains("MISMATCH");
    }

    @Test
    void badDirectoriesAndInputsAreOneLine() throws Exception {
        CliRun missing = run("run", dir.resolve("none").toString(), "--cpu-reference");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).startsWith("ladder-ae:").contains("is not a compiled model").doesNotContain("\n");
        Path c = compiled();
        Path badShape = dir.resolve("x.npy");
        new NpyArray(List.of(3), new double[] {1, 2, 3}).writeFp16(badShape);
        CliRun shape = run("run", c.toString(), "--input", badShape.toString(), "--cpu-reference");
        assertThat(shape.code()).isEqualTo(2);
        assertThat(shape.err()).contains("holds shape [3]");
        if (!org.ladderae.gpu.CudaDriver.availability().available()) {
            Path x = dir.resolve("x4.npy");
            new NpyArray(List.of(1, 4, 128), new double[512]).writeFp16(x);
            CliRun gpu = run("run", c.toString(), "--input", x.toString());
            assertThat(gpu.code()).isEqualTo(1);
            assertThat(gpu.err().strip()).startsWith("ladder-ae: no usable GPU").doesNotContain("\n");
        }
        CliRun dynamic = run("run", c.toString(), "--random", "--cpu-reference");
        assertThat(dynamic.code()).isEqualTo(2);
        assertThat(dynamic.err()).contains("dynamic dimension: give --input FILE");
    }
}

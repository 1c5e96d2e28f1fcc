package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.gpu.GpuTestSupport;

/**
 * The quick start on the GPU, on the tiny real export in the test resources (torch 2.11, transformers 5.17):
 * compile, then `ladder-ae run` on the GPU must reproduce PyTorch's FP16 output and, for the INT4 export, PyTorch's
 * output on the dequantised weights. Runs on the GPU machine only.
 */
@Tag("gpu")
class QuickstartGpuTest {
    @TempDir Path dir;

    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = QuickstartGpuTest.class.getResourceAsStream("/quickstart/llama-tiny/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void exportCompileRunMatchesPyTorchOnTheGpu() throws IOException {
        GpuTestSupport.context();
        Path input = fixture("input.npy");
        for (String[] c : new String[][] {{"layer.onnx", "output.npy"}, {"layer_int4.onnx", "output_int4_ref.npy"}}) {
            Path compiled = dir.resolve(c[0] + ".compiled");
            CliRun compile = CliRun.of("compile", fixture(c[0]).toString(), "--out", compiled.toString());
            assertThat(compile.code()).as(compile.err()).isZero();
            CliRun run = CliRun.of("run", compiled.toString(), "--input", input.toString(), "--expect", fixture(c[1]).toString());
            System.out.println(run.out());
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("on NVIDIA").contains("MATCH").doesNotContain("MISMATCH");
        }
    }
}

package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.cli.Cli;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.io.CompiledModel;
import org.ladderae.models.io.CompiledModelInputs;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.StoredLinearWeight;

/**
 * The quick start on a real export: a LLaMA layer (hidden 128, 4 heads, 2 kv heads, FFN 256, S = 8) built by
 * scripts/quickstart/export_llama_layer.py with torch 2.11 and transformers 5.17 on the H100 (export.json beside the
 * files), with PyTorch's FP16 CUDA outputs. Compile it, then check that the CPU reference and the executor's lowered
 * plan (emulated on the CPU with the kernels' indexing) both reproduce PyTorch's output, FP16 and INT4 (group 128).
 */
class QuickstartExportTest {
    private static final String FIXTURE = "/quickstart/llama-tiny/";
    @TempDir static Path dir;

    private static Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) try (InputStream in = QuickstartExportTest.class.getResourceAsStream(FIXTURE + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @BeforeAll
    static void compile() throws IOException {
        for (String[] c : new String[][] {{"layer.onnx", "fp16"}, {"layer_int4.onnx", "int4"}}) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = Cli.execute(new String[] {"compile", fixture(c[0]).toString(), "--out", dir.resolve(c[1]).toString()}, new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as(err.toString()).isZero();
        }
    }

    private static DenseTensor npy(String name) throws IOException {
        NpyArray a = NpyArray.read(fixture(name));
        return new DenseTensor(a.shape(), a.values());
    }

    private static double emulatedError(String compiled, String expected) throws IOException {
        CompiledModel cm = CompiledModel.open(dir.resolve(compiled));
        Map<String, StoredLinearWeight> linears = new LinkedHashMap<>();
        Map<String, DenseTensor> others = new LinkedHashMap<>();
        for (Op.Linear l : cm.graph().linears()) linears.put(l.weight(), cm.linear(l));
        for (Tensor t : cm.graph().weights()) if (!linears.containsKey(t.name())) others.put(t.name(), new DenseTensor(t.shape(), cm.values(t.name())));
        Map<String, DenseTensor> in = CompiledModelInputs.fromNpy(cm.graph(), NpyArray.read(fixture("input.npy")));
        DenseTensor y = new PlanEmulator(cm.graph(), others, linears, false).run(in);
        return LayerComparison.relativeFrobeniusError(npy(expected), y);
    }

    private static String runCpuReference(String compiled, String expected) throws IOException {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.execute(new String[] {"run", dir.resolve(compiled).toString(), "--input", fixture("input.npy").toString(),
                "--expect", fixture(expected).toString(), "--cpu-reference"}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(out + err.toString()).isZero();
        return out.toString();
    }

    @Test
    void fp16LayerMatchesPyTorchThroughTheReferenceAndTheLoweredPlan() throws IOException {
        assertThat(runCpuReference("fp16", "output.npy")).contains("MATCH").doesNotContain("MISMATCH");
        // PyTorch computed in FP16 on the GPU; the plan here runs in double: they differ by FP16 rounding only.
        assertThat(emulatedError("fp16", "output.npy")).isLessThan(2e-3).isGreaterThan(0);
    }

    @Test
    void int4LayerMatchesPyTorchOnTheDequantisedWeightsWithTheCodesTakenAsStored() throws IOException {
        assertThat(runCpuReference("int4", "output_int4_ref.npy")).contains("MATCH");
        double error = emulatedError("int4", "output_int4_ref.npy");
        assertThat(error).isLessThan(2e-3);
        // the match is with the INT4 layer, not the FP16 one: quantisation moved the output several times further
        assertThat(LayerComparison.relativeFrobeniusError(npy("output.npy"), npy("output_int4_ref.npy"))).isGreaterThan(3 * error);
        assertThat(emulatedError("int4", "output.npy")).isGreaterThan(3 * error);
    }
}
